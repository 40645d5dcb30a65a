//! The `.zv` table: damaged files are rejected with a message naming the file and the
//! problem (never a panic), through the library and through `zhvec vocab info/verify`;
//! and tables written by the library read back right in every dtype.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;
use zhvec::vocab::format::{checksum, Section, HEADER_LEN};
use zhvec::vocab::{write_vocab, TableData, VocabData};
use zhvec::{Dtype, Kind, Row, Vocab};

fn tiny(dtype: Dtype) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_tiny(dir.path(), dtype);
    (dir, path)
}

/// Writes `bytes` as `name` next to the tiny table and returns its path.
fn damaged(dir: &TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    fs::write(&p, bytes).unwrap();
    p
}

/// Stores a fresh header checksum, so that a deliberately edited header passes that check.
fn reseal(bytes: &mut [u8]) {
    let sum = checksum(&bytes[..HEADER_LEN - 8]);
    bytes[HEADER_LEN - 8..HEADER_LEN].copy_from_slice(&sum.to_le_bytes());
}

fn open_err(path: &Path) -> String {
    match Vocab::open(path) {
        Ok(v) => panic!("{} opened: {v:?}", path.display()),
        Err(e) => e.to_string(),
    }
}

fn vocab_cmd(sub: &str, path: &Path) -> std::process::Output {
    common::zhvec().args(["vocab", sub]).arg(path).output().unwrap()
}

/// `zhvec vocab info` and `verify` on `path`: both exit 2 with a message naming the file
/// and containing `problem`.
fn assert_cli_rejects(path: &Path, problem: &str) {
    for sub in ["info", "verify"] {
        let out = vocab_cmd(sub, path);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "vocab {sub}: {err}");
        assert!(err.contains(&path.display().to_string()), "vocab {sub}: {err}");
        assert!(err.contains(problem), "vocab {sub}: {err:?} should mention {problem:?}");
        assert!(out.stdout.is_empty(), "vocab {sub}");
    }
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

// ---------------------------------------------------------------------------------------
// Damaged files.

#[test]
fn truncated_file_is_rejected_on_open() {
    let (dir, good) = tiny(Dtype::F32);
    let bytes = fs::read(&good).unwrap();
    let cut = damaged(&dir, "cut.zv", &bytes[..bytes.len() - 64]);
    let err = open_err(&cut);
    assert!(err.contains(&cut.display().to_string()), "{err}");
    assert!(
        err.contains(&format!("the header says {} bytes but the file has {}", bytes.len(), bytes.len() - 64)),
        "{err}"
    );
    assert_cli_rejects(&cut, "truncated");
}

#[test]
fn file_shorter_than_the_header_is_rejected() {
    let (dir, good) = tiny(Dtype::F32);
    let bytes = fs::read(&good).unwrap();
    let cut = damaged(&dir, "stub.zv", &bytes[..100]);
    let err = open_err(&cut);
    assert!(err.contains("truncated: 100 bytes, shorter than the 512-byte header"), "{err}");
    assert_cli_rejects(&cut, "truncated");
}

#[test]
fn padded_file_is_rejected() {
    let (dir, good) = tiny(Dtype::F32);
    let mut bytes = fs::read(&good).unwrap();
    bytes.extend_from_slice(&[0; 64]);
    let p = damaged(&dir, "padded.zv", &bytes);
    assert!(open_err(&p).contains("truncated or padded"));
    assert_cli_rejects(&p, "padded");
}

#[test]
fn flipped_header_byte_fails_the_header_checksum() {
    let (dir, good) = tiny(Dtype::F32);
    let bytes = fs::read(&good).unwrap();
    // The word count, a section offset, the reserved area and the checksum itself.
    for at in [24, 100, 400, 505] {
        let mut b = bytes.clone();
        b[at] ^= 0x04;
        let p = damaged(&dir, &format!("hdr{at}.zv"), &b);
        let err = open_err(&p);
        assert!(err.contains(&p.display().to_string()) && err.contains("header checksum mismatch"), "{at}: {err}");
        assert_cli_rejects(&p, "checksum");
    }
}

