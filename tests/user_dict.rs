//! `--user-dict FILE`: jieba user dictionaries with `segment`, `segment --explain`, `embed`
//! and both `--seg-dict` values. The expected cuts come from Python jieba 0.42.1 with the
//! same user dictionary (`testdata/segment/lines.user-dict.jieba.txt`, see
//! tests/segmenter_exact.rs).

mod common;

use std::path::Path;

use common::{stderr_of, testdata, write, zhvec};

const LINE: &str = "李小福是创新办主任也是云计算方面的专家\n";

fn segment(args: &[&str], user_dict: Option<&Path>, input: &str) -> String {
    let mut cmd = zhvec();
    cmd.args(["segment", "--normalize-text", "none"]).args(args);
    if let Some(path) = user_dict {
        cmd.arg("--user-dict").arg(path);
    }
    let out = cmd.write_stdin(input).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_user_dictionary_adds_its_words_as_python_jieba_does() {
    let dict = testdata("segment/user-dict.txt");
    // Python jieba, without and with the dictionary (jieba's own README example).
    assert_eq!(segment(&[], None, LINE), "李小福 是 创新 办 主任 也 是 云 计算 方面 的 专家\n");
    assert_eq!(segment(&[], Some(&dict), LINE), "李小福 是 创新办 主任 也 是 云计算 方面 的 专家\n");
    // Frequency 0 (`大数据 0`) keeps the HMM from making the word; `中国 1` cuts 中国 apart.
    let line = "韩玉赏鉴石墨烯大数据北京大学中国人民\n";
    assert_eq!(segment(&[], None, line), "韩玉 赏鉴 石墨 烯大 数据 北京大学 中国 人民\n");
    assert_eq!(segment(&[], Some(&dict), line), "韩玉赏鉴 石墨烯 大 数据 北京大学 中 国 人民\n");
}

#[test]
fn every_golden_line_with_the_user_dictionary() {
    let input = std::fs::read_to_string(testdata("segment/lines.txt")).unwrap();
    let expected = std::fs::read_to_string(testdata("segment/lines.user-dict.jieba.txt")).unwrap();
    let dict = testdata("segment/user-dict.txt");
    assert_eq!(segment(&["--no-join"], Some(&dict), &input), expected);
}

#[test]
fn a_user_dictionary_works_over_the_tables_words_too() {
    let dir = tempfile::tempdir().unwrap();
    let dict = write(&dir, "user.txt", "韩玉赏鉴 1000000\n赏鉴石 0\n");
    let line = "韩玉赏鉴石墨烯\n";
    let plain = segment(&["--seg-dict", "vocab"], None, line);
    let with = segment(&["--seg-dict", "vocab"], Some(&dict), line);
    assert!(!plain.split(' ').any(|t| t == "韩玉赏鉴"), "{plain}");
    assert!(with.starts_with("韩玉赏鉴 "), "{with}");
}

#[test]
fn explain_shows_the_sources_of_the_added_words() {
    let dir = tempfile::tempdir().unwrap();
    let dict = write(&dir, "user.txt", "韩玉赏鉴 1000000\n");
    let out = segment(&["--explain"], Some(&dict), "韩玉赏鉴北京\n");
    // Not a word of the table: its vector is the mean of its characters'.
    assert!(out.starts_with("韩玉赏鉴/c:") && out.contains(" 北京/w"), "{out}");
}

#[test]
fn embed_uses_the_user_dictionary() {
    let dir = tempfile::tempdir().unwrap();
    let dict = write(&dir, "user.txt", "创新办 3 i\n");
    let embed = |user: bool| {
        let mut cmd = zhvec();
        cmd.args(["embed", "--format", "jsonl"]);
        if user {
            cmd.arg("--user-dict").arg(&dict);
        }
        let out = cmd.write_stdin("创新办主任\n").output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        out.stdout
    };
    assert_ne!(embed(true), embed(false));
}

#[test]
fn an_empty_user_dictionary_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dict = write(&dir, "empty.txt", "\n \n\u{feff}\n");
    let input = std::fs::read_to_string(testdata("segment/lines.txt")).unwrap();
    assert_eq!(segment(&[], Some(&dict), &input), segment(&[], None, &input));
}

fn failure(dict: &Path) -> String {
    let out = zhvec().args(["segment", "--user-dict"]).arg(dict).write_stdin(LINE).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(out.stdout.is_empty());
    stderr_of(&out)
}

#[test]
fn bad_user_dictionaries_are_errors_that_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let err = failure(&missing);
    assert!(err.contains(&missing.display().to_string()), "{err}");
    let bad = write(&dir, "bad.txt", b"ok 1\n\nbad \xff word\n".as_slice());
    let err = failure(&bad);
    assert!(err.contains(&format!("{}:3", bad.display())), "{err}");
    let big = write(&dir, "big.txt", "大 99999999999999999999999\n");
    let err = failure(&big);
    assert!(err.contains(&format!("{}:1", big.display())) && err.contains("too large"), "{err}");
}
