//! Files recognised by their first bytes: the binary formats `vocab build` reads besides
//! word2vec (NumPy `.npy` with a word list, fastText `.bin`), and the ones it does not read
//! but can name, with what to do instead.

use std::io::BufRead;
use std::path::Path;

use super::input::{read_error, read_line};
use super::vectors::{Batch, MAX_DIM};
use crate::error::{plural, Error, Opt, Result};
use crate::vocab::format::show_value;
use crate::vocab::quant::f16_to_f32;
use crate::vocab::Dtype;

/// What the first bytes of an input are, when they say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    Npy,
    FastText,
    Pickle,
    Tar,
    Zip,
    SevenZip,
    Zstd,
    Xz,
    Table,
    Html,
}

/// The magic number that starts a fastText model (`.bin` and `.ftz`), little-endian.
pub const FASTTEXT_MAGIC: [u8; 4] = 793_712_314i32.to_le_bytes();

/// Recognises `head`, the first bytes of an input (after gzip or bzip2 decompression).
pub fn sniff(head: &[u8]) -> Option<Sniffed> {
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(b"\x93NUMPY") {
        Some(Sniffed::Npy)
    } else if starts(&FASTTEXT_MAGIC) {
        Some(Sniffed::FastText)
    } else if head.len() >= 2 && head[0] == 0x80 && (2..=5).contains(&head[1]) {
        // The PROTO opcode of pickle protocols 2 to 5; gensim saves with one of them.
        Some(Sniffed::Pickle)
    } else if head.len() >= 262 && &head[257..262] == b"ustar" {
        Some(Sniffed::Tar)
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        Some(Sniffed::Zip)
    } else if starts(b"7z\xbc\xaf\x27\x1c") {
        Some(Sniffed::SevenZip)
    } else if starts(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Sniffed::Zstd)
    } else if starts(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some(Sniffed::Xz)
    } else if starts(&crate::vocab::format::MAGIC) {
        Some(Sniffed::Table)
    } else if is_html(head) {
        Some(Sniffed::Html)
    } else {
        None
    }
}

fn is_html(head: &[u8]) -> bool {
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    let text = &head[start..head.len().min(start + 64)];
    let lower: Vec<u8> = text.iter().map(u8::to_ascii_lowercase).collect();
    lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html") || lower.starts_with(b"<head")
}

/// The refusal of a file that is not vectors zhvec reads, naming what it is and what to do.
/// `compressed` names the compression around it, if any.
pub fn refusal(kind: Sniffed, shown: &str, compressed: Option<&str>) -> Error {
    let around = compressed.map(|c| format!(" ({c}-compressed)")).unwrap_or_default();
    let text = |what: &str, hint: &str| Error::bad(format!("{shown}: this is {what}{around}, not vectors: {hint}"));
    match kind {
        Sniffed::Pickle => text(
            "a gensim pickle (`.kv`, `.model`) or another Python pickle",
            "save it with `model.wv.save_word2vec_format(path, binary=True)` and build from that file",
        ),
        Sniffed::Tar => text(
            "a tar archive",
            "extract the vectors file from it, e.g. `tar -xOf ARCHIVE MEMBER | zhvec vocab build --vectors - …` \
             (`tar -tf ARCHIVE` lists the members)",
        ),
        Sniffed::Zip => text(
            "a zip archive",
            "extract the vectors file from it, e.g. `unzip -p ARCHIVE MEMBER | zhvec vocab build --vectors - …`",
        ),
        Sniffed::SevenZip => text(
            "a 7-Zip archive",
            "extract the vectors file from it, e.g. `7z x -so ARCHIVE MEMBER | zhvec vocab build --vectors - …`",
        ),
        Sniffed::Zstd => {
            text("zstd-compressed data", "decompress it, e.g. `zstd -dc FILE | zhvec vocab build --vectors - …`")
        }
        Sniffed::Xz => {
            text("xz-compressed data", "decompress it, e.g. `xz -dc FILE | zhvec vocab build --vectors - …`")
        }
        Sniffed::Table => text(
            "a zhvec table (.zv), already built",
            "use it as it is, with `--vocab`; `vocab build` reads the vectors a table is built from",
        ),
        Sniffed::Html => text(
            "an HTML page",
            "probably the error or login page of a failed download; check the link and download the file again",
        ),
        Sniffed::Npy => Error::option([
            format!("{shown}: this is a NumPy .npy matrix{around} without its words: give ").into(),
            Opt::VectorsFormat.into(),
            " npy with ".into(),
            Opt::Words.into(),
            " FILE, one word per line in row order".into(),
        ]),
        Sniffed::FastText => Error::bad(format!(
            "{shown}: this is a fastText model{around}; decompress it first: its subword rows are read by \
             position, which needs a plain file"
        )),
    }
}

