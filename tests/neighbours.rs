//! `zhvec nn` and `zhvec sim` on a hand-made table whose neighbours are known
//! (testdata/neighbours/README.md).

mod common;

use std::path::{Path, PathBuf};

use common::{stderr_of, testdata, zhvec};
use tempfile::TempDir;

fn table() -> (TempDir, PathBuf) {
    table_of("f32")
}

fn table_of(dtype: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.zv");
    let o = zhvec()
        .args(["vocab", "build", "-q", "--dtype", dtype, "--vectors"])
        .arg(testdata("neighbours/table.w2v"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    (dir, out)
}

/// `nn` output as (name, cosine) pairs; fails on a non-zero exit.
fn nn(table: &Path, args: &[&str]) -> Vec<(String, f32)> {
    let o = zhvec().arg("nn").arg("--vocab").arg(table).args(args).output().unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (name, cos) = l.rsplit_once('\t').unwrap();
            (name.to_string(), cos.parse().unwrap())
        })
        .collect()
}

fn names(hits: &[(String, f32)]) -> Vec<&str> {
    hits.iter().map(|h| h.0.as_str()).collect()
}

#[test]
fn nearest_words_by_cosine_without_the_query() {
    let (_d, t) = table();
    let hits = nn(&t, &["北京", "-k", "3"]);
    assert_eq!(names(&hits), ["上海", "天津", "深圳"]);
    assert!((hits[0].1 - 0.9 / 0.82f32.sqrt()).abs() < 1e-6, "{hits:?}");
    assert!((hits[1].1 - 0.6).abs() < 1e-6);
    assert_eq!(hits[2].1, 0.0);
    // Every other word, the opposite one last.
    let all = nn(&t, &["北京", "-k", "100"]);
    assert_eq!(names(&all), ["上海", "天津", "深圳", "广州", "苹果", "重庆"]);
    assert!((all[5].1 + 1.0).abs() < 1e-6);
}

#[test]
fn equal_cosines_come_in_id_order() {
    let (_d, t) = table();
    // 深圳 (id 3) and 广州 (id 4) share a vector: id order, not name order (广 < 深).
    assert_eq!(names(&nn(&t, &["天津", "-k", "3"])), ["深圳", "广州", "上海"]);
    assert_eq!(names(&nn(&t, &["深圳", "-k", "1"])), ["广州"]);
    assert_eq!(names(&nn(&t, &["广州", "-k", "2"])), ["深圳", "天津"]);
}

#[test]
fn f16_and_int8_rows_are_read_in_place_with_their_scales() {
    for dtype in ["f16", "int8"] {
        let (_d, t) = table_of(dtype);
        let hits = nn(&t, &["天津", "-k", "4"]);
        assert_eq!(names(&hits), ["深圳", "广州", "上海", "北京"], "{dtype}");
        assert!((hits[0].1 - 0.8).abs() < 2e-3 && (hits[3].1 - 0.6).abs() < 2e-3, "{dtype}: {hits:?}");
    }
}

#[test]
fn tables_to_search() {
    let (_d, t) = table();
    // Both: the characters 北 (its own row) and 京 (derived from 北京) have 北京's vector.
    let both = nn(&t, &["北京", "-k", "3", "--table", "both"]);
    assert_eq!(names(&both), ["北", "京", "上海"]);
    // Characters only: 京 and 上 are derived from 北京 and 上海, so they have their vectors.
    let chars = nn(&t, &["北", "-k", "3", "--table", "chars"]);
    assert_eq!(names(&chars), ["京", "上", "海"]);
}

#[test]
fn several_queries_and_json() {
    let (_d, t) = table();
    let o = zhvec().arg("nn").arg("--vocab").arg(&t).args(["北京", "苹果", "-k", "1"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][..2], ["北京", "上海"]);
    assert_eq!(rows[1][0], "苹果");
    let o = zhvec().arg("nn").arg("--vocab").arg(&t).args(["天津", "-k", "2", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["query"], "天津");
    assert_eq!(v["table"], "words");
    assert_eq!(v["neighbours"][0]["word"], "深圳");
    assert_eq!(v["neighbours"][1]["word"], "广州");
    assert!((v["neighbours"][0]["cosine"].as_f64().unwrap() - 0.8).abs() < 1e-6);
}

#[test]
fn a_word_missing_from_the_table_falls_back_to_its_characters() {
    let (_d, t) = table();
    let o = zhvec().arg("nn").arg("--vocab").arg(&t).args(["北海", "-k", "1"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    assert!(stderr_of(&o).contains("\"北海\" has no row in the words table"), "{}", stderr_of(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let (name, cos) = text.trim_end().split_once('\t').unwrap();
    assert_eq!(name, "上海");
    assert!((cos.parse::<f32>().unwrap() - 1.0).abs() < 1e-6);
    // No row and no character with one: an error that names the word.
    let o = zhvec().arg("nn").arg("--vocab").arg(&t).args(["北京", "猫狗"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "nothing is printed before every query is found");
    assert!(stderr_of(&o).contains("\"猫狗\" has no row in the words table"), "{}", stderr_of(&o));
}

#[test]
fn a_line_against_the_table_and_against_an_npy_of_lines() {
    let (dir, t) = table();
    assert_eq!(names(&nn(&t, &["--line", "上海", "-k", "1"])), ["上海"]);
    let lines = common::write(&dir, "lines.txt", "北京\n重庆\n苹果\n深圳\n");
    let npy = dir.path().join("lines.npy");
    let o =
        zhvec().args(["embed", "-q", "-f", "npy", "--vocab"]).arg(&t).arg(&lines).arg("-o").arg(&npy).output().unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    let o = zhvec()
        .args(["nn", "--line", "北京", "-k", "3", "--vocab"])
        .arg(&t)
        .arg("--against")
        .arg(&npy)
        .arg("--texts")
        .arg(&lines)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    // Row 0 is the line itself; rows 2 and 3 tie at 0, in row order.
    assert_eq!(rows.iter().map(|r| (r[0], r[2])).collect::<Vec<_>>(), [("0", "北京"), ("2", "苹果"), ("3", "深圳")]);
    assert!((rows[0][1].parse::<f32>().unwrap() - 1.0).abs() < 1e-6);
    // Rows of another width: the recipe differs.
    let o = zhvec()
        .args(["nn", "--line", "北京", "--channels", "word", "--vocab"])
        .arg(&t)
        .arg("--against")
        .arg(&npy)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_of(&o).contains("rows of 8 values, but the line's embedding has 4"), "{}", stderr_of(&o));
}

#[test]
fn sim_writes_one_cosine_per_line() {
    let (_d, t) = table();
    let pairs = testdata("neighbours/pairs.tsv");
    let run = |threads: &str| {
        let o = zhvec().args(["sim", "-j", threads, "--vocab"]).arg(&t).arg(&pairs).output().unwrap();
        assert!(o.status.success(), "{}", stderr_of(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    let out = run("1");
    assert_eq!(out, "1\n-1\n\n1\n0\n");
    assert_eq!(run("2"), out);
    // Standard input, and a line without a tab.
    let o = zhvec().args(["sim", "--vocab"]).arg(&t).write_stdin("北京\t上海\n北京\n").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_of(&o).contains("<stdin>:2: expected two tab-separated texts"), "{}", stderr_of(&o));
}
