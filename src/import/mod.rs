//! Building a `.zv` table from pretrained vectors (+ frequencies): [`run`] with [`BuildOptions`].
//!
//! The inputs are read once, as a stream: text files are cut into newline-aligned chunks
//! parsed on all cores, and rows are kept only while they can still make it into the
//! output. Their vectors go to a temporary file beside the output (see `spool`), and the
//! table is written from there, so memory holds the names, counts and positions of the
//! candidate rows, not their vectors.
//!
//! - Rows that are one character (grapheme) go to the character table, the others to the
//!   word table. A word found in several rows keeps its first row.
//! - Counts come from `corpus` (segmented with jieba's standard dictionary) and/or `freq`
//!   lists; a character's count is its occurrences in text (for a list: the counts of the
//!   entries containing it, per occurrence). Without either, counts are estimated from
//!   the row order of the (frequency-sorted) input with Zipf's law, see [`ZIPF_C`], and
//!   character counts are derived from those estimates the same way.
//! - Rows are stored most frequent first, ties in input order; `min_count` (with real
//!   counts) and `max_words` / `max_chars` cut the tail.
//! - A character without a vector that occurs in the kept words gets the mean of the
//!   vectors of those words, each word counted once.

mod chars;
mod fasttext;
mod formats;
mod freq;
mod input;
mod select;
mod spool;
mod vectors;

use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

pub use freq::ZIPF_C;
pub use vectors::VectorsFormat;

use crate::atomic::{Inputs, Output};
use crate::error::{Error, Opt, Result};
use crate::input::Counted;
use crate::normalize::{Normalizer, TextNormalization};
use crate::progress::{self, ClearOnDrop, ProgressBar};
use crate::vocab::writer::{write_rows_to, RowsData, TableRows};
use crate::vocab::Dtype;
use freq::Counts;
use select::{CountSource, Selector};
use spool::{RowAt, Spool, SpoolRows};
use vectors::{Detected, Layout};

/// What to build a table from, and how. [`BuildOptions::new`] gives the defaults.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// Pretrained vectors files (`-`: standard input); a word found in several rows keeps the
    /// first. Without `corpus` or `freq` the row order is taken as frequency order.
    pub vectors: Vec<PathBuf>,
    pub vectors_format: VectorsFormat,
    /// The words of an `.npy` matrix given as `vectors` (then the only one), one per line in
    /// row order.
    pub words: Option<PathBuf>,
    /// Character vectors; they take precedence over the single-character rows of `vectors`.
    pub char_vectors: Option<PathBuf>,
    /// Text to segment for word and character counts.
    pub corpus: Vec<PathBuf>,
    /// Frequency lists: `word count` or `word count tag` lines.
    pub freq: Vec<PathBuf>,
    pub max_words: Option<usize>,
    pub max_chars: Option<usize>,
    /// Drop words and characters counted fewer times (only with `corpus` or `freq`).
    pub min_count: u64,
    pub dtype: Dtype,
    /// Where the vectors come from, stored in the table.
    pub source: Option<String>,
    /// Text normalization the table asks for: stored in the table, applied by embedders
    /// whose recipe leaves it to the table. `corpus` text is normalized the same way before
    /// it is counted.
    pub normalize_text: TextNormalization,
    /// A file holding one JSON object whose keys are stored in the table's metadata beside
    /// the build's own (how the vectors were made: teacher, corpus sizes, recipe version).
    pub meta: Option<PathBuf>,
    /// Skip (and count) malformed lines instead of failing.
    pub skip_bad: bool,
    /// Build even when a `rows dims` header disagrees with the rows the file holds.
    pub allow_row_count_mismatch: bool,
    /// Worker threads; all cores when `None`.
    pub threads: Option<usize>,
    /// No progress bar and no notes on stderr.
    pub quiet: bool,
    /// The table to write, atomically (`-`: standard output).
    pub output: PathBuf,
}

impl BuildOptions {
    /// Options for `output` with everything else at its default.
    pub fn new(vectors: impl Into<PathBuf>, output: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            vectors: vec![vectors.into()],
            vectors_format: VectorsFormat::Auto,
            words: None,
            char_vectors: None,
            corpus: Vec::new(),
            freq: Vec::new(),
            max_words: None,
            max_chars: None,
            min_count: 1,
            dtype: Dtype::F32,
            source: None,
            normalize_text: TextNormalization::NONE,
            meta: None,
            skip_bad: false,
            allow_row_count_mismatch: false,
            threads: None,
            quiet: true,
            output: output.into(),
        }
    }
}

