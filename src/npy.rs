//! The NumPy `.npy` format: the header zhvec writes, and a reader for 2-D little-endian
//! float32 or float16 matrices, memory-mapped.

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;

use crate::error::{Error, Result};
use crate::similarity::Matrix;

/// Header length: the data starts at byte 128, a multiple of 64, as NumPy aligns it.
pub const HEADER_LEN: usize = 128;

/// The element type of a matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F16,
}

impl Dtype {
    /// The NumPy `descr`.
    pub fn descr(self) -> &'static str {
        match self {
            Dtype::F32 => "<f4",
            Dtype::F16 => "<f2",
        }
    }

    pub fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F16 => 2,
        }
    }
}

/// A version 1.0 header for a C-order `(rows, dim)` matrix: magic, version, a u16 length,
/// and a dict padded with spaces so the data starts at [`HEADER_LEN`].
pub fn header(dtype: Dtype, rows: u64, dim: usize) -> [u8; HEADER_LEN] {
    let mut h = [b' '; HEADER_LEN];
    h[..6].copy_from_slice(b"\x93NUMPY");
    h[6] = 1;
    h[7] = 0;
    h[8..10].copy_from_slice(&((HEADER_LEN - 10) as u16).to_le_bytes());
    let dict = format!("{{'descr': '{}', 'fortran_order': False, 'shape': ({rows}, {dim}), }}", dtype.descr());
    h[10..10 + dict.len()].copy_from_slice(dict.as_bytes());
    h[HEADER_LEN - 1] = b'\n';
    h
}

/// A memory-mapped 2-D `.npy` matrix.
pub struct Npy {
    map: Option<Mmap>,
    offset: usize,
    pub dtype: Dtype,
    pub rows: usize,
    pub dim: usize,
}

impl Npy {
    /// Maps `path` and checks its header: a 2-D, C-order, little-endian float32 or float16
    /// array whose data is exactly the size the shape gives.
    pub fn open(path: &Path) -> Result<Npy> {
        let shown = path.display();
        let file = File::open(path).map_err(|e| Error::io_path("cannot open", path, e))?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(Error::bad(format!("{shown}: is a directory, not an .npy file")));
        }
        let len = file.metadata().map_err(|e| Error::io_path("cannot read", path, e))?.len();
        // SAFETY: read-only map of a file the user gave; the length is checked below and
        // every read goes through slices of it.
        let map = if len == 0 {
            None
        } else {
            Some(unsafe { Mmap::map(&file) }.map_err(|e| Error::io_path("cannot map", path, e))?)
        };
        let bytes: &[u8] = map.as_deref().unwrap_or(&[]);
        let bad = |what: String| Error::bad(format!("{shown}: not a usable .npy matrix: {what}"));
        if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
            return Err(bad("no .npy magic at the start".into()));
        }
        let (dict_at, dict_len) = match bytes[6] {
            1 => (10, u16::from_le_bytes([bytes[8], bytes[9]]) as usize),
            2 | 3 if bytes.len() >= 12 => (12, u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize),
            v => return Err(bad(format!("format version {v} is not supported"))),
        };
        let dict = bytes
            .get(dict_at..dict_at + dict_len)
            .and_then(|d| std::str::from_utf8(d).ok())
            .ok_or_else(|| bad("the header is cut short or not text".into()))?;
        let dtype = match field(dict, "descr") {
            Some("'<f4'") => Dtype::F32,
            Some("'<f2'") => Dtype::F16,
            Some(d) => {
                return Err(bad(format!("dtype {d}: only little-endian float32 (<f4) and float16 (<f2) are read")))
            }
            None => return Err(bad("the header has no descr".into())),
        };
        if field(dict, "fortran_order") != Some("False") {
            return Err(bad("the array is in Fortran order; save it with numpy.ascontiguousarray".into()));
        }
        let shape = field(dict, "shape").ok_or_else(|| bad("the header has no shape".into()))?;
        let dims: Vec<&str> = shape
            .trim_start_matches('(')
            .trim_end_matches(')')
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let [rows, dim] = dims[..] else {
            return Err(bad(format!("shape {shape} is not 2-D (rows, dim)")));
        };
        let (rows, dim): (usize, usize) = match (rows.parse(), dim.parse()) {
            (Ok(r), Ok(d)) => (r, d),
            _ => return Err(bad(format!("shape {shape} is not two numbers"))),
        };
        let offset = dict_at + dict_len;
        let want = rows.checked_mul(dim).and_then(|n| n.checked_mul(dtype.size()));
        if want != Some(bytes.len() - offset.min(bytes.len())) {
            return Err(bad(format!(
                "shape {shape} needs {} bytes of data, the file has {}",
                want.map_or("more than 2^64".into(), |w| w.to_string()),
                bytes.len().saturating_sub(offset)
            )));
        }
        if offset % dtype.size() != 0 {
            return Err(bad("the data is not aligned to its element size".into()));
        }
        Ok(Npy { map, offset, dtype, rows, dim })
    }

    /// The rows, read in place.
    pub fn matrix(&self) -> Matrix<'_> {
        let data = self.map.as_deref().map_or(&[][..], |m| &m[self.offset..]);
        match self.dtype {
            Dtype::F32 => Matrix::F32(bytemuck::try_cast_slice(data).unwrap_or_default()),
            Dtype::F16 => Matrix::F16(bytemuck::try_cast_slice(data).unwrap_or_default()),
        }
    }
}

/// The value of `'key': value` in a header dict, as written (a tuple kept whole).
fn field<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let at = dict.find(&format!("'{key}'"))? + key.len() + 2;
    let rest = dict[at..].trim_start().strip_prefix(':')?.trim_start();
    let end = if rest.starts_with('(') { rest.find(')')? + 1 } else { rest.find([',', '}'])? };
    Some(rest[..end].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields_read_back() {
        let h = header(Dtype::F16, 3, 7);
        let dict = std::str::from_utf8(&h[10..]).unwrap();
        assert_eq!(field(dict, "descr"), Some("'<f2'"));
        assert_eq!(field(dict, "fortran_order"), Some("False"));
        assert_eq!(field(dict, "shape"), Some("(3, 7)"));
        assert_eq!(field("{'shape': (5,), }", "shape"), Some("(5,)"));
    }

    #[test]
    fn reads_what_it_writes_and_refuses_a_short_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.npy");
        let mut b = header(Dtype::F32, 2, 2).to_vec();
        for x in [1.0f32, 2.0, 3.0, 4.0] {
            b.extend_from_slice(&x.to_le_bytes());
        }
        std::fs::write(&p, &b).unwrap();
        let m = Npy::open(&p).unwrap();
        assert_eq!((m.rows, m.dim, m.dtype), (2, 2, Dtype::F32));
        assert!(matches!(m.matrix(), Matrix::F32(v) if v == [1.0, 2.0, 3.0, 4.0]));
        std::fs::write(&p, &b[..b.len() - 1]).unwrap();
        let e = Npy::open(&p).err().unwrap().to_string();
        assert!(e.contains("needs 16 bytes of data, the file has 15"), "{e}");
    }
}
