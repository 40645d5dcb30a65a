//! `vocab export`: a table's rows out to the formats other tools read. `.npy` plus a token
//! list, word2vec text, word2vec binary. Values are the ones embed reads: f16 widened, int8
//! times its row scale. Text floats are the shortest that read back to the same f32, so
//! `vocab build` on an export of an f32 table gives the same rows.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::atomic::{Inputs, Plan};
use crate::error::{Error, Result};
use crate::npy;
use crate::output::{Format as RawFormat, Sink};
use crate::vocab::quant::f32_to_f16;
use crate::vocab::{Kind, RowSet, Tables, View, Vocab};

/// An export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A `(rows, dim)` matrix, and the tokens in row order, one a line, beside it.
    Npy,
    /// word2vec text: a `rows dim` line, then `token v1 … vD` lines.
    Word2vecText,
    /// word2vec binary: a `rows dim` line, then `token `, D little-endian f32 and `\n`.
    Word2vecBinary,
}

#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub format: Format,
    pub tables: Tables,
    /// The matrix dtype of `Npy`; the word2vec formats are f32.
    pub dtype: npy::Dtype,
    /// Worker threads for the text format (default: all cores).
    pub threads: Option<usize>,
    /// The output; for `Npy` the matrix, with the tokens at [`tokens_path`] of it.
    pub output: PathBuf,
}

/// What an export wrote.
#[derive(Clone, Debug)]
pub struct Summary {
    pub rows: usize,
    pub dim: usize,
    pub files: Vec<PathBuf>,
    pub bytes: u64,
    pub elapsed: Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let files: Vec<String> = self
            .files
            .iter()
            .map(|p| {
                if p.as_os_str() == crate::atomic::STDOUT {
                    "standard output".into()
                } else {
                    p.display().to_string()
                }
            })
            .collect();
        write!(
            f,
            "exported {} rows of {} dims to {} ({:.1} MB, {:.3} s)",
            self.rows,
            self.dim,
            files.join(" and "),
            self.bytes as f64 / 1e6,
            self.elapsed.as_secs_f64()
        )
    }
}

/// The token list beside an `.npy` matrix: `x.npy` gives `x.vocab.txt`, any other name
/// gets `.vocab.txt` appended.
pub fn tokens_path(matrix: &Path) -> PathBuf {
    let base = match matrix.extension() {
        Some(e) if e == "npy" => matrix.with_extension(""),
        _ => matrix.to_path_buf(),
    };
    let mut name = base.into_os_string();
    name.push(".vocab.txt");
    PathBuf::from(name)
}

/// What Python's `str.splitlines` ends a line at: none can be inside a token of a list.
const LINE_BREAKS: [char; 10] =
    ['\n', '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}', '\u{2029}'];

/// Why `name` cannot be written in `format`, if it cannot.
fn unwritable(name: &str, format: Format) -> Option<&'static str> {
    if name.is_empty() {
        return Some("is empty");
    }
    if name.contains(LINE_BREAKS) {
        return Some("contains a line break");
    }
    if format != Format::Npy && name.contains(|c: char| c.is_ascii_whitespace()) {
        return Some("contains a space or a tab, which separates a word2vec token from its values");
    }
    None
}

/// The rows of `vocab` to export, checked: every name readable and writable in the format.
fn checked_ids<'v>(vocab: &'v Vocab, set: &RowSet, format: Format) -> Result<Vec<(u32, &'v str)>> {
    let view = vocab.view();
    set.ids()
        .map(|id| {
            let (kind, i) = set.locate(id);
            let what = if kind == Kind::Word { "word" } else { "character" };
            let name = set.name(&view, id).ok_or_else(|| {
                Error::bad(format!(
                    "{}: {what} row {i} has a name that is not UTF-8 (run `vocab verify`)",
                    vocab.name()
                ))
            })?;
            match unwritable(name, format) {
                None => Ok((id, name)),
                Some(why) => {
                    let hint = if format == Format::Npy { "" } else { "; --format npy keeps such tokens" };
                    Err(Error::bad(format!("{}: {what} row {i} {name:?} {why}{hint}", vocab.name())))
                }
            }
        })
        .collect()
}

