//! `zhvec::import::run` end to end: every input format, dtypes, counts, limits, character
//! derivation and the error cases, checked by opening the written table.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use tempfile::TempDir;
use zhvec::import::{run, BuildOptions, Summary, VectorsFormat};
use zhvec::{Dtype, Kind, Vocab};

fn data(name: &str) -> PathBuf {
    common::testdata(&format!("build/{name}"))
}

use common::write;

/// A word2vec binary file whose header counts its rows.
fn w2v_binary(rows: &[(&str, &[f32])], newline: bool) -> Vec<u8> {
    common::w2v_binary(rows.len(), rows, newline)
}

fn args(dir: &TempDir, vectors: &Path) -> BuildOptions {
    BuildOptions::new(vectors, dir.path().join("out.zv"))
}

fn build(a: &BuildOptions) -> (Summary, Vocab) {
    let s = run(a).unwrap_or_else(|e| panic!("build failed: {e}"));
    (s, Vocab::open(&a.output).unwrap())
}

/// Names of a table, in row order.
fn names(v: &Vocab, kind: Kind) -> Vec<String> {
    v.entries(kind).map(|e| e.name.to_string()).collect()
}

fn counts(v: &Vocab, kind: Kind) -> Vec<u64> {
    v.entries(kind).map(|e| e.count).collect()
}

fn word(v: &Vocab, w: &str) -> Vec<f32> {
    v.view().word(w).unwrap_or_else(|| panic!("no word {w}")).to_vec()
}

fn char_vec(v: &Vocab, c: char) -> Vec<f32> {
    v.view().char(c).unwrap_or_else(|| panic!("no char {c}")).to_vec()
}

/// Runs a build that must fail; checks no table (or temporary file) was left behind.
fn fails(a: &BuildOptions) -> String {
    let mut a = a.clone();
    a.output = a.output.with_file_name("failed.zv");
    let err = run(&a).expect_err("the build should fail");
    assert!(!a.output.exists(), "no output after an error");
    let dir = a.output.parent().unwrap();
    let leftovers: Vec<_> =
        fs::read_dir(dir).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    assert_eq!(err.exit_code(), 2, "bad input exits with 2: {err}");
    err.to_string()
}

// ---- formats ----

#[test]
fn word2vec_text_with_trailing_spaces() {
    let dir = TempDir::new().unwrap();
    let (s, v) = build(&args(&dir, &data("w2v.txt")));
    assert_eq!((s.rows, s.words, s.skipped, s.duplicates), (6, 5, 0, 0));
    assert_eq!(v.dim(Kind::Word), 3);
    assert_eq!(names(&v, Kind::Word), ["中国", "中文", "国家", "谢谢", "我的"]);
    assert_eq!(word(&v, "我的"), [-1.0, 0.0, 1.0]);
    assert_eq!(char_vec(&v, '的'), [0.5, 0.5, 0.5]);
    let meta = v.meta().unwrap();
    assert_eq!(meta["build"]["vectors"][0]["format"], "word2vec-text");
    assert_eq!(meta["build"]["vectors"][0]["gzip"], false);
}

#[test]
fn glove_without_header() {
    let dir = TempDir::new().unwrap();
    let (s, v) = build(&args(&dir, &data("glove.txt")));
    // 京 has a vector; 北, 上 and 海 are derived from the words.
    assert_eq!((s.rows, s.words, s.chars, s.derived_chars), (3, 2, 4, 3));
    assert_eq!(v.dim(Kind::Word), 2);
    assert_eq!(word(&v, "北京"), [0.25, -1.5]);
    assert_eq!(word(&v, "上海"), [0.01, 2.0]);
    assert_eq!(char_vec(&v, '京'), [3.0, 4.0]);
    assert_eq!(v.meta().unwrap()["build"]["vectors"][0]["format"], "glove");
}

