//! A character trie stored as one open-addressing hash table: a node is the slot that holds
//! the key (parent node, character), so one step down the trie is one hash probe, usually
//! one cache line, with no name to compare.
//!
//! Every word and every prefix of a word is a node. A slot is two u64: the key (0 for an
//! empty slot) and the bits of an f64 value: ln(frequency) for a word (−∞ for frequency 0),
//! NaN for a prefix that is not a word.
//!
//! `build.rs` builds the trie of jieba's standard dictionary with this file (it has no crate
//! imports) and the binary reads it in place; the same code builds small tries at run time
//! (a vocab's words, a user dictionary).
//!
//! A finished trie also has a filter: one bit per key hash, 8 bits per slot, set for every
//! node. Most steps a segmenter tries lead nowhere (in headlines about 60% of the steps
//! below the root), and the filter, 1/16 the size of the slots and so mostly in cache,
//! answers them without reading a slot.

/// A node id: the index of its slot + 1; 0 is the root.
pub type Node = u32;

pub const ROOT: Node = 0;

/// The key of the child of `parent` by `c`: never 0, the mark of an empty slot.
#[inline(always)]
fn key(parent: Node, c: char) -> u64 {
    (u64::from(parent) << 22) | (u64::from(c as u32) << 1) | 1
}

/// The hash of `key`: its top `bits` bits are the home slot in a table of `1 << bits`
/// slots, its top `bits + 3` the key's bit in the filter.
#[inline(always)]
fn hash(key: u64) -> u64 {
    let mut h = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^= h >> 29;
    h.wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

/// The home slot of `key` in a table of `1 << bits` slots.
#[inline(always)]
fn home(key: u64, bits: u32) -> usize {
    (hash(key) >> (64 - bits)) as usize
}

/// Filter bits per slot, as a power of two.
const FILTER_SHIFT: u32 = 3;

/// The length in u64 of the filter of a table of `slots` slots.
pub fn filter_len(slots: usize) -> usize {
    (slots << FILTER_SHIFT).div_ceil(64)
}

/// The filter bit of a key of hash `h` in a table of `1 << bits` slots: word and mask.
#[inline(always)]
fn filter_bit(h: u64, bits: u32) -> (usize, u64) {
    let b = h >> (64 - bits - FILTER_SHIFT);
    ((b >> 6) as usize, 1 << (b & 63))
}

/// The characters with a place in the root table: ASCII and U+4E00..=U+9FD5, all that can
/// start a word in a run of text jieba segments.
pub const ROOT_TABLE_LEN: usize = 128 + 0x9fd6 - 0x4e00;

#[inline(always)]
fn root_index(c: char) -> Option<usize> {
    match c as usize {
        c @ 0..128 => Some(c),
        c @ 0x4e00..=0x9fd5 => Some(c - 0x4e00 + 128),
        _ => None,
    }
}

/// A trie over a slice of slots (a power of two of them, at most half full), and the
/// root's children in a table of their own, [`ROOT_TABLE_LEN`] slots of `[node, value]`
/// (node 0: none), since every position of a text starts at the root; and the filter of
/// the keys in the slots (empty: none, every key may be there).
#[derive(Clone, Copy)]
pub struct TrieRef<'a> {
    slots: &'a [[u64; 2]],
    root: &'a [[u64; 2]],
    filter: &'a [u64],
    bits: u32,
}

