//! Writes a `.zv` vocab file atomically: into a temporary file next to the target, which is
//! renamed over the target only once it is complete and its checksum is in the header. A
//! target that is not a regular file (a pipe, standard output) gets the finished table
//! copied from an anonymous file in $TMPDIR.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::mpsc::sync_channel;

use super::format::{
    align_up, show_value, Dtype, Header, Section, TableSections, BMP_LEN, CHAR_SECTIONS, EMPTY_SLOT,
    FLAG_NO_SINGLE_CHAR_WORDS, HEADER_LEN, NO_ROW, SECTION_COUNT, WORD_SECTIONS,
};
use super::quant::{f32_to_f16, quantize_i8};
use crate::atomic::{Inputs, Output};
use crate::error::{Error, Result};
use crate::hash::{name_hash, probe, slot_capacity, tag};

/// One table in memory, rows in the order they will be stored.
#[derive(Clone, Debug, Default)]
pub struct TableData {
    pub dim: usize,
    pub names: Vec<String>,
    /// `names.len() × dim` values, row-major.
    pub vectors: Vec<f32>,
    pub counts: Vec<u64>,
}

impl TableData {
    pub fn new(dim: usize) -> TableData {
        TableData { dim, ..Default::default() }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn push(&mut self, name: String, vector: &[f32], count: u64) {
        debug_assert_eq!(vector.len(), self.dim);
        self.names.push(name);
        self.vectors.extend_from_slice(vector);
        self.counts.push(count);
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.vectors[i * self.dim..(i + 1) * self.dim]
    }
}

/// Everything a vocab file holds.
#[derive(Clone, Debug)]
pub struct VocabData {
    pub words: TableData,
    pub chars: TableData,
    pub dtype: Dtype,
    /// Free-form metadata: source description, build options.
    pub meta: serde_json::Value,
}

/// Supplies the vectors of a table's rows to the writer, in table order, a block at a time,
/// so a table can be written without all its vectors in memory. Blocks are fetched on a
/// thread of their own while the previous one is written.
pub trait RowSource: Send {
    /// Puts rows `start..start + n` into `out` (replacing its contents), row-major, `n × dim`
    /// values.
    fn read_rows(&mut self, start: usize, n: usize, out: &mut Vec<f32>) -> Result<()>;
}

/// Rows held in memory, row-major.
struct MemoryRows<'a> {
    vectors: &'a [f32],
    dim: usize,
}

impl RowSource for MemoryRows<'_> {
    fn read_rows(&mut self, start: usize, n: usize, out: &mut Vec<f32>) -> Result<()> {
        out.clear();
        out.extend_from_slice(&self.vectors[start * self.dim..(start + n) * self.dim]);
        Ok(())
    }
}

/// One table to write: names and counts in memory, vectors from a [`RowSource`].
pub struct TableRows<'a> {
    pub dim: usize,
    pub names: &'a [String],
    pub counts: &'a [u64],
    pub vectors: &'a mut dyn RowSource,
}

impl TableRows<'_> {
    fn len(&self) -> usize {
        self.names.len()
    }
}

/// A table whose vectors come from elsewhere, for [`write_rows_to`].
pub struct RowsData<'a> {
    pub words: TableRows<'a>,
    pub chars: TableRows<'a>,
    pub dtype: Dtype,
    pub meta: &'a serde_json::Value,
}

/// Bytes of vectors fetched from a [`RowSource`] at a time.
const BLOCK_BYTES: usize = 4 << 20;

/// The file being written, with the checksum of everything after the header computed as
/// the bytes go by, so the table is never read back.
struct Hashed<'a> {
    file: &'a File,
    pos: u64,
    sum: StreamSum,
}

impl Write for Hashed<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        let skip = (HEADER_LEN as u64).saturating_sub(self.pos).min(n as u64) as usize;
        self.sum.update(&buf[skip..n]);
        self.pos += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// [`checksum`] computed over bytes given in pieces.
#[derive(Clone, Debug)]
struct StreamSum {
    lanes: [u64; 4],
    len: u64,
    /// The start of an incomplete 32-byte block.
    tail: [u8; 32],
    tail_len: usize,
}

const SUM_K: u64 = 0x9e37_79b9_7f4a_7c15;

impl StreamSum {
    fn new() -> StreamSum {
        StreamSum { lanes: [1, 2, 3, 4], len: 0, tail: [0; 32], tail_len: 0 }
    }

    fn block(&mut self, block: &[u8]) {
        for (i, lane) in self.lanes.iter_mut().enumerate() {
            let w = u64::from_le_bytes(block[8 * i..8 * i + 8].try_into().unwrap_or([0; 8]));
            *lane = (*lane ^ w).wrapping_mul(SUM_K).rotate_left(29);
        }
    }

    fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if self.tail_len > 0 {
            let take = (32 - self.tail_len).min(bytes.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&bytes[..take]);
            self.tail_len += take;
            bytes = &bytes[take..];
            if self.tail_len < 32 {
                return;
            }
            let tail = self.tail;
            self.block(&tail);
            self.tail_len = 0;
        }
        let mut blocks = bytes.chunks_exact(32);
        for b in &mut blocks {
            self.block(b);
        }
        let rest = blocks.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    fn finish(&self) -> u64 {
        let mut h = self.len;
        for lane in self.lanes {
            h = (h ^ lane).wrapping_mul(SUM_K).rotate_left(31);
        }
        for &b in &self.tail[..self.tail_len] {
            h = (h ^ b as u64).wrapping_mul(SUM_K).rotate_left(23);
        }
        h ^ (h >> 29)
    }
}

struct Out<W: Write> {
    w: W,
    pos: u64,
    path: String,
}

impl<W: Write> Out<W> {
    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.w.write_all(bytes).map_err(|e| Error::io(format!("cannot write {}", self.path), e))?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    fn pad(&mut self) -> Result<()> {
        let to = align_up(self.pos);
        let zeros = [0u8; 64];
        self.write(&zeros[..(to - self.pos) as usize])
    }

    /// Writes one section, returning its (offset, length).
    fn section(&mut self, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<(u64, u64)> {
        self.pad()?;
        let start = self.pos;
        f(self)?;
        Ok((start, self.pos - start))
    }
}

/// Writes `data` to `path` atomically.
pub fn write_vocab(path: &Path, data: &VocabData) -> Result<()> {
    write_vocab_to(Output::create(path, &Inputs::default())?, data)
}

/// Writes `data` to an output opened beforehand (see [`crate::atomic`]).
pub fn write_vocab_to(output: Output, data: &VocabData) -> Result<()> {
    for (t, what) in [(&data.words, "word"), (&data.chars, "char")] {
        if t.vectors.len() != t.len() * t.dim || t.counts.len() != t.len() {
            return Err(Error::bad(format!("{what} table is inconsistent")));
        }
    }
    let mut words = MemoryRows { vectors: &data.words.vectors, dim: data.words.dim };
    let mut chars = MemoryRows { vectors: &data.chars.vectors, dim: data.chars.dim };
    let rows = RowsData {
        words: TableRows {
            dim: data.words.dim,
            names: &data.words.names,
            counts: &data.words.counts,
            vectors: &mut words,
        },
        chars: TableRows {
            dim: data.chars.dim,
            names: &data.chars.names,
            counts: &data.chars.counts,
            vectors: &mut chars,
        },
        dtype: data.dtype,
        meta: &data.meta,
    };
    write_rows_to(output, rows)
}

/// Writes a table whose vectors come from [`RowSource`]s to an output opened beforehand.
pub fn write_rows_to(output: Output, mut data: RowsData) -> Result<()> {
    let shown = output.name();
    match output {
        Output::Atomic(tmp) => {
            write_file(tmp.file(), &shown, &mut data)?;
            tmp.commit()
        }
        Output::Direct { file, .. } => copy_through_spool(&mut data, &shown, file),
        Output::Stdout => copy_through_spool(&mut data, &shown, std::io::stdout().lock()),
    }
}

fn copy_through_spool(data: &mut RowsData, shown: &str, mut dest: impl Write) -> Result<()> {
    let dir = std::env::temp_dir();
    let spool = |e| Error::io(format!("cannot write the table's spool file in {}", dir.display()), e);
    let mut file = tempfile::tempfile().map_err(spool)?;
    write_file(&file, shown, data)?;
    file.seek(SeekFrom::Start(0)).map_err(spool)?;
    std::io::copy(&mut file, &mut dest)
        .and_then(|_| dest.flush())
        .map_err(|e| Error::io(format!("cannot write {shown}"), e))?;
    Ok(())
}

/// Writes the table into `file`, which must be a new, seekable, private file.
fn write_file(file: &File, shown: &str, data: &mut RowsData) -> Result<()> {
    for (t, what) in [(&data.words, "word"), (&data.chars, "char")] {
        if t.counts.len() != t.len() {
            return Err(Error::bad(format!("{what} table is inconsistent")));
        }
        if t.len() >= NO_ROW as usize {
            return Err(Error::bad(format!("too many {what} rows: {}", t.len())));
        }
        // The header stores their total, which SIF weights and the vocab segmenter divide by.
        if t.counts.iter().try_fold(0u64, |sum, &c| sum.checked_add(c)).is_none() {
            return Err(Error::bad(format!(
                "the {what} frequencies add up to more than {}; scale them down",
                u64::MAX
            )));
        }
    }
    let hashed = Hashed { file, pos: 0, sum: StreamSum::new() };
    let mut out = Out { w: BufWriter::with_capacity(1 << 20, hashed), pos: 0, path: shown.to_string() };
    out.write(&[0u8; HEADER_LEN])?;

    let mut sections = [(0u64, 0u64); SECTION_COUNT];
    let meta = serde_json::to_vec(data.meta).map_err(|e| Error::bad(format!("metadata: {e}")))?;
    sections[Section::Meta as usize] = out.section(|o| o.write(&meta))?;
    write_table(&mut out, &mut sections, WORD_SECTIONS, &mut data.words, data.dtype, "word")?;
    write_table(&mut out, &mut sections, CHAR_SECTIONS, &mut data.chars, data.dtype, "char")?;
    if !data.chars.names.is_empty() {
        let mut bmp = vec![NO_ROW; BMP_LEN];
        for (id, name) in data.chars.names.iter().enumerate() {
            let mut it = name.chars();
            if let (Some(c), None) = (it.next(), it.next()) {
                if (c as usize) < BMP_LEN {
                    bmp[c as usize] = id as u32;
                }
            }
        }
        sections[Section::CharBmp as usize] = out.section(|o| write_le(o, bmp.iter().map(|x| x.to_le_bytes())))?;
    }
    out.pad()?;
    let file_len = out.pos;
    let hashed = out.w.into_inner().map_err(|e| Error::io(format!("cannot write {shown}"), e.into_error()))?;
    let body_checksum = hashed.sum.finish();
    let single = |n: &String| n.chars().nth(1).is_none();
    let flags = if data.words.names.iter().any(single) { 0 } else { FLAG_NO_SINGLE_CHAR_WORDS };
    let header = Header {
        dtype: data.dtype,
        flags,
        words: data.words.len() as u64,
        chars: data.chars.len() as u64,
        dim: data.words.dim as u32,
        char_dim: data.chars.dim as u32,
        word_total: data.words.counts.iter().sum(),
        char_total: data.chars.counts.iter().sum(),
        file_len,
        body_checksum,
        sections,
    };
    let mut file = file;
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.write_all(&header.encode()))
        .map_err(|e| Error::io(format!("cannot write {shown}"), e))
}

