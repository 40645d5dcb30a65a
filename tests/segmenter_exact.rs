//! The segmenter against its references.
//!
//! - Python jieba 0.42.1, through golden files: `testdata/segment/lines.jieba.txt` is what
//!   `scripts/jieba-segment.py testdata/segment/lines.txt` printed (`jieba.cut(line,
//!   HMM=True)`, whitespace tokens dropped), and `lines.user-dict.jieba.txt` the same with
//!   `--user-dict testdata/segment/user-dict.txt`.
//! - jieba-rs 0.11, which implements the same algorithm, on random mixed-script lines, over
//!   the standard dictionary and over the default table's words. Two differences of jieba-rs
//!   from Python jieba are known and allowed for, and nothing else:
//!   1. identifiers: in the HMM's non-Han pieces Python splits `[a-zA-Z0-9]+(?:\.\d+)?%?`
//!      and the text between, while jieba-rs keeps alphanumeric runs joined by `.`, `_` or
//!      `-` whole (`X-29`, `iOS9.3.3Beta4`). So tokens made only of ASCII are compared
//!      after splitting them by Python's rule, on both sides ([`python_split`]);
//!   2. jieba-rs takes CJK characters beyond U+4E00..=U+9FD5 (extension A, compatibility
//!      ideographs, the supplementary planes) into runs, Python jieba does not: the lines
//!      are drawn without them.
//!
//!   jieba-rs is given Python's dictionary total (dict.txt counts `B超` twice) through an
//!   extra word that no line holds.

mod common;

use std::sync::OnceLock;

use jieba_rs::Jieba;
use proptest::prelude::*;
use zhvec::segment::{SegDict, Segmenter, UserDict};
use zhvec::vocab::{Kind, Vocab};

fn golden(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(common::testdata(&format!("segment/{name}"))).unwrap();
    text.lines().map(str::to_owned).collect()
}

/// Our tokens of each line, as `scripts/jieba-segment.py` prints them.
fn ours(seg: &Segmenter, lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let mut tokens = Vec::new();
            seg.for_each_jieba_token(line, |t| tokens.push(t));
            tokens.join(" ")
        })
        .collect()
}

#[test]
fn golden_lines_cut_as_python_jieba_cuts_them() {
    let lines = golden("lines.txt");
    let expected = golden("lines.jieba.txt");
    assert_eq!(lines.len(), expected.len());
    let got = ours(&Segmenter::standard(), &lines);
    for ((line, got), want) in lines.iter().zip(&got).zip(&expected) {
        assert_eq!(got, want, "{line:?}");
    }
    // The identifiers are split as Python splits them.
    assert!(expected.contains(&"新款 iOS9.3 . 3Beta4 修复 了 蓝牙 问题".to_owned()));
    assert!(expected.iter().any(|l| l.starts_with("X - 29 ")));
}

#[test]
fn golden_lines_with_a_user_dictionary_cut_as_python_jieba_cuts_them() {
    let lines = golden("lines.txt");
    let expected = golden("lines.user-dict.jieba.txt");
    let user = UserDict::open(&common::testdata("segment/user-dict.txt")).unwrap();
    let seg = Segmenter::with_user_dict(SegDict::Jieba, None, None, &user).unwrap();
    assert_eq!(ours(&seg, &lines), expected);
    // And the dictionary made a difference.
    assert_ne!(expected, golden("lines.jieba.txt"));
}

#[test]
fn the_command_line_prints_python_jiebas_tokens() {
    let out = common::zhvec()
        .args(["segment", "--no-join", "--normalize-text", "none"])
        .arg(common::testdata("segment/lines.txt"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr_of(&out));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().collect::<Vec<_>>(), golden("lines.jieba.txt"));
}

/// Tokens made only of ASCII, split as Python's finalseg splits text that is not Han:
/// `[a-zA-Z0-9]+(?:\.\d+)?%?` and the text between the matches.
fn python_split(tokens: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for t in tokens {
        if !t.is_ascii() {
            out.push(t.to_string());
            continue;
        }
        let b = t.as_bytes();
        let (mut p, n) = (0, b.len());
        while p < n {
            let q = (p..n).find(|&i| b[i].is_ascii_alphanumeric()).unwrap_or(n);
            if q > p {
                out.push(t[p..q].to_owned());
            }
            if q == n {
                break;
            }
            let mut e = q;
            while e < n && b[e].is_ascii_alphanumeric() {
                e += 1;
            }
            if e + 1 < n && b[e] == b'.' && b[e + 1].is_ascii_digit() {
                e += 1;
                while e < n && b[e].is_ascii_digit() {
                    e += 1;
                }
            }
            if e < n && b[e] == b'%' {
                e += 1;
            }
            out.push(t[q..e].to_owned());
            p = e;
        }
    }
    out
}

