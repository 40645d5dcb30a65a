//! `vocab build` input formats beyond word2vec text: bzip2, fastText `.bin`, `.npy` with a
//! word list, and the files it recognises but does not read.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::{stderr_of, testdata, write, zhvec};
use tempfile::TempDir;
use zhvec::vocab::{Kind, Vocab};

/// Every row of a table by kind and name.
fn rows(table: &Path) -> BTreeMap<(bool, String), Vec<f32>> {
    let v = Vocab::open(table).expect("the built table opens");
    let mut out = BTreeMap::new();
    for (kind, is_char) in [(Kind::Word, false), (Kind::Char, true)] {
        for e in v.entries(kind) {
            out.insert((is_char, e.name.to_string()), e.row.to_vec());
        }
    }
    out
}

fn build(args: &[&str]) -> std::process::Output {
    zhvec().args(["vocab", "build", "--quiet"]).args(args).output().expect("zhvec runs")
}

/// Builds `vectors` (and `extra` arguments) into `out`; panics with stderr on failure.
fn build_ok(vectors: &Path, out: &Path, extra: &[&str]) {
    let o = build(&[&["--vectors", path(vectors), "-o", path(out)], extra].concat());
    assert!(o.status.success(), "build of {} failed: {}", vectors.display(), stderr_of(&o));
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// A failed build's stderr; asserts exit code 2.
fn build_err(args: &[&str]) -> String {
    let o = build(args);
    assert_eq!(o.status.code(), Some(2), "expected exit code 2: {}", stderr_of(&o));
    stderr_of(&o)
}

fn bzip2(bytes: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    enc.write_all(bytes).expect("compress");
    enc.finish().expect("compress")
}

#[test]
fn bzip2_reads_like_the_plain_file() {
    let dir = TempDir::new().unwrap();
    let text = std::fs::read(testdata("build/w2v.txt")).unwrap();
    // Two streams, as pbzip2 writes them: both are read.
    let (head, tail) = text.split_at(text.iter().position(|&b| b == b'\n').unwrap() + 30);
    let bz = write(&dir, "w2v.txt.bz2", [bzip2(head), bzip2(tail)].concat());
    let (plain_zv, bz_zv) = (dir.path().join("plain.zv"), dir.path().join("bz.zv"));
    build_ok(&testdata("build/w2v.txt"), &plain_zv, &[]);
    build_ok(&bz, &bz_zv, &[]);
    let plain = rows(&plain_zv);
    assert!(plain.len() >= 6, "{plain:?}");
    assert_eq!(rows(&bz_zv), plain);
    let meta = Vocab::open(&bz_zv).unwrap().meta().unwrap();
    assert_eq!(meta["build"]["vectors"][0]["bzip2"], true, "{meta}");
}

#[test]
fn bzip2_errors_name_the_line_and_truncation() {
    let dir = TempDir::new().unwrap();
    let bz = write(&dir, "bad.txt.bz2", bzip2(b"3 2\na 1 2\nb 1 2\nc 1 x\n"));
    let err = build_err(&["--vectors", path(&bz), "-o", path(&dir.path().join("t.zv"))]);
    assert!(err.contains("bad.txt.bz2:4:") && err.contains("\"x\" is not a number"), "{err}");
    let whole = bzip2(&std::fs::read(testdata("build/w2v.txt")).unwrap());
    let cut = write(&dir, "cut.txt.bz2", &whole[..whole.len() - 20]);
    let err = build_err(&["--vectors", path(&cut), "-o", path(&dir.path().join("t.zv"))]);
    assert!(err.contains("cut.txt.bz2") && err.contains("truncated"), "{err}");
    assert!(!dir.path().join("t.zv").exists());
}

#[test]
fn text_that_starts_like_bzip2_is_text() {
    let dir = TempDir::new().unwrap();
    let f = write(&dir, "bzh.txt", "BZh9 1 2\nab 3 4\n");
    let out = dir.path().join("t.zv");
    build_ok(&f, &out, &[]);
    assert!(rows(&out).contains_key(&(false, "BZh9".to_string())));
}

/// `fasttext print-word-vectors` output: word and values with 5 significant digits.
fn printed(path: &Path) -> Vec<(String, Vec<f32>)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let mut f = l.split_whitespace();
            let w = f.next().unwrap().to_string();
            (w, f.map(|v| v.parse().unwrap()).collect())
        })
        .collect()
}