/// What a build did; its `Display` is the one-line summary.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub output: PathBuf,
    /// Valid rows read from all vectors files.
    pub rows: u64,
    pub words: usize,
    pub chars: usize,
    /// Characters without a vector of their own, derived from the words containing them.
    pub derived_chars: usize,
    /// Malformed lines skipped (with `skip_bad`), in vectors and frequency files.
    pub skipped: u64,
    /// Rows whose word was already taken from an earlier row. Only rows still in the running
    /// are remembered (that is what keeps memory bounded), so with `max_words` or counts a
    /// repeat of a word already dropped is not counted; it is dropped too, ranking lower.
    pub duplicates: u64,
    pub elapsed: Duration,
    /// Bytes of vectors read (after decompression).
    pub input_bytes: u64,
    /// Time spent reading vectors.
    pub read_time: Duration,
}

impl Summary {
    /// The row counts, as the table's metadata records them under `stats` and `vocab build
    /// --json` prints them.
    pub fn counts_json(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut counts = serde_json::Map::new();
        counts.insert("rows".into(), self.rows.into());
        counts.insert("words".into(), self.words.into());
        counts.insert("chars".into(), self.chars.into());
        counts.insert("derived_chars".into(), self.derived_chars.into());
        counts.insert("skipped".into(), self.skipped.into());
        counts.insert("duplicates".into(), self.duplicates.into());
        counts
    }

    /// Vectors read per second, in MB (10⁶ bytes).
    pub fn mb_per_s(&self) -> f64 {
        self.input_bytes as f64 / 1e6 / self.read_time.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} rows read → {} words, {} characters ({} derived); {} skipped, {} duplicates; {:.2} s, vectors read at {:.0} MB/s",
            self.output.display(),
            self.rows,
            self.words,
            self.chars,
            self.derived_chars,
            self.skipped,
            self.duplicates,
            self.elapsed.as_secs_f64(),
            self.mb_per_s()
        )
    }
}

/// One vectors input and what was read from it.
struct VectorsInput {
    path: PathBuf,
    det: Detected,
    chars_only: bool,
    rows: u64,
    /// Rows of the file, bad ones and `</s>` included: what a `rows dims` header counts.
    records: u64,
    /// Positioned at the first row by detection; taken when the rows are read.
    reader: Option<Box<dyn BufRead + Send>>,
}

