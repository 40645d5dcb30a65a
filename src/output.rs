//! Output formats. Workers encode rows into bytes in parallel ([`Encoder`]); one [`Sink`]
//! writes the encoded chunks in order to stdout, to a FIFO or device, or atomically to a file.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::atomic::{AtomicFile, Inputs, Output};
use crate::error::{Error, Result};

pub mod float;
#[cfg(target_arch = "x86_64")]
mod float_avx512;
pub mod float_row;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// One JSON array per line (shortest round-trip floats).
    #[default]
    Jsonl,
    /// Floats separated by tabs, one row per line.
    Tsv,
    /// A NumPy (N, D) little-endian float32 array.
    Npy,
    /// Raw little-endian float32 rows.
    F32,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Tsv => "tsv",
            Format::Npy => "npy",
            Format::F32 => "f32",
        }
    }
}

/// Turns rows into bytes of one format.
#[derive(Clone, Copy, Debug, Default)]
pub struct Encoder {
    pub format: Format,
    /// jsonl only: emit `{"line":N,...}` objects.
    pub with_line: bool,
    /// jsonl only: include the input text.
    pub with_text: bool,
    /// jsonl and tsv: at most this many significant digits (1 to 9), correctly rounded, instead
    /// of the shortest text that reads back to the same f32.
    pub digits: Option<u8>,
}

impl Encoder {
    /// Appends one row to `out`. `line` counts from 1 within its input file.
    #[inline]
    pub fn encode(&self, line: u64, text: &str, row: &[f32], out: &mut Vec<u8>) {
        self.encode_keyed(line, None, text, row, out);
    }

    /// Appends one row to `out`, led by `key` when there is one: `key<TAB>floats` in tsv,
    /// `{"key":…,"vector":[…]}` in jsonl. npy and f32 rows have no room for a key.
    #[inline]
    pub fn encode_keyed(&self, line: u64, key: Option<&str>, text: &str, row: &[f32], out: &mut Vec<u8>) {
        match self.format {
            Format::Npy | Format::F32 => {
                // The crate only builds for little-endian targets, so these are the
                // little-endian bytes.
                out.extend_from_slice(bytemuck::cast_slice(row));
            }
            Format::Tsv => {
                if let Some(key) = key {
                    out.extend_from_slice(key.as_bytes());
                    out.push(b'\t');
                }
                self.write_floats(out, row, b'\t', false);
                out.push(b'\n');
            }
            Format::Jsonl => {
                let object = self.with_line || self.with_text || key.is_some();
                if object {
                    out.push(b'{');
                    if let Some(key) = key {
                        out.extend_from_slice(b"\"key\":");
                        write_json_string(out, key);
                        out.push(b',');
                    }
                    if self.with_line {
                        out.extend_from_slice(b"\"line\":");
                        out.extend_from_slice(line.to_string().as_bytes());
                        out.push(b',');
                    }
                    if self.with_text {
                        out.extend_from_slice(b"\"text\":");
                        write_json_string(out, text);
                        out.push(b',');
                    }
                    out.extend_from_slice(b"\"vector\":");
                }
                out.push(b'[');
                self.write_floats(out, row, b',', true);
                out.push(b']');
                if object {
                    out.push(b'}');
                }
                out.push(b'\n');
            }
        }
    }

    /// Writes `row` as text, the values separated by `sep`, straight into `out`'s spare
    /// capacity: the room for the whole row is reserved once and no value pays a capacity check.
    #[inline]
    fn write_floats(&self, out: &mut Vec<u8>, row: &[f32], sep: u8, json: bool) {
        out.reserve(float_row::room_for(row.len()));
        let written = float_row::write(out.spare_capacity_mut(), row, sep, self.digits, json);
        // The separator after the last value is not part of the row.
        let len = out.len() + written.saturating_sub(1);
        // SAFETY: `float_row::write` initialized the first `written` bytes of the spare capacity.
        unsafe { out.set_len(len) };
    }
}