#[test]
fn fasttext_bin_gives_the_vectors_fasttext_prints() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("ft.zv");
    build_ok(&testdata("fasttext/tiny.bin"), &out, &[]);
    let table = rows(&out);
    let want = printed(&testdata("fasttext/tiny.print.txt"));
    assert!(want.len() > 100);
    let mut compared = 0;
    for (w, v) in want.iter().filter(|(w, _)| w != "</s>") {
        let single = w.chars().count() == 1;
        let got = table.get(&(single, w.clone())).unwrap_or_else(|| panic!("{w} is in the table"));
        assert_eq!(got.len(), 8);
        for (g, p) in got.iter().zip(v) {
            // Five significant digits printed: half a unit of the fifth is 5e-5 relative.
            assert!((g - p).abs() <= 5.1e-5 * g.abs() + 1e-12, "{w}: {got:?} vs printed {v:?}");
        }
        compared += 1;
    }
    assert_eq!(compared, want.len() - 1);
    // Words only: the </s> entry is not a word.
    assert!(!table.keys().any(|(_, w)| w == "</s>"));
    let meta = Vocab::open(&out).unwrap().meta().unwrap();
    assert_eq!(meta["build"]["vectors"][0]["format"], "fasttext-bin", "{meta}");
}

/// A fastText model file: arguments, a dictionary of `words`, the quantization flag, and an
/// input matrix of `words.len() + bucket` rows of `dim` values `row + value / 10`.
fn fasttext_model(words: &[&str], dim: i32, bucket: i32, quantized: bool) -> Vec<u8> {
    let mut b = Vec::new();
    // magic, version, dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn,
    // maxn, lrUpdateRate
    for x in [793_712_314, 12, dim, 5, 5, 5, 5, 1, 2, 2, bucket, 1, 2, 100] {
        b.extend(i32::to_le_bytes(x));
    }
    b.extend(1e-4f64.to_le_bytes());
    for x in [words.len() as i32, words.len() as i32, 0] {
        b.extend(i32::to_le_bytes(x));
    }
    b.extend(100i64.to_le_bytes());
    b.extend((-1i64).to_le_bytes());
    for w in words {
        b.extend(w.as_bytes());
        b.push(0);
        b.extend(1i64.to_le_bytes());
        b.push(0);
    }
    b.push(quantized as u8);
    let rows = words.len() as i64 + bucket as i64;
    b.extend(rows.to_le_bytes());
    b.extend((dim as i64).to_le_bytes());
    for r in 0..rows {
        for k in 0..dim {
            b.extend((r as f32 + k as f32 / 10.0).to_le_bytes());
        }
    }
    b
}

#[test]
fn fasttext_n_grams_hash_bytes_as_signed_chars() {
    // The n-grams of "<é>" with minn 1, maxn 2 are "<é", "é", "é>". Every row holds distinct
    // values, so a hash that treated bytes as unsigned would pick other rows.
    let fnv =
        |s: &[u8]| s.iter().fold(2_166_136_261u32, |h, &b| (h ^ (b as i8 as i32 as u32)).wrapping_mul(16_777_619));
    let bucket = 1 << 16;
    let grams: Vec<u32> = ["<é", "é", "é>"].iter().map(|g| fnv(g.as_bytes()) % bucket as u32).collect();
    let dir = TempDir::new().unwrap();
    let model = write(&dir, "m.bin", fasttext_model(&["é"], 2, bucket, false));
    let out = dir.path().join("t.zv");
    build_ok(&model, &out, &[]);
    let got = &rows(&out)[&(true, "é".to_string())];
    // Row r holds [r, r + 0.1]; word row 0, n-gram rows 1 + bucket id.
    let ids = [0.0f32].into_iter().chain(grams.iter().map(|&g| 1.0 + g as f32));
    let (mut a, mut b, mut n) = (0f32, 0f32, 0f32);
    for r in ids {
        a += r;
        b += r + 0.1;
        n += 1.0;
    }
    let scale = (1.0 / n as f64) as f32;
    assert_eq!(got, &vec![a * scale, b * scale]);
}

