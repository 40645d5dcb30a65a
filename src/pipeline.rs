//! Streaming: input is cut into ~1 MB chunks of whole lines, embedded and encoded by a pool
//! of workers, and written back in input order. Chunks in flight are capped, so memory stays
//! bounded however long the input is, and each line is embedded by exactly one thread with
//! the same arithmetic, so the output is bit-identical for any thread count.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::Mutex;

use crate::embed::{Embedder, Scratch, Stats};
use crate::error::{Error, Result};
use crate::output::{Encoder, Sink};

/// Target size of a chunk of input.
pub const CHUNK_BYTES: usize = 1 << 20;

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub threads: usize,
    /// Replace invalid UTF-8 instead of failing.
    pub lossy: bool,
    pub encoder: Encoder,
    pub chunk_bytes: usize,
}

/// What one run over one input saw.
#[derive(Clone, Copy, Debug, Default)]
pub struct Totals {
    pub stats: Stats,
    /// Lines in which invalid UTF-8 was replaced (with `--lossy`).
    pub lossy_lines: u64,
    pub bytes: u64,
}

impl Totals {
    pub fn add(&mut self, o: &Totals) {
        self.stats.add(&o.stats);
        self.lossy_lines += o.lossy_lines;
        self.bytes += o.bytes;
    }
}

struct Job {
    index: u64,
    first_line: u64,
    bytes: Vec<u8>,
    /// An empty buffer to encode into.
    output: Vec<u8>,
}

struct Done {
    encoded: Vec<u8>,
    rows: u64,
    totals: Totals,
    /// The input buffer, handed back for reuse.
    input: Vec<u8>,
}

#[derive(Default)]
struct Buffers {
    input: Vec<u8>,
    output: Vec<u8>,
}

/// Embeds every line of `input` (named `name` in errors) into `sink`, in order.
/// `on_chunk(bytes, rows)` is called after each chunk is written, for progress display.
pub fn run(
    embedder: &Embedder<'_>,
    input: &mut (dyn Read + Send),
    name: &str,
    sink: &mut Sink,
    opts: &Options,
    on_chunk: &mut dyn FnMut(u64, u64),
) -> Result<Totals> {
    let threads = opts.threads.max(1);
    let in_flight = 2 * threads + 2;
    let (job_tx, job_rx) = sync_channel::<Job>(threads);
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = channel::<(u64, Result<Done>)>();
    // One token per chunk that may be read but not yet written: the bound on memory. A token
    // carries the chunk's input and output buffers, which go around and are reused.
    let (token_tx, token_rx) = sync_channel::<Buffers>(in_flight);
    for _ in 0..in_flight {
        let _ = token_tx.send(Buffers::default());
    }

    std::thread::scope(|scope| {
        // Moved in, so that an early return (write error, bad input) drops it and the reader,
        // blocked waiting for a token, stops instead of keeping the scope from ending.
        let token_tx = token_tx;
        let reader_done = done_tx.clone();
        scope.spawn(move || {
            let mut carry = Vec::new();
            let mut line = 1u64;
            let mut index = 0u64;
            while let Ok(Buffers { input: buf, output }) = token_rx.recv() {
                match read_chunk(input, &mut carry, opts.chunk_bytes, buf) {
                    Ok(Some(bytes)) => {
                        let first_line = line;
                        line += count_lines(&bytes);
                        if job_tx.send(Job { index, first_line, bytes, output }).is_err() {
                            return;
                        }
                        index += 1;
                    }
                    Ok(None) => return,
                    Err(e) => {
                        let _ = reader_done.send((index, Err(Error::io(format!("cannot read {name}"), e))));
                        return;
                    }
                }
            }
        });
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let job_rx = &job_rx;
            scope.spawn(move || worker(embedder, name, opts, job_rx, |i, r| done_tx.send((i, r)).is_ok()));
        }
        drop(done_tx);

        let mut pending: BTreeMap<u64, Result<Done>> = BTreeMap::new();
        let mut next = 0u64;
        let mut totals = Totals::default();
        for (index, result) in done_rx.iter() {
            pending.insert(index, result);
            while let Some(result) = pending.remove(&next) {
                let done = result?;
                sink.write(&done.encoded, done.rows)?;
                totals.add(&done.totals);
                on_chunk(done.totals.bytes, done.rows);
                next += 1;
                let _ = token_tx.send(Buffers { input: done.input, output: done.encoded });
            }
        }
        // An error from the reader may arrive after the last chunk it managed to read.
        if let Some((_, Err(e))) = pending.pop_first() {
            return Err(e);
        }
        Ok(totals)
    })
}

fn worker(
    embedder: &Embedder<'_>,
    name: &str,
    opts: &Options,
    jobs: &Mutex<Receiver<Job>>,
    mut send: impl FnMut(u64, Result<Done>) -> bool,
) {
    let mut scratch = Scratch::default();
    let mut row = vec![0.0f32; embedder.dim()];
    loop {
        // The lock is taken once per ~1 MB chunk, never per line.
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let index = job.index;
        let result = embed_chunk(embedder, name, opts, job, &mut scratch, &mut row);
        if !send(index, result) {
            return;
        }
    }
}

