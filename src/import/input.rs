//! Reading vector and frequency files. Opening (stdin, gzip, progress) is [`crate::input`] and
//! the parallel chunking is [`crate::pipeline::ordered`], both shared with `embed`.

use std::io::{BufRead, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// Size of the chunks handed to the workers: large enough that per-chunk overhead vanishes,
/// small enough that a few in flight per worker stay cheap.
pub const CHUNK: usize = 4 << 20;

pub use crate::input::{is_stdin, open, read_error};

/// Reads line `line_no` (with its `\n`, if any) of at most `limit` bytes; empty at end of input.
pub fn read_line(reader: &mut dyn BufRead, limit: usize, path: &Path, line_no: u64) -> Result<Vec<u8>> {
    let mut line = Vec::new();
    reader.take(limit as u64).read_until(b'\n', &mut line).map_err(|e| read_error(path, e))?;
    if line.len() >= limit && line.last() != Some(&b'\n') {
        return Err(Error::at_line(&path.display().to_string(), line_no, format!("line longer than {limit} bytes")));
    }
    Ok(line)
}
