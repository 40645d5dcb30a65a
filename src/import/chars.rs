//! The character table: the characters with vectors of their own, plus characters that
//! appear in table words but have no vector, derived as the mean of those words' vectors.

use super::freq::Counts;
use super::select::{CountSource, NameMap, Selected};
use super::spool::RowAt;
use crate::error::{Error, Result};
use crate::vocab::format::show_value;
use crate::vocab::Dtype;

/// The final character table and how many of its rows were derived.
pub struct CharTable {
    pub names: Vec<String>,
    pub counts: Vec<u64>,
    /// Where each row's vector is: the spool for own rows, `derived` for the others.
    pub at: Vec<RowAt>,
    /// The derived rows' vectors, row-major.
    pub derived_vectors: Vec<f32>,
    pub derived: usize,
}

impl CharTable {
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

struct Acc {
    sum: Vec<f64>,
    words: u64,
}

/// Word rows read from the spool at a time while deriving.
const READ_ROWS: usize = 4096;

/// Derives the missing characters from `sel.words`, ranks them with the characters that
/// have their own vectors, and applies `max_chars`. A derived row with a value `dtype` cannot
/// hold is an error: it would be stored as infinity.
pub fn build(
    sel: &Selected,
    source: CountSource,
    counts: &Counts,
    max_chars: Option<usize>,
    dtype: Dtype,
) -> Result<CharTable> {
    let dim = sel.words.dim;
    let mut slot: NameMap<&str, usize> = NameMap::default();
    let mut accs: Vec<(&str, Acc)> = Vec::new();
    // Per word that contains characters without a vector: the accumulators it adds to.
    let mut uses: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut in_word: Vec<&str> = Vec::new();
    for (i, word) in sel.words.names.iter().enumerate() {
        in_word.clear();
        for g in super::vectors::graphemes(word) {
            // Each containing word counts once, however often the character occurs in it.
            if !in_word.contains(&g) && !sel.own_chars.contains(g) {
                in_word.push(g);
            }
        }
        if in_word.is_empty() {
            continue;
        }
        let ks = in_word
            .iter()
            .map(|&g| {
                *slot.entry(g).or_insert_with(|| {
                    accs.push((g, Acc { sum: vec![0.0; dim], words: 0 }));
                    accs.len() - 1
                })
            })
            .collect();
        uses.push((i, ks));
    }
    // Only the words that contribute are read back, in table order.
    let (mut at, mut rows) = (Vec::with_capacity(READ_ROWS), Vec::new());
    for block in uses.chunks(READ_ROWS) {
        at.clear();
        at.extend(block.iter().map(|(i, _)| sel.words.at[*i]));
        sel.spool.read(&at, &mut rows)?;
        for ((_, ks), row) in block.iter().zip(rows.chunks_exact(dim.max(1))) {
            for &k in ks {
                let acc = &mut accs[k].1;
                for (s, &x) in acc.sum.iter_mut().zip(row) {
                    *s += x as f64;
                }
                acc.words += 1;
            }
        }
    }
    drop(uses);

    let min_count = match source {
        CountSource::Counted { min_count } => min_count,
        CountSource::Zipf => 0,
    };
    // Rank own and derived rows together; derived ones sort after own ones on equal counts,
    // in order of first appearance.
    let first_derived = sel.char_orders.iter().max().map_or(0, |m| m + 1);
    enum From {
        Own(usize),
        Derived(usize),
    }
    let mut rows: Vec<(u64, u64, From)> =
        (0..sel.chars.len()).map(|i| (sel.chars.counts[i], sel.char_orders[i], From::Own(i))).collect();
    for (k, (g, _)) in accs.iter().enumerate() {
        // As for any character: its occurrences in the counted text, or the Zipf estimate
        // of its occurrences inside the words read.
        let count = match source {
            CountSource::Counted { .. } => counts.char(g),
            CountSource::Zipf => sel.chars_in_words.get(*g).copied().unwrap_or(0),
        };
        if count >= min_count {
            rows.push((count, first_derived + k as u64, From::Derived(k)));
        }
    }
    rows.sort_unstable_by_key(|&(count, order, _)| (std::cmp::Reverse(count), order));
    rows.truncate(max_chars.unwrap_or(usize::MAX));

    let mut table =
        CharTable { names: Vec::new(), counts: Vec::new(), at: Vec::new(), derived_vectors: Vec::new(), derived: 0 };
    let mut mean = vec![0f32; dim];
    for (count, _, from) in rows {
        match from {
            From::Own(i) => {
                table.names.push(sel.chars.names[i].clone());
                table.at.push(RowAt::Spool(sel.chars.at[i]));
            }
            From::Derived(k) => {
                let (g, acc) = &accs[k];
                for (m, s) in mean.iter_mut().zip(&acc.sum) {
                    *m = (s / acc.words as f64) as f32;
                }
                if let Some((x, problem)) = mean.iter().find_map(|&x| dtype.value_problem(x).map(|p| (x, p))) {
                    return Err(Error::bad(format!(
                        "character {g:?} has no vector of its own and was derived as the mean of the {} \
                         words containing it; its value {} {problem}",
                        acc.words,
                        show_value(x)
                    )));
                }
                table.names.push(g.to_string());
                table.at.push(RowAt::Memory(table.derived));
                table.derived_vectors.extend_from_slice(&mean);
                table.derived += 1;
            }
        }
        table.counts.push(count);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::import::select::Table;
    use crate::import::spool::Spool;

    fn selected(words: &[(&str, [f32; 2])]) -> Selected {
        let mut spool = Spool::new(&std::env::temp_dir(), 2).unwrap();
        let mut t = Table { dim: 2, ..Table::default() };
        for (w, v) in words {
            t.names.push(w.to_string());
            t.counts.push(1);
            t.at.push(spool.put(v).unwrap());
        }
        spool.flush().unwrap();
        Selected {
            words: t,
            chars: Table { dim: 2, ..Table::default() },
            spool,
            char_orders: Vec::new(),
            own_chars: Default::default(),
            chars_in_words: Default::default(),
        }
    }

    #[test]
    fn derived_rows_the_dtype_cannot_hold_are_refused() {
        // Each word row is finite; the mean of a character's words is computed in f64 and
        // cannot overflow f32, but can still be beyond f16 or the table limit.
        let sel = selected(&[("京城", [6e4, 1.0]), ("北京", [8e4, 1.0]), ("天气", [1.0, 2.0])]);
        let counts = Counts::default();
        let t = build(&sel, CountSource::Zipf, &counts, None, Dtype::F32).unwrap();
        let row = t.names.iter().position(|n| n == "京").unwrap();
        let RowAt::Memory(k) = t.at[row] else { panic!("京 is derived") };
        assert_eq!(t.derived_vectors[k * 2..k * 2 + 2], [7e4, 1.0]);
        let sel = selected(&[("京城", [3e38, 1.0]), ("北京", [3e38, 1.0])]);
        let err = build(&sel, CountSource::Zipf, &counts, None, Dtype::F32).err().unwrap().to_string();
        assert!(err.contains("outside the range a table stores (±1e30)"), "{err}");
        let sel = selected(&[("京城", [6e4, 1.0]), ("北京", [8e4, 1.0])]);
        let err = build(&sel, CountSource::Zipf, &counts, None, Dtype::F16).err().unwrap().to_string();
        assert!(err.contains("derived as the mean of the 2 words containing it"), "{err}");
        assert!(err.contains("outside the range of f16"), "{err}");
        assert!(err.starts_with("character \"京\""), "{err}");
        assert!(err.contains("its value 70000 is outside"), "{err}");
    }
}
