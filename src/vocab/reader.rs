//! `Vocab::open`: maps a `.zv` file, validates its header and section bounds in O(1),
//! and answers lookups in place. Nothing is parsed or copied on open.

use std::fs::File;
use std::ops::Range;
use std::path::Path;

use memmap2::Mmap;

use super::format::{
    checksum, show_value, Dtype, Header, Section, TableSections, ALIGN, BMP_LEN, CHAR_SECTIONS, EMPTY_SLOT,
    FLAG_NO_SINGLE_CHAR_WORDS, HEADER_LEN, MAX_DIM, NO_ROW, WORD_SECTIONS,
};
use super::quant::{AddRow, Row, Rows};
use crate::error::{Error, Result};
use crate::hash::{name_hash, probe, tag};

enum Bytes {
    Mapped(Mmap),
    Static(&'static [u8]),
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Static(s) => s,
        }
    }
}

/// The validated byte ranges of one table.
#[derive(Clone, Debug)]
struct Table {
    rows: usize,
    dim: usize,
    total: u64,
    strings: Range<usize>,
    offsets: Range<usize>,
    slots: Range<usize>,
    vectors: Range<usize>,
    scales: Range<usize>,
    counts: Range<usize>,
}

/// Which of the two tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Word,
    Char,
}

/// One entry of a table, as yielded by [`Vocab::entries`].
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub id: u32,
    pub name: &'a str,
    pub row: Row<'a>,
    pub count: u64,
}

/// A memory-mapped vocab: a word table and a character table.
pub struct Vocab {
    bytes: Bytes,
    name: String,
    header: Header,
    words: Table,
    chars: Table,
    bmp: Range<usize>,
    /// Names the mapped file in the message of a SIGBUS (the file truncated under the map).
    _mapped: Option<crate::interrupt::TableGuard>,
}

impl std::fmt::Debug for Vocab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vocab").field("name", &self.name).field("header", &self.header).finish()
    }
}

