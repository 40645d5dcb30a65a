//! Choosing and ordering the rows: deduplication, counts, `min_count`, and the
//! `max_words` limit applied while streaming so memory follows the output, not the input.

use std::collections::HashMap;

use unicode_segmentation::UnicodeSegmentation;

use super::freq::{zipf, Counts};
use crate::vocab::TableData;

/// Where counts come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountSource {
    /// `corpus` and/or `freq` counts: rows below `min_count` are dropped.
    Counted { min_count: u64 },
    /// The Zipf estimate from each row's position in its input.
    Zipf,
}

/// The sort key of a row: higher count first, then earlier input first. Unique per row.
type Key = (std::cmp::Reverse<u64>, u64);

#[derive(Clone, Copy, Debug)]
struct Slot {
    count: u64,
    order: u64,
    /// Row index into `Pool::vectors`.
    at: usize,
}

impl Slot {
    fn key(&self) -> Key {
        (std::cmp::Reverse(self.count), self.order)
    }
}

/// Candidate rows of one table.
#[derive(Debug, Default)]
struct Pool {
    index: HashMap<Box<str>, Slot>,
    vectors: Vec<f32>,
    /// After a compaction, the key of the last row kept: anything ranking below it can
    /// never make it into the table.
    cutoff: Option<Key>,
}

impl Pool {
    fn rows(&self, dim: usize) -> usize {
        self.vectors.len() / dim.max(1)
    }

    fn insert(&mut self, name: &str, vector: &[f32], count: u64, order: u64, dim: usize) {
        let at = self.rows(dim);
        self.vectors.extend_from_slice(vector);
        self.index.insert(name.into(), Slot { count, order, at });
    }

    /// Keeps the best `keep` rows. Amortized O(1) per row when run each time the pool
    /// doubles past `keep`.
    fn compact(&mut self, keep: usize, dim: usize) {
        if self.index.len() <= keep {
            return;
        }
        let mut keys: Vec<Key> = self.index.values().map(Slot::key).collect();
        if keep == 0 {
            self.index.clear();
            self.vectors.clear();
            return;
        }
        let (_, &mut cutoff, _) = keys.select_nth_unstable(keep - 1);
        self.index.retain(|_, s| s.key() <= cutoff);
        let mut vectors = Vec::with_capacity(keep * dim);
        for (new_at, slot) in self.index.values_mut().enumerate() {
            vectors.extend_from_slice(&self.vectors[slot.at * dim..(slot.at + 1) * dim]);
            slot.at = new_at;
        }
        self.vectors = vectors;
        self.cutoff = Some(cutoff);
    }

    /// The rows sorted by key, with `keep` applied. The vectors are reordered in place, so
    /// the table never exists twice in memory.
    fn into_table(self, dim: usize, keep: Option<usize>, min_count: u64) -> (TableData, Vec<u64>) {
        let mut rows: Vec<(Box<str>, Slot)> = self.index.into_iter().filter(|(_, s)| s.count >= min_count).collect();
        rows.sort_unstable_by_key(|(_, s)| s.key());
        rows.truncate(keep.unwrap_or(usize::MAX));
        let mut vectors = self.vectors;
        let sources: Vec<usize> = rows.iter().map(|(_, s)| s.at).collect();
        gather_rows(&mut vectors, dim, &sources);
        let mut t = TableData::new(dim);
        t.vectors = vectors;
        t.names.reserve_exact(rows.len());
        t.counts.reserve_exact(rows.len());
        let mut orders = Vec::with_capacity(rows.len());
        for (name, s) in rows {
            t.names.push(name.into());
            t.counts.push(s.count);
            orders.push(s.order);
        }
        (t, orders)
    }
}

