//! The on-disk layout of a `.zv` vocab file.
//!
//! Everything is little-endian. The file is a fixed 512-byte header followed by sections,
//! each starting on a 64-byte boundary so that vectors, offsets and index slots can be used
//! in place from a memory map.
//!
//! ```text
//! offset  size  field
//!      0     8  magic "ZHVECTAB"
//!      8     4  format version (1)
//!     12     4  header length (512)
//!     16     4  dtype: 0 = f32, 1 = f16, 2 = int8 with one f32 scale per row
//!     20     4  flags: bit 0 = no word-table name is a single code point
//!     24     8  word count
//!     32     8  char count
//!     40     4  word dim
//!     44     4  char dim
//!     48     8  sum of word frequencies (the denominator of p(w))
//!     56     8  sum of char frequencies
//!     64     8  file length in bytes (catches truncation on open)
//!     72     8  checksum of every byte after the header (checked by `zhvec vocab verify`)
//!     80   240  15 sections, each (offset u64, length u64), in the order of [`Section`]
//!    320   184  reserved (0)
//!    504     8  checksum of bytes 0..504 (checked on every open)
//! ```
//!
//! A table (words, then chars) is six sections:
//! - `Strings`: the UTF-8 names of all rows, back to back, in row order.
//! - `Offsets`: `u32 × (n + 1)`; row `i`'s name is `strings[off[i]..off[i+1]]`.
//! - `Slots`: an open-addressing hash index of `u64 × capacity` (a power of two, at least
//!   `n + 1`, so probing always ends). A slot holds `row | tag << 32`, where `tag` is the
//!   high half of the name's [`crate::hash::name_hash`]; an empty slot is `u64::MAX`. Probing
//!   is linear from `hash & (capacity - 1)` ([`crate::hash::probe`]). The index is built once
//!   by the writer and never on open.
//! - `Vectors`: `n × dim` values of the file's dtype.
//! - `Scales`: `f32 × n` for int8 (value = i8 × scale), empty otherwise.
//! - `Counts`: `u64 × n` frequencies, used for SIF weighting and the `vocab` segmenter dict.
//!
//! Rows are stored most frequent first, so hot rows share cache lines and pages.
//! `CharBmp` is `u32 × 65536`: the char row of each single-code-point character in the
//! Basic Multilingual Plane (or `u32::MAX`), so the common character lookup is one load.
//! `Meta` is a JSON object: source description and build options.

use crate::error::{Error, Result};

pub const MAGIC: [u8; 8] = *b"ZHVECTAB";
pub const VERSION: u32 = 1;
pub const HEADER_LEN: usize = 512;
pub const ALIGN: usize = 64;
pub const EMPTY_SLOT: u64 = u64::MAX;
pub const NO_ROW: u32 = u32::MAX;
/// Header flag: the word table has no single-code-point names, so a one-character token
/// can skip the word lookup and go straight to the character table.
pub const FLAG_NO_SINGLE_CHAR_WORDS: u32 = 1;
pub const BMP_LEN: usize = 0x1_0000;
/// The largest row dimension a table may have, as `zhvec vocab build` accepts: every line
/// embedded allocates rows of this length, so a corrupt header must not claim billions.
pub const MAX_DIM: u32 = 1 << 16;
const HEADER_CHECKSUM_AT: usize = HEADER_LEN - 8;
const SECTIONS_AT: usize = 80;

/// The sections, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Meta = 0,
    WordStrings,
    WordOffsets,
    WordSlots,
    WordVectors,
    WordScales,
    WordCounts,
    CharStrings,
    CharOffsets,
    CharSlots,
    CharVectors,
    CharScales,
    CharCounts,
    CharBmp,
    Reserved,
}

pub const SECTION_COUNT: usize = 15;

impl Section {
    /// Every section, in file order.
    pub const ALL: [Section; SECTION_COUNT] = [
        Section::Meta,
        Section::WordStrings,
        Section::WordOffsets,
        Section::WordSlots,
        Section::WordVectors,
        Section::WordScales,
        Section::WordCounts,
        Section::CharStrings,
        Section::CharOffsets,
        Section::CharSlots,
        Section::CharVectors,
        Section::CharScales,
        Section::CharCounts,
        Section::CharBmp,
        Section::Reserved,
    ];
}

