//! The vocab file: one word table and one character table, memory-mapped.

pub mod format;
pub mod quant;
pub mod reader;
pub mod rowset;
pub mod writer;

pub use format::Dtype;
pub use quant::{AddRow, Row};
pub use reader::{Entry, Kind, StartedWords, View, Vocab, WithRows};
pub use rowset::{RowSet, Tables};
pub use writer::{write_vocab, TableData, VocabData};

impl Vocab {
    /// The text normalization the table was built for (its metadata's `normalize_text`);
    /// `none` for a table that does not say.
    pub fn normalize_text(&self) -> crate::Result<crate::normalize::TextNormalization> {
        use crate::normalize::META_KEY;
        let meta = self.meta()?;
        let bad = |what: &dyn std::fmt::Display| {
            crate::Error::option([
                format!(
                    "{}: the table's metadata asks for the text normalization {what}, which is not \
                     `none` or a comma list of `nfkc`, `t2s`; set ",
                    self.name()
                )
                .into(),
                crate::error::Opt::NormalizeText.into(),
                " to choose one".into(),
            ])
        };
        match meta.get(META_KEY) {
            None | Some(serde_json::Value::Null) => Ok(Default::default()),
            Some(serde_json::Value::String(s)) => s.parse().map_err(|_| bad(&format_args!("`{s}`"))),
            Some(other) => Err(bad(other)),
        }
    }
}
