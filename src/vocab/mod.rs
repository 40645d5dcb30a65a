//! The vocab file: one word table and one character table, memory-mapped.

pub mod format;
pub mod quant;
pub mod reader;
pub mod writer;

pub use format::Dtype;
pub use quant::{AddRow, Row};
pub use reader::{Entry, Kind, StartedWords, View, Vocab, WithRows};
pub use writer::{write_vocab, TableData, VocabData};
