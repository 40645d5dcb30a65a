//! Command-line flags: one struct per subcommand.

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, Parser, Subcommand, ValueEnum};

use zhvec::embed::{self, Channels, Recipe};
use zhvec::error::{Error, Opt};
use zhvec::import::{self, BuildOptions};
use zhvec::input;
use zhvec::normalize::TextNormalization;
use zhvec::output;
use zhvec::segment;
use zhvec::Dtype;

#[derive(Debug, Parser)]
#[command(
    name = "zhvec",
    version,
    about = "Chinese text to vectors, fast: jieba segmentation over memory-mapped word and character tables"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The environment variable that names the default `--vocab`.
pub const VOCAB_ENV: &str = "ZHVEC_VOCAB";
/// The environment variable that sets the default `--threads` of `embed`.
pub const THREADS_ENV: &str = "ZHVEC_THREADS";

/// Parses the command line, noting whether `--vocab` came from [`VOCAB_ENV`], so that an error
/// about the table can say where its name came from.
/// Clears ZHVEC_* variables that are set but empty: shells use that for unset, and clap
/// would take it as a missing value. Call while the process is still single-threaded.
pub fn clear_empty_env() {
    for name in [VOCAB_ENV, THREADS_ENV] {
        if std::env::var_os(name).is_some_and(|v| v.is_empty()) {
            std::env::remove_var(name);
        }
    }
}

/// Records in the parsed command line whether its table was named by ZHVEC_VOCAB.
pub fn note_env_sources(cli: &mut Cli, matches: &ArgMatches) {
    if let Some(table) = cli.command.table_mut() {
        table.vocab_from_env = leaf(matches).value_source("vocab") == Some(ValueSource::EnvVariable);
    }
}