/// Writes the export. `inputs` are the run's input files (the table), never written over.
pub fn run(vocab: &Vocab, inputs: &Inputs, opts: &ExportOptions) -> Result<Summary> {
    let start = Instant::now();
    let set = RowSet::new(vocab, opts.tables)?;
    let dim = set.dim();
    if opts.format != Format::Npy && opts.dtype != npy::Dtype::F32 {
        return Err(Error::bad("the word2vec formats hold float32 values; a float16 dtype is for npy only"));
    }
    let rows = checked_ids(vocab, &set, opts.format)?;
    if rows.is_empty() {
        return Err(Error::bad(format!("{}: the {} table has no rows to export", vocab.name(), opts.tables.name())));
    }
    let matrix_plan = Plan::check(&opts.output, inputs)?;
    let tokens = tokens_path(&opts.output);
    let mut files = vec![opts.output.clone()];
    let bytes = match opts.format {
        Format::Npy => {
            if matches!(matrix_plan, Plan::Stdout) {
                return Err(Error::bad("npy export writes two files, the matrix and its token list; give -o a path"));
            }
            let tokens_plan = Plan::check(&tokens, inputs)?;
            files.push(tokens);
            // The tokens are renamed into place before the matrix: a matrix never stands
            // beside the token list of another run.
            let mut list = Sink::new(tokens_plan.open()?, RawFormat::F32, 0)?;
            let mut matrix = Sink::new(matrix_plan.open()?, RawFormat::F32, 0)?;
            let n = write_npy(vocab, &set, &rows, opts.dtype, &mut matrix)?;
            let mut names = Vec::with_capacity(rows.iter().map(|(_, n)| n.len() + 1).sum());
            for (_, name) in &rows {
                names.extend_from_slice(name.as_bytes());
                names.push(b'\n');
            }
            list.write(&names, 0)?;
            list.finish()?;
            matrix.finish()?;
            n + names.len() as u64
        }
        Format::Word2vecText | Format::Word2vecBinary => {
            let mut out = Sink::new(matrix_plan.open()?, RawFormat::F32, 0)?;
            let threads = crate::pipeline::threads(opts.threads, true)?;
            let n = write_word2vec(vocab, &set, &rows, opts.format, threads, &mut out)?;
            out.finish()?;
            n
        }
    };
    Ok(Summary { rows: rows.len(), dim, files, bytes, elapsed: start.elapsed() })
}

/// Reads row `id` into `buf` and checks that every value is finite.
fn read_row(vocab: &Vocab, view: &View<'_>, set: &RowSet, id: u32, name: &str, buf: &mut [f32]) -> Result<()> {
    set.row(view, id).read_into(buf);
    match buf.iter().position(|x| !x.is_finite()) {
        None => Ok(()),
        Some(k) => Err(Error::bad(format!(
            "{}: the row of {name:?} has a value that is not a finite number (component {k}: {}); run `vocab verify`",
            vocab.name(),
            buf[k]
        ))),
    }
}

/// Rows per block of the matrix or the text, written at once.
const BLOCK_ROWS: usize = 2048;

fn write_npy(vocab: &Vocab, set: &RowSet, rows: &[(u32, &str)], dtype: npy::Dtype, out: &mut Sink) -> Result<u64> {
    let dim = set.dim();
    let header = npy::header(dtype, rows.len() as u64, dim);
    out.write(&header, 0)?;
    let mut bytes = header.len() as u64;
    let view = vocab.view();
    let mut row = vec![0f32; dim];
    let mut block = Vec::with_capacity(BLOCK_ROWS * dim * dtype.size());
    for chunk in rows.chunks(BLOCK_ROWS) {
        block.clear();
        for &(id, name) in chunk {
            read_row(vocab, &view, set, id, name, &mut row)?;
            match dtype {
                npy::Dtype::F32 => block.extend_from_slice(bytemuck::cast_slice(&row)),
                npy::Dtype::F16 => {
                    for (k, &x) in row.iter().enumerate() {
                        let h = f32_to_f16(x);
                        if h & 0x7c00 == 0x7c00 {
                            return Err(Error::bad(format!(
                                "{}: the row of {name:?} has the value {x} (component {k}), beyond the float16 \
                                 range; export as --dtype f32",
                                vocab.name()
                            )));
                        }
                        block.extend_from_slice(&h.to_le_bytes());
                    }
                }
            }
        }
        out.write(&block, 0)?;
        bytes += block.len() as u64;
    }
    Ok(bytes)
}