impl<'a> TrieRef<'a> {
    /// `None` unless the number of slots is a power of two of at least 2, and the root
    /// table and the filter have their lengths.
    pub fn new(slots: &'a [[u64; 2]], root: &'a [[u64; 2]], filter: &'a [u64]) -> Option<TrieRef<'a>> {
        let bits = slots.len().trailing_zeros();
        let ok = slots.len().is_power_of_two()
            && (1..42).contains(&bits)
            && root.len() == ROOT_TABLE_LEN
            && filter.len() == filter_len(slots.len());
        ok.then_some(TrieRef { slots, root, filter, bits })
    }

    /// Whether the filter lets the key of hash `h` through: false means it is no node.
    #[inline(always)]
    fn may_hold(&self, h: u64) -> bool {
        let (word, mask) = filter_bit(h, self.bits);
        self.filter.get(word).is_none_or(|w| w & mask != 0)
    }

    /// The child of `node` by `c`, and its value.
    #[inline(always)]
    pub fn child(&self, node: Node, c: char) -> Option<(Node, f64)> {
        if node == ROOT {
            if let Some(&[n, v]) = root_index(c).and_then(|i| self.root.get(i)) {
                return (n != 0).then_some((n as Node, f64::from_bits(v)));
            }
        }
        self.child_by_hash(node, c)
    }

    #[inline(always)]
    fn child_by_hash(&self, node: Node, c: char) -> Option<(Node, f64)> {
        let k = key(node, c);
        let h = hash(k);
        if !self.may_hold(h) {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = (h >> (64 - self.bits)) as usize;
        // At most half the slots are full, so an empty one ends the probe; the bound keeps
        // a damaged table from looping.
        for _ in 0..self.slots.len() {
            let [sk, v] = self.slots[i];
            if sk == k {
                return Some((i as Node + 1, f64::from_bits(v)));
            }
            if sk == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// Starts loading the slot where [`TrieRef::child`] of `node` by `c` starts looking.
    /// Returns false when the filter already says there is no such child.
    #[inline(always)]
    pub fn prefetch(&self, node: Node, c: char) -> bool {
        if node == ROOT {
            return true;
        }
        let h = hash(key(node, c));
        if !self.may_hold(h) {
            return false;
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(slot) = self.slots.get((h >> (64 - self.bits)) as usize) {
            // SAFETY: a prefetch is only a hint: it cannot fault, and it changes nothing the
            // program can observe. The address is inside the slots anyway.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((slot as *const [u64; 2]).cast())
            }
        }
        true
    }

    /// The node of `word` and its value, if it is a word or a prefix of one.
    #[cfg(test)]
    pub fn get(&self, word: &str) -> Option<(Node, f64)> {
        let mut found = (ROOT, f64::NAN);
        for c in word.chars() {
            found = self.child(found.0, c)?;
        }
        (!word.is_empty()).then_some(found)
    }
}

/// A trie being built; [`TrieBuilder::finish`] makes the root table.
pub struct TrieBuilder {
    slots: Vec<[u64; 2]>,
    bits: u32,
    /// The slot of every node, in the order they were made (a parent before its children).
    order: Vec<u32>,
}

impl Default for TrieBuilder {
    fn default() -> TrieBuilder {
        TrieBuilder { slots: vec![[0; 2]; 16], bits: 4, order: Vec::new() }
    }
}

impl TrieBuilder {
    /// The trie so far, without a root table.
    pub fn as_ref(&self) -> TrieRef<'_> {
        TrieRef { slots: &self.slots, root: &[], filter: &[], bits: self.bits }
    }

    /// The slots, the root table and the filter.
    pub fn finish(self) -> Trie {
        let walk = self.as_ref();
        let root = (0..ROOT_TABLE_LEN)
            .map(|i| {
                let c = if i < 128 { i as u32 } else { (i - 128 + 0x4e00) as u32 };
                let found = char::from_u32(c).and_then(|c| walk.child_by_hash(ROOT, c));
                found.map_or([0; 2], |(n, v)| [u64::from(n), v.to_bits()])
            })
            .collect();
        let mut filter = vec![0u64; filter_len(self.slots.len())];
        for &[k, _] in self.slots.iter().filter(|s| s[0] != 0) {
            let (word, mask) = filter_bit(hash(k), self.bits);
            filter[word] |= mask;
        }
        Trie { slots: self.slots, root, filter }
    }

    /// Makes `word` a node, and every prefix of it (new ones get NaN), then sets the word's
    /// value to `value(old)`, `old` being its value before (NaN for a new node). Returns the
    /// old value.
    pub fn insert(&mut self, word: &str, value: impl FnOnce(f64) -> f64) -> f64 {
        // Room for every character to be a new node, so no node moves during the walk.
        while 2 * (self.order.len() + word.chars().count()) > self.slots.len() {
            self.grow();
        }
        let mut node = ROOT;
        let mut old = f64::NAN;
        for c in word.chars() {
            (node, old) = match self.as_ref().child_by_hash(node, c) {
                Some(found) => found,
                None => (self.add(node, c), f64::NAN),
            };
        }
        if node != ROOT {
            self.slots[node as usize - 1][1] = value(old).to_bits();
        }
        old
    }

    /// Adds the child of `parent` by `c`, which is not there yet.
    fn add(&mut self, parent: Node, c: char) -> Node {
        let at = self.place(key(parent, c), f64::NAN.to_bits());
        self.order.push(at as u32);
        at as Node + 1
    }

    fn place(&mut self, k: u64, v: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = home(k, self.bits);
        while self.slots[i][0] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = [k, v];
        i
    }

    /// Doubles the table: every node moves, so each is put back after its parent, under the
    /// parent's new id.
    fn grow(&mut self) {
        let len = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![[0; 2]; len]);
        self.bits += 1;
        let mut moved = vec![0u32; old.len()];
        let mut order = std::mem::take(&mut self.order);
        for at in &mut order {
            let [k, v] = old[*at as usize];
            let (parent, rest) = ((k >> 22) as u32, k & ((1 << 22) - 1));
            let parent = if parent == ROOT { ROOT } else { moved[parent as usize - 1] + 1 };
            let new = self.place((u64::from(parent) << 22) | rest, v);
            moved[*at as usize] = new as u32;
            *at = new as u32;
        }
        self.order = order;
    }
}

/// A finished trie, owned.
pub struct Trie {
    pub slots: Vec<[u64; 2]>,
    pub root: Vec<[u64; 2]>,
    pub filter: Vec<u64>,
}
