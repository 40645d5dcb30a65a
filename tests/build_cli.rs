//! `zhvec vocab build` as a real binary: flags, the summary line, exit codes, and that a
//! failed build leaves nothing behind.

mod common;

use std::fs;
use std::path::PathBuf;

use common::{listing, stderr_of, zhvec};
use tempfile::TempDir;
use zhvec::{Dtype, Kind, Vocab};

fn data(name: &str) -> PathBuf {
    common::testdata(&format!("build/{name}"))
}

#[test]
fn builds_a_table_and_prints_one_summary_line() {
    let dir = TempDir::new().unwrap();
    let out_path = dir.path().join("t.zv");
    let out = zhvec()
        .args(["vocab", "build", "--vectors"])
        .arg(data("w2v.txt.gz"))
        .args(["--freq"])
        .arg(data("dict.txt"))
        .args(["--min-count", "0", "--max-words", "3", "--max-chars", "4", "--dtype", "f16"])
        .args(["--source", "test vectors", "-j", "2", "-o"])
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "one summary line, no progress bar when not a terminal: {err:?}");
    for part in ["t.zv", "6 rows read", "3 words", "4 characters", "0 skipped", "0 duplicates", " s,", "MB/s"] {
        assert!(err.contains(part), "{part:?} missing from {err:?}");
    }
    let v = Vocab::open(&out_path).unwrap();
    assert_eq!(v.dtype(), Dtype::F16);
    assert_eq!(v.len(Kind::Word), 3);
    // 中国 has a count in dict.txt; the others have 0 and keep their file order.
    assert_eq!(v.entries(Kind::Word).map(|e| e.name.to_string()).collect::<Vec<_>>(), ["中国", "中文", "国家"]);
    assert_eq!(v.meta().unwrap()["source"], "test vectors");
    assert_eq!(listing(dir.path()), ["t.zv"]);
}

#[test]
fn bad_input_exits_2_and_leaves_no_file() {
    let dir = TempDir::new().unwrap();
    let vecs = dir.path().join("v.txt");
    fs::write(&vecs, "3 2\n中国 1 2\n北京 1 x\n上海 1 2\n").unwrap();
    let out_path = dir.path().join("t.zv");
    let out = zhvec().args(["vocab", "build", "--vectors"]).arg(&vecs).arg("-o").arg(&out_path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains(&format!("{}:3: \"x\" is not a number", vecs.display())), "{err}");
    assert_eq!(listing(dir.path()), ["v.txt"], "no table and no temporary file");

    // --skip-bad gets past it and reports the count.
    let out = zhvec()
        .args(["vocab", "build", "--skip-bad", "--vectors"])
        .arg(&vecs)
        .arg("-o")
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("1 skipped"), "{}", stderr_of(&out));
}

#[test]
fn a_failed_rebuild_keeps_the_previous_table() {
    let dir = TempDir::new().unwrap();
    let out_path = dir.path().join("t.zv");
    zhvec()
        .args(["vocab", "build", "-q", "--vectors"])
        .arg(data("glove.txt"))
        .arg("-o")
        .arg(&out_path)
        .assert()
        .success();
    let before = fs::read(&out_path).unwrap();
    let other = dir.path().join("other.txt");
    fs::write(&other, "1 3\n中国 1 2 3\n").unwrap();
    let out = zhvec()
        .args(["vocab", "build", "--vectors"])
        .arg(data("glove.txt"))
        .arg("--vectors")
        .arg(&other)
        .arg("-o")
        .arg(&out_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("other.txt:1:") && stderr_of(&out).contains("dimension 3"), "{}", stderr_of(&out));
    assert_eq!(fs::read(&out_path).unwrap(), before);
    assert_eq!(listing(dir.path()), ["other.txt", "t.zv"]);
}

#[test]
fn missing_and_empty_inputs_exit_2() {
    let dir = TempDir::new().unwrap();
    let out_path = dir.path().join("t.zv");
    let out =
        zhvec().args(["vocab", "build", "--vectors", "/nonexistent/v.txt", "-o"]).arg(&out_path).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("/nonexistent/v.txt"), "{}", stderr_of(&out));
    let empty = dir.path().join("e.txt");
    fs::write(&empty, "").unwrap();
    let out = zhvec().args(["vocab", "build", "--vectors"]).arg(&empty).arg("-o").arg(&out_path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("e.txt: no vector rows"), "{}", stderr_of(&out));
    assert_eq!(listing(dir.path()), ["e.txt"]);
    let out = zhvec()
        .args(["vocab", "build", "--vectors"])
        .arg(data("w2v.txt"))
        .arg("-o")
        .arg(dir.path().join("no/such/dir/t.zv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("does not exist"), "{}", stderr_of(&out));
}

#[test]
fn usage_errors() {
    let dir = TempDir::new().unwrap();
    let out_path = dir.path().join("t.zv");
    let out = zhvec()
        .args(["vocab", "build", "--dtype", "f64", "--vectors"])
        .arg(data("w2v.txt"))
        .arg("-o")
        .arg(&out_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("f64"), "{}", stderr_of(&out));
    let out = zhvec().args(["vocab", "build", "-o"]).arg(&out_path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--vectors"), "{}", stderr_of(&out));
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn every_format_flag() {
    let dir = TempDir::new().unwrap();
    let out_path = dir.path().join("t.zv");
    for (file, format) in [("w2v.txt", "text"), ("glove.txt", "glove"), ("fasttext.vec", "auto")] {
        zhvec()
            .args(["vocab", "build", "--vectors-format", format, "--vectors"])
            .arg(data(file))
            .arg("-o")
            .arg(&out_path)
            .assert()
            .success();
        assert!(Vocab::open(&out_path).unwrap().len(Kind::Word) > 0);
    }
    let out = zhvec()
        .args(["vocab", "build", "--vectors-format", "binary", "--vectors"])
        .arg(data("glove.txt"))
        .arg("-o")
        .arg(&out_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("glove.txt:1: expected a `rows dims` header"), "{}", stderr_of(&out));
}

#[test]
fn reads_standard_input() {
    let dir = TempDir::new().unwrap();
    let out_path = dir.path().join("t.zv");
    zhvec()
        .args(["vocab", "build", "--vectors", "-", "-o"])
        .arg(&out_path)
        .write_stdin(fs::read(data("w2v.txt.gz")).unwrap())
        .assert()
        .success();
    let v = Vocab::open(&out_path).unwrap();
    assert_eq!(v.view().word("我的").unwrap().to_vec(), [-1.0, 0.0, 1.0]);
    assert_eq!(v.meta().unwrap()["build"]["vectors"][0]["gzip"], true);

    let out = zhvec().args(["vocab", "build", "--vectors", "-", "--freq", "-", "-o"]).arg(&out_path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("only once"), "{}", stderr_of(&out));
}
