//! Readers for pretrained vector files: word2vec text (`rows dims` header; Tencent AILab,
//! Chinese-Word-Vectors, fastText .vec), GloVe text (no header) and word2vec binary.

use std::io::{BufRead, Read};
use std::path::Path;

use indicatif::ProgressBar;
use unicode_segmentation::UnicodeSegmentation;

use super::fasttext;
use super::formats::{self, NpyHeader, Sniffed};
use super::input::{self, read_error, read_line};
use crate::error::{Error, Opt, Result};
use crate::vocab::format::show_value;
use crate::vocab::Dtype;

/// The format of a vectors file, or `Auto` to detect it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VectorsFormat {
    /// Detect from the content.
    Auto,
    /// word2vec text: a `rows dims` header line, then `word v1 … vD` rows.
    Text,
    /// GloVe text: `word v1 … vD` rows, no header.
    Glove,
    /// word2vec binary: a `rows dims` header line, then `word ` and D little-endian f32.
    Binary,
    /// A NumPy `.npy` matrix (float16/32/64, C order), with the words in a separate list.
    Npy,
    /// A fastText model (`.bin`): each word's vector as fastText's `get_word_vector` gives it.
    FastText,
}

/// A resolved format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Text,
    Glove,
    Binary,
    Npy(NpyHeader),
    FastText,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Text => "word2vec-text",
            Layout::Glove => "glove",
            Layout::Binary => "word2vec-binary",
            Layout::Npy(_) => "npy",
            Layout::FastText => "fasttext-bin",
        }
    }

    /// Lines before the first row.
    pub fn header_lines(self) -> u64 {
        match self {
            Layout::Glove | Layout::Npy(_) | Layout::FastText => 0,
            Layout::Text | Layout::Binary => 1,
        }
    }
}

/// What detection found out about a file.
#[derive(Clone, Debug)]
pub struct Detected {
    pub layout: Layout,
    pub dim: usize,
    pub gzip: bool,
    pub bzip2: bool,
    /// The row count of the `rows dims` header, for the layouts that have one.
    pub header_rows: Option<u64>,
}

/// fastText writes a row for its end-of-sentence token first; it is not a word.
const EOS: &str = "</s>";
/// Longer first lines can't be a header or a row worth sniffing.
const SNIFF_LIMIT: usize = 1 << 20;
/// Word vectors have hundreds of dimensions; a header claiming millions is a broken file,
/// and believing it would mean allocating gigabytes per row.
pub const MAX_DIM: usize = 1 << 16;
/// Longest word accepted in a binary file (the format has no line structure to resync on).
const MAX_BINARY_WORD: usize = 1 << 16;

