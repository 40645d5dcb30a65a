//! zhvec: Chinese text to vectors. jieba segmentation, a memory-mapped word table with a
//! character-table fallback, and mean pooling into `[word_mean ; char_mean]`.

pub mod error;
pub mod vocab;

pub use error::{Error, Result};
pub use vocab::{Dtype, Kind, Row, Vocab};
pub mod analogy;
pub mod atomic;
pub mod batch;
pub mod default_vocab;
pub mod embed;
pub mod eval;
pub mod export;
pub mod hash;
pub mod import;
pub mod input;
pub mod interrupt;
pub mod normalize;
pub mod npy;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod segment;
pub mod similarity;
