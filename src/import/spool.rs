//! The rows of a build, kept in a temporary file rather than in memory, so a build's memory
//! does not grow with the vectors read.
//!
//! The file is anonymous (`O_TMPFILE`, or created and unlinked at once where that is not
//! supported): it has no name to leave behind, whatever ends the run, a signal or SIGKILL
//! included. Rows are stored as f32 whatever the table's dtype, so the characters derived
//! from word rows, and the table written, are exactly what they would be from memory.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::vocab::writer::RowSource;

/// Bytes of appended rows gathered before one write.
const WRITE_BATCH: usize = 4 << 20;

pub struct Spool {
    file: File,
    dir: PathBuf,
    dim: usize,
    /// Rows the file holds, the pending ones included.
    len: u64,
    /// Appended rows not yet written; they end at row `len`.
    pending: Vec<u8>,
    /// Rows given back, written over before the file grows.
    free: Vec<u64>,
}

impl Spool {
    /// An empty spool for rows of `dim` values, in `dir`.
    pub fn new(dir: &Path, dim: usize) -> Result<Spool> {
        let file = tempfile::tempfile_in(dir).map_err(|e| {
            Error::io(format!("cannot create a temporary file for the rows read in {}", dir.display()), e)
        })?;
        Ok(Spool { file, dir: dir.to_path_buf(), dim, len: 0, pending: Vec::new(), free: Vec::new() })
    }

    /// Rows the file holds (or will, once flushed).
    #[cfg(test)]
    pub fn rows(&self) -> u64 {
        self.len
    }

    fn row_bytes(&self) -> u64 {
        self.dim as u64 * 4
    }

    fn error(&self, e: std::io::Error) -> Error {
        Error::io(format!("cannot use the temporary file for the rows read in {}", self.dir.display()), e)
    }

    /// Stores a row; returns where it is.
    pub fn put(&mut self, vector: &[f32]) -> Result<u64> {
        debug_assert_eq!(vector.len(), self.dim);
        // The crate builds for little-endian targets only: these are the little-endian bytes.
        let bytes: &[u8] = bytemuck::cast_slice(vector);
        if let Some(at) = self.free.pop() {
            self.file.write_all_at(bytes, at * self.row_bytes()).map_err(|e| self.error(e))?;
            return Ok(at);
        }
        self.pending.extend_from_slice(bytes);
        self.len += 1;
        if self.pending.len() >= WRITE_BATCH {
            self.flush()?;
        }
        Ok(self.len - 1)
    }

    /// Writes the pending rows.
    pub fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let first = self.len - (self.pending.len() as u64 / self.row_bytes());
        self.file.write_all_at(&self.pending, first * self.row_bytes()).map_err(|e| self.error(e))?;
        self.pending.clear();
        Ok(())
    }

    /// Gives row `at` back for reuse. Call [`Spool::flush`] first.
    pub fn release(&mut self, at: u64) {
        debug_assert!(self.pending.is_empty());
        self.free.push(at);
    }

    /// Reads rows `at` into `out` (replacing its contents), one read per run of adjacent rows.
    pub fn read(&self, at: &[u64], out: &mut Vec<f32>) -> Result<()> {
        out.clear();
        out.resize(at.len() * self.dim, 0.0);
        self.read_into(at, out)
    }

    /// Reads rows `at` into `out`, which holds exactly as many rows.
    fn read_into(&self, at: &[u64], out: &mut [f32]) -> Result<()> {
        let rb = self.row_bytes() as usize;
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(out);
        let mut i = 0;
        while i < at.len() {
            let mut j = i + 1;
            while j < at.len() && at[j] == at[j - 1] + 1 {
                j += 1;
            }
            self.file.read_exact_at(&mut bytes[i * rb..j * rb], at[i] * rb as u64).map_err(|e| self.error(e))?;
            i = j;
        }
        Ok(())
    }
}

/// Where a table row's vector is: in the spool, or computed (a derived character).
#[derive(Clone, Copy, Debug)]
pub enum RowAt {
    Spool(u64),
    Memory(usize),
}

/// The vectors of a table's rows for the writer, read from the spool a block at a time.
pub struct SpoolRows<'a> {
    pub spool: &'a Spool,
    pub at: Vec<RowAt>,
    /// Row-major vectors of the `Memory` rows.
    pub memory: Vec<f32>,
    wanted: Vec<u64>,
}

impl<'a> SpoolRows<'a> {
    pub fn new(spool: &'a Spool, at: Vec<RowAt>, memory: Vec<f32>) -> SpoolRows<'a> {
        SpoolRows { spool, at, memory, wanted: Vec::new() }
    }
}

impl RowSource for SpoolRows<'_> {
    /// Reads each run of rows that are all in the spool straight into its place in `out`.
    fn read_rows(&mut self, start: usize, n: usize, out: &mut Vec<f32>) -> Result<()> {
        let dim = self.spool.dim;
        let rows = &self.at[start..start + n];
        // Every value is overwritten: only a growing buffer is zeroed.
        out.truncate(n * dim);
        out.resize(n * dim, 0.0);
        let mut i = 0;
        while i < rows.len() {
            match rows[i] {
                RowAt::Memory(k) => {
                    out[i * dim..(i + 1) * dim].copy_from_slice(&self.memory[k * dim..(k + 1) * dim]);
                    i += 1;
                }
                RowAt::Spool(_) => {
                    self.wanted.clear();
                    let mut j = i;
                    while let Some(&RowAt::Spool(at)) = rows.get(j) {
                        self.wanted.push(at);
                        j += 1;
                    }
                    self.spool.read_into(&self.wanted, &mut out[i * dim..j * dim])?;
                    i = j;
                }
            }
        }
        Ok(())
    }
}
