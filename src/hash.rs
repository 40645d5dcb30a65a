//! The one name hash and the one open-addressing scheme behind every name index: the
//! `.zv` table's slots and the packed segmentation dictionary.
//!
//! Self-contained (no crate imports), so `build.rs` includes this file to pack jieba's
//! dictionary at compile time with the same code the binary reads it with.
//!
//! Scheme: the index holds a power-of-two number of slots, at most 2/3 full, so every probe
//! ends at an empty slot. A name starts at slot `hash & (len - 1)` and probes linearly. A
//! slot keeps the high half of the hash (or some of its bits) as a tag, so most mismatches
//! are rejected without reading the name.

/// FNV-1a over the bytes, then a final avalanche (MurmurHash3's fmix64) so that both the low
/// bits (the home slot) and the high bits (the tag) are well mixed. This is the hash of the
/// `.zv` format: changing it changes the format.
#[inline]
pub fn name_hash(name: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The number of slots for `n` names: a power of two with a load factor of at most 2/3.
pub fn slot_capacity(n: u64) -> u64 {
    (n + n / 2 + 1).next_power_of_two()
}

/// The high half of a hash, which slots keep as their tag.
#[inline]
pub fn tag(h: u64) -> u32 {
    (h >> 32) as u32
}

/// The slots a lookup of hash `h` visits, in order, in an index of `len` slots (a power of
/// two). At most `len` of them, so that even a damaged index with no empty slot cannot make
/// a lookup loop forever.
#[inline]
pub fn probe(h: u64, len: usize) -> impl Iterator<Item = usize> {
    let mask = len.wrapping_sub(1);
    let home = h as usize & mask;
    (0..len).map(move |k| (home + k) & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_leaves_free_slots() {
        for n in [0u64, 1, 2, 3, 100, 1000, 2_000_000] {
            let cap = slot_capacity(n);
            assert!(cap.is_power_of_two() && cap > n + n / 2, "{n} -> {cap}");
        }
    }

    #[test]
    fn probe_visits_every_slot_once_from_home() {
        let seen: Vec<usize> = probe(0x1234_5678_0000_0006, 8).collect();
        assert_eq!(seen, [6, 7, 0, 1, 2, 3, 4, 5]);
        assert_eq!(probe(99, 0).count(), 0);
    }

    #[test]
    fn the_table_hash_is_stable() {
        // Tables on disk hold these bits in their index: the values must never change.
        assert_eq!(name_hash(b""), 0xefd0_1f60_ba99_2926);
        assert_eq!(name_hash("北京".as_bytes()), 0xe47e_f744_7ff9_320a);
        assert_eq!(name_hash("天气很好".as_bytes()), 0x0732_74fa_c8f0_dc96);
    }
}
