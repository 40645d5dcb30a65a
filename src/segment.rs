//! Word segmentation: jieba with HMM, over either jieba's standard dictionary or the
//! vocab's own words and frequencies.

use jieba_rs::Jieba;

use crate::error::{Error, Result};
use crate::vocab::{Kind, Vocab};

/// Which dictionary the segmenter uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SegDict {
    /// jieba's standard dictionary (349k words): reproduces standard jieba exactly.
    Jieba,
    /// The vocab's own words and characters with their stored frequencies.
    Vocab,
}

pub struct Segmenter {
    jieba: Jieba,
}

impl Segmenter {
    /// A segmenter over jieba's standard dictionary.
    pub fn standard() -> Segmenter {
        Segmenter { jieba: Jieba::new() }
    }

    /// A segmenter whose dictionary is the vocab's words and characters with their counts.
    pub fn from_vocab(vocab: &Vocab) -> Result<Segmenter> {
        let mut jieba = Jieba::empty();
        for kind in [Kind::Word, Kind::Char] {
            for id in 0..vocab.len(kind) as u32 {
                let name = vocab.row_name(kind, id).ok_or_else(|| {
                    Error::bad(format!("{}: corrupted vocab file: {kind:?} row {id} has a bad name", vocab.name()))
                })?;
                // jieba's dictionary syntax is whitespace-separated; such names can't be entries.
                if name.contains(char::is_whitespace) {
                    continue;
                }
                let count = usize::try_from(vocab.count(kind, id)).unwrap_or(usize::MAX).max(1);
                jieba.add_word(name, Some(count), None);
            }
        }
        Ok(Segmenter { jieba })
    }

    pub fn new(dict: SegDict, vocab: &Vocab) -> Result<Segmenter> {
        match dict {
            SegDict::Jieba => Ok(Segmenter::standard()),
            SegDict::Vocab => Segmenter::from_vocab(vocab),
        }
    }

    /// Calls `f` on each token of `line` in order, skipping whitespace-only tokens.
    #[inline]
    pub fn for_each_token<'a>(&self, line: &'a str, mut f: impl FnMut(&'a str)) {
        if line.trim().is_empty() {
            return;
        }
        for t in self.jieba.cut(line, true) {
            if !t.word.trim().is_empty() {
                f(t.word);
            }
        }
    }

    /// Segments `line` into `out` (cleared first), dropping whitespace-only tokens.
    pub fn cut<'a>(&self, line: &'a str, out: &mut Vec<&'a str>) {
        out.clear();
        self.for_each_token(line, |t| out.push(t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_dictionary_matches_jieba() {
        let seg = Segmenter::standard();
        let mut out = Vec::new();
        seg.cut("我来到北京清华大学", &mut out);
        assert_eq!(out, ["我", "来到", "北京", "清华大学"]);
        seg.cut("  他 来了\t", &mut out);
        assert_eq!(out, ["他", "来", "了"]);
        seg.cut("   ", &mut out);
        assert!(out.is_empty());
    }
}
