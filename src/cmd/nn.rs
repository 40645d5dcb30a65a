//! `zhvec nn` and `zhvec sim`.

use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::cli::{NnArgs, SimArgs};
use crate::cmd::{embedder, embedder_with, input_name, input_paths, open_table, ReadAhead};
use zhvec::embed::{Channels, Embedder, Scratch, Stats};
use zhvec::error::{Error, Result};
use zhvec::eval::cosine;
use zhvec::normalize::{NormalizeBuf, Normalizer};
use zhvec::npy::Npy;
use zhvec::pipeline::{decode_line, lines, ordered, Chunk, CHUNK_BYTES};
use zhvec::similarity::{nearest, nearest_rows, Hit};
use zhvec::vocab::{Kind, RowSet, Tables, View, Vocab};

/// A query word and its vector.
struct Query {
    text: String,
    vector: Vec<f32>,
    /// Its own row, left out of the answers.
    id: Option<u32>,
}

pub fn run(args: &NnArgs) -> Result<()> {
    let vocab = open_table(&args.recipe.table)?;
    if let Some(line) = &args.line {
        return line_query(args, &vocab, line);
    }
    let tables: Tables = args.table.into();
    let set = RowSet::new(&vocab, tables)?;
    let view = vocab.view();
    let joined = args.words.join("\n");
    let mut queries = Vec::with_capacity(args.words.len());
    let mut emb = None;
    for w in &args.words {
        queries.push(word_query(&vocab, &view, &set, w, args, &joined, &mut emb)?);
    }
    let mut out = Output::new();
    for q in &queries {
        let exclude: Vec<u32> = q.id.into_iter().collect();
        let hits = nearest(&view, &set, &q.vector, args.k, &exclude);
        let names: Vec<String> = hits.iter().map(|h| set.name(&view, h.id).unwrap_or("\u{fffd}").to_string()).collect();
        if args.json {
            let neighbours: Vec<_> =
                hits.iter().zip(&names).map(|(h, n)| serde_json::json!({"word": n, "cosine": h.cosine})).collect();
            out.line(
                &serde_json::json!({"query": q.text, "table": tables.name(), "neighbours": neighbours}).to_string(),
            )?;
        } else {
            for (h, n) in hits.iter().zip(&names) {
                let prefix = if queries.len() > 1 { format!("{}\t", q.text) } else { String::new() };
                out.line(&format!("{prefix}{n}\t{}", h.cosine))?;
            }
        }
    }
    out.finish()
}

/// The vector of a query word: its row; else the row of its normalized form; else the
/// vector embed gives it as a token (the mean of its characters' rows), with a note.
fn word_query<'v>(
    vocab: &'v Vocab,
    view: &View<'_>,
    set: &RowSet,
    word: &str,
    args: &NnArgs,
    all_words: &str,
    emb: &mut Option<Embedder<'v>>,
) -> Result<Query> {
    let own = |id: u32| {
        let mut vector = vec![0f32; set.dim()];
        set.row(view, id).read_into(&mut vector);
        Query { text: word.to_string(), vector, id: Some(id) }
    };
    if let Some(id) = set.id(view, word) {
        return Ok(own(id));
    }
    let normalizer = Normalizer::new(args.recipe.recipe().text_normalization(vocab)?);
    let normalized = normalizer.normalize(word, &mut NormalizeBuf::default()).to_string();
    if let Some(id) = set.id(view, &normalized) {
        eprintln!("zhvec: {word:?} is read as {normalized:?}, normalized as the table asks");
        return Ok(own(id));
    }
    if emb.is_none() {
        *emb = Some(embedder(vocab, &args.recipe, Some(all_words))?);
    }
    let table = Tables::from(args.table).name();
    let vector = emb.as_ref().and_then(|e| e.word_vector(&normalized)).filter(|v| v.len() == set.dim());
    let Some(vector) = vector else {
        return Err(Error::bad(format!(
            "{word:?} has no row in the {table} table of {}, and none of its characters has one",
            vocab.name()
        )));
    };
    let from =
        if view.id(Kind::Word, &normalized).is_some() { "its word row" } else { "the mean of its characters' rows" };
    eprintln!("zhvec: {word:?} has no row in the {table} table; searching with {from}, as embed reads it");
    Ok(Query { text: word.to_string(), vector, id: None })
}