/// Opens `path` and works out its layout and dimension from the first bytes. Returns the
/// reader positioned at the first row (the sniffed bytes are put back in front). `words` is
/// the word list of an `.npy` matrix.
pub fn detect(
    path: &Path,
    format: VectorsFormat,
    words: Option<&Path>,
    bar: &ProgressBar,
) -> Result<(Detected, Box<dyn BufRead + Send>)> {
    let shown = path.display().to_string();
    let mut inp = input::open(path, bar)?;
    let compressed = match (inp.gzip, inp.bzip2) {
        (true, _) => Some("gzip"),
        (_, true) => Some("bzip2"),
        _ => None,
    };
    let sniffed = formats::sniff(inp.reader.fill_buf().map_err(|e| read_error(path, e))?);
    let found = |layout, dim| Detected { layout, dim, gzip: inp.gzip, bzip2: inp.bzip2, header_rows: None };
    match (format, sniffed) {
        (VectorsFormat::Npy, _) | (VectorsFormat::Auto, Some(Sniffed::Npy))
            if format == VectorsFormat::Npy || words.is_some() =>
        {
            let Some(words) = words else {
                return Err(Error::option([
                    Opt::VectorsFormat.into(),
                    " npy needs ".into(),
                    Opt::Words.into(),
                    " FILE: the words of the rows, one per line".into(),
                ]));
            };
            let header = formats::read_npy_header(&mut *inp.reader, path)?;
            let n = formats::count_words(words, bar)?;
            if n != header.rows {
                return Err(Error::bad(format!(
                    "{shown} has {} rows ({}), but {} has {}; they must match, one word per row, in order",
                    header.rows,
                    header.describe(),
                    words.display(),
                    crate::error::plural(n, "word")
                )));
            }
            return Ok((found(Layout::Npy(header), header.dim), inp.reader));
        }
        (VectorsFormat::FastText, _) | (VectorsFormat::Auto, Some(Sniffed::FastText)) => {
            if compressed.is_some() || input::is_stdin(path) {
                let how =
                    if compressed.is_some() { "decompress it first" } else { "give it as a file, not standard input" };
                return Err(Error::bad(format!(
                    "{shown}: a fastText model is read by position (its n-gram rows), so {how}"
                )));
            }
            let args = fasttext::read_args(&mut inp.reader, path)?;
            return Ok((found(Layout::FastText, args.dim), Box::new(std::io::empty())));
        }
        (_, Some(kind)) => return Err(formats::refusal(kind, &shown, compressed)),
        _ => {}
    }
    if words.is_some() {
        return Err(Error::option([
            Opt::Words.into(),
            format!(" is the word list of .npy vectors, but {shown} is not an .npy file").into(),
        ]));
    }
    let first = read_line(&mut *inp.reader, SNIFF_LIMIT, path, 1)?;
    if first.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::bad(format!("{shown}: no vector rows (the first line is empty)")));
    }
    let header = parse_header(&first);
    // Two numbers are a header, but one of no dimensions describes no vectors.
    if let (Some((rows, 0)), false) = (header, format == VectorsFormat::Glove) {
        return Err(Error::at_line(
            &shown,
            1,
            format!("the `rows dims` header `{rows} 0` says 0 dimensions; vectors need at least 1"),
        ));
    }
    let need_header = |layout: Layout| match header {
        Some((_, dim)) => Ok((layout, dim)),
        None => Err(Error::at_line(&shown, 1, format!("expected a `rows dims` header for {} vectors", layout.name()))),
    };
    // Besides layout and dimension: the sniffed bytes that belong to the rows.
    let (layout, dim, put_back) = match format {
        VectorsFormat::Text => need_header(Layout::Text).map(|(l, d)| (l, d, Vec::new()))?,
        VectorsFormat::Binary => need_header(Layout::Binary).map(|(l, d)| (l, d, Vec::new()))?,
        VectorsFormat::Glove => (Layout::Glove, glove_dim(&first, &shown)?, first),
        // Npy and FastText returned above.
        VectorsFormat::Auto | VectorsFormat::Npy | VectorsFormat::FastText => match header {
            Some((_, dim)) => {
                // Text rows are UTF-8 without control bytes; the raw f32 bytes of a binary
                // row practically never are.
                let mut probe = Vec::new();
                (&mut inp.reader)
                    .take(SNIFF_LIMIT as u64)
                    .read_until(b'\n', &mut probe)
                    .map_err(|e| read_error(path, e))?;
                let textual = std::str::from_utf8(&probe)
                    .is_ok_and(|s| !s.bytes().any(|b| b.is_ascii_control() && !b"\t\r\n".contains(&b)));
                (if textual { Layout::Text } else { Layout::Binary }, dim, probe)
            }
            None => {
                let looks_like_row = std::str::from_utf8(&first).is_ok_and(|s| {
                    let mut f = s.split_ascii_whitespace();
                    f.next().is_some() && f.clone().next().is_some() && f.all(|v| v.parse::<f32>().is_ok())
                });
                if !looks_like_row {
                    return Err(Error::option([
                        format!(
                            "{shown}:1: cannot tell the format: neither a `rows dims` header nor a `word v1 v2 …` row \
                             (see "
                        )
                        .into(),
                        Opt::VectorsFormat.into(),
                        ")".into(),
                    ]));
                }
                (Layout::Glove, glove_dim(&first, &shown)?, first)
            }
        },
    };
    if dim > MAX_DIM {
        return Err(Error::at_line(&shown, 1, format!("dimension {dim} is more than the {MAX_DIM} supported")));
    }
    let header_rows = match layout {
        Layout::Text | Layout::Binary => header.map(|(rows, _)| rows),
        Layout::Glove | Layout::Npy(_) | Layout::FastText => None,
    };
    let rows = Box::new(std::io::Cursor::new(put_back).chain(inp.reader));
    Ok((Detected { layout, dim, gzip: inp.gzip, bzip2: inp.bzip2, header_rows }, rows))
}