/// Writes the word2vec header and rows; the rows of a block are formatted on `threads`
/// threads, and written in order.
fn write_word2vec(
    vocab: &Vocab,
    set: &RowSet,
    rows: &[(u32, &str)],
    format: Format,
    threads: usize,
    out: &mut Sink,
) -> Result<u64> {
    let dim = set.dim();
    let header = format!("{} {dim}\n", rows.len());
    out.write(header.as_bytes(), 0)?;
    let mut bytes = header.len() as u64;
    let text = format == Format::Word2vecText;
    let encode = |part: &[(u32, &str)], buf: &mut Vec<u8>| -> Result<()> {
        buf.clear();
        let mut row = vec![0f32; dim];
        let mut floats = zmij::Buffer::new();
        let view = vocab.view();
        for &(id, name) in part {
            read_row(vocab, &view, set, id, name, &mut row)?;
            buf.extend_from_slice(name.as_bytes());
            if text {
                for &x in &row {
                    buf.push(b' ');
                    write_float(buf, x, &mut floats);
                }
            } else {
                buf.push(b' ');
                buf.extend_from_slice(bytemuck::cast_slice(&row));
            }
            buf.push(b'\n');
        }
        Ok(())
    };
    let threads = threads.max(1);
    let mut bufs: Vec<Vec<u8>> = vec![Vec::new(); threads];
    for round in rows.chunks(BLOCK_ROWS * threads) {
        let parts: Vec<&[(u32, &str)]> = round.chunks(BLOCK_ROWS).collect();
        let results: Vec<Result<()>> = std::thread::scope(|s| {
            let mut jobs = parts.iter().zip(bufs.iter_mut());
            let first = jobs.next();
            let spawned: Vec<_> = jobs.map(|(part, buf)| s.spawn(|| encode(part, buf))).collect();
            let mut results = vec![first.map_or(Ok(()), |(part, buf)| encode(part, buf))];
            results.extend(spawned.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))));
            results
        });
        for (r, buf) in results.into_iter().zip(&bufs) {
            r?;
            out.write(buf, 0)?;
            bytes += buf.len() as u64;
        }
    }
    Ok(bytes)
}

/// The shortest decimal that reads back to `x`, without a `.0` on whole numbers; `0` and
/// `-0` for zeros.
#[inline]
fn write_float(out: &mut Vec<u8>, x: f32, buf: &mut zmij::Buffer) {
    if x == 0.0 {
        out.extend_from_slice(if x.is_sign_negative() { b"-0" } else { b"0" });
    } else {
        let s = buf.format_finite(x);
        // `1` rather than `1.0`: the same value, two bytes shorter.
        out.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_sit_beside_the_matrix() {
        assert_eq!(tokens_path(Path::new("out/t.npy")), Path::new("out/t.vocab.txt"));
        assert_eq!(tokens_path(Path::new("t")), Path::new("t.vocab.txt"));
        assert_eq!(tokens_path(Path::new("t.bin")), Path::new("t.bin.vocab.txt"));
    }

    #[test]
    fn floats_read_back_exactly() {
        let mut buf = zmij::Buffer::new();
        for x in [0.1f32, -1.5e-7, 3.402_823_5e38, 1.0, -3.0, 1e10, -0.0, 0.0, 1e-45, 0.333_333_34] {
            let mut out = Vec::new();
            write_float(&mut out, x, &mut buf);
            let back: f32 = std::str::from_utf8(&out).unwrap().parse().unwrap();
            assert_eq!(back.to_bits(), x.to_bits(), "{x}");
        }
    }

    #[test]
    fn names_that_formats_cannot_hold() {
        assert!(unwritable("北京", Format::Word2vecText).is_none());
        assert!(unwritable("New York", Format::Npy).is_none());
        assert!(unwritable("New York", Format::Word2vecBinary).is_some());
        assert!(unwritable("a\u{2028}b", Format::Npy).is_some());
        assert!(unwritable("", Format::Npy).is_some());
    }
}