/// `s` as a JSON string.
fn write_json_string(out: &mut Vec<u8>, s: &str) {
    // Writing a str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// npy header: the data starts at byte 128. The shape is rewritten in place once the row
/// count is known.
const NPY_HEADER_LEN: usize = crate::npy::HEADER_LEN;

pub fn npy_header(rows: u64, dim: usize) -> [u8; NPY_HEADER_LEN] {
    crate::npy::header(crate::npy::Dtype::F32, rows, dim)
}

/// Standard output or a file written in place (a FIFO, a device).
enum Stream {
    Stdout(io::Stdout),
    File(File),
}

impl Stream {
    fn fd(&self) -> RawFd {
        match self {
            Stream::Stdout(s) => s.as_raw_fd(),
            Stream::File(f) => f.as_raw_fd(),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Stdout(s) => s.write(buf),
            Stream::File(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Stdout(s) => s.flush(),
            Stream::File(f) => f.flush(),
        }
    }
}

enum Target {
    Stream {
        w: BufWriter<Stream>,
        fd: RawFd,
    },
    /// A temporary file renamed to the target by [`Sink::finish`].
    File {
        out: AtomicFile,
        w: BufWriter<File>,
    },
    /// npy to a stream: rows are spooled to an anonymous file in $TMPDIR because the header,
    /// which comes first, needs the row count.
    Spool {
        w: BufWriter<File>,
        dest: Stream,
        fd: RawFd,
    },
}

/// Where encoded rows go.
pub struct Sink {
    target: Target,
    name: String,
    format: Format,
    dim: usize,
    rows: u64,
}

/// Whether standard output was closed when the process started (Rust then points it at
/// /dev/null before `main`, so this is recorded earlier, see [`note_closed_stdout`]).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Records whether descriptor 1 is closed. Meant to run before the Rust runtime starts, from
/// the binary's `.init_array`.
pub extern "C" fn note_closed_stdout() {
    // SAFETY: F_GETFD only queries the descriptor.
    if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Fails when standard output was closed at start: what is written there would be lost.
pub fn stdout_open() -> Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Err(Error::io(
            "cannot write standard output: it was closed when zhvec started",
            io::Error::from_raw_os_error(libc::EBADF),
        ));
    }
    Ok(())
}

fn spool_help() -> String {
    format!(
        "the npy spool file in {} (npy to a pipe is held there until the row count is known; \
         use -o FILE, or set TMPDIR to a folder with room)",
        std::env::temp_dir().display()
    )
}

/// Whether the reader of a pipe or socket went away, or a terminal hung up. Checked for every
/// chunk, so a run whose output is spooled notices before the end.
fn reader_gone(fd: RawFd) -> bool {
    let mut p = libc::pollfd { fd, events: 0, revents: 0 };
    // SAFETY: one valid pollfd, no wait.
    let n = unsafe { libc::poll(&mut p, 1, 0) };
    n == 1 && p.revents & (libc::POLLERR | libc::POLLHUP) != 0
}

impl Sink {
    /// Writes to `path` atomically, or to stdout when `path` is `None`.
    pub fn open(path: Option<&Path>, format: Format, dim: usize) -> Result<Sink> {
        let output = match path {
            Some(path) => Output::create(path, &Inputs::default())?,
            None => Output::Stdout,
        };
        Sink::new(output, format, dim)
    }

    /// Writes to an opened output.
    pub fn new(output: Output, format: Format, dim: usize) -> Result<Sink> {
        let name = output.name();
        let stream = match output {
            Output::Atomic(out) => {
                let w = BufWriter::with_capacity(1 << 20, out.reopen()?);
                let mut sink = Sink { target: Target::File { out, w }, name, format, dim, rows: 0 };
                if format == Format::Npy {
                    sink.write(&npy_header(0, dim), 0)?;
                }
                return Ok(sink);
            }
            Output::Direct { file, .. } => Stream::File(file),
            Output::Stdout => {
                stdout_open()?;
                Stream::Stdout(io::stdout())
            }
        };
        let fd = stream.fd();
        let target = if format == Format::Npy {
            let file = tempfile::tempfile().map_err(|e| Error::io(format!("cannot create {}", spool_help()), e))?;
            Target::Spool { w: BufWriter::with_capacity(1 << 20, file), dest: stream, fd }
        } else {
            Target::Stream { w: BufWriter::with_capacity(1 << 20, stream), fd }
        };
        Ok(Sink { target, name, format, dim, rows: 0 })
    }

    /// Writes already encoded bytes holding `rows` rows.
    pub fn write(&mut self, bytes: &[u8], rows: u64) -> Result<()> {
        let r = match &mut self.target {
            Target::File { w, .. } => w.write_all(bytes),
            Target::Stream { w, fd } => {
                if reader_gone(*fd) {
                    return Err(Error::BrokenPipe);
                }
                w.write_all(bytes)
            }
            Target::Spool { w, fd, .. } => {
                if reader_gone(*fd) {
                    return Err(Error::BrokenPipe);
                }
                w.write_all(bytes).map_err(|e| Error::io(format!("cannot write {}", spool_help()), e))?;
                Ok(())
            }
        };
        r.map_err(|e| Error::io(format!("cannot write {}", self.name), e))?;
        self.rows += rows;
        Ok(())
    }

    /// Completes the output: fixes the npy header and renames a file into place. Dropping a
    /// sink without finishing it removes its temporary file, so nothing partial remains.
    pub fn finish(self) -> Result<()> {
        let what = self.name;
        let fail = |e: io::Error| Error::io(format!("cannot write {what}"), e);
        match self.target {
            Target::Stream { mut w, .. } => w.flush().map_err(fail),
            Target::Spool { w, mut dest, .. } => {
                let spool = |e: io::Error| Error::io(format!("cannot write {}", spool_help()), e);
                let mut file = w.into_inner().map_err(|e| spool(e.into_error()))?;
                file.seek(SeekFrom::Start(0)).map_err(spool)?;
                let mut out = BufWriter::with_capacity(1 << 20, &mut dest);
                out.write_all(&npy_header(self.rows, self.dim)).map_err(fail)?;
                io::copy(&mut file, &mut out).map_err(fail)?;
                out.flush().map_err(fail)
            }
            Target::File { out, w } => {
                let mut file = w.into_inner().map_err(|e| fail(e.into_error()))?;
                if self.format == Format::Npy {
                    file.seek(SeekFrom::Start(0)).map_err(fail)?;
                    file.write_all(&npy_header(self.rows, self.dim)).map_err(fail)?;
                }
                drop(file);
                out.commit()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_header_is_valid_and_fixed_size() {
        let h = npy_header(12_345_678_901, 256);
        assert_eq!(h.len(), 128);
        let text = std::str::from_utf8(&h[10..]).unwrap();
        assert!(text.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (12345678901, 256), }"));
        assert!(text.ends_with('\n'));
        assert_eq!(u16::from_le_bytes([h[8], h[9]]), 118);
    }

    #[test]
    fn text_formats_round_trip_floats() {
        let row = [0.1f32, -1.5e-7, 0.0, 3.402_823_5e38];
        let mut out = Vec::new();
        Encoder { format: Format::Jsonl, ..Encoder::default() }.encode(1, "", &row, &mut out);
        let back: Vec<f32> = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, row);
        out.clear();
        Encoder { format: Format::Tsv, ..Encoder::default() }.encode(1, "", &row, &mut out);
        let text = String::from_utf8(out.clone()).unwrap();
        let back: Vec<f32> = text.trim_end().split('\t').map(|s| s.parse().unwrap()).collect();
        assert_eq!(back, row);
    }

    #[test]
    fn zero_signs_and_non_finite_values() {
        let row = [-0.0f32, 0.0, f32::INFINITY, f32::NAN];
        let mut out = Vec::new();
        Encoder { format: Format::Jsonl, ..Encoder::default() }.encode(1, "", &row, &mut out);
        assert_eq!(String::from_utf8(out.clone()).unwrap(), "[-0,0,null,null]\n");
        out.clear();
        Encoder { format: Format::Tsv, ..Encoder::default() }.encode(1, "", &row, &mut out);
        assert_eq!(String::from_utf8(out.clone()).unwrap(), "-0\t0\tinf\tnan\n");
        out.clear();
        Encoder { format: Format::Npy, ..Encoder::default() }.encode(1, "", &[1.5, -2.0], &mut out);
        assert_eq!(out, [1.5f32.to_le_bytes(), (-2.0f32).to_le_bytes()].concat());
    }

    #[test]
    fn jsonl_objects_escape_text() {
        let mut out = Vec::new();
        Encoder { format: Format::Jsonl, with_line: true, with_text: true, ..Encoder::default() }.encode(
            7,
            "a\"b",
            &[1.0],
            &mut out,
        );
        assert_eq!(String::from_utf8(out).unwrap(), "{\"line\":7,\"text\":\"a\\\"b\",\"vector\":[1.0]}\n");
    }
}
