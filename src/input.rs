//! Opening inputs: a file or standard input (`-`), gzip and bzip2 detected by their magic bytes, a
//! leading UTF-8 byte order mark removed, and the bytes read counted into a progress bar.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use bzip2::read::MultiBzDecoder;
use flate2::read::MultiGzDecoder;
use indicatif::ProgressBar;

use crate::error::{Error, Result};

/// Counts the bytes read through it.
pub struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R> Counted<R> {
    pub fn new(inner: R) -> Counted<R> {
        Counted { inner, n: 0 }
    }

    /// The bytes read (or consumed) so far.
    pub fn count(&self) -> u64 {
        self.n
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.n += n as u64;
        self.inner.consume(n);
    }
}

/// How `embed` reads a line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputFormat {
    /// The line is the text.
    #[default]
    Text,
    /// `key<TAB>text`: split at the first tab; the key is kept byte for byte and leads the
    /// output row, the rest (further tabs included) is the text.
    Tsv,
}

/// An opened input: decompressed if it was gzip or bzip2, with a leading UTF-8 byte order
/// mark removed.
pub struct Input {
    pub reader: Box<dyn BufRead + Send>,
    pub gzip: bool,
    pub bzip2: bool,
}

/// The path that names standard input.
pub const STDIN: &str = "-";

/// Whether `path` names standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// Opens `path` (`-` for standard input), detecting gzip by its magic bytes rather than by
/// the file name, so `tar -xzOf … | zhvec vocab build --vectors -` and renamed files work.
pub fn open(path: &Path, bar: &ProgressBar) -> Result<Input> {
    let source: Box<dyn Read + Send> = if is_stdin(path) {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| Error::io_path("cannot open input", path, e))?)
    };
    // The bar counts the bytes on disk (compressed bytes for .gz).
    let mut raw = BufReader::with_capacity(1 << 16, bar.wrap_read(source));
    let head = raw.fill_buf().map_err(|e| Error::io_path("cannot read", path, e))?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let bzip2 = is_bzip2(head);
    let mut reader: Box<dyn BufRead + Send> = if gzip {
        // Multi-member, so that files from pigz/bgzip or `cat a.gz b.gz` read whole.
        Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(raw)))
    } else if bzip2 {
        // Multi-stream too, for pbzip2 and `cat a.bz2 b.bz2`.
        Box::new(BufReader::with_capacity(1 << 16, MultiBzDecoder::new(raw)))
    } else {
        Box::new(raw)
    };
    let head = reader.fill_buf().map_err(|e| read_error(path, e))?;
    if is_utf16(head) {
        let name = if is_stdin(path) { "<stdin>".into() } else { path.display().to_string() };
        return Err(utf16_error(&name));
    }
    if head.starts_with(b"\xef\xbb\xbf") {
        reader.consume(3);
    }
    Ok(Input { reader, gzip, bzip2 })
}

/// Whether `head` starts a bzip2 stream: `BZh`, the block size digit, and the magic of a
/// first block or of the end of an empty stream, so text that starts with `BZh` is text.
fn is_bzip2(head: &[u8]) -> bool {
    const BLOCK: [u8; 6] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
    const END: [u8; 6] = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
    head.len() >= 10
        && head.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&head[3])
        && (head[4..10] == BLOCK || head[4..10] == END)
}

/// Whether `head`, the start of an input, is a UTF-16 byte order mark (LE or BE).
pub fn is_utf16(head: &[u8]) -> bool {
    head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff")
}

/// The refusal of a UTF-16 input named `name`.
pub fn utf16_error(name: &str) -> Error {
    Error::bad(format!(
        "{name}: the input is UTF-16 (it starts with a UTF-16 byte order mark), but zhvec reads UTF-8; \
         convert it first, e.g. with `iconv -f UTF-16 -t UTF-8`"
    ))
}

/// A read failure; corrupt compressed data is the input's fault.
pub fn read_error(path: &Path, e: io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            Error::bad(format!("{}: cannot read: {e} (corrupt or truncated compressed data?)", path.display()))
        }
        _ => Error::io_path("cannot read", path, e),
    }
}
