//! `zhvec segment`.

use std::io::{self, BufWriter, Write};

use crate::cli::SegmentArgs;
use crate::cmd::{embedder_with, input_name, input_paths, open_table, ReadAhead};
use zhvec::embed::{Embedder, Recipe, Source};
use zhvec::error::{Error, Result};
use zhvec::normalize::NormalizeBuf;
use zhvec::pipeline::{decode_line, lines, ordered, Chunk, CHUNK_BYTES};

pub fn run(args: &SegmentArgs) -> Result<()> {
    let vocab = open_table(&args.table)?;
    let paths = input_paths(&args.files);
    let hidden = zhvec::progress::ProgressBar::hidden();
    let mut ahead = ReadAhead::new(&paths, &hidden)?;
    // The plain recipe: segment shows tokens and their sources, which pooling does not change.
    let recipe = Recipe { normalize_text: args.table.normalize_text.0, ..Recipe::default() };
    let embedder = embedder_with(&vocab, &args.table, recipe, ahead.text())?;
    let threads = zhvec::pipeline::default_threads();
    let mut out = BufWriter::new(io::stdout().lock());
    for (i, path) in paths.iter().enumerate() {
        let mut reader = ahead.open(i, path, &hidden)?;
        let name = input_name(path);
        // The same chunked, ordered reading as embed: line ends, BOM and UTF-8 handled alike.
        let work = |chunk: Chunk<'_>| segment_chunk(&embedder, &name, args, chunk);
        ordered(&mut reader, path, threads, CHUNK_BYTES, work, |text: Result<Vec<u8>>| {
            out.write_all(&text?).map_err(|e| Error::io("cannot write standard output", e))
        })?;
    }
    out.flush().map_err(|e| Error::io("cannot write standard output", e))
}

/// One output line per input line: the tokens separated by spaces, each with its source
/// (`/w` word table, `/c:chars` fallback, `/-` nothing) when explaining; or with `--json`, a
/// JSON array of the tokens, or of `{"token","source","chars"}` objects when explaining.
fn segment_chunk(embedder: &Embedder<'_>, name: &str, args: &SegmentArgs, chunk: Chunk<'_>) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(chunk.bytes.len() * 2);
    let mut buf = NormalizeBuf::default();
    for (k, raw) in lines(chunk.bytes).enumerate() {
        let text = decode_line(raw, chunk.first_line + k as u64, name, args.lossy)?;
        // The tokens the embedder sees: those of the normalized line.
        let text = embedder.normalizer().normalize(&text, &mut buf);
        let mut first = true;
        if args.json {
            out.push(b'[');
        }
        let mut emit = |t: &str| {
            if !std::mem::take(&mut first) {
                out.push(if args.json { b',' } else { b' ' });
            }
            match (args.json, args.explain) {
                (false, false) => out.extend_from_slice(t.as_bytes()),
                (false, true) => {
                    out.extend_from_slice(t.as_bytes());
                    explain_text(embedder.source(t), &mut out);
                }
                (true, false) => json_string(t, &mut out),
                (true, true) => explain_json(t, embedder.source(t), &mut out),
            }
        };
        if args.no_join {
            embedder.segmenter().for_each_jieba_token(text, &mut emit);
        } else {
            embedder.segmenter().for_each_token(text, &mut emit);
        }
        if args.json {
            out.push(b']');
        }
        out.push(b'\n');
    }
    Ok(out)
}

/// `/w`, `/c:chars` or `/-` after a token.
fn explain_text(source: Source<'_>, out: &mut Vec<u8>) {
    match source {
        Source::Word(_) => out.extend_from_slice(b"/w"),
        Source::Fallback(chars) => {
            out.extend_from_slice(b"/c:");
            chars.iter().for_each(|c| out.extend_from_slice(c.as_bytes()));
        }
        Source::Nothing => out.extend_from_slice(b"/-"),
    }
}

/// `{"token":…,"source":"word"}`, `{"token":…,"source":"fallback","chars":[…]}` or
/// `{"token":…,"source":"none"}`.
fn explain_json(token: &str, source: Source<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"token\":");
    json_string(token, out);
    match source {
        Source::Word(_) => out.extend_from_slice(b",\"source\":\"word\"}"),
        Source::Fallback(chars) => {
            out.extend_from_slice(b",\"source\":\"fallback\",\"chars\":[");
            for (i, c) in chars.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json_string(c, out);
            }
            out.extend_from_slice(b"]}");
        }
        Source::Nothing => out.extend_from_slice(b",\"source\":\"none\"}"),
    }
}

/// A JSON string, written straight into the output.
fn json_string(s: &str, out: &mut Vec<u8>) {
    // Writing into a Vec cannot fail, and a str always serializes.
    let _ = serde_json::to_writer(&mut *out, s);
}