/// The six sections that make up one table, for words or for chars.
#[derive(Clone, Copy, Debug)]
pub struct TableSections {
    pub strings: Section,
    pub offsets: Section,
    pub slots: Section,
    pub vectors: Section,
    pub scales: Section,
    pub counts: Section,
}

pub const WORD_SECTIONS: TableSections = TableSections {
    strings: Section::WordStrings,
    offsets: Section::WordOffsets,
    slots: Section::WordSlots,
    vectors: Section::WordVectors,
    scales: Section::WordScales,
    counts: Section::WordCounts,
};

pub const CHAR_SECTIONS: TableSections = TableSections {
    strings: Section::CharStrings,
    offsets: Section::CharOffsets,
    slots: Section::CharSlots,
    vectors: Section::CharVectors,
    scales: Section::CharScales,
    counts: Section::CharCounts,
};

/// How vector components are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    F32 = 0,
    F16 = 1,
    /// One signed byte per component and one f32 scale per row.
    Int8 = 2,
}

impl Dtype {
    pub fn from_code(code: u32) -> Option<Dtype> {
        match code {
            0 => Some(Dtype::F32),
            1 => Some(Dtype::F16),
            2 => Some(Dtype::Int8),
            _ => None,
        }
    }

    pub fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F16 => 2,
            Dtype::Int8 => 1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "f32",
            Dtype::F16 => "f16",
            Dtype::Int8 => "int8",
        }
    }

    pub fn parse(s: &str) -> Option<Dtype> {
        match s {
            "f32" => Some(Dtype::F32),
            "f16" => Some(Dtype::F16),
            "int8" | "i8" => Some(Dtype::Int8),
            _ => None,
        }
    }

    /// The smallest magnitude this dtype does not store: f16 would round it to infinity,
    /// and the others keep to [`VALUE_LIMIT`].
    #[inline]
    pub fn overflow(self) -> f32 {
        match self {
            Dtype::F16 => F16_OVERFLOW,
            Dtype::F32 | Dtype::Int8 => VALUE_LIMIT,
        }
    }

    /// Whether `x` can be stored (false for NaN and infinity).
    #[inline]
    pub fn holds(self, x: f32) -> bool {
        x.abs() < self.overflow()
    }

    /// Why `x` cannot be stored, completing a sentence that starts with the value.
    pub fn value_problem(self, x: f32) -> Option<String> {
        if !x.is_finite() {
            Some("is not a finite number".into())
        } else if self == Dtype::F16 && !self.holds(x) {
            Some(format!("is outside the range of f16 (±{F16_MAX})"))
        } else if !self.holds(x) {
            Some(format!("is outside the range a table stores (±{})", show_value(VALUE_LIMIT)))
        } else {
            None
        }
    }
}

/// A value for a message: huge ones in scientific notation rather than 39 digits.
pub fn show_value(x: f32) -> String {
    if x.abs() >= 1e9 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Values a table stores are below this in magnitude, whatever the dtype. A line has at
/// most 64 MB, so at most 2^26 tokens, and the sum of that many rows stays below 6.8e37,
/// far from f32::MAX (3.4e38): pooling can never overflow to infinity. Real vectors stay
/// below a few hundred.
pub const VALUE_LIMIT: f32 = 1e30;

/// The largest finite binary16 value.
pub const F16_MAX: f32 = 65504.0;
/// Halfway between [`F16_MAX`] and the next binary16 step: from here on, rounding to
/// nearest gives infinity.
pub const F16_OVERFLOW: f32 = 65520.0;

/// The decoded fixed header.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub dtype: Dtype,
    pub flags: u32,
    pub words: u64,
    pub chars: u64,
    pub dim: u32,
    pub char_dim: u32,
    pub word_total: u64,
    pub char_total: u64,
    pub file_len: u64,
    pub body_checksum: u64,
    /// (offset, length) of each section, indexed by `Section as usize`.
    pub sections: [(u64, u64); SECTION_COUNT],
}