impl Vocab {
    /// Maps and validates a vocab file. Costs O(1) in the size of the table.
    pub fn open(path: impl AsRef<Path>) -> Result<Vocab> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| Error::io_path("cannot open vocab", path, e))?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(Error::bad(format!("{}: is a directory, not a vocab file", path.display())));
        }
        // SAFETY: the map is read-only; like every mmap reader we rely on the file not being
        // truncated by another process while mapped. Every read is bounds-checked against
        // the length validated here, so a corrupt file cannot cause an out-of-bounds read.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io_path("cannot map vocab", path, e))?;
        let mut vocab = Vocab::from_bytes(Bytes::Mapped(map), path.display().to_string())?;
        vocab._mapped = Some(crate::interrupt::TableGuard::new(path));
        Ok(vocab)
    }

    /// Uses a table that is already in memory, such as one embedded in the binary.
    /// The slice must start on a 64-byte boundary.
    pub fn from_static(bytes: &'static [u8], name: &str) -> Result<Vocab> {
        Vocab::from_bytes(Bytes::Static(bytes), name.to_string())
    }

    /// Whether this vocab uses `bytes` in place (see [`Vocab::from_static`]).
    pub fn is_static(&self, bytes: &'static [u8]) -> bool {
        matches!(self.bytes, Bytes::Static(b) if std::ptr::eq(b, bytes))
    }

    fn from_bytes(bytes: Bytes, name: String) -> Result<Vocab> {
        let data = bytes.as_slice();
        let header = Header::decode(data, &name)?;
        if !(data.as_ptr() as usize).is_multiple_of(ALIGN) {
            return Err(Error::bad(format!("{name}: the table is not 64-byte aligned in memory")));
        }
        let file_len = data.len();
        let bad = |what: String| Error::bad(format!("{name}: corrupted vocab file: {what}"));
        let section = |s: Section, expected: Option<u64>| -> Result<Range<usize>> {
            let (off, len) = header.section(s);
            let end = off.checked_add(len).ok_or_else(|| bad(format!("section {s:?} overflows")))?;
            if (len > 0 && (off < HEADER_LEN as u64 || off % ALIGN as u64 != 0)) || end > file_len as u64 {
                return Err(bad(format!("section {s:?} at {off}+{len} lies outside the {file_len}-byte file")));
            }
            if let Some(want) = expected {
                if want != len {
                    return Err(bad(format!("section {s:?} is {len} bytes, expected {want}")));
                }
            }
            Ok(off as usize..end as usize)
        };
        let table = |sec: TableSections, rows: u64, dim: u32, total: u64| -> Result<Table> {
            let elems = rows.checked_mul(dim as u64).ok_or_else(|| bad("row count overflows".into()));
            let vec_bytes =
                elems?.checked_mul(header.dtype.size() as u64).ok_or_else(|| bad("row count overflows".into()))?;
            if rows >= NO_ROW as u64 {
                return Err(bad(format!("{rows} rows is more than the format allows")));
            }
            let scale_bytes = if header.dtype == Dtype::Int8 { rows * 4 } else { 0 };
            let t = Table {
                rows: rows as usize,
                dim: dim as usize,
                total,
                strings: section(sec.strings, None)?,
                offsets: section(sec.offsets, Some((rows + 1) * 4))?,
                slots: section(sec.slots, None)?,
                vectors: section(sec.vectors, Some(vec_bytes))?,
                scales: section(sec.scales, Some(scale_bytes))?,
                counts: section(sec.counts, Some(rows * 8))?,
            };
            let cap = t.slots.len() / 8;
            if !t.slots.len().is_multiple_of(8) || !cap.is_power_of_two() || cap <= t.rows {
                return Err(bad(format!("{:?} index has a bad size", sec.slots)));
            }
            // With no rows, any dimension passes the checks above; each embedded line would
            // still allocate rows of it.
            if dim > MAX_DIM {
                return Err(bad(format!("dimension {dim} is more than the {MAX_DIM} supported")));
            }
            Ok(t)
        };
        let words = table(WORD_SECTIONS, header.words, header.dim, header.word_total)?;
        let chars = table(CHAR_SECTIONS, header.chars, header.char_dim, header.char_total)?;
        let bmp_len = header.section(Section::CharBmp).1;
        // The writer stores the character index exactly when there are characters.
        let want_bmp = if header.chars > 0 { (BMP_LEN * 4) as u64 } else { 0 };
        if bmp_len != want_bmp {
            return Err(bad(format!("CharBmp is {bmp_len} bytes, expected {want_bmp} for {} chars", header.chars)));
        }
        let bmp = section(Section::CharBmp, None)?;
        section(Section::Meta, None)?;
        header.check_layout().map_err(bad)?;
        if header.flags & !FLAG_NO_SINGLE_CHAR_WORDS != 0 {
            return Err(bad(format!("unknown flags {:#x}", header.flags)));
        }
        // The only reads of the body on open: two name offsets per table.
        for (t, sec) in [(&words, WORD_SECTIONS), (&chars, CHAR_SECTIONS)] {
            let offs: &[u32] = cast(&data[t.offsets.clone()]);
            if offs[0] != 0 || offs[t.rows] as usize != t.strings.len() {
                return Err(bad(format!("{:?} do not match the string section", sec.offsets)));
            }
        }
        Ok(Vocab { bytes, name, header, words, chars, bmp, _mapped: None })
    }

    fn data(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    fn table(&self, kind: Kind) -> &Table {
        match kind {
            Kind::Word => &self.words,
            Kind::Char => &self.chars,
        }
    }

    /// The name the vocab was opened under (its path, or "embedded default").
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    pub fn dtype(&self) -> Dtype {
        self.header.dtype
    }

    pub fn len(&self, kind: Kind) -> usize {
        self.table(kind).rows
    }

    pub fn is_empty(&self) -> bool {
        self.words.rows == 0 && self.chars.rows == 0
    }

    /// Dimension of the rows of a table.
    pub fn dim(&self, kind: Kind) -> usize {
        self.table(kind).dim
    }

    /// True when no word-table name is a single code point (see the header flags).
    pub fn words_are_multichar(&self) -> bool {
        self.header.flags & FLAG_NO_SINGLE_CHAR_WORDS != 0
    }

    /// The lookups: typed views of the sections. Cheap, but not free: build it once for
    /// many lookups rather than once per lookup.
    pub fn view(&self) -> View<'_> {
        let data = self.data();
        let table = |t: &Table| {
            let vectors = &data[t.vectors.clone()];
            TableView {
                rows: t.rows,
                dim: t.dim,
                strings: &data[t.strings.clone()],
                offsets: cast(&data[t.offsets.clone()]),
                slots: cast(&data[t.slots.clone()]),
                vectors: match self.header.dtype {
                    Dtype::F32 => Vectors::F32(cast(vectors)),
                    Dtype::F16 => Vectors::F16(cast(vectors)),
                    Dtype::Int8 => Vectors::Int8 { values: cast(vectors), scales: cast(&data[t.scales.clone()]) },
                },
                counts: cast(&data[t.counts.clone()]),
            }
        };
        View { words: table(&self.words), chars: table(&self.chars), bmp: cast(&data[self.bmp.clone()]) }
    }

    /// The sum of all frequencies of a table (the denominator of p(w)).
    pub fn total(&self, kind: Kind) -> u64 {
        self.table(kind).total
    }

    /// Every entry of a table, in row order (most frequent first).
    pub fn entries(&self, kind: Kind) -> impl Iterator<Item = Entry<'_>> + '_ {
        let t = *self.view().table(kind);
        (0..t.rows as u32).map(move |id| Entry {
            id,
            name: t.name(id).unwrap_or("\u{fffd}"),
            row: t.row(id),
            count: t.count(id),
        })
    }

    /// The metadata object (source, build options, ...).
    pub fn meta(&self) -> Result<serde_json::Value> {
        let (off, len) = self.header.section(Section::Meta);
        let bytes = &self.data()[off as usize..(off + len) as usize];
        if bytes.is_empty() {
            return Ok(serde_json::Value::Object(Default::default()));
        }
        serde_json::from_slice(bytes).map_err(|e| Error::bad(format!("{}: corrupted metadata: {e}", self.name)))
    }

    /// Full check: the body checksum, then everything the checksum can vouch for only if
    /// the writer was right: every name, offset, index entry and value, the totals, the
    /// flags, the padding between sections and the metadata.
    pub fn verify(&self) -> Result<()> {
        let bad = |what: String| Error::bad(format!("{}: verification failed: {what}", self.name));
        let data = self.data();
        if checksum(&data[HEADER_LEN..]) != self.header.body_checksum {
            return Err(bad("checksum mismatch (the file is corrupted)".into()));
        }
        // Open checked the layout; the bytes between sections are padding and must be zero.
        let mut end = HEADER_LEN;
        for s in Section::ALL {
            let (off, len) = self.header.section(s);
            if len == 0 {
                continue;
            }
            if data[end..off as usize].iter().any(|&b| b != 0) {
                return Err(bad(format!("non-zero bytes in the padding before section {s:?}")));
            }
            end = (off + len) as usize;
        }
        if data[end..].iter().any(|&b| b != 0) {
            return Err(bad("non-zero bytes in the padding at the end".into()));
        }
        self.meta().map_err(|e| bad(e.to_string()))?;
        let view = self.view();
        for kind in [Kind::Word, Kind::Char] {
            let t = view.table(kind);
            if t.offsets.windows(2).any(|w| w[0] > w[1]) {
                return Err(bad(format!("{kind:?} name offsets are not increasing")));
            }
            for id in 0..t.rows as u32 {
                let name = t.name(id).ok_or_else(|| bad(format!("{kind:?} row {id} has a bad name")))?;
                if t.find(name.as_bytes()) != Some(id) {
                    return Err(bad(format!("{kind:?} index does not lead to row {id} ({name:?})")));
                }
            }
            // A pass of its own: between the index lookups above it would stall their
            // cache misses, which otherwise overlap.
            for id in 0..t.rows as u32 {
                if let Some(problem) = t.value_problem(id) {
                    let name = t.name(id).unwrap_or_default();
                    return Err(bad(format!("{kind:?} row {id} ({name:?}) {problem}")));
                }
            }
            let used = t.slots.iter().filter(|&&s| s != EMPTY_SLOT).count();
            if used != t.rows {
                return Err(bad(format!("{kind:?} index has {used} entries for {} rows", t.rows)));
            }
            let sum = t.counts.iter().try_fold(0u64, |a, &c| a.checked_add(c));
            if sum != Some(self.table(kind).total) {
                return Err(bad(format!(
                    "{kind:?} frequency total is {}, but the counts add up to {}",
                    self.table(kind).total,
                    sum.map_or("more than 2^64".into(), |s| s.to_string())
                )));
            }
        }
        let single =
            (0..view.words.rows as u32).filter_map(|id| view.words.name(id)).find(|n| n.chars().nth(1).is_none());
        match (single, self.words_are_multichar()) {
            (Some(name), true) => {
                return Err(bad(format!("the header says no word is one character long, but {name:?} is")));
            }
            (None, false) => return Err(bad("the header flag for words longer than one character is missing".into())),
            _ => {}
        }
        if !view.bmp.is_empty() {
            for (cp, &id) in view.bmp.iter().enumerate() {
                if id == NO_ROW {
                    continue;
                }
                let c = char::from_u32(cp as u32);
                let ok = c.is_some_and(|c| {
                    id < view.chars.rows as u32 && view.chars.name(id) == Some(c.encode_utf8(&mut [0; 4]))
                });
                if !ok {
                    return Err(bad(format!("character index entry U+{cp:04X} is wrong")));
                }
            }
            // A character missing from the index would be missed by every lookup.
            for id in 0..view.chars.rows as u32 {
                let mut it = view.chars.name(id).unwrap_or_default().chars();
                if let (Some(c), None) = (it.next(), it.next()) {
                    if view.bmp.get(c as usize).is_some_and(|&at| at != id) {
                        return Err(bad(format!("character index has no entry for row {id} ({c:?})")));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The vectors of one table, typed by the file's dtype.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Vectors<'a> {
    F32(&'a [f32]),
    F16(&'a [u16]),
    Int8 { values: &'a [i8], scales: &'a [f32] },
}

/// One table's sections as typed slices. They are cut from the ranges validated on open,
/// and every access below stays bounds-checked, so a corrupted file cannot read outside.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TableView<'a> {
    pub rows: usize,
    pub dim: usize,
    strings: &'a [u8],
    offsets: &'a [u32],
    slots: &'a [u64],
    pub vectors: Vectors<'a>,
    counts: &'a [u64],
}

impl<'a> TableView<'a> {
    /// The row id of `name`.
    #[inline]
    pub fn find(&self, name: &[u8]) -> Option<u32> {
        self.find_hashed(name, name_hash(name))
    }

    /// Starts loading the index slot of a name with hash `h` (its [`name_hash`]), so that a
    /// [`TableView::find_hashed`] soon after does not wait for memory.
    #[inline(always)]
    pub fn prefetch_slot(&self, h: u64) {
        prefetch(self.slots, h as usize & self.slots.len().wrapping_sub(1));
    }

    /// Starts loading what a lookup of hash `h` will read next, if its first slot is taken
    /// by a name of the same tag: that row's name offsets and vector. Best after
    /// [`TableView::prefetch_slot`] has had time to bring the slot in.
    #[inline(always)]
    pub fn prefetch_candidate(&self, h: u64) {
        let Some(&s) = self.slots.get(h as usize & self.slots.len().wrapping_sub(1)) else { return };
        if s == EMPTY_SLOT || s >> 32 != u64::from(tag(h)) {
            return;
        }
        let id = s as u32;
        prefetch(self.offsets, id as usize);
        self.prefetch_row(id);
    }

    /// Starts loading the vector (and scale) of row `id`.
    #[inline(always)]
    pub fn prefetch_row(&self, id: u32) {
        let id = id as usize;
        let at = id.saturating_mul(self.dim);
        match self.vectors {
            Vectors::F32(v) => prefetch_range(v, at, self.dim),
            Vectors::F16(v) => prefetch_range(v, at, self.dim),
            Vectors::Int8 { values, scales } => {
                prefetch_range(values, at, self.dim);
                prefetch(scales, id);
            }
        }
    }

    /// Starts loading the name of the candidate of a lookup of hash `h` (see
    /// [`TableView::prefetch_candidate`]), which the lookup compares; its offsets should be on
    /// their way already.
    #[inline(always)]
    pub fn prefetch_candidate_name(&self, h: u64) {
        let Some(&s) = self.slots.get(h as usize & self.slots.len().wrapping_sub(1)) else { return };
        if s == EMPTY_SLOT || s >> 32 != u64::from(tag(h)) {
            return;
        }
        if let Some(&at) = self.offsets.get(s as u32 as usize) {
            prefetch(self.strings, at as usize);
        }
    }

    /// [`TableView::find`] with the name's hash already computed.
    #[inline]
    pub fn find_hashed(&self, name: &[u8], h: u64) -> Option<u32> {
        let tag = u64::from(tag(h));
        // The slot count was validated on open: a power of two.
        for i in probe(h, self.slots.len()) {
            let s = self.slots[i];
            if s == EMPTY_SLOT {
                return None;
            }
            if s >> 32 == tag {
                let id = s as u32;
                if self.name_bytes(id).is_some_and(|n| same_bytes(n, name)) {
                    return Some(id);
                }
            }
        }
        None
    }

    #[inline]
    fn name_bytes(&self, id: u32) -> Option<&'a [u8]> {
        let i = id as usize;
        let (a, b) = (*self.offsets.get(i)? as usize, *self.offsets.get(i + 1)? as usize);
        self.strings.get(a..b)
    }

    /// The name of row `id`; `None` when out of range or not UTF-8 (a corrupted file).
    pub fn name(&self, id: u32) -> Option<&'a str> {
        std::str::from_utf8(self.name_bytes(id)?).ok()
    }

    /// Row `id`. Panics if `id` is out of range.
    #[inline]
    pub fn row(&self, id: u32) -> Row<'a> {
        let (i, d) = (id as usize, self.dim);
        match self.vectors {
            Vectors::F32(v) => Row::F32(&v[i * d..(i + 1) * d]),
            Vectors::F16(v) => Row::F16(&v[i * d..(i + 1) * d]),
            Vectors::Int8 { values, scales } => Row::Int8 { values: &values[i * d..(i + 1) * d], scale: scales[i] },
        }
    }

    /// What is wrong with the stored values of row `id`, if anything: infinity or NaN
    /// (for int8, in the row's scale, or a negative scale).
    fn value_problem(&self, id: u32) -> Option<String> {
        let (i, d) = (id as usize, self.dim);
        // The largest magnitude as bits is one vectorized pass; infinity and NaN have every
        // exponent bit set, so they are the ones at or above the bits of infinity.
        let finite = match self.vectors {
            Vectors::F32(v) => {
                v.get(i * d..(i + 1) * d)?.iter().map(|x| x.to_bits() & 0x7fff_ffff).fold(0, u32::max) < 0x7f80_0000
            }
            Vectors::F16(v) => v.get(i * d..(i + 1) * d)?.iter().map(|&h| h & 0x7fff).fold(0, u16::max) < 0x7c00,
            Vectors::Int8 { values, scales } => {
                let scale = *scales.get(i)?;
                let max = values.get(i * d..(i + 1) * d)?.iter().map(|q| q.unsigned_abs()).fold(0, u8::max);
                // The values are q × scale, as in [`Row::add_to`].
                let ok = scale.is_finite() && scale >= 0.0 && (max as f32 * scale).is_finite();
                return (!ok).then(|| {
                    format!("has the int8 scale {}, which gives values that are not finite", show_value(scale))
                });
            }
        };
        if finite {
            return None;
        }
        let row = self.row(id).to_vec();
        let k = row.iter().position(|x| !x.is_finite())?;
        Some(format!("has a value that is not a finite number (component {k}: {})", row[k]))
    }

    /// The stored frequency of row `id`. Panics if `id` is out of range.
    #[inline]
    pub fn count(&self, id: u32) -> u64 {
        self.counts[id as usize]
    }
}

/// Hints the CPU to load element `i` of `s` into cache; nothing if `i` is out of range.
#[inline(always)]
fn prefetch<T>(s: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = s.get(i) {
        // SAFETY: a prefetch is only a hint: it cannot fault, and it changes nothing the
        // program can observe. The address is inside `s` anyway.
        unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((x as *const T).cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (s, i);
}

/// [`prefetch`] for every cache line of `s[at..at + len]`.
#[inline(always)]
fn prefetch_range<T>(s: &[T], at: usize, len: usize) {
    let per_line = (64 / std::mem::size_of::<T>()).max(1);
    for i in (at..at.saturating_add(len)).step_by(per_line) {
        prefetch(s, i);
    }
    // The last element can sit on one more line when the row is not line-aligned.
    prefetch(s, at.saturating_add(len).saturating_sub(1));
}

/// Typed views of both tables of a [`Vocab`], made by [`Vocab::view`].
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    pub(crate) words: TableView<'a>,
    pub(crate) chars: TableView<'a>,
    /// Empty, or exactly `BMP_LEN` entries (checked on open).
    bmp: &'a [u32],
}

impl<'a> View<'a> {
    #[inline]
    pub(crate) fn table(&self, kind: Kind) -> &TableView<'a> {
        match kind {
            Kind::Word => &self.words,
            Kind::Char => &self.chars,
        }
    }

    /// The row id of a character: one array load for the Basic Multilingual Plane.
    #[inline(always)]
    pub fn char_id(&self, c: char) -> Option<u32> {
        if let Some(&id) = self.bmp.get(c as usize) {
            return (id < self.chars.rows as u32).then_some(id);
        }
        let mut buf = [0u8; 4];
        self.chars.find(c.encode_utf8(&mut buf).as_bytes())
    }

    /// The row id of a character-table entry, which may be a multi-code-point grapheme.
    #[inline]
    pub fn grapheme_id(&self, g: &str) -> Option<u32> {
        let mut it = g.chars();
        match (it.next(), it.next()) {
            (Some(c), None) => self.char_id(c),
            _ => self.chars.find(g.as_bytes()),
        }
    }

    /// The row id of `name` in a table.
    #[inline]
    pub fn id(&self, kind: Kind, name: &str) -> Option<u32> {
        match kind {
            Kind::Word => self.words.find(name.as_bytes()),
            Kind::Char => self.grapheme_id(name),
        }
    }

    /// The word vector of `word`, if the word table has it.
    #[inline]
    pub fn word(&self, word: &str) -> Option<Row<'a>> {
        self.words.find(word.as_bytes()).map(|id| self.words.row(id))
    }

    /// The vector of a character, if the character table has it.
    #[inline]
    pub fn char(&self, c: char) -> Option<Row<'a>> {
        self.char_id(c).map(|id| self.chars.row(id))
    }

    /// The name of row `id`; `None` when out of range or not UTF-8 (a corrupted file).
    pub fn row_name(&self, kind: Kind, id: u32) -> Option<&'a str> {
        self.table(kind).name(id)
    }

    /// Row `id` of a table. Panics only if `id` did not come from this vocab's lookups
    /// (`id < len(kind)` always holds for those).
    #[inline]
    pub fn row(&self, kind: Kind, id: u32) -> Row<'a> {
        self.table(kind).row(id)
    }

    /// The stored frequency of row `id`.
    #[inline]
    pub fn count(&self, kind: Kind, id: u32) -> u64 {
        self.table(kind).count(id)
    }

    /// Starts the word-table lookups of many names, to be finished one by one by
    /// [`View::find_started_word`]; a `None` name needs no lookup.
    ///
    /// Every lookup is started before any is finished, so their cache misses (index slot,
    /// then the name offsets and row behind it, then the name) overlap instead of queueing:
    /// first every slot is prefetched, then every candidate behind a slot, then its name. Work done between the finishing
    /// lookups (such as adding up the rows found) gives the loads time to land.
    #[inline(always)]
    pub fn start_words<'n>(&self, names: impl Iterator<Item = Option<&'n str>>, started: &mut StartedWords) {
        let words = &self.words;
        let hashes = &mut started.hashes;
        hashes.clear();
        hashes.extend(names.map(|name| {
            let h = name.map(|n| name_hash(n.as_bytes()));
            if let Some(h) = h {
                words.prefetch_slot(h);
            }
            h
        }));
        hashes.iter().flatten().for_each(|&h| words.prefetch_candidate(h));
        hashes.iter().flatten().for_each(|&h| words.prefetch_candidate_name(h));
    }

    /// The word-table row of `name`, the `i`-th name given to the last
    /// [`View::start_words`]; `None` when the table lacks it or that name was `None`. For a
    /// name that is not the `i`-th the result is meaningless, but never another name's row.
    #[inline(always)]
    pub fn find_started_word(&self, started: &StartedWords, i: usize, name: &str) -> Option<u32> {
        self.words.find_hashed(name.as_bytes(), (*started.hashes.get(i)?)?)
    }

    /// Calls `f` with the rows of both tables typed by the file's dtype, so that a loop
    /// over many rows picks the dtype once.
    #[inline(always)]
    pub fn with_rows<F: WithRows>(&self, f: F) -> F::Output {
        let (w, c) = (&self.words, &self.chars);
        match (w.vectors, c.vectors) {
            (Vectors::F32(wv), Vectors::F32(cv)) => f.call(Rows::new(wv, &[], w.dim), Rows::new(cv, &[], c.dim)),
            (Vectors::F16(wv), Vectors::F16(cv)) => f.call(Rows::new(wv, &[], w.dim), Rows::new(cv, &[], c.dim)),
            (Vectors::Int8 { values: wv, scales: ws }, Vectors::Int8 { values: cv, scales: cs }) => {
                f.call(Rows::new(wv, ws, w.dim), Rows::new(cv, cs, c.dim))
            }
            // Both tables of a file share its one dtype (checked on open).
            _ => unreachable!("word and character tables of different dtypes"),
        }
    }
}

/// Word lookups begun by [`View::start_words`]; reusable.
#[derive(Clone, Debug, Default)]
pub struct StartedWords {
    hashes: Vec<Option<u64>>,
}

/// A computation over the rows of both tables, generic over their dtype; see
/// [`View::with_rows`].
pub trait WithRows {
    type Output;
    fn call<R: AddRow>(self, words: R, chars: R) -> Self::Output;
}

/// Byte equality for short names without a call into `memcmp`.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Views aligned bytes as a slice of `T`. Section offsets are multiples of 64 from a 64-byte
/// aligned base and section lengths are whole elements (both checked on open), so the cast
/// cannot fail for a section of the file; anything else gives an empty slice.
#[inline]
pub(crate) fn cast<T: bytemuck::Pod>(bytes: &[u8]) -> &[T] {
    let cast = bytemuck::try_cast_slice(bytes);
    debug_assert!(bytes.is_empty() || cast.is_ok());
    cast.unwrap_or_default()
}

#[cfg(target_endian = "big")]
compile_error!("zhvec reads its little-endian tables in place and supports little-endian targets only");
