//! Python jieba 0.42.1's `cut(line, HMM=True)`, step for step, with the same floating-point
//! operations in the same order, so that every comparison (and every tie) comes out the same:
//!
//! - the line splits into runs of `[\u4E00-\u9FD5a-zA-Z0-9+#&._%-]` (`re_han_default`);
//!   every other character is a token, except that `\r\n` is one;
//! - in a run, the DAG of dictionary words at each position and the route of maximum
//!   probability, `max((log(freq or 1) - logtotal + route[x + 1], x))` from the end;
//! - consecutive single characters on the route are a buffer: one character is a token, a
//!   dictionary word is cut into characters, anything else goes to `finalseg`: the HMM
//!   (Viterbi, ties to the larger state letter as Python's `max` over tuples) on runs of
//!   `[\u4E00-\u9FD5]`, and `([a-zA-Z0-9]+(?:\.\d+)?%?)` on the rest.

use super::trie::{Node, TrieRef};

/// What the cut needs of a dictionary: a trie walk. A node's value is ln(freq) for a word
/// (−∞ for frequency 0), NaN for a prefix only; its tag is the trie's (see `trie.rs`), which
/// the cut passes on with each token that is a dictionary word.
pub(crate) trait Words {
    fn child(&self, node: u64, c: char) -> Option<(u64, f64, u32)>;
    /// Starts loading what [`Words::child`] will read; false when it is known already
    /// that `node` has no child by `c`.
    fn prefetch(&self, node: u64, c: char) -> bool;

    /// The value of `chars` as one string, if it is a word or a prefix.
    fn value(&self, chars: &[char]) -> Option<f64> {
        let mut at = (0, f64::NAN, 0);
        for &c in chars {
            at = self.child(at.0, c)?;
        }
        Some(at.1)
    }
}

/// The root, in both kinds of [`Words`].
const ROOT_NODE: u64 = 0;

impl Words for TrieRef<'_> {
    #[inline(always)]
    fn child(&self, node: u64, c: char) -> Option<(u64, f64, u32)> {
        TrieRef::tagged_child(self, node as Node, c).map(|(n, v, t)| (u64::from(n), v, t))
    }

    #[inline(always)]
    fn prefetch(&self, node: u64, c: char) -> bool {
        TrieRef::prefetch(self, node as Node, c)
    }
}

/// A dictionary with words added on top (a user dictionary): an added word's value wins;
/// an added prefix leaves the base's value, as jieba's `add_word` leaves a known prefix.
/// A node is the base's node in the high half and the added one's in the low half. The tag
/// is the base's (a tag belongs to the string, not to its value).
pub(crate) struct Overlaid<'a> {
    pub base: TrieRef<'a>,
    pub added: TrieRef<'a>,
}

/// No node: the walk left that trie.
const GONE: Node = Node::MAX;

impl Words for Overlaid<'_> {
    #[inline]
    fn child(&self, node: u64, c: char) -> Option<(u64, f64, u32)> {
        let (b, a) = ((node >> 32) as Node, node as Node);
        let base = if b == GONE { None } else { self.base.tagged_child(b, c) };
        let added = if a == GONE { None } else { self.added.child(a, c) };
        let value = match (base, added) {
            (None, None) => return None,
            (_, Some((_, v))) if !v.is_nan() => v,
            (Some((_, v, _)), _) => v,
            (None, Some(_)) => f64::NAN,
        };
        let tag = base.map_or(0, |n| n.2);
        let (b, a) = (base.map_or(GONE, |n| n.0), added.map_or(GONE, |n| n.0));
        Some(((u64::from(b) << 32) | u64::from(a), value, tag))
    }

    #[inline]
    fn prefetch(&self, node: u64, c: char) -> bool {
        let (b, a) = ((node >> 32) as Node, node as Node);
        // Both are asked, so both start loading.
        let base = b != GONE && self.base.prefetch(b, c);
        let added = a != GONE && self.added.prefetch(a, c);
        base || added
    }
}

