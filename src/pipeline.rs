//! Streaming: input is cut into chunks of whole lines, processed by a pool of workers, and
//! handed back in input order ([`ordered`], shared by `embed` and `vocab build`). Chunks in
//! flight are capped, so memory stays bounded however long the input is. For `embed`, each
//! line is embedded by exactly one thread with the same arithmetic, so the output is
//! bit-identical for any thread count.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

use crate::embed::{Embedder, Scratch, Stats};
use crate::error::{Error, Opt, Result};
use crate::input::{read_error, InputFormat};
use crate::output::{Encoder, Sink};

/// Target size of a chunk of input. Small enough that a chunk's output (up to ~50x the
/// input as jsonl) stays in cache on its way from the worker to the writer; larger chunks
/// made jsonl spend a quarter of its CPU time in the kernel.
pub const CHUNK_BYTES: usize = 1 << 16;

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub threads: usize,
    /// Replace invalid UTF-8 instead of failing.
    pub lossy: bool,
    /// Plain lines, or `key<TAB>text` lines whose key leads the output row.
    pub input: InputFormat,
    pub encoder: Encoder,
    pub chunk_bytes: usize,
}

/// What one run over one input saw.
#[derive(Clone, Copy, Debug, Default)]
pub struct Totals {
    pub stats: Stats,
    /// Lines in which invalid UTF-8 was replaced (with `lossy`).
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

/// Worker threads per core at most. More only add chunks in flight (memory) and no speed.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The cores available to this process: the default number of worker threads.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The worker threads for a requested number: all cores by default, and at most
/// [`MAX_THREADS_PER_CORE`] per core. A capped request gets a note on stderr unless `quiet`.
pub fn threads(requested: Option<usize>, quiet: bool) -> Result<usize> {
    let cores = default_threads();
    match requested {
        None => Ok(cores),
        Some(0) => Err(Error::option([Opt::Threads.into(), " must be at least 1".into()])),
        Some(n) => {
            let (n, capped) = cap_threads(n, cores);
            if capped && !quiet {
                eprintln!(
                    "zhvec: note: using {n} threads ({MAX_THREADS_PER_CORE} per core); more would only use memory"
                );
            }
            Ok(n)
        }
    }
}

/// `requested` threads capped at [`MAX_THREADS_PER_CORE`] per core, and whether it was capped.
fn cap_threads(requested: usize, cores: usize) -> (usize, bool) {
    let max = cores.max(1).saturating_mul(MAX_THREADS_PER_CORE);
    (requested.min(max), requested > max)
}

/// One chunk of whole lines, as handed to a worker.
pub struct Chunk<'a> {
    /// Position of the chunk in the input, from 0.
    pub index: u64,
    /// Line number (from 1) of the chunk's first line.
    pub first_line: u64,
    pub bytes: &'a [u8],
}

/// A line longer than this is refused: it bounds memory, and no text line is this long.
pub const MAX_LINE: usize = 64 << 20;

/// Reads `reader` in chunks of whole lines (about `chunk_bytes` each), runs `work` on each
/// chunk on `threads` worker threads, and passes the results to `sink` in input order.
///
/// At most a fixed window of chunks is in flight (read but not yet sunk), so memory stays
/// bounded however slow one chunk is, and chunk buffers are reused. When `sink` fails, the
/// reader and the workers stop at their next step and the error is returned.
pub fn ordered<T, W, S>(
    reader: &mut (dyn Read + Send),
    name: &Path,
    threads: usize,
    chunk_bytes: usize,
    work: W,
    sink: S,
) -> Result<()>
where
    T: Send,
    W: Fn(Chunk<'_>) -> T + Sync,
    S: FnMut(T) -> Result<()>,
{
    let threads = threads.max(1);
    let window = 2 * threads + 2;
    // Capacities equal the window, so no send can block while its receiver is alive: the
    // only places anything waits are the reader taking a token and a worker taking a job.
    let (job_tx, job_rx) = sync_channel::<Job>(window);
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|s| {
        let (free_tx, free_rx) = sync_channel::<Vec<u8>>(window);
        let (res_tx, res_rx) = sync_channel::<(u64, T)>(window);
        // A token per chunk in flight: the reader takes one per chunk, the sink returns it.
        let (tok_tx, tok_rx) = sync_channel::<()>(window);
        for _ in 0..window {
            let _ = tok_tx.send(());
        }
        let reader_thread = std::thread::Builder::new()
            .name("zhvec-reader".into())
            .spawn_scoped(s, move || read_chunks(reader, name, chunk_bytes, &free_rx, &tok_rx, &job_tx))
            .map_err(|e| Error::io("cannot start the input reader thread", e))?;
        for _ in 0..threads {
            let (job_rx, res_tx, free_tx, work) = (&job_rx, res_tx.clone(), free_tx.clone(), &work);
            s.spawn(move || work_chunks(job_rx, &res_tx, &free_tx, chunk_bytes, work));
        }
        drop(res_tx);
        let result = sink_in_order(&res_rx, &tok_tx, sink);
        // Dropping these ends the reader and the workers if they are still going.
        drop(tok_tx);
        drop(res_rx);
        let read = reader_thread.join().unwrap_or_else(|_| Err(Error::bad("the input reader failed")));
        result.and(read)
    })
}

