//! Command-line flags: one struct per subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::embed::{Channels, Normalize, Recipe, Weighting};
use crate::normalize::TextNormalization;
use crate::output::Format;
use crate::segment::SegDict;

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
            weighting: self.weighting,
            sif_a: self.sif_a,
            normalize: self.normalize,
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
    Build(crate::build::BuildArgs),
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