#[test]
fn fasttext_vec_drops_the_end_of_sentence_row() {
    let dir = TempDir::new().unwrap();
    let (s, v) = build(&args(&dir, &data("fasttext.vec")));
    assert_eq!(s.rows, 3);
    assert_eq!(names(&v, Kind::Word), ["北京", "上海"]);
    assert!(v.view().word("</s>").is_none());
    // Ranks start after `</s>`: 北京 is the most frequent row.
    assert_eq!(counts(&v, Kind::Word), [1_000_000_000, 333_333_333]);
    assert_eq!(word(&v, "上海"), [5.0, 6.0]);
}

#[test]
fn word2vec_binary_with_and_without_newlines() {
    let rows: &[(&str, &[f32])] = &[("中国", &[1.5, -2.0]), ("国", &[0.1, 1e-20]), ("北京", &[3.0, 4.0])];
    for newline in [true, false] {
        let dir = TempDir::new().unwrap();
        let path = write(&dir, "v.bin", w2v_binary(rows, newline));
        let (s, v) = build(&args(&dir, &path));
        assert_eq!((s.rows, s.words, s.chars, s.derived_chars), (3, 2, 4, 3), "newline {newline}");
        assert_eq!(word(&v, "中国"), [1.5, -2.0]);
        assert_eq!(word(&v, "北京"), [3.0, 4.0]);
        assert_eq!(char_vec(&v, '国'), [0.1, 1e-20]);
        assert_eq!(v.meta().unwrap()["build"]["vectors"][0]["format"], "word2vec-binary");
    }
}

#[test]
fn gzip_is_detected_by_content() {
    let dir = TempDir::new().unwrap();
    let plain = build(&args(&dir, &data("w2v.txt"))).1;
    let want: Vec<_> = plain.entries(Kind::Word).map(|e| (e.name.to_string(), e.row.to_vec())).collect();
    // Once under its own name, once under a name that hides the compression.
    let disguised = write(&dir, "vectors.dat", fs::read(data("w2v.txt.gz")).unwrap());
    for path in [data("w2v.txt.gz"), disguised] {
        let mut a = args(&dir, &path);
        a.output = dir.path().join("gz.zv");
        let (_, v) = build(&a);
        let got: Vec<_> = v.entries(Kind::Word).map(|e| (e.name.to_string(), e.row.to_vec())).collect();
        assert_eq!(got, want);
        assert_eq!(v.meta().unwrap()["build"]["vectors"][0]["gzip"], true);
    }
    // Binary inside gzip as well.
    let rows: &[(&str, &[f32])] = &[("中国", &[1.0]), ("北京", &[2.0])];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &w2v_binary(rows, true)).unwrap();
    let path = write(&dir, "b.bin.gz", gz.finish().unwrap());
    let (_, v) = build(&args(&dir, &path));
    assert_eq!(word(&v, "北京"), [2.0]);

    // Several gzip members back to back (pigz, bgzip, `cat a.gz b.gz`) read as one stream.
    let member = |text: &str| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        gz.finish().unwrap()
    };
    let path = write(&dir, "m.gz", [member("2 2\n北京 1 2\n"), member("上海 3 4\n")].concat());
    let (s, v) = build(&args(&dir, &path));
    assert_eq!(s.rows, 2);
    assert_eq!(word(&v, "上海"), [3.0, 4.0]);
}

#[test]
fn byte_order_mark_and_crlf() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "bom.txt", "\u{feff}北京 1 2\r\n上海 3 4\r\n");
    let (_, v) = build(&args(&dir, &path));
    assert_eq!(names(&v, Kind::Word), ["北京", "上海"]);
    assert_eq!(word(&v, "北京"), [1.0, 2.0]);
    let path = write(&dir, "bom2.txt", "\u{feff}1 2\r\n北京 1 2\r\n");
    let (_, v) = build(&args(&dir, &path));
    assert_eq!(v.meta().unwrap()["build"]["vectors"][0]["format"], "word2vec-text");
}