impl Header {
    pub fn section(&self, s: Section) -> (u64, u64) {
        self.sections[s as usize]
    }

    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..8].copy_from_slice(&MAGIC);
        put_u32(&mut b, 8, VERSION);
        put_u32(&mut b, 12, HEADER_LEN as u32);
        put_u32(&mut b, 16, self.dtype as u32);
        put_u32(&mut b, 20, self.flags);
        put_u64(&mut b, 24, self.words);
        put_u64(&mut b, 32, self.chars);
        put_u32(&mut b, 40, self.dim);
        put_u32(&mut b, 44, self.char_dim);
        put_u64(&mut b, 48, self.word_total);
        put_u64(&mut b, 56, self.char_total);
        put_u64(&mut b, 64, self.file_len);
        put_u64(&mut b, 72, self.body_checksum);
        for (i, (off, len)) in self.sections.iter().enumerate() {
            put_u64(&mut b, SECTIONS_AT + 16 * i, *off);
            put_u64(&mut b, SECTIONS_AT + 16 * i + 8, *len);
        }
        let sum = checksum(&b[..HEADER_CHECKSUM_AT]);
        put_u64(&mut b, HEADER_CHECKSUM_AT, sum);
        b
    }

    /// Decodes and checks the header; `name` is used in error messages.
    /// Section bounds are checked by the reader, which knows the expected sizes.
    pub fn decode(bytes: &[u8], name: &str) -> Result<Header> {
        let bad = |what: String| Error::bad(format!("{name}: not a usable zhvec vocab file: {what}"));
        if bytes.len() < 8 || bytes[0..8] != MAGIC {
            return Err(bad("wrong magic number (expected a .zv file written by `zhvec vocab build`)".into()));
        }
        if bytes.len() < HEADER_LEN {
            return Err(bad(format!("truncated: {} bytes, shorter than the {HEADER_LEN}-byte header", bytes.len())));
        }
        let version = get_u32(bytes, 8);
        if version > VERSION {
            return Err(bad(format!(
                "format version {version} is newer than this zhvec reads (version {VERSION}); upgrade zhvec"
            )));
        }
        if version != VERSION {
            return Err(bad(format!("unknown format version {version}")));
        }
        let stored = get_u64(bytes, HEADER_CHECKSUM_AT);
        if stored != checksum(&bytes[..HEADER_CHECKSUM_AT]) {
            return Err(bad("header checksum mismatch (the file is corrupted)".into()));
        }
        if get_u32(bytes, 12) as usize != HEADER_LEN {
            return Err(bad("unexpected header length".into()));
        }
        let dtype_code = get_u32(bytes, 16);
        let dtype = Dtype::from_code(dtype_code).ok_or_else(|| bad(format!("unknown dtype code {dtype_code}")))?;
        let mut sections = [(0u64, 0u64); SECTION_COUNT];
        for (i, s) in sections.iter_mut().enumerate() {
            *s = (get_u64(bytes, SECTIONS_AT + 16 * i), get_u64(bytes, SECTIONS_AT + 16 * i + 8));
        }
        let header = Header {
            dtype,
            flags: get_u32(bytes, 20),
            words: get_u64(bytes, 24),
            chars: get_u64(bytes, 32),
            dim: get_u32(bytes, 40),
            char_dim: get_u32(bytes, 44),
            word_total: get_u64(bytes, 48),
            char_total: get_u64(bytes, 56),
            file_len: get_u64(bytes, 64),
            body_checksum: get_u64(bytes, 72),
            sections,
        };
        if header.file_len != bytes.len() as u64 {
            return Err(bad(format!(
                "truncated or padded: the header says {} bytes but the file has {}",
                header.file_len,
                bytes.len()
            )));
        }
        Ok(header)
    }
}