/// `rows dims` → (rows, dims).
fn parse_header(line: &[u8]) -> Option<(u64, usize)> {
    let s = std::str::from_utf8(line).ok()?;
    let mut f = s.split_ascii_whitespace();
    let (rows, dim) = (f.next()?.parse::<u64>().ok()?, f.next()?.parse::<usize>().ok()?);
    f.next().is_none().then_some((rows, dim))
}

fn glove_dim(first: &[u8], shown: &str) -> Result<usize> {
    let fields = String::from_utf8_lossy(first).split_ascii_whitespace().count();
    if fields < 2 {
        return Err(Error::at_line(shown, 1, "expected a word followed by its values"));
    }
    Ok(fields - 1)
}

/// Parsed rows of one chunk, stored flat so a chunk costs a handful of allocations.
#[derive(Debug, Default)]
pub struct Batch {
    /// Lines (text) or records (binary) this batch covers.
    pub lines: u64,
    /// Rows of the file this batch covers: every record or non-blank line, bad ones and
    /// `</s>` included, as a `rows dims` header counts them.
    pub records: u64,
    names: String,
    ends: Vec<usize>,
    single: Vec<bool>,
    pub(super) vectors: Vec<f32>,
    pub skipped: u64,
    /// The first bad line (1-based within the batch) and what is wrong with it, when bad
    /// lines are not skipped. Parsing stops there.
    pub bad: Option<(u64, String)>,
}

/// One row of a batch.
pub struct RowRef<'a> {
    pub name: &'a str,
    /// A single character (grapheme): a row for the character table.
    pub single: bool,
    pub vector: &'a [f32],
}

impl Batch {
    pub(super) fn new(dim: usize, bytes: usize) -> Batch {
        // A rough guess of the row count from the chunk size, to avoid regrowing.
        let rows = bytes / (dim * 9 + 8) + 1;
        Batch {
            names: String::with_capacity(rows * 8),
            ends: Vec::with_capacity(rows),
            single: Vec::with_capacity(rows),
            vectors: Vec::with_capacity(rows * dim),
            ..Batch::default()
        }
    }

    pub(super) fn push_name(&mut self, name: &str) {
        self.names.push_str(name);
        self.ends.push(self.names.len());
        self.single.push(is_single(name));
    }

    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn rows(&self, dim: usize) -> impl Iterator<Item = RowRef<'_>> {
        (0..self.len()).map(move |i| {
            let start = if i == 0 { 0 } else { self.ends[i - 1] };
            RowRef {
                name: &self.names[start..self.ends[i]],
                single: self.single[i],
                vector: &self.vectors[i * dim..(i + 1) * dim],
            }
        })
    }
}

/// Whether `name` is one user-perceived character (a grapheme cluster).
pub fn is_single(name: &str) -> bool {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(_), None) => true,
        (Some(_), Some(_)) => !chars_are_graphemes(name) && name.graphemes(true).nth(1).is_none(),
        _ => false,
    }
}

/// Whether each char of `s` is a grapheme cluster of its own because all are printable ASCII
/// or CJK ideographs, which no segmentation rule joins to a neighbour: the usual word of a
/// Chinese table, split for a fraction of the cost of the general rules.
fn chars_are_graphemes(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_graphic() || matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'))
}

