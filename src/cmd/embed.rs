//! `zhvec embed`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

use crate::cli::{EmbedArgs, InputFormat};
use crate::cmd::{batch_summary, embedder, input_name, input_paths, open_table, tell_person, ReadAhead};
use zhvec::atomic::{Inputs, Plan};
use zhvec::error::{plural, Error, Result};
use zhvec::input::is_stdin;
use zhvec::output::{Encoder, Format, Sink};
use zhvec::pipeline::{self, Totals, CHUNK_BYTES};
use zhvec::progress::{self, ClearOnDrop, ProgressBar};
use zhvec::vocab::Vocab;

pub fn run(args: &EmbedArgs) -> Result<()> {
    let started = Instant::now();
    let vocab = open_table(&args.recipe.table)?;
    let recipe = args.recipe.recipe();
    recipe.check()?;
    let dim = recipe.dim(&vocab);
    if args.print_dim {
        println!("{dim}");
        return Ok(());
    }
    let format = Format::from(args.format);
    check_format(args, format)?;
    let opts = pipeline::Options {
        threads: pipeline::threads(args.threads, args.quiet)?,
        lossy: args.lossy,
        input: args.input_format.into(),
        encoder: Encoder { format, with_line: args.with_line, with_text: args.with_text, digits: args.digits },
        chunk_bytes: CHUNK_BYTES,
    };
    let paths = input_paths(&args.files);
    let plans = plan_outputs(args, &paths, format)?;
    let totals = embed_all(args, &vocab, &paths, &plans, &opts, dim)?;
    report(args, format, dim, &totals, started);
    if paths.iter().any(|p| !is_stdin(p)) {
        tell_person(args.quiet, || {
            let outputs: Vec<String> = plans.iter().map(output_name).collect();
            batch_summary(totals.stats.lines, paths.len(), &outputs, started.elapsed().as_secs_f64())
        });
    }
    Ok(())
}

/// How an output is named in the batch summary.
fn output_name(plan: &Plan) -> String {
    match plan {
        Plan::Atomic { shown, .. } => shown.display().to_string(),
        Plan::Direct { path } => path.display().to_string(),
        Plan::Stdout => "standard output".into(),
    }
}

/// Refuses options that the output format cannot carry.
fn check_format(args: &EmbedArgs, format: Format) -> Result<()> {
    let text = matches!(format, Format::Jsonl | Format::Tsv);
    if (args.with_line || args.with_text) && format != Format::Jsonl {
        return Err(Error::bad("--with-line and --with-text apply to --format jsonl only"));
    }
    if args.digits.is_some() && !text {
        return Err(Error::bad("--digits applies to --format jsonl and tsv only; npy and f32 hold every bit"));
    }
    if args.input_format == InputFormat::Tsv && !text {
        return Err(Error::bad(format!(
            "--input-format tsv needs --format tsv or jsonl: {} rows have no room for keys. Row i is \
             line i, so the keys in input order are `cut -f1` of the input",
            format.extension()
        )));
    }
    Ok(())
}

/// Checks every input and every output before any work starts, so a missing second file or
/// an output that is a directory does not throw away a finished first part.
fn plan_outputs(args: &EmbedArgs, paths: &[PathBuf], format: Format) -> Result<Vec<Plan>> {
    let inputs = Inputs::check(paths.iter().map(PathBuf::as_path))?;
    match (&args.out_dir, &args.output) {
        (Some(dir), _) => {
            out_dir_targets(paths, dir, format)?.iter().map(|t| Plan::check(t, &inputs)).collect::<Result<_>>()
        }
        (None, Some(path)) => Ok(vec![Plan::check(path, &inputs)?]),
        (None, None) => Ok(vec![Plan::Stdout]),
    }
}

/// Embeds the inputs in order into one output, or one output per input with `--out-dir`.
fn embed_all(
    args: &EmbedArgs,
    vocab: &Vocab,
    paths: &[PathBuf],
    plans: &[Plan],
    opts: &pipeline::Options,
    dim: usize,
) -> Result<Totals> {
    let format = opts.encoder.format;
    let total_bytes = progress::total_bytes(paths);
    let bar = ClearOnDrop(progress::bar(total_bytes, progress::Style::Lines, args.quiet));
    // With files, the bar counts bytes as they are read from disk (compressed bytes for
    // .gz); on standard input it counts lines.
    let by_bytes = total_bytes.is_some();
    let byte_bar = if by_bytes { bar.0.clone() } else { ProgressBar::hidden() };
    let mut lines_done = 0u64;
    // The first output is opened before the input is read ahead: an unwritable target fails
    // at once, and the run's temporary file exists while input is still arriving.
    let sink = match plans.first() {
        Some(plan) => Sink::new(plan.open()?, format, dim)?,
        None => return Err(Error::bad("no input")),
    };
    let mut ahead = ReadAhead::new(paths, &byte_bar)?;
    let embedder = embedder(vocab, &args.recipe, ahead.text())?;
    let mut on_chunk = |_bytes: u64, rows: u64| {
        lines_done += rows;
        if !by_bytes {
            bar.inc(rows);
        }
        let secs = bar.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!("{lines_done} lines, {:.0} lines/s", lines_done as f64 / secs));
    };

    let per_input = args.out_dir.is_some();
    let mut totals = Totals::default();
    let mut open_sink = Some(sink);
    for (i, path) in paths.iter().enumerate() {
        let mut input = ahead.open(i, path, &byte_bar)?;
        let mut sink = match open_sink.take() {
            Some(sink) => sink,
            // --out-dir: every input after the first gets its own output here.
            None => Sink::new(plans[i].open()?, format, dim)?,
        };
        let name = input_name(path);
        totals.add(&pipeline::run(&embedder, &mut input, &name, &mut sink, opts, &mut on_chunk)?);
        if per_input {
            sink.finish()?;
        } else {
            open_sink = Some(sink);
        }
    }
    if let Some(sink) = open_sink {
        sink.finish()?;
    }
    Ok(totals)
}

/// The notes and the `--stats` summary on stderr.
fn report(args: &EmbedArgs, format: Format, dim: usize, totals: &Totals, started: Instant) {
    if format == Format::F32 && !args.quiet {
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
