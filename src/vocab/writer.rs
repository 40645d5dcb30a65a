//! Writes a `.zv` vocab file atomically: into a temporary file next to the target, which is
//! renamed over the target only once it is complete and its checksum is in the header. A
//! target that is not a regular file (a pipe, standard output) gets the finished table
//! copied from an anonymous file in $TMPDIR.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use memmap2::Mmap;

use super::format::{
    align_up, checksum, show_value, Dtype, Header, Section, TableSections, BMP_LEN, CHAR_SECTIONS, EMPTY_SLOT,
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
    let shown = output.name();
    match output {
        Output::Atomic(tmp) => {
            write_file(tmp.file(), &shown, data)?;
            tmp.commit()
        }
        Output::Direct { file, .. } => copy_through_spool(data, &shown, file),
        Output::Stdout => copy_through_spool(data, &shown, std::io::stdout().lock()),
    }
}

fn copy_through_spool(data: &VocabData, shown: &str, mut dest: impl Write) -> Result<()> {
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
fn write_file(file: &File, shown: &str, data: &VocabData) -> Result<()> {
    for (t, what) in [(&data.words, "word"), (&data.chars, "char")] {
        if t.vectors.len() != t.len() * t.dim || t.counts.len() != t.len() {
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
        // A value the dtype cannot hold would be stored as infinity (or NaN) and poison
        // every mean it enters.
        if let Some(at) = t.vectors.iter().position(|&x| !data.dtype.holds(x)) {
            let (row, x) = (at / t.dim.max(1), t.vectors[at]);
            let problem = data.dtype.value_problem(x).unwrap_or_default();
            return Err(Error::bad(format!(
                "{what} table row {row} ({:?}): the value {} {problem}",
                t.names[row],
                show_value(x)
            )));
        }
    }
    let mut out = Out { w: BufWriter::with_capacity(1 << 20, file), pos: 0, path: shown.to_string() };
    out.write(&[0u8; HEADER_LEN])?;

    let mut sections = [(0u64, 0u64); SECTION_COUNT];
    let meta = serde_json::to_vec(&data.meta).map_err(|e| Error::bad(format!("metadata: {e}")))?;
    sections[Section::Meta as usize] = out.section(|o| o.write(&meta))?;
    write_table(&mut out, &mut sections, WORD_SECTIONS, &data.words, data.dtype)?;
    write_table(&mut out, &mut sections, CHAR_SECTIONS, &data.chars, data.dtype)?;
    if !data.chars.is_empty() {
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
    out.w.flush().map_err(|e| Error::io(format!("cannot write {shown}"), e))?;
    drop(out);

    // The checksum covers the body as written, read back through a map of the temp file.
    // SAFETY: the temporary file is private to this process until it is renamed.
    let map = unsafe { Mmap::map(file) }.map_err(|e| Error::io(format!("cannot map {shown}"), e))?;
    let body_checksum = checksum(&map[HEADER_LEN..]);
    drop(map);
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
    t: &TableData,
    dtype: Dtype,
) -> Result<()> {
    sections[sec.strings as usize] = out.section(|o| t.names.iter().try_for_each(|n| o.write(n.as_bytes())))?;
    let mut offsets = Vec::with_capacity(t.len() + 1);
    let mut at = 0u64;
    offsets.push(0u32);
    for n in &t.names {
        at += n.len() as u64;
        offsets.push(u32::try_from(at).map_err(|_| Error::bad("the names of the table exceed 4 GiB"))?);
    }
    sections[sec.offsets as usize] = out.section(|o| write_le(o, offsets.iter().map(|x| x.to_le_bytes())))?;
    drop(offsets);
    let slots = build_slots(&t.names)?;
    sections[sec.slots as usize] = out.section(|o| write_le(o, slots.iter().map(|x| x.to_le_bytes())))?;
    drop(slots);
    let mut scales = Vec::new();
    sections[sec.vectors as usize] = out.section(|o| {
        let mut buf: Vec<u8> = Vec::with_capacity(t.dim * 4);
        let mut q: Vec<i8> = Vec::with_capacity(t.dim);
        for i in 0..t.len() {
            let row = t.row(i);
            buf.clear();
            match dtype {
                Dtype::F32 => buf.extend(row.iter().flat_map(|x| x.to_le_bytes())),
                Dtype::F16 => buf.extend(row.iter().flat_map(|&x| f32_to_f16(x).to_le_bytes())),
                Dtype::Int8 => {
                    q.clear();
                    let scale = quantize_i8(row, &mut q)
                        .ok_or_else(|| Error::bad(format!("{:?}: a value is not a finite number", t.names[i])))?;
                    scales.push(scale);
                    buf.extend(q.iter().map(|&x| x as u8));
                }
            }
            o.write(&buf)?;
        }
        Ok(())
    })?;
    sections[sec.scales as usize] = out.section(|o| write_le(o, scales.iter().map(|x| x.to_le_bytes())))?;
    sections[sec.counts as usize] = out.section(|o| write_le(o, t.counts.iter().map(|x| x.to_le_bytes())))?;
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
