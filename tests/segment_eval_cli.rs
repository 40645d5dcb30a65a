//! `zhvec segment` and `zhvec eval sts | words | classify` on the tiny table and the
//! hand-made files in testdata/eval (their README works out the expected values).

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

use common::tiny_table as table;

/// `zhvec SUB… --vocab VOCAB`.
fn zhvec(sub: &[&str], vocab: &Path) -> Command {
    let mut cmd = common::zhvec();
    cmd.args(sub).arg("--vocab").arg(vocab);
    cmd
}

fn eval_file(name: &str) -> PathBuf {
    common::testdata(&format!("eval/{name}"))
}

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

fn json_of(cmd: &mut Command) -> serde_json::Value {
    let out = stdout_of(cmd);
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

fn stderr_of_failure(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().code(2).get_output().stderr.clone()).unwrap()
}

// ---------------------------------------------------------------------------------------
// segment

/// `testdata/headlines.jieba.txt` holds what Python jieba 0.42.1 makes of
/// `testdata/headlines.txt`: `jieba.lcut(line, HMM=True)`, whitespace tokens dropped.
#[test]
fn segment_matches_python_jieba_on_short_and_long_inputs() {
    let (_d, v) = table();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let headlines = std::fs::read_to_string(data.join("headlines.txt")).unwrap();
    let golden = std::fs::read_to_string(data.join("headlines.jieba.txt")).unwrap();
    // A short input gets a dictionary of just its own words.
    assert_eq!(stdout_of(zhvec(&["segment"], &v).arg(data.join("headlines.txt"))), golden);
    // A long one (past the 512 KiB read-ahead) loads the whole dictionary.
    let times = 300;
    assert!(headlines.len() * times > 512 << 10);
    let out = stdout_of(zhvec(&["segment"], &v).write_stdin(headlines.repeat(times)));
    assert_eq!(out, golden.repeat(times));
}

#[test]
fn segment_prints_jieba_tokens() {
    let (_d, v) = table();
    let out = stdout_of(zhvec(&["segment"], &v).write_stdin("我来到北京清华大学\n北京天气很好\n"));
    assert_eq!(out, "我 来到 北京 清华大学\n北京 天气 很 好\n");
}

#[test]
fn segment_drops_whitespace_and_keeps_one_line_per_input_line() {
    let (_d, v) = table();
    let out = stdout_of(zhvec(&["segment"], &v).write_stdin("  他 来了\t\n\n   \nhello world 42\n北京"));
    assert_eq!(out, "他 来 了\n\n\nhello world 42\n北京\n");
}

#[test]
fn segment_explain_shows_where_vectors_come_from() {
    let (_d, v) = table();
    let out = stdout_of(zhvec(&["segment", "--explain"], &v).write_stdin("北京天气很好\n今天天气\nabc 好好\n🙂\n"));
    assert_eq!(out, "北京/w 天气/w 很/c:很 好/c:好\n今天天气/c:天天气\nabc/- 好好/c:好好\n🙂/c:🙂\n");
}

#[test]
fn segment_with_the_vocab_dictionary_uses_the_tables_words() {
    let (_d, v) = table();
    // jieba's dictionary has 今天天气 as one word; the tiny table has 今天 and 天气.
    let out = stdout_of(zhvec(&["segment", "--explain", "--seg-dict", "vocab"], &v).write_stdin("今天天气很好\n"));
    assert_eq!(out, "今天/w 天气/w 很/c:很 好/c:好\n");
}

#[test]
fn segment_handles_crlf_bom_and_files() {
    let (dir, v) = table();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    std::fs::write(&a, "\u{feff}北京天气\r\n很好\r\n").unwrap();
    std::fs::write(&b, "我来到北京清华大学").unwrap();
    let out = stdout_of(zhvec(&["segment"], &v).arg(&a).arg(&b));
    assert_eq!(out, "北京 天气\n很 好\n我 来到 北京 清华大学\n");
}

#[test]
fn segment_rejects_invalid_utf8_with_its_location() {
    let (dir, v) = table();
    let err = stderr_of_failure(zhvec(&["segment"], &v).write_stdin(&b"ok\n\xff\n"[..]));
    assert!(err.contains("<stdin>:2:") && err.contains("invalid UTF-8"), "{err}");
    let f = dir.path().join("bad.txt");
    std::fs::write(&f, b"\xc3\x28\n").unwrap();
    let err = stderr_of_failure(zhvec(&["segment"], &v).arg(&f));
    assert!(err.contains(&format!("{}:1:", f.display())), "{err}");
    let out = stdout_of(zhvec(&["segment", "--lossy"], &v).write_stdin(&b"\xff\xe5\xbe\x88\n"[..]));
    assert_eq!(out, "\u{fffd} 很\n");
}

