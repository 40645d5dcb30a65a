//! The traditional-to-simplified tables in one little-endian byte blob, read in place.
//!
//! `build.rs` packs OpenCC's dictionaries (`vocab/opencc/`) with this file at compile time and
//! the binary embeds the result, so nothing is parsed at start-up. Self-contained apart from
//! `crate::hash`, which `build.rs` includes too.
//!
//! Layout (u32 little-endian unless noted):
//!
//! | bytes        | field                                                                |
//! |--------------|----------------------------------------------------------------------|
//! | 0..8         | magic `ZHT2SV01`                                                     |
//! | 8..8200      | bitset of the BMP characters that only traditional script uses       |
//! | 8200..8204   | a, then 4·a sorted code points: the same beyond the BMP              |
//! | then         | stage 1, then stage 2, each a map as below                           |
//!
//! A map of keys to replacements, holding every proper prefix of a key as well, so that a
//! longest-match search stops as soon as no key starts with what it has read:
//!
//! | bytes        | field                                                                |
//! |--------------|----------------------------------------------------------------------|
//! | 0..16        | e entries, s slots (a power of two, > e), b id bits, n text bytes    |
//! | 8192         | bitset of the BMP characters that start a key                        |
//! | 4·(2e+1)     | offsets into the text: entry i's key is `o[2i]..o[2i+1]`, its        |
//! |              | replacement `o[2i+1]..o[2i+2]` (empty for a prefix that is no key)   |
//! | 4·s          | slots: 0 for empty, else entry id + 1 in the low b bits and the top  |
//! |              | 32 − b bits of the key's hash above them (`crate::hash`)             |
//! | n            | the text, UTF-8                                                      |

use std::collections::{BTreeMap, BTreeSet};

use crate::hash::{name_hash, probe, slot_capacity};

pub const MAGIC: &[u8; 8] = b"ZHT2SV01";
const BITSET: usize = 0x1_0000 / 8;

/// A map's entries: key → replacement, each key once.
pub type Entries = BTreeMap<String, String>;

/// Reads an OpenCC dictionary file (`key<TAB>candidate[ candidate...]`, `#` comments) into
/// `(line number, key, first candidate)`, as OpenCC converts with the first candidate.
/// `Err` names the first line that is not of that form.
// Called by build.rs and the tests.
#[allow(dead_code)]
pub fn parse_opencc(text: &str) -> Result<Vec<(&str, &str)>, usize> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, values) = line.split_once('\t').ok_or(i + 1)?;
        let value = values.split(' ').next().unwrap_or("");
        let bad = |s: &str| s.is_empty() || s.contains(['\t', '\r', '\n']);
        if bad(key) || bad(value) {
            return Err(i + 1);
        }
        out.push((key, value));
    }
    Ok(out)
}

/// Merges dictionaries into one map: for a key in several, the first dictionary wins.
#[allow(dead_code)]
pub fn merge(dicts: &[&[(&str, &str)]]) -> Entries {
    let mut out = Entries::new();
    for dict in dicts {
        for &(k, v) in *dict {
            out.entry(k.to_string()).or_insert_with(|| v.to_string());
        }
    }
    out
}

/// Packs the traditional-only characters and the two stages; `None` if a key or replacement
/// is empty or the sizes overflow u32.
#[allow(dead_code)]
pub fn pack(traditional: &BTreeSet<char>, stages: [&Entries; 2]) -> Option<Vec<u8>> {
    let mut out = MAGIC.to_vec();
    let mut bits = vec![0u8; BITSET];
    let mut astral = Vec::new();
    for &c in traditional {
        match u16::try_from(c as u32) {
            Ok(u) => bits[usize::from(u >> 3)] |= 1 << (u & 7),
            Err(_) => astral.push(c as u32),
        }
    }
    out.extend_from_slice(&bits);
    push_u32(&mut out, astral.len())?;
    for c in astral {
        out.extend_from_slice(&c.to_le_bytes());
    }
    for stage in stages {
        pack_map(stage, &mut out)?;
    }
    Some(out)
}

fn push_u32(out: &mut Vec<u8>, x: usize) -> Option<()> {
    out.extend_from_slice(&u32::try_from(x).ok()?.to_le_bytes());
    Some(())
}

