//! jieba user dictionaries: lines of `word [freq] [tag]`, added as Python jieba 0.42.1's
//! `load_userdict` and `add_word` add them:
//!
//! - a line is stripped of ASCII whitespace and leading BOMs; empty lines are skipped;
//! - it is read as `^(.+?)( [0-9]+)?( [a-z]+)?$`, so a word may hold spaces;
//! - a missing frequency is `suggest_freq(word, tune=False)`: from how the dictionary so far
//!   cuts the word without the HMM, `max(int(∏ freq(piece) / total · total) + 1, freq(word))`;
//! - the word gets its frequency (a repeated word the last one), every prefix not yet known
//!   becomes a prefix, and the frequency is added to the total (a repeated word's too);
//! - a word of frequency 0 is never made by the HMM either (finalseg's `Force_Split_Words`).
//!
//! The words are a small trie over the dictionary's, so adding them builds nothing else.

use std::collections::HashSet;
use std::path::Path;

use super::cut::{Cutter, Overlaid, Scratch, Words};
use super::trie::TrieBuilder;
use super::Segmenter;
use crate::error::{Error, Result};

/// The lines of a user dictionary, parsed.
#[derive(Clone, Debug, Default)]
pub struct UserDict {
    /// Each word and its frequency, if the line gives one, in file order.
    entries: Vec<(String, Option<u64>)>,
}

impl UserDict {
    /// Reads and parses a user dictionary file.
    pub fn open(path: &Path) -> Result<UserDict> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        UserDict::parse(&path.display().to_string(), &bytes)
    }

    /// Parses the bytes of a user dictionary; errors name `name` and the line.
    pub fn parse(name: &str, bytes: &[u8]) -> Result<UserDict> {
        let mut entries = Vec::new();
        for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let raw = raw.trim_ascii();
            let line = std::str::from_utf8(raw)
                .map_err(|e| Error::bad(format!("{name}:{}: invalid UTF-8 at byte {}", i + 1, e.valid_up_to() + 1)))?;
            let line = line.trim_start_matches('\u{feff}');
            if line.is_empty() {
                continue;
            }
            let (word, freq) = parse_line(line);
            let freq = match freq {
                Some(digits) => Some(digits.parse::<u64>().map_err(|_| {
                    Error::bad(format!("{name}:{}: the frequency {digits} is too large (at most {})", i + 1, u64::MAX))
                })?),
                None => None,
            };
            entries.push((word.to_owned(), freq));
        }
        Ok(UserDict { entries })
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `text` and then every word, a line each: what a dictionary built only for the text
    /// must also know to add these words.
    pub(crate) fn words_after(&self, text: &str) -> String {
        let mut all = text.to_owned();
        for (word, _) in &self.entries {
            all.push('\n');
            all.push_str(word);
        }
        all
    }
}

/// `^(.+?)( [0-9]+)?( [a-z]+)?$` on a line that is not empty: the word and the frequency's
/// digits. The lazy word takes the shortest start whose rest matches, so the rest is the
/// longest tail of the two optional parts, each of which must be a whole run.
fn parse_line(line: &str) -> (&str, Option<&str>) {
    let b = line.as_bytes();
    // A run of `class` bytes that ends at `end`, after a space, with a word before it.
    let tail = |end: usize, class: fn(&u8) -> bool| {
        let run = b[..end].iter().rev().take_while(|c| class(c)).count();
        (run > 0 && end - run >= 2 && b[end - run - 1] == b' ').then_some(end - run)
    };
    let mut end = b.len();
    if let Some(tag) = tail(end, u8::is_ascii_lowercase) {
        end = tag - 1;
    }
    match tail(end, u8::is_ascii_digit) {
        Some(freq) => (&line[..freq - 1], Some(&line[freq..end])),
        None => (&line[..end], None),
    }
}

/// A user dictionary's words over a segmenter's dictionary.
pub(crate) struct Added {
    pub trie: TrieBuilder,
    pub force_split: HashSet<String>,
    /// The sum of the added frequencies.
    pub total: u128,
}

impl Added {
    /// Adds the words of `user`, in order, to what `seg` knows.
    pub fn new(seg: &Segmenter, user: &UserDict) -> Added {
        let mut added = Added { trie: TrieBuilder::default(), force_split: HashSet::new(), total: 0 };
        let mut scratch = Scratch::default();
        for (word, freq) in &user.entries {
            let freq = freq.unwrap_or_else(|| added.suggest_freq(seg, word, &mut scratch));
            added.trie.insert(word, |_| (freq as f64).ln());
            added.total += u128::from(freq);
            if freq == 0 {
                added.force_split.insert(word.clone());
            }
        }
        added
    }

    /// jieba's `suggest_freq(word, tune=False)` with the words added so far.
    fn suggest_freq(&self, seg: &Segmenter, word: &str, scratch: &mut Scratch) -> u64 {
        let words = Overlaid { base: seg.base(), added: self.trie.as_ref() };
        let ftotal = (u128::from(seg.base_total) + self.total) as f64;
        let cutter = Cutter { words: &words, log_total: ftotal.ln(), hmm: &seg.hmm, force_split: None };
        let freq_of = |s: &str| {
            let chars: Vec<char> = s.chars().collect();
            match words.value(&chars) {
                None => 1,
                Some(v) if v.is_nan() || v == f64::NEG_INFINITY => 0,
                // Values are ln(freq) of integers, which exp and rounding give back.
                Some(v) => v.exp().round() as u64,
            }
        };
        let mut freq = 1.0f64;
        cutter.cut(word, scratch, false, &mut |a, b, _| freq *= freq_of(&word[a..b]) as f64 / ftotal);
        ((freq * ftotal) as u64 + 1).max(freq_of(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_as_jiebas_pattern() {
        assert_eq!(parse_line("云计算 5 n"), ("云计算", Some("5")));
        assert_eq!(parse_line("台中"), ("台中", None));
        assert_eq!(parse_line("创新办 i"), ("创新办", None));
        assert_eq!(parse_line("Hello World 10"), ("Hello World", Some("10")));
        assert_eq!(parse_line("foo bar"), ("foo", None));
        assert_eq!(parse_line("a 1 2"), ("a 1", Some("2")));
        assert_eq!(parse_line("12 ab"), ("12", None));
        assert_eq!(parse_line("12"), ("12", None));
        assert_eq!(parse_line("x 3 Nz"), ("x 3 Nz", None));
        assert_eq!(parse_line("a  5"), ("a ", Some("5")));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err = UserDict::parse("u.txt", b"ok 1\n\nbad \xff\n").unwrap_err().to_string();
        assert!(err.contains("u.txt:3"), "{err}");
        let err = UserDict::parse("u.txt", b"big 99999999999999999999999\n").unwrap_err().to_string();
        assert!(err.contains("u.txt:1") && err.contains("too large"), "{err}");
        // ASCII whitespace is stripped before the BOM, so spaces after a BOM stay in the word.
        let dict =
            UserDict::parse("u.txt", b" \xef\xbb\xbf \xe5\x8f\xb0\xe4\xb8\xad 3 ns \r\n\n\t\n\xe5\x8f\xb0").unwrap();
        assert_eq!(dict.entries, [(" 台中".to_owned(), Some(3)), ("台".to_owned(), None)]);
    }
}