/// Builds a table from `opts`; returns the summary.
pub fn run(opts: &BuildOptions) -> Result<Summary> {
    let start = Instant::now();
    let threads = crate::pipeline::threads(opts.threads, opts.quiet)?;

    let inputs: Vec<(&PathBuf, bool)> =
        opts.char_vectors.iter().map(|p| (p, true)).chain(opts.vectors.iter().map(|p| (p, false))).collect();
    let all: Vec<&PathBuf> =
        inputs.iter().map(|i| i.0).chain(&opts.words).chain(&opts.freq).chain(&opts.corpus).collect();
    if opts.words.is_some() && opts.vectors.len() != 1 {
        return Err(Error::option([
            Opt::Words.into(),
            " goes with one .npy matrix; give a single ".into(),
            Opt::Vectors.into(),
        ]));
    }
    if opts.words.as_deref().is_some_and(input::is_stdin) {
        return Err(Error::option([Opt::Words.into(), " must be a file: it is read twice".into()]));
    }
    if all.iter().filter(|p| input::is_stdin(p)).count() > 1 {
        return Err(Error::bad("standard input (`-`) can be read only once"));
    }
    // Every input and the output are checked, and the output opened, before any long work:
    // a missing file or an unwritable target should not cost the whole build.
    let checked = Inputs::check(all.iter().map(|p| p.as_path()))?;
    let extra_meta = opts.meta.as_deref().map(read_meta).transpose()?;
    let output = Output::create(&opts.output, &checked)?;
    let bar = ClearOnDrop(progress::bar(progress::total_bytes(&all), progress::Style::Bytes, opts.quiet));

    let (mut sources, dim) = detect_all(&inputs, opts.vectors_format, opts.words.as_deref(), &bar)?;
    let (counts, count_source) = read_counts(opts, threads, &bar)?;

    let read_start = Instant::now();
    let mut selector = Selector::new(dim, count_source, &counts, opts.max_words, Spool::new(&spool_dir(&output), dim)?);
    let mut tally = Tally { skipped: counts.skipped, ..Tally::default() };
    let rules = RowRules {
        dtype: opts.dtype,
        skip_bad: opts.skip_bad,
        allow_row_count_mismatch: opts.allow_row_count_mismatch,
    };
    read_all_vectors(&mut sources, rules, opts.words.as_deref(), threads, &bar, &mut selector, &mut tally)?;
    let read_time = read_start.elapsed();
    drop(bar);

    let (rows, duplicates) = (selector.rows, selector.duplicates);
    let selected = selector.finish()?;
    let chars = chars::build(&selected, count_source, &counts, opts.max_chars, opts.dtype)?;
    drop(counts);
    if selected.words.is_empty() && chars.is_empty() {
        return Err(no_rows_left(count_source));
    }

    let mut summary = Summary {
        output: opts.output.clone(),
        rows,
        words: selected.words.len(),
        chars: chars.len(),
        derived_chars: chars.derived,
        skipped: tally.skipped,
        duplicates,
        elapsed: Duration::ZERO,
        input_bytes: tally.bytes,
        read_time,
    };
    let mut meta = metadata(opts, &sources, count_source, &summary);
    for (k, v) in extra_meta.into_iter().flatten() {
        meta[k] = v;
    }
    let words_at = selected.words.at.iter().map(|&at| RowAt::Spool(at)).collect();
    let mut word_rows = SpoolRows::new(&selected.spool, words_at, Vec::new());
    let mut char_rows = SpoolRows::new(&selected.spool, chars.at, chars.derived_vectors);
    let data = RowsData {
        words: TableRows { dim, names: &selected.words.names, counts: &selected.words.counts, vectors: &mut word_rows },
        chars: TableRows { dim, names: &chars.names, counts: &chars.counts, vectors: &mut char_rows },
        dtype: opts.dtype,
        meta: &meta,
    };
    write_rows_to(output, data)?;
    summary.elapsed = start.elapsed();
    Ok(summary)
}

/// Detects every vectors file before any long work, so format and dimension problems show
/// up early. The character vectors come first (their rows take precedence); the result
/// starts with them. Returns the inputs and their common dimension.
fn detect_all(
    inputs: &[(&PathBuf, bool)],
    format: VectorsFormat,
    words: Option<&Path>,
    bar: &ProgressBar,
) -> Result<(Vec<VectorsInput>, usize)> {
    let mut sources = Vec::new();
    for &(path, chars_only) in inputs {
        let (det, reader) = vectors::detect(path, format, words.filter(|_| !chars_only), bar)?;
        sources.push(VectorsInput { path: path.clone(), det, chars_only, rows: 0, records: 0, reader: Some(reader) });
    }
    let word_src = sources
        .iter()
        .find(|s| !s.chars_only)
        .ok_or_else(|| Error::option(["no ".into(), Opt::Vectors.into(), " given".into()]))?;
    let dim = word_src.det.dim;
    for s in &sources {
        if s.det.dim != dim {
            let what = if s.chars_only { "character vectors have" } else { "vectors have" };
            return Err(Error::at_line(
                &s.path.display().to_string(),
                1,
                format!("these {what} dimension {}, but {} has {dim}", s.det.dim, word_src.path.display()),
            ));
        }
    }
    Ok((sources, dim))
}

/// The counts from the frequency lists and the corpus, and how rows are to be ranked.
fn read_counts(opts: &BuildOptions, threads: usize, bar: &ProgressBar) -> Result<(Counts, CountSource)> {
    let mut counts = Counts::default();
    for path in &opts.freq {
        bar.set_message(display_name(path));
        freq::read_freq(path, opts.skip_bad, bar, &mut counts)?;
    }
    for path in &opts.corpus {
        bar.set_message(display_name(path));
        freq::count_corpus(path, threads, Normalizer::new(opts.normalize_text), bar, &mut counts)?;
    }
    let count_source = if opts.freq.is_empty() && opts.corpus.is_empty() {
        CountSource::Zipf
    } else {
        CountSource::Counted { min_count: opts.min_count }
    };
    Ok((counts, count_source))
}