#[test]
fn quantized_and_truncated_fasttext_models_are_refused() {
    let dir = TempDir::new().unwrap();
    let out = path(&dir.path().join("t.zv")).to_string();
    let ftz = write(&dir, "m.ftz", fasttext_model(&["ab"], 2, 4, true));
    let err = build_err(&["--vectors", path(&ftz), "-o", &out]);
    assert!(err.contains("m.ftz") && err.contains("quantized fastText model"), "{err}");
    let whole = std::fs::read(testdata("fasttext/tiny.bin")).unwrap();
    let cut = write(&dir, "cut.bin", &whole[..whole.len() / 2]);
    let err = build_err(&["--vectors", path(&cut), "-o", &out]);
    assert!(err.contains("cut.bin") && err.contains("truncated"), "{err}");
    let gz = write(&dir, "m.bin.gz", {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&whole).unwrap();
        e.finish().unwrap()
    });
    let err = build_err(&["--vectors", path(&gz), "-o", &out]);
    assert!(err.contains("m.bin.gz") && err.contains("decompress it first"), "{err}");
    let o = zhvec()
        .args(["vocab", "build", "--quiet", "--vectors", "-", "-o", &out])
        .pipe_stdin(testdata("fasttext/tiny.bin"))
        .unwrap()
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_of(&o).contains("give it as a file, not standard input"), "{}", stderr_of(&o));
    let err = build_err(&["--vectors", path(&testdata("build/w2v.txt")), "--vectors-format", "fasttext", "-o", &out]);
    assert!(err.contains("not a fastText model"), "{err}");
}

#[test]
fn each_recognised_file_is_named_with_a_hint() {
    let dir = TempDir::new().unwrap();
    let mut tar = vec![0u8; 1024];
    tar[..8].copy_from_slice(b"w2v.txt\0");
    tar[257..263].copy_from_slice(b"ustar\0");
    let (_t, table) = common::tiny_table();
    let cases: Vec<(PathBuf, &str, &str)> = vec![
        (
            write(&dir, "model.kv", b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x08gensim"),
            "a gensim pickle",
            "model.wv.save_word2vec_format(path, binary=True)",
        ),
        (write(&dir, "vectors.tar", &tar), "a tar archive", "tar -xOf"),
        (write(&dir, "vectors.zip", b"PK\x03\x04\x14\x00\x00\x00"), "a zip archive", "unzip -p"),
        (write(&dir, "vectors.7z", b"7z\xbc\xaf\x27\x1c\x00\x04"), "a 7-Zip archive", "7z x -so"),
        (write(&dir, "vectors.zst", [0x28, 0xb5, 0x2f, 0xfd, 0, 0x58]), "zstd-compressed", "zstd -dc"),
        (write(&dir, "vectors.xz", [0xfd, b'7', b'z', b'X', b'Z', 0, 0, 4]), "xz-compressed", "xz -dc"),
        (table, "a zhvec table (.zv)", "--vocab"),
        (
            write(&dir, "vectors.txt", "\n<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>\n"),
            "an HTML page",
            "download the file again",
        ),
        (
            write(&dir, "m.npy", npy("<f4", 1, 2, &[0.0, 1.0])),
            "a NumPy .npy matrix",
            "--vectors-format npy with --words",
        ),
    ];
    for (file, what, hint) in cases {
        let err = build_err(&["--vectors", path(&file), "-o", path(&dir.path().join("t.zv"))]);
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(err.contains(name), "{name}: {err}");
        assert!(err.contains(what), "{name}: {err}");
        assert!(err.contains(hint), "{name}: {err}");
        assert!(!err.contains("cannot tell the format"), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    // Compressed: the wrapper is named too.
    let tgz = write(&dir, "vectors.tar.gz", {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&tar).unwrap();
        e.finish().unwrap()
    });
    let err = build_err(&["--vectors", path(&tgz), "-o", path(&dir.path().join("t.zv"))]);
    assert!(err.contains("a tar archive (gzip-compressed)"), "{err}");
}

/// An `.npy` file of `rows × dim` values of type `descr` (`<f2`, `<f4`, `<f8`), from f32.
fn npy(descr: &str, rows: usize, dim: usize, values: &[f32]) -> Vec<u8> {
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {dim}), }}");
    let pad = 64 - (10 + dict.len() + 1) % 64;
    let header = format!("{dict}{}\n", " ".repeat(pad));
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend((header.len() as u16).to_le_bytes());
    b.extend(header.as_bytes());
    for &v in values {
        match descr {
            "<f2" => b.extend(zhvec::vocab::quant::f32_to_f16(v).to_le_bytes()),
            "<f4" => b.extend(v.to_le_bytes()),
            _ => b.extend((v as f64).to_le_bytes()),
        }
    }
    b
}

