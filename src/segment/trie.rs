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
//! A trie of at most 2^20 slots can be tagged: the bits of a key word from [`TAG_SHIFT`] up,
//! which its keys leave 0, hold a number per node that the trie's user gives meaning to
//! (`build.rs` tags the standard dictionary's words with their rows in the embedded default
//! table). Keys are compared without them; an untagged trie gives every node tag 0.
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

/// Where a tag starts in a slot's key word: above the key of any node of a trie of at most
/// 2^20 slots (parent < 2^21, shifted by 22).
pub const TAG_SHIFT: u32 = 43;
/// The largest tag.
#[allow(dead_code)] // `build.rs` tags
pub const MAX_TAG: u32 = (1 << (64 - TAG_SHIFT)) - 1;
/// The key bits of a tagged trie's key word.
const TAGGED_KEY_MASK: u64 = (1 << TAG_SHIFT) - 1;
/// The most slots a tagged trie may have.
const MAX_TAGGED_BITS: u32 = 20;

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
    /// The key bits of a key word: all of them, or [`TAGGED_KEY_MASK`] in a tagged trie.
    key_mask: u64,
}

impl<'a> TrieRef<'a> {
    /// `None` unless the number of slots is a power of two of at least 2 (at most 2^20 if
    /// `tagged`), and the root table and the filter have their lengths.
    pub fn new(slots: &'a [[u64; 2]], root: &'a [[u64; 2]], filter: &'a [u64], tagged: bool) -> Option<TrieRef<'a>> {
        let bits = slots.len().trailing_zeros();
        let max_bits = if tagged { MAX_TAGGED_BITS } else { 41 };
        let ok = slots.len().is_power_of_two()
            && (1..=max_bits).contains(&bits)
            && root.len() == ROOT_TABLE_LEN
            && filter.len() == filter_len(slots.len());
        let key_mask = if tagged { TAGGED_KEY_MASK } else { u64::MAX };
        ok.then_some(TrieRef { slots, root, filter, bits, key_mask })
    }

    /// Whether the filter lets the key of hash `h` through: false means it is no node.
    #[inline(always)]
    fn may_hold(&self, h: u64) -> bool {
        let (word, mask) = filter_bit(h, self.bits);
        self.filter.get(word).is_none_or(|w| w & mask != 0)
    }

    /// The child of `node` by `c`, and its value. Children of the root have tag 0.
    #[inline(always)]
    pub fn child(&self, node: Node, c: char) -> Option<(Node, f64)> {
        self.tagged_child(node, c).map(|(n, v, _)| (n, v))
    }

    /// [`TrieRef::child`] with the child's tag.
    #[inline(always)]
    pub fn tagged_child(&self, node: Node, c: char) -> Option<(Node, f64, u32)> {
        if node == ROOT {
            if let Some(&[n, v]) = root_index(c).and_then(|i| self.root.get(i)) {
                return (n != 0).then_some((n as Node, f64::from_bits(v), 0));
            }
        }
        self.child_by_hash(node, c)
    }

    #[inline(always)]
    fn child_by_hash(&self, node: Node, c: char) -> Option<(Node, f64, u32)> {
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
            if sk & self.key_mask == k {
                let tag = ((sk & !self.key_mask) >> TAG_SHIFT) as u32;
                return Some((i as Node + 1, f64::from_bits(v), tag));
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

    /// The node of `word`, its value and its tag, if it is a word or a prefix of one.
    #[allow(dead_code)] // `build.rs`, `TrieBuilder::tag` and tests
    pub fn get(&self, word: &str) -> Option<(Node, f64, u32)> {
        let mut found = (ROOT, f64::NAN, 0);
        for c in word.chars() {
            found = self.tagged_child(found.0, c)?;
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
    /// Whether a node has been tagged (after which no node may be added).
    tagged: bool,
}

impl Default for TrieBuilder {
    fn default() -> TrieBuilder {
        TrieBuilder { slots: vec![[0; 2]; 16], bits: 4, order: Vec::new(), tagged: false }
    }
}

impl TrieBuilder {
    /// The trie so far, without a root table.
    pub fn as_ref(&self) -> TrieRef<'_> {
        let key_mask = if self.tagged { TAGGED_KEY_MASK } else { u64::MAX };
        TrieRef { slots: &self.slots, root: &[], filter: &[], bits: self.bits, key_mask }
    }

    /// Sets the tag of the node of `word`, of two or more characters (a child of the root is
    /// read from the root table, which has no room for one). Returns false if `word` is no node, or the
    /// trie has more slots than a tagged one may have, or `tag` is above [`MAX_TAG`].
    #[allow(dead_code)] // `build.rs` tags
    pub fn tag(&mut self, word: &str, tag: u32) -> bool {
        if self.bits > MAX_TAGGED_BITS || tag > MAX_TAG || word.chars().nth(1).is_none() {
            return false;
        }
        self.tagged = true;
        let Some((node, _, _)) = self.as_ref().get(word) else { return false };
        let key = &mut self.slots[node as usize - 1][0];
        *key = (*key & TAGGED_KEY_MASK) | (u64::from(tag) << TAG_SHIFT);
        true
    }

    /// The slots, the root table and the filter.
    pub fn finish(self) -> Trie {
        let walk = self.as_ref();
        let root = (0..ROOT_TABLE_LEN)
            .map(|i| {
                let c = if i < 128 { i as u32 } else { (i - 128 + 0x4e00) as u32 };
                let found = char::from_u32(c).and_then(|c| walk.child_by_hash(ROOT, c));
                found.map_or([0; 2], |(n, v, _)| [u64::from(n), v.to_bits()])
            })
            .collect();
        let mut filter = vec![0u64; filter_len(self.slots.len())];
        for &[k, _] in self.slots.iter().filter(|s| s[0] != 0) {
            let (word, mask) = filter_bit(hash(k & walk.key_mask), self.bits);
            filter[word] |= mask;
        }
        Trie { slots: self.slots, root, filter }
    }

    /// Makes `word` a node, and every prefix of it (new ones get NaN), then sets the word's
    /// value to `value(old)`, `old` being its value before (NaN for a new node). Returns the
    /// old value.
    ///
    /// Not after [`TrieBuilder::tag`].
    pub fn insert(&mut self, word: &str, value: impl FnOnce(f64) -> f64) -> f64 {
        debug_assert!(!self.tagged, "a tagged trie takes no new words");
        // Room for every character to be a new node, so no node moves during the walk.
        while 2 * (self.order.len() + word.chars().count()) > self.slots.len() {
            self.grow();
        }
        let mut node = ROOT;
        let mut old = f64::NAN;
        for c in word.chars() {
            (node, old) = match self.as_ref().child_by_hash(node, c) {
                Some((n, v, _)) => (n, v),
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
