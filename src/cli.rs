//! Command-line flags: one struct per subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use zhvec::embed::{self, Channels, Recipe};
use zhvec::error::{Error, Opt};
use zhvec::import::{self, BuildOptions};
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
}

/// The table and the segmenter: all that `segment` uses.
#[derive(Debug, Clone, Args)]
pub struct TableArgs {
    /// Vocab table (.zv) to use; the embedded default when absent.
    #[arg(long, value_name = "PATH")]
    pub vocab: Option<PathBuf>,
    /// Segmenter dictionary: jieba's standard one, or the vocab's own words and frequencies.
    #[arg(long, value_enum, default_value_t = SegDict::Jieba)]
    pub seg_dict: SegDict,
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
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "PATH", conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,
    /// Write one output per input file into this directory, named after the input.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Worker threads (default: all cores; at most 4 per core). The output does not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
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
}

#[derive(Debug, Subcommand)]
pub enum VocabCommand {
    /// Build a .zv table from pretrained vectors (word2vec text/binary, GloVe, fastText .vec, .gz).
    Build(Box<BuildArgs>),
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
    },
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Spearman x100 of cosine against gold, for `s1<TAB>s2<TAB>gold` lines.
    Sts(EvalPairsArgs),
    /// Spearman x100 of cosine against gold, for `w1<TAB>w2<TAB>gold` word pairs.
    Words(EvalPairsArgs),
    /// Nearest-centroid accuracy for `text<TAB>label` lines.
    Classify(EvalClassifyArgs),
}

#[derive(Debug, Args)]
pub struct EvalPairsArgs {
    pub pairs: PathBuf,
    #[command(flatten)]
    pub recipe: RecipeArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvalClassifyArgs {
    pub train: PathBuf,
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
    /// Pretrained vectors: word2vec text or binary, GloVe, fastText .vec; gzip is detected,
    /// `-` reads standard input (e.g. from `tar -xzOf` or `bzcat`). Repeatable; a word found
    /// in several rows keeps the first. Without --corpus/--freq the files' row order is taken
    /// as frequency order.
    #[arg(long = "vectors", value_name = "FILE", required = true)]
    pub vectors: Vec<PathBuf>,
    /// Format of the vectors files.
    #[arg(long, value_enum, default_value_t = VectorsFormat::Auto, value_name = "FORMAT")]
    pub vectors_format: VectorsFormat,
    /// Character vectors (same dimension as the words); they take precedence over the
    /// single-character rows of --vectors. Rows that are not one character are ignored.
    #[arg(long, value_name = "FILE")]
    pub char_vectors: Option<PathBuf>,
    /// Text to segment (jieba's standard dictionary) for word and character counts; gzip is
    /// detected. Takes several files.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub corpus: Vec<PathBuf>,
    /// Frequencies as `word count` or `word count tag` lines (jieba's dict.txt). Repeatable;
    /// counts add up, also with --corpus.
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
    /// Which dictionary the segmenter uses.
    SegDict => segment::SegDict {
        /// jieba's standard dictionary (349k words), cut as jieba-rs cuts it.
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
        }
        .to_string()
    })
}