#[test]
fn npy_with_words_reads_like_word2vec_text() {
    let dir = TempDir::new().unwrap();
    // Values every dtype holds exactly.
    let words = ["中国", "中文", "国家", "的", "天气"];
    let values: Vec<f32> = (0..words.len() * 3).map(|i| (i as f32 - 6.0) * 0.25).collect();
    let mut text = format!("{} 3\n", words.len());
    for (w, v) in words.iter().zip(values.chunks(3)) {
        text += &format!("{w} {} {} {}\n", v[0], v[1], v[2]);
    }
    let w2v = write(&dir, "w.txt", text);
    let want_zv = dir.path().join("want.zv");
    build_ok(&w2v, &want_zv, &[]);
    let want = rows(&want_zv);
    let list = write(&dir, "vocab.txt", words.join("\r\n") + "\r\n");
    for descr in ["<f2", "<f4", "<f8"] {
        let m = write(&dir, "m.npy", npy(descr, words.len(), 3, &values));
        let out = dir.path().join("npy.zv");
        build_ok(&m, &out, &["--vectors-format", "npy", "--words", path(&list)]);
        assert_eq!(rows(&out), want, "{descr}");
        let meta = Vocab::open(&out).unwrap().meta().unwrap();
        let input = &meta["build"]["vectors"][0];
        assert_eq!((&input["format"], &input["words"]), (&"npy".into(), &"vocab.txt".into()), "{meta}");
        // Detected without --vectors-format when the word list is given.
        build_ok(&m, &out, &["--words", path(&list)]);
        assert_eq!(rows(&out), want, "{descr}, detected");
    }
}

#[test]
fn npy_and_word_counts_must_match() {
    let dir = TempDir::new().unwrap();
    let m = write(&dir, "m.npy", npy("<f4", 3, 2, &[1.0; 6]));
    let out = path(&dir.path().join("t.zv")).to_string();
    let short = write(&dir, "short.txt", "a\nb\n");
    let err = build_err(&["--vectors", path(&m), "--vectors-format", "npy", "--words", path(&short), "-o", &out]);
    assert!(err.contains("m.npy has 3 rows (3 × 2 float32)") && err.contains("short.txt has 2 words"), "{err}");
    let long = write(&dir, "long.txt", "a\nb\nc\nd\n");
    let err = build_err(&["--vectors", path(&m), "--words", path(&long), "-o", &out]);
    assert!(err.contains("m.npy has 3 rows") && err.contains("long.txt has 4 words"), "{err}");
    let err = build_err(&["--vectors", path(&m), "--vectors-format", "npy", "-o", &out]);
    assert!(err.contains("--vectors-format npy needs --words"), "{err}");
    let err = build_err(&["--vectors", path(&testdata("build/w2v.txt")), "--words", path(&short), "-o", &out]);
    assert!(err.contains("--words is the word list of .npy vectors"), "{err}");
    let empty_word = write(&dir, "gap.txt", "a\n\nc\n");
    let err = build_err(&["--vectors", path(&m), "--words", path(&empty_word), "-o", &out]);
    assert!(err.contains("gap.txt:2: an empty word"), "{err}");
    let big_endian = write(&dir, "be.npy", npy(">f4", 3, 2, &[1.0; 6]));
    let err = build_err(&["--vectors", path(&big_endian), "--words", path(&long), "-o", &out]);
    assert!(err.contains("be.npy") && err.contains("big-endian"), "{err}");
    assert!(!Path::new(&out).exists());
}