#[test]
fn flipped_body_byte_opens_but_fails_verify() {
    let (dir, good) = tiny(Dtype::F32);
    let mut bytes = fs::read(&good).unwrap();
    let (off, len) = Vocab::open(&good).unwrap().header().section(Section::WordVectors);
    assert_eq!(len, 3 * 2 * 4);
    // The first component of 北京 (1.0f32 = 00 00 80 3f): flip a mantissa bit.
    bytes[off as usize] ^= 0x01;
    let p = damaged(&dir, "body.zv", &bytes);
    let vocab = Vocab::open(&p).expect("the body is only checked by verify");
    let err = vocab.verify().unwrap_err().to_string();
    assert!(err.contains(&p.display().to_string()) && err.contains("checksum mismatch"), "{err}");

    let out = vocab_cmd("verify", &p);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("checksum") && stderr.contains(&p.display().to_string()), "{stderr}");
    // info does not read the body and still works.
    let out = vocab_cmd("info", &p);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn wrong_magic_is_rejected() {
    let (dir, good) = tiny(Dtype::F32);
    let mut bytes = fs::read(&good).unwrap();
    bytes[..8].copy_from_slice(b"GIF89a\0\0");
    let p = damaged(&dir, "magic.zv", &bytes);
    let err = open_err(&p);
    assert!(err.contains(&p.display().to_string()) && err.contains("wrong magic number"), "{err}");
    assert_cli_rejects(&p, "magic");

    let text = damaged(&dir, "words.txt", "北京 0.1 0.2\n".repeat(100).as_bytes());
    assert_cli_rejects(&text, "not a usable zhvec vocab file");
}

#[test]
fn future_version_asks_for_an_upgrade() {
    let (dir, good) = tiny(Dtype::F32);
    let mut bytes = fs::read(&good).unwrap();
    bytes[8] = 2;
    reseal(&mut bytes);
    let p = damaged(&dir, "v2.zv", &bytes);
    let err = open_err(&p);
    assert!(err.contains(&p.display().to_string()), "{err}");
    assert!(err.contains("format version 2 is newer") && err.contains("upgrade zhvec"), "{err}");
    assert_cli_rejects(&p, "version 2");
}

#[test]
fn version_zero_is_rejected() {
    let (dir, good) = tiny(Dtype::F32);
    let mut bytes = fs::read(&good).unwrap();
    bytes[8] = 0;
    reseal(&mut bytes);
    let p = damaged(&dir, "v0.zv", &bytes);
    assert!(open_err(&p).contains("unknown format version 0"));
    assert_cli_rejects(&p, "version 0");
}

#[test]
fn empty_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = damaged(&dir, "empty.zv", b"");
    let err = open_err(&p);
    assert!(err.contains(&p.display().to_string()) && err.contains("not a usable zhvec vocab file"), "{err}");
    assert_cli_rejects(&p, "not a usable zhvec vocab file");
}

#[test]
fn missing_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nowhere.zv");
    let err = open_err(&p);
    assert!(err.contains("cannot open vocab") && err.contains(&p.display().to_string()), "{err}");
    assert_cli_rejects(&p, "cannot open vocab");
}

#[test]
fn directory_is_bad_input() {
    // A directory named as the table is the user's mistake: exit 2 and say so.
    let dir = tempfile::tempdir().unwrap();
    for sub in ["info", "verify"] {
        let out = vocab_cmd(sub, dir.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "vocab {sub}: {err}");
        assert!(err.contains(&dir.path().display().to_string()) && err.contains("directory"), "{err}");
    }
}

#[test]
fn unknown_dtype_is_rejected() {
    let (dir, good) = tiny(Dtype::F32);
    let mut bytes = fs::read(&good).unwrap();
    bytes[16] = 7;
    reseal(&mut bytes);
    let p = damaged(&dir, "dtype.zv", &bytes);
    assert!(open_err(&p).contains("unknown dtype code 7"));
    assert_cli_rejects(&p, "dtype");
}

/// A change to a table's bytes.
type Edit = Box<dyn Fn(&mut Vec<u8>)>;