/// The grapheme clusters of `s` (extended), as `s.graphemes(true)` gives them.
pub fn graphemes(s: &str) -> Graphemes<'_> {
    if chars_are_graphemes(s) {
        Graphemes::Chars(s)
    } else {
        Graphemes::General(s.graphemes(true))
    }
}

/// See [`graphemes`].
pub enum Graphemes<'a> {
    /// The rest of a string whose chars are its graphemes.
    Chars(&'a str),
    General(unicode_segmentation::Graphemes<'a>),
}

impl<'a> Iterator for Graphemes<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        match self {
            Graphemes::Chars(rest) => {
                let c = rest.chars().next()?;
                let (g, tail) = rest.split_at(c.len_utf8());
                *rest = tail;
                Some(g)
            }
            Graphemes::General(g) => g.next(),
        }
    }
}

/// Parses a newline-aligned chunk of a text vectors file. Values `dtype` cannot hold make
/// their line bad, like values that are not numbers.
pub fn parse_text(chunk: &[u8], dim: usize, dtype: Dtype, skip_bad: bool) -> Batch {
    let mut b = Batch::new(dim, chunk.len());
    let mut at = 0;
    while at < chunk.len() {
        b.lines += 1;
        let before = b.vectors.len();
        let row = parse_row(chunk, &mut at, dim, dtype, &mut b.vectors);
        b.records += !matches!(row, Ok(None)) as u64;
        match row {
            Ok(Some(name)) if name != EOS => b.push_name(name),
            Ok(Some(_)) => b.vectors.truncate(before),
            Ok(None) => {}
            Err(msg) => {
                b.vectors.truncate(before);
                if !skip_bad {
                    b.bad = Some((b.lines, msg));
                    return b;
                }
                b.skipped += 1;
            }
        }
    }
    b
}

/// Whitespace within a line.
#[inline]
fn is_blank(c: u8) -> bool {
    c != b'\n' && c.is_ascii_whitespace()
}

/// Parses the line starting at `*at`, `word v1 … vD` with any runs of blanks (trailing ones
/// included), appending the values to `out`; moves `*at` past the line. `Ok(None)` for a
/// blank line. One pass over the bytes: this loop is where a build spends its time.
fn parse_row<'a>(
    buf: &'a [u8],
    at: &mut usize,
    dim: usize,
    dtype: Dtype,
    out: &mut Vec<f32>,
) -> Result<Option<&'a str>, String> {
    let overflow = dtype.overflow();
    let line_end = |from: usize| buf[from..].iter().position(|&c| c == b'\n').map_or(buf.len(), |p| from + p);
    let mut p = *at;
    while p < buf.len() && is_blank(buf[p]) {
        p += 1;
    }
    if p == buf.len() || buf[p] == b'\n' {
        *at = p + 1;
        return Ok(None);
    }
    let start = p;
    while p < buf.len() && !buf[p].is_ascii_whitespace() {
        p += 1;
    }
    let word = &buf[start..p];
    let mut n = 0;
    loop {
        while p < buf.len() && is_blank(buf[p]) {
            p += 1;
        }
        if p == buf.len() || buf[p] == b'\n' {
            break;
        }
        n += 1;
        let (value, end) = parse_field(buf, p);
        let field = &buf[p..end];
        p = end;
        if n > dim {
            continue; // counted for the message below
        }
        let problem = match value {
            // Also false for NaN.
            Some(v) if v.abs() < overflow => {
                out.push(v);
                continue;
            }
            Some(v) => dtype.value_problem(v).unwrap_or_default(),
            None => "is not a number".to_string(),
        };
        *at = line_end(p) + 1;
        return Err(format!("{} {problem}", shorten(&String::from_utf8_lossy(field))));
    }
    *at = p + 1;
    let word = std::str::from_utf8(word).map_err(|_| "invalid UTF-8 in the word".to_string())?;
    if n != dim {
        return Err(format!(
            "{n} values after the word {}, expected {dim} (the dimension of the vectors)",
            shorten(word)
        ));
    }
    Ok(Some(word))
}

