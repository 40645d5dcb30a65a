//! The subcommands: glue between flags, the library and the terminal.

pub mod analogy;
pub mod docs;
pub mod embed;
pub mod eval;
pub mod export;
pub mod nn;
pub mod segment;
pub mod vocab;

use std::io::{Cursor, IsTerminal, Read};
use std::path::{Path, PathBuf};

use zhvec::progress::ProgressBar;

use crate::cli::{Cli, Command, EvalCommand, RecipeArgs, TableArgs, VocabCommand, VOCAB_ENV};
use zhvec::embed::{Embedder, Recipe};
use zhvec::error::{plural, Error, Result};
use zhvec::input::{self, is_stdin};
use zhvec::normalize::Normalizer;
use zhvec::segment::{SegDict, Segmenter, UserDict, OWN_WORDS_MAX};
use zhvec::vocab::Vocab;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    // Commands whose result goes to standard output fail at once when it is closed, rather
    // than after the work; `embed` and `vocab build` check the output they are given.
    match &cli.command {
        Command::Segment(_)
        | Command::Eval(_)
        | Command::Nn(_)
        | Command::Sim(_)
        | Command::Completions { .. }
        | Command::Man => zhvec::output::stdout_open()?,
        Command::Vocab(VocabCommand::Info { .. } | VocabCommand::Verify { .. }) => zhvec::output::stdout_open()?,
        Command::Embed(args) if args.print_dim => zhvec::output::stdout_open()?,
        Command::Embed(_) | Command::Vocab(VocabCommand::Build(_) | VocabCommand::Export(_)) => {}
    }
    match cli.command {
        Command::Embed(args) => embed::run(&args),
        Command::Segment(args) => segment::run(&args),
        Command::Vocab(VocabCommand::Build(args)) => vocab::build(args),
        Command::Vocab(VocabCommand::Info { path, json }) => vocab::info(path.as_deref(), json),
        Command::Vocab(VocabCommand::Verify { path, json }) => vocab::verify(path.as_deref(), json),
        Command::Eval(EvalCommand::Sts(args)) => eval::pairs(&args, eval::PairKind::Sentences),
        Command::Eval(EvalCommand::Words(args)) => eval::pairs(&args, eval::PairKind::Words),
        Command::Eval(EvalCommand::Classify(args)) => eval::classify(&args),
        Command::Eval(EvalCommand::Analogy(args)) => analogy::run(&args),
        Command::Vocab(VocabCommand::Export(args)) => export::run(&args),
        Command::Nn(args) => nn::run(&args),
        Command::Sim(args) => nn::sim(&args),
        Command::Completions { shell } => docs::completions(shell),
        Command::Man => docs::man(),
    }
}

/// The table named by `--vocab`, or the embedded default.
pub fn open_vocab(path: Option<&Path>) -> Result<Vocab> {
    match path {
        Some(p) if is_stdin(p) => Err(Error::bad(
            "a vocab table cannot be read from standard input (`-`): it is memory-mapped, so it must be a file",
        )),
        Some(p) => Vocab::open(p),
        None => zhvec::default_vocab::open(),
    }
}

/// The table of `--vocab` (or ZHVEC_VOCAB), or the embedded default. An error about a table
/// named by the environment says so, since nothing on the command line names it.
pub fn open_table(table: &TableArgs) -> Result<Vocab> {
    open_vocab(table.vocab.as_deref()).map_err(|e| match e {
        _ if !table.vocab_from_env => e,
        Error::Io { context, source } => Error::Io { context: format!("{context} (named by {VOCAB_ENV})"), source },
        Error::BadInput(msg) => Error::BadInput(format!("{msg} (the table named by {VOCAB_ENV})")),
        e => e,
    })
}

/// Builds the embedder for a recipe over an open vocab. With `only_for`, its segmenter holds
/// just the dictionary words of that text and must be used on nothing else.
pub fn embedder<'v>(vocab: &'v Vocab, args: &RecipeArgs, only_for: Option<&str>) -> Result<Embedder<'v>> {
    embedder_with(vocab, &args.table, args.recipe(), only_for)
}

