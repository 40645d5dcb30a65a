//! Texts already in memory, embedded in parallel into one flat buffer: what a caller that
//! holds its texts (the Python package) uses instead of the streaming [`crate::pipeline`].
//!
//! Each text is one row. Rows are handed out to the workers in blocks, each block with its own
//! part of the output, and every row is computed by one thread with the same arithmetic as
//! `zhvec embed`, so the buffer is bit-identical for any number of threads.

use std::sync::Mutex;

use crate::embed::{Embedder, Scratch, Stats};

/// Below this many rows the texts are embedded on the calling thread: starting threads
/// would cost more than it saves.
const MIN_PARALLEL_ROWS: usize = 256;

/// Rows per block at most. Small enough that the workers finish together, large enough that
/// taking a block costs nothing next to embedding it.
const MAX_BLOCK_ROWS: usize = 1024;

/// Embeds `texts` into `out`, row `i` at `out[i * dim..(i + 1) * dim]` with `dim` =
/// [`Embedder::dim`], on up to `threads` threads, and returns the summed statistics.
///
/// A text is embedded as one line: each `\n` and `\r` in it counts as a space, as if the
/// text were joined onto one line (whitespace separates tokens and is never embedded, so a
/// text without line breaks gives exactly the row of `zhvec embed` on that line).
///
/// # Panics
/// When `out.len()` is not `texts.len() * dim`.
pub fn embed_texts<S: AsRef<str> + Sync>(
    embedder: &Embedder<'_>,
    texts: &[S],
    out: &mut [f32],
    threads: usize,
) -> Stats {
    let dim = embedder.dim();
    assert_eq!(out.len(), texts.len() * dim, "the output must hold one row of {dim} per text");
    let threads = threads.max(1).min(texts.len().div_ceil(MIN_PARALLEL_ROWS));
    // `chunks_mut` below needs a non-zero width.
    if threads <= 1 || dim == 0 {
        let mut worker = Worker::default();
        worker.embed_block(embedder, texts, out, dim);
        return worker.stats;
    }
    let block = (texts.len() / (threads * 16)).clamp(1, MAX_BLOCK_ROWS);
    // The lock is taken once per block of up to a thousand rows, never per row.
    let blocks = Mutex::new(texts.chunks(block).zip(out.chunks_mut(block * dim)));
    let mut stats = Stats::default();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut worker = Worker::default();
                    while let Some((texts, out)) = blocks.lock().ok().and_then(|mut b| b.next()) {
                        worker.embed_block(embedder, texts, out, dim);
                    }
                    worker.stats
                })
            })
            .collect();
        for h in handles {
            // A worker only panics on a bug; its rows would be missing, so pass the panic on.
            match h.join() {
                Ok(st) => stats.add(&st),
                Err(p) => std::panic::resume_unwind(p),
            }
        }
    });
    stats
}

/// `text` as one line: itself when it has no line break, else a copy in `buf` with each
/// `\n` and `\r` replaced by a space.
pub fn as_one_line<'a>(text: &'a str, buf: &'a mut String) -> &'a str {
    if !text.bytes().any(|b| b == b'\n' || b == b'\r') {
        return text;
    }
    buf.clear();
    buf.extend(text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }));
    buf
}

/// One thread's reused buffers and counts.
#[derive(Default)]
struct Worker {
    scratch: Scratch,
    line: String,
    stats: Stats,
}

impl Worker {
    fn embed_block<S: AsRef<str>>(&mut self, embedder: &Embedder<'_>, texts: &[S], out: &mut [f32], dim: usize) {
        for (i, text) in texts.iter().enumerate() {
            let line = as_one_line(text.as_ref(), &mut self.line);
            embedder.embed_line(line, &mut out[i * dim..(i + 1) * dim], &mut self.scratch, &mut self.stats);
        }
    }
}
