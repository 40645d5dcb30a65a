//! Word segmentation: Python jieba 0.42.1's `cut(line, HMM=True)`, exactly, over either
//! jieba's standard dictionary or the vocab's own words and frequencies, optionally with a
//! jieba user dictionary on top.
//!
//! The standard dictionary is a character trie built by `build.rs` and read in place, so no
//! input pays for loading it.

use std::borrow::Cow;

use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

use crate::error::{Error, Opt, Result};
use crate::vocab::{Kind, View, Vocab};

mod cut;
mod trie;
mod user;

use cut::{Cutter, Hmm, Overlaid, Scratch};
use trie::{TrieBuilder, TrieRef};
pub use user::UserDict;

/// Bytes of the blobs `build.rs` writes, aligned for reading as u64 and f64.
#[repr(C, align(8))]
struct Aligned<T: ?Sized>(T);

/// jieba's standard dictionary as a trie: a header of four u64 (magic, total, words, the
/// number of slots), then the slots, the root table and the filter of `trie.rs`. The trie is
/// tagged with [`Tag`]s for the embedded default table.
static STANDARD_TRIE: &Aligned<[u8]> = &Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/jieba-trie.bin")));
/// finalseg's HMM as f64: start (4), trans (4 × 4), then 4 emissions per character of
/// U+4E00..=U+9FD5.
static HMM_TABLE: &Aligned<[u8]> = &Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/jieba-hmm.bin")));

const TRIE_MAGIC: u64 = u64::from_le_bytes(*b"ZHSEGTR3");

/// What the standard dictionary's trie knows of a token in the embedded default table (see
/// [`Segmenter::next_tagged_tokens`]): `build.rs` tags each of its words of two or more
/// characters with the word's row there, so that embedding with that table finds the row
/// of such a token without a lookup by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// Nothing known: look the token up by name.
    Unknown,
    /// The token is a dictionary word that the default table's word table lacks.
    NotInDefault,
    /// The token's row in the default table's word table.
    DefaultRow(u32),
}

impl Tag {
    /// A trie tag: 0, 1, or the row + 2.
    #[inline(always)]
    fn from_trie(t: u32) -> Tag {
        match t {
            0 => Tag::Unknown,
            1 => Tag::NotInDefault,
            row => Tag::DefaultRow(row - 2),
        }
    }
}

/// Which dictionary the segmenter uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegDict {
    /// jieba's standard dictionary (349k words): cuts as Python jieba 0.42.1 does.
    Jieba,
    /// The vocab's own words and characters with their stored frequencies.
    Vocab,
}

pub struct Segmenter {
    /// The dictionary's trie: its slots, root table and filter.
    base: Cow<'static, [[u64; 2]]>,
    base_root: Cow<'static, [[u64; 2]]>,
    base_filter: Cow<'static, [u64]>,
    /// Its frequency total.
    base_total: u64,
    /// Whether its nodes carry [`Tag`]s (only the standard dictionary's do).
    base_tagged: bool,
    /// A user dictionary's words, if any.
    added: Option<user::Added>,
    /// ln of the total frequency, jieba's `logtotal`.
    log_total: f64,
    hmm: Hmm<'static>,
}

