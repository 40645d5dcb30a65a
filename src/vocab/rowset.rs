//! The rows of the word table, the character table, or both, under one numbering: word rows
//! first, then character rows. What `nn`, `eval analogy` and `vocab export` read.

use super::{Kind, Row, View, Vocab};
use crate::error::{Error, Result};

/// Which tables a command reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tables {
    #[default]
    Words,
    Chars,
    /// Both, as one vocabulary: the rows of the vectors file the table was built from, whose
    /// single characters `vocab build` put in the character table.
    Both,
}

impl Tables {
    pub fn name(self) -> &'static str {
        match self {
            Tables::Words => "words",
            Tables::Chars => "chars",
            Tables::Both => "both",
        }
    }
}

/// The rows of [`Tables`] in a vocab. Ids run over the word rows, then the character rows
/// (`len(Word) + char id`). With [`Tables::Both`], a character whose name is also a word is
/// left out, so every name stands for one row; its id is skipped.
#[derive(Clone, Debug)]
pub struct RowSet {
    tables: Tables,
    words: u32,
    chars: u32,
    dim: usize,
    /// Character ids left out, increasing.
    shadowed: Vec<u32>,
}

impl RowSet {
    pub fn new(vocab: &Vocab, tables: Tables) -> Result<RowSet> {
        let (wd, cd) = (vocab.dim(Kind::Word), vocab.dim(Kind::Char));
        let (words, chars) = (vocab.len(Kind::Word) as u32, vocab.len(Kind::Char) as u32);
        let (words, chars, dim) = match tables {
            Tables::Words => (words, 0, wd),
            Tables::Chars => (0, chars, cd),
            Tables::Both if wd == cd || chars == 0 => (words, chars, wd),
            Tables::Both if words == 0 => (words, chars, cd),
            Tables::Both => {
                return Err(Error::bad(format!(
                    "{}: the word rows have {wd} dimensions and the character rows {cd}, so they cannot be \
                     read as one table; choose words or chars",
                    vocab.name()
                )))
            }
        };
        let mut shadowed = Vec::new();
        if words > 0 && chars > 0 && !vocab.words_are_multichar() {
            let view = vocab.view();
            shadowed = (0..chars)
                .filter(|&c| view.row_name(Kind::Char, c).is_some_and(|n| view.id(Kind::Word, n).is_some()))
                .collect();
        }
        Ok(RowSet { tables, words, chars, dim, shadowed })
    }

    pub fn tables(&self) -> Tables {
        self.tables
    }

    /// The length of every row.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// One past the largest id.
    pub fn id_end(&self) -> u32 {
        self.words + self.chars
    }

    /// The number of rows (ids left out not counted).
    pub fn len(&self) -> usize {
        (self.words + self.chars) as usize - self.shadowed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The table and the id within it of an id of the set.
    #[inline]
    pub fn locate(&self, id: u32) -> (Kind, u32) {
        if id < self.words {
            (Kind::Word, id)
        } else {
            (Kind::Char, id - self.words)
        }
    }

    /// Whether `id` is a row of the set (below [`RowSet::id_end`] and not left out).
    #[inline]
    pub fn contains(&self, id: u32) -> bool {
        id < self.id_end() && (id < self.words || self.shadowed.binary_search(&(id - self.words)).is_err())
    }

    /// The parts of the set: each table with the id its first row has in the set, and the
    /// character ids left out.
    pub(crate) fn parts(&self) -> impl Iterator<Item = (Kind, u32, &[u32])> {
        let words = (self.words > 0).then_some((Kind::Word, 0, &[][..]));
        let chars = (self.chars > 0).then_some((Kind::Char, self.words, &self.shadowed[..]));
        words.into_iter().chain(chars)
    }

    /// The id of `name`: a word first, then a character.
    pub fn id(&self, view: &View<'_>, name: &str) -> Option<u32> {
        if self.words > 0 {
            if let Some(id) = view.id(Kind::Word, name) {
                return Some(id);
            }
        }
        if self.chars > 0 {
            if let Some(c) = view.id(Kind::Char, name) {
                return Some(self.words + c);
            }
        }
        None
    }

    /// The name of row `id`; `None` for a name that is not UTF-8 (a corrupted file).
    pub fn name<'a>(&self, view: &View<'a>, id: u32) -> Option<&'a str> {
        let (kind, i) = self.locate(id);
        view.row_name(kind, i)
    }

    /// Row `id`. Panics if `id` is not below [`RowSet::id_end`].
    pub fn row<'a>(&self, view: &View<'a>, id: u32) -> Row<'a> {
        let (kind, i) = self.locate(id);
        view.row(kind, i)
    }

    /// Every id of the set, in order.
    pub fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.id_end()).filter(|&id| self.contains(id))
    }
}