/// Whether a value is a word of nonzero frequency (jieba's `if FREQ[frag]`).
#[inline(always)]
fn is_word(v: f64) -> bool {
    v > f64::NEG_INFINITY
}

/// Whether jieba's `re_han_default` takes `c` into a run.
#[inline(always)]
pub(crate) fn is_run_char(c: char) -> bool {
    is_hmm_han(c) || c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-')
}

/// finalseg's `re_han`, the characters the HMM sees.
#[inline(always)]
fn is_hmm_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fd5}').contains(&c)
}

/// finalseg's HMM: the states B, E, M, S (in the order of their letters, which breaks ties).
pub(crate) struct Hmm<'a> {
    pub start: [f64; 4],
    /// `trans[from][to]`, −3.14e100 where jieba has no entry.
    pub trans: [[f64; 4]; 4],
    /// Emissions of U+4E00..=U+9FD5, four per character.
    pub emit: &'a [[f64; 4]],
}

const B: u8 = 0;
const E: u8 = 1;
const M: u8 = 2;
const S: u8 = 3;
/// finalseg's `PrevStatus`, each pair in ascending order.
const PREV: [[u8; 2]; 4] = [[E, S], [B, M], [B, M], [E, S]];
/// No word in [`Scratch::found`].
const NO_WORD: u32 = u32::MAX;

/// finalseg's `MIN_FLOAT`.
pub(crate) const MIN_FLOAT: f64 = -3.14e100;

/// Buffers reused from line to line.
#[derive(Default)]
pub(crate) struct Scratch {
    chars: Vec<char>,
    /// Byte offset of each character in the line, and the run's end.
    offs: Vec<usize>,
    /// Per position: the best route's probability, the end of its first word and that
    /// word's tag.
    route: Vec<(f64, u32, u32)>,
    /// Each run: its byte offset in the text, its first place and its end place.
    runs: Vec<(u32, u32, u32)>,
    /// Each place's run end.
    ends: Vec<u32>,
    /// The trie walks still going: start and node.
    walks: Vec<(u32, u64)>,
    /// The words found: end, the start's word found before it ([`NO_WORD`] for none), value,
    /// tag.
    found: Vec<(u32, u32, f64, u32)>,
    /// Per start, its last word found (the longest) in `found`, or [`NO_WORD`].
    last: Vec<u32>,
    /// Viterbi back pointers, one per state per character.
    back: Vec<[u8; 4]>,
    states: Vec<u8>,
}

impl Scratch {
    /// Gives back the memory of a huge run.
    pub fn trim(&mut self) {
        const KEEP: usize = 1 << 16;
        if self.chars.capacity() > KEEP {
            *self = Scratch::default();
        }
    }
}

/// A dictionary with its total, and the HMM: all a cut needs.
pub(crate) struct Cutter<'a, W> {
    pub words: &'a W,
    pub log_total: f64,
    pub hmm: &'a Hmm<'a>,
    /// Words the HMM must not make (added with frequency 0): given as characters.
    pub force_split: Option<&'a std::collections::HashSet<String>>,
}