/// The matches of the innermost subcommand.
fn leaf(m: &ArgMatches) -> &ArgMatches {
    match m.subcommand() {
        Some((_, sub)) => leaf(sub),
        None => m,
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Embed lines of text: one output row per input line, in order.
    Embed(EmbedArgs),
    /// Print the segmentation of each line (and, with --explain, where each vector comes from).
    Segment(SegmentArgs),
    /// Build, inspect and verify vocab tables.
    #[command(subcommand)]
    Vocab(VocabCommand),
    /// Measure a table on your own data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// The table rows most similar to words, or to an embedded line, by cosine.
    Nn(NnArgs),
    /// The cosine of the embeddings of each `a<TAB>b` line, one per line.
    Sim(SimArgs),
    /// Print a shell completion script to standard output.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff, every subcommand on one page) to standard output.
    Man,
}

impl Command {
    /// The table options of a command that has them.
    fn table_mut(&mut self) -> Option<&mut TableArgs> {
        match self {
            Command::Embed(a) => Some(&mut a.recipe.table),
            Command::Segment(a) => Some(&mut a.table),
            Command::Eval(EvalCommand::Sts(a) | EvalCommand::Words(a)) => Some(&mut a.recipe.table),
            Command::Eval(EvalCommand::Classify(a)) => Some(&mut a.recipe.table),
            Command::Nn(a) => Some(&mut a.recipe.table),
            Command::Sim(a) => Some(&mut a.recipe.table),
            Command::Eval(EvalCommand::Analogy(_)) | Command::Vocab(_) | Command::Completions { .. } | Command::Man => {
                None
            }
        }
    }
}

/// The table and the segmenter: all that `segment` uses.
#[derive(Debug, Clone, Args)]
pub struct TableArgs {
    /// Vocab table (.zv) to use; the embedded default when neither this nor ZHVEC_VOCAB is set.
    #[arg(long, value_name = "PATH", env = VOCAB_ENV)]
    pub vocab: Option<PathBuf>,
    /// Whether `vocab` came from the environment.
    #[arg(skip)]
    pub vocab_from_env: bool,
    /// Segmenter dictionary: jieba's standard one, or the vocab's own words and frequencies.
    #[arg(long, value_enum, default_value_t = SegDict::Jieba)]
    pub seg_dict: SegDict,
    /// A jieba user dictionary (`word [freq] [tag]` lines) added to the segmenter's
    /// dictionary, as jieba's load_userdict adds it.
    #[arg(long, value_name = "FILE")]
    pub user_dict: Option<PathBuf>,
    /// Text normalization before segmentation: `auto` (what the table asks for), `none`, or a
    /// comma list of `nfkc` (full-width and compatibility forms) and `t2s` (traditional to
    /// simplified script).
    #[arg(long, default_value = "auto", value_name = "auto|none|LIST", value_parser = normalize_text)]
    pub normalize_text: NormalizeText,
}

/// A `--normalize-text` value: `None` is `auto`.
#[derive(Debug, Clone, Copy)]
pub struct NormalizeText(pub Option<TextNormalization>);

fn normalize_text(s: &str) -> Result<NormalizeText, String> {
    TextNormalization::parse_or_auto(s).map(NormalizeText).map_err(|e| e.to_string())
}

/// The table, the segmenter and the pooling options shared by embed and eval.
#[derive(Debug, Clone, Args)]
pub struct RecipeArgs {
    #[command(flatten)]
    pub table: TableArgs,
    /// Weighting of token vectors before averaging.
    #[arg(long, value_enum, default_value_t = Weighting::Uniform)]
    pub weighting: Weighting,
    /// The a of SIF weighting a/(a+p(w)): a positive number.
    #[arg(long, default_value_t = 1e-3, value_name = "A", allow_negative_numbers = true, value_parser = positive_finite)]
    pub sif_a: f32,
    /// L2-normalize nothing, each channel, or the whole row.
    #[arg(long, value_enum, default_value_t = Normalize::None)]
    pub normalize: Normalize,
    /// Channels in the row: word,char | word | char.
    #[arg(long, default_value = "word,char", value_name = "LIST")]
    pub channels: Channels,
}

/// A value that must be a positive, finite number; negative ones parse, to be refused here.
fn positive_finite(s: &str) -> Result<f32, String> {
    let a: f32 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if a.is_finite() && a > 0.0 {
        Ok(a)
    } else {
        Err("must be a positive, finite number".into())
    }
}

impl RecipeArgs {
    pub fn recipe(&self) -> Recipe {
        Recipe {
            weighting: self.weighting.into(),
            sif_a: self.sif_a,
            normalize: self.normalize.into(),
            channels: self.channels,
            normalize_text: self.table.normalize_text.0,
        }
    }
}

#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// Input files; standard input when none or `-`.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub recipe: RecipeArgs,
    /// Input lines: plain text, or `key<TAB>text` whose key leads each output row (`-f tsv` or
    /// jsonl). The text is everything after the first tab, further tabs included.
    #[arg(long, value_enum, default_value_t = InputFormat::Text, value_name = "FORMAT")]
    pub input_format: InputFormat,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// jsonl and tsv: write at most N significant digits (1-9), correctly rounded, instead of the
    /// shortest text that reads back to the same float. Smaller and faster; does not round-trip.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=9))]
    pub digits: Option<u8>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "PATH", conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,
    /// Write one output per input file into this directory, named after the input.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Worker threads (default: all cores; at most 4 per core). The output does not depend on it.
    #[arg(short = 'j', long, value_name = "N", env = THREADS_ENV)]
    pub threads: Option<usize>,
    /// jsonl: emit objects with the 1-based line number.
    #[arg(long)]
    pub with_line: bool,
    /// jsonl: emit objects with the input text.
    #[arg(long)]
    pub with_text: bool,
    /// Print the row dimension and exit.
    #[arg(long)]
    pub print_dim: bool,
    /// Replace invalid UTF-8 instead of failing, and count the lines where it happened.
    #[arg(long)]
    pub lossy: bool,
    /// Print a JSON summary of token and character statistics to stderr at the end.
    #[arg(long)]
    pub stats: bool,
    /// No progress bar and no notes on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SegmentArgs {
    /// Input files; standard input when none or `-`.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub table: TableArgs,
    /// Show where each token's vector comes from: the word table (w), a character fallback
    /// with the characters used (c:...), or nothing (-).
    #[arg(long)]
    pub explain: bool,
    /// Replace invalid UTF-8 instead of failing.
    #[arg(long)]
    pub lossy: bool,
    /// One JSON array of tokens per line; with --explain, objects
    /// {"token", "source": "word"|"fallback"|"none", "chars"}.
    #[arg(long)]
    pub json: bool,
    /// Print jieba's tokens exactly as Python jieba 0.42.1 cuts them, without joining the
    /// pieces of a grapheme cluster or of a Latin word with accents (which embed joins).
    #[arg(long, conflicts_with = "explain")]
    pub no_join: bool,
}

