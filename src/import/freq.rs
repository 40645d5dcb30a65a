//! Frequencies: `word count [tag]` files (jieba's dict.txt and the like), counts from
//! segmenting a corpus, and the Zipf estimate used when neither is given.

use std::collections::HashMap;
use std::path::Path;

use indicatif::ProgressBar;

use super::input;
use crate::error::{plural, Error, Result};
use crate::normalize::{NormalizeBuf, Normalizer};
use crate::pipeline::{lines, ordered, Chunk};
use crate::segment::Segmenter;

/// The constant of the Zipf estimate `count = round(ZIPF_C / (rank + 1))` used when no
/// counts are given. Only ratios matter (p(w) = count / total); 10⁹ keeps the rounding
/// error below 1% for the first 10⁷ rows.
pub const ZIPF_C: f64 = 1e9;

/// The estimated count of the row at `rank` (0-based) of a frequency-sorted file.
pub fn zipf(rank: u64) -> u64 {
    ((ZIPF_C / (rank as f64 + 1.0)).round() as u64).max(1)
}

/// Word and character counts.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    pub words: HashMap<String, u64>,
    /// Occurrences of each character (grapheme) in running text.
    pub chars: HashMap<String, u64>,
    /// Lines skipped as bad (with `skip_bad`).
    pub skipped: u64,
}

impl Counts {
    pub fn word(&self, w: &str) -> u64 {
        self.words.get(w).copied().unwrap_or(0)
    }

    pub fn char(&self, c: &str) -> u64 {
        self.chars.get(c).copied().unwrap_or(0)
    }

    fn add_word(&mut self, w: &str, n: u64) {
        add(&mut self.words, w, n);
        // A word that occurs n times contributes n occurrences of each of its characters.
        for g in super::vectors::graphemes(w) {
            add(&mut self.chars, g, n);
        }
    }

    fn merge(&mut self, other: Counts) {
        for (k, n) in other.words {
            *self.words.entry(k).or_insert(0) += n;
        }
        for (k, n) in other.chars {
            *self.chars.entry(k).or_insert(0) += n;
        }
        self.skipped += other.skipped;
    }
}

fn add(map: &mut HashMap<String, u64>, key: &str, n: u64) {
    match map.get_mut(key) {
        Some(c) => *c = c.saturating_add(n),
        None => {
            map.insert(key.to_string(), n);
        }
    }
}

/// Adds the lines of a frequency file: `word count`, optionally followed by one more field
/// (jieba's part-of-speech tag). Repeated words add up.
pub fn read_freq(path: &Path, skip_bad: bool, bar: &ProgressBar, counts: &mut Counts) -> Result<()> {
    let shown = path.display().to_string();
    let mut inp = input::open(path, bar)?;
    let mut line_no = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n =
            std::io::BufRead::read_until(&mut inp.reader, b'\n', &mut line).map_err(|e| input::read_error(path, e))?;
        if n == 0 {
            return Ok(());
        }
        line_no += 1;
        match parse_freq_line(&line) {
            Ok(Some((w, n))) => counts.add_word(w, n),
            Ok(None) => {}
            Err(_) if skip_bad => counts.skipped += 1,
            Err(msg) => return Err(Error::at_line(&shown, line_no, msg)),
        }
    }
}

fn parse_freq_line(line: &[u8]) -> Result<Option<(&str, u64)>, String> {
    let line = std::str::from_utf8(line).map_err(|_| "invalid UTF-8".to_string())?;
    let fields: Vec<&str> = line.split_ascii_whitespace().take(4).collect();
    match fields[..] {
        [] => Ok(None),
        [w, n] | [w, n, _] => match n.parse::<u64>() {
            Ok(n) => Ok(Some((w, n))),
            Err(_) => Err(format!("{n:?} is not a count (a whole number)")),
        },
        _ => Err(format!("expected `word count` or `word count tag`, found {}", plural(fields.len() as u64, "field"))),
    }
}

/// Segments a corpus with jieba's standard dictionary and counts its words and characters.
/// Invalid UTF-8 is refused with its line, as `embed` refuses it: counts from guessed text
/// would go into the table unnoticed.
/// Counts the tokens of `path`, each line normalized by `norm` first.
pub fn count_corpus(
    path: &Path,
    threads: usize,
    norm: Normalizer,
    bar: &ProgressBar,
    counts: &mut Counts,
) -> Result<()> {
    let seg = Segmenter::standard();
    let mut inp = input::open(path, bar)?;
    let shown = path.display().to_string();
    let work = |chunk: Chunk<'_>| -> Result<Counts> {
        let mut local = Counts::default();
        let (mut spare, mut buf) = (Vec::new(), NormalizeBuf::default());
        for (k, raw) in lines(chunk.bytes).enumerate() {
            let line_no = chunk.first_line + k as u64;
            let line = std::str::from_utf8(raw).map_err(|e| {
                Error::at_line(
                    &shown,
                    line_no,
                    format_args!(
                        "invalid UTF-8 at byte {} of the line; a corpus must be UTF-8 \
                         (`iconv -c -f UTF-8 -t UTF-8` drops bad bytes)",
                        e.valid_up_to() + 1
                    ),
                )
            })?;
            let mut tokens = recycle(std::mem::take(&mut spare));
            seg.cut(norm.normalize(line, &mut buf), &mut tokens);
            for t in &tokens {
                add(&mut local.words, t, 1);
                for g in super::vectors::graphemes(t) {
                    add(&mut local.chars, g, 1);
                }
            }
            spare = recycle(tokens);
        }
        Ok(local)
    };
    ordered(&mut inp.reader, path, threads, input::CHUNK, work, |local| {
        counts.merge(local?);
        Ok(())
    })
}

/// An emptied token list whose space is kept for tokens of another line (the collect
/// reuses the allocation).
fn recycle<'b>(mut v: Vec<&str>) -> Vec<&'b str> {
    v.clear();
    v.into_iter().map(|_| "").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_decreases_from_c() {
        assert_eq!(zipf(0), 1_000_000_000);
        assert_eq!(zipf(1), 500_000_000);
        assert_eq!(zipf(2), 333_333_333);
        assert_eq!(zipf(u64::MAX), 1);
    }

    #[test]
    fn freq_lines() {
        assert_eq!(parse_freq_line("的 318825 uj\n".as_bytes()), Ok(Some(("的", 318825))));
        assert_eq!(parse_freq_line(b"ab 3\r\n"), Ok(Some(("ab", 3))));
        assert_eq!(parse_freq_line(b"  \n"), Ok(None));
        assert!(parse_freq_line(b"ab x\n").unwrap_err().contains("not a count"));
        assert!(parse_freq_line(b"ab\n").unwrap_err().ends_with("found 1 field"));
        assert!(parse_freq_line(b"a 1 n x\n").unwrap_err().contains("4 fields"));
    }

    #[test]
    fn words_add_their_characters() {
        let mut c = Counts::default();
        c.add_word("中国", 3);
        c.add_word("国", 2);
        c.add_word("中国", 1);
        assert_eq!((c.word("中国"), c.word("国"), c.char("中"), c.char("国")), (4, 2, 4, 6));
    }
}
