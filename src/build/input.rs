//! Reading input files: transparent gzip, progress accounting, and a parallel pipeline that
//! cuts a stream into newline-aligned chunks, parses them on worker threads and hands the
//! results back in file order.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use flate2::read::MultiGzDecoder;
use indicatif::ProgressBar;

use crate::error::{Error, Result};

/// Size of the chunks handed to the workers: large enough that per-chunk overhead vanishes,
/// small enough that a few in flight per worker stay cheap.
pub const CHUNK: usize = 4 << 20;
/// A line longer than this is not a vector row of any real file; refusing it bounds memory.
const MAX_LINE: usize = 64 << 20;

/// Counts the bytes read from the file on disk (compressed bytes for .gz) into the progress bar.
struct Counted<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

/// An opened input: decompressed if it was gzip, with a leading UTF-8 byte order mark removed.
pub struct Input {
    pub reader: Box<dyn BufRead + Send>,
    pub gzip: bool,
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
        Box::new(File::open(path).map_err(|e| Error::io_path("cannot open", path, e))?)
    };
    let mut raw = BufReader::with_capacity(1 << 16, Counted { inner: source, bar: bar.clone() });
    let head = raw.fill_buf().map_err(|e| Error::io_path("cannot read", path, e))?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn BufRead + Send> = if gzip {
        // Multi-member, so that files from pigz/bgzip or `cat a.gz b.gz` read whole.
        Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(raw)))
    } else {
        Box::new(raw)
    };
    let head = reader.fill_buf().map_err(|e| read_error(path, e))?;
    if head.starts_with(b"\xef\xbb\xbf") {
        reader.consume(3);
    }
    Ok(Input { reader, gzip })
}

/// A read failure; corrupt gzip data is the input's fault.
pub fn read_error(path: &Path, e: io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            Error::bad(format!("{}: cannot read: {e} (corrupt or truncated compressed data?)", path.display()))
        }
        _ => Error::io_path("cannot read", path, e),
    }
}

/// Reads line `line_no` (with its `\n`, if any) of at most `limit` bytes; empty at end of input.
pub fn read_line(reader: &mut dyn BufRead, limit: usize, path: &Path, line_no: u64) -> Result<Vec<u8>> {
    let mut line = Vec::new();
    reader.take(limit as u64).read_until(b'\n', &mut line).map_err(|e| read_error(path, e))?;
    if line.len() >= limit && line.last() != Some(&b'\n') {
        return Err(Error::at_line(&path.display().to_string(), line_no, format!("line longer than {limit} bytes")));
    }
    Ok(line)
}

