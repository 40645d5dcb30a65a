//! Property tests: on any text, the pipeline never panics, writes exactly one row per
//! line, row i is the embedding of line i, and the bytes do not depend on the thread
//! count or the chunk size.

mod common;

use common::f32s;

use std::sync::OnceLock;

use proptest::prelude::*;
use zhvec::embed::{Embedder, Normalize, Recipe, Weighting};
use zhvec::output::{Encoder, Format, Sink};
use zhvec::pipeline::{self, Options};
use zhvec::segment::Segmenter;
use zhvec::{Dtype, Vocab};

/// One embedder over the tiny table for the whole test binary (jieba's dictionary takes a
/// while to load).
fn embedder() -> &'static Embedder<'static> {
    static EMBEDDER: OnceLock<Embedder<'static>> = OnceLock::new();
    EMBEDDER.get_or_init(|| Embedder::new(vocab(), Segmenter::standard(), Recipe::default()).unwrap())
}

/// The same table with SIF weighting and whole-row normalization.
fn sif_embedder() -> &'static Embedder<'static> {
    static EMBEDDER: OnceLock<Embedder<'static>> = OnceLock::new();
    EMBEDDER.get_or_init(|| {
        let recipe = Recipe { weighting: Weighting::Sif, normalize: Normalize::All, ..Recipe::default() };
        Embedder::new(vocab(), Segmenter::standard(), recipe).unwrap()
    })
}

/// The tiny table, mapped; its file is removed once mapped.
fn vocab() -> &'static Vocab {
    static VOCAB: OnceLock<Vocab> = OnceLock::new();
    VOCAB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = common::write_tiny(dir.path(), Dtype::F32);
        Vocab::open(&path).unwrap()
    })
}

/// Runs the pipeline on `text` and returns the encoded output and the number of rows.
fn run(text: &str, threads: usize, chunk_bytes: usize, format: Format) -> (Vec<u8>, u64) {
    run_with(embedder(), text, threads, chunk_bytes, format)
}

fn run_with(e: &Embedder<'_>, text: &str, threads: usize, chunk_bytes: usize, format: Format) -> (Vec<u8>, u64) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut sink = Sink::open(Some(&out), format, e.dim()).unwrap();
    let opts = Options {
        threads,
        lossy: false,
        input: Default::default(),
        encoder: Encoder {
            format,
            with_line: format == Format::Jsonl,
            with_text: format == Format::Jsonl,
            ..Encoder::default()
        },
        chunk_bytes,
    };
    let mut input = text.as_bytes();
    let mut rows_seen = 0;
    let totals = pipeline::run(e, &mut input, "<prop>", &mut sink, &opts, &mut |_, rows| rows_seen += rows).unwrap();
    sink.finish().unwrap();
    assert_eq!(totals.stats.lines, rows_seen, "progress callback rows vs stats");
    assert_eq!(totals.bytes, text.len() as u64);
    (std::fs::read(&out).unwrap(), totals.stats.lines)
}

/// The lines the pipeline sees: split on `\n`, a trailing `\r` removed, no empty piece after
/// a final newline, and a byte order mark dropped from line 1.
fn expected_lines(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n')
        .enumerate()
        .map(|(i, l)| {
            let l = l.strip_suffix('\r').unwrap_or(l);
            if i == 0 {
                l.strip_prefix('\u{feff}').unwrap_or(l)
            } else {
                l
            }
        })
        .collect()
}

const PIECES: &[&str] = &[
    "北",
    "京",
    "天",
    "气",
    "很",
    "好",
    "北京",
    "天气",
    "今天",
    "今天天气",
    "我",
    "来到",
    "清华大学",
    "的",
    "a",
    "Z",
    "q",
    "7",
    "42",
    "!",
    ",",
    ".",
    "'",
    "\"",
    "，",
    "。",
    "！",
    " ",
    "  ",
    "\t",
    "\u{3000}",
    "🙂",
    "👍🏽",
    "👨\u{200d}👩\u{200d}👧",
    "🇨🇳",
    "e\u{301}",
    "\u{301}",
    "\u{200d}",
    "\u{fe0f}",
    "é",
    "ｱ",
    "\r",
    "\u{feff}",
    "\u{fffd}",
    "𠀀",
];

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..16).prop_map(|p| p.concat())
}

fn text() -> impl Strategy<Value = String> {
    (prop::collection::vec(line(), 0..24), any::<bool>()).prop_map(|(lines, final_newline)| {
        let mut t = lines.join("\n");
        if final_newline && !lines.is_empty() {
            t.push('\n');
        }
        t
    })
}

