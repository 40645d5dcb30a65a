//! `zhvec eval analogy`: 3CosAdd on a hand-made set with known answers
//! (testdata/analogy/README.md).

mod common;

use std::path::PathBuf;

use common::{stderr_of, testdata, zhvec};
use tempfile::TempDir;
use zhvec::vocab::{write_vocab, Dtype, TableData, VocabData};

fn table(dtype: Dtype) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut words = TableData::new(4);
    for (w, v) in [
        ("男人", [1.0, 0.0, 0.0, 0.0]),
        ("女人", [0.0, 1.0, 0.0, 0.0]),
        ("国王", [1.0, 0.0, 1.0, 0.0]),
        ("女王", [0.0, 1.0, 0.0, 0.9]),
        ("公主", [0.0, 0.0, 0.0, 1.0]),
    ] {
        words.push(w.into(), &v, 10);
    }
    let mut chars = TableData::new(4);
    chars.push("男".into(), &[1.0, 0.0, 0.0, 1.0], 10);
    chars.push("女".into(), &[0.0, 1.0, 0.0, 1.0], 10);
    let path = dir.path().join("a.zv");
    write_vocab(&path, &VocabData { words, chars, dtype, meta: serde_json::json!({}) }).unwrap();
    (dir, path)
}

fn analogy_json(args: &[&str], dtype: Dtype) -> serde_json::Value {
    let (_d, t) = table(dtype);
    let o = zhvec()
        .args(["eval", "analogy", "--json", "--vocab"])
        .arg(&t)
        .arg(testdata("analogy/questions.txt"))
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn known_answers_over_both_tables() {
    for dtype in [Dtype::F32, Dtype::F16, Dtype::Int8] {
        let v = analogy_json(&[], dtype);
        assert_eq!(v["table"], "both");
        let t = &v["total"];
        assert_eq!(
            (t["questions"].as_u64(), t["missing"].as_u64(), t["correct"].as_u64()),
            (Some(4), Some(1), Some(2))
        );
        assert!((t["accuracy_of_covered"].as_f64().unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(t["accuracy_of_all"].as_f64(), Some(50.0));
        let s: Vec<(&str, u64, u64, u64)> = v["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let n = |k: &str| s[k].as_u64().unwrap();
                (s["name"].as_str().unwrap(), n("questions"), n("missing"), n("correct"))
            })
            .collect();
        assert_eq!(s, [("royal", 2, 1, 1), ("other", 1, 0, 0), ("chars", 1, 0, 1)], "{dtype:?}");
    }
}

#[test]
fn the_word_table_alone_misses_the_character_questions() {
    let v = analogy_json(&["--table", "words"], Dtype::F32);
    let t = &v["total"];
    assert_eq!((t["missing"].as_u64(), t["correct"].as_u64()), (Some(2), Some(1)));
    assert_eq!(t["accuracy_of_covered"].as_f64(), Some(50.0));
    assert_eq!(t["accuracy_of_all"].as_f64(), Some(25.0));
    assert_eq!(v["sections"][2]["accuracy_of_covered"], serde_json::Value::Null);
}

#[test]
fn thread_count_does_not_change_the_answers() {
    let one = analogy_json(&["-j", "1"], Dtype::Int8);
    assert_eq!(analogy_json(&["-j", "3"], Dtype::Int8), one);
}

#[test]
fn text_report_and_bad_lines() {
    let (dir, t) = table(Dtype::F32);
    let o =
        zhvec().args(["eval", "analogy", "--vocab"]).arg(&t).arg(testdata("analogy/questions.txt")).output().unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.lines().any(|l| l == "total\t4\t1\t2\t66.67\t50.00"), "{text}");
    assert!(text.lines().any(|l| l == "royal\t2\t1\t1\t100.00\t50.00"), "{text}");
    let bad = common::write(&dir, "bad.txt", ": s\n男人 国王 女人 女王\n男人 国王 女人\n");
    let o = zhvec().args(["eval", "analogy", "--vocab"]).arg(&t).arg(&bad).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_of(&o).contains("bad.txt:3: expected 4 words"), "{}", stderr_of(&o));
}
