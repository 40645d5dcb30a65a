//! Helpers shared by the fuzz targets: a scratch directory per process, the tiny test
//! tables, and checks on errors.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use zhvec::error::EXIT_BAD_INPUT;
use zhvec::vocab::{write_vocab, TableData, VocabData};
use zhvec::{Dtype, Error, Vocab};

/// A directory for this process's files, removed at exit. Under `$TMPDIR`, which
/// `scripts/fuzz.sh` points at /dev/shm so that the many small writes stay in memory.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::Builder::new().prefix("zhvec-fuzz-").tempdir().expect("create a scratch directory"))
        .path()
}

/// `name` inside [`scratch_dir`].
pub fn scratch(name: &str) -> PathBuf {
    scratch_dir().join(name)
}

/// The word and character tables of `tests/common/mod.rs`, plus a character that is also a
/// word, so the vocab segmenter sees one name in both tables.
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
        ("a", [-1.0, 0.5], 3),
    ] {
        chars.push(c.into(), &v, n);
    }
    (words, chars)
}

/// The tiny table in `dtype`, written once per process and kept open.
pub fn tiny_vocab(dtype: Dtype) -> &'static Vocab {
    static TABLES: [OnceLock<Vocab>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    TABLES[dtype as usize].get_or_init(|| {
        let (words, chars) = tiny_tables();
        let path = scratch(&format!("tiny-{}.zv", dtype.name()));
        let meta = serde_json::json!({"source": "tiny fuzz table"});
        write_vocab(&path, &VocabData { words, chars, dtype, meta }).expect("write the tiny table");
        Vocab::open(&path).expect("open the tiny table")
    })
}

/// An error from bad input must be reported as such (exit code 2) and name one of `files`,
/// unless it is one of the messages about the options rather than a file.
pub fn check_input_error(e: &Error, files: &[&Path], option_messages: &[&str]) {
    let msg = e.to_string();
    assert_eq!(e.exit_code(), EXIT_BAD_INPUT, "not reported as bad input: {msg}");
    assert!(!msg.trim().is_empty(), "empty error message");
    let names_file = files.iter().any(|f| msg.contains(&f.display().to_string()));
    let about_options = option_messages.iter().any(|m| msg.contains(m));
    assert!(names_file || about_options, "the message names no file: {msg}");
}
