//! `zhvec embed`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

use crate::atomic::{Inputs, Plan};
use crate::cli::EmbedArgs;
use crate::cmd::{embedder, input_name, input_paths, open_vocab, progress, ReadAhead};
use crate::error::{plural, Error, Result};
use crate::input::is_stdin;
use crate::output::{Encoder, Format, Sink};
use crate::pipeline::{self, Totals, CHUNK_BYTES};

pub fn run(args: &EmbedArgs) -> Result<()> {
    let started = Instant::now();
    let vocab = open_vocab(args.recipe.table.vocab.as_deref())?;
    // Checks the recipe flags and gives the width; the segmenter plays no part in either, so
    // this one gets no dictionary.
    let dim = embedder(&vocab, &args.recipe, Some(""))?.dim();
    if args.print_dim {
        println!("{dim}");
        return Ok(());
    }
    if (args.with_line || args.with_text) && args.format != Format::Jsonl {
        return Err(Error::bad("--with-line and --with-text apply to --format jsonl only"));
    }
    let threads = pipeline::threads(args.threads, args.quiet)?;
    let opts = pipeline::Options {
        threads,
        lossy: args.lossy,
        encoder: Encoder { format: args.format, with_line: args.with_line, with_text: args.with_text },
        chunk_bytes: CHUNK_BYTES,
    };
    let paths = input_paths(&args.files);
    // Every input and every output is checked before any work starts, so a missing second
    // file or an output that is a directory does not throw away a finished first part.
    let inputs = Inputs::check(paths.iter().map(PathBuf::as_path))?;
    let plans: Vec<Plan> = match (&args.out_dir, &args.output) {
        (Some(dir), _) => {
            out_dir_targets(&paths, dir, args.format)?.iter().map(|t| Plan::check(t, &inputs)).collect::<Result<_>>()?
        }
        (None, Some(path)) => vec![Plan::check(path, &inputs)?],
        (None, None) => vec![Plan::Stdout],
    };
    let per_input = args.out_dir.is_some();
    let total_bytes: Option<u64> =
        paths.iter().map(|p| if is_stdin(p) { None } else { std::fs::metadata(p).ok().map(|m| m.len()) }).sum();
    let bar = progress(total_bytes, args.quiet);
    // With files, the bar counts bytes as they are read from disk (compressed bytes for
    // .gz); on standard input it counts lines.
    let by_bytes = total_bytes.is_some();
    let byte_bar = if by_bytes { bar.clone() } else { indicatif::ProgressBar::hidden() };
    let mut lines_done = 0u64;
    // The first output is opened before the input is read ahead: an unwritable target fails
    // at once, and the run's temporary file exists while input is still arriving.
    let sink = match plans.first() {
        Some(plan) => Sink::new(plan.open()?, args.format, dim)?,
        None => return Err(Error::bad("no input")),
    };
    let mut ahead = ReadAhead::new(&paths, &byte_bar)?;
    let embedder = embedder(&vocab, &args.recipe, ahead.text())?;
    let mut on_chunk = |_bytes: u64, rows: u64| {
        lines_done += rows;
        if !by_bytes {
            bar.inc(rows);
        }
        let secs = bar.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!("{lines_done} lines, {:.0} lines/s", lines_done as f64 / secs));
    };

    let mut totals = Totals::default();
    let mut open_sink = Some(sink);
    for (i, path) in paths.iter().enumerate() {
        let mut input = ahead.open(i, path, &byte_bar)?;
        let mut sink = match open_sink.take() {
            Some(sink) => sink,
            // --out-dir: every input after the first gets its own output here.
            None => Sink::new(plans[i].open()?, args.format, dim)?,
        };
        let name = input_name(path);
        totals.add(&pipeline::run(&embedder, &mut input, &name, &mut sink, &opts, &mut on_chunk)?);
        if per_input {
            sink.finish()?;
        } else {
            open_sink = Some(sink);
        }
    }
    if let Some(sink) = open_sink {
        sink.finish()?;
    }
    bar.finish_and_clear();
    if args.format == Format::F32 && !args.quiet {
        eprintln!("zhvec: {dim} float32 values per row, {}", plural(totals.stats.lines, "row"));
    }
    if args.lossy && totals.lossy_lines > 0 && !args.quiet {
        eprintln!("zhvec: replaced invalid UTF-8 in {}", plural(totals.lossy_lines, "line"));
    }
    if args.stats {
        let secs = started.elapsed().as_secs_f64();
        let mut summary = serde_json::to_value(totals.stats).unwrap_or_default();
        if let Some(map) = summary.as_object_mut() {
            map.insert("lossy_lines".into(), totals.lossy_lines.into());
            map.insert("bytes".into(), totals.bytes.into());
            map.insert("seconds".into(), secs.into());
            map.insert("lines_per_sec".into(), (totals.stats.lines as f64 / secs.max(1e-9)).into());
        }
        eprintln!("{summary}");
    }
    Ok(())
}

/// `--out-dir`: each input's output is named after it, with the format's extension.
fn out_dir_targets(paths: &[PathBuf], dir: &std::path::Path, format: Format) -> Result<Vec<PathBuf>> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::bad(format!("--out-dir {}: not a directory", dir.display())));
    }
    let mut seen = HashSet::new();
    let targets = paths
        .iter()
        .map(|p| {
            if is_stdin(p) {
                return Err(Error::bad("--out-dir needs input files, not standard input"));
            }
            let stem = p.file_stem().ok_or_else(|| Error::bad(format!("{}: not a file name", p.display())))?;
            // Append the extension: with_extension would cut `news.2024` down to `news`.
            let mut name = stem.to_os_string();
            name.push(format!(".{}", format.extension()));
            let target = dir.join(name);
            if !seen.insert(target.clone()) {
                return Err(Error::bad(format!(
                    "two inputs would both be written to {}; rename one of them",
                    target.display()
                )));
            }
            Ok(target)
        })
        .collect::<Result<Vec<_>>>()?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io_path("cannot create the --out-dir folder", dir, e))?;
    Ok(targets)
}