fn pack_map(map: &Entries, out: &mut Vec<u8>) -> Option<()> {
    let mut entries: BTreeMap<&str, &str> = BTreeMap::new();
    for (k, v) in map {
        if k.is_empty() || v.is_empty() {
            return None;
        }
        entries.insert(k, v);
    }
    for k in map.keys() {
        for (end, _) in k.char_indices().skip(1) {
            entries.entry(&k[..end]).or_insert("");
        }
    }
    let slots_len = usize::try_from(slot_capacity(entries.len() as u64)).ok()?;
    let id_bits = (usize::BITS - entries.len().leading_zeros()).max(1);
    if id_bits >= 32 {
        return None;
    }
    let mut starts = vec![0u8; BITSET];
    let mut slots = vec![0u32; slots_len];
    let mut text = Vec::new();
    let mut offsets = Vec::new();
    for (id, (k, v)) in entries.iter().enumerate() {
        if let Some(u) = k.chars().next().and_then(|c| u16::try_from(c as u32).ok()) {
            starts[usize::from(u >> 3)] |= 1 << (u & 7);
        }
        let h = name_hash(k.as_bytes());
        let free = probe(h, slots_len).find(|&i| slots[i] == 0)?;
        slots[free] = (id as u32 + 1) | tag(h, id_bits);
        offsets.push(text.len());
        text.extend_from_slice(k.as_bytes());
        offsets.push(text.len());
        text.extend_from_slice(v.as_bytes());
    }
    offsets.push(text.len());
    for x in [entries.len(), slots_len, id_bits as usize, text.len()] {
        push_u32(out, x)?;
    }
    out.extend_from_slice(&starts);
    for x in offsets {
        push_u32(out, x)?;
    }
    for x in slots {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.extend_from_slice(&text);
    Some(())
}

/// The tag a slot keeps of a hash: the top `32 - id_bits` bits of its high half.
fn tag(h: u64, id_bits: u32) -> u32 {
    crate::hash::tag(h) >> id_bits << id_bits
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn bit(bits: &[u8], u: u32) -> bool {
    bits.get(u as usize >> 3).is_some_and(|b| b >> (u & 7) & 1 == 1)
}

/// The packed tables, read in place.
#[derive(Clone, Copy)]
pub struct Tables<'a> {
    traditional: &'a [u8],
    astral: &'a [u8],
    pub stages: [Map<'a>; 2],
}

impl<'a> Tables<'a> {
    /// Checks the magic and that every part lies inside `bytes`.
    pub fn new(bytes: &'a [u8]) -> Option<Tables<'a>> {
        if bytes.get(..8)? != MAGIC {
            return None;
        }
        let traditional = bytes.get(8..8 + BITSET)?;
        let a = u32_at(bytes, 8 + BITSET)? as usize;
        let astral_at = 12 + BITSET;
        let map_at = astral_at.checked_add(a.checked_mul(4)?)?;
        let astral = bytes.get(astral_at..map_at)?;
        let (first, rest) = Map::new(bytes.get(map_at..)?)?;
        let (second, rest) = Map::new(rest)?;
        rest.is_empty().then_some(Tables { traditional, astral, stages: [first, second] })
    }

    /// Whether only traditional script uses `c`.
    #[inline]
    pub fn is_traditional(&self, c: char) -> bool {
        let u = c as u32;
        if u < 0x1_0000 {
            return bit(self.traditional, u);
        }
        let n = self.astral.len() / 4;
        let at = |i: usize| u32_at(self.astral, 4 * i).unwrap_or(u32::MAX);
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match at(mid).cmp(&u) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }
}

/// What a map says of a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found<'a> {
    /// A key, with its replacement.
    Key(&'a str),
    /// Not a key, but some key starts with it.
    Prefix,
    /// No key starts with it.
    Absent,
}

/// One stage's map, read in place.
#[derive(Clone, Copy)]
pub struct Map<'a> {
    starts: &'a [u8],
    offsets: &'a [u8],
    slots: &'a [u8],
    text: &'a [u8],
    id_bits: u32,
}

impl<'a> Map<'a> {
    /// Reads a map from the front of `bytes`; returns it and the bytes after it.
    fn new(bytes: &'a [u8]) -> Option<(Map<'a>, &'a [u8])> {
        let field = |i: usize| u32_at(bytes, 4 * i).map(|x| x as usize);
        let (entries, slots_len, id_bits, text_len) = (field(0)?, field(1)?, field(2)?, field(3)?);
        let id_bits = u32::try_from(id_bits).ok().filter(|&b| (1..32).contains(&b))?;
        if entries >= 1 << id_bits || !slots_len.is_power_of_two() || slots_len <= entries {
            return None;
        }
        let (starts, rest) = bytes.get(16..)?.split_at_checked(BITSET)?;
        let (offsets, rest) = rest.split_at_checked(entries.checked_mul(2)?.checked_add(1)?.checked_mul(4)?)?;
        let (slots, rest) = rest.split_at_checked(slots_len.checked_mul(4)?)?;
        let (text, rest) = rest.split_at_checked(text_len)?;
        let map = Map { starts, offsets, slots, text, id_bits };
        (map.offset(2 * entries) == Some(text_len)).then_some((map, rest))
    }

    /// Whether some key starts with `c` (always true beyond the BMP, which has no bitset).
    #[inline]
    pub fn starts(&self, c: char) -> bool {
        let u = c as u32;
        u >= 0x1_0000 || bit(self.starts, u)
    }

    fn offset(&self, i: usize) -> Option<usize> {
        u32_at(self.offsets, 4 * i).map(|x| x as usize)
    }

    fn part(&self, i: usize) -> Option<&'a [u8]> {
        self.text.get(self.offset(i)?..self.offset(i + 1)?)
    }

    pub fn get(&self, s: &str) -> Found<'a> {
        let h = name_hash(s.as_bytes());
        let (tag, id_mask) = (tag(h, self.id_bits), (1u32 << self.id_bits) - 1);
        for i in probe(h, self.slots.len() / 4) {
            let Some(slot) = u32_at(self.slots, 4 * i) else { break };
            if slot == 0 {
                break;
            }
            let id = ((slot & id_mask) as usize).wrapping_sub(1);
            if slot & !id_mask == tag && self.part(2 * id) == Some(s.as_bytes()) {
                return match self.part(2 * id + 1).map(std::str::from_utf8) {
                    Some(Ok(v)) if !v.is_empty() => Found::Key(v),
                    _ => Found::Prefix,
                };
            }
        }
        Found::Absent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let one = merge(&[&[("軟體", "软件"), ("軟", "X")], &[("軟", "软"), ("資訊科技", "信息技术")]]);
        let two = merge(&[&[("體", "体"), ("𡞵", "㛟")]]);
        let trad: BTreeSet<char> = "軟體𡞵".chars().collect();
        pack(&trad, [&one, &two]).unwrap()
    }

    #[test]
    fn keys_prefixes_and_traditional_chars() {
        let bytes = sample();
        let t = Tables::new(&bytes).unwrap();
        let [one, two] = t.stages;
        assert_eq!(one.get("軟體"), Found::Key("软件"));
        assert_eq!(one.get("軟"), Found::Key("X"), "the first dictionary wins");
        assert_eq!(one.get("資訊"), Found::Prefix);
        assert_eq!(one.get("資訊科技"), Found::Key("信息技术"));
        for absent in ["體", "", "軟體軟", "科技"] {
            assert_eq!(one.get(absent), Found::Absent, "{absent}");
        }
        assert_eq!(two.get("𡞵"), Found::Key("㛟"));
        assert!(one.starts('軟') && one.starts('資') && !one.starts('體') && two.starts('體'));
        assert!(t.is_traditional('軟') && t.is_traditional('𡞵') && !t.is_traditional('软'));
        assert!(!t.is_traditional('𡞶') && !t.is_traditional('a'));
    }

    #[test]
    fn opencc_lines_take_the_first_candidate_and_bad_lines_are_named() {
        let text = "# header\n\n乾\t干 乾\n軟體\t软件\n";
        assert_eq!(parse_opencc(text), Ok(vec![("乾", "干"), ("軟體", "软件")]));
        assert_eq!(parse_opencc("a\tb\nno tab\n"), Err(2));
        assert_eq!(parse_opencc("a\t\n"), Err(1));
        assert_eq!(parse_opencc("a\t b\n"), Err(1));
    }

    #[test]
    fn empty_replacements_are_refused() {
        let bad = merge(&[&[("軟", "")]]);
        assert!(pack(&BTreeSet::new(), [&bad, &Entries::new()]).is_none());
    }

    #[test]
    fn damaged_blobs_are_refused_or_answer_within_bounds() {
        let bytes = sample();
        for len in 0..bytes.len() {
            assert!(Tables::new(&bytes[..len]).is_none(), "truncated to {len}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Tables::new(&longer).is_none());
        // Flipped bytes outside the bitsets: refused, or every answer comes from the blob.
        for at in (0..bytes.len()).step_by(3) {
            let mut bad = bytes.clone();
            bad[at] ^= 0xa5;
            if let Some(t) = Tables::new(&bad) {
                for map in t.stages {
                    for s in ["軟體", "軟", "資訊科技", "𡞵", "x"] {
                        let _ = map.get(s);
                    }
                }
                let _ = t.is_traditional('𡞵');
            }
        }
    }
}