fn write_table<W: Write>(
    out: &mut Out<W>,
    sections: &mut [(u64, u64); SECTION_COUNT],
    sec: TableSections,
    t: &mut TableRows,
    dtype: Dtype,
    what: &str,
) -> Result<()> {
    sections[sec.strings as usize] = out.section(|o| t.names.iter().try_for_each(|n| o.write(n.as_bytes())))?;
    let mut offsets = Vec::with_capacity(t.len() + 1);
    let mut at = 0u64;
    offsets.push(0u32);
    for n in t.names {
        at += n.len() as u64;
        offsets.push(u32::try_from(at).map_err(|_| Error::bad("the names of the table exceed 4 GiB"))?);
    }
    sections[sec.offsets as usize] = out.section(|o| write_le(o, offsets.iter().map(|x| x.to_le_bytes())))?;
    drop(offsets);
    let slots = build_slots(t.names)?;
    sections[sec.slots as usize] = out.section(|o| write_le(o, slots.iter().map(|x| x.to_le_bytes())))?;
    drop(slots);
    let mut scales = Vec::new();
    sections[sec.vectors as usize] = out.section(|o| write_vectors(o, t, dtype, what, &mut scales))?;
    sections[sec.scales as usize] = out.section(|o| write_le(o, scales.iter().map(|x| x.to_le_bytes())))?;
    sections[sec.counts as usize] = out.section(|o| write_le(o, t.counts.iter().map(|x| x.to_le_bytes())))?;
    Ok(())
}

/// One block of a table's vectors, encoded as the table stores them.
#[derive(Default)]
struct Block {
    values: Vec<f32>,
    /// The stored bytes, for the dtypes that are not f32 (f32 values are stored as they are).
    bytes: Vec<u8>,
    scales: Vec<f32>,
}

impl Block {
    fn stored(&self, dtype: Dtype) -> &[u8] {
        match dtype {
            // Little-endian bytes: the crate builds for little-endian targets only.
            Dtype::F32 => bytemuck::cast_slice(&self.values),
            Dtype::F16 | Dtype::Int8 => &self.bytes,
        }
    }
}

/// Blocks encoded ahead of the one being written.
const BLOCKS_AHEAD: usize = 2;

