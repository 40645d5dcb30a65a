//! Shared harness for the integration tests: the real binary, small tables written through
//! the library, and readers for what the binary writes.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;
use zhvec::vocab::{write_vocab, Dtype, TableData, VocabData};

/// The `zhvec` binary built by cargo for these tests, without the environment variables that
/// change its defaults, so that a user's settings cannot change what the tests see.
pub fn zhvec() -> Command {
    let mut cmd = Command::cargo_bin("zhvec").expect("the zhvec binary is built");
    cmd.env_remove("ZHVEC_VOCAB").env_remove("ZHVEC_THREADS");
    cmd
}

/// A file under `testdata/`, e.g. `testdata("build/w2v.txt")`.
pub fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(rel)
}

/// The tiny f32 table of [`tiny_tables`] in a fresh temporary folder (kept alive by the
/// returned guard).
pub fn tiny_table() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = write_tiny(dir.path(), Dtype::F32);
    (dir, path)
}

/// Little-endian f32 values, as in npy data and `-f f32` output.
pub fn f32s(bytes: &[u8]) -> Vec<f32> {
    assert_eq!(bytes.len() % 4, 0, "{} bytes is not a whole number of f32", bytes.len());
    bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// A finished command's standard error, as text.
pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Everything in `dir`, by name, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("readable folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Temporary output files left in `dir`.
pub fn tmp_leftovers(dir: &Path) -> Vec<String> {
    listing(dir).into_iter().filter(|n| n.starts_with(".zhvec-") || n.ends_with(".tmp")).collect()
}

/// Word table: 北京 [1,2], 天气 [3,4], 今天 [0,-1].
/// Char table: 北 [1,0], 京 [0,1], 天 [2,2], 气 [4,0], 很 [1,1], 好 [0,2], 🙂 [5,5],
/// and é (e + combining acute, one grapheme) [7,0].
pub fn tiny_tables() -> (TableData, TableData) {
    let mut words = TableData::new(2);
    words.push("北京".into(), &[1.0, 2.0], 100);
    words.push("天气".into(), &[3.0, 4.0], 50);
    words.push("今天".into(), &[0.0, -1.0], 10);
    let mut chars = TableData::new(2);
    for (c, v, n) in [
        ("北", [1.0, 0.0], 40),
        ("京", [0.0, 1.0], 30),
        ("天", [2.0, 2.0], 20),
        ("气", [4.0, 0.0], 10),
        ("很", [1.0, 1.0], 5),
        ("好", [0.0, 2.0], 5),
        ("🙂", [5.0, 5.0], 1),
        ("e\u{301}", [7.0, 0.0], 1),
    ] {
        chars.push(c.into(), &v, n);
    }
    (words, chars)
}

pub fn write_tiny(dir: &Path, dtype: Dtype) -> PathBuf {
    let (words, chars) = tiny_tables();
    let path = dir.join(format!("tiny-{}.zv", dtype.name()));
    write_vocab(&path, &VocabData { words, chars, dtype, meta: serde_json::json!({"source": "tiny test table"}) })
        .expect("write tiny table");
    path
}

/// Writes `bytes` as `dir/name` and returns the path.
pub fn write(dir: &TempDir, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.path().join(name);
    fs::write(&p, bytes).expect("write a test file");
    p
}

/// A word2vec binary file: the header `rows dims` (`rows` as given, to fake a wrong count),
/// then `word ` and the little-endian f32 values of each row, with `\n` after each if
/// `newline`.
pub fn w2v_binary(rows_said: usize, rows: &[(&str, &[f32])], newline: bool) -> Vec<u8> {
    let mut b = format!("{rows_said} {}\n", rows[0].1.len()).into_bytes();
    for (w, v) in rows {
        b.extend_from_slice(w.as_bytes());
        b.push(b' ');
        for x in *v {
            b.extend_from_slice(&x.to_le_bytes());
        }
        if newline {
            b.push(b'\n');
        }
    }
    b
}

/// A table read back into memory, rows in stored order.
pub fn read_table(path: &Path, kind: zhvec::vocab::Kind) -> TableData {
    let v = zhvec::vocab::Vocab::open(path).expect("table opens");
    let mut t = TableData::new(v.dim(kind));
    for e in v.entries(kind) {
        t.push(e.name.to_string(), &e.row.to_vec(), e.count);
    }
    t
}

/// Gives the child of `cmd` the default dispositions of the signals that end a run, so that
/// a test that sends one means the same however the tests were started (a shell starts a
/// background job with SIGINT ignored, and an ignored signal stays ignored across exec).
pub fn default_signals(cmd: &mut std::process::Command) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::signal(sig, libc::SIG_DFL);
            }
            Ok(())
        })
    }
}
