//! `zhvec segment`.

use std::io::{self, BufRead, BufWriter, Write};

use crate::cli::SegmentArgs;
use crate::cmd::{embedder, input_name, input_paths, open_vocab};
use crate::embed::Source;
use crate::error::{Error, Result};
use crate::pipeline::decode_line;

pub fn run(args: &SegmentArgs) -> Result<()> {
    let vocab = open_vocab(args.recipe.vocab.as_deref())?;
    let embedder = embedder(&vocab, &args.recipe)?;
    let mut out = BufWriter::new(io::stdout().lock());
    let werr = |e| Error::io("cannot write standard output", e);
    let mut buf = Vec::new();
    for path in input_paths(&args.files) {
        let mut reader = crate::input::open(&path, &indicatif::ProgressBar::hidden())?.reader;
        let name = input_name(&path);
        let mut line_no = 0u64;
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf).map_err(|e| crate::input::read_error(&path, e))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            let raw = buf.strip_suffix(b"\n").unwrap_or(&buf);
            let text = decode_line(raw.strip_suffix(b"\r").unwrap_or(raw), line_no, &name, args.lossy)?;
            let mut tokens = Vec::new();
            embedder.segmenter().cut(&text, &mut tokens);
            for (i, t) in tokens.iter().enumerate() {
                if i > 0 {
                    out.write_all(b" ").map_err(werr)?;
                }
                out.write_all(t.as_bytes()).map_err(werr)?;
                if args.explain {
                    match embedder.source(t) {
                        Source::Word(_) => out.write_all(b"/w"),
                        Source::Fallback(chars) => write!(out, "/c:{}", chars.concat()),
                        Source::Nothing => out.write_all(b"/-"),
                    }
                    .map_err(werr)?;
                }
            }
            out.write_all(b"\n").map_err(werr)?;
        }
    }
    out.flush().map_err(werr)
}