/// Exact powers of ten in f32 (5^10 < 2^24).
const POW10: [f32; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
const POW10_U64: [u64; 9] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/// Parses the number starting at `start`; returns it and where the field ends.
///
/// The plain `-0.123456` form of every common vectors file, with a significand below 2^24
/// and at most 10 decimals, is one exact division of two exactly representable values,
/// hence correctly rounded, as the standard parser would give (this is its own fast path,
/// minus the general syntax handling). Anything else goes to the standard parser. Up to
/// eight decimals that end the field are read at once (see [`fraction`]).
#[inline]
fn parse_field(buf: &[u8], start: usize) -> (Option<f32>, usize) {
    let mut p = start;
    let neg = buf[p] == b'-';
    if neg || buf[p] == b'+' {
        p += 1;
    }
    // The usual field, one digit and a point before the decimals, without the byte loop.
    if let Some(&[d, b'.']) = buf.get(p..p + 2) {
        if let (true, Some((frac, k))) = (d.is_ascii_digit(), buf.get(p + 2..).and_then(fraction)) {
            let m = u64::from(d - b'0') * POW10_U64[k] + frac;
            if m < 1 << 24 {
                let v = m as f32 / POW10[k];
                return (Some(if neg { -v } else { v }), p + 2 + k);
            }
        }
    }
    let (mut mantissa, mut decimals, mut digits, mut dot) = (0u32, 0usize, 0usize, false);
    while p < buf.len() {
        let c = buf[p];
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            mantissa = mantissa * 10 + d as u32;
            digits += 1;
            decimals += dot as usize;
            if mantissa >= 1 << 24 {
                return parse_field_std(buf, start);
            }
        } else if c == b'.' && !dot {
            dot = true;
            if let Some((frac, k)) = fraction(&buf[p + 1..]) {
                let m = u64::from(mantissa) * POW10_U64[k] + frac;
                if m >= 1 << 24 {
                    return parse_field_std(buf, start);
                }
                let v = m as f32 / POW10[k];
                return (Some(if neg { -v } else { v }), p + 1 + k);
            }
        } else if c.is_ascii_whitespace() {
            break;
        } else {
            return parse_field_std(buf, start);
        }
        p += 1;
    }
    if digits == 0 || decimals >= POW10.len() {
        return parse_field_std(buf, start);
    }
    let v = mantissa as f32 / POW10[decimals];
    (Some(if neg { -v } else { v }), p)
}

/// The value and count of the 1 to 8 digits `rest` starts with, when whitespace or the end
/// of `rest` follows them; `None` otherwise (the byte loop then takes over). The digits are
/// checked and combined eight bytes at a time, in a `u64`.
#[inline]
fn fraction(rest: &[u8]) -> Option<(u64, usize)> {
    let eight: [u8; 8] = rest.get(..8)?.try_into().ok()?;
    let x = u64::from_le_bytes(eight);
    const LANES: u64 = 0x0101_0101_0101_0101;
    // A byte is zero here exactly when it is an ASCII digit: high nibble 3, low nibble < 10
    // (the low nibble plus 6 stays within its byte).
    let other = ((x & (0xf0 * LANES)) ^ (0x30 * LANES)) | (((x & (0x0f * LANES)) + 0x06 * LANES) & (0xf0 * LANES));
    let k = (other.trailing_zeros() / 8) as usize;
    let ends = match rest.get(k) {
        None => true,
        Some(c) => c.is_ascii_whitespace(),
    };
    if k == 0 || !ends {
        return None;
    }
    // The k digits to the top, zeros (`0`) below them, then the eight digits combined.
    let digits = if k == 8 { x } else { (x << (8 * (8 - k))) | ((0x30 * LANES) >> (8 * k)) };
    let mut v = digits - 0x30 * LANES;
    v = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    v = (v * 100 + (v >> 16)) & 0x0000_ffff_0000_ffff;
    v = (v * 10_000 + (v >> 32)) & 0xffff_ffff;
    Some((v, k))
}