/// [`embedder`] for a recipe. The words for `only_for` are picked from the text as the
/// embedder will see it, normalized line by line.
pub fn embedder_with<'v>(
    vocab: &'v Vocab,
    table: &TableArgs,
    recipe: Recipe,
    only_for: Option<&str>,
) -> Result<Embedder<'v>> {
    let normalizer = Normalizer::new(recipe.text_normalization(vocab)?);
    let text = only_for.map(|t| normalizer.normalize_lines(t));
    let dict: SegDict = table.seg_dict.into();
    let segmenter = match &table.user_dict {
        Some(path) => Segmenter::with_user_dict(dict, Some(vocab), text.as_deref(), &UserDict::open(path)?)?,
        None => Segmenter::new(dict, Some(vocab), text.as_deref())?,
    };
    Embedder::new(vocab, segmenter, recipe)
}

/// Inputs up to this size are read whole before the segmenter is built.
const SMALL_INPUT: u64 = OWN_WORDS_MAX as u64;

/// A lone input that ends within [`SMALL_INPUT`] bytes is read whole before anything else:
/// its text lets the segmenter load only the dictionary words it contains, which takes most
/// of the start-up time away from a short run such as `echo 标题 | zhvec embed`.
pub struct ReadAhead {
    /// The first input, with the bytes read ahead put back in front.
    first: Option<Box<dyn Read + Send>>,
    text: Option<String>,
}

impl ReadAhead {
    pub fn new(paths: &[PathBuf], bar: &ProgressBar) -> Result<ReadAhead> {
        let [path] = paths else {
            return Ok(ReadAhead { first: None, text: None });
        };
        let mut reader = input::open(path, bar)?.reader;
        let mut head = Vec::new();
        (&mut reader).take(SMALL_INPUT + 1).read_to_end(&mut head).map_err(|e| input::read_error(path, e))?;
        if head.len() as u64 > SMALL_INPUT {
            return Ok(ReadAhead { first: Some(Box::new(Cursor::new(head).chain(reader))), text: None });
        }
        // Invalid UTF-8 decodes as with --lossy; without it such a line is an error anyway.
        let text = String::from_utf8_lossy(&head).into_owned();
        Ok(ReadAhead { first: Some(Box::new(Cursor::new(head))), text: Some(text) })
    }

    /// The whole input, when it was small enough to read ahead.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The reader for input `i`, which is `path`: the one read ahead, or newly opened.
    pub fn open(&mut self, i: usize, path: &Path, bar: &ProgressBar) -> Result<Box<dyn Read + Send>> {
        match self.first.take() {
            Some(first) if i == 0 => Ok(first),
            _ => Ok(input::open(path, bar)?.reader),
        }
    }
}

/// The line shown after a batch run: rows, inputs, outputs (the first few) and time.
pub fn batch_summary(rows: u64, files: usize, outputs: &[String], secs: f64) -> String {
    const SHOWN: usize = 3;
    let mut to = outputs.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
    if outputs.len() > SHOWN {
        to.push_str(&format!(" and {} more", outputs.len() - SHOWN));
    }
    format!("zhvec: {} from {} to {to} in {secs:.2} s", plural(rows, "row"), plural(files as u64, "file"))
}

/// Prints `line()` on stderr for a person watching it: not when quiet, not when stderr is no
/// terminal (a script or log gets only what it asked for).
pub fn tell_person(quiet: bool, line: impl FnOnce() -> String) {
    if !quiet && std::io::stderr().is_terminal() {
        eprintln!("{}", line());
    }
}

/// How an input is named in messages.
pub fn input_name(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".into()
    } else {
        path.display().to_string()
    }
}

/// The inputs named on the command line; standard input when there are none.
pub fn input_paths(files: &[PathBuf]) -> Vec<PathBuf> {
    if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        files.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::batch_summary;

    #[test]
    fn batch_summary_names_rows_files_outputs_and_time() {
        let one = batch_summary(1, 1, &["a.npy".into()], 0.5);
        assert_eq!(one, "zhvec: 1 row from 1 file to a.npy in 0.50 s");
        let outs: Vec<String> = (1..=5).map(|i| format!("vecs/{i}.npy")).collect();
        let many = batch_summary(36_000, 5, &outs, 12.345);
        assert_eq!(many, "zhvec: 36000 rows from 5 files to vecs/1.npy, vecs/2.npy, vecs/3.npy and 2 more in 12.35 s");
    }
}