#[test]
fn format_override() {
    let dir = TempDir::new().unwrap();
    let mut a = args(&dir, &data("glove.txt"));
    a.vectors_format = VectorsFormat::Text;
    let err = fails(&a);
    assert!(err.contains("glove.txt:1: expected a `rows dims` header"), "{err}");
    // A GloVe file whose first row looks like a header can be forced.
    let path = write(&dir, "g.txt", "3 4\nab 1\n");
    let mut a = args(&dir, &path);
    a.vectors_format = VectorsFormat::Glove;
    let (_, v) = build(&a);
    assert_eq!(names(&v, Kind::Word), ["ab"]);
    assert_eq!(char_vec(&v, '3'), [4.0]);
}

#[test]
fn several_vector_files_merge_and_keep_the_first_row() {
    let dir = TempDir::new().unwrap();
    let second = write(&dir, "more.txt", "2 3\n中国 9 9 9\n新词 1 2 3\n");
    let mut a = args(&dir, &data("w2v.txt"));
    a.vectors.push(second);
    let (s, v) = build(&a);
    assert_eq!((s.rows, s.duplicates, s.words), (8, 1, 6));
    assert_eq!(word(&v, "中国"), [1.0, 0.0, 0.0]);
    assert_eq!(word(&v, "新词"), [1.0, 2.0, 3.0]);
    assert_eq!(names(&v, Kind::Word).last().unwrap(), "新词");
}

// ---- dtypes ----

const DTYPE_ROWS: usize = 60;
const DTYPE_DIM: usize = 24;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn every_dtype_round_trips_within_its_error_bound(
        rows in proptest::collection::vec(proptest::collection::vec(-2.0f32..2.0, DTYPE_DIM), DTYPE_ROWS)
    ) {
        dtypes_round_trip(rows);
    }
}

fn dtypes_round_trip(rows: Vec<Vec<f32>>) {
    let dir = TempDir::new().unwrap();
    let dim = DTYPE_DIM;
    let mut text = format!("{} {dim}\n", rows.len());
    let mut want = Vec::new();
    for (i, mut v) in rows.into_iter().enumerate() {
        let name = if i < 20 { char::from_u32(0x4e00 + i as u32).unwrap().to_string() } else { format!("词{i}") };
        v[i % dim] *= 1e-3; // some small components too
        text += &name;
        for x in &v {
            text += &format!(" {x}");
        }
        text += "\n";
        want.push((name, v));
    }
    let path = write(&dir, "v.txt", text);
    for dtype in [Dtype::F32, Dtype::F16, Dtype::Int8] {
        let mut a = args(&dir, &path);
        a.dtype = dtype;
        let (_, v) = build(&a);
        assert_eq!(v.dtype(), dtype);
        let mut max_err = 0f32;
        for (name, x) in &want {
            let kind = if name.chars().count() == 1 { Kind::Char } else { Kind::Word };
            let id = v.view().id(kind, name).unwrap_or_else(|| panic!("{name} missing"));
            let got = v.view().row(kind, id).to_vec();
            let max_abs = x.iter().fold(0f32, |m, y| m.max(y.abs()));
            for (a, b) in x.iter().zip(&got) {
                let err = (a - b).abs();
                let bound = match dtype {
                    Dtype::F32 => 0.0,
                    // Round to nearest with an 11-bit significand (values here are normal halves).
                    Dtype::F16 => a.abs() / 2048.0 + 6e-8,
                    // Half a quantization step, the step being max|x| / 127.
                    Dtype::Int8 => max_abs / 127.0 / 2.0 * 1.0001,
                };
                assert!(err <= bound, "{dtype:?} {name}: {a} -> {b} (err {err} > {bound})");
                max_err = max_err.max(err);
            }
        }
        if dtype != Dtype::F32 {
            assert!(max_err > 0.0, "{dtype:?} should be lossy: the test would not notice a wrong bound");
        }
    }
}

// ---- characters ----