#[cold]
fn parse_field_std(buf: &[u8], start: usize) -> (Option<f32>, usize) {
    let end = buf[start..].iter().position(u8::is_ascii_whitespace).map_or(buf.len(), |p| start + p);
    (std::str::from_utf8(&buf[start..end]).ok().and_then(|s| s.parse().ok()), end)
}

/// `parse_field` on a whole field, for tests.
#[cfg(test)]
fn parse_f32(field: &[u8]) -> Option<f32> {
    if field.is_empty() {
        return None;
    }
    let (v, end) = parse_field(field, 0);
    if end == field.len() {
        v
    } else {
        None
    }
}

/// A field quoted for an error message, cut short if long.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(24) {
        Some((i, _)) => format!("{:?}…", &s[..i]),
        None => format!("{s:?}"),
    }
}

/// Reads the records of a word2vec binary file (after its header), in batches of about
/// [`input::CHUNK`] bytes. Errors name the record: the format has no lines.
pub fn read_binary(
    reader: &mut dyn BufRead,
    path: &Path,
    dim: usize,
    dtype: Dtype,
    skip_bad: bool,
    mut sink: impl FnMut(Batch) -> Result<()>,
) -> Result<()> {
    let shown = path.display().to_string();
    let per_batch = (input::CHUNK / (dim * 4 + 8)).max(1);
    let mut raw = vec![0u8; dim * 4];
    let mut word = Vec::with_capacity(64);
    let mut values: Vec<f32> = Vec::with_capacity(dim);
    let mut record = 0u64;
    let mut batch = Batch::new(dim, input::CHUNK);
    loop {
        // Rows may or may not end with a newline; skip it (and any other whitespace).
        let at_end = loop {
            let buf = reader.fill_buf().map_err(|e| read_error(path, e))?;
            if buf.is_empty() {
                break true;
            }
            let ws = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let len = buf.len();
            reader.consume(ws);
            if ws < len {
                break false;
            }
        };
        if at_end {
            break;
        }
        record += 1;
        batch.lines += 1;
        batch.records += 1;
        let bad = |msg: String| Error::bad(format!("{shown}: record {record}: {msg}"));
        word.clear();
        reader.take(MAX_BINARY_WORD as u64).read_until(b' ', &mut word).map_err(|e| read_error(path, e))?;
        let complete = word.last() == Some(&b' ');
        if !complete && word.len() >= MAX_BINARY_WORD {
            return Err(bad(format!("no space after a word within {MAX_BINARY_WORD} bytes; not word2vec binary?")));
        }
        let full = complete && read_full(reader, &mut raw).map_err(|e| read_error(path, e))?;
        if !full {
            // Truncated: nothing can follow, so this is the last record either way.
            let msg = "the file ends inside this record (truncated?)".to_string();
            if !skip_bad {
                return Err(bad(msg));
            }
            batch.skipped += 1;
            break;
        }
        word.pop();
        values.clear();
        values.extend(raw.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
        let problem = match std::str::from_utf8(&word) {
            Err(_) => Some("the word is not valid UTF-8".to_string()),
            Ok(_) => values.iter().enumerate().find_map(|(k, &v)| {
                dtype.value_problem(v).map(|p| format!("a value {p}: {} (value {} of the row)", show_value(v), k + 1))
            }),
        };
        if let Some(msg) = problem {
            if !skip_bad {
                return Err(bad(msg));
            }
            batch.skipped += 1;
            continue;
        }
        let name = std::str::from_utf8(&word).unwrap_or_default();
        if name != EOS {
            batch.vectors.extend_from_slice(&values);
            batch.push_name(name);
        }
        if batch.len() >= per_batch {
            sink(std::mem::replace(&mut batch, Batch::new(dim, input::CHUNK)))?;
        }
    }
    sink(batch)
}

/// Fills `buf` completely; `false` if the input ends first.
fn read_full(reader: &mut dyn BufRead, buf: &mut [u8]) -> std::io::Result<bool> {
    match reader.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_parse_with_trailing_spaces_and_crlf() {
        let b = parse_text("中国 1 2 \n\n</s> 0 0\n国 3 -4e-1\r\n".as_bytes(), 2, Dtype::F32, false);
        assert!(b.bad.is_none());
        assert_eq!(b.lines, 4);
        let rows: Vec<_> = b.rows(2).map(|r| (r.name.to_string(), r.single, r.vector.to_vec())).collect();
        assert_eq!(rows, [("中国".into(), false, vec![1.0, 2.0]), ("国".into(), true, vec![3.0, -0.4])]);
    }

    #[test]
    fn bad_rows_are_reported_or_skipped() {
        let text = "a 1 2\nb 1\nc 1 x\nd 1 2 3\ne inf 1\nf 1 2\n";
        let b = parse_text(text.as_bytes(), 2, Dtype::F32, false);
        assert_eq!(b.bad.as_ref().map(|(l, _)| *l), Some(2));
        assert!(b.bad.unwrap().1.contains("1 values after the word \"b\", expected 2"));
        let b = parse_text(text.as_bytes(), 2, Dtype::F32, true);
        assert_eq!((b.len(), b.skipped), (2, 4));
        let b = parse_text(b"a 1 NaN\n", 2, Dtype::F32, false);
        assert!(b.bad.unwrap().1.contains("not a finite number"));
        let b = parse_text(b"\xff\xfe 1 2\n", 2, Dtype::F32, false);
        assert!(b.bad.unwrap().1.contains("invalid UTF-8 in the word"));
        let b = parse_text(b"ab 1 \xff\n", 2, Dtype::F32, false);
        assert!(b.bad.unwrap().1.contains("\"\u{fffd}\" is not a number"));
    }

    #[test]
    fn values_beyond_the_dtype_make_a_line_bad() {
        let text = "a 1 65504\nb 65519.9 -1\nc 1 65520\nd -1e5 0\ne 9.9e29 1\n";
        let b = parse_text(text.as_bytes(), 2, Dtype::F32, false);
        assert!(b.bad.is_none());
        assert_eq!((b.len(), b.records), (5, 5));
        for dtype in [Dtype::F32, Dtype::Int8] {
            let (line, msg) = parse_text(b"a 1 2\nb -1e30 0\n", 2, dtype, false).bad.unwrap();
            assert_eq!(line, 2);
            assert!(msg.contains("outside the range a table stores (±1e30)"), "{msg}");
        }
        let b = parse_text(text.as_bytes(), 2, Dtype::F16, false);
        let (line, msg) = b.bad.unwrap();
        assert_eq!(line, 3);
        assert!(msg.contains("\"65520\" is outside the range of f16 (±65504)"), "{msg}");
        let b = parse_text(text.as_bytes(), 2, Dtype::F16, true);
        assert_eq!((b.len(), b.skipped, b.records), (2, 3, 5));
        for lit in ["nan", "-NaN", "inf", "-infinity", "1e39"] {
            let b = parse_text(format!("a 1 {lit}\n").as_bytes(), 2, Dtype::Int8, false);
            assert!(b.bad.unwrap().1.contains("is not a finite number"), "{lit}");
        }
    }

    #[test]
    fn records_count_every_row_of_the_file() {
        // Blank lines are not rows; </s> and bad lines are.
        let b = parse_text(b"</s> 0 0\n\na 1 2\n  \nb 1\nc 3 4\n", 2, Dtype::F32, true);
        assert_eq!((b.len(), b.skipped, b.lines, b.records), (2, 1, 6, 4));
    }

    #[test]
    fn fast_float_parsing_matches_the_standard_parser() {
        let cases = [
            "0",
            "-0",
            "+1",
            "1.",
            ".5",
            "-.5",
            "0.123456",
            "-0.209092",
            "16777215",
            "16777216",
            "16777217",
            "0.0000000001",
            "0.00000000001",
            "1.2345678",
            "123456.7",
            "1e5",
            "-2.5E-3",
            "inf",
            "NaN",
            "1e40",
            "",
            "-",
            ".",
            "1.2.3",
            "0x10",
            "1_0",
            " 1",
            "٣",
            "3.4028235e38",
            "0.1000000001",
        ];
        for c in cases {
            let want = c.parse::<f32>().ok();
            let got = parse_f32(c.as_bytes());
            assert_eq!(got.map(f32::to_bits), want.map(f32::to_bits), "{c:?}: {got:?} vs {want:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// Six-decimal values with a sign, as in Tencent's and the sgns files, read exactly as
        /// the standard parser reads them.
        #[test]
        fn six_decimal_values_parse_exactly(neg: bool, int in 0u32..20, frac in 0u32..1_000_000) {
            let s = format!("{}{int}.{frac:06}", if neg { "-" } else { "" });
            proptest::prop_assert_eq!(parse_f32(s.as_bytes()).map(f32::to_bits), s.parse::<f32>().ok().map(f32::to_bits), "{}", s);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// The per-char shortcut splits exactly as the general rules do, around the ranges it
        /// covers too (combining marks, Hangul jamo, emoji modifiers and joiners, CR LF).
        #[test]
        fn graphemes_match_the_general_rules(s in "[a-z0-9!~\u{3400}\u{4dbf}\u{4e00}-\u{4e10}\u{9fff}\u{a000}\u{301}\u{308}\u{200d}\u{1100}\u{1161}\u{11a8}\u{ac00}\u{1f44d}\u{1f3fd}\u{1f1e8}\u{1f1f3}\u{0915}\u{094d}\u{0600}\r\n ]{0,6}") {
            let want: Vec<&str> = s.graphemes(true).collect();
            proptest::prop_assert_eq!(graphemes(&s).collect::<Vec<_>>(), want.clone());
            proptest::prop_assert_eq!(is_single(&s), want.len() == 1);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// Fields of any length, with what follows them in a row, parse as the standard parser
        /// reads the field, and end where it does.
        #[test]
        fn fields_parse_exactly_and_end_at_the_blank(s in "[-+]?[0-9]{0,3}(\\.[0-9]{0,11})?[.e1]?", after in "(| |\n|\t|x|0|1 2\n)") {
            let buf = format!("{s}{after}");
            // Rows call it on the first byte of a field.
            proptest::prop_assume!(buf.bytes().next().is_some_and(|b| !b.is_ascii_whitespace()));
            let (got, end) = parse_field(buf.as_bytes(), 0);
            let field_end = buf.find(|c: char| c.is_ascii_whitespace()).unwrap_or(buf.len());
            let want = buf[..field_end].parse::<f32>().ok();
            proptest::prop_assert_eq!(got.map(f32::to_bits), want.map(f32::to_bits), "{:?}", buf);
            proptest::prop_assert_eq!(end, field_end, "{:?}", buf);
        }
    }

    #[test]
    fn single_characters() {
        assert!(is_single("中"));
        assert!(is_single("a"));
        assert!(is_single("👍🏽"));
        assert!(is_single("e\u{301}"));
        assert!(!is_single("中国"));
        assert!(!is_single("ab"));
        assert!(!is_single(""));
    }

    #[test]
    fn header_detection() {
        assert_eq!(parse_header(b"12 300\n"), Some((12, 300)));
        assert_eq!(parse_header(b"12 300 \r\n"), Some((12, 300)));
        assert_eq!(parse_header(b"12 0\n"), Some((12, 0)));
        assert_eq!(parse_header(b"the 0.1 0.2\n"), None);
        assert_eq!(parse_header(b"1 2 3\n"), None);
    }
}