#[test]
fn consistent_header_with_bad_sections_is_rejected() {
    let (dir, good) = tiny(Dtype::F32);
    let bytes = fs::read(&good).unwrap();
    let section_at = |s: Section| 80 + 16 * s as usize;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "vectors past the end",
            Box::new(move |b: &mut Vec<u8>| {
                let at = section_at(Section::WordVectors);
                let len = b.len() as u64;
                b[at..at + 8].copy_from_slice(&len.to_le_bytes());
            }),
            "lies outside",
        ),
        (
            "unaligned section",
            Box::new(move |b: &mut Vec<u8>| {
                let at = section_at(Section::CharStrings);
                let off = u64_at(b, at) + 4;
                b[at..at + 8].copy_from_slice(&off.to_le_bytes());
            }),
            "CharStrings",
        ),
        (
            "section offset overflow",
            Box::new(move |b: &mut Vec<u8>| {
                let at = section_at(Section::Meta);
                b[at..at + 8].copy_from_slice(&(u64::MAX - 10).to_le_bytes());
            }),
            "Meta",
        ),
        (
            "more words than rows stored",
            Box::new(|b: &mut Vec<u8>| b[24..32].copy_from_slice(&4u64.to_le_bytes())),
            "expected",
        ),
        (
            "huge word count",
            Box::new(|b: &mut Vec<u8>| b[24..32].copy_from_slice(&(u64::MAX / 2).to_le_bytes())),
            "overflows",
        ),
        ("huge dim", Box::new(|b: &mut Vec<u8>| b[40..44].copy_from_slice(&u32::MAX.to_le_bytes())), "WordVectors"),
        (
            "bad index size",
            Box::new(move |b: &mut Vec<u8>| {
                let at = section_at(Section::WordSlots) + 8;
                let len = u64_at(b, at) - 8;
                b[at..at + 8].copy_from_slice(&len.to_le_bytes());
            }),
            "index has a bad size",
        ),
        (
            "bad char index length",
            Box::new(move |b: &mut Vec<u8>| {
                let at = section_at(Section::CharBmp) + 8;
                b[at..at + 8].copy_from_slice(&64u64.to_le_bytes());
            }),
            "CharBmp",
        ),
    ];
    for (what, edit, problem) in cases {
        let mut b = bytes.clone();
        edit(&mut b);
        reseal(&mut b);
        let p = damaged(&dir, "sections.zv", &b);
        let err = open_err(&p);
        assert!(err.contains(&p.display().to_string()) && err.contains(problem), "{what}: {err}");
        let out = vocab_cmd("info", &p);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn no_damage_to_the_header_causes_a_panic() {
    // Every header byte, with the checksum resealed so the structural checks are reached.
    let (dir, good) = tiny(Dtype::Int8);
    let bytes = fs::read(&good).unwrap();
    let p = dir.path().join("fuzz.zv");
    for at in 0..HEADER_LEN - 8 {
        for mask in [0x01u8, 0xff] {
            let mut b = bytes.clone();
            b[at] ^= mask;
            reseal(&mut b);
            fs::write(&p, &b).unwrap();
            if let Ok(v) = Vocab::open(&p) {
                exercise(&v);
            }
        }
    }
}

#[test]
fn no_damage_to_the_body_causes_a_panic() {
    let (dir, good) = tiny(Dtype::F16);
    let bytes = fs::read(&good).unwrap();
    let header = Vocab::open(&good).unwrap().header().clone();
    let p = dir.path().join("fuzz.zv");
    // Every byte of every small section (names, offsets, index, vectors, counts, meta), and a
    // spread of the character index.
    let mut positions: Vec<usize> = Vec::new();
    for (off, len) in header.sections {
        let (off, len) = (off as usize, len as usize);
        if len <= 4096 {
            positions.extend(off..off + len);
        } else {
            positions.extend((off..off + len).step_by(1021));
            positions.extend(off + 4 * 0x4e00..off + 4 * 0x4e00 + 64);
        }
    }
    let (mut tried, mut opened) = (0, 0);
    for at in positions {
        for mask in [0x01u8, 0xff] {
            tried += 1;
            let mut b = bytes.clone();
            b[at] ^= mask;
            fs::write(&p, &b).unwrap();
            // Open checks only what it needs in O(1) (e.g. the first and last name offsets);
            // whatever it lets through, verify must catch.
            if let Ok(v) = Vocab::open(&p) {
                opened += 1;
                assert!(v.verify().is_err(), "byte {at} ^ {mask:#x}: verify passed");
                exercise(&v);
            }
        }
    }
    assert!(opened * 2 > tried, "only {opened} of {tried} damaged tables opened: the test checks little");
}

#[test]
fn damaged_index_never_panics_the_cli() {
    let (dir, good) = tiny(Dtype::F32);
    let bytes = fs::read(&good).unwrap();
    let header = Vocab::open(&good).unwrap().header().clone();
    let p = dir.path().join("index.zv");
    let (slots, _) = header.section(Section::WordSlots);
    let (offsets, _) = header.section(Section::CharOffsets);
    let (bmp, _) = header.section(Section::CharBmp);
    // A slot's row id, a slot's tag, a middle name offset, the char index entry of 北 (U+5317).
    for at in [slots as usize, slots as usize + 7, slots as usize + 24, offsets as usize + 8, bmp as usize + 4 * 0x5317]
    {
        let mut b = bytes.clone();
        b[at] ^= 0xff;
        fs::write(&p, &b).unwrap();
        let out = common::zhvec()
            .args(["embed", "--vocab"])
            .arg(&p)
            .write_stdin("北京天气很好\n🙂e\u{301}\n")
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(
            code == Some(0) || code == Some(2),
            "byte {at}: exit {code:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Lookups and iteration on a possibly damaged table must not panic.
fn exercise(v: &Vocab) {
    for w in ["北京", "天气", "今天", "上海", ""] {
        if let Some(r) = v.view().word(w) {
            let _ = r.to_vec();
        }
    }
    for c in ['北', '京', '好', '🙂', 'x', '\u{4e00}'] {
        if let Some(r) = v.view().char(c) {
            let _ = r.to_vec();
        }
    }
    for g in ["e\u{301}", "🙂", "很"] {
        if let Some(id) = v.view().id(Kind::Char, g) {
            let _ = v.view().row(Kind::Char, id).to_vec();
            let _ = v.view().count(Kind::Char, id);
        }
    }
    for kind in [Kind::Word, Kind::Char] {
        for e in v.entries(kind).take(64) {
            let _ = (e.name.len(), e.row.to_vec(), e.count);
        }
    }
    let _ = v.meta();
    let _ = v.verify();
}

// ---------------------------------------------------------------------------------------
// Round trips through the library, every dtype.

#[test]
fn tiny_table_reads_back_in_every_dtype() {
    for dtype in [Dtype::F32, Dtype::F16, Dtype::Int8] {
        let (_d, p) = tiny(dtype);
        let v = Vocab::open(&p).unwrap();
        assert_eq!(v.dtype(), dtype);
        v.verify().unwrap();
        assert_eq!((v.len(Kind::Word), v.len(Kind::Char)), (3, 8));
        assert_eq!((v.dim(Kind::Word), v.dim(Kind::Char)), (2, 2));
        assert_eq!((v.total(Kind::Word), v.total(Kind::Char)), (160, 112));
        assert_eq!(v.meta().unwrap(), serde_json::json!({"source": "tiny test table"}));

        let close = |got: Vec<f32>, want: &[f32]| {
            let max = want.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            // Exact for f32/f16 (all tiny values are f16-exact); within half a step for int8.
            let tol = if dtype == Dtype::Int8 { max / 127.0 / 2.0 * 1.0001 } else { 0.0 };
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() <= tol, "{dtype:?}: {got:?} vs {want:?}");
            }
        };
        close(v.view().word("北京").unwrap().to_vec(), &[1.0, 2.0]);
        close(v.view().word("今天").unwrap().to_vec(), &[0.0, -1.0]);
        close(v.view().char('京').unwrap().to_vec(), &[0.0, 1.0]);
        close(v.view().char('🙂').unwrap().to_vec(), &[5.0, 5.0]);
        let e_acute = v.view().id(Kind::Char, "e\u{301}").expect("the grapheme e + U+0301");
        close(v.view().row(Kind::Char, e_acute).to_vec(), &[7.0, 0.0]);
        assert_eq!(v.view().count(Kind::Char, e_acute), 1);
        let smile = v.view().id(Kind::Char, "🙂").unwrap();
        assert_eq!(v.view().row_name(Kind::Char, smile), Some("🙂"));
        assert_eq!(v.view().char_id('🙂'), Some(smile));
        assert_eq!(v.view().id(Kind::Char, "京"), v.view().char_id('京'));

        assert!(v.view().word("上海").is_none());
        assert!(v.view().word("北").is_none(), "characters are not words");
        assert!(v.view().char('上').is_none());
        assert!(v.view().id(Kind::Char, "e").is_none());
        assert!(v.view().id(Kind::Char, "\u{301}").is_none());
        assert!(v.view().id(Kind::Char, "北京").is_none());
        assert!(v.view().id(Kind::Word, "").is_none());

        let words: Vec<(u32, String, u64)> =
            v.entries(Kind::Word).map(|e| (e.id, e.name.to_string(), e.count)).collect();
        assert_eq!(words, [(0, "北京".into(), 100), (1, "天气".into(), 50), (2, "今天".into(), 10)]);
        let chars: Vec<(String, u64)> = v.entries(Kind::Char).map(|e| (e.name.to_string(), e.count)).collect();
        let want: Vec<(String, u64)> =
            [("北", 40), ("京", 30), ("天", 20), ("气", 10), ("很", 5), ("好", 5), ("🙂", 1), ("e\u{301}", 1)]
                .iter()
                .map(|(n, c)| (n.to_string(), *c))
                .collect();
        assert_eq!(chars, want);
        for (i, e) in v.entries(Kind::Char).enumerate() {
            assert_eq!(e.id as usize, i);
            assert_eq!(v.view().id(Kind::Char, e.name), Some(e.id), "{}", e.name);
        }
    }
}

/// A table with values that f16 and int8 cannot store exactly.
fn awkward_tables() -> (TableData, TableData) {
    let mut words = TableData::new(5);
    words.push("甲".repeat(2), &[0.1, -1.0 / 3.0, 123.456, -0.000_7, 2.5e-3], 9);
    words.push("乙丙".into(), &[-7.77, 2.345_67, 0.0, 1e-2, -65.5], 5);
    words.push("丁".repeat(3), &[1e-4, 2e-4, -3e-4, 4e-4, 5e-4], 1);
    words.push("零".into(), &[0.0; 5], 1);
    let mut chars = TableData::new(5);
    chars.push("甲".into(), &[0.3, 0.6, -0.9, 1.2, -1.5], 3);
    chars.push("乙".into(), &[1000.0, -999.9, 0.5, 0.25, 1.0 / 7.0], 2);
    (words, chars)
}

fn write_awkward(dir: &Path, dtype: Dtype) -> PathBuf {
    let (words, chars) = awkward_tables();
    let p = dir.join(format!("awkward-{}.zv", dtype.name()));
    write_vocab(&p, &VocabData { words, chars, dtype, meta: serde_json::json!({}) }).unwrap();
    p
}

#[test]
fn f32_tables_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let v = Vocab::open(write_awkward(dir.path(), Dtype::F32)).unwrap();
    let (words, chars) = awkward_tables();
    for (kind, t) in [(Kind::Word, &words), (Kind::Char, &chars)] {
        for (i, name) in t.names.iter().enumerate() {
            let id = v.view().id(kind, name).unwrap();
            assert_eq!(id as usize, i);
            assert_eq!(v.view().row(kind, id).to_vec(), t.row(i), "{name}");
            assert_eq!(v.view().count(kind, id), t.counts[i]);
        }
    }
}

#[test]
fn f16_tables_are_within_half_an_ulp() {
    let dir = tempfile::tempdir().unwrap();
    let v = Vocab::open(write_awkward(dir.path(), Dtype::F16)).unwrap();
    let (words, chars) = awkward_tables();
    let bound = 2f32.powi(-11);
    for (kind, t) in [(Kind::Word, &words), (Kind::Char, &chars)] {
        for (i, name) in t.names.iter().enumerate() {
            let got = v.view().row(kind, v.view().id(kind, name).unwrap()).to_vec();
            for (g, w) in got.iter().zip(t.row(i)) {
                // Normal f16 range (≥ 2^-14): relative error ≤ 2^-11. Below it, subnormal
                // spacing 2^-24: absolute error ≤ 2^-25.
                if w.abs() >= 2f32.powi(-14) {
                    assert!((g - w).abs() <= bound * w.abs(), "{name}: {g} vs {w}");
                } else {
                    assert!((g - w).abs() <= 2f32.powi(-25), "{name}: {g} vs {w}");
                }
            }
        }
    }
    // Values that f16 holds exactly come back exactly.
    assert_eq!(v.view().word("零").unwrap().to_vec(), [0.0; 5]);
}

#[test]
fn int8_tables_are_within_half_a_step() {
    let dir = tempfile::tempdir().unwrap();
    let v = Vocab::open(write_awkward(dir.path(), Dtype::Int8)).unwrap();
    let (words, chars) = awkward_tables();
    for (kind, t) in [(Kind::Word, &words), (Kind::Char, &chars)] {
        for (i, name) in t.names.iter().enumerate() {
            let row = v.view().row(kind, v.view().id(kind, name).unwrap());
            let Row::Int8 { values, scale } = row else { panic!("{name}: not an int8 row") };
            let want = t.row(i);
            let max = want.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            assert_eq!(scale, max / 127.0, "{name}: scale");
            assert!(values.iter().any(|q| q.unsigned_abs() == 127) || max == 0.0, "{name}: {values:?}");
            // Half a quantization step, plus f32 rounding of the product.
            let bound = scale / 2.0 + max * 1e-6;
            for (g, w) in row.to_vec().iter().zip(want) {
                assert!((g - w).abs() <= bound, "{name}: {g} vs {w} (scale {scale})");
            }
        }
    }
    assert_eq!(v.view().word("零").unwrap().to_vec(), [0.0; 5]);
}

#[test]
fn duplicate_names_are_refused_by_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let mut words = TableData::new(1);
    words.push("北京".into(), &[1.0], 1);
    words.push("北京".into(), &[2.0], 1);
    let p = dir.path().join("dup.zv");
    let err =
        write_vocab(&p, &VocabData { words, chars: TableData::new(1), dtype: Dtype::F32, meta: serde_json::json!({}) })
            .unwrap_err()
            .to_string();
    assert!(err.contains("duplicate entry \"北京\""), "{err}");
    assert!(!p.exists());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "no temporary file left");
}