thread_local! {
    /// The cut's buffers, reused from line to line on each thread.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

impl Segmenter {
    /// A segmenter over jieba's standard dictionary.
    pub fn standard() -> Segmenter {
        let words: &[u64] = bytemuck::cast_slice(&STANDARD_TRIE.0);
        assert_eq!(words[0], TRIE_MAGIC, "build.rs packs the standard dictionary");
        let n = words[3] as usize;
        let (slots, filter) = words[4..].split_at(2 * (n + trie::ROOT_TABLE_LEN));
        let (slots, root) = bytemuck::cast_slice::<u64, [u64; 2]>(slots).split_at(n);
        let mut seg = Segmenter::over(Cow::Borrowed(slots), Cow::Borrowed(root), Cow::Borrowed(filter), words[1]);
        seg.base_tagged = true;
        seg
    }

    fn over(
        base: Cow<'static, [[u64; 2]]>,
        base_root: Cow<'static, [[u64; 2]]>,
        base_filter: Cow<'static, [u64]>,
        total: u64,
    ) -> Segmenter {
        let f: &[f64] = bytemuck::cast_slice(&HMM_TABLE.0);
        let mut trans = [[0.0; 4]; 4];
        for (i, row) in trans.iter_mut().enumerate() {
            row.copy_from_slice(&f[4 + 4 * i..8 + 4 * i]);
        }
        let hmm = Hmm { start: [f[0], f[1], f[2], f[3]], trans, emit: bytemuck::cast_slice(&f[20..]) };
        let log_total = (total as f64).ln();
        Segmenter { base, base_root, base_filter, base_total: total, base_tagged: false, added: None, log_total, hmm }
    }

    /// A segmenter whose dictionary is the vocab's words and characters with their counts.
    pub fn from_vocab(vocab: &Vocab) -> Result<Segmenter> {
        Segmenter::new(SegDict::Vocab, Some(vocab), None)
    }

    /// A segmenter over `dict` (`vocab` is needed for [`SegDict::Vocab`]).
    ///
    /// The standard dictionary needs no building. A vocab's does: with `only_for`, it holds
    /// just the table's words that occur in that text, which cuts that text (and any part of
    /// it) exactly as the whole one does, in a fraction of the time; a text longer than
    /// [`OWN_WORDS_MAX`] bytes gets the whole table's words either way.
    pub fn new(dict: SegDict, vocab: Option<&Vocab>, only_for: Option<&str>) -> Result<Segmenter> {
        let (vocab, view) = match (dict, vocab) {
            (SegDict::Jieba, _) => return Ok(Segmenter::standard()),
            (SegDict::Vocab, Some(v)) => (v, v.view()),
            (SegDict::Vocab, None) => return Err(Error::option([Opt::SegDict.into(), " vocab needs a vocab".into()])),
        };
        let words = VocabWords { vocab, view };
        let shape = words.shape()?;
        let trie = match only_for {
            Some(text) if text.len() <= VOCAB_OWN_WORDS_MAX => words.build_for(text, &shape),
            _ => words.build_whole()?,
        };
        let trie = trie.finish();
        Ok(Segmenter::over(Cow::Owned(trie.slots), Cow::Owned(trie.root), Cow::Owned(trie.filter), shape.total as u64))
    }

    /// A segmenter over `dict` as [`Segmenter::new`] makes it, with the words of a jieba
    /// user dictionary added as jieba's `load_userdict` adds them.
    pub fn with_user_dict(
        dict: SegDict,
        vocab: Option<&Vocab>,
        only_for: Option<&str>,
        user: &UserDict,
    ) -> Result<Segmenter> {
        // The added words' frequencies depend on how the dictionary cuts them.
        let text = only_for.map(|t| user.words_after(t));
        let mut seg = Segmenter::new(dict, vocab, text.as_deref())?;
        let added = user::Added::new(&seg, user);
        seg.log_total = ((u128::from(seg.base_total) + added.total) as f64).ln();
        seg.added = Some(added);
        Ok(seg)
    }

    fn base(&self) -> TrieRef<'_> {
        TrieRef::new(&self.base, &self.base_root, &self.base_filter, self.base_tagged).expect("a trie is well formed")
    }

    /// Whether [`Segmenter::next_tagged_tokens`] can give tags other than [`Tag::Unknown`].
    pub fn has_tags(&self) -> bool {
        self.base_tagged
    }

    /// Calls `emit` with the byte range and trie tag of each of jieba's tokens of `text`,
    /// whitespace too.
    fn cut_raw(&self, text: &str, emit: &mut impl FnMut(usize, usize, u32)) {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                self.cut_with(text, &mut scratch, emit);
                scratch.trim();
            }
            // `emit` cut text itself: that cut gets buffers of its own.
            Err(_) => self.cut_with(text, &mut Scratch::default(), emit),
        })
    }

    fn cut_with(&self, text: &str, scratch: &mut Scratch, emit: &mut impl FnMut(usize, usize, u32)) {
        let base = self.base();
        match &self.added {
            None => {
                let cutter = Cutter { words: &base, log_total: self.log_total, hmm: &self.hmm, force_split: None };
                cutter.cut(text, scratch, true, emit);
            }
            Some(added) => {
                let words = Overlaid { base, added: added.trie.as_ref() };
                let force_split = Some(&added.force_split);
                let cutter = Cutter { words: &words, log_total: self.log_total, hmm: &self.hmm, force_split };
                cutter.cut(text, scratch, true, emit);
            }
        }
    }

    /// Python jieba's `cut(text, HMM=True)`, every token, whitespace included.
    pub fn jieba_tokens<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut out = Vec::new();
        self.cut_raw(text, &mut |a, b, _| out.push(&text[a..b]));
        out
    }

    /// Calls `f` on each of Python jieba's tokens of `line` that is not only whitespace:
    /// [`Segmenter::for_each_token`] without its joins.
    pub fn for_each_jieba_token<'a>(&self, line: &'a str, mut f: impl FnMut(&'a str)) {
        self.cut_raw(line, &mut |a, b, _| {
            let t = &line[a..b];
            if !t.chars().all(char::is_whitespace) {
                f(t)
            }
        });
    }

    /// Calls `f` on each token of `line` in order, skipping whitespace-only tokens.
    ///
    /// jieba splits text per code point outside its dictionary, which can cut a grapheme
    /// cluster (a letter and its combining marks, an emoji with a skin tone or ZWJ
    /// sequence, a flag) into several tokens; such pieces are joined back into one token.
    /// Likewise a Latin-script word with letters beyond ASCII (`café`, `Zürich`), which jieba
    /// cuts at the first non-ASCII letter, is joined at the Unicode word boundaries (UAX #29).
    /// Han text and ASCII are left exactly as jieba cuts them.
    #[inline]
    pub fn for_each_token<'a>(&self, line: &'a str, mut f: impl FnMut(&'a str)) {
        let mut at = TokenCursor::default();
        while self.next_tokens(line, &mut at, &mut f) {}
    }

    /// The tokens of `line` as [`Segmenter::for_each_token`] gives them, a piece of about
    /// 64 KiB (`PIECE`) at a time, so a long line can be handled in parts of bounded size.
    /// Start with a new cursor; returns whether tokens remain after this call.
    #[inline]
    pub fn next_tokens<'a>(&self, line: &'a str, at: &mut TokenCursor, mut f: impl FnMut(&'a str)) -> bool {
        self.next_tokens_by(line, at, PIECE, |t, _| f(t))
    }

    /// [`Segmenter::next_tokens`] with each token's [`Tag`].
    #[inline]
    pub fn next_tagged_tokens<'a>(&self, line: &'a str, at: &mut TokenCursor, f: impl FnMut(&'a str, Tag)) -> bool {
        self.next_tokens_by(line, at, PIECE, f)
    }

    #[inline]
    fn next_tokens_by<'a>(
        &self,
        line: &'a str,
        at: &mut TokenCursor,
        piece: usize,
        mut f: impl FnMut(&'a str, Tag),
    ) -> bool {
        // `all` stops at the first non-whitespace character; `trim` would look at both ends.
        if at.from == 0 && line.chars().all(char::is_whitespace) {
            return false;
        }
        let mut emit = |(start, end, tag): (usize, usize, u32)| {
            let s = &line[start..end];
            if !s.chars().all(char::is_whitespace) {
                f(s, Tag::from_trie(tag))
            }
        };
        let (from, mut pending) = (at.from, at.pending);
        let to = piece_end(line, from, piece);
        self.cut_raw(&line[from..to], &mut |a, b, tag| {
            let (t_start, t_end) = (from + a, from + b);
            pending = match pending {
                // A joined token is no dictionary word.
                Some((start, end, _)) if end == t_start && joins(line, start, end, t_end) => Some((start, t_end, 0)),
                Some(token) => {
                    emit(token);
                    Some((t_start, t_end, tag))
                }
                None => Some((t_start, t_end, tag)),
            };
        });
        // The last token may yet join the next piece's first one.
        *at = TokenCursor { from: to, pending };
        if to < line.len() {
            return true;
        }
        if let Some(token) = pending {
            emit(token);
        }
        false
    }

    /// Segments `line` into `out` (cleared first), dropping whitespace-only tokens.
    pub fn cut<'a>(&self, line: &'a str, out: &mut Vec<&'a str>) {
        out.clear();
        self.for_each_token(line, |t| out.push(t));
    }
}

