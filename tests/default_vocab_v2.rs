//! The default table's rows beyond jieba's dictionary words (Latin tokens, words found in
//! the training text) and the record of how it was made; `vocab build --meta`, which stores
//! that record.

mod common;

use serde_json::Value;
use zhvec::{default_vocab, Kind};

fn default_meta() -> Value {
    let out = common::zhvec().args(["vocab", "info", "--json"]).assert().success();
    serde_json::from_slice(&out.get_output().stdout).expect("vocab info --json prints JSON")
}

#[test]
fn latin_and_added_words_have_their_own_rows() {
    let v = default_vocab::open().expect("the embedded default opens");
    let view = v.view();
    for w in ["iPhone", "NBA", "2016"] {
        assert!(view.id(Kind::Word, w).is_some(), "{w} has no word row");
    }
    // Words the dictionary lacks are listed in the metadata; each has a row.
    let meta = default_meta();
    let dict = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/vocab/jieba-dict.txt")).unwrap();
    let known: std::collections::HashSet<&str> = dict.lines().filter_map(|l| l.split(' ').next()).collect();
    let added = meta["corpus"]["added_words_sample"].as_array().expect("a sample of the added words");
    assert!(!added.is_empty());
    for w in added {
        let w = w.as_str().expect("a word");
        assert!(view.id(Kind::Word, w).is_some(), "added word {w} has no row");
        assert!(!known.contains(w), "{w} is in jieba's dictionary");
    }
    assert_eq!(meta["normalize_text"], "nfkc,t2s");
}

#[test]
fn metadata_records_teacher_corpus_sizes_and_recipe() {
    let meta = default_meta();
    assert!(meta["teacher"]["name"].as_str().is_some_and(|s| !s.is_empty()), "{meta}");
    assert!(meta["teacher"]["package"].as_str().is_some_and(|s| s.contains("==")), "{meta}");
    let corpus = &meta["corpus"];
    let total = corpus["sentences"].as_u64().expect("corpus.sentences");
    let train = corpus["train"].as_u64().expect("corpus.train");
    let held_out = corpus["held_out"].as_u64().expect("corpus.held_out");
    assert_eq!(train + held_out, total);
    assert!(held_out > 0 && train > held_out);
    let sources = corpus["sources"].as_object().expect("corpus.sources");
    assert!(!sources.is_empty());
    assert!(meta["recipe"]["version"].as_u64().is_some_and(|n| n >= 2), "{meta}");
}

/// `zhvec vocab build` of a two-word table with `--meta` a file `name` holding `text`.
fn build_with_meta(dir: &tempfile::TempDir, name: &str, text: &str) -> (std::process::Output, std::path::PathBuf) {
    let vec = common::write(dir, "v.txt", "2 2\n你好 1 0\n世界 0 1\n");
    let meta = common::write(dir, name, text);
    let out = dir.path().join("t.zv");
    let got = common::zhvec()
        .args(["vocab", "build", "-q", "--vectors"])
        .arg(&vec)
        .arg("--meta")
        .arg(&meta)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    (got, out)
}

#[test]
fn build_stores_the_keys_of_a_meta_file() {
    let dir = tempfile::tempdir().unwrap();
    let (got, out) = build_with_meta(&dir, "meta.json", r#"{"teacher": {"name": "t"}, "recipe": {"version": 7}}"#);
    assert!(got.status.success(), "{}", common::stderr_of(&got));
    let info = common::zhvec().args(["vocab", "info", "--json"]).arg(&out).assert().success();
    let got: Value = serde_json::from_slice(&info.get_output().stdout).unwrap();
    assert_eq!(got["teacher"]["name"], "t");
    assert_eq!(got["recipe"]["version"], 7);
    assert!(got["build"].is_object(), "the build's own keys stay");
}

#[test]
fn build_rejects_a_bad_meta_file_by_name() {
    for (name, text, says) in [
        ("list.json", "[1, 2]", "expected one JSON object"),
        ("broken.json", "{\n\"a\": }", "broken.json:2:"),
        ("own.json", r#"{"stats": 1}"#, "written by the build itself"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (got, out) = build_with_meta(&dir, name, text);
        assert_eq!(got.status.code(), Some(2), "{name}");
        let err = common::stderr_of(&got);
        assert!(err.contains(name) && err.contains(says), "{name}: {err}");
        assert!(!out.exists(), "{name}: no table is written");
    }
}