/// Reads the rows of every vectors input into `selector`.
fn read_all_vectors(
    sources: &mut [VectorsInput],
    rules: RowRules,
    words: Option<&Path>,
    threads: usize,
    bar: &ProgressBar,
    selector: &mut Selector,
    tally: &mut Tally,
) -> Result<()> {
    // Zipf ranks count rows within a stream: the character vectors, then all `vectors` files
    // as one sequence, so a later row never outranks an earlier duplicate.
    let mut prev_chars_only = None;
    for s in sources {
        if prev_chars_only != Some(s.chars_only) {
            tally.rank = 0;
            prev_chars_only = Some(s.chars_only);
        }
        bar.set_message(display_name(&s.path));
        let (rows_before, skipped_before) = (selector.rows, tally.skipped);
        read_vectors(s, rules, words, threads, bar, selector, tally)?;
        s.rows = selector.rows - rows_before;
        if s.rows == 0 {
            let skipped = match tally.skipped - skipped_before {
                0 => String::new(),
                n => format!(" ({} skipped)", crate::error::plural(n, "bad line")),
            };
            return Err(Error::bad(format!("{}: no vector rows{skipped}", s.path.display())));
        }
    }
    Ok(())
}

/// The refusal of a build that would keep no row.
fn no_rows_left(count_source: CountSource) -> Error {
    match count_source {
        CountSource::Counted { min_count } => Error::option([
            format!("no rows left: no word or character of the vectors has a count of at least {min_count} in the ")
                .into(),
            Opt::Corpus.into(),
            "/".into(),
            Opt::Freq.into(),
            " counts".into(),
        ]),
        CountSource::Zipf => Error::option([
            "no rows left with the given ".into(),
            Opt::MaxWords.into(),
            " and ".into(),
            Opt::MaxChars.into(),
        ]),
    }
}

/// Running totals over the vectors inputs.
#[derive(Default)]
struct Tally {
    /// Position of the next row in its stream, for the Zipf estimate.
    rank: u64,
    skipped: u64,
    /// Bytes of vectors read, after decompression.
    bytes: u64,
}

/// How the rows of a vectors file are read: what they are stored as, and what is refused.
#[derive(Clone, Copy)]
struct RowRules {
    dtype: Dtype,
    skip_bad: bool,
    allow_row_count_mismatch: bool,
}

fn read_vectors(
    s: &mut VectorsInput,
    rules: RowRules,
    words: Option<&Path>,
    threads: usize,
    bar: &ProgressBar,
    selector: &mut Selector,
    tally: &mut Tally,
) -> Result<()> {
    let (path, dim, chars_only) = (&s.path, s.det.dim, s.chars_only);
    let shown = path.display().to_string();
    let reader = s.reader.take().ok_or_else(|| Error::bad(format!("{shown}: read twice")))?;
    let mut reader = Counted::new(reader);
    let (rank, skipped, records) = (&mut tally.rank, &mut tally.skipped, &mut s.records);
    let (dtype, skip_bad) = (rules.dtype, rules.skip_bad);
    let mut take = |batch: &vectors::Batch| -> Result<()> {
        for row in batch.rows(dim) {
            selector.add(row.name, row.single, row.vector, *rank, chars_only)?;
            *rank += 1;
        }
        *skipped += batch.skipped;
        *records += batch.records;
        Ok(())
    };
    let result = match s.det.layout {
        Layout::Binary => vectors::read_binary(&mut reader, path, dim, dtype, skip_bad, |batch| take(&batch)),
        Layout::Npy(header) => match words {
            Some(words) => formats::read_npy(&mut reader, path, header, words, dtype, skip_bad, bar, |b| take(&b)),
            None => Err(formats::refusal(formats::Sniffed::Npy, &shown, None)),
        },
        Layout::FastText => fasttext::read_fasttext(path, dtype, skip_bad, bar, |b| take(&b)).map(|n| {
            tally.bytes += n;
        }),
        Layout::Text | Layout::Glove => {
            let mut line = s.det.layout.header_lines();
            crate::pipeline::ordered(
                &mut reader,
                path,
                threads,
                input::CHUNK,
                |chunk| vectors::parse_text(chunk.bytes, dim, dtype, skip_bad),
                |batch| {
                    take(&batch)?;
                    if let Some((at, msg)) = &batch.bad {
                        return Err(Error::at_line(&shown, line + at, msg));
                    }
                    line += batch.lines;
                    Ok(())
                },
            )
        }
    };
    tally.bytes += reader.count();
    result?;
    // Every row read counts, whether kept or not (`max_words`, duplicates, `skip_bad`).
    match s.det.header_rows {
        Some(said) if said != s.records && !rules.allow_row_count_mismatch => {
            let hint = if s.records < said { " (is the file cut short?)" } else { "" };
            Err(Error::option([
                format!("{shown}:1: the header says {said} rows, but the file has {}{hint}; ", s.records).into(),
                Opt::AllowRowCountMismatch.into(),
                " builds from the rows there are".into(),
            ]))
        }
        _ => Ok(()),
    }
}