#[test]
fn characters_without_vectors_are_derived_from_words() {
    let dir = TempDir::new().unwrap();
    let (s, v) = build(&args(&dir, &data("w2v.txt")));
    assert_eq!((s.chars, s.derived_chars), (7, 6));
    assert_eq!(char_vec(&v, '中'), [0.5, 0.5, 0.0]); // 中国, 中文
    assert_eq!(char_vec(&v, '国'), [0.5, 0.0, 0.5]); // 中国, 国家
    assert_eq!(char_vec(&v, '文'), [0.0, 1.0, 0.0]);
    assert_eq!(char_vec(&v, '家'), [0.0, 0.0, 1.0]);
    assert_eq!(char_vec(&v, '谢'), [1.0, 1.0, 1.0]); // 谢谢 counts once
    assert_eq!(char_vec(&v, '我'), [-1.0, 0.0, 1.0]);
    assert_eq!(char_vec(&v, '的'), [0.5, 0.5, 0.5], "its own vector, not 我的's");
    // Zipf counts estimate occurrences in text: the estimate of the character's own row (if
    // any) plus those of the words containing it, per occurrence. 的 = 2.5e8 (its own row,
    // rank 3) + 166666667 (我的, rank 5); 谢 = 2 × 2e8 (谢谢). Most frequent first.
    assert_eq!(names(&v, Kind::Char), ["中", "国", "文", "的", "谢", "家", "我"]);
    assert_eq!(
        counts(&v, Kind::Char),
        [1_500_000_000, 1_333_333_333, 500_000_000, 416_666_667, 400_000_000, 333_333_333, 166_666_667]
    );
    assert_eq!(counts(&v, Kind::Word), [1_000_000_000, 500_000_000, 333_333_333, 200_000_000, 166_666_667]);
}

#[test]
fn each_containing_word_counts_once() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "v.txt", "谢谢 1 1\n感谢 0 0\n");
    let (s, v) = build(&args(&dir, &path));
    // Counting 谢谢 twice would give 2/3.
    assert_eq!(char_vec(&v, '谢'), [0.5, 0.5]);
    assert_eq!(char_vec(&v, '感'), [0.0, 0.0]);
    assert_eq!(s.derived_chars, 2);
    // Its Zipf count is per occurrence: 2 × 10⁹ (谢谢) + 5 × 10⁸ (感谢).
    assert_eq!(v.view().count(Kind::Char, v.view().char_id('谢').unwrap()), 2_500_000_000);
}

#[test]
fn separate_character_vectors_take_precedence() {
    let dir = TempDir::new().unwrap();
    let cv = write(&dir, "chars.txt", "3 3\n中 7 7 7\n的 8 8 8\n不是字 1 1 1\n");
    let mut a = args(&dir, &data("w2v.txt"));
    a.char_vectors = Some(cv);
    let (s, v) = build(&a);
    assert_eq!(char_vec(&v, '中'), [7.0, 7.0, 7.0]);
    assert_eq!(char_vec(&v, '的'), [8.0, 8.0, 8.0]);
    assert!(v.view().word("不是字").is_none() && v.view().id(Kind::Char, "不是字").is_none());
    assert_eq!(char_vec(&v, '国'), [0.5, 0.0, 0.5]);
    assert_eq!((s.chars, s.derived_chars, s.duplicates), (7, 5, 1));
    // Zipf ranks restart for --vectors: 中国 is still the top word. 中 = its own row (rank 0
    // of chars.txt) + 中国 + 中文; 的 = rank 1 of chars.txt + 我的 (rank 5).
    assert_eq!(counts(&v, Kind::Word)[0], 1_000_000_000);
    assert_eq!(v.view().count(Kind::Char, v.view().char_id('中').unwrap()), 2_500_000_000);
    assert_eq!(v.view().count(Kind::Char, v.view().char_id('的').unwrap()), 666_666_667);

    let bad = write(&dir, "chars2.txt", "1 2\n中 7 7\n");
    a.char_vectors = Some(bad);
    let err = fails(&a);
    assert!(err.contains("chars2.txt:1:") && err.contains("dimension 2") && err.contains("has 3"), "{err}");
}