/// `nn --line`: the line's embedding against an .npy of line vectors, or the line's word
/// (or character) channel against the table.
fn line_query(args: &NnArgs, vocab: &Vocab, line: &str) -> Result<()> {
    let tables: Tables = args.table.into();
    let mut recipe = args.recipe.recipe();
    if args.against.is_none() {
        // The channel that lives in the same space as the rows searched.
        let chars = tables == Tables::Chars;
        recipe.channels = Channels { word: !chars, char: chars };
    }
    let emb = embedder_with(vocab, &args.recipe.table, recipe, Some(line))?;
    let vector = emb.embed(line);
    if vector.iter().all(|&x| x == 0.0) {
        return Err(Error::bad(format!("the line {line:?} has no vector: no token or character of it has a row")));
    }
    let mut out = Output::new();
    let Some(path) = &args.against else {
        let set = RowSet::new(vocab, tables)?;
        let view = vocab.view();
        let hits = nearest(&view, &set, &vector, args.k, &[]);
        let name = |h: &Hit| set.name(&view, h.id).unwrap_or("\u{fffd}").to_string();
        if args.json {
            let n: Vec<_> = hits.iter().map(|h| serde_json::json!({"word": name(h), "cosine": h.cosine})).collect();
            out.line(&serde_json::json!({"query": line, "table": tables.name(), "neighbours": n}).to_string())?;
        } else {
            for h in &hits {
                out.line(&format!("{}\t{}", name(h), h.cosine))?;
            }
        }
        return out.finish();
    };
    let npy = Npy::open(path)?;
    if npy.dim != vector.len() {
        return Err(Error::bad(format!(
            "{}: rows of {} values, but the line's embedding has {} (use the recipe options the .npy was made with)",
            path.display(),
            npy.dim,
            vector.len()
        )));
    }
    let texts = args.texts.as_deref().map(|t| read_texts(t, npy.rows, path)).transpose()?;
    let hits = nearest_rows(npy.matrix(), npy.dim, &vector, args.k);
    let text = |h: &Hit| texts.as_ref().and_then(|t| t.get(h.id as usize)).map(String::as_str);
    if args.json {
        let n: Vec<_> = hits
            .iter()
            .map(|h| match text(h) {
                Some(t) => serde_json::json!({"row": h.id, "cosine": h.cosine, "text": t}),
                None => serde_json::json!({"row": h.id, "cosine": h.cosine}),
            })
            .collect();
        out.line(
            &serde_json::json!({"query": line, "against": path.display().to_string(), "neighbours": n}).to_string(),
        )?;
    } else {
        for h in &hits {
            match text(h) {
                Some(t) => out.line(&format!("{}\t{}\t{t}", h.id, h.cosine))?,
                None => out.line(&format!("{}\t{}", h.id, h.cosine))?,
            }
        }
    }
    out.finish()
}

/// The lines of the companion text file; one per row of the .npy.
fn read_texts(path: &Path, rows: usize, npy: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io_path("cannot read", path, e))?;
    let name = path.display().to_string();
    let texts = lines(&bytes)
        .enumerate()
        .map(|(i, raw)| decode_line(raw, i as u64 + 1, &name, false).map(|t| t.into_owned()))
        .collect::<Result<Vec<String>>>()?;
    if texts.len() != rows {
        return Err(Error::bad(format!(
            "{name} has {} lines, but {} has {rows} rows: give the file the vectors were made from",
            texts.len(),
            npy.display()
        )));
    }
    Ok(texts)
}

/// Lines to standard output.
struct Output {
    w: BufWriter<io::StdoutLock<'static>>,
}

impl Output {
    fn new() -> Output {
        Output { w: BufWriter::new(io::stdout().lock()) }
    }

    fn line(&mut self, s: &str) -> Result<()> {
        writeln!(self.w, "{s}").map_err(|e| Error::io("cannot write standard output", e))
    }

    fn finish(mut self) -> Result<()> {
        self.w.flush().map_err(|e| Error::io("cannot write standard output", e))
    }
}

pub fn sim(args: &SimArgs) -> Result<()> {
    let vocab = open_table(&args.recipe.table)?;
    args.recipe.recipe().check()?;
    let paths = input_paths(&args.files);
    zhvec::atomic::Inputs::check(paths.iter().map(|p| p.as_path()))?;
    let hidden = zhvec::progress::ProgressBar::hidden();
    let mut ahead = ReadAhead::new(&paths, &hidden)?;
    let emb = embedder(&vocab, &args.recipe, ahead.text())?;
    let threads = zhvec::pipeline::threads(args.threads, false)?;
    let mut out = BufWriter::new(io::stdout().lock());
    for (i, path) in paths.iter().enumerate() {
        let mut reader = ahead.open(i, path, &hidden)?;
        let name = input_name(path);
        let work = |chunk: Chunk<'_>| sim_chunk(&emb, &name, chunk);
        ordered(&mut reader, path, threads, CHUNK_BYTES, work, |text: Result<Vec<u8>>| {
            out.write_all(&text?).map_err(|e| Error::io("cannot write standard output", e))
        })?;
    }
    out.flush().map_err(|e| Error::io("cannot write standard output", e))
}

/// One output line per input line: the cosine of the two texts' embeddings, as `eval sts`
/// computes it; an empty line for an empty one.
fn sim_chunk(emb: &Embedder<'_>, name: &str, chunk: Chunk<'_>) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let (mut scratch, mut stats) = (Scratch::default(), Stats::default());
    let (mut a, mut b) = (vec![0f32; emb.dim()], vec![0f32; emb.dim()]);
    for (k, raw) in lines(chunk.bytes).enumerate() {
        let line_no = chunk.first_line + k as u64;
        let text = decode_line(raw, line_no, name, false)?;
        if text.is_empty() {
            out.push(b'\n');
            continue;
        }
        let mut fields = text.split('\t');
        let (Some(x), Some(y)) = (fields.next(), fields.next()) else {
            return Err(Error::at_line(name, line_no, "expected two tab-separated texts"));
        };
        emb.embed_line(x, &mut a, &mut scratch, &mut stats);
        emb.embed_line(y, &mut b, &mut scratch, &mut stats);
        writeln!(out, "{}", cosine(&a, &b) as f32).map_err(|e| Error::io("cannot format", e))?;
    }
    Ok(out)
}