/// Where the rows read are kept until the table is written: beside the output, whose
/// folder is known to take new files, or in $TMPDIR when the output is not a file.
fn spool_dir(output: &Output) -> PathBuf {
    match output {
        Output::Atomic(a) => match a.target().parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
        Output::Direct { .. } | Output::Stdout => std::env::temp_dir(),
    }
}

fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Keys the build writes itself; a `meta` file may not set them.
const OWN_META_KEYS: [&str; 4] = ["build", "stats", "source", crate::normalize::META_KEY];

/// The JSON object of a `meta` file.
fn read_meta(path: &Path) -> Result<serde_json::Map<String, serde_json::Value>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io_path("read", path, e))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Error::at_line(&path.display().to_string(), e.line() as u64, e))?;
    let serde_json::Value::Object(map) = value else {
        return Err(Error::bad(format!("{}: expected one JSON object", path.display())));
    };
    if let Some(k) = map.keys().find(|k| OWN_META_KEYS.contains(&k.as_str())) {
        return Err(Error::bad(format!("{}: key {k:?} is written by the build itself", path.display())));
    }
    Ok(map)
}

/// The build options and statistics stored in the table, for `zhvec vocab info`.
fn metadata(
    opts: &BuildOptions,
    sources: &[VectorsInput],
    count_source: CountSource,
    s: &Summary,
) -> serde_json::Value {
    let input = |src: &VectorsInput| {
        let mut v = json!({
            "file": display_name(&src.path),
            "format": src.det.layout.name(),
            "gzip": src.det.gzip,
            "bzip2": src.det.bzip2,
            "dim": src.det.dim,
            "rows": src.rows,
            "header_rows": src.det.header_rows,
        });
        if let (Layout::Npy(_), Some(words)) = (src.det.layout, &opts.words) {
            v["words"] = json!(display_name(words));
        }
        v
    };
    let names = |paths: &[PathBuf]| paths.iter().map(|p| display_name(p)).collect::<Vec<_>>();
    let counts = match count_source {
        CountSource::Zipf => json!({
            "from": "zipf",
            "words": "round(C / (rank + 1)), rank = 0-based position of the row in the vectors input",
            "chars": "own row's estimate + the estimates of the words containing the character, per occurrence",
            "C": ZIPF_C,
        }),
        CountSource::Counted { min_count } => {
            let mut c = json!({
                "from": match (opts.corpus.is_empty(), opts.freq.is_empty()) {
                    (false, true) => "corpus",
                    (true, false) => "freq",
                    _ => "corpus+freq",
                },
                "min_count": min_count,
            });
            if !opts.freq.is_empty() {
                c["freq"] = json!(names(&opts.freq));
            }
            if !opts.corpus.is_empty() {
                c["corpus"] = json!(names(&opts.corpus));
                c["segmenter"] = json!("jieba (standard dictionary, HMM)");
            }
            c
        }
    };
    let mut meta = json!({
        "build": {
            "tool": concat!("zhvec ", env!("CARGO_PKG_VERSION")),
            "vectors": sources.iter().filter(|s| !s.chars_only).map(input).collect::<Vec<_>>(),
            "char_vectors": sources.iter().find(|s| s.chars_only).map(input),
            "vectors_format": format!("{:?}", opts.vectors_format).to_lowercase(),
            "counts": counts,
            "dtype": opts.dtype.name(),
            "max_words": opts.max_words,
            "max_chars": opts.max_chars,
            "skip_bad": opts.skip_bad,
            "allow_row_count_mismatch": opts.allow_row_count_mismatch,
        },
        "stats": s.counts_json(),
    });
    if let Some(text) = &opts.source {
        meta["source"] = json!(text);
    }
    meta[crate::normalize::META_KEY] = json!(opts.normalize_text.to_string());
    meta
}
