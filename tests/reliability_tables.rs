//! Table building and checking refuse what would silently give wrong vectors: values a
//! dtype cannot hold, vectors files shorter (or longer) than their header says, a header
//! whose sections do not lie where the writer puts them, and a header of no dimensions.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;
use zhvec::import::{run, BuildOptions};
use zhvec::vocab::format::{checksum, Section, HEADER_LEN};
use zhvec::vocab::{write_vocab, TableData, VocabData};
use zhvec::{Dtype, Kind, Vocab};

use common::{write, zhvec};

/// `zhvec vocab build --vectors <vectors> -o <dir>/out.zv <extra>`.
fn build_cli(dir: &TempDir, vectors: &Path, extra: &[&str]) -> std::process::Output {
    zhvec()
        .args(["vocab", "build", "--vectors"])
        .arg(vectors)
        .arg("-o")
        .arg(dir.path().join("out.zv"))
        .args(extra)
        .output()
        .unwrap()
}

/// A build that must fail with exit code 2, leave nothing behind and say all of `parts`.
fn build_fails(dir: &TempDir, vectors: &Path, extra: &[&str], parts: &[&str]) -> String {
    let out = build_cli(dir, vectors, extra);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!dir.path().join("out.zv").exists(), "no table after an error: {err}");
    for part in parts {
        assert!(err.contains(part), "{part:?} missing from {err:?}");
    }
    err
}

/// A build that must succeed; returns its table.
fn build_ok(dir: &TempDir, vectors: &Path, extra: &[&str]) -> Vocab {
    let out = build_cli(dir, vectors, extra);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    Vocab::open(dir.path().join("out.zv")).unwrap()
}

/// A word2vec binary file with the header `said dims`.
fn w2v_binary(said: usize, rows: &[(&str, &[f32])]) -> Vec<u8> {
    common::w2v_binary(said, rows, true)
}

fn vocab_cmd(sub: &str, path: &Path) -> std::process::Output {
    zhvec().args(["vocab", sub]).arg(path).output().unwrap()
}

/// `vocab verify` fails with exit code 2, naming the file and `problem`.
fn verify_fails(path: &Path, problem: &str) {
    let out = vocab_cmd("verify", path);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&path.display().to_string()) && err.contains(problem), "{err:?} should say {problem:?}");
    assert!(out.stdout.is_empty());
}

/// Stores a fresh header checksum, so that a deliberately edited header passes that check.
fn reseal(bytes: &mut [u8]) {
    let sum = checksum(&bytes[..HEADER_LEN - 8]);
    bytes[HEADER_LEN - 8..HEADER_LEN].copy_from_slice(&sum.to_le_bytes());
}