#[test]
fn cli_info_and_verify_describe_a_good_table() {
    for dtype in [Dtype::F32, Dtype::F16, Dtype::Int8] {
        let (_d, p) = tiny(dtype);
        let size = fs::metadata(&p).unwrap().len();
        let out = common::zhvec().args(["vocab", "info", "--json"]).arg(&p).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(info["words"], 3);
        assert_eq!(info["chars"], 8);
        assert_eq!(info["dim"], 2);
        assert_eq!(info["char_dim"], 2);
        assert_eq!(info["dtype"], dtype.name());
        assert_eq!(info["file_size"], size);
        assert_eq!(info["word_freq_total"], 160);
        assert_eq!(info["char_freq_total"], 112);
        assert_eq!(info["source"], "tiny test table");
        assert_eq!(info["path"], p.display().to_string());

        let out = vocab_cmd("verify", &p);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("{}: ok (3 words, 8 chars, {size} bytes)\n", p.display())
        );
    }
}

#[test]
fn header_fields_match_the_documented_layout() {
    let (_d, p) = tiny(Dtype::F16);
    let b = fs::read(&p).unwrap();
    assert_eq!(&b[..8], b"ZHVECTAB");
    assert_eq!(u32::from_le_bytes(b[8..12].try_into().unwrap()), 1);
    assert_eq!(u32::from_le_bytes(b[12..16].try_into().unwrap()), 512);
    assert_eq!(u32::from_le_bytes(b[16..20].try_into().unwrap()), 1, "f16");
    assert_eq!((u64_at(&b, 24), u64_at(&b, 32)), (3, 8));
    assert_eq!((u64_at(&b, 48), u64_at(&b, 56)), (160, 112));
    assert_eq!(u64_at(&b, 64), b.len() as u64);
    assert_eq!(u64_at(&b, 72), checksum(&b[HEADER_LEN..]));
    assert_eq!(u64_at(&b, 504), checksum(&b[..504]));
    for s in 0..15 {
        let (off, len) = (u64_at(&b, 80 + 16 * s), u64_at(&b, 88 + 16 * s));
        assert!(len == 0 || (off % 64 == 0 && off >= 512 && off + len <= b.len() as u64), "section {s}");
    }
}

