//! `--normalize-text`: what `auto` resolves to, that `none` keeps the old vectors, and that
//! every command sees the normalized text.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{f32s, stderr_of, testdata, zhvec};
use zhvec::embed::{Embedder, Recipe};
use zhvec::eval::cosine;
use zhvec::normalize::TextNormalization;
use zhvec::segment::{SegDict, Segmenter};
use zhvec::vocab::{write_vocab, Dtype, VocabData};
use zhvec::Vocab;

fn mixed() -> PathBuf {
    testdata("normalize_text/mixed.txt")
}

/// `zhvec embed -f f32` rows of `input` with `args`, one `Vec` per line.
fn rows(input: &Path, args: &[&str]) -> Vec<Vec<f32>> {
    let out = zhvec().args(["embed", "-q", "-f", "f32"]).args(args).arg(input).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let dim: usize = {
        let d = zhvec().args(["embed", "--print-dim"]).args(args).output().unwrap();
        String::from_utf8(d.stdout).unwrap().trim().parse().unwrap()
    };
    f32s(&out.stdout).chunks(dim).map(<[f32]>::to_vec).collect()
}

fn default_embedder(vocab: &Vocab, recipe: Recipe) -> Embedder<'_> {
    let segmenter = Segmenter::new(SegDict::Jieba, Some(vocab), None).unwrap();
    Embedder::new(vocab, segmenter, recipe).unwrap()
}

#[test]
fn the_default_table_asks_for_nfkc_and_t2s() {
    let vocab = zhvec::default_vocab::open().unwrap();
    assert_eq!(vocab.normalize_text().unwrap(), TextNormalization::ALL);
    assert_eq!(Recipe::default().text_normalization(&vocab).unwrap(), TextNormalization::ALL);
    let info = zhvec().args(["vocab", "info", "--json"]).output().unwrap();
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["normalize_text"], "nfkc,t2s");
}

#[test]
fn traditional_and_full_width_text_meets_its_simplified_form() {
    let vocab = zhvec::default_vocab::open().unwrap();
    let auto = default_embedder(&vocab, Recipe::default());
    let none = default_embedder(&vocab, Recipe { normalize_text: Some(TextNormalization::NONE), ..Recipe::default() });
    for (a, b, min) in [("臺灣的經濟發展", "台湾的经济发展", 0.95), ("ＡＢＣ１２３", "ABC123", 0.99)]
    {
        let with = cosine(&auto.embed(a), &auto.embed(b));
        let without = cosine(&none.embed(a), &none.embed(b));
        assert!(with >= min, "{a} / {b}: cosine {with} < {min}");
        assert!(without < min, "{a} / {b}: {without} without normalization (the test would not show a gain)");
    }
}

#[test]
fn none_reproduces_the_vectors_of_the_table_before_it_asked_for_normalization() {
    let want = f32s(&fs::read(testdata("normalize_text/mixed.none.f32")).unwrap());
    let got: Vec<f32> = rows(&mixed(), &["--normalize-text", "none"]).concat();
    assert_eq!(got.len(), want.len());
    assert!(got.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()), "--normalize-text none changed a row");
    // Auto changes exactly the lines normalization changes; simplified lines stay bit-identical.
    let auto = rows(&mixed(), &[]);
    let text = fs::read_to_string(mixed()).unwrap();
    let dim = auto[0].len();
    for (i, line) in text.lines().enumerate() {
        let old = &want[i * dim..(i + 1) * dim];
        let same = auto[i].iter().zip(old).all(|(a, b)| a.to_bits() == b.to_bits());
        let simplified =
            zhvec::normalize::Normalizer::new(TextNormalization::ALL).normalize(line, &mut Default::default()).eq(line);
        assert_eq!(same, simplified, "line {}: {line}", i + 1);
    }
}

