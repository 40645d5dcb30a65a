//! Word segmentation: jieba with HMM, over either jieba's standard dictionary or the
//! vocab's own words and frequencies.

use jieba_rs::Jieba;
use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

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
    ///
    /// jieba splits text per code point outside its dictionary, which can cut a grapheme
    /// cluster (a letter and its combining marks, an emoji with a skin tone or ZWJ
    /// sequence, a flag) into several tokens; such pieces are joined back into one token.
    /// Likewise a Latin-script word with letters beyond ASCII (`café`, `Zürich`), which jieba
    /// cuts at the first non-ASCII letter, is joined at the Unicode word boundaries (UAX #29).
    /// Han text and ASCII are left exactly as jieba cuts them.
    #[inline]
    pub fn for_each_token<'a>(&self, line: &'a str, mut f: impl FnMut(&'a str)) {
        if line.trim().is_empty() {
            return;
        }
        let mut emit = |s: &'a str| {
            if !s.trim().is_empty() {
                f(s)
            }
        };
        let mut pending: Option<(usize, usize)> = None;
        for t in self.jieba.cut(line, true) {
            pending = match pending {
                Some((start, end))
                    if end == t.byte_start
                        && (!is_grapheme_boundary(line, end) || splits_a_word(line, start, end, t.byte_end)) =>
                {
                    Some((start, t.byte_end))
                }
                Some((start, end)) => {
                    emit(&line[start..end]);
                    Some((t.byte_start, t.byte_end))
                }
                None => Some((t.byte_start, t.byte_end)),
            };
        }
        if let Some((start, end)) = pending {
            emit(&line[start..end]);
        }
    }

    /// Segments `line` into `out` (cleared first), dropping whitespace-only tokens.
    pub fn cut<'a>(&self, line: &'a str, out: &mut Vec<&'a str>) {
        out.clear();
        self.for_each_token(line, |t| out.push(t));
    }
}

/// Printable ASCII and CJK ideographs: between two of these there is always a grapheme
/// boundary, so text made only of them (nearly all input) can skip the grapheme rules.
#[inline]
pub(crate) fn is_plain_char(c: char) -> bool {
    c.is_ascii_graphic() || ('\u{3400}'..='\u{9fff}').contains(&c)
}

/// Whether byte offset `at` of `line` (a char boundary) is a grapheme cluster boundary.
#[inline]
fn is_grapheme_boundary(line: &str, at: usize) -> bool {
    let plain = |c: Option<char>| c.is_some_and(is_plain_char);
    if plain(line[..at].chars().next_back()) && plain(line[at..].chars().next()) {
        return true;
    }
    GraphemeCursor::new(at, line.len(), true).is_boundary(line, 0).unwrap_or(true)
}

/// Whether the cut at `at`, between tokens `line[start..at]` and `line[at..end]`, falls inside
/// one word by the Unicode word-boundary rules. Only asked when both neighbours are non-Han
/// letters or digits and one of them is beyond ASCII, so jieba's own ASCII and Han cuts stay.
#[inline]
fn splits_a_word(line: &str, start: usize, at: usize, end: usize) -> bool {
    let (Some(b), Some(a)) = (line[..at].chars().next_back(), line[at..].chars().next()) else {
        return false;
    };
    // Cheap tests first: this runs at every token boundary.
    if (b.is_ascii() && a.is_ascii()) || is_han(b) || is_han(a) || !(b.is_alphanumeric() && a.is_alphanumeric()) {
        return false;
    }
    !line[start..end].split_word_bound_indices().any(|(i, _)| i == at - start)
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3ffff}')
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

    #[test]
    fn grapheme_clusters_stay_in_one_token() {
        let seg = Segmenter::standard();
        let mut out = Vec::new();
        seg.cut("e\u{301}北京", &mut out);
        assert_eq!(out, ["e\u{301}", "北京"]);
        seg.cut("好👍🏽🇨🇳", &mut out);
        assert_eq!(out, ["好", "👍🏽", "🇨🇳"]);
        seg.cut("abc def", &mut out);
        assert_eq!(out, ["abc", "def"]);
    }

    #[test]
    fn latin_words_with_accents_stay_whole() {
        let seg = Segmenter::standard();
        let mut out = Vec::new();
        seg.cut("我在café喝咖啡", &mut out);
        assert!(out.contains(&"café"), "{out:?}");
        seg.cut("Zürich和Genève", &mut out);
        assert_eq!(out, ["Zürich", "和", "Genève"]);
        // ASCII and Han are cut exactly as jieba cuts them.
        seg.cut("iPhone15发布会", &mut out);
        let plain: Vec<&str> = seg.jieba.cut("iPhone15发布会", true).into_iter().map(|t| t.word).collect();
        assert_eq!(out, plain);
    }
}
