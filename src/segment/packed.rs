//! The packed word list of a segmentation dictionary: words with their frequencies, every
//! proper prefix of a word, and an open-addressing index by name, in one little-endian byte
//! blob that is read in place.
//!
//! `build.rs` packs jieba's standard dictionary at compile time (this file is shared with it),
//! so the binary carries a ready index: a short input can fetch just the dictionary words it
//! contains instead of loading all 349k. The prefixes let that search stop extending a
//! substring as soon as no word starts with it.
//!
//! Layout (u32 little-endian unless noted):
//!
//! | bytes          | field                                                             |
//! |----------------|-------------------------------------------------------------------|
//! | 0..8           | magic `ZHSEGDC3`                                                  |
//! | 8..12          | w, the number of words; entries `0..w` are words                  |
//! | 12..16         | e, the number of entries; entries `w..e` are prefixes only        |
//! | 16..20         | s, the number of index slots (a power of two, > e)                |
//! | 20..24         | b, the bits of a slot that hold the entry id + 1                  |
//! | 24..28         | the longest word in bytes                                         |
//! | 28..32         | zero                                                              |
//! | 32..40         | the sum of all word frequencies (u64)                             |
//! | then 4·w       | word frequencies                                                  |
//! | then 4·(e+1)   | byte offsets of the names, from 0 to the names' length            |
//! | then 4·s       | slots: 0 for empty, else entry id + 1 in the low b bits and the   |
//! |                | top 32 − b bits of the name's hash above them (`crate::hash`)     |
//! | then           | the names, UTF-8, back to back                                    |

use std::collections::HashSet;

use crate::hash::{name_hash, probe, slot_capacity};

pub const MAGIC: &[u8; 8] = b"ZHSEGDC3";
const HEADER_LEN: usize = 40;

/// The tag a slot keeps of a hash: the top `32 - id_bits` bits of its high half.
fn tag(h: u64, id_bits: u32) -> u32 {
    crate::hash::tag(h) >> id_bits << id_bits
}

/// Packs `(word, frequency)` entries; `None` if a word repeats, is empty, or the sizes
/// overflow u32.
// Called by build.rs and the tests.
#[allow(dead_code)]
pub fn pack(words: &[(&str, u32)]) -> Option<Vec<u8>> {
    let mut names: Vec<&str> = words.iter().map(|&(w, _)| w).collect();
    let mut seen: HashSet<&str> = names.iter().copied().collect();
    if seen.len() != names.len() || seen.contains("") {
        return None;
    }
    for &(word, _) in words {
        for (end, _) in word.char_indices().skip(1) {
            if seen.insert(&word[..end]) {
                names.push(&word[..end]);
            }
        }
    }
    let slots_len = usize::try_from(slot_capacity(names.len() as u64)).ok()?;
    let id_bits = (usize::BITS - names.len().leading_zeros()).max(1);
    if id_bits >= 32 {
        return None;
    }
    let mut slots = vec![0u32; slots_len];
    let mut blob = Vec::new();
    let mut offsets = vec![0u32];
    for (id, name) in names.iter().enumerate() {
        let h = name_hash(name.as_bytes());
        let free = probe(h, slots_len).find(|&i| slots[i] == 0)?;
        slots[free] = (id as u32 + 1) | tag(h, id_bits);
        blob.extend_from_slice(name.as_bytes());
        offsets.push(u32::try_from(blob.len()).ok()?);
    }
    let longest = words.iter().map(|(w, _)| w.len()).max().unwrap_or(0);
    let total: u64 = words.iter().map(|&(_, f)| u64::from(f)).sum();
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    let counts = [words.len(), names.len(), slots_len, id_bits as usize, longest, 0];
    for x in counts {
        out.extend_from_slice(&u32::try_from(x).ok()?.to_le_bytes());
    }
    out.extend_from_slice(&total.to_le_bytes());
    for x in words.iter().map(|&(_, f)| f).chain(offsets).chain(slots) {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.extend_from_slice(&blob);
    Some(out)
}

/// What a dictionary (the packed list, or a vocab used as one) says of a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A word, with its frequency.
    Word(usize),
    /// Not a word, but some word starts with it.
    Prefix,
    /// Neither: no word starts with it.
    Absent,
}

/// A packed word list, read in place.
#[derive(Clone, Copy)]
pub struct Packed<'a> {
    bytes: &'a [u8],
    words: usize,
    id_bits: u32,
    longest: usize,
    total: u64,
    /// Where the slots start and where the names start.
    slots_at: usize,
    names_at: usize,
}