/// Where [`Segmenter::next_tokens`] goes on in a line.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokenCursor {
    from: usize,
    /// The last token seen, not yet given out: its byte range and trie tag.
    pending: Option<(usize, usize, u32)>,
}

/// Lines are cut in pieces of about this many bytes, so a long line needs no token list of
/// its own length.
const PIECE: usize = 64 << 10;

/// The end of the piece of `line` that starts at `from`: the first place after `piece`
/// bytes where jieba cuts anyway, or the end of the line. jieba segments maximal runs of
/// Han, ASCII letters, digits and `+#&._%-` each on its own, and emits every other
/// character as a token, except that `\r\n` is one; so after such another character, other
/// than `\r`, cutting the text changes no token.
fn piece_end(line: &str, from: usize, piece: usize) -> usize {
    if line.len() - from <= piece {
        return line.len();
    }
    let mut at = from + piece;
    while !line.is_char_boundary(at) {
        at += 1;
    }
    let mut prev = line[..at].chars().next_back();
    for (i, c) in line[at..].char_indices() {
        if prev.is_some_and(|p| !cut::is_run_char(p) && p != '\r') {
            return at + i;
        }
        prev = Some(c);
    }
    line.len()
}

/// The longest text for which a caller should build a segmenter `only_for` it: read no
/// more than this ahead.
pub const OWN_WORDS_MAX: usize = 512 << 10;