#[test]
fn segment_missing_file_is_bad_input() {
    let (dir, v) = table();
    let missing = dir.path().join("missing.txt");
    let err = stderr_of_failure(zhvec(&["segment"], &v).arg(&missing));
    assert!(err.contains(&missing.display().to_string()), "{err}");
}

// ---------------------------------------------------------------------------------------
// eval

#[test]
fn eval_sts_spearman_matches_the_hand_computed_value() {
    let (_d, v) = table();
    let file = eval_file("sts.tsv");
    let j = json_of(zhvec(&["eval", "sts", "--json"], &v).arg(&file));
    // Ranks differ by one swap of five: rho = 1 - 6·2/(5·(25-1)) = 0.9, printed ×100.
    let rho = j["spearman"].as_f64().unwrap();
    assert!((rho - 90.0).abs() < 1e-9, "{j}");
    assert_eq!(rho, 89.999_999_999_999_99, "the printed value");
    assert_eq!(j["task"], "sts");
    assert_eq!(j["pairs"], 5);
    assert_eq!(j["no_vector"], 0);
    assert_eq!(j["file"], file.display().to_string());

    let text = stdout_of(zhvec(&["eval", "sts"], &v).arg(&file));
    assert_eq!(text, format!("{}: spearman 90.00 over 5 pairs (0 with an empty vector)\n", file.display()));
}

#[test]
fn eval_sts_reversed_gold_is_negative() {
    let (dir, v) = table();
    // The same pairs as sts.tsv with gold in the exact reverse of the cosine order.
    let f = dir.path().join("rev.tsv");
    std::fs::write(&f, "北\t京\t5\n天气\t好\t4\n很\t好\t3\n北京\t好\t2\n北京\t北京\t1\n").unwrap();
    let j = json_of(zhvec(&["eval", "sts", "--json"], &v).arg(&f));
    assert!((j["spearman"].as_f64().unwrap() + 100.0).abs() < 1e-9, "{j}");
}

#[test]
fn eval_words_handles_ties_and_missing_vectors() {
    let (_d, v) = table();
    let j = json_of(zhvec(&["eval", "words", "--json"], &v).arg(eval_file("words.tsv")));
    let rho = j["spearman"].as_f64().unwrap();
    // Cosine ranks 4 5 1.5 3 1.5 vs gold ranks 4 5 2 3 1: 9.5 / √(9.5 × 10) = √0.95.
    assert!((rho - 100.0 * 0.95f64.sqrt()).abs() < 1e-9, "{j}");
    assert_eq!(rho, 97.467_943_448_089_64, "the printed value");
    assert_eq!(j["task"], "words");
    assert_eq!(j["pairs"], 5);
    assert_eq!(j["no_vector"], 1, "abc has no vector");
}

#[test]
fn eval_classify_accuracy_matches_the_hand_computed_value() {
    let (_d, v) = table();
    let (train, test) = (eval_file("classify-train.tsv"), eval_file("classify-test.tsv"));
    let j = json_of(zhvec(&["eval", "classify", "--json"], &v).arg(&train).arg(&test));
    assert_eq!(j["accuracy"], 75.0);
    assert_eq!(j["task"], "classify");
    assert_eq!(j["train_rows"], 4);
    assert_eq!(j["test_rows"], 4);
    let text = stdout_of(zhvec(&["eval", "classify"], &v).arg(&train).arg(&test));
    assert_eq!(text, format!("{}: accuracy 75.00 over 4 rows (4 training rows)\n", test.display()));
}

#[test]
fn eval_classify_perfect_when_testing_on_train() {
    let (_d, v) = table();
    let train = eval_file("classify-train.tsv");
    let j = json_of(zhvec(&["eval", "classify", "--json"], &v).arg(&train).arg(&train));
    assert_eq!(j["accuracy"], 100.0);
}

#[test]
fn eval_wrong_field_count_names_file_and_line() {
    let (_d, v) = table();
    let f = eval_file("bad-fields.tsv");
    let err = stderr_of_failure(zhvec(&["eval", "sts"], &v).arg(&f));
    assert!(err.contains(&format!("{}:3: expected 3 tab-separated fields, found 2", f.display())), "{err}");
    let (train, bad) = (eval_file("classify-train.tsv"), eval_file("bad-classify.tsv"));
    let err = stderr_of_failure(zhvec(&["eval", "classify"], &v).arg(&train).arg(&bad));
    assert!(err.contains(&format!("{}:2: expected 2 tab-separated fields, found 3", bad.display())), "{err}");
}