// ---- counts, ranking, limits ----

#[test]
fn freq_file_in_jieba_dict_format() {
    let dir = TempDir::new().unwrap();
    let vecs = write(&dir, "v.txt", "5 1\n上海 1\n北京 2\n天津 3\n京 4\n海 5\n");
    let mut a = args(&dir, &vecs);
    a.freq = vec![data("dict.txt")];
    let (s, v) = build(&a);
    // 天津 is not in the dictionary: count 0 < --min-count 1.
    assert_eq!(names(&v, Kind::Word), ["北京", "上海"]);
    assert_eq!(counts(&v, Kind::Word), [3000, 2000]);
    // Character counts add up the words containing them: 京 = 3000 (北京) + 10 (京).
    // 北 and 上 have no vectors and are derived; on equal counts own rows come first.
    assert_eq!(names(&v, Kind::Char), ["京", "北", "海", "上"]);
    assert_eq!(counts(&v, Kind::Char), [3010, 3000, 2000, 2000]);
    assert_eq!(s.derived_chars, 2);
    assert_eq!(v.meta().unwrap()["build"]["counts"]["from"], "freq");

    // --min-count 0 keeps words the dictionary does not know, after the known ones.
    a.min_count = 0;
    let (_, v) = build(&a);
    assert_eq!(names(&v, Kind::Word), ["北京", "上海", "天津"]);
    assert_eq!(counts(&v, Kind::Word), [3000, 2000, 0]);
    // A higher one drops the rarer words and characters.
    a.min_count = 2500;
    let (_, v) = build(&a);
    assert_eq!(names(&v, Kind::Word), ["北京"]);
    assert_eq!(names(&v, Kind::Char), ["京", "北"]);
}

#[test]
fn corpus_counts_rank_and_restrict() {
    let dir = TempDir::new().unwrap();
    let vecs = write(
        &dir,
        "v.txt",
        "5 1
上海 1
清华大学 2
北京 3
广州 4
我 5\n",
    );
    let mut a = args(&dir, &vecs);
    a.corpus = vec![data("corpus.txt")];
    a.threads = Some(2);
    let (s, v) = build(&a);
    // corpus.txt: 我来到北京清华大学 / 我爱北京天安门 / (blank) / 上海 北京
    assert_eq!(names(&v, Kind::Word), ["北京", "上海", "清华大学"]);
    assert_eq!(counts(&v, Kind::Word), [3, 1, 1]);
    assert_eq!(s.words, 3);
    let c = |ch: char| v.view().char_id(ch).map(|id| v.view().count(Kind::Char, id));
    assert_eq!((c('我'), c('北'), c('京'), c('海'), c('广')), (Some(2), Some(3), Some(3), Some(1), None));
    assert_eq!(v.meta().unwrap()["build"]["counts"]["from"], "corpus");

    // Counts from a corpus and a frequency file add up.
    a.freq = vec![data("dict.txt")];
    let (_, v) = build(&a);
    assert_eq!(names(&v, Kind::Word), ["北京", "上海", "清华大学"]);
    assert_eq!(counts(&v, Kind::Word), [3003, 2001, 1]);
}