#[test]
fn python_split_is_the_identifier_rule() {
    assert_eq!(python_split(&["X-29", "iOS9.3.3Beta4", "北京"]), ["X", "-", "29", "iOS9.3", ".", "3Beta4", "北京"]);
}

/// jieba's standard dictionary in jieba-rs, with Python's total.
fn jieba_rs() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(|| {
        let dict = include_str!("../vocab/jieba-dict.txt");
        let mut j = Jieba::with_dict(&mut std::io::Cursor::new(dict)).unwrap();
        j.add_word("\u{e000}", Some(3), None);
        j
    })
}

fn default_vocab() -> &'static Vocab {
    static V: OnceLock<Vocab> = OnceLock::new();
    V.get_or_init(|| zhvec::default_vocab::open().unwrap())
}

/// The default table's words, then its characters, as `--seg-dict vocab` reads them.
fn jieba_rs_over_vocab() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(|| {
        let (vocab, mut j) = (default_vocab(), Jieba::empty());
        let view = vocab.view();
        for kind in [Kind::Word, Kind::Char] {
            for id in 0..vocab.len(kind) as u32 {
                let name = view.row_name(kind, id).unwrap();
                if !name.contains(char::is_whitespace) {
                    j.add_word(name, Some(view.count(kind, id).max(1) as usize), None);
                }
            }
        }
        j
    })
}

fn standard() -> &'static Segmenter {
    static S: OnceLock<Segmenter> = OnceLock::new();
    S.get_or_init(Segmenter::standard)
}

fn over_vocab() -> &'static Segmenter {
    static S: OnceLock<Segmenter> = OnceLock::new();
    S.get_or_init(|| Segmenter::from_vocab(default_vocab()).unwrap())
}

/// Random lines: common and rare Han characters, dictionary words, identifiers, ASCII
/// punctuation, full-width forms, spaces, `\r\n`.
fn line() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(vec![
            "北京", "清华大学", "结婚", "的", "和尚", "未", "中国", "人民", "银行", "今天", "天气", "真", "好",
            "研究生", "命", "起源", "长江大桥", "市长", "江大桥", "我", "来到", "网易", "杭研", "大厦", "韩玉",
            "赏鉴", "石墨烯", "凱特琳", "台中", "喜欢", "吃", "苹果", "发布会", "B超", "T恤", "卡拉OK",
        ])
        .prop_map(str::to_owned),
        3 => "[\u{4e00}-\u{9fd5}]{1,4}",
        2 => "[a-zA-Z0-9]{1,5}",
        2 => "[a-zA-Z0-9._%+#&-]{1,8}",
        1 => prop::sample::select(vec![" ", "，", "。", "\r\n", "\t", "“", "”", "、", "：", "！", "Ａ", "１", "\u{3000}", "é", "👍"])
            .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn compare(ours: &Segmenter, theirs: &Jieba, line: &str) -> Result<(), TestCaseError> {
    let mine = ours.jieba_tokens(line);
    let rs: Vec<&str> = theirs.cut(line, true).into_iter().map(|t| t.word).collect();
    prop_assert_eq!(mine.concat(), line);
    prop_assert_eq!(python_split(&mine), python_split(&rs), "{:?}\nours:     {:?}\njieba-rs: {:?}", line, mine, rs);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_lines_cut_as_jieba_rs_cuts_them(line in line()) {
        compare(standard(), jieba_rs(), &line)?;
    }

}

proptest! {
    // Each case reads the whole table to make a dictionary for its line.
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_lines_over_the_tables_words_cut_as_jieba_rs_cuts_them(line in line()) {
        compare(over_vocab(), jieba_rs_over_vocab(), &line)?;
        // A dictionary made only for the line cuts it as the whole one does.
        let part = Segmenter::new(SegDict::Vocab, Some(default_vocab()), Some(&line)).unwrap();
        prop_assert_eq!(part.jieba_tokens(&line), over_vocab().jieba_tokens(&line));
    }
}
