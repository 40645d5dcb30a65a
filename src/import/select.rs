//! Choosing and ordering the rows: deduplication, counts, `min_count`, and the
//! `max_words` limit applied while streaming so memory follows the output, not the input.
//! Vectors go to a [`Spool`] as they are read; only names, counts and positions stay in memory.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use super::freq::{zipf, Counts};
use super::spool::Spool;
use crate::error::Result;

/// FNV-1a with a final mix, for the maps of names. The rows are ranked on one thread, where
/// the standard hasher took a fifth of the time; the names come from the user's own files.
#[derive(Clone, Copy, Debug)]
pub struct NameHasher(u64);

impl Default for NameHasher {
    fn default() -> NameHasher {
        NameHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for NameHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    #[inline]
    fn finish(&self) -> u64 {
        // MurmurHash3's fmix64: the map uses both the low bits and the top seven.
        let mut h = self.0;
        h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        h = (h ^ (h >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

pub type NameHash = BuildHasherDefault<NameHasher>;
/// A map keyed by names, with [`NameHasher`].
pub type NameMap<K, V> = HashMap<K, V, NameHash>;

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
    /// Where the row's vector is in the spool.
    at: u64,
}

impl Slot {
    fn key(&self) -> Key {
        (std::cmp::Reverse(self.count), self.order)
    }
}

/// Candidate rows of one table; their vectors are in the selector's spool.
#[derive(Debug, Default)]
struct Pool {
    index: NameMap<Box<str>, Slot>,
    /// After a compaction, the key of the last row kept: anything ranking below it can
    /// never make it into the table.
    cutoff: Option<Key>,
}

impl Pool {
    /// Keeps the best `keep` rows, giving the spool rows of the others back. Amortized O(1)
    /// per row when run each time the pool doubles past `keep`.
    fn compact(&mut self, keep: usize, spool: &mut Spool) -> Result<()> {
        if self.index.len() <= keep {
            return Ok(());
        }
        spool.flush()?;
        let mut keys: Vec<Key> = self.index.values().map(Slot::key).collect();
        let cutoff = keep.checked_sub(1).map(|last| *keys.select_nth_unstable(last).1);
        self.index.retain(|_, s| {
            let kept = cutoff.is_some_and(|c| s.key() <= c);
            if !kept {
                spool.release(s.at);
            }
            kept
        });
        self.cutoff = cutoff;
        Ok(())
    }

    /// The rows sorted by key, with `keep` applied, and the input order of each.
    fn into_table(self, dim: usize, keep: Option<usize>, min_count: u64) -> (Table, Vec<u64>) {
        let mut rows: Vec<(Box<str>, Slot)> = self.index.into_iter().filter(|(_, s)| s.count >= min_count).collect();
        rows.sort_unstable_by_key(|(_, s)| s.key());
        rows.truncate(keep.unwrap_or(usize::MAX));
        let mut t = Table { dim, ..Table::default() };
        t.names.reserve_exact(rows.len());
        t.counts.reserve_exact(rows.len());
        t.at.reserve_exact(rows.len());
        let mut orders = Vec::with_capacity(rows.len());
        for (name, s) in rows {
            t.names.push(name.into());
            t.counts.push(s.count);
            t.at.push(s.at);
            orders.push(s.order);
        }
        (t, orders)
    }
}

/// A selected table: rows in table order, their vectors in the spool.
#[derive(Debug, Default)]
pub struct Table {
    pub dim: usize,
    pub names: Vec<String>,
    pub counts: Vec<u64>,
    /// Where each row's vector is in the spool.
    pub at: Vec<u64>,
}

impl Table {
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Collects rows from every input, in input order.
pub struct Selector<'a> {
    dim: usize,
    source: CountSource,
    counts: &'a Counts,
    max_words: Option<usize>,
    words: Pool,
    chars: Pool,
    spool: Spool,
    /// Input order of the next row, over all inputs.
    order: u64,
    /// Zipf mode: for each character, the estimated counts of the words containing it, once
    /// per occurrence. The Zipf counts then play the part of a frequency list, and character
    /// counts estimate occurrences in running text, as with `freq`.
    chars_in_words: NameMap<Box<str>, u64>,
    /// Rows read, duplicates skipped.
    pub rows: u64,
    pub duplicates: u64,
}

/// The selected tables. Character rows have their vectors of their own; derived ones are
/// added by [`super::chars`].
pub struct Selected {
    pub words: Table,
    pub chars: Table,
    /// The vectors of both tables' rows.
    pub spool: Spool,
    /// The input order of each character row, for ranking the derived ones after them.
    pub char_orders: Vec<u64>,
    /// Every character that had a vector in the input, kept or not.
    pub own_chars: HashSet<Box<str>, NameHash>,
    /// Zipf mode: estimated occurrences of each character inside the words read.
    pub chars_in_words: NameMap<Box<str>, u64>,
}

impl<'a> Selector<'a> {
    pub fn new(
        dim: usize,
        source: CountSource,
        counts: &'a Counts,
        max_words: Option<usize>,
        spool: Spool,
    ) -> Selector<'a> {
        Selector {
            dim,
            source,
            counts,
            max_words,
            words: Pool::default(),
            chars: Pool::default(),
            spool,
            order: 0,
            chars_in_words: NameMap::default(),
            rows: 0,
            duplicates: 0,
        }
    }

    /// Adds one row. `rank` is its position among the rows of its input stream, for the
    /// Zipf estimate; `chars_only` ignores rows that are not a single character.
    pub fn add(&mut self, name: &str, single: bool, vector: &[f32], rank: u64, chars_only: bool) -> Result<()> {
        self.rows += 1;
        let order = self.order;
        self.order += 1;
        if chars_only && !single {
            return Ok(());
        }
        let pool = if single { &mut self.chars } else { &mut self.words };
        if pool.index.contains_key(name) {
            self.duplicates += 1;
            return Ok(());
        }
        let count = match self.source {
            CountSource::Zipf if !single => {
                let c = zipf(rank);
                for g in super::vectors::graphemes(name) {
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
                    return Ok(());
                }
                c
            }
        };
        // Characters are few (bounded by the script), so all are kept until the end, where
        // they are ranked together with the derived ones.
        if !single && (self.max_words == Some(0) || pool.cutoff.is_some_and(|c| (std::cmp::Reverse(count), order) > c))
        {
            return Ok(());
        }
        let at = self.spool.put(vector)?;
        pool.index.insert(name.into(), Slot { count, order, at });
        if let (Some(keep), false) = (self.max_words, single) {
            if pool.index.len() >= keep.saturating_mul(2).max(1024) {
                pool.compact(keep, &mut self.spool)?;
            }
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<Selected> {
        self.spool.flush()?;
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
        Ok(Selected { words, chars, spool: self.spool, char_orders, own_chars, chars_in_words: self.chars_in_words })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(t: &Table) -> Vec<&str> {
        t.names.iter().map(String::as_str).collect()
    }

    fn spool(dim: usize) -> Spool {
        Spool::new(&std::env::temp_dir(), dim).unwrap()
    }

    fn vectors(sel: &Selected, t: &Table) -> Vec<f32> {
        let mut v = Vec::new();
        sel.spool.read(&t.at, &mut v).unwrap();
        v
    }

    #[test]
    fn max_words_keeps_the_most_frequent_while_streaming() {
        let mut counts = Counts::default();
        for i in 0..5000u64 {
            counts.words.insert(format!("w{i}"), (i * 7919) % 1000);
        }
        let src = CountSource::Counted { min_count: 1 };
        let mut s = Selector::new(1, src, &counts, Some(10), spool(1));
        for i in 0..5000u64 {
            s.add(&format!("w{i}"), false, &[i as f32], i, false).unwrap();
        }
        assert!(s.words.index.len() < 2100, "compaction bounds the pool");
        assert!(s.spool.rows() < 2100, "the spool reuses the rows of dropped candidates");
        let sel = s.finish().unwrap();
        let mut want: Vec<(u64, u64)> = (0..5000u64).map(|i| ((i * 7919) % 1000, i)).filter(|x| x.0 >= 1).collect();
        want.sort_by_key(|&(c, i)| (std::cmp::Reverse(c), i));
        let want: Vec<String> = want[..10].iter().map(|(_, i)| format!("w{i}")).collect();
        assert_eq!(sel.words.names, want);
        let v = vectors(&sel, &sel.words);
        for (i, n) in sel.words.names.iter().enumerate() {
            assert_eq!(format!("w{}", v[i]), *n, "vectors follow their rows");
        }
    }

    #[test]
    fn zipf_keeps_file_order_and_first_duplicate() {
        let counts = Counts::default();
        let mut s = Selector::new(1, CountSource::Zipf, &counts, Some(2), spool(1));
        for (i, w) in ["ab", "中", "cd", "ab", "ef"].iter().enumerate() {
            s.add(w, *w == "中", &[i as f32], i as u64, false).unwrap();
        }
        assert_eq!(s.duplicates, 1);
        let sel = s.finish().unwrap();
        assert_eq!(names(&sel.words), ["ab", "cd"]);
        assert_eq!(vectors(&sel, &sel.words), [0.0, 2.0]);
        assert_eq!(sel.words.counts, [1_000_000_000, 333_333_333]);
        assert_eq!(names(&sel.chars), ["中"]);
    }
}