/// The element type of an `.npy` matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NpyType {
    F16,
    F32,
    F64,
}

impl NpyType {
    fn size(self) -> usize {
        match self {
            NpyType::F16 => 2,
            NpyType::F32 => 4,
            NpyType::F64 => 8,
        }
    }
}

/// An `.npy` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NpyHeader {
    ty: NpyType,
    pub rows: u64,
    pub dim: usize,
}

impl NpyHeader {
    pub fn describe(&self) -> String {
        let ty = match self.ty {
            NpyType::F16 => "float16",
            NpyType::F32 => "float32",
            NpyType::F64 => "float64",
        };
        format!("{} × {} {ty}", self.rows, self.dim)
    }
}

/// Reads the header of an `.npy` file, leaving `reader` at the first value.
pub fn read_npy_header(reader: &mut dyn BufRead, path: &Path) -> Result<NpyHeader> {
    let shown = path.display().to_string();
    let bad = |msg: String| Error::bad(format!("{shown}: {msg}"));
    let mut pre = [0u8; 8];
    reader.read_exact(&mut pre).map_err(|e| read_error(path, e))?;
    if &pre[..6] != b"\x93NUMPY" {
        return Err(bad("not a NumPy .npy file (no \\x93NUMPY magic)".into()));
    }
    let len = match pre[6] {
        1 => {
            let mut b = [0u8; 2];
            reader.read_exact(&mut b).map_err(|e| read_error(path, e))?;
            u16::from_le_bytes(b) as usize
        }
        2 | 3 => {
            let mut b = [0u8; 4];
            reader.read_exact(&mut b).map_err(|e| read_error(path, e))?;
            u32::from_le_bytes(b) as usize
        }
        v => return Err(bad(format!(".npy format version {v} is not supported (1 to 3 are)"))),
    };
    if len > 1 << 20 {
        return Err(bad(format!("an .npy header of {len} bytes; a broken file?")));
    }
    let mut dict = vec![0u8; len];
    reader.read_exact(&mut dict).map_err(|e| read_error(path, e))?;
    let dict = String::from_utf8_lossy(&dict);
    parse_npy_dict(&dict).map_err(|msg| bad(format!("{msg} (the .npy header is {})", dict.trim())))
}

/// Parses the Python dict literal of an `.npy` header.
fn parse_npy_dict(dict: &str) -> Result<NpyHeader, String> {
    let value = |key: &str| -> Result<&str, String> {
        let at = dict.find(&format!("'{key}'")).ok_or_else(|| format!("no '{key}' in the header"))?;
        let rest = dict[at + key.len() + 2..].trim_start();
        Ok(rest.strip_prefix(':').unwrap_or(rest).trim_start())
    };
    let descr = value("descr")?;
    let descr = descr.get(1..).and_then(|d| d.split(['\'', '"']).next()).unwrap_or_default();
    let ty = match descr {
        "<f2" | "=f2" => NpyType::F16,
        "<f4" | "=f4" => NpyType::F32,
        "<f8" | "=f8" => NpyType::F64,
        ">f2" | ">f4" | ">f8" => {
            return Err(format!("big-endian values ({descr}); save with `arr.astype('<f4')`"));
        }
        other => return Err(format!("values of type {other:?}; float16, float32 or float64 are read")),
    };
    if value("fortran_order")?.starts_with("True") {
        return Err("Fortran (column-major) order; save `np.ascontiguousarray(arr)`".into());
    }
    let shape = value("shape")?;
    let inner = shape.strip_prefix('(').and_then(|s| s.split(')').next()).ok_or("a shape that is not a tuple")?;
    let dims: Vec<&str> = inner.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    let nums: Vec<u64> = dims.iter().map(|d| d.parse::<u64>()).collect::<Result<_, _>>().map_err(|_| "a bad shape")?;
    match nums[..] {
        [rows, dim] if dim >= 1 && dim as usize <= MAX_DIM => Ok(NpyHeader { ty, rows, dim: dim as usize }),
        [_, dim] => Err(format!("{dim} columns; vectors need 1 to {MAX_DIM}")),
        _ => Err(format!("a {}-dimensional array; a matrix of one row per word is needed", nums.len())),
    }
}

/// Counts the words of a word list, one per line, before any long work.
pub fn count_words(path: &Path, bar: &indicatif::ProgressBar) -> Result<u64> {
    let mut inp = super::input::open(path, bar)?;
    let mut n = 0u64;
    let mut line_no = 0u64;
    loop {
        line_no += 1;
        let line = read_line(&mut *inp.reader, WORD_LIMIT, path, line_no)?;
        if line.is_empty() {
            return Ok(n);
        }
        n += 1;
    }
}

