//! The subcommands: glue between flags, the library and the terminal.

pub mod embed;
pub mod eval;
pub mod segment;
pub mod vocab;

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use zhvec::progress::ProgressBar;

use crate::cli::{Cli, Command, EvalCommand, RecipeArgs, VocabCommand};
use zhvec::embed::{Embedder, Recipe};
use zhvec::error::Result;
use zhvec::input::{self, is_stdin};
use zhvec::normalize::Normalizer;
use zhvec::segment::{SegDict, Segmenter, OWN_WORDS_MAX};
use zhvec::vocab::Vocab;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    // Commands whose result goes to standard output fail at once when it is closed, rather
    // than after the work; `embed` and `vocab build` check the output they are given.
    match &cli.command {
        Command::Segment(_) | Command::Eval(_) => zhvec::output::stdout_open()?,
        Command::Vocab(VocabCommand::Info { .. } | VocabCommand::Verify { .. }) => zhvec::output::stdout_open()?,
        Command::Embed(args) if args.print_dim => zhvec::output::stdout_open()?,
        Command::Embed(_) | Command::Vocab(VocabCommand::Build(_)) => {}
    }
    match cli.command {
        Command::Embed(args) => embed::run(&args),
        Command::Segment(args) => segment::run(&args),
        Command::Vocab(VocabCommand::Build(args)) => vocab::build(*args),
        Command::Vocab(VocabCommand::Info { path, json }) => vocab::info(path.as_deref(), json),
        Command::Vocab(VocabCommand::Verify { path }) => vocab::verify(path.as_deref()),
        Command::Eval(EvalCommand::Sts(args)) => eval::pairs(&args, eval::PairKind::Sentences),
        Command::Eval(EvalCommand::Words(args)) => eval::pairs(&args, eval::PairKind::Words),
        Command::Eval(EvalCommand::Classify(args)) => eval::classify(&args),
    }
}

/// The table named by `--vocab`, or the embedded default.
pub fn open_vocab(path: Option<&Path>) -> Result<Vocab> {
    match path {
        Some(p) => Vocab::open(p),
        None => zhvec::default_vocab::open(),
    }
}

/// Builds the embedder for a recipe over an open vocab. With `only_for`, its segmenter holds
/// just the dictionary words of that text and must be used on nothing else.
pub fn embedder<'v>(vocab: &'v Vocab, args: &RecipeArgs, only_for: Option<&str>) -> Result<Embedder<'v>> {
    embedder_with(vocab, args.table.seg_dict.into(), args.recipe(), only_for)
}

/// [`embedder`] for a recipe. The words for `only_for` are picked from the text as the
/// embedder will see it, normalized line by line.
pub fn embedder_with<'v>(
    vocab: &'v Vocab,
    dict: SegDict,
    recipe: Recipe,
    only_for: Option<&str>,
) -> Result<Embedder<'v>> {
    let normalizer = Normalizer::new(recipe.text_normalization(vocab)?);
    let text = only_for.map(|t| normalizer.normalize_lines(t));
    let segmenter = Segmenter::new(dict, Some(vocab), text.as_deref())?;
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