/// Rearranges the rows of `v` so that row `r` becomes the old row `sources[r]`, and drops
/// the rest. `sources` must not repeat. Swaps rows in place, tracking where each moved.
fn gather_rows(v: &mut Vec<f32>, dim: usize, sources: &[usize]) {
    let n = v.len().checked_div(dim).unwrap_or(0);
    let mut loc: Vec<usize> = (0..n).collect(); // original row -> current position
    let mut orig: Vec<usize> = (0..n).collect(); // current position -> original row
    for (r, &src) in sources.iter().enumerate() {
        // Positions before r hold their final rows, none of them `src`, so s >= r.
        let s = loc[src];
        if s != r {
            let (head, tail) = v.split_at_mut(s * dim);
            head[r * dim..(r + 1) * dim].swap_with_slice(&mut tail[..dim]);
            let displaced = orig[r];
            orig[s] = displaced;
            loc[displaced] = s;
            orig[r] = src;
            loc[src] = r;
        }
    }
    v.truncate(sources.len() * dim);
}

/// Collects rows from every input, in input order.
#[derive(Debug)]
pub struct Selector<'a> {
    dim: usize,
    source: CountSource,
    counts: &'a Counts,
    max_words: Option<usize>,
    words: Pool,
    chars: Pool,
    /// Input order of the next row, over all inputs.
    order: u64,
    /// Zipf mode: for each character, the estimated counts of the words containing it, once
    /// per occurrence. The Zipf counts then play the part of a frequency list, and character
    /// counts estimate occurrences in running text, as with `freq`.
    chars_in_words: HashMap<Box<str>, u64>,
    /// Rows read, duplicates skipped.
    pub rows: u64,
    pub duplicates: u64,
}

/// The selected tables. Character rows have their vectors of their own; derived ones are
/// added by [`super::chars`].
#[derive(Debug)]
pub struct Selected {
    pub words: TableData,
    pub chars: TableData,
    /// The input order of each character row, for ranking the derived ones after them.
    pub char_orders: Vec<u64>,
    /// Every character that had a vector in the input, kept or not.
    pub own_chars: std::collections::HashSet<Box<str>>,
    /// Zipf mode: estimated occurrences of each character inside the words read.
    pub chars_in_words: HashMap<Box<str>, u64>,
}