#[test]
fn limits_keep_the_most_frequent() {
    let dir = TempDir::new().unwrap();
    let mut a = args(&dir, &data("w2v.txt"));
    a.max_words = Some(2);
    a.max_chars = Some(3);
    let (s, v) = build(&a);
    assert_eq!(names(&v, Kind::Word), ["中国", "中文"]);
    // Derived from the kept words only: 中 (中国, 中文), 国, 文; then 的 (own) ranks below.
    assert_eq!(names(&v, Kind::Char), ["中", "国", "文"]);
    assert_eq!(char_vec(&v, '国'), [1.0, 0.0, 0.0]);
    assert_eq!((s.words, s.chars, s.derived_chars), (2, 3, 3));

    // With counts, the ranking follows them, not the file order; ties keep file order.
    let vecs = write(
        &dir,
        "v.txt",
        "4 1
甲乙 1
丙丁 2
戊己 3
庚辛 4
",
    );
    let freq = write(
        &dir,
        "f.txt",
        "甲乙 5
丙丁 9
戊己 9
庚辛 7
",
    );
    let mut a = args(&dir, &vecs);
    a.freq = vec![freq];
    a.max_words = Some(3);
    a.max_chars = Some(0);
    let (_, v) = build(&a);
    assert_eq!(names(&v, Kind::Word), ["丙丁", "戊己", "庚辛"]);
    assert_eq!(v.len(Kind::Char), 0);
}

#[test]
fn max_words_bounds_memory_on_a_long_stream() {
    let dir = TempDir::new().unwrap();
    let mut text = String::from("20000 2\n");
    for i in 0..20000 {
        text += &format!("词{i} {i} 1\n");
    }
    let path = write(&dir, "v.txt", text);
    let mut a = args(&dir, &path);
    a.max_words = Some(5);
    a.max_chars = Some(0);
    let (s, v) = build(&a);
    assert_eq!(s.rows, 20000);
    assert_eq!(names(&v, Kind::Word), ["词0", "词1", "词2", "词3", "词4"]);
    assert_eq!(word(&v, "词3"), [3.0, 1.0]);
}

#[test]
fn output_does_not_depend_on_threads() {
    let dir = TempDir::new().unwrap();
    let mut text = String::from("60000 3\n");
    let pad = " ".repeat(200); // trailing spaces (as in Tencent's files) make it span chunks
    for i in 0..60_000 {
        // Duplicates far apart, in different chunks: the first must win.
        text += &format!("w{} {i} {} 0.5{pad}\n", i % 50_000, i % 7);
    }
    assert!(text.len() > 3 * (4 << 20), "spans several chunks");
    let path = write(&dir, "v.txt", text);
    let mut outs = Vec::new();
    for threads in [1, 2, 5] {
        let mut a = args(&dir, &path);
        a.threads = Some(threads);
        a.max_chars = Some(0);
        a.output = dir.path().join(format!("t{threads}.zv"));
        let (s, v) = build(&a);
        assert_eq!(s.duplicates, 10_000);
        assert_eq!(word(&v, "w0"), [0.0, 0.0, 0.5]);
        assert_eq!(word(&v, "w49999"), [49_999.0, (49_999 % 7) as f32, 0.5]);
        outs.push(fs::read(&a.output).unwrap());
    }
    assert!(outs.windows(2).all(|w| w[0] == w[1]));
}

// ---- bad input ----

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Whatever the bytes, a build ends with a table or an error, never a panic, and an
    /// error leaves no file.
    #[test]
    fn arbitrary_input_never_panics(
        head in proptest::sample::select(vec![&b""[..], b"2 2\n", b"1 3\n", "中 ".as_bytes(), b"\x1f\x8b\x08\0\0\0\0\0"]),
        body in proptest::collection::vec(proptest::sample::select(
            b"0123456789 .-e\n\t\r\xe4\xb8\xadabNnIf\x00\xff".to_vec()), 0..200),
        format in proptest::sample::select(vec![VectorsFormat::Auto, VectorsFormat::Text, VectorsFormat::Glove, VectorsFormat::Binary]),
        skip_bad: bool,
    ) {
        let dir = TempDir::new().unwrap();
        let mut bytes = head.to_vec();
        bytes.extend(body);
        let path = write(&dir, "v", &bytes);
        let mut a = args(&dir, &path);
        a.vectors_format = format;
        a.skip_bad = skip_bad;
        match run(&a) {
            Ok(_) => { Vocab::open(&a.output).unwrap().verify().unwrap(); }
            Err(e) => {
                proptest::prop_assert!(!a.output.exists());
                proptest::prop_assert!(!e.to_string().is_empty());
            }
        }
    }
}