fn check(text: &str, chunk_bytes: usize) -> Result<(), TestCaseError> {
    let e = embedder();
    let lines = expected_lines(text);
    let (one, rows) = run(text, 1, chunk_bytes, Format::F32);
    prop_assert_eq!(rows, lines.len() as u64);
    let values = f32s(&one);
    prop_assert_eq!(values.len(), lines.len() * e.dim());
    for (i, (row, line)) in values.chunks_exact(e.dim()).zip(&lines).enumerate() {
        let want = e.embed(line);
        prop_assert!(row == want.as_slice(), "line {} {:?}: {:?} vs {:?}", i + 1, line, row, want);
        prop_assert!(row.iter().all(|x| x.is_finite()), "line {}: {:?}", i + 1, row);
    }
    let (three, _) = run(text, 3, chunk_bytes, Format::F32);
    prop_assert!(one == three, "--threads 3 differs from --threads 1");
    let (big_chunks, _) = run(text, 2, 1 << 20, Format::F32);
    prop_assert!(one == big_chunks, "the chunk size changed the output");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn one_row_per_line_for_any_mix(text in text(), chunk_bytes in 1usize..64) {
        check(&text, chunk_bytes)?;
    }

    #[test]
    fn one_row_per_line_for_arbitrary_unicode(text in "(?s).{0,120}", chunk_bytes in 1usize..32) {
        check(&text, chunk_bytes)?;
    }

    #[test]
    fn jsonl_objects_carry_each_line_in_order(text in text(), chunk_bytes in 1usize..64) {
        let lines = expected_lines(&text);
        let (one, _) = run(&text, 1, chunk_bytes, Format::Jsonl);
        let (three, _) = run(&text, 3, chunk_bytes, Format::Jsonl);
        prop_assert!(one == three, "--threads 3 differs from --threads 1");
        let out = String::from_utf8(one).unwrap();
        let objs: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        prop_assert_eq!(objs.len(), lines.len());
        for (i, (obj, line)) in objs.iter().zip(&lines).enumerate() {
            prop_assert_eq!(obj["line"].as_u64(), Some(i as u64 + 1));
            prop_assert_eq!(obj["text"].as_str(), Some(*line));
            let v: Vec<f32> = serde_json::from_value(obj["vector"].clone()).unwrap();
            prop_assert_eq!(v, embedder().embed(line));
        }
    }

    #[test]
    fn sif_normalized_rows_are_unit_or_zero(text in text(), chunk_bytes in 1usize..64) {
        let e = sif_embedder();
        let (one, rows) = run_with(e, &text, 1, chunk_bytes, Format::F32);
        let (three, _) = run_with(e, &text, 3, chunk_bytes, Format::F32);
        prop_assert!(one == three, "--threads 3 differs from --threads 1");
        prop_assert_eq!(rows, expected_lines(&text).len() as u64);
        for (row, line) in f32s(&one).chunks_exact(e.dim()).zip(expected_lines(&text)) {
            let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
            prop_assert!(norm == 0.0 || (norm - 1.0).abs() < 1e-5, "{:?}: norm {}", line, norm);
            prop_assert_eq!(norm == 0.0, embedder().embed(line).iter().all(|x| *x == 0.0), "{:?}", line);
        }
    }

    #[test]
    fn rows_are_bounded_by_the_table(text in text()) {
        // Every table component lies in [-1, 7]; means of them do too.
        for line in expected_lines(&text) {
            let row = embedder().embed(line);
            prop_assert!(row.iter().all(|x| (-1.0..=7.0).contains(x)), "{:?}: {:?}", line, row);
        }
    }
}

#[test]
fn empty_input_writes_no_rows() {
    let (out, rows) = run("", 2, 8, Format::F32);
    assert_eq!((out.len(), rows), (0, 0));
    let (out, rows) = run("", 2, 8, Format::Npy);
    assert_eq!((out.len(), rows), (128, 0));
}

#[test]
fn cli_rows_equal_library_rows() {
    // One CLI run over many generated lines: the binary's rows are the library's rows.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let lines: Vec<String> =
        (0..300).map(|_| line().new_tree(&mut runner).unwrap().current().replace(['\r', '\u{feff}'], "")).collect();
    let text = lines.join("\n") + "\n";
    let dir = tempfile::tempdir().unwrap();
    let vocab = common::write_tiny(dir.path(), Dtype::F32);
    let out = common::zhvec()
        .args(["embed", "-q", "-f", "f32", "--threads", "3", "--vocab"])
        .arg(&vocab)
        .write_stdin(text)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let e = embedder();
    let values = f32s(&out);
    assert_eq!(values.len(), lines.len() * e.dim());
    for (i, (row, line)) in values.chunks_exact(e.dim()).zip(&lines).enumerate() {
        assert_eq!(row, e.embed(line).as_slice(), "line {} {:?}", i + 1, line);
    }
}

#[test]
fn word_vector_and_source_follow_the_recipe() {
    use zhvec::embed::Source;
    let e = embedder();
    assert_eq!(e.word_vector("北京"), Some(vec![1.0, 2.0]));
    assert_eq!(e.word_vector("很好"), Some(vec![0.5, 1.5]));
    assert_eq!(e.word_vector("今天天气"), Some(vec![8.0 / 3.0, 4.0 / 3.0]));
    assert_eq!(e.word_vector("abc"), None);
    assert_eq!(e.source("今天天气"), Source::Fallback(vec!["天", "天", "气"]));
    assert_eq!(e.source("今天"), Source::Word(2));
    assert_eq!(e.source("上海"), Source::Nothing);
    assert_eq!(e.dim(), 4);
    // For every piece that is a single token, the word channel of its line is its word vector.
    let mut tokens = Vec::new();
    for piece in PIECES {
        e.segmenter().cut(piece, &mut tokens);
        if tokens.len() != 1 {
            continue;
        }
        let row = e.embed(piece);
        let want = e.word_vector(tokens[0]).unwrap_or_else(|| vec![0.0; 2]);
        assert_eq!(&row[..2], want.as_slice(), "{piece:?}");
    }
}