/// A chunk to work on: its index, its first line number and its bytes.
type Job = (u64, u64, Vec<u8>);

/// The reader thread: cuts the input into chunks of whole lines and sends them as jobs, each
/// after taking a token. Stops at the end of input, or quietly when the consumer is gone.
fn read_chunks(
    reader: &mut (dyn Read + Send),
    name: &Path,
    chunk_bytes: usize,
    free_rx: &Receiver<Vec<u8>>,
    tok_rx: &Receiver<()>,
    job_tx: &SyncSender<Job>,
) -> Result<()> {
    let mut carry: Vec<u8> = Vec::new();
    let (mut index, mut line) = (0u64, 1u64);
    loop {
        let mut buf = free_rx.try_recv().unwrap_or_else(|_| Vec::with_capacity(chunk_bytes + 4096));
        buf.clear();
        buf.append(&mut carry);
        let eof = fill_chunk(reader, name, line, chunk_bytes, &mut buf, &mut carry)?;
        if !buf.is_empty() {
            let first_line = line;
            line += count_lines(&buf);
            if tok_rx.recv().is_err() || job_tx.send((index, first_line, buf)).is_err() {
                return Ok(()); // the consumer stopped; it reports why
            }
            index += 1;
        }
        if eof {
            return Ok(());
        }
    }
}