#[test]
fn wrong_field_count_names_file_and_line() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "v.txt", "3 2\nab 1 2\ncd 1\nef 1 2\n");
    let err = fails(&args(&dir, &path));
    assert!(err.contains("v.txt:3: 1 values after the word \"cd\", expected 2"), "{err}");
    let path = write(&dir, "g.txt", "ab 1 2\ncd 1 2\n\nef 1 2 3\n");
    let err = fails(&args(&dir, &path));
    assert!(err.contains("g.txt:4: 3 values after the word \"ef\", expected 2"), "{err}");
}

#[test]
fn non_numbers_name_file_and_line() {
    let dir = TempDir::new().unwrap();
    for (value, what) in
        [("x1", "is not a number"), ("NaN", "is not a finite number"), ("inf", "is not a finite number")]
    {
        let path = write(&dir, "v.txt", format!("2 2\nab 1 2\ncd 1 {value}\n"));
        let err = fails(&args(&dir, &path));
        assert!(err.contains(&format!("v.txt:3: \"{value}\" {what}")), "{err}");
    }
    let path = write(&dir, "u.txt", b"2 1\nab 1\n\xe4\xb8 1\n");
    let err = fails(&args(&dir, &path));
    assert!(err.contains("u.txt:3: invalid UTF-8"), "{err}");
}

#[test]
fn a_bad_line_far_into_a_big_file_has_its_true_line_number() {
    let dir = TempDir::new().unwrap();
    let mut text = String::from("400000 2\n");
    for i in 0..400_000 {
        text += if i == 345_677 { "bad 1 oops\n" } else { "w 0.123456 -0.654321\n" };
    }
    assert!(text.len() > 2 * (4 << 20), "spans several chunks");
    let path = write(&dir, "v.txt", text);
    let mut a = args(&dir, &path);
    a.threads = Some(3);
    let err = fails(&a);
    assert!(err.contains("v.txt:345679: \"oops\" is not a number"), "{err}");
}

#[test]
fn dimension_mismatch_between_files() {
    let dir = TempDir::new().unwrap();
    let other = write(&dir, "other.txt", "1 4\nab 1 2 3 4\n");
    let mut a = args(&dir, &data("w2v.txt"));
    a.vectors.push(other);
    let err = fails(&a);
    assert!(err.contains("other.txt:1:") && err.contains("dimension 4") && err.contains("has 3"), "{err}");
}

#[test]
fn absurd_dimensions_are_refused() {
    let dir = TempDir::new().unwrap();
    for (name, text) in [("t.txt", "1 4000000000\nab 1\n"), ("b.bin", "1 4000000000\nab \x01\x02\x03\x04\n")] {
        let path = write(&dir, name, text);
        let err = fails(&args(&dir, &path));
        assert!(err.contains(&format!("{name}:1: dimension 4000000000 is more than")), "{err}");
    }
}

#[test]
fn empty_inputs_are_errors() {
    let dir = TempDir::new().unwrap();
    for (name, text) in
        [("empty.txt", ""), ("blank.txt", "\n\n"), ("header.txt", "0 300\n"), ("eos.vec", "1 2\n</s> 1 2\n")]
    {
        let path = write(&dir, name, text);
        let err = fails(&args(&dir, &path));
        assert!(err.contains(name) && err.contains("no vector rows"), "{err}");
    }
    let mut a = args(&dir, &write(&dir, "allbad.txt", "2 2\nab 1\ncd x y\n"));
    a.skip_bad = true;
    let err = fails(&a);
    assert!(err.contains("allbad.txt: no vector rows (2 bad lines skipped)"), "{err}");
    // Rows, but none with a count.
    let mut a = args(&dir, &data("glove.txt"));
    a.freq = vec![write(&dir, "f.txt", "其他 5\n")];
    let err = fails(&a);
    assert!(err.contains("no rows left"), "{err}");
}