/// Longest line of a word list.
const WORD_LIMIT: usize = 1 << 16;

/// Reads the rows of an `.npy` matrix (after its header) with their words, one per line of
/// `words`, in batches of about [`super::input::CHUNK`] bytes.
#[allow(clippy::too_many_arguments)]
pub fn read_npy(
    reader: &mut dyn BufRead,
    path: &Path,
    header: NpyHeader,
    words: &Path,
    dtype: Dtype,
    skip_bad: bool,
    bar: &indicatif::ProgressBar,
    mut sink: impl FnMut(Batch) -> Result<()>,
) -> Result<()> {
    let (shown, words_shown) = (path.display().to_string(), words.display().to_string());
    let dim = header.dim;
    let size = header.ty.size();
    let per_batch = (super::input::CHUNK / (dim * size + 8)).max(1);
    let mut words_in = super::input::open(words, bar)?;
    let mut raw = vec![0u8; dim * size];
    let mut values: Vec<f32> = Vec::with_capacity(dim);
    let mut batch = Batch::new(dim, super::input::CHUNK);
    for row in 1..=header.rows {
        let line = read_line(&mut *words_in.reader, WORD_LIMIT, words, row)?;
        if line.is_empty() {
            return Err(Error::bad(format!(
                "{words_shown} ends after {} but {shown} has {} rows",
                plural(row - 1, "word"),
                header.rows
            )));
        }
        reader.read_exact(&mut raw).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => Error::bad(format!(
                "{shown}: the file ends inside row {row} of the {} its header announces (truncated?)",
                header.rows
            )),
            _ => read_error(path, e),
        })?;
        batch.lines += 1;
        batch.records += 1;
        values.clear();
        match header.ty {
            NpyType::F16 => values.extend(raw.chunks_exact(2).map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))),
            NpyType::F32 => values.extend(raw.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
            NpyType::F64 => values.extend(
                raw.chunks_exact(8)
                    .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32),
            ),
        }
        let word = line.strip_suffix(b"\n").unwrap_or(&line);
        let word = word.strip_suffix(b"\r").unwrap_or(word);
        let in_words = |msg: String| Some(Error::at_line(&words_shown, row, msg));
        let problem = match std::str::from_utf8(word) {
            Err(_) => in_words("the word is not valid UTF-8".into()),
            Ok("") => in_words("an empty word".into()),
            Ok(w) if w.chars().any(char::is_whitespace) => in_words(format!("the word {w:?} contains whitespace")),
            Ok(_) => values.iter().enumerate().find_map(|(k, &v)| {
                dtype.value_problem(v).map(|p| {
                    Error::bad(format!(
                        "{shown}: row {row}: a value {p}: {} (value {} of the row)",
                        show_value(v),
                        k + 1
                    ))
                })
            }),
        };
        if let Some(e) = problem {
            if !skip_bad {
                return Err(e);
            }
            batch.skipped += 1;
            continue;
        }
        batch.vectors.extend_from_slice(&values);
        batch.push_name(std::str::from_utf8(word).unwrap_or_default());
        if batch.len() >= per_batch {
            sink(std::mem::replace(&mut batch, Batch::new(dim, super::input::CHUNK)))?;
        }
    }
    let rest = read_line(&mut *words_in.reader, WORD_LIMIT, words, header.rows + 1)?;
    if !rest.is_empty() {
        return Err(Error::bad(format!("{words_shown} has more words than the {} rows of {shown}", header.rows)));
    }
    sink(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_dicts() {
        let h = parse_npy_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }").unwrap();
        assert_eq!(h, NpyHeader { ty: NpyType::F32, rows: 3, dim: 2 });
        let h = parse_npy_dict("{'descr': '<f2', 'fortran_order': False, 'shape': (0, 300), }").unwrap();
        assert_eq!((h.ty, h.rows, h.dim), (NpyType::F16, 0, 300));
        assert!(parse_npy_dict("{'descr': '>f4', 'fortran_order': False, 'shape': (3, 2), }")
            .unwrap_err()
            .contains("big-endian"));
        assert!(parse_npy_dict("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 2), }")
            .unwrap_err()
            .contains("\"<i8\""));
        assert!(parse_npy_dict("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }")
            .unwrap_err()
            .contains("Fortran"));
        assert!(parse_npy_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }")
            .unwrap_err()
            .contains("1-dimensional"));
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"\x80\x04\x95"), Some(Sniffed::Pickle));
        assert_eq!(sniff(b"  <!DOCTYPE html><html>"), Some(Sniffed::Html));
        assert_eq!(sniff(b"3 2\na 1 2\n"), None);
        assert_eq!(sniff(b"<unk> 1 2\n"), None);
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff(&tar), Some(Sniffed::Tar));
    }
}