/// Stores fresh body and header checksums, as a buggy writer would have.
fn reseal_all(bytes: &mut [u8]) {
    let body = checksum(&bytes[HEADER_LEN..]);
    bytes[72..80].copy_from_slice(&body.to_le_bytes());
    reseal(bytes);
}

#[test]
fn verify_finds_structural_damage_behind_valid_checksums() {
    let (dir, good) = tiny(Dtype::F32);
    let bytes = fs::read(&good).unwrap();
    let header = Vocab::open(&good).unwrap().header().clone();
    let at = |s: Section| header.section(s).0 as usize;
    let (char_offsets, word_slots, char_bmp, word_strings) =
        (at(Section::CharOffsets), at(Section::WordSlots), at(Section::CharBmp), at(Section::WordStrings));
    let slot_cap = header.section(Section::WordSlots).1 as usize / 8;
    fn set_u32(b: &mut [u8], i: usize, v: u32) {
        b[i..i + 4].copy_from_slice(&v.to_le_bytes());
    }
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "offsets out of order",
            // Char names are 3-byte characters: offsets 0 3 6 ...; make the second 7.
            Box::new(move |b: &mut Vec<u8>| set_u32(b, char_offsets + 4, 7)),
            "Char name offsets are not increasing",
        ),
        (
            "index slot pointing at the wrong row",
            Box::new(move |b: &mut Vec<u8>| {
                let used = (0..slot_cap).find(|i| u64_at(b, word_slots + 8 * i) != u64::MAX).unwrap();
                let row = u64_at(b, word_slots + 8 * used) as u32;
                set_u32(b, word_slots + 8 * used, (row + 1) % 3);
            }),
            "Word index does not lead to row",
        ),
        (
            "character index entry for 北 pointing at 京",
            Box::new(move |b: &mut Vec<u8>| set_u32(b, char_bmp + 4 * 0x5317, 1)),
            "character index entry U+5317 is wrong",
        ),
        (
            "a name that is not UTF-8",
            Box::new(move |b: &mut Vec<u8>| b[word_strings] = 0xff),
            "Word row 0 has a bad name",
        ),
    ];
    for (what, edit, problem) in cases {
        let mut b = bytes.clone();
        edit(&mut b);
        reseal_all(&mut b);
        let p = damaged(&dir, "resealed.zv", &b);
        let v = Vocab::open(&p).unwrap_or_else(|e| panic!("{what}: {e}"));
        let err = v.verify().unwrap_err().to_string();
        assert!(err.contains(&p.display().to_string()) && err.contains(problem), "{what}: {err}");
        exercise(&v);
        let out = vocab_cmd("verify", &p);
        assert_eq!(out.status.code(), Some(2), "{what}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(problem), "{what}");
    }
}