impl<'a> Selector<'a> {
    pub fn new(dim: usize, source: CountSource, counts: &'a Counts, max_words: Option<usize>) -> Selector<'a> {
        Selector {
            dim,
            source,
            counts,
            max_words,
            words: Pool::default(),
            chars: Pool::default(),
            order: 0,
            chars_in_words: HashMap::new(),
            rows: 0,
            duplicates: 0,
        }
    }

    /// Adds one row. `rank` is its position among the rows of its input stream, for the
    /// Zipf estimate; `chars_only` ignores rows that are not a single character.
    pub fn add(&mut self, name: &str, single: bool, vector: &[f32], rank: u64, chars_only: bool) {
        self.rows += 1;
        let order = self.order;
        self.order += 1;
        if chars_only && !single {
            return;
        }
        let pool = if single { &mut self.chars } else { &mut self.words };
        if pool.index.contains_key(name) {
            self.duplicates += 1;
            return;
        }
        let count = match self.source {
            CountSource::Zipf if !single => {
                let c = zipf(rank);
                for g in name.graphemes(true) {
                    match self.chars_in_words.get_mut(g) {
                        Some(n) => *n = n.saturating_add(c),
                        None => {
                            self.chars_in_words.insert(g.into(), c);
                        }
                    }
                }
                c
            }
            CountSource::Zipf => zipf(rank),
            CountSource::Counted { .. } if single => self.counts.char(name),
            CountSource::Counted { min_count } => {
                let c = self.counts.word(name);
                if c < min_count {
                    return;
                }
                c
            }
        };
        if single {
            // Characters are few (bounded by the script), so all are kept until the end,
            // where they are ranked together with the derived ones.
            pool.insert(name, vector, count, order, self.dim);
            return;
        }
        if self.max_words == Some(0) || pool.cutoff.is_some_and(|c| (std::cmp::Reverse(count), order) > c) {
            return;
        }
        pool.insert(name, vector, count, order, self.dim);
        if let Some(keep) = self.max_words {
            if pool.index.len() >= keep.saturating_mul(2).max(1024) {
                pool.compact(keep, self.dim);
            }
        }
    }

    pub fn finish(mut self) -> Selected {
        let min_count = match self.source {
            CountSource::Counted { min_count } => min_count,
            CountSource::Zipf => {
                // A character's own row estimates it as a word of its own; add its uses in words.
                for (name, slot) in self.chars.index.iter_mut() {
                    let inside = self.chars_in_words.get(name).copied().unwrap_or(0);
                    slot.count = slot.count.saturating_add(inside);
                }
                0
            }
        };
        let own_chars = self.chars.index.keys().cloned().collect();
        let (words, _) = self.words.into_table(self.dim, self.max_words, min_count);
        let (chars, char_orders) = self.chars.into_table(self.dim, None, min_count);
        Selected { words, chars, char_orders, own_chars, chars_in_words: self.chars_in_words }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gather_rows_permutes_and_drops() {
        let mut v: Vec<f32> = (0..12).map(|x| x as f32).collect(); // 6 rows of 2
        gather_rows(&mut v, 2, &[4, 0, 5, 1]);
        assert_eq!(v, [8.0, 9.0, 0.0, 1.0, 10.0, 11.0, 2.0, 3.0]);
        let mut v: Vec<f32> = (0..5).map(|x| x as f32).collect();
        gather_rows(&mut v, 1, &[4, 3, 2, 1, 0]);
        assert_eq!(v, [4.0, 3.0, 2.0, 1.0, 0.0]);
        gather_rows(&mut v, 1, &[]);
        assert!(v.is_empty());
    }

    fn names(t: &TableData) -> Vec<&str> {
        t.names.iter().map(String::as_str).collect()
    }

    #[test]
    fn max_words_keeps_the_most_frequent_while_streaming() {
        let mut counts = Counts::default();
        for i in 0..5000u64 {
            counts.words.insert(format!("w{i}"), (i * 7919) % 1000);
        }
        let src = CountSource::Counted { min_count: 1 };
        let mut s = Selector::new(1, src, &counts, Some(10));
        for i in 0..5000u64 {
            s.add(&format!("w{i}"), false, &[i as f32], i, false);
        }
        assert!(s.words.index.len() < 2100, "compaction bounds the pool");
        let sel = s.finish();
        let mut want: Vec<(u64, u64)> = (0..5000u64).map(|i| ((i * 7919) % 1000, i)).filter(|x| x.0 >= 1).collect();
        want.sort_by_key(|&(c, i)| (std::cmp::Reverse(c), i));
        let want: Vec<String> = want[..10].iter().map(|(_, i)| format!("w{i}")).collect();
        assert_eq!(sel.words.names, want);
        for (i, n) in sel.words.names.iter().enumerate() {
            assert_eq!(format!("w{}", sel.words.row(i)[0]), *n, "vectors follow their rows");
        }
    }

    #[test]
    fn zipf_keeps_file_order_and_first_duplicate() {
        let counts = Counts::default();
        let mut s = Selector::new(1, CountSource::Zipf, &counts, Some(2));
        for (i, w) in ["ab", "中", "cd", "ab", "ef"].iter().enumerate() {
            s.add(w, *w == "中", &[i as f32], i as u64, false);
        }
        assert_eq!(s.duplicates, 1);
        let sel = s.finish();
        assert_eq!(names(&sel.words), ["ab", "cd"]);
        assert_eq!(sel.words.vectors, [0.0, 2.0]);
        assert_eq!(sel.words.counts, [1_000_000_000, 333_333_333]);
        assert_eq!(names(&sel.chars), ["中"]);
    }
}
