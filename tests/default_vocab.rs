//! The embedded default table: it opens, has the documented shape, and its vectors mean
//! something.

mod common;

use zhvec::embed::{Embedder, Recipe};
use zhvec::eval::cosine;
use zhvec::segment::Segmenter;
use zhvec::{default_vocab, Kind, Vocab};

fn vocab() -> Vocab {
    default_vocab::open().expect("the embedded default opens")
}

#[test]
fn default_has_the_documented_shape() {
    let v = vocab();
    // These figures are the ones in vocab/README.md.
    assert_eq!(v.len(Kind::Word), 87_000);
    assert_eq!(v.len(Kind::Char), 8_012);
    assert_eq!(v.dim(Kind::Word), 128);
    assert_eq!(v.dim(Kind::Char), 128);
    assert_eq!(v.dtype().name(), "int8");
    assert!(v.header().file_len <= 16 * 1024 * 1024, "the default must stay within 16 MB");
    assert!(v.words_are_multichar());
    v.verify().expect("checksum and index");
}

fn word_cos(e: &Embedder<'_>, a: &str, b: &str) -> f64 {
    let (va, vb) = (e.word_vector(a).expect(a), e.word_vector(b).expect(b));
    cosine(&va, &vb)
}

#[test]
fn related_words_are_closer_than_unrelated_ones() {
    let v = vocab();
    let e = Embedder::new(&v, Segmenter::standard(), Recipe::default()).unwrap();
    assert!(word_cos(&e, "北京", "上海") > word_cos(&e, "北京", "香蕉"));
    assert!(word_cos(&e, "医生", "护士") > word_cos(&e, "医生", "足球"));
    assert!(word_cos(&e, "苹果", "香蕉") > word_cos(&e, "苹果", "法院"));
}

#[test]
fn headlines_about_the_same_event_are_closer() {
    let v = vocab();
    let e = Embedder::new(&v, Segmenter::standard(), Recipe::default()).unwrap();
    let a = e.embed("央行宣布下调存款准备金率");
    let b = e.embed("中国人民银行决定降低金融机构准备金率");
    let c = e.embed("中国女排三比零战胜对手进入决赛");
    assert!(cosine(&a, &b) > cosine(&a, &c) + 0.1, "{} vs {}", cosine(&a, &b), cosine(&a, &c));
}

#[test]
fn embed_without_vocab_uses_the_default() {
    let out = common::zhvec().arg("embed").write_stdin("今天天气很好\n").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let row: Vec<f32> = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(row.len(), 256);
    assert!(row.iter().any(|x| *x != 0.0));
}

#[test]
fn vocab_info_without_path_describes_the_default() {
    let out = common::zhvec().args(["vocab", "info", "--json"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["words"], 87_000);
    assert_eq!(v["dim"], 128);
    assert_eq!(v["path"], "embedded default vocab");
}