#[test]
fn empty_tables_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("empty-tables.zv");
    let data = VocabData {
        words: TableData::new(2),
        chars: TableData::new(2),
        dtype: Dtype::F16,
        meta: serde_json::json!({}),
    };
    write_vocab(&p, &data).unwrap();
    let v = Vocab::open(&p).unwrap();
    v.verify().unwrap();
    assert!(v.is_empty());
    assert_eq!((v.len(Kind::Word), v.len(Kind::Char), v.total(Kind::Word)), (0, 0, 0));
    let view = v.view();
    assert!(view.word("北京").is_none() && view.char('北').is_none() && view.id(Kind::Char, "e\u{301}").is_none());
    assert_eq!(v.entries(Kind::Word).count() + v.entries(Kind::Char).count(), 0);
    let out = common::zhvec().args(["embed", "--vocab"]).arg(&p).write_stdin("北京天气很好\n\n").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "[0,0,0,0]\n[0,0,0,0]\n");
}

#[test]
fn damaged_headers_never_panic_the_cli() {
    let (dir, good) = tiny(Dtype::F32);
    let bytes = fs::read(&good).unwrap();
    let p = dir.path().join("hdr.zv");
    for at in (8..HEADER_LEN - 8).step_by(12) {
        let mut b = bytes.clone();
        b[at] ^= 0xa5;
        reseal(&mut b);
        fs::write(&p, &b).unwrap();
        for sub in ["info", "verify"] {
            let out = vocab_cmd(sub, &p);
            let code = out.status.code();
            assert!(code == Some(0) || code == Some(2), "byte {at}, vocab {sub}: exit {code:?}");
            if code == Some(2) {
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(err.starts_with("zhvec: ") && err.contains(&p.display().to_string()), "byte {at}: {err}");
            }
        }
    }
}
