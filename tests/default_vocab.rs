//! The embedded default table: it opens, has the documented shape, and its vectors mean
//! something.

mod common;

use zhvec::embed::{Embedder, Recipe, Source};
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
    assert_eq!(v.len(Kind::Word), 87_381);
    assert_eq!(v.len(Kind::Char), 8_074);
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
    assert_eq!(v["words"], 87_381);
    assert_eq!(v["dim"], 128);
    assert_eq!(v["path"], "embedded default vocab");
}

fn nonzero(v: &[f32]) -> bool {
    v.iter().any(|x| *x != 0.0)
}

#[test]
fn common_latin_tokens_have_word_rows() {
    let v = vocab();
    let e = Embedder::new(&v, Segmenter::standard(), Recipe::default()).unwrap();
    // Each line yields the Latin token as one jieba token, which has its own word row.
    for (line, token) in [("苹果发布iPhone 7", "iPhone"), ("NBA总决赛", "NBA"), ("5G网络", "5G"), ("2016年", "2016")]
    {
        let mut tokens = Vec::new();
        e.segmenter().cut(line, &mut tokens);
        assert!(tokens.contains(&token), "{line}: {tokens:?}");
        assert!(matches!(e.source(token), Source::Word(_)), "{token} has no word row");
        let row = e.word_vector(token).expect(token);
        assert!(nonzero(&row), "{token} has an all-zero row");
        let line_row = e.embed(line);
        assert!(nonzero(&line_row[..128]), "{line}: empty word channel");
    }
    // Contexts put related Latin tokens together.
    assert!(word_cos(&e, "2016", "2015") > word_cos(&e, "2016", "NBA"));
}

#[test]
fn unknown_latin_tokens_fall_back_to_letters_and_digits() {
    let v = vocab();
    let e = Embedder::new(&v, Segmenter::standard(), Recipe::default()).unwrap();
    assert!(v.view().id(Kind::Word, "ABC123").is_none());
    for c in ['A', 'z', '0', '9'] {
        assert!(v.view().char_id(c).is_some(), "{c} has no character row");
    }
    assert!(matches!(e.source("ABC123"), Source::Fallback(_)));
    let row = e.embed("ABC123");
    assert!(nonzero(&row[..128]) && nonzero(&row[128..]), "{row:?}");
}

#[test]
fn embed_of_an_unknown_latin_token_is_not_all_zeros() {
    let out = common::zhvec().arg("embed").write_stdin("ABC123\n").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let row: Vec<f32> = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(row.len(), 256);
    assert!(nonzero(&row));
}