// Parsed once per run: the size of the build options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum VocabCommand {
    /// Build a .zv table from pretrained vectors (word2vec text/binary, GloVe, fastText .vec/.bin,
    /// NumPy .npy; .gz, .bz2).
    Build(BuildArgs),
    /// Show a table's counts, dims, dtype, size, source and build options.
    Info {
        /// The table; the embedded default when absent.
        path: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a table completely: checksum, names, index.
    Verify {
        /// The table; the embedded default when absent.
        path: Option<PathBuf>,
        /// Print JSON: {"path", "ok", "words", "chars", "bytes"}, or {"path", "ok": false, "error"}.
        #[arg(long)]
        json: bool,
    },
    /// Write a table's rows as .npy plus a token list, word2vec text or word2vec binary.
    Export(ExportArgs),
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Spearman x100 of cosine against gold, for `s1<TAB>s2<TAB>gold` lines.
    Sts(EvalPairsArgs),
    /// Spearman x100 of cosine against gold, for `w1<TAB>w2<TAB>gold` word pairs.
    Words(EvalPairsArgs),
    /// Nearest-centroid accuracy for `text<TAB>label` lines.
    Classify(EvalClassifyArgs),
    /// 3CosAdd accuracy on `a b c d` analogy questions under `: section` lines (CA8, Google).
    Analogy(AnalogyArgs),
}