/// Writes the vectors section of `t`, appending the int8 scales to `scales`. One thread
/// fetches and encodes the blocks, this one writes (and checksums) them, so the two overlap.
fn write_vectors<W: Write>(
    o: &mut Out<W>,
    t: &mut TableRows,
    dtype: Dtype,
    what: &str,
    scales: &mut Vec<f32>,
) -> Result<()> {
    let (dim, names, n) = (t.dim, t.names, t.len());
    let per_block = (BLOCK_BYTES / (dim * 4).max(1)).max(1);
    let source = &mut *t.vectors;
    std::thread::scope(|s| {
        let (full_tx, full_rx) = sync_channel::<Result<Block>>(BLOCKS_AHEAD);
        let (free_tx, free_rx) = sync_channel::<Block>(BLOCKS_AHEAD + 2);
        s.spawn(move || {
            for start in (0..n).step_by(per_block) {
                let mut block = free_rx.try_recv().unwrap_or_default();
                let done = encode_block(source, start, per_block.min(n - start), dim, dtype, names, what, &mut block);
                let failed = done.is_err();
                // A closed channel means the writer stopped; it reports why.
                if full_tx.send(done.map(|()| block)).is_err() || failed {
                    return;
                }
            }
        });
        for block in full_rx {
            let block = block?;
            o.write(block.stored(dtype))?;
            scales.extend_from_slice(&block.scales);
            let _ = free_tx.try_send(block);
        }
        Ok(())
    })
}

/// Fetches rows `start..start + n` into `block` and encodes them as `dtype`.
#[allow(clippy::too_many_arguments)]
fn encode_block(
    source: &mut dyn RowSource,
    start: usize,
    n: usize,
    dim: usize,
    dtype: Dtype,
    names: &[String],
    what: &str,
    block: &mut Block,
) -> Result<()> {
    source.read_rows(start, n, &mut block.values)?;
    let rows = &block.values;
    // A value the dtype cannot hold would be stored as infinity (or NaN) and poison every
    // mean it enters.
    if let Some(at) = rows.iter().position(|&x| !dtype.holds(x)) {
        let (row, x) = (start + at / dim.max(1), rows[at]);
        let problem = dtype.value_problem(x).unwrap_or_default();
        return Err(Error::bad(format!(
            "{what} table row {row} ({:?}): the value {} {problem}",
            names[row],
            show_value(x)
        )));
    }
    block.bytes.clear();
    block.scales.clear();
    match dtype {
        Dtype::F32 => {}
        Dtype::F16 => block.bytes.extend(rows.iter().flat_map(|&x| f32_to_f16(x).to_le_bytes())),
        Dtype::Int8 => {
            let mut q: Vec<i8> = Vec::with_capacity(dim);
            for (k, row) in rows.chunks_exact(dim.max(1)).enumerate() {
                q.clear();
                let scale = quantize_i8(row, &mut q)
                    .ok_or_else(|| Error::bad(format!("{:?}: a value is not a finite number", names[start + k])))?;
                block.scales.push(scale);
                block.bytes.extend(q.iter().map(|&x| x as u8));
            }
        }
    }
    Ok(())
}

/// Writes little-endian values one by one through the buffered writer, so no byte copy of a
/// whole array (hundreds of MB for a large table) is made.
fn write_le<W: Write, const N: usize>(o: &mut Out<W>, values: impl Iterator<Item = [u8; N]>) -> Result<()> {
    values.into_iter().try_for_each(|b| o.write(&b))
}

/// Builds the open-addressing index described in [`super::format`].
fn build_slots(names: &[String]) -> Result<Vec<u64>> {
    let mut slots = vec![EMPTY_SLOT; slot_capacity(names.len() as u64) as usize];
    for (id, name) in names.iter().enumerate() {
        let h = name_hash(name.as_bytes());
        for i in probe(h, slots.len()) {
            let s = slots[i];
            if s == EMPTY_SLOT {
                slots[i] = id as u64 | u64::from(tag(h)) << 32;
                break;
            }
            if s >> 32 == u64::from(tag(h)) && names[s as u32 as usize] == *name {
                return Err(Error::bad(format!("duplicate entry {name:?} in the table")));
            }
        }
    }
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::format::checksum;

    #[test]
    fn streamed_checksum_matches_the_whole_buffer_checksum() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in [0, 1, 31, 32, 33, 64, 100, 999, 1000] {
            for piece in [1, 3, 32, 45, 1000] {
                let mut s = StreamSum::new();
                for chunk in bytes[..len].chunks(piece) {
                    s.update(chunk);
                }
                assert_eq!(s.finish(), checksum(&bytes[..len]), "len {len}, pieces of {piece}");
            }
        }
    }
}