/// A worker thread: runs `work` on jobs until there are none or nobody takes the results.
fn work_chunks<T>(
    job_rx: &Mutex<Receiver<Job>>,
    res_tx: &SyncSender<(u64, T)>,
    free_tx: &SyncSender<Vec<u8>>,
    chunk_bytes: usize,
    work: impl Fn(Chunk<'_>) -> T,
) {
    loop {
        // The lock is taken once per chunk, never per line.
        let job = match job_rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((index, first_line, buf)) = job else { return };
        let out = work(Chunk { index, first_line, bytes: &buf });
        // A buffer grown by a long line is dropped rather than kept for reuse.
        if buf.capacity() <= 2 * chunk_bytes + (1 << 17) {
            let _ = free_tx.try_send(buf);
        }
        if res_tx.send((index, out)).is_err() {
            return;
        }
    }
}

/// Passes the results to `sink` in chunk order, returning a token for each; stops at the
/// first error of `sink`.
fn sink_in_order<T>(
    res_rx: &Receiver<(u64, T)>,
    tok_tx: &SyncSender<()>,
    mut sink: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    let mut pending = BTreeMap::new();
    let mut next = 0u64;
    for (index, out) in res_rx.iter() {
        pending.insert(index, out);
        while let Some(out) = pending.remove(&next) {
            next += 1;
            sink(out)?;
            let _ = tok_tx.send(());
        }
    }
    Ok(())
}

/// Reads into `buf` (which starts with the carried part of a line, holding no `\n`) until it
/// holds at least `chunk_bytes` or the end of input, and then on to the end of a line. The
/// bytes after the last `\n` move to `carry`. Only newly read bytes are searched, and a line
/// stays in `buf` as it grows, so a long line costs linear time and is refused as soon as it
/// passes [`MAX_LINE`]. Returns whether the input has ended.
fn fill_chunk(
    reader: &mut (dyn Read + Send),
    name: &Path,
    line: u64,
    chunk_bytes: usize,
    buf: &mut Vec<u8>,
    carry: &mut Vec<u8>,
) -> Result<bool> {
    // Everything before `scanned` is known to hold no `\n`.
    let mut scanned = buf.len();
    loop {
        let want = chunk_bytes.saturating_sub(buf.len()).max(1 << 16) as u64;
        let got = reader.take(want).read_to_end(buf).map_err(|e| read_error(name, e))?;
        #[cfg(test)]
        tests::SCANNED.with(|n| n.set(n.get() + (buf.len() - scanned) as u64));
        let last_end = buf[scanned..].iter().rposition(|&b| b == b'\n');
        if last_end.is_none() && buf.len() > MAX_LINE {
            // `buf` holds no `\n` at all: it is all line `line`.
            return Err(Error::at_line(
                &name.display().to_string(),
                line,
                format_args!("a line longer than {} MB; is this a text file?", MAX_LINE >> 20),
            ));
        }
        if (got as u64) < want {
            return Ok(true);
        }
        match last_end {
            Some(p) => {
                carry.extend_from_slice(&buf[scanned + p + 1..]);
                buf.truncate(scanned + p + 1);
                return Ok(false);
            }
            None => scanned = buf.len(),
        }
    }
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
    // Output buffers go back to the workers once written, so steady state allocates nothing.
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let mut totals = Totals::default();
    let work = |chunk: Chunk<'_>| {
        let encoded = spare.lock().ok().and_then(|mut v| v.pop()).unwrap_or_default();
        embed_chunk(embedder, name, opts, chunk, encoded)
    };
    ordered(input, Path::new(name), opts.threads, opts.chunk_bytes, work, |done: Result<Done>| {
        let done = done?;
        sink.write(&done.encoded, done.rows)?;
        totals.add(&done.totals);
        on_chunk(done.totals.bytes, done.rows);
        if let Ok(mut v) = spare.lock() {
            v.push(done.encoded);
        }
        Ok(())
    })?;
    Ok(totals)
}

struct Done {
    encoded: Vec<u8>,
    rows: u64,
    totals: Totals,
}

fn embed_chunk(
    embedder: &Embedder<'_>,
    name: &str,
    opts: &Options,
    chunk: Chunk<'_>,
    mut encoded: Vec<u8>,
) -> Result<Done> {
    encoded.clear();
    let (mut scratch, mut row) = (Scratch::default(), vec![0.0f32; embedder.dim()]);
    let mut totals = Totals { bytes: chunk.bytes.len() as u64, ..Totals::default() };
    let mut rows = 0u64;
    let mut embed = |line_no: u64, text: &str, totals: &mut Totals| -> Result<()> {
        let (key, text) = match opts.input {
            InputFormat::Text => (None, text),
            InputFormat::Tsv => split_key(text, line_no, name)?,
        };
        embedder.embed_line(text, &mut row, &mut scratch, &mut totals.stats);
        opts.encoder.encode_keyed(line_no, key, text, &row, &mut encoded);
        rows += 1;
        Ok(())
    };
    // The whole chunk is checked as UTF-8 in one call, not line by line; only a chunk with
    // bad bytes is decoded line by line, to name the line or replace them.
    if let Ok(text) = std::str::from_utf8(chunk.bytes) {
        for (k, line) in str_lines(text).enumerate() {
            let line_no = chunk.first_line + k as u64;
            let line = if line_no == 1 { line.strip_prefix('\u{feff}').unwrap_or(line) } else { line };
            embed(line_no, line, &mut totals)?;
        }
    } else {
        for (k, raw) in lines(chunk.bytes).enumerate() {
            let line_no = chunk.first_line + k as u64;
            let text = decode_line(raw, line_no, name, opts.lossy)?;
            if let Cow::Owned(_) = text {
                totals.lossy_lines += 1;
            }
            embed(line_no, &text, &mut totals)?;
        }
    }
    Ok(Done { encoded, rows, totals })
}

