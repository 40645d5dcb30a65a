//! Inputs found by the fuzz targets in fuzz/ (see scripts/fuzz.sh), kept as tests: each was a
//! panic or a broken invariant before its fix.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;
use zhvec::segment::{SegDict, Segmenter};
use zhvec::vocab::format::{checksum, Section, HEADER_LEN, NO_ROW};
use zhvec::vocab::{write_vocab, TableData, VocabData};
use zhvec::{Dtype, Kind, Vocab};

fn put_u64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// Stores fresh body and header checksums, as a writer would for these bytes.
fn seal(bytes: &mut [u8]) {
    let body = checksum(&bytes[HEADER_LEN..]);
    put_u64(bytes, 72, body);
    let head = checksum(&bytes[..HEADER_LEN - 8]);
    put_u64(bytes, HEADER_LEN - 8, head);
}

/// The tiny table in `dtype`, its bytes changed by `edit` and sealed again, written next to it.
fn edited(dir: &TempDir, dtype: Dtype, edit: impl FnOnce(&Vocab, &mut Vec<u8>)) -> PathBuf {
    let good = common::write_tiny(dir.path(), dtype);
    let mut bytes = fs::read(&good).unwrap();
    let vocab = Vocab::open(&good).unwrap();
    edit(&vocab, &mut bytes);
    seal(&mut bytes);
    let path = dir.path().join("edited.zv");
    fs::write(&path, bytes).unwrap();
    path
}

fn verify_cli(path: &Path) -> (Option<i32>, String) {
    let out = common::zhvec().args(["vocab", "verify"]).arg(path).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// An int8 header with a huge word count and dimension 0: the size of the int8 scales, 4
/// bytes a row, overflowed unchecked (a panic where overflow is checked).
#[test]
fn huge_row_count_with_zero_dim_is_rejected_without_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited(&dir, Dtype::Int8, |_, b| {
        put_u64(b, 24, 1 << 62); // word count
        b[40..44].copy_from_slice(&0u32.to_le_bytes()); // word dim
    });
    let err = Vocab::open(&path).unwrap_err().to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("rows is more than the format allows"), "{err}");
}

/// A character index with no entry for a character of the table: every lookup of that
/// character missed it, and `verify` passed.
#[test]
fn verify_sees_a_character_missing_from_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited(&dir, Dtype::F32, |v, b| {
        let (bmp, len) = v.header().section(Section::CharBmp);
        assert!(len > 0, "the tiny table has a character index");
        let at = bmp as usize + 4 * '北' as usize;
        b[at..at + 4].copy_from_slice(&NO_ROW.to_le_bytes());
    });
    let v = Vocab::open(&path).unwrap();
    let err = match v.verify() {
        Ok(()) => panic!("verify passed, yet the lookup of 北 gives {:?}", v.id(Kind::Char, "北")),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(&path.display().to_string()) && err.contains("no entry for row 0 ('北')"), "{err}");
    let (code, stderr) = verify_cli(&path);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no entry for row 0"), "{stderr}");
}

/// Counts that add up to more than a usize: jieba's running total overflowed (a panic where
/// overflow is checked, a meaningless total otherwise) when the vocab became the segmenter's
/// dictionary. Each table's own total still fits, so the table itself is valid.
#[test]
fn vocab_dictionary_with_overflowing_counts_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (mut words, mut chars) = common::tiny_tables();
    words.counts = vec![1 << 63, 1, 1];
    chars.counts.iter_mut().for_each(|c| *c = 1);
    chars.counts[0] = 1 << 63;
    let path = dir.path().join("huge-counts.zv");
    let meta = serde_json::json!({});
    write_vocab(&path, &VocabData { words, chars, dtype: Dtype::F32, meta }).unwrap();
    let v = Vocab::open(&path).unwrap();
    v.verify().unwrap();
    for only_for in [None, Some("北京天气很好")] {
        let err = match Segmenter::new(SegDict::Vocab, Some(&v), only_for) {
            Ok(_) => panic!("a dictionary was built from counts that overflow (only for {only_for:?})"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(&path.display().to_string()) && err.contains("add up to more than"), "{err}");
    }
    let out = common::zhvec()
        .args(["embed", "--seg-dict", "vocab", "--vocab"])
        .arg(&path)
        .write_stdin("北京天气很好\n")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&path.display().to_string()) && stderr.contains("add up to more than"), "{stderr}");
    assert!(out.stdout.is_empty());
    // The standard dictionary does not read the counts.
    let ok = common::zhvec().arg("embed").arg("--vocab").arg(&path).write_stdin("北京\n").output();
    assert_eq!(ok.unwrap().status.code(), Some(0));
}

/// A header claiming a dimension of billions for a table of no rows: the sizes all agreed,
/// so the table opened, and embedding a line then allocated rows of that length (8 GiB).
#[test]
fn huge_dimension_is_rejected_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let (_, chars) = common::tiny_tables();
    let good = dir.path().join("no-words.zv");
    let data = VocabData { words: TableData::new(2), chars, dtype: Dtype::F32, meta: serde_json::json!({}) };
    write_vocab(&good, &data).unwrap();
    let mut bytes = fs::read(&good).unwrap();
    bytes[40..44].copy_from_slice(&(1u32 << 31).to_le_bytes()); // word dim
    seal(&mut bytes);
    let path = dir.path().join("huge-dim.zv");
    fs::write(&path, bytes).unwrap();
    let err = match Vocab::open(&path) {
        Ok(v) => panic!("opened with a word dimension of {}", v.dim(Kind::Word)),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains(&format!("dimension {} is more than the 65536 supported", 1u64 << 31)), "{err}");
    let out = common::zhvec().args(["vocab", "info"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}