impl<'a> Packed<'a> {
    /// Checks the magic, the counts, and that every part lies inside `bytes`.
    pub fn new(bytes: &'a [u8]) -> Option<Packed<'a>> {
        if bytes.get(..8)? != MAGIC {
            return None;
        }
        let field = |i: usize| u32_at(bytes, 8 + 4 * i).map(|x| x as usize);
        let (words, entries, slots_len, id_bits, longest) = (field(0)?, field(1)?, field(2)?, field(3)?, field(4)?);
        let total = u64::from_le_bytes(bytes.get(32..40)?.try_into().ok()?);
        let slots_at = HEADER_LEN.checked_add(words.checked_add(entries)?.checked_add(1)?.checked_mul(4)?)?;
        let names_at = slots_at.checked_add(slots_len.checked_mul(4)?)?;
        let id_bits = u32::try_from(id_bits).ok().filter(|&b| (1..32).contains(&b))?;
        let p = Packed { bytes, words, id_bits, longest, total, slots_at, names_at };
        let fits = words <= entries && entries < (1 << id_bits) && slots_len.is_power_of_two() && slots_len > entries;
        (fits && names_at.checked_add(p.offset(entries)?)? == bytes.len()).then_some(p)
    }

    /// The number of words (prefixes not counted).
    pub fn len(&self) -> usize {
        self.words
    }

    /// The sum of all word frequencies.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The longest word, in bytes.
    pub fn longest(&self) -> usize {
        self.longest
    }

    fn offset(&self, i: usize) -> Option<usize> {
        u32_at(self.bytes, HEADER_LEN + 4 * (self.words + i)).map(|x| x as usize)
    }

    fn name(&self, id: usize) -> Option<&'a [u8]> {
        let names = self.bytes.get(self.names_at..)?;
        names.get(self.offset(id)?..self.offset(id + 1)?)
    }

    fn freq(&self, id: usize) -> Option<u32> {
        u32_at(self.bytes, HEADER_LEN + 4 * id)
    }

    /// Word `id` (below [`Packed::len`]) and its frequency; `None` past the end or for a
    /// name that is not UTF-8.
    pub fn entry(&self, id: usize) -> Option<(&'a str, u32)> {
        if id >= self.words {
            return None;
        }
        Some((std::str::from_utf8(self.name(id)?).ok()?, self.freq(id)?))
    }

    pub fn get(&self, s: &str) -> Lookup {
        let slots = (self.names_at - self.slots_at) / 4;
        let h = name_hash(s.as_bytes());
        let (tag, id_mask) = (tag(h, self.id_bits), (1u32 << self.id_bits) - 1);
        for i in probe(h, slots) {
            let Some(slot) = u32_at(self.bytes, self.slots_at + 4 * i) else { break };
            if slot == 0 {
                break;
            }
            let id = ((slot & id_mask) as usize).wrapping_sub(1);
            if slot & !id_mask == tag && self.name(id) == Some(s.as_bytes()) {
                return match self.freq(id) {
                    Some(f) if id < self.words => Lookup::Word(f as usize),
                    _ => Lookup::Prefix,
                };
            }
        }
        Lookup::Absent
    }
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        pack(&[("北京", 30), ("北京大学", 7), ("学", 5), ("ab", 0)]).unwrap()
    }

    #[test]
    fn words_prefixes_and_absent_strings() {
        let bytes = sample();
        let p = Packed::new(&bytes).unwrap();
        assert_eq!((p.len(), p.total(), p.longest()), (4, 42, 12));
        assert_eq!(p.get("北京"), Lookup::Word(30));
        assert_eq!(p.get("北京大学"), Lookup::Word(7));
        assert_eq!(p.get("ab"), Lookup::Word(0));
        assert_eq!(p.get("北"), Lookup::Prefix);
        assert_eq!(p.get("北京大"), Lookup::Prefix);
        assert_eq!(p.get("a"), Lookup::Prefix);
        for absent in ["京", "大学", "北京大学生", "", "b"] {
            assert_eq!(p.get(absent), Lookup::Absent, "{absent}");
        }
        assert_eq!(p.entry(1), Some(("北京大学", 7)));
        assert_eq!(p.entry(4), None, "prefixes are not entries");
    }

    #[test]
    fn repeated_or_empty_words_are_refused() {
        assert!(pack(&[("北京", 1), ("北京", 2)]).is_none());
        assert!(pack(&[("", 1)]).is_none());
    }

    #[test]
    fn damaged_blobs_are_refused_or_answer_within_bounds() {
        let bytes = sample();
        for len in 0..bytes.len() {
            assert!(Packed::new(&bytes[..len]).is_none(), "truncated to {len}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Packed::new(&longer).is_none());
        // Any single flipped byte: refused, or every answer comes from inside the blob.
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0xa5;
            if let Some(p) = Packed::new(&bad) {
                for s in ["北京", "北", "京", "ab", "北京大学"] {
                    let _ = p.get(s);
                }
                (0..p.len()).for_each(|id| {
                    let _ = p.entry(id);
                });
            }
        }
    }
}