/// Decodes one line: strips a UTF-8 byte order mark from line 1 and checks UTF-8, or with
/// `lossy` replaces bad bytes (an owned result means something was replaced).
pub fn decode_line<'a>(raw: &'a [u8], line_no: u64, name: &str, lossy: bool) -> Result<Cow<'a, str>> {
    let raw = if line_no == 1 { raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw) } else { raw };
    match std::str::from_utf8(raw) {
        Ok(t) => Ok(Cow::Borrowed(t)),
        Err(_) if lossy => Ok(String::from_utf8_lossy(raw)),
        Err(e) => Err(Error::option([
            format!("{name}:{line_no}: invalid UTF-8 at byte {} of the line (use ", e.valid_up_to() + 1).into(),
            Opt::Lossy.into(),
            " to replace bad bytes)".into(),
        ])),
    }
}

/// The key and the text of a `key<TAB>text` line: split at the first tab, so the text keeps
/// any further tabs.
pub fn split_key<'a>(line: &'a str, line_no: u64, name: &str) -> Result<(Option<&'a str>, &'a str)> {
    match line.split_once('\t') {
        Some((key, text)) => Ok((Some(key), text)),
        None => Err(Error::at_line(
            name,
            line_no,
            "no tab: --input-format tsv reads `key<TAB>text` lines (an empty line has no key either)",
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

/// [`lines`] of text that is already known to be UTF-8.
pub fn str_lines(text: &str) -> impl Iterator<Item = &str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let empty = text.is_empty();
    body.split('\n').filter(move |_| !empty).map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// `lines(bytes).count()`, as a count of `\n` bytes that the compiler vectorizes (byte-wide
/// sums over blocks of 128): the reader thread runs it over every byte of the input.
fn count_lines(bytes: &[u8]) -> u64 {
    let mut blocks = bytes.chunks_exact(128);
    let mut newlines = 0u64;
    for block in &mut blocks {
        newlines += u64::from(block.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n')));
    }
    newlines += blocks.remainder().iter().filter(|&&b| b == b'\n').count() as u64;
    newlines + u64::from(bytes.last().is_some_and(|&b| b != b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Bytes searched for a line end by [`fill_chunk`] on this thread.
        pub static SCANNED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    /// Reads `n` bytes of `x` and nothing else.
    fn no_newline(n: usize) -> impl Read + Send {
        std::io::repeat(b'x').take(n as u64)
    }

    #[test]
    fn threads_are_capped_per_core() {
        assert_eq!(cap_threads(3, 2), (3, false));
        assert_eq!(cap_threads(8, 2), (8, false));
        assert_eq!(cap_threads(9, 2), (8, true));
        assert_eq!(cap_threads(usize::MAX, usize::MAX), (usize::MAX, false));
        assert!(threads(Some(0), true).is_err());
        assert_eq!(threads(None, true).unwrap(), default_threads());
        assert_eq!(threads(Some(1_000_000), true).unwrap(), default_threads() * MAX_THREADS_PER_CORE);
    }

    #[test]
    fn a_long_line_is_searched_once() {
        let len = 8 << 20;
        let after = "\nnext".repeat(1 << 16);
        let mut src = no_newline(len).chain(after.as_bytes());
        let (mut buf, mut carry) = (Vec::new(), Vec::new());
        SCANNED.with(|n| n.set(0));
        let eof = fill_chunk(&mut src, Path::new("t"), 1, 1 << 16, &mut buf, &mut carry).unwrap();
        assert!(!eof);
        assert_eq!(buf.iter().position(|&b| b == b'\n'), Some(len));
        assert!(buf.ends_with(b"\n") && !carry.contains(&b'\n'));
        // Each byte once; searching the whole buffer after every read would be ~64 GB here.
        let scanned = SCANNED.with(|n| n.get());
        assert!(scanned <= (len + (1 << 17)) as u64, "searched {scanned} bytes for a {len}-byte line");
    }

    #[test]
    fn a_last_line_over_the_limit_is_refused_too() {
        let mut src = no_newline(MAX_LINE + 10);
        let (mut buf, mut carry) = (Vec::new(), Vec::new());
        let err = fill_chunk(&mut src, Path::new("t"), 1, MAX_LINE, &mut buf, &mut carry).unwrap_err();
        assert!(err.to_string().starts_with("t:1: a line longer than"), "{err}");
        let (mut src, mut buf) = (no_newline(MAX_LINE), Vec::new());
        assert!(fill_chunk(&mut src, Path::new("t"), 1, MAX_LINE, &mut buf, &mut carry).unwrap());
        assert_eq!(buf.len(), MAX_LINE);
    }

    #[test]
    fn a_line_over_the_limit_is_refused_once_past_it() {
        let mut src = no_newline(MAX_LINE + (4 << 20));
        let (mut buf, mut carry) = (b"ab".to_vec(), Vec::new());
        SCANNED.with(|n| n.set(0));
        let err = fill_chunk(&mut src, Path::new("in.txt"), 7, 1 << 16, &mut buf, &mut carry).unwrap_err();
        assert_eq!(err.to_string(), "in.txt:7: a line longer than 64 MB; is this a text file?");
        assert!(buf.len() <= MAX_LINE + (1 << 17), "read {} bytes before refusing", buf.len());
        assert!(SCANNED.with(|n| n.get()) <= (MAX_LINE + (1 << 17)) as u64);
    }

    #[test]
    fn lines_handle_crlf_and_final_line() {
        let got: Vec<&[u8]> = lines(b"a\r\nb\n\nc").collect();
        assert_eq!(got, [&b"a"[..], b"b", b"", b"c"]);
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"\n").count(), 1);
        assert_eq!(lines(b"x\n").count(), 1);
        let long: Vec<u8> = (0..1000u32).map(|i| if i % 7 == 0 { b'\n' } else { b'x' }).collect();
        for text in
            [&b""[..], b"\n", b"x", b"x\n", b"a\r\nb\n\nc", b"\n\n", b"a\nb", &long, &long[..999], &[b'\n'; 300]]
        {
            assert_eq!(count_lines(text), lines(text).count() as u64, "{text:?}");
            let as_str: Vec<&[u8]> = str_lines(std::str::from_utf8(text).unwrap()).map(str::as_bytes).collect();
            assert_eq!(as_str, lines(text).collect::<Vec<_>>(), "{text:?}");
        }
    }

    fn collect(text: &[u8], threads: usize, chunk_bytes: usize) -> Vec<(u64, Vec<u8>)> {
        let mut src = text;
        let mut seen = Vec::new();
        ordered(
            &mut src,
            Path::new("t"),
            threads,
            chunk_bytes,
            |c| (c.first_line, c.bytes.to_vec()),
            |c| {
                seen.push(c);
                Ok(())
            },
        )
        .unwrap();
        seen
    }

    #[test]
    fn chunks_keep_order_every_byte_and_line_numbers() {
        let text: String = (0..200_000).map(|i| format!("line {i}\n")).collect();
        let chunks = collect(text.as_bytes(), 3, 1 << 16);
        assert!(chunks.len() > 10);
        let mut line = 1;
        for (first, bytes) in &chunks {
            assert_eq!(*first, line);
            assert_eq!(bytes.last(), Some(&b'\n'));
            line += count_lines(bytes);
        }
        assert_eq!(chunks.concat_bytes(), text.as_bytes());
    }

    trait Concat {
        fn concat_bytes(&self) -> Vec<u8>;
    }

    impl Concat for Vec<(u64, Vec<u8>)> {
        fn concat_bytes(&self) -> Vec<u8> {
            self.iter().flat_map(|(_, b)| b.iter().copied()).collect()
        }
    }

    #[test]
    fn long_lines_are_never_split_and_last_line_needs_no_newline() {
        let mut text = Vec::new();
        for i in 0..20 {
            text.extend(std::iter::repeat_n(b'x', 100_000 + i));
            text.push(b'\n');
        }
        text.extend_from_slice(b"end");
        let chunks = collect(&text, 2, 1000);
        assert_eq!(chunks.concat_bytes(), text);
        for (first, bytes) in &chunks[..chunks.len() - 1] {
            assert_eq!(bytes.last(), Some(&b'\n'), "chunk at line {first} cuts a line");
        }
        assert!(chunks.last().unwrap().1.ends_with(b"end"));
    }

    #[test]
    fn sink_error_stops_the_run() {
        let text = "a\n".repeat(1 << 20);
        let mut src = text.as_bytes();
        let mut n = 0;
        let err = ordered(
            &mut src,
            Path::new("t"),
            2,
            1 << 16,
            |c| c.bytes.len(),
            |_| {
                n += 1;
                Err(Error::bad("stop"))
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "stop");
        assert_eq!(n, 1);
    }
}
