//! Shared helpers for the integration tests: small tables written through the library.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use zhvec::vocab::{write_vocab, Dtype, TableData, VocabData};

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