#[test]
fn stats_count_the_lines_normalization_changed() {
    let stats = |args: &[&str]| -> serde_json::Value {
        let out = zhvec().args(["embed", "-q", "--stats", "-f", "f32"]).args(args).arg(mixed()).output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        serde_json::from_str(stderr_of(&out).lines().last().unwrap()).unwrap()
    };
    // 臺灣, 軟體, ＮＢＡ, 國務院, ５９９９, 綫: six of the eleven lines.
    assert_eq!(stats(&[])["normalized_lines"], 6);
    assert_eq!(stats(&["--normalize-text", "nfkc"])["normalized_lines"], 2);
    assert_eq!(stats(&["--normalize-text", "none"])["normalized_lines"], 0);
}

#[test]
fn segment_explain_shows_the_normalized_tokens() {
    let seg = |input: &str, args: &[&str]| -> String {
        let out = zhvec().args(["segment", "--explain"]).args(args).write_stdin(input).output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let simplified = seg("台湾的经济发展\nNBA 2016\n", &[]);
    assert_eq!(seg("臺灣的經濟發展\nＮＢＡ　２０１６\n", &[]), simplified);
    assert!(simplified.contains("台湾/w") && simplified.contains("NBA/w"), "{simplified}");
    let raw = seg("臺灣的經濟發展\n", &["--normalize-text", "none"]);
    assert!(raw.starts_with("臺"), "{raw}");
}

/// A short input is read ahead and segmented with only the dictionary words it contains; they
/// must be picked from the normalized text, or its tokens differ from a long input's.
#[test]
fn short_inputs_pick_dictionary_words_from_the_normalized_text() {
    let dir = tempfile::tempdir().unwrap();
    let lines = "臺灣的經濟發展\n軟體更新與網路資訊安全\n國務院常務會議部署進一步擴大內需\n";
    let short = dir.path().join("short.txt");
    fs::write(&short, lines).unwrap();
    // Past the read-ahead limit: the whole dictionary is loaded.
    let long = dir.path().join("long.txt");
    fs::write(&long, format!("{lines}{}\n", "a".repeat(600 << 10))).unwrap();
    let (s, l) = (rows(&short, &[]), rows(&long, &[]));
    assert_eq!(s[..], l[..3]);
    let seg = |p: &Path| String::from_utf8(zhvec().arg("segment").arg(p).output().unwrap().stdout).unwrap();
    let (s, l) = (seg(&short), seg(&long));
    assert_eq!(s.lines().collect::<Vec<_>>(), l.lines().take(3).collect::<Vec<_>>());
    assert!(s.starts_with("台湾 的 经济 发展\n"), "{s}");
}

#[test]
fn eval_normalizes_both_sentences() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        fs::write(&p, text).unwrap();
        p
    };
    // The first two pairs are one text in two scripts; normalized, they rank above the third.
    let tail = "今天天气很好\t今天天气不错\t4\n我喜欢吃苹果\t股市今天大跌\t0\n";
    let mixed = write(
        "mixed.tsv",
        &format!("臺灣的經濟發展\t台湾的经济发展\t5\n軟體更新與網路資訊安全\t软件更新与网络信息安全\t5\n{tail}"),
    );
    let simple = write(
        "simple.tsv",
        &format!("台湾的经济发展\t台湾的经济发展\t5\n软件更新与网络信息安全\t软件更新与网络信息安全\t5\n{tail}"),
    );
    let eval = |p: &Path, args: &[&str]| -> serde_json::Value {
        let out = zhvec().args(["eval", "sts", "--json"]).arg(p).args(args).output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert_eq!(eval(&mixed, &[])["spearman"], eval(&simple, &[])["spearman"]);
    assert_ne!(eval(&mixed, &["--normalize-text", "none"])["spearman"], eval(&simple, &[])["spearman"]);
}

fn build(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out_path = dir.join(name);
    let out = zhvec()
        .args(["vocab", "build", "-q", "--vectors"])
        .arg(testdata("normalize_text/tw.vec"))
        .args(args)
        .arg("-o")
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    out_path
}