fn embed_chunk(
    embedder: &Embedder<'_>,
    name: &str,
    opts: &Options,
    job: Job,
    scratch: &mut Scratch,
    row: &mut [f32],
) -> Result<Done> {
    let mut encoded = job.output;
    encoded.clear();
    let mut totals = Totals { bytes: job.bytes.len() as u64, ..Totals::default() };
    let mut rows = 0u64;
    for (k, raw) in lines(&job.bytes).enumerate() {
        let line_no = job.first_line + k as u64;
        let text = decode_line(raw, line_no, name, opts.lossy)?;
        if let Cow::Owned(_) = text {
            totals.lossy_lines += 1;
        }
        embedder.embed_line(&text, row, scratch, &mut totals.stats);
        opts.encoder.encode(line_no, &text, row, &mut encoded);
        rows += 1;
    }
    Ok(Done { encoded, rows, totals, input: job.bytes })
}

/// Decodes one line: strips a UTF-8 byte order mark from line 1 and checks UTF-8, or with
/// `lossy` replaces bad bytes (an owned result means something was replaced).
pub fn decode_line<'a>(raw: &'a [u8], line_no: u64, name: &str, lossy: bool) -> Result<Cow<'a, str>> {
    let raw = if line_no == 1 { raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw) } else { raw };
    match std::str::from_utf8(raw) {
        Ok(t) => Ok(Cow::Borrowed(t)),
        Err(_) if lossy => Ok(String::from_utf8_lossy(raw)),
        Err(e) => Err(Error::at_line(
            name,
            line_no,
            format_args!(
                "invalid UTF-8 at byte {} of the line (use --lossy to replace bad bytes)",
                e.valid_up_to() + 1
            ),
        )),
    }
}

/// The lines of a chunk, without their `\n` or `\r\n`. A final line without a newline
/// counts; the empty piece after a final newline does not.
pub fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let empty = bytes.is_empty();
    body.split(|&b| b == b'\n').filter(move |_| !empty).map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

fn count_lines(bytes: &[u8]) -> u64 {
    lines(bytes).count() as u64
}

/// Reads the next chunk of whole lines: at least `target` bytes unless the input ends, cut
/// after the last newline. A line longer than `target` makes one larger chunk.
/// `buf` is an empty buffer to reuse.
fn read_chunk(
    r: &mut (dyn Read + Send),
    carry: &mut Vec<u8>,
    target: usize,
    mut buf: Vec<u8>,
) -> io::Result<Option<Vec<u8>>> {
    buf.clear();
    buf.append(carry);
    buf.reserve(target);
    let mut searched = 0;
    let mut eof = false;
    loop {
        if buf.len() >= target || eof {
            if let Some(pos) = buf[searched..].iter().rposition(|&b| b == b'\n') {
                let cut = searched + pos + 1;
                carry.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                return Ok(Some(buf));
            }
            if eof {
                return Ok((!buf.is_empty()).then_some(buf));
            }
            searched = buf.len();
        }
        let start = buf.len();
        buf.resize(start + target.clamp(1, 1 << 20), 0);
        let n = loop {
            match r.read(&mut buf[start..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        match n {
            Ok(n) => {
                buf.truncate(start + n);
                eof = n == 0;
            }
            Err(e) => {
                buf.truncate(start);
                return Err(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_handle_crlf_and_final_line() {
        let got: Vec<&[u8]> = lines(b"a\r\nb\n\nc").collect();
        assert_eq!(got, [&b"a"[..], b"b", b"", b"c"]);
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"\n").count(), 1);
        assert_eq!(lines(b"x\n").count(), 1);
    }

    #[test]
    fn chunks_end_on_newlines_and_cover_everything() {
        let text: Vec<u8> = (0..5000).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let mut input = &text[..];
        let mut carry = Vec::new();
        let mut all = Vec::new();
        let mut chunks = 0;
        while let Some(c) = read_chunk(&mut input, &mut carry, 1000, Vec::new()).unwrap() {
            assert!(c.ends_with(b"\n"));
            all.extend_from_slice(&c);
            chunks += 1;
        }
        assert_eq!(all, text);
        assert!(chunks > 10);
    }

    #[test]
    fn long_line_is_one_chunk() {
        let mut text = vec![b'x'; 300_000];
        text.extend_from_slice(b"\nend");
        let mut input = &text[..];
        let mut carry = Vec::new();
        let first = read_chunk(&mut input, &mut carry, 1000, Vec::new()).unwrap().unwrap();
        assert_eq!(first.len(), 300_001);
        assert_eq!(read_chunk(&mut input, &mut carry, 1000, Vec::new()).unwrap().unwrap(), b"end");
        assert!(read_chunk(&mut input, &mut carry, 1000, Vec::new()).unwrap().is_none());
    }
}