impl<W: Words> Cutter<'_, W> {
    /// Cuts `text`, calling `emit` with each token's byte range and tag, in order:
    /// `cut(text, HMM=hmm)`. A token's tag is its node's when the route took it as a
    /// dictionary word of two or more characters, else 0.
    ///
    /// The runs of the whole text are loaded and routed together, so the trie walks of all
    /// of them overlap their cache misses; then the tokens go out in order.
    pub fn cut(&self, text: &str, s: &mut Scratch, hmm: bool, emit: &mut impl FnMut(usize, usize, u32)) {
        self.load_runs(text, s);
        self.route(s);
        let bytes = text.as_bytes();
        let (mut i, mut run) = (0, 0);
        while i < bytes.len() {
            let b = bytes[i];
            if let Some(&(_, start, end)) = s.runs.get(run).filter(|r| r.0 as usize == i) {
                let (start, end) = (start as usize, end as usize);
                run += 1;
                if hmm {
                    self.cut_run(text, start, end, s, emit);
                } else {
                    self.cut_run_no_hmm(start, end, s, emit);
                }
                i = s.offs[end];
            } else if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                emit(i, i + 2, 0);
                i += 2;
            } else {
                let c_len = utf8_len(b);
                emit(i, i + c_len, 0);
                i += c_len;
            }
        }
    }

    /// Every run of `text` into `s.chars` and `s.offs`, each followed by a place of its own
    /// (the character `\0`, its byte offset the run's end), and their places in `s.runs`.
    fn load_runs(&self, text: &str, s: &mut Scratch) {
        s.chars.clear();
        s.offs.clear();
        s.runs.clear();
        let mut open = None;
        for (i, c) in text.char_indices() {
            if is_run_char(c) {
                open.get_or_insert((s.chars.len(), i));
                s.chars.push(c);
                s.offs.push(i);
            } else if let Some((first, at)) = open.take() {
                s.runs.push((at as u32, first as u32, s.chars.len() as u32));
                s.chars.push('\0');
                s.offs.push(i);
            }
        }
        if let Some((first, at)) = open {
            s.runs.push((at as u32, first as u32, s.chars.len() as u32));
            s.chars.push('\0');
            s.offs.push(text.len());
        }
    }

    /// jieba's `__cut_DAG` over the run `chars[a..b]`.
    fn cut_run(&self, text: &str, a: usize, b: usize, s: &mut Scratch, emit: &mut impl FnMut(usize, usize, u32)) {
        let (mut x, mut buf) = (a, None);
        while x < b {
            let (_, y, tag) = s.route[x];
            let y = y as usize;
            if y - x == 1 {
                buf.get_or_insert(x);
            } else {
                if let Some(first) = buf.take() {
                    self.cut_buf(text, first, x, s, &mut |p, q| emit(p, q, 0));
                }
                emit(s.offs[x], s.offs[y], tag);
            }
            x = y;
        }
        if let Some(first) = buf {
            self.cut_buf(text, first, b, s, &mut |p, q| emit(p, q, 0));
        }
    }

    /// jieba's `__cut_DAG_NO_HMM` over the run `chars[a..b]`: single ASCII letters and
    /// digits on the route join up.
    fn cut_run_no_hmm(&self, a: usize, b: usize, s: &mut Scratch, emit: &mut impl FnMut(usize, usize, u32)) {
        let (mut x, mut buf) = (a, None);
        while x < b {
            let (_, y, tag) = s.route[x];
            let y = y as usize;
            if y - x == 1 && s.chars[x].is_ascii_alphanumeric() {
                buf.get_or_insert(x);
            } else {
                if let Some(first) = buf.take() {
                    emit(s.offs[first], s.offs[x], 0);
                }
                emit(s.offs[x], s.offs[y], tag);
            }
            x = y;
        }
        if let Some(first) = buf {
            emit(s.offs[first], s.offs[b], 0);
        }
    }

    /// The DAG of the runs in `s.chars`: every dictionary word at every position, into
    /// `s.found`, each start's words a list from the longest down (`s.last`). The trie is
    /// walked one character deeper at a time for all positions together, so that the walks'
    /// cache misses overlap. Walks stop at their run's end.
    fn dag(&self, s: &mut Scratch) {
        let n = s.chars.len();
        let chars = &s.chars[..];
        // Each position's run end.
        s.ends.clear();
        s.ends.resize(n, 0);
        s.walks.clear();
        for &(_, a, b) in &s.runs {
            s.ends[a as usize..=b as usize].fill(b);
            s.walks.extend((a..b).map(|i| (i, ROOT_NODE)));
        }
        s.found.clear();
        s.last.clear();
        s.last.resize(n, NO_WORD);
        let mut depth = 0;
        while !s.walks.is_empty() {
            let walks = &mut s.walks;
            let mut kept = 0;
            for w in 0..walks.len() {
                let (i, node) = walks[w];
                let at = i as usize + depth;
                let Some((next, v, tag)) = self.words.child(node, chars[at]) else { continue };
                if is_word(v) {
                    let last = &mut s.last[i as usize];
                    s.found.push((at as u32 + 1, *last, v, tag));
                    *last = s.found.len() as u32 - 1;
                }
                // A walk at the run's last character has nowhere to go, nor one whose next
                // step the filter rules out. The next step is taken in the next round: its
                // slot loads meanwhile.
                if at + 1 < s.ends[i as usize] as usize && self.words.prefetch(next, chars[at + 1]) {
                    walks[kept] = (i, next);
                    kept += 1;
                }
            }
            walks.truncate(kept);
            depth += 1;
        }
    }

    /// jieba's `calc` over the DAG of each run in `s.chars`; a run's end place is the
    /// `route[N] = (0, 0)` of its run.
    fn route(&self, s: &mut Scratch) {
        self.dag(s);
        let n = s.chars.len();
        s.route.clear();
        s.route.resize(n + 1, (0.0, n as u32, 0));
        let route = &mut s.route[..];
        let lt = self.log_total;
        for idx in (0..n).rev() {
            if s.ends[idx] as usize == idx {
                route[idx] = (0.0, idx as u32, 0);
                continue;
            }
            let mut word = s.last[idx];
            let mut best = match s.found.get(word as usize) {
                Some(&(end, shorter, v, tag)) => {
                    word = shorter;
                    ((v - lt) + route[end as usize].0, end, tag)
                }
                // log(1) - logtotal: the character alone, not a word.
                None => ((0.0 - lt) + route[idx + 1].0, idx as u32 + 1, 0),
            };
            while let Some(&(end, shorter, v, tag)) = s.found.get(word as usize) {
                let p = (v - lt) + route[end as usize].0;
                // Ties go to the larger end, as in Python's max over (prob, x): the longer
                // word, seen first.
                if p > best.0 {
                    best = (p, end, tag);
                }
                word = shorter;
            }
            route[idx] = best;
        }
    }

    /// A buffer of single characters `chars[a..b]` on the route.
    fn cut_buf(&self, text: &str, a: usize, b: usize, s: &mut Scratch, emit: &mut impl FnMut(usize, usize)) {
        if b - a == 1 {
            emit(s.offs[a], s.offs[b]);
        } else if self.words.value(&s.chars[a..b]).is_some_and(is_word) {
            (a..b).for_each(|i| emit(s.offs[i], s.offs[i + 1]));
        } else {
            self.finalseg(text, a, b, s, emit);
        }
    }

    /// finalseg's `cut` of `chars[a..b]`.
    fn finalseg(&self, text: &str, a: usize, b: usize, s: &mut Scratch, emit: &mut impl FnMut(usize, usize)) {
        let mut i = a;
        while i < b {
            let han = is_hmm_han(s.chars[i]);
            let mut j = i + 1;
            while j < b && is_hmm_han(s.chars[j]) == han {
                j += 1;
            }
            if han {
                self.hmm_cut(text, i, j, s, emit);
            } else {
                skip_split(&s.chars[i..j], |p, q| emit(s.offs[i + p], s.offs[i + q]));
            }
            i = j;
        }
    }

    /// finalseg's `__cut` of the Han characters `chars[a..b]`, and its forced splits.
    fn hmm_cut(&self, text: &str, a: usize, b: usize, s: &mut Scratch, emit: &mut impl FnMut(usize, usize)) {
        viterbi(self.hmm, &s.chars[a..b], &mut s.back, &mut s.states);
        let offs = &s.offs;
        let mut word = |p: usize, q: usize| {
            let (p, q) = (a + p, a + q);
            match self.force_split {
                Some(set) if q - p > 1 && set.contains(&text[offs[p]..offs[q]]) => {
                    (p..q).for_each(|i| emit(offs[i], offs[i + 1]));
                }
                _ => emit(offs[p], offs[q]),
            }
        };
        let (mut begin, mut next) = (0, 0);
        for (i, &state) in s.states.iter().enumerate() {
            match state {
                B => begin = i,
                E => {
                    word(begin, i + 1);
                    next = i + 1;
                }
                S => {
                    word(i, i + 1);
                    next = i + 1;
                }
                _ => {}
            }
        }
        if next < b - a {
            word(next, b - a);
        }
    }
}