#[test]
fn eval_non_numeric_gold_names_file_and_line() {
    let (_d, v) = table();
    let f = eval_file("bad-gold.tsv");
    let err = stderr_of_failure(zhvec(&["eval", "words"], &v).arg(&f));
    assert!(err.contains(&format!("{}:2: gold score \"high\" is not a number", f.display())), "{err}");
}

#[test]
fn eval_empty_or_missing_file_is_bad_input() {
    let (dir, v) = table();
    let empty = dir.path().join("empty.tsv");
    std::fs::write(&empty, "\n\n").unwrap();
    let err = stderr_of_failure(zhvec(&["eval", "sts"], &v).arg(&empty));
    assert!(err.contains(&empty.display().to_string()) && err.contains("no data lines"), "{err}");
    let missing = dir.path().join("missing.tsv");
    let err = stderr_of_failure(zhvec(&["eval", "sts"], &v).arg(&missing));
    assert!(err.contains(&missing.display().to_string()), "{err}");
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, b"\xff\t\xfe\t1\n").unwrap();
    let err = stderr_of_failure(zhvec(&["eval", "sts"], &v).arg(&bad));
    assert!(err.contains(&format!("{}:1:", bad.display())) && err.contains("invalid UTF-8"), "{err}");
}

#[test]
fn eval_uses_the_recipe_options() {
    let (_d, v) = table();
    // Char channel only: cosines 0, 0.316, 0.707, 0.707, 1 (很/好 and 北京/好 tie), ranks
    // 1 2 3.5 3.5 5 against gold ranks 1 2 4 3 5: 9.5 / √(9.5 × 10) = √0.95.
    let j = json_of(zhvec(&["eval", "sts", "--json", "--channels", "char"], &v).arg(eval_file("sts.tsv")));
    assert!((j["spearman"].as_f64().unwrap() - 100.0 * 0.95f64.sqrt()).abs() < 1e-9, "{j}");
}

#[test]
fn segment_keeps_grapheme_clusters_whole() {
    // A combining mark, a skin-tone modifier or a zero-width joiner belongs to the character
    // before it; splitting it off makes tokens of invisible marks and loses the table's é.
    let (_d, v) = table();
    let out = stdout_of(zhvec(&["segment", "--explain"], &v).write_stdin("e\u{301}\n👍🏽\n👨\u{200d}👩\u{200d}👧\n"));
    assert_eq!(out, "e\u{301}/c:e\u{301}\n👍🏽/-\n👨\u{200d}👩\u{200d}👧/-\n");
}

#[test]
fn segment_into_a_closed_pipe_ends_quietly() {
    use std::io::{Read, Write};
    let (dir, v) = table();
    let f = dir.path().join("big.txt");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&f).unwrap());
    for i in 0..200_000 {
        writeln!(file, "我来到北京清华大学 {i}").unwrap();
    }
    file.flush().unwrap();
    let mut child = std::process::Command::new(common::zhvec().get_program())
        .args(["segment", "--vocab"])
        .arg(&v)
        .arg(&f)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 100];
    stdout.read_exact(&mut buf).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn eval_nan_or_infinite_gold_is_rejected() {
    // "NaN" and "inf" parse as floats but cannot be ranked; they must not slip into Spearman.
    let (dir, v) = table();
    for gold in ["NaN", "inf", "-infinity"] {
        let f = dir.path().join("gold.tsv");
        std::fs::write(&f, format!("北\t京\t1\n很\t好\t{gold}\n北京\t好\t3\n")).unwrap();
        let err = stderr_of_failure(zhvec(&["eval", "sts"], &v).arg(&f));
        assert!(err.contains(&format!("{}:2: gold score \"{gold}\" is not a number", f.display())), "{err}");
    }
}

#[test]
fn eval_accepts_crlf_a_bom_and_padded_fields() {
    let (dir, v) = table();
    let sts = std::fs::read_to_string(eval_file("sts.tsv")).unwrap();
    let f = dir.path().join("crlf.tsv");
    let padded = sts.replace('\n', "\r\n").replace("\t4.0", "\t 4.0 ");
    std::fs::write(&f, format!("\u{feff}{padded}")).unwrap();
    let a = json_of(zhvec(&["eval", "sts", "--json"], &v).arg(eval_file("sts.tsv")));
    let b = json_of(zhvec(&["eval", "sts", "--json"], &v).arg(&f));
    assert_eq!(a["spearman"], b["spearman"]);
    assert_eq!(b["pairs"], 5);
    // Labels are trimmed too.
    let test = dir.path().join("test.tsv");
    std::fs::write(&test, "北\tA \r\n京\t B\r\n").unwrap();
    let j = json_of(zhvec(&["eval", "classify", "--json"], &v).arg(eval_file("classify-train.tsv")).arg(&test));
    assert_eq!(j["accuracy"], 100.0);
}