/// The longest text for which finding its own words in a vocab beats taking all of them.
/// The default vocab's words have no prefixes to stop a search early.
const VOCAB_OWN_WORDS_MAX: usize = 32 << 10;

/// A vocab's words, then its characters, as dictionary entries: a character that is also a
/// word keeps the character's count, as jieba keeps the last frequency given for a word.
/// The view is made once, for the many lookups.
struct VocabWords<'v> {
    vocab: &'v Vocab,
    view: View<'v>,
}

impl VocabWords<'_> {
    /// Calls `f` on every entry, in the order the whole dictionary adds them.
    fn for_each(&self, mut f: impl FnMut(&str, usize)) -> Result<()> {
        let (vocab, view) = (self.vocab, &self.view);
        // Counts add up in a usize; a table whose counts overflow it has no usable frequencies.
        let mut sum = 0usize;
        for kind in [Kind::Word, Kind::Char] {
            let table = view.table(kind);
            for id in 0..table.rows as u32 {
                let name = table.name(id).ok_or_else(|| {
                    Error::bad(format!("{}: corrupted vocab file: {kind:?} row {id} has a bad name", vocab.name()))
                })?;
                // jieba's dictionary syntax is whitespace-separated; such names can't be entries.
                if !name.contains(char::is_whitespace) {
                    let count = vocab_count(view, kind, id);
                    sum = sum.checked_add(count).ok_or_else(|| {
                        Error::option([
                            format!(
                                "{}: the counts of the table add up to more than {}, too many for a \
                                 dictionary of its own (",
                                vocab.name(),
                                usize::MAX
                            )
                            .into(),
                            Opt::SegDict.into(),
                            " vocab)".into(),
                        ])
                    })?;
                    f(name, count);
                }
            }
        }
        Ok(())
    }

    /// The frequency of `s` (which holds no whitespace), if it is an entry.
    fn get(&self, s: &str) -> Option<usize> {
        let view = &self.view;
        [Kind::Char, Kind::Word].into_iter().find_map(|k| Some(vocab_count(view, k, view.id(k, s)?)))
    }

    /// The frequency total, the longest word in bytes, and the words longer than
    /// [`SHORT_WORD`] bytes (a vocab's index knows no prefixes to stop a search).
    fn shape(&self) -> Result<Shape> {
        let mut shape = Shape::default();
        let mut long_lens = std::collections::BTreeSet::new();
        self.for_each(|word, freq| {
            shape.total = shape.total.wrapping_add(freq);
            shape.longest = shape.longest.max(word.len());
            if word.len() > SHORT_WORD {
                long_lens.insert(word.len());
                if !shape.long_heads.contains(head(word)) {
                    shape.long_heads.insert(head(word).to_owned());
                }
            }
        })?;
        shape.long_lens = long_lens.into_iter().collect();
        let view = &self.view;
        for id in 0..view.chars.rows as u32 {
            // A character that is also a word: its word count was replaced, not added.
            let name = view.chars.name(id).filter(|n| !n.contains(char::is_whitespace));
            if let Some(w) = name.and_then(|n| view.words.find(n.as_bytes())) {
                shape.total = shape.total.wrapping_sub(vocab_count(view, Kind::Word, w));
            }
        }
        Ok(shape)
    }

    fn build_whole(&self) -> Result<TrieBuilder> {
        let mut trie = TrieBuilder::default();
        self.for_each(|word, freq| {
            trie.insert(word, |_| (freq as f64).ln());
        })?;
        Ok(trie)
    }

    /// The dictionary restricted to the words that occur in `text`. Segmentation reads the
    /// dictionary only through substrings of the text and through the total, so with the
    /// whole dictionary's total it cuts `text` exactly as the whole dictionary does.
    fn build_for(&self, text: &str, shape: &Shape) -> TrieBuilder {
        let mut trie = TrieBuilder::default();
        // Adds `word` if it is in the dictionary.
        let mut add = |word: &str| {
            #[cfg(test)]
            tests::LOOKED_UP.with(|n| n.set(n.get() + word.len() as u64));
            if let Some(freq) = self.get(word) {
                trie.insert(word, |_| (freq as f64).ln());
            }
        };
        // Short words are looked up at every end; long ones only where the text has the head
        // of one, at the lengths long words have, so the cost stays linear in the text
        // however long the longest entry. (A vocab's index knows no prefixes.)
        let short = shape.longest.min(if shape.long_lens.is_empty() { usize::MAX } else { SHORT_WORD });
        let mut space = None; // the first whitespace at or after a start, or the text's end
        for (start, _) in text.char_indices() {
            let rest = &text[start..];
            for (i, c) in rest.char_indices() {
                let end = i + c.len_utf8();
                // Entries hold no whitespace, and none is longer than `longest`.
                if c.is_whitespace() || end > short {
                    break;
                }
                add(&rest[..end]);
            }
            if rest.len() <= SHORT_WORD || !shape.long_heads.contains(head(rest)) {
                continue;
            }
            let space = match space {
                Some(p) if p >= start => p,
                _ => *space.insert(rest.find(char::is_whitespace).map_or(text.len(), |p| start + p)),
            };
            for &len in shape.long_lens.iter().take_while(|&&len| start + len <= space) {
                if rest.is_char_boundary(len) {
                    add(&rest[..len]);
                }
            }
        }
        trie
    }
}