#[derive(Debug, Args)]
pub struct EvalPairsArgs {
    /// The pairs file; `-` reads standard input.
    pub pairs: PathBuf,
    #[command(flatten)]
    pub recipe: RecipeArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvalClassifyArgs {
    /// The training file; `-` reads standard input.
    pub train: PathBuf,
    /// The test file; `-` reads standard input.
    pub test: PathBuf,
    #[command(flatten)]
    pub recipe: RecipeArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `zhvec vocab build`; [`BuildArgs::into_options`] gives the library's options.
#[derive(Clone, Debug, Args)]
pub struct BuildArgs {
    /// Pretrained vectors: word2vec text or binary, GloVe, fastText .vec or .bin, a NumPy .npy
    /// matrix with --words; gzip and bzip2 are detected, `-` reads standard input (e.g. from
    /// `tar -xzOf`). Repeatable; a word found in several rows keeps the first. Without
    /// --corpus/--freq the files' row order is taken as frequency order.
    #[arg(long = "vectors", value_name = "FILE", required = true)]
    pub vectors: Vec<PathBuf>,
    /// Format of the vectors files.
    #[arg(long, value_enum, default_value_t = VectorsFormat::Auto, value_name = "FORMAT")]
    pub vectors_format: VectorsFormat,
    /// The words of a .npy --vectors matrix, one per line in row order (e.g. a vocab.txt).
    #[arg(long, value_name = "FILE")]
    pub words: Option<PathBuf>,
    /// Character vectors (same dimension as the words); they take precedence over the
    /// single-character rows of --vectors. Rows that are not one character are ignored. `-`
    /// reads standard input.
    #[arg(long, value_name = "FILE")]
    pub char_vectors: Option<PathBuf>,
    /// Text to segment (jieba's standard dictionary) for word and character counts; gzip is
    /// detected. Takes several files; `-` reads standard input.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub corpus: Vec<PathBuf>,
    /// Frequencies as `word count` or `word count tag` lines (jieba's dict.txt). Repeatable;
    /// counts add up, also with --corpus. `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub freq: Vec<PathBuf>,
    /// Keep at most this many words, the most frequent.
    #[arg(long, value_name = "N")]
    pub max_words: Option<usize>,
    /// Keep at most this many characters, the most frequent.
    #[arg(long, value_name = "N")]
    pub max_chars: Option<usize>,
    /// Drop words and characters counted fewer times (only with --corpus or --freq).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_count: u64,
    /// Storage type of the vectors.
    #[arg(long, default_value = "f32", value_parser = parse_dtype, value_name = "f32|f16|int8")]
    pub dtype: Dtype,
    /// Description of where the vectors come from, stored in the table.
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,
    /// Text normalization the table asks for (`none` or a comma list of `nfkc`, `t2s`):
    /// stored in the table and applied by `--normalize-text auto`. --corpus text is
    /// normalized the same way before it is counted.
    #[arg(long, default_value = "none", value_name = "none|LIST", value_parser = parse_normalize_text)]
    pub normalize_text: TextNormalization,
    /// A JSON object whose keys are stored in the table's metadata beside the build's own
    /// (how the vectors were made), shown by `zhvec vocab info`.
    #[arg(long, value_name = "FILE")]
    pub meta: Option<PathBuf>,
    /// Skip (and count) malformed lines instead of failing.
    #[arg(long)]
    pub skip_bad: bool,
    /// Build even when a `rows dims` header gives another row count than the rows the file
    /// holds (by default an error: the file may be cut short).
    #[arg(long)]
    pub allow_row_count_mismatch: bool,
    /// Worker threads (default: all cores). The table does not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the summary as JSON on standard output instead of a line on stderr.
    #[arg(long)]
    pub json: bool,
    /// Output table path; written atomically (`-`: standard output).
    #[arg(short, long, value_name = "PATH")]
    pub output: PathBuf,
}

fn parse_normalize_text(s: &str) -> Result<TextNormalization, String> {
    s.parse().map_err(|e: Error| e.to_string())
}

fn parse_dtype(s: &str) -> Result<Dtype, String> {
    Dtype::parse(s).ok_or_else(|| format!("unknown dtype {s:?} (expected f32, f16 or int8)"))
}

impl BuildArgs {
    pub fn into_options(self) -> BuildOptions {
        BuildOptions {
            vectors: self.vectors,
            vectors_format: self.vectors_format.into(),
            words: self.words,
            char_vectors: self.char_vectors,
            corpus: self.corpus,
            freq: self.freq,
            max_words: self.max_words,
            max_chars: self.max_chars,
            min_count: self.min_count,
            dtype: self.dtype,
            source: self.source,
            normalize_text: self.normalize_text,
            meta: self.meta,
            skip_bad: self.skip_bad,
            allow_row_count_mismatch: self.allow_row_count_mismatch,
            threads: self.threads,
            quiet: self.quiet,
            output: self.output,
        }
    }
}

/// The flag values of the library's enums. Each maps one to one onto its library type; the
/// doc comments are the help text.
macro_rules! value_enum {
    ($(#[$meta:meta])* $name:ident => $lib:path { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl From<$name> for $lib {
            fn from(v: $name) -> $lib {
                match v {
                    $($name::$variant => <$lib>::$variant),+
                }
            }
        }
    };
}

value_enum! {
    /// How token vectors are weighted before averaging.
    Weighting => embed::Weighting {
        /// Every contribution counts the same.
        Uniform,
        /// Each vector is weighted by a / (a + p(w)) from the stored frequencies.
        Sif,
    }
}

value_enum! {
    /// Which parts of the row are L2-normalized.
    Normalize => embed::Normalize {
        None,
        /// Each channel separately.
        Channel,
        /// The whole row.
        All,
    }
}

value_enum! {
    /// The output format.
    Format => output::Format {
        /// One JSON array per line (shortest round-trip floats).
        Jsonl,
        /// Floats separated by tabs, one row per line.
        Tsv,
        /// A NumPy (N, D) little-endian float32 array.
        Npy,
        /// Raw little-endian float32 rows.
        F32,
    }
}

value_enum! {
    /// How `embed` reads its input lines.
    InputFormat => input::InputFormat {
        /// One text per line.
        Text,
        /// `key<TAB>text` per line; the key is copied to the output row.
        Tsv,
    }
}

value_enum! {
    /// Which dictionary the segmenter uses.
    SegDict => segment::SegDict {
        /// jieba's standard dictionary (349k words), cut as Python jieba 0.42.1 cuts it.
        Jieba,
        /// The vocab's own words and characters with their stored frequencies.
        Vocab,
    }
}

value_enum! {
    /// The format of the vectors files.
    VectorsFormat => import::VectorsFormat {
        /// Detect from the content.
        Auto,
        /// word2vec text: a `rows dims` header line, then `word v1 … vD` rows.
        Text,
        /// GloVe text: `word v1 … vD` rows, no header.
        Glove,
        /// word2vec binary: a `rows dims` header line, then `word ` and D little-endian f32.
        Binary,
        /// A NumPy .npy matrix (float16/32/64, C order); needs --words.
        Npy,
        /// A fastText model (.bin): the vectors of its words, n-grams included.
        #[value(name = "fasttext")]
        FastText,
    }
}

/// Options of `zhvec vocab export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The table; the embedded default when absent.
    #[arg(value_name = "TABLE")]
    pub path: Option<PathBuf>,
    /// Output path, written atomically. npy: the matrix, with the tokens beside it
    /// (`x.npy` gives `x.vocab.txt`); word2vec: the file (`-`: standard output).
    #[arg(short, long, value_name = "PATH")]
    pub output: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The rows to write: the word table, the character table, or both (words first).
    #[arg(long, value_enum, default_value_t = TableChoice::Both)]
    pub table: TableChoice,
    /// Element type of the npy matrix.
    #[arg(long, value_enum, default_value_t = NpyDtype::F32)]
    pub dtype: NpyDtype,
    /// Worker threads for word2vec text (default: all cores). The output does not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// No summary line on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Options of `zhvec nn`.
#[derive(Debug, Args)]
pub struct NnArgs {
    /// Words to find the neighbours of (not with --line).
    #[arg(value_name = "WORD", required_unless_present = "line", conflicts_with = "line")]
    pub words: Vec<String>,
    /// Embed this line with the recipe options and find its neighbours instead.
    #[arg(long, value_name = "TEXT")]
    pub line: Option<String>,
    /// With --line: search the rows of this .npy (float32 or float16, e.g. from `embed -f npy`)
    /// instead of the table.
    #[arg(long, value_name = "FILE.npy", requires = "line")]
    pub against: Option<PathBuf>,
    /// With --against: a text file whose line i is row i of the .npy, printed with each hit.
    #[arg(long, value_name = "FILE", requires = "against")]
    pub texts: Option<PathBuf>,
    /// How many neighbours.
    #[arg(short, default_value_t = 10, value_name = "N")]
    pub k: usize,
    /// The rows searched: the word table, the character table, or both.
    #[arg(long, value_enum, default_value_t = TableChoice::Words)]
    pub table: TableChoice,
    #[command(flatten)]
    pub recipe: RecipeArgs,
    /// Print JSON, one object per query.
    #[arg(long)]
    pub json: bool,
}

/// Options of `zhvec sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Input files of `a<TAB>b` lines (further fields are ignored); standard input when none or `-`.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub recipe: RecipeArgs,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

/// Options of `zhvec eval analogy`.
#[derive(Debug, Args)]
pub struct AnalogyArgs {
    /// Questions: `a b c d` lines (a is to b as c is to d) under `: section` lines.
    pub questions: PathBuf,
    /// Table to use; the embedded default when absent.
    #[arg(long, value_name = "PATH")]
    pub vocab: Option<PathBuf>,
    /// The rows that answer: both tables by default, since a table keeps single characters
    /// apart from its words and analogy sets mix the two.
    #[arg(long, value_enum, default_value_t = TableChoice::Both)]
    pub table: TableChoice,
    /// Worker threads (default: all cores). The result does not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

value_enum! {
    /// A `vocab export` format.
    ExportFormat => zhvec::export::Format {
        /// A (rows, dim) .npy matrix and a token list, one token a line in row order.
        Npy,
        /// word2vec text: a `rows dim` line, then `token v1 … vD` lines.
        #[value(name = "w2v")]
        Word2vecText,
        /// word2vec binary: a `rows dim` line, then `token `, D little-endian float32 and `\n`.
        #[value(name = "w2v-binary")]
        Word2vecBinary,
    }
}

value_enum! {
    /// Which tables a command reads.
    TableChoice => zhvec::vocab::Tables {
        /// The word table.
        Words,
        /// The character table.
        Chars,
        /// Both, word rows first.
        Both,
    }
}

value_enum! {
    /// The element type of an exported matrix.
    NpyDtype => zhvec::npy::Dtype {
        F32,
        F16,
    }
}

/// The message for a library error, as the command line shows it.
pub fn message(e: &Error) -> String {
    e.message_with(|o| {
        match o {
            Opt::Channels => "--channels",
            Opt::SifA => "--sif-a",
            Opt::SegDict => "--seg-dict",
            Opt::Threads => "--threads",
            Opt::Lossy => "--lossy",
            Opt::Vectors => "--vectors",
            Opt::VectorsFormat => "--vectors-format",
            Opt::Corpus => "--corpus",
            Opt::Freq => "--freq",
            Opt::MaxWords => "--max-words",
            Opt::MaxChars => "--max-chars",
            Opt::SkipBad => "--skip-bad",
            Opt::AllowRowCountMismatch => "--allow-row-count-mismatch",
            Opt::NormalizeText => "--normalize-text",
            Opt::Words => "--words",
        }
        .to_string()
    })
}