impl Header {
    /// Checks that the sections lie in file order, each on the first 64-byte boundary after
    /// the one before (after the header for the first), and that the file ends on the first
    /// boundary after the last: exactly what the writer produces, so no section overlaps
    /// another or hides in a gap. An empty section may also be (0, 0). Sizes are checked by
    /// the reader, which knows what each should be.
    pub fn check_layout(&self) -> std::result::Result<(), String> {
        let mut pos = HEADER_LEN as u64;
        let mut prev = "the header".to_string();
        let aligned =
            |n: u64| n.checked_next_multiple_of(ALIGN as u64).ok_or_else(|| "a section overflows".to_string());
        for s in Section::ALL {
            let (off, len) = self.section(s);
            if s == Section::Reserved {
                if (off, len) != (0, 0) {
                    return Err(format!("the reserved section is {off}+{len}, expected 0+0"));
                }
                continue;
            }
            let want = aligned(pos)?;
            if len == 0 && (off == 0 || off == want) {
                continue;
            }
            if off != want {
                return Err(format!("section {s:?} starts at byte {off}, expected {want} (right after {prev})"));
            }
            pos = off.checked_add(len).ok_or_else(|| format!("section {s:?} overflows"))?;
            prev = format!("{s:?}");
        }
        let end = aligned(pos)?;
        if self.file_len != end {
            return Err(format!("the file is {} bytes, but its sections end at byte {end}", self.file_len));
        }
        Ok(())
    }
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

fn get_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or([0; 4]))
}

fn get_u64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or([0; 8]))
}

/// Rounds `n` up to the section alignment.
pub fn align_up(n: u64) -> u64 {
    n.div_ceil(ALIGN as u64) * ALIGN as u64
}

/// A fast 64-bit checksum for corruption detection (not cryptographic): four independent
/// multiply-rotate lanes over 8-byte words, so it runs at several GB/s.
pub fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut lanes = [1u64, 2, 3, 4];
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            let w = u64::from_le_bytes(block[8 * i..8 * i + 8].try_into().unwrap_or([0; 8]));
            *lane = (*lane ^ w).wrapping_mul(K).rotate_left(29);
        }
    }
    let mut h = bytes.len() as u64;
    for lane in lanes {
        h = (h ^ lane).wrapping_mul(K).rotate_left(31);
    }
    for &b in blocks.remainder() {
        h = (h ^ b as u64).wrapping_mul(K).rotate_left(23);
    }
    h ^ (h >> 29)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Header {
        let mut sections = [(0, 0); SECTION_COUNT];
        sections[1] = (512, 10);
        Header {
            dtype: Dtype::Int8,
            flags: 1,
            words: 3,
            chars: 2,
            dim: 4,
            char_dim: 4,
            word_total: 10,
            char_total: 5,
            file_len: HEADER_LEN as u64,
            body_checksum: 42,
            sections,
        }
    }

    #[test]
    fn header_round_trips() {
        let h = sample();
        let bytes = h.encode();
        assert_eq!(Header::decode(&bytes, "t").unwrap(), h);
    }

    #[test]
    fn header_rejects_flipped_byte() {
        let mut bytes = sample().encode();
        bytes[30] ^= 0x10;
        let err = Header::decode(&bytes, "t.zv").unwrap_err().to_string();
        assert!(err.contains("t.zv") && err.contains("checksum"), "{err}");
    }

    #[test]
    fn header_rejects_future_version() {
        let mut bytes = sample().encode();
        bytes[8] = 9;
        let err = Header::decode(&bytes, "t.zv").unwrap_err().to_string();
        assert!(err.contains("version 9") && err.contains("newer"), "{err}");
    }

    #[test]
    fn header_rejects_wrong_magic_and_truncation() {
        let bytes = sample().encode();
        let err = Header::decode(b"GIF89a..", "x").unwrap_err().to_string();
        assert!(err.contains("magic"), "{err}");
        let err = Header::decode(&bytes[..100], "x").unwrap_err().to_string();
        assert!(err.contains("truncated"), "{err}");
        let mut longer = bytes.to_vec();
        longer.push(0);
        let err = Header::decode(&longer, "x").unwrap_err().to_string();
        assert!(err.contains("header says 512 bytes but the file has 513"), "{err}");
    }

    #[test]
    fn checksum_sees_every_byte() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let base = checksum(&data);
        for i in [0, 31, 32, 500, 998, 999] {
            let mut d = data.clone();
            d[i] ^= 1;
            assert_ne!(checksum(&d), base, "byte {i}");
        }
    }
}