/// Reads `reader` in newline-aligned chunks, runs `work` on each chunk on `threads` worker
/// threads, and passes the results to `sink` in input order.
///
/// At most a fixed window of chunks is in flight (read but not yet sunk), so memory stays
/// bounded however slow one chunk is. When `sink` fails, the reader and the workers stop at
/// their next step and the error is returned.
pub fn pipeline<T, W, S>(
    reader: &mut (dyn Read + Send),
    path: &Path,
    threads: usize,
    work: W,
    mut sink: S,
) -> Result<()>
where
    T: Send,
    W: Fn(&[u8]) -> T + Sync,
    S: FnMut(T) -> Result<()>,
{
    let threads = threads.max(1);
    let window = 2 * threads + 2;
    std::thread::scope(|s| {
        // Capacities equal the window, so no send can block while its receiver is alive:
        // the only place anything waits is the reader taking a token (or a worker taking a job).
        let (job_tx, job_rx) = sync_channel::<(u64, Vec<u8>)>(window);
        // Chunk buffers go back to the reader: fresh 4 MB buffers would each cost a round of
        // page faults and zeroing.
        let (free_tx, free_rx) = sync_channel::<Vec<u8>>(window);
        let (res_tx, res_rx) = sync_channel::<(u64, T)>(window);
        let (tok_tx, tok_rx) = sync_channel::<()>(window);
        for _ in 0..window {
            let _ = tok_tx.send(());
        }
        let job_rx = Arc::new(Mutex::new(job_rx));

        let reader_thread = s.spawn(move || -> Result<()> {
            let mut carry: Vec<u8> = Vec::new();
            let mut idx = 0u64;
            loop {
                let mut buf = match free_rx.try_recv() {
                    Ok(mut b) => {
                        b.clear();
                        b
                    }
                    Err(_) => Vec::with_capacity(CHUNK + 4096),
                };
                buf.append(&mut carry);
                let want = CHUNK.saturating_sub(buf.len()).max(1 << 16) as u64;
                let got = (&mut *reader).take(want).read_to_end(&mut buf).map_err(|e| read_error(path, e))?;
                let eof = (got as u64) < want;
                if !eof {
                    match buf.iter().rposition(|&b| b == b'\n') {
                        Some(p) => carry.extend_from_slice(&buf[p + 1..]),
                        None if buf.len() > MAX_LINE => {
                            return Err(Error::bad(format!(
                                "{}: a line longer than {} MB; is this a text file?",
                                path.display(),
                                MAX_LINE >> 20
                            )))
                        }
                        None => {
                            // Still inside one long line: keep reading into it.
                            carry = buf;
                            continue;
                        }
                    }
                    buf.truncate(buf.len() - carry.len());
                }
                if !buf.is_empty() {
                    if tok_rx.recv().is_err() || job_tx.send((idx, buf)).is_err() {
                        return Ok(()); // the consumer stopped; it reports why
                    }
                    idx += 1;
                }
                if eof {
                    return Ok(());
                }
            }
        });

        for _ in 0..threads {
            let job_rx = Arc::clone(&job_rx);
            let res_tx = res_tx.clone();
            let free_tx = free_tx.clone();
            let work = &work;
            s.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((idx, buf)) = job else { return };
                let out = work(&buf);
                let _ = free_tx.try_send(buf);
                if res_tx.send((idx, out)).is_err() {
                    return;
                }
            });
        }
        drop(res_tx);

        let mut pending = BTreeMap::new();
        let mut next = 0u64;
        let mut result = Ok(());
        'recv: for (idx, out) in res_rx.iter() {
            pending.insert(idx, out);
            while let Some(out) = pending.remove(&next) {
                next += 1;
                if let Err(e) = sink(out) {
                    result = Err(e);
                    break 'recv;
                }
                let _ = tok_tx.send(());
            }
        }
        // Dropping these ends the reader and the workers if they are still going.
        drop(tok_tx);
        drop(res_rx);
        let read = reader_thread.join().unwrap_or_else(|_| Err(Error::bad("the input reader failed")));
        result.and(read)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_keeps_order_and_every_byte() {
        let text: String = (0..200_000).map(|i| format!("line {i}\n")).collect();
        let mut src: &[u8] = text.as_bytes();
        let mut seen = Vec::new();
        pipeline(
            &mut src,
            Path::new("t"),
            3,
            |chunk| chunk.to_vec(),
            |c| {
                assert_eq!(c.last(), Some(&b'\n'));
                seen.extend_from_slice(&c);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, text.as_bytes());
    }

    #[test]
    fn pipeline_stops_on_sink_error() {
        let text = "a\n".repeat(CHUNK);
        let mut src: &[u8] = text.as_bytes();
        let mut n = 0;
        let err = pipeline(
            &mut src,
            Path::new("t"),
            2,
            |c| c.len(),
            |_| {
                n += 1;
                Err(Error::bad("stop"))
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "stop");
        assert_eq!(n, 1);
    }

    #[test]
    fn last_line_without_newline_is_kept() {
        let mut src: &[u8] = b"a b\nc d";
        let mut all = Vec::new();
        pipeline(
            &mut src,
            Path::new("t"),
            1,
            |c| c.to_vec(),
            |c| {
                all.extend(c);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(all, b"a b\nc d");
    }
}