fn utf8_len(b: u8) -> usize {
    match b {
        0..0x80 => 1,
        0xc0..0xe0 => 2,
        0xe0..0xf0 => 3,
        _ => 4,
    }
}

/// finalseg's `re_skip.split` of ASCII characters, without the empty pieces: the matches of
/// `[a-zA-Z0-9]+(?:\.\d+)?%?` and the text between them, as ranges of `chars`.
pub(crate) fn skip_split(chars: &[char], mut emit: impl FnMut(usize, usize)) {
    let n = chars.len();
    let alnum = |i: usize| i < n && chars[i].is_ascii_alphanumeric();
    let digit = |i: usize| i < n && chars[i].is_ascii_digit();
    let mut p = 0;
    while p < n {
        let mut q = p;
        while q < n && !alnum(q) {
            q += 1;
        }
        if q > p {
            emit(p, q);
        }
        if q == n {
            break;
        }
        let mut e = q;
        while alnum(e) {
            e += 1;
        }
        if e < n && chars[e] == '.' && digit(e + 1) {
            e += 1;
            while digit(e) {
                e += 1;
            }
        }
        if e < n && chars[e] == '%' {
            e += 1;
        }
        emit(q, e);
        p = e;
    }
}

/// finalseg's `viterbi` over `obs` (Han characters), leaving the best states in `states`.
fn viterbi(hmm: &Hmm<'_>, obs: &[char], back: &mut Vec<[u8; 4]>, states: &mut Vec<u8>) {
    let emit = |c: char| hmm.emit.get((c as usize).wrapping_sub(0x4e00)).copied().unwrap_or([MIN_FLOAT; 4]);
    let n = obs.len();
    back.clear();
    back.resize(n, [0; 4]);
    let em = emit(obs[0]);
    let mut v = [0.0; 4];
    for y in 0..4 {
        v[y] = hmm.start[y] + em[y];
    }
    for t in 1..n {
        let em = emit(obs[t]);
        let mut next = [0.0; 4];
        for y in 0..4 {
            let [y0, y1] = PREV[y];
            let p0 = v[y0 as usize] + hmm.trans[y0 as usize][y] + em[y];
            let p1 = v[y1 as usize] + hmm.trans[y1 as usize][y] + em[y];
            // On equal probabilities the larger state wins, as in max over (prob, state).
            let (p, from) = if p1 >= p0 { (p1, y1) } else { (p0, y0) };
            next[y] = p;
            back[t][y] = from;
        }
        v = next;
    }
    let mut state = if v[S as usize] >= v[E as usize] { S } else { E };
    states.clear();
    states.resize(n, 0);
    for t in (0..n).rev() {
        states[t] = state;
        state = back[t][state as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        let mut out = Vec::new();
        skip_split(&chars, |a, b| out.push(chars[a..b].iter().collect()));
        out
    }

    #[test]
    fn skip_split_is_finalsegs_re_skip() {
        assert_eq!(split("X-29"), ["X", "-", "29"]);
        assert_eq!(split("iOS9.3.3Beta4"), ["iOS9.3", ".", "3Beta4"]);
        assert_eq!(split("3.14%%"), ["3.14%", "%"]);
        assert_eq!(split("+#&"), ["+#&"]);
        assert_eq!(split("a.b"), ["a", ".", "b"]);
        assert_eq!(split("1."), ["1", "."]);
        assert_eq!(split("_1.5_"), ["_", "1.5", "_"]);
    }
}