#[test]
fn tables_record_their_normalization_and_auto_honours_it() {
    let dir = tempfile::tempdir().unwrap();
    let with = build(dir.path(), "with.zv", &["--normalize-text", "t2s,nfkc"]);
    let without = build(dir.path(), "without.zv", &[]);
    let info = |p: &Path| -> serde_json::Value {
        let out = zhvec().args(["vocab", "info", "--json"]).arg(p).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert_eq!(info(&with)["normalize_text"], "nfkc,t2s");
    assert_eq!(info(&without)["normalize_text"], "none");

    let input = dir.path().join("in.txt");
    fs::write(&input, "臺灣\n台湾\n").unwrap();
    let vocab = |p: &Path| vec!["--vocab".to_string(), p.display().to_string()];
    let run = |args: Vec<String>| rows(&input, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let r = run(vocab(&with));
    assert_eq!(r[0], r[1]);
    let r = run(vocab(&without));
    assert_ne!(r[0], r[1]);
    // An explicit choice wins over the table's.
    let r = run([vocab(&with), vec!["--normalize-text".into(), "none".into()]].concat());
    assert_ne!(r[0], r[1]);
    let r = run([vocab(&without), vec!["--normalize-text".into(), "t2s".into()]].concat());
    assert_eq!(r[0], r[1]);
}

#[test]
fn corpus_counts_see_the_normalized_text() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.txt");
    fs::write(&corpus, "臺灣的經濟發展\n臺灣\n").unwrap();
    let corpus_arg = corpus.display().to_string();
    let count = |p: &Path, word: &str| -> u64 {
        let v = Vocab::open(p).unwrap();
        v.view().id(zhvec::Kind::Word, word).map_or(0, |id| v.view().count(zhvec::Kind::Word, id))
    };
    let with = build(dir.path(), "with.zv", &["--normalize-text", "nfkc,t2s", "--corpus", &corpus_arg]);
    let without = build(dir.path(), "without.zv", &["--corpus", &corpus_arg]);
    assert_eq!(count(&with, "台湾"), 2);
    assert_eq!(count(&without, "台湾"), 0);
}

#[test]
fn bad_values_are_refused_with_exit_2() {
    for cmd in [&["embed"][..], &["segment"], &["eval", "sts", "pairs.tsv"]] {
        let out = zhvec().args(cmd).args(["--normalize-text", "foo"]).write_stdin("你好\n").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd:?}");
        let err = stderr_of(&out);
        assert!(err.contains("--normalize-text") && err.contains("`foo`") && err.contains("auto"), "{err}");
    }
    // A table records a list, never `auto`.
    let dir = tempfile::tempdir().unwrap();
    let out = zhvec()
        .args(["vocab", "build", "--vectors"])
        .arg(testdata("normalize_text/tw.vec"))
        .args(["--normalize-text", "auto", "-o"])
        .arg(dir.path().join("t.zv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("unknown normalization `auto`"), "{}", stderr_of(&out));
}

#[test]
fn a_table_asking_for_an_unknown_normalization_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (words, chars) = common::tiny_tables();
    let path = dir.path().join("odd.zv");
    let meta = serde_json::json!({"normalize_text": "nfkc,s2t"});
    write_vocab(&path, &VocabData { words, chars, dtype: Dtype::F32, meta }).unwrap();
    let out = zhvec().arg("embed").arg("--vocab").arg(&path).write_stdin("北京\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("odd.zv") && err.contains("`nfkc,s2t`") && err.contains("--normalize-text"), "{err}");
    // Choosing one explicitly does not need the table's.
    zhvec()
        .args(["embed", "-q", "--normalize-text", "none", "--vocab"])
        .arg(&path)
        .write_stdin("北京\n")
        .assert()
        .success();
    let vocab = Vocab::open(&path).unwrap();
    let err = match Embedder::new(&vocab, Segmenter::standard(), Recipe::default()) {
        Ok(_) => panic!("an unknown normalization was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("odd.zv"), "{err}");
}