#[test]
fn duplicates_are_counted_and_the_first_row_kept() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "v.txt", "5 1\n中文 1\n中 2\n中文 3\n中 4\n中文 5\n");
    let (s, v) = build(&args(&dir, &path));
    assert_eq!((s.rows, s.duplicates, s.words, s.chars, s.derived_chars), (5, 3, 1, 2, 1));
    assert_eq!(word(&v, "中文"), [1.0]);
    assert_eq!(char_vec(&v, '中'), [2.0]);
}

#[test]
fn skip_bad_skips_and_counts() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "v.txt", b"6 2\nab 1 2\ncd 1\nef x 2\ngh 1 2 3\n\xff 1 2\nij 3 4\n");
    let mut a = args(&dir, &path);
    let err = fails(&a);
    assert!(err.contains("v.txt:3:"), "{err}");
    a.skip_bad = true;
    let (s, v) = build(&a);
    assert_eq!((s.rows, s.skipped, s.words), (2, 4, 2));
    assert_eq!(names(&v, Kind::Word), ["ab", "ij"]);
    // The Zipf rank counts good rows only.
    assert_eq!(counts(&v, Kind::Word), [1_000_000_000, 500_000_000]);

    // Frequency files too.
    let freq = write(&dir, "f.txt", "ab 3\nij many\nij 1 x y\nij 2\n");
    a.freq = vec![freq];
    a.skip_bad = false;
    let err = fails(&a);
    assert!(err.contains("f.txt:2: \"many\" is not a count"), "{err}");
    a.skip_bad = true;
    let (s, v) = build(&a);
    assert_eq!(s.skipped, 6);
    assert_eq!(counts(&v, Kind::Word), [3, 2]);
}

#[test]
fn bad_binary_records() {
    let dir = TempDir::new().unwrap();
    let rows: &[(&str, &[f32])] = &[("ab", &[1.0, 2.0]), ("cd", &[f32::NAN, 1.0]), ("ef", &[3.0, 4.0])];
    let path = write(&dir, "v.bin", w2v_binary(rows, true));
    let mut a = args(&dir, &path);
    let err = fails(&a);
    assert!(err.contains("v.bin: record 2: a value is not a finite number"), "{err}");
    a.skip_bad = true;
    let (s, v) = build(&a);
    assert_eq!((s.rows, s.skipped), (2, 1));
    assert_eq!(word(&v, "ef"), [3.0, 4.0]);

    let mut bytes = w2v_binary(&[("ab", &[1.0, 2.0]), ("cd", &[3.0, 4.0])], true);
    bytes.truncate(bytes.len() - 3);
    let path = write(&dir, "t.bin", bytes);
    let err = fails(&args(&dir, &path));
    assert!(err.contains("t.bin: record 2: the file ends inside this record"), "{err}");
}

#[test]
fn metadata_records_the_options() {
    let dir = TempDir::new().unwrap();
    let mut a = args(&dir, &data("w2v.txt.gz"));
    a.source = Some("Tencent AILab v0.2.0, 200d".into());
    a.dtype = Dtype::Int8;
    a.max_words = Some(4);
    let (_, v) = build(&a);
    let m = v.meta().unwrap();
    assert_eq!(m["source"], "Tencent AILab v0.2.0, 200d");
    let b = &m["build"];
    assert_eq!(b["vectors"][0]["file"], "w2v.txt.gz");
    assert_eq!(b["vectors"][0]["rows"], 6);
    assert_eq!(b["dtype"], "int8");
    assert_eq!(b["max_words"], 4);
    assert_eq!(b["max_chars"], serde_json::Value::Null);
    assert_eq!(b["counts"]["from"], "zipf");
    assert_eq!(m["stats"]["derived_chars"], 5);
}