/// Stores fresh body and header checksums, as a buggy writer would have.
fn reseal_all(bytes: &mut [u8]) {
    let body = checksum(&bytes[HEADER_LEN..]);
    bytes[72..80].copy_from_slice(&body.to_le_bytes());
    reseal(bytes);
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

fn set_u64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// Where the (offset, length) of a section is in the header.
fn section_at(s: Section) -> usize {
    80 + 16 * s as usize
}

// ---------------------------------------------------------------------------------------
// Values a dtype cannot hold.

#[test]
fn f16_build_refuses_values_beyond_its_range_with_file_and_line() {
    let dir = TempDir::new().unwrap();
    // 65519 still rounds to 65504; 70000 would be stored as infinity.
    let text = write(&dir, "big.txt", "3 2\n北京 65519 1\n天气 70000 1\n上海 1 2\n");
    let shown = text.display().to_string();
    build_fails(&dir, &text, &["--dtype", "f16"], &[&format!("{shown}:3:"), "\"70000\" is outside the range of f16"]);
    // f32 and int8 hold it.
    for dtype in ["f32", "int8"] {
        let v = build_ok(&dir, &text, &["--dtype", dtype]);
        let got = v.view().word("天气").unwrap().to_vec();
        assert!((got[0] - 70000.0).abs() < 70000.0 / 200.0, "{dtype}: {got:?}");
        fs::remove_file(dir.path().join("out.zv")).unwrap();
    }
    // --skip-bad skips (and counts) the row like any other bad one.
    let out = build_cli(&dir, &text, &["--dtype", "f16", "--skip-bad"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 skipped"));
    let v = Vocab::open(dir.path().join("out.zv")).unwrap();
    assert!(v.view().word("天气").is_none());
    assert_eq!(v.view().word("北京").unwrap().to_vec(), [65504.0, 1.0]);
    for e in v.entries(Kind::Char) {
        assert!(e.row.to_vec().iter().all(|x| x.is_finite()), "{}", e.name);
    }
    drop(v);
    fs::remove_file(dir.path().join("out.zv")).unwrap();

    let bin = write(&dir, "big.bin", w2v_binary(2, &[("北京", &[1.0, 2.0]), ("天气", &[3.0, -1e5])]));
    let shown = bin.display().to_string();
    build_fails(&dir, &bin, &["--dtype", "f16"], &[&format!("{shown}: record 2:"), "outside the range of f16"]);
}

#[test]
fn nan_and_inf_literals_are_refused_with_file_and_line() {
    let dir = TempDir::new().unwrap();
    for (i, lit) in ["nan", "NaN", "inf", "-inf", "Infinity", "1e39"].iter().enumerate() {
        let p = write(&dir, &format!("lit{i}.txt"), format!("2 2\n北京 1 2\n天气 0.5 {lit}\n"));
        let line = format!("{}:3: \"{lit}\" is not a finite number", p.display());
        build_fails(&dir, &p, &[], &[&line]);
    }
    let glove = write(&dir, "g.txt", "北京 1 2\n天气 nan 1\n");
    build_fails(&dir, &glove, &[], &[&format!("{}:2:", glove.display()), "not a finite number"]);
    let bin = write(&dir, "nan.bin", w2v_binary(2, &[("北京", &[1.0, 2.0]), ("天气", &[f32::INFINITY, 1.0])]));
    build_fails(&dir, &bin, &[], &[&format!("{}: record 2:", bin.display()), "not a finite number"]);
}

#[test]
fn the_writer_refuses_values_its_dtype_cannot_hold() {
    let dir = TempDir::new().unwrap();
    let p = dir.path().join("w.zv");
    let cases: [(Dtype, f32, &str); 7] = [
        (Dtype::F16, 65520.0, "outside the range of f16"),
        (Dtype::F16, -1e6, "outside the range of f16"),
        (Dtype::F32, f32::INFINITY, "not a finite number"),
        (Dtype::F32, f32::NAN, "not a finite number"),
        (Dtype::Int8, f32::NEG_INFINITY, "not a finite number"),
        (Dtype::F32, 1e30, "outside the range a table stores"),
        (Dtype::Int8, -f32::MAX, "outside the range a table stores"),
    ];
    for (dtype, x, problem) in cases {
        let (mut words, chars) = common::tiny_tables();
        words.push("上海".into(), &[0.5, x], 1);
        let err = write_vocab(&p, &VocabData { words, chars, dtype, meta: serde_json::json!({}) })
            .expect_err("the write should fail")
            .to_string();
        assert!(err.contains("word table row 3 (\"上海\")") && err.contains(problem), "{dtype:?} {x}: {err}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
    }
    // The largest values each dtype holds are fine.
    for (dtype, x) in [(Dtype::F16, 65519.0f32), (Dtype::F32, 9.99e29), (Dtype::Int8, -9.99e29)] {
        let mut chars = TableData::new(2);
        chars.push("北".into(), &[x, 1.0], 1);
        write_vocab(&p, &VocabData { words: TableData::new(2), chars, dtype, meta: serde_json::json!({}) }).unwrap();
        let v = Vocab::open(&p).unwrap();
        v.verify().unwrap();
        assert!(v.view().char('北').unwrap().to_vec()[0].is_finite(), "{dtype:?}");
    }
}

#[test]
fn values_whose_sums_could_overflow_are_refused_and_the_largest_kept_sum_finitely() {
    let dir = TempDir::new().unwrap();
    // Two rows of 3e38 used to pool to infinity (`null` in jsonl).
    for dtype in ["f32", "int8"] {
        let p = write(&dir, "max.txt", "2 2\n北京 1 2\n天气 -3.4028235e38 2\n");
        build_fails(&dir, &p, &["--dtype", dtype], &["max.txt:3", "outside the range a table stores (±1e30)"]);
    }
    let p = write(&dir, "big.txt", "2 2\n北京 9.9e29 1\n天气 -9.9e29 2\n");
    for dtype in ["f32", "int8"] {
        build_ok(&dir, &p, &["--dtype", dtype]).verify().unwrap();
        let line = "北京".repeat(20_000);
        let out = zhvec()
            .args(["embed", "-f", "tsv", "--vocab"])
            .arg(dir.path().join("out.zv"))
            .write_stdin(format!("{line}\n{line}天气\n"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        for row in text.lines() {
            for x in row.split('\t') {
                let x: f32 = x.parse().unwrap();
                assert!(x.is_finite(), "{dtype}: {row}");
            }
        }
    }
}

/// The tiny table with one stored value replaced, both checksums resealed: what a buggy
/// writer (or an older zhvec) could have produced.
fn with_bad_value(dir: &TempDir, name: &str, dtype: Dtype, edit: impl Fn(&mut [u8], usize, usize)) -> PathBuf {
    let good = common::write_tiny(dir.path(), dtype);
    let mut b = fs::read(&good).unwrap();
    let v = Vocab::open(&good).unwrap();
    let (vectors, scales) = (v.header().section(Section::CharVectors).0, v.header().section(Section::CharScales).0);
    edit(&mut b, vectors as usize, scales as usize);
    reseal_all(&mut b);
    write(dir, name, &b)
}

#[test]
fn verify_finds_non_finite_values_in_every_dtype() {
    let dir = TempDir::new().unwrap();
    // Char row 2 (天 [2, 2]), its second component.
    let f32_inf = with_bad_value(&dir, "f32_inf.zv", Dtype::F32, |b, vec, _| {
        b[vec + 4 * 5..vec + 4 * 6].copy_from_slice(&f32::INFINITY.to_le_bytes());
    });
    let f32_nan = with_bad_value(&dir, "f32_nan.zv", Dtype::F32, |b, vec, _| {
        b[vec + 4 * 5..vec + 4 * 6].copy_from_slice(&f32::NAN.to_le_bytes());
    });
    let f16_inf = with_bad_value(&dir, "f16_inf.zv", Dtype::F16, |b, vec, _| {
        b[vec + 2 * 5..vec + 2 * 6].copy_from_slice(&[0, 0x7c])
    });
    let int8_inf = with_bad_value(&dir, "int8_inf.zv", Dtype::Int8, |b, _, sc| {
        b[sc + 4 * 2..sc + 4 * 3].copy_from_slice(&f32::INFINITY.to_le_bytes());
    });
    let int8_nan = with_bad_value(&dir, "int8_nan.zv", Dtype::Int8, |b, _, sc| {
        b[sc + 4 * 2..sc + 4 * 3].copy_from_slice(&f32::NAN.to_le_bytes());
    });
    // Finite, but 127 × scale is not.
    let int8_big = with_bad_value(&dir, "int8_big.zv", Dtype::Int8, |b, _, sc| {
        b[sc + 4 * 2..sc + 4 * 3].copy_from_slice(&(f32::MAX / 2.0).to_le_bytes());
    });
    for p in [&f32_inf, &f32_nan, &f16_inf] {
        let v = Vocab::open(p).unwrap();
        let err = v.verify().unwrap_err().to_string();
        assert!(err.contains("Char row 2 (\"天\") has a value that is not a finite number (component 1"), "{err}");
        verify_fails(p, "not a finite number");
    }
    for p in [&int8_inf, &int8_nan, &int8_big] {
        verify_fails(p, "Char row 2 (\"天\") has the int8 scale");
    }
    // The same edit of a finite value passes: the check is about finiteness.
    let fine = with_bad_value(&dir, "fine.zv", Dtype::F32, |b, vec, _| {
        b[vec + 4 * 5..vec + 4 * 6].copy_from_slice(&f32::MAX.to_le_bytes());
    });
    Vocab::open(&fine).unwrap().verify().unwrap();
}

// ---------------------------------------------------------------------------------------
// The `rows dims` header count.

#[test]
fn text_vectors_cut_at_a_row_boundary_are_refused() {
    let dir = TempDir::new().unwrap();
    let full = "4 2\n北京 1 2\n天气 3 4\n上海 5 6\n中国 7 8\n";
    let cut = write(&dir, "cut.txt", &full[..full.find("上海").unwrap()]);
    let shown = cut.display().to_string();
    build_fails(
        &dir,
        &cut,
        &[],
        &[&format!("{shown}:1:"), "header says 4 rows, but the file has 2", "--allow-row-count-mismatch"],
    );
    // Keeping fewer rows does not matter: the file still lacks rows.
    build_fails(&dir, &cut, &["--max-words", "1"], &["header says 4 rows, but the file has 2"]);
    let v = build_ok(&dir, &cut, &["--allow-row-count-mismatch"]);
    assert_eq!(v.len(Kind::Word), 2);
    let meta = v.meta().unwrap();
    assert_eq!(meta["build"]["vectors"][0]["header_rows"], 4);
    assert_eq!(meta["build"]["vectors"][0]["rows"], 2);
    assert_eq!(meta["build"]["allow_row_count_mismatch"], true);
    fs::remove_file(dir.path().join("out.zv")).unwrap();

    // The whole file builds, also when --max-words keeps fewer rows than it has.
    let whole = write(&dir, "whole.txt", full);
    let v = build_ok(&dir, &whole, &["--max-words", "1"]);
    assert_eq!(v.len(Kind::Word), 1);
    assert_eq!(v.meta().unwrap()["build"]["vectors"][0]["header_rows"], 4);
}

#[test]
fn more_rows_than_the_header_says_are_refused_too() {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, "long.txt", "1 2\n北京 1 2\n天气 3 4\n");
    build_fails(&dir, &p, &[], &["header says 1 rows, but the file has 2"]);
    build_ok(&dir, &p, &["--allow-row-count-mismatch"]);
}

#[test]
fn binary_vectors_cut_at_a_record_boundary_are_refused() {
    let dir = TempDir::new().unwrap();
    let rows: &[(&str, &[f32])] = &[("北京", &[1.0, 2.0]), ("天气", &[3.0, 4.0])];
    let p = write(&dir, "cut.bin", w2v_binary(3, rows));
    build_fails(&dir, &p, &[], &[&format!("{}:1:", p.display()), "header says 3 rows, but the file has 2"]);
    let v = build_ok(&dir, &p, &["--allow-row-count-mismatch"]);
    assert_eq!(v.len(Kind::Word), 2);
}

#[test]
fn fasttext_header_counts_the_end_of_sentence_row() {
    let dir = TempDir::new().unwrap();
    // fastText counts its `</s>` row in the header; that row is read but not kept.
    let whole = write(&dir, "ok.vec", "3 2\n</s> 9 9\n北京 1 2\n上海 5 6\n");
    assert_eq!(build_ok(&dir, &whole, &[]).len(Kind::Word), 2);
    fs::remove_file(dir.path().join("out.zv")).unwrap();
    let cut = write(&dir, "cut.vec", "3 2\n</s> 9 9\n北京 1 2\n");
    build_fails(&dir, &cut, &[], &["header says 3 rows, but the file has 2"]);
}

#[test]
fn skipped_bad_rows_and_duplicates_count_as_rows_of_the_file() {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, "v.txt", "4 2\n北京 1 2\n\n天气 x 4\n北京 3 4\n上海 5 6\n");
    let out = build_cli(&dir, &p, &["--skip-bad"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("1 skipped, 1 duplicates"), "{err}");
}

#[test]
fn glove_has_no_header_to_check() {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, "g.txt", "北京 1 2\n天气 3 4\n");
    let v = build_ok(&dir, &p, &[]);
    assert_eq!(v.meta().unwrap()["build"]["vectors"][0]["header_rows"], serde_json::Value::Null);
}

#[test]
fn the_library_checks_the_count_too() {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, "cut.txt", "3 2\n北京 1 2\n");
    let mut a = BuildOptions::new(&p, dir.path().join("lib.zv"));
    let err = run(&a).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("header says 3 rows, but the file has 1"), "{err}");
    a.allow_row_count_mismatch = true;
    assert_eq!(run(&a).unwrap().words, 1);
}

// ---------------------------------------------------------------------------------------
// The header `rows 0`.

#[test]
fn a_header_of_zero_dimensions_says_so() {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, "zero.txt", "3 0\n北京 1 2\n天气 3 4\n上海 5 6\n");
    let err = build_fails(&dir, &p, &[], &[&format!("{}:1:", p.display()), "header `3 0` says 0 dimensions"]);
    assert!(!err.contains("expected 1"), "{err}");
    build_fails(&dir, &p, &["--vectors-format", "text"], &["says 0 dimensions"]);
}

// ---------------------------------------------------------------------------------------
// The section layout.

/// Opening and `vocab info`/`verify`/`embed` all refuse the file, naming it and `problem`.
fn layout_rejected(path: &Path, problem: &str) {
    let err = Vocab::open(path).expect_err("the layout should be refused on open").to_string();
    assert!(err.contains(&path.display().to_string()) && err.contains(problem), "{err:?} should say {problem:?}");
    for sub in ["info", "verify"] {
        let out = vocab_cmd(sub, path);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "vocab {sub}: {err}");
        assert!(err.contains(problem), "vocab {sub}: {err}");
    }
    let out = zhvec().args(["embed", "--vocab"]).arg(path).write_stdin("北京天气\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "embed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
}

fn embed(vocab: &Path) -> Vec<u8> {
    let out = zhvec().args(["embed", "--vocab"]).arg(vocab).write_stdin("北京天气\n今天很好\n").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn a_section_moved_by_64_bytes_is_refused_on_open() {
    let dir = TempDir::new().unwrap();
    let good = common::write_tiny(dir.path(), Dtype::F32);
    let bytes = fs::read(&good).unwrap();
    let want = embed(&good);
    let (mut moved, mut tried) = (0, 0);
    for s in Section::ALL {
        let at = section_at(s);
        let (off, len) = (u64_at(&bytes, at), u64_at(&bytes, at + 8));
        if len == 0 {
            continue;
        }
        for shifted in [off + 64, off - 64] {
            if shifted < HEADER_LEN as u64 || shifted + len > bytes.len() as u64 {
                continue; // refused by the bounds check of old
            }
            tried += 1;
            let mut b = bytes.clone();
            set_u64(&mut b, at, shifted);
            reseal(&mut b);
            let p = write(&dir, "moved.zv", &b);
            layout_rejected(&p, &format!("section {s:?} starts at byte {shifted}, expected {off}"));
            moved += 1;
        }
    }
    assert!(tried >= 14 && moved == tried, "{moved} of {tried}");
    // The good table is untouched and embeds as before.
    assert_eq!(embed(&good), want);
}

#[test]
fn overlaps_gaps_and_stray_sections_are_refused_on_open() {
    let dir = TempDir::new().unwrap();
    let good = common::write_tiny(dir.path(), Dtype::Int8);
    let bytes = fs::read(&good).unwrap();
    let mut overlap = bytes.clone();
    // The char counts (8 × 8 bytes) over the char vectors (8 × 2 bytes and padding).
    let vectors = u64_at(&bytes, section_at(Section::CharVectors));
    set_u64(&mut overlap, section_at(Section::CharCounts), vectors);
    let mut gap = bytes.clone();
    gap.extend_from_slice(&[0; 64]);
    let len = gap.len() as u64;
    set_u64(&mut gap, 64, len);
    let mut reserved = bytes.clone();
    set_u64(&mut reserved, section_at(Section::Reserved) + 8, 0);
    set_u64(&mut reserved, section_at(Section::Reserved), 512);
    let mut no_bmp = bytes.clone();
    set_u64(&mut no_bmp, section_at(Section::CharBmp), 0);
    set_u64(&mut no_bmp, section_at(Section::CharBmp) + 8, 0);
    let mut flags = bytes.clone();
    flags[20] |= 0x80;
    let cases = [
        (overlap, "section CharCounts starts at byte"),
        (gap, "but its sections end at byte"),
        (reserved, "the reserved section is 512+0"),
        (no_bmp, "CharBmp is 0 bytes, expected 262144 for 8 chars"),
        (flags, "unknown flags 0x81"),
    ];
    for (i, (mut b, problem)) in cases.into_iter().enumerate() {
        reseal(&mut b);
        let p = write(&dir, &format!("layout{i}.zv"), &b);
        layout_rejected(&p, problem);
    }
}

#[test]
fn verify_finds_what_open_cannot_see() {
    let dir = TempDir::new().unwrap();
    let good = common::write_tiny(dir.path(), Dtype::F32);
    let bytes = fs::read(&good).unwrap();
    let header = Vocab::open(&good).unwrap().header().clone();
    let (word_strings, word_strings_len) = header.section(Section::WordStrings);
    let (meta, _) = header.section(Section::Meta);
    let (word_slots, slots_len) = header.section(Section::WordSlots);
    let end = (word_strings + word_strings_len) as usize;
    type Edit = Box<dyn Fn(&mut Vec<u8>)>;
    let cases: Vec<(Edit, &str)> = vec![
        (Box::new(move |b| b[end] = 1), "non-zero bytes in the padding before section WordOffsets"),
        (Box::new(|b| set_u64(b, 48, 161)), "Word frequency total is 161, but the counts add up to 160"),
        (Box::new(|b| b[20] = 0), "the header flag for words longer than one character is missing"),
        (Box::new(move |b| b[meta as usize] = b'['), "corrupted metadata"),
        (
            Box::new(move |b| {
                // Make an empty slot point at row 0 under a tag no name has.
                let free =
                    (0..slots_len / 8).map(|i| (word_slots + 8 * i) as usize).find(|&i| u64_at(b, i) == u64::MAX);
                set_u64(b, free.unwrap(), 0x1234_5678 << 32);
            }),
            "Word index has 4 entries for 3 rows",
        ),
    ];
    for (i, (edit, problem)) in cases.into_iter().enumerate() {
        let mut b = bytes.clone();
        edit(&mut b);
        reseal_all(&mut b);
        let p = write(&dir, &format!("verify{i}.zv"), &b);
        Vocab::open(&p).unwrap_or_else(|e| panic!("{problem}: {e}"));
        verify_fails(&p, problem);
    }
    // And a table written with single-character words must not claim otherwise.
    let (mut words, chars) = common::tiny_tables();
    words.push("好".into(), &[1.0, 1.0], 1);
    let p = dir.path().join("single.zv");
    write_vocab(&p, &VocabData { words, chars, dtype: Dtype::F32, meta: serde_json::json!({}) }).unwrap();
    let mut b = fs::read(&p).unwrap();
    b[20] |= 1;
    reseal(&mut b);
    let p = write(&dir, "single-flagged.zv", &b);
    verify_fails(&p, "the header says no word is one character long, but \"好\" is");
}

#[test]
fn every_dtype_and_empty_tables_pass_the_layout_checks() {
    let dir = TempDir::new().unwrap();
    for dtype in [Dtype::F32, Dtype::F16, Dtype::Int8] {
        let p = common::write_tiny(dir.path(), dtype);
        Vocab::open(&p).unwrap().verify().unwrap();
        let p = dir.path().join(format!("empty-{}.zv", dtype.name()));
        let data = VocabData { words: TableData::new(3), chars: TableData::new(3), dtype, meta: serde_json::json!({}) };
        write_vocab(&p, &data).unwrap();
        Vocab::open(&p).unwrap().verify().unwrap();
        let out = vocab_cmd("verify", &p);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn frequencies_whose_total_overflows_are_refused() {
    let dir = TempDir::new().unwrap();
    let v = write(&dir, "v.txt", "3 2\n北京 1 2\n上海 3 4\n京 1 1\n");
    let f = write(&dir, "f.txt", "北京 18446744073709551615\n上海 5\n");
    let err = build_fails(&dir, &v, &["--freq", f.to_str().unwrap()], &["frequencies add up to more than"]);
    assert!(err.contains("word"), "{err}");
}