/// Words longer than this many bytes are looked for by their head (see
/// [`VocabWords::build_for`]).
const SHORT_WORD: usize = 32;

/// The first [`SHORT_WORD`] bytes of `s`, cut back to a character boundary. A long word's
/// head is the head of any text that starts with the word.
fn head(s: &str) -> &str {
    let mut end = SHORT_WORD.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// What [`VocabWords::build_for`] needs to know of the whole dictionary.
#[derive(Default)]
struct Shape {
    total: usize,
    longest: usize,
    /// The distinct lengths of the words longer than [`SHORT_WORD`], ascending.
    long_lens: Vec<usize>,
    /// The heads of those words.
    long_heads: std::collections::HashSet<String>,
}

fn vocab_count(view: &View<'_>, kind: Kind, id: u32) -> usize {
    usize::try_from(view.table(kind).count(id)).unwrap_or(usize::MAX).max(1)
}

/// Characters that are always a grapheme cluster of their own between two others of this
/// set, so text made only of them (nearly all input) can skip the grapheme rules:
/// Grapheme_Cluster_Break=Other and not an Indic conjunct character. Printable ASCII,
/// Latin-1 letters and signs, general punctuation, CJK punctuation and ideographs, and
/// fullwidth forms; `plain_chars_are_graphemes` checks the whole set.
#[inline(always)]
pub(crate) fn is_plain_char(c: char) -> bool {
    // Most common first: CJK ideographs, then ASCII.
    ('\u{4e00}'..='\u{9fff}').contains(&c)
        || c.is_ascii_graphic()
        || matches!(c, '\u{a1}'..='\u{ac}'
        | '\u{ae}'..='\u{2ff}'
        | '\u{2010}'..='\u{2027}'
        | '\u{2030}'..='\u{205e}'
        | '\u{3001}'..='\u{3029}'
        | '\u{3041}'..='\u{3096}'
        | '\u{30a0}'..='\u{30ff}'
        | '\u{3400}'..='\u{9fff}'
        | '\u{ff01}'..='\u{ff9d}')
}

/// Whether the tokens `line[start..at]` and `line[at..end]`, which jieba cut apart, are one:
/// the cut falls inside a grapheme cluster, or inside one word by the Unicode word-boundary
/// rules (UAX #29). The latter is only asked when both neighbours are non-Han letters or
/// digits and one of them is beyond ASCII, so jieba's own ASCII and Han cuts stay.
#[inline(always)]
fn joins(line: &str, start: usize, at: usize, end: usize) -> bool {
    // Two ideographs of U+4E00..=U+9FFF, nearly every boundary in Chinese text, never join:
    // known from their lead bytes without decoding them, and without a call.
    let bytes = line.as_bytes();
    if at >= 3 && is_ideograph_at(bytes, at) && is_ideograph_at(bytes, at - 3) {
        return false;
    }
    joins_decoded(line, start, at, end)
}

#[inline(never)]
fn joins_decoded(line: &str, start: usize, at: usize, end: usize) -> bool {
    let (Some(b), Some(a)) = (line[..at].chars().next_back(), line[at..].chars().next()) else {
        return false;
    };
    // Cheap tests first: this runs at every token boundary. Two ASCII characters are never
    // one grapheme inside a line (only CR LF is, and a line holds no LF).
    if b.is_ascii() && a.is_ascii() {
        return false;
    }
    let plain = is_plain_char(b) && is_plain_char(a);
    if !plain && matches!(GraphemeCursor::new(at, line.len(), true).is_boundary(line, 0), Ok(false)) {
        return true;
    }
    if is_han(b) || is_han(a) || !(b.is_alphanumeric() && a.is_alphanumeric()) {
        return false;
    }
    !line[start..end].split_word_bound_indices().any(|(i, _)| i == at - start)
}

/// Whether the character at byte `i` of valid UTF-8 is in U+4E00..=U+9FFF (E4 B8 80 to
/// E9 BF BF).
#[inline(always)]
fn is_ideograph_at(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(0xe5..=0xe9) => true,
        Some(0xe4) => bytes.get(i + 1).is_some_and(|&b| b >= 0xb8),
        _ => false,
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Bytes of text looked up in the dictionary by [`Words::build_for`] on this thread.
        pub static LOOKED_UP: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    #[test]
    fn standard_trie_tags_the_default_tables_rows() {
        let seg = Segmenter::standard();
        let trie = seg.base();
        let vocab = crate::default_vocab::open().unwrap();
        let words = vocab.view().words;
        let mut in_table = std::collections::HashSet::new();
        let mut tagged = 0;
        for row in 0..words.rows as u32 {
            let name = words.name(row).unwrap();
            in_table.insert(name);
            let Some((_, value, tag)) = trie.get(name).filter(|_| name.chars().count() > 1) else { continue };
            if !value.is_nan() {
                assert_eq!(Tag::from_trie(tag), Tag::DefaultRow(row), "{name}");
                tagged += 1;
            }
        }
        // Most of the table's words come from the dictionary.
        assert!(tagged > 80_000, "{tagged} rows tagged");
        let dict = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/vocab/jieba-dict.txt")).unwrap();
        let mut absent = 0;
        for word in dict.lines().filter_map(|l| l.split_whitespace().next()) {
            if word.chars().count() > 1 && !in_table.contains(word) {
                let (_, _, tag) = trie.get(word).unwrap();
                assert_eq!(Tag::from_trie(tag), Tag::NotInDefault, "{word}");
                absent += 1;
            }
        }
        assert!(absent > 200_000, "{absent} dictionary words outside the table");
        // Tries built at run time have no tags.
        let mut built = TrieBuilder::default();
        built.insert("北京", |_| 1.0);
        let built = built.finish();
        let built = TrieRef::new(&built.slots, &built.root, &built.filter, false).unwrap();
        assert_eq!(built.get("北京").unwrap().2, 0);
    }

    #[test]
    fn tagged_tokens_are_route_words_only() {
        let seg = Segmenter::standard();
        // 来到, 北京 and 大学 are dictionary words of the default table; a joined grapheme and a
        // single character carry no row.
        let view = crate::default_vocab::open().unwrap();
        let row = |w: &str| view.view().words.find(w.as_bytes()).unwrap();
        let mut got = Vec::new();
        let mut at = TokenCursor::default();
        while seg.next_tagged_tokens("我来到北京e\u{301}大学", &mut at, |t, tag| got.push((t.to_string(), tag)))
        {
        }
        let want = [
            ("我", Tag::Unknown),
            ("来到", Tag::DefaultRow(row("来到"))),
            ("北京", Tag::DefaultRow(row("北京"))),
            ("e\u{301}", Tag::Unknown),
            ("大学", Tag::DefaultRow(row("大学"))),
        ];
        assert_eq!(got, want.map(|(t, tag)| (t.to_string(), tag)));
    }

    /// Every line of `text`, cut by `seg`.
    fn cut_lines(seg: &Segmenter, text: &str) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        text.lines()
            .map(|line| {
                seg.cut(line, &mut out);
                out.iter().map(|t| t.to_string()).collect()
            })
            .collect()
    }

    #[test]
    fn the_standard_trie_is_jiebas_dictionary() {
        // Python jieba's total: dict.txt's frequencies, `B超 3` counted twice.
        let seg = Segmenter::standard();
        assert_eq!(seg.base_total, 60_101_967);
        let base = seg.base();
        let (_, v, _) = base.get("清华大学").unwrap();
        assert_eq!(v, 922f64.ln());
        assert!(base.get("清华大").unwrap().1.is_nan(), "a prefix only");
        assert!(base.get("清华大学北").is_none());
        // Every word, with its frequency given back by exp and rounding.
        for line in include_str!("../../vocab/jieba-dict.txt").lines() {
            let mut f = line.split(' ');
            let (word, freq) = (f.next().unwrap(), f.next().unwrap().parse::<u64>().unwrap());
            let (_, v, _) = base.get(word).unwrap();
            assert_eq!(v, (freq as f64).ln(), "{word}");
            assert_eq!(v.exp().round() as u64, freq, "{word}");
        }
    }

    #[test]
    fn the_filter_passes_every_node_and_stops_most_others() {
        let seg = Segmenter::standard();
        let base = seg.base();
        let (mut nodes, mut others, mut stopped) = (0, 0, 0);
        for line in include_str!("../../vocab/jieba-dict.txt").lines().step_by(7) {
            let word: Vec<char> = line.split(' ').next().unwrap().chars().collect();
            let mut node = trie::ROOT;
            for &c in &word {
                assert!(base.prefetch(node, c), "{word:?}");
                node = base.child(node, c).unwrap().0;
                nodes += 1;
            }
            // A word's node has few children: most characters lead nowhere from it.
            for c in "的了是在不有人这中大为上个国我以要他".chars() {
                if base.child(node, c).is_none() {
                    others += 1;
                    stopped += usize::from(!base.prefetch(node, c));
                }
            }
        }
        assert!(nodes > 100_000, "{nodes}");
        // 8 filter bits per slot and at most one node per two slots: about 6% get through.
        assert!(stopped * 100 > others * 85, "{stopped} of {others} stopped");
    }

    #[test]
    fn a_vocab_dictionary_for_one_text_cuts_it_as_the_whole_one_does() {
        let vocab = crate::default_vocab::open().unwrap();
        let text = include_str!("../../testdata/headlines.txt").to_owned() + "结婚的和尚未结婚的\n北京 天气\n";
        let whole = Segmenter::from_vocab(&vocab).unwrap();
        let part = Segmenter::new(SegDict::Vocab, Some(&vocab), Some(&text)).unwrap();
        assert_eq!(cut_lines(&part, &text), cut_lines(&whole, &text));
    }

    /// A vocab whose words include two of `long` characters and more sharing their head.
    fn vocab_with_long_words(dir: &std::path::Path, long: usize) -> (Vocab, String) {
        use crate::vocab::{write_vocab, Dtype, TableData, VocabData};
        let word: String = (0..long as u32).filter_map(|i| char::from_u32(0x4e00 + i % 20000)).collect();
        let mut words = TableData::new(1);
        words.push("北京".into(), &[1.0], 100);
        words.push(word.clone(), &[2.0], 7);
        words.push(word[..word.len() - 3].to_owned(), &[3.0], 5);
        words.push(word[..120].to_owned(), &[4.0], 3);
        let mut chars = TableData::new(1);
        for (i, c) in "北京天气好".chars().enumerate() {
            chars.push(c.into(), &[i as f32], 10);
        }
        let path = dir.join("long.zv");
        let meta = serde_json::json!({"source": "test"});
        write_vocab(&path, &VocabData { words, chars, dtype: Dtype::F32, meta }).unwrap();
        (Vocab::open(&path).unwrap(), word)
    }

    #[test]
    fn a_vocab_dictionary_for_one_text_looks_up_linearly_with_long_words() {
        let dir = tempfile::tempdir().unwrap();
        let (vocab, word) = vocab_with_long_words(dir.path(), 3414);
        let text = format!("北京天气好{word}北京 {} {}\n{}", &word[..3000], &word[..123], word.repeat(2));
        LOOKED_UP.with(|n| n.set(0));
        let part = Segmenter::new(SegDict::Vocab, Some(&vocab), Some(&text)).unwrap();
        let looked_up = LOOKED_UP.with(|n| n.get());
        // About 55 bytes per byte of text for the short words, plus the long words where
        // their heads occur; every end up to the longest word would be ~10⁵ per byte here.
        assert!(looked_up < 100 * text.len() as u64, "{looked_up} bytes looked up for a {}-byte text", text.len());
        let whole = Segmenter::from_vocab(&vocab).unwrap();
        let cut = cut_lines(&part, &text);
        assert_eq!(cut, cut_lines(&whole, &text));
        assert!(cut[0].contains(&word), "{:?}", cut[0].iter().map(|t| t.chars().count()).collect::<Vec<_>>());
        assert!(cut[0].contains(&word[..120].to_owned()));
    }

    #[test]
    fn a_long_line_cut_in_pieces_cuts_as_a_whole() {
        let seg = Segmenter::standard();
        let text = include_str!("../../testdata/headlines.txt");
        let seps = ["，", " ", "\r", "\t", "e\u{301}", "\r\r", "👍🏽", "", "ab", "。”", "café"];
        let line: String = text.lines().enumerate().map(|(i, l)| format!("{l}{}", seps[i % seps.len()])).collect();
        let by = |piece| {
            let (mut v, mut at, mut calls) = (Vec::new(), TokenCursor::default(), 1);
            while seg.next_tokens_by(&line, &mut at, piece, |t, _| v.push(t)) {
                calls += 1;
            }
            (v, calls)
        };
        let (whole, calls) = by(usize::MAX);
        assert_eq!(calls, 1);
        for piece in [1, 7, 100, 4096] {
            let (got, calls) = by(piece);
            assert_eq!(got, whole, "pieces of {piece} bytes");
            assert!(calls > line.len() / piece / 50, "{calls} pieces of {piece} bytes");
        }
    }

    #[test]
    fn standard_dictionary_matches_jieba() {
        let seg = Segmenter::standard();
        let mut out = Vec::new();
        seg.cut("我来到北京清华大学", &mut out);
        assert_eq!(out, ["我", "来到", "北京", "清华大学"]);
        seg.cut("  他 来了\t", &mut out);
        assert_eq!(out, ["他", "来", "了"]);
        seg.cut("   ", &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn plain_chars_are_graphemes() {
        // The grapheme rules join a pair only through a class outside Other (Extend, ZWJ,
        // Prepend, SpacingMark, Hangul, regional indicators, controls); each such class
        // shows up in one of these pairs.
        let plain = (0..=0x10_ffffu32).filter_map(char::from_u32).filter(|&c| is_plain_char(c));
        for c in plain {
            for s in [format!("a{c}"), format!("{c}a"), format!("{c}{c}"), format!("中{c}"), format!("{c}中")] {
                assert_eq!(s.graphemes(true).count(), 2, "U+{:04X} in {s:?}", c as u32);
            }
        }
    }

    #[test]
    fn grapheme_clusters_stay_in_one_token() {
        let seg = Segmenter::standard();
        let mut out = Vec::new();
        seg.cut("e\u{301}北京", &mut out);
        assert_eq!(out, ["e\u{301}", "北京"]);
        seg.cut("好👍🏽🇨🇳", &mut out);
        assert_eq!(out, ["好", "👍🏽", "🇨🇳"]);
        seg.cut("abc def", &mut out);
        assert_eq!(out, ["abc", "def"]);
    }

    #[test]
    fn latin_words_with_accents_stay_whole() {
        let seg = Segmenter::standard();
        let mut out = Vec::new();
        seg.cut("我在café喝咖啡", &mut out);
        assert!(out.contains(&"café"), "{out:?}");
        seg.cut("Zürich和Genève", &mut out);
        assert_eq!(out, ["Zürich", "和", "Genève"]);
        // ASCII and Han are cut exactly as jieba cuts them.
        seg.cut("iPhone15发布会", &mut out);
        assert_eq!(out, seg.jieba_tokens("iPhone15发布会"));
    }
}
