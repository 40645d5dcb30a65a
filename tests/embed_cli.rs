//! `zhvec embed` end to end on the tiny table of `tests/common`.
//!
//! Tiny table (see `common::tiny_tables`):
//! words 北京 [1,2] ×100, 天气 [3,4] ×50, 今天 [0,-1] ×10 (total 160);
//! chars 北 [1,0] ×40, 京 [0,1] ×30, 天 [2,2] ×20, 气 [4,0] ×10, 很 [1,1] ×5, 好 [0,2] ×5,
//! 🙂 [5,5] ×1, é [7,0] ×1 (total 112).
//! Every expected row below is worked out by hand from these numbers.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use assert_cmd::Command;
use zhvec::Dtype;

use common::{f32s, stderr_of, tiny_table as table, tmp_leftovers};

/// `zhvec embed --vocab VOCAB`.
fn zhvec(vocab: &Path) -> Command {
    let mut cmd = common::zhvec();
    cmd.arg("embed").arg("--vocab").arg(vocab);
    cmd
}

fn parse_jsonl(out: &[u8]) -> Vec<Vec<f32>> {
    std::str::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad jsonl line {l:?}: {e}")))
        .collect()
}

/// Rows for `input` fed on stdin, as jsonl, with extra flags.
fn rows_with(vocab: &Path, input: &str, args: &[&str]) -> Vec<Vec<f32>> {
    let out = zhvec(vocab).args(args).write_stdin(input).assert().success().get_output().stdout.clone();
    parse_jsonl(&out)
}

fn rows(vocab: &Path, input: &str) -> Vec<Vec<f32>> {
    rows_with(vocab, input, &[])
}

fn row(vocab: &Path, line: &str) -> Vec<f32> {
    let r = rows(vocab, &format!("{line}\n"));
    assert_eq!(r.len(), 1, "{line:?}");
    r.into_iter().next().unwrap()
}

/// Parses a NumPy file written by zhvec: returns (rows, dim, values).
fn parse_npy(bytes: &[u8]) -> (usize, usize, Vec<f32>) {
    assert!(bytes.len() >= 128, "npy shorter than its header: {} bytes", bytes.len());
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    assert_eq!((bytes[6], bytes[7]), (1, 0), "npy version");
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!(10 + hlen, 128, "data must start at byte 128");
    let dict = std::str::from_utf8(&bytes[10..128]).unwrap();
    assert!(dict.ends_with('\n'), "{dict:?}");
    assert!(dict.contains("'descr': '<f4'"), "{dict:?}");
    assert!(dict.contains("'fortran_order': False"), "{dict:?}");
    let shape = dict.split("'shape': (").nth(1).and_then(|s| s.split(')').next()).unwrap();
    let dims: Vec<usize> = shape.split(',').map(|s| s.trim().parse().unwrap()).collect();
    assert_eq!(dims.len(), 2, "{shape:?}");
    let data = &bytes[128..];
    assert_eq!(data.len(), dims[0] * dims[1] * 4, "data length vs shape {dims:?}");
    (dims[0], dims[1], f32s(data))
}

fn flat(rows: &[Vec<f32>]) -> Vec<f32> {
    rows.iter().flatten().copied().collect()
}

// ---------------------------------------------------------------------------------------
// The recipe, on exact values.

#[test]
fn word_hits_average_word_rows_and_chars() {
    let (_d, v) = table();
    // 北京 is a word: word [1,2]; chars 北 [1,0], 京 [0,1] → [0.5,0.5].
    assert_eq!(row(&v, "北京"), [1.0, 2.0, 0.5, 0.5]);
    // 北京/天气/很/好: word (北京 + 天气 + 很 + 好)/4 = ([1,2]+[3,4]+[1,1]+[0,2])/4 = [1.25,2.25];
    // chars 北 京 天 气 很 好: [8,6]/6.
    assert_eq!(row(&v, "北京天气很好"), [1.25, 2.25, 1.333_333_4, 1.0]);
    // 北京 天气 with a space: the space token is dropped.
    assert_eq!(row(&v, "北京 天气"), [2.0, 3.0, 1.75, 0.75]);
}

#[test]
fn out_of_table_word_falls_back_to_its_characters() {
    let (_d, v) = table();
    // 很, 好 are not words: each is its own character row in the word channel.
    assert_eq!(row(&v, "很好"), [0.5, 1.5, 0.5, 1.5]);
    // 今天天气 is one jieba token, not in the word table: the mean of the characters the
    // char table has (天 天 气, not 今) → [8,4]/3 in both channels.
    assert_eq!(row(&v, "今天天气"), [8.0 / 3.0, 4.0 / 3.0, 8.0 / 3.0, 4.0 / 3.0]);
    // A lone character present in the char table.
    assert_eq!(row(&v, "北"), [1.0, 0.0, 1.0, 0.0]);
}

#[test]
fn token_without_any_vector_contributes_nothing() {
    let (_d, v) = table();
    assert_eq!(row(&v, "abc"), [0.0; 4]);
    assert_eq!(row(&v, "気"), [0.0; 4]);
    // ab and 12 have no vector and do not dilute the means.
    assert_eq!(row(&v, "ab 北京 12"), [1.0, 2.0, 0.5, 0.5]);
    // Punctuation tokens neither.
    assert_eq!(row(&v, "北京，天气！"), [2.0, 3.0, 1.75, 0.75]);
}

#[test]
fn empty_and_blank_lines_give_zero_rows_in_place() {
    let (_d, v) = table();
    let got = rows(&v, "北京\n\n   \n\t \n很好\n\n");
    assert_eq!(
        got,
        [vec![1.0, 2.0, 0.5, 0.5], vec![0.0; 4], vec![0.0; 4], vec![0.0; 4], vec![0.5, 1.5, 0.5, 1.5], vec![0.0; 4],]
    );
}

#[test]
fn final_line_without_newline_counts_and_empty_input_has_no_rows() {
    let (_d, v) = table();
    assert_eq!(rows(&v, "北京\n很好"), [vec![1.0, 2.0, 0.5, 0.5], vec![0.5, 1.5, 0.5, 1.5]]);
    assert!(rows(&v, "").is_empty());
    assert_eq!(rows(&v, "\n"), [vec![0.0; 4]]);
}

#[test]
fn repeated_characters_count_every_occurrence() {
    let (_d, v) = table();
    // 好好/很: word (好好 → mean(好,好) = [0,2]) and 很 [1,1] → [0.5,1.5];
    // chars 好 好 很 = [1,5]/3, not the distinct-character mean [0.5,1.5].
    assert_eq!(row(&v, "好好很"), [0.5, 1.5, 1.0 / 3.0, 5.0 / 3.0]);
    // 很 很 很 好: [3,5]/4 in both channels.
    assert_eq!(row(&v, "很很很好"), [0.75, 1.25, 0.75, 1.25]);
    // 北京北京: two word hits of the same word.
    assert_eq!(row(&v, "北京北京"), [1.0, 2.0, 0.5, 0.5]);
}

#[test]
fn emoji_is_one_character() {
    let (_d, v) = table();
    assert_eq!(row(&v, "🙂"), [5.0, 5.0, 5.0, 5.0]);
    assert_eq!(row(&v, "🙂北"), [3.0, 2.5, 3.0, 2.5]);
}

#[test]
fn letter_with_combining_mark_is_one_character() {
    // The recipe treats characters as grapheme clusters: e + U+0301 is the table's é [7,0].
    let (_d, v) = table();
    assert_eq!(row(&v, "e\u{301}"), [7.0, 0.0, 7.0, 0.0]);
}

// ---------------------------------------------------------------------------------------
// Output formats.

const SAMPLE: &str = "北京天气很好\n\n很好\nabc\n好好很\n";

fn sample_rows() -> Vec<Vec<f32>> {
    vec![
        vec![1.25, 2.25, 1.333_333_4, 1.0],
        vec![0.0; 4],
        vec![0.5, 1.5, 0.5, 1.5],
        vec![0.0; 4],
        vec![0.5, 1.5, 1.0 / 3.0, 5.0 / 3.0],
    ]
}

#[test]
fn jsonl_is_one_array_per_line() {
    let (_d, v) = table();
    let out = zhvec(&v).write_stdin(SAMPLE).assert().success().get_output().stdout.clone();
    assert_eq!(parse_jsonl(&out), sample_rows());
    // Zeros are written compactly as 0.
    assert_eq!(String::from_utf8(out).unwrap().lines().nth(1), Some("[0,0,0,0]"));
}

#[test]
fn jsonl_objects_carry_line_and_text() {
    let (_d, v) = table();
    let out = zhvec(&v)
        .args(["--with-line", "--with-text"])
        .write_stdin("北京\n\n say \"hi\"\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let objs: Vec<serde_json::Value> =
        std::str::from_utf8(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(objs.len(), 3);
    let vector = |o: &serde_json::Value| -> Vec<f32> { serde_json::from_value(o["vector"].clone()).unwrap() };
    let keys = |o: &serde_json::Value| -> Vec<String> { o.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&objs[0]), ["line", "text", "vector"]);
    assert_eq!((&objs[0]["line"], &objs[0]["text"]), (&serde_json::json!(1), &serde_json::json!("北京")));
    assert_eq!(vector(&objs[0]), [1.0, 2.0, 0.5, 0.5]);
    assert_eq!((&objs[1]["line"], &objs[1]["text"]), (&serde_json::json!(2), &serde_json::json!("")));
    assert_eq!(vector(&objs[1]), [0.0; 4]);
    assert_eq!((&objs[2]["line"], &objs[2]["text"]), (&serde_json::json!(3), &serde_json::json!(" say \"hi\"")));
    assert_eq!(vector(&objs[2]), [0.0; 4]);

    let out = zhvec(&v).arg("--with-line").write_stdin("很好\n").assert().success().get_output().stdout.clone();
    assert_eq!(String::from_utf8(out).unwrap(), "{\"line\":1,\"vector\":[0.5,1.5,0.5,1.5]}\n");

    let out = zhvec(&v).arg("--with-text").write_stdin("很好\n").assert().success().get_output().stdout.clone();
    assert_eq!(String::from_utf8(out).unwrap(), "{\"text\":\"很好\",\"vector\":[0.5,1.5,0.5,1.5]}\n");
}

#[test]
fn with_line_is_rejected_for_non_jsonl_formats() {
    let (_d, v) = table();
    let out = zhvec(&v).args(["--with-line", "-f", "tsv"]).write_stdin("北京\n").assert().code(2).get_output().clone();
    assert!(
        stderr_of(&out).contains("--with-line and --with-text apply to --format jsonl only"),
        "{}",
        stderr_of(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn tsv_is_tab_separated_floats() {
    let (_d, v) = table();
    let out = zhvec(&v).args(["--format", "tsv"]).write_stdin(SAMPLE).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().next(), Some("1.25\t2.25\t1.3333334\t1.0"));
    let back: Vec<Vec<f32>> =
        text.lines().map(|l| l.split('\t').map(|x| x.parse::<f32>().unwrap()).collect()).collect();
    assert_eq!(back, sample_rows());
}

#[test]
fn npy_to_stdout_has_header_and_rows() {
    let (_d, v) = table();
    let out = zhvec(&v).args(["-f", "npy"]).write_stdin(SAMPLE).assert().success().get_output().clone();
    assert!(out.stderr.is_empty(), "{}", stderr_of(&out));
    let (n, d, data) = parse_npy(&out.stdout);
    assert_eq!((n, d), (5, 4));
    assert_eq!(data, flat(&sample_rows()));
}

#[test]
fn npy_of_empty_input_is_a_valid_empty_array() {
    let (_d, v) = table();
    let out = zhvec(&v).args(["-f", "npy"]).write_stdin("").assert().success().get_output().stdout.clone();
    let (n, d, data) = parse_npy(&out);
    assert_eq!((n, d), (0, 4));
    assert!(data.is_empty());
}

#[test]
fn f32_is_raw_rows_with_the_dim_on_stderr() {
    let (_d, v) = table();
    let out = zhvec(&v).args(["-f", "f32"]).write_stdin(SAMPLE).assert().success().get_output().clone();
    assert_eq!(f32s(&out.stdout), flat(&sample_rows()));
    assert_eq!(stderr_of(&out), "zhvec: 4 float32 values per row, 5 rows\n");
    // --quiet drops the note.
    let out = zhvec(&v).args(["-f", "f32", "-q"]).write_stdin(SAMPLE).assert().success().get_output().clone();
    assert_eq!(f32s(&out.stdout), flat(&sample_rows()));
    assert!(out.stderr.is_empty(), "{}", stderr_of(&out));
}

#[test]
fn print_dim_prints_the_row_length() {
    let (_d, v) = table();
    zhvec(&v).arg("--print-dim").assert().success().stdout("4\n");
    zhvec(&v).args(["--print-dim", "--channels", "word"]).assert().success().stdout("2\n");
    zhvec(&v).args(["--print-dim", "--channels", "char"]).assert().success().stdout("2\n");
}

#[test]
fn all_formats_agree() {
    let (dir, v) = table();
    let input = dir.path().join("in.txt");
    fs::write(&input, SAMPLE).unwrap();
    let expected = flat(&sample_rows());
    let mut got = Vec::new();
    for format in ["jsonl", "tsv", "npy", "f32"] {
        let out = zhvec(&v).args(["-q", "-f", format]).arg(&input).assert().success().get_output().stdout.clone();
        let values = match format {
            "jsonl" => flat(&parse_jsonl(&out)),
            "tsv" => String::from_utf8(out)
                .unwrap()
                .lines()
                .flat_map(|l| l.split('\t').map(|x| x.parse::<f32>().unwrap()).collect::<Vec<_>>())
                .collect(),
            "npy" => parse_npy(&out).2,
            _ => f32s(&out),
        };
        got.push((format, values));
    }
    for (format, values) in &got {
        assert_eq!(values, &expected, "{format}");
    }
}

// ---------------------------------------------------------------------------------------
// Output files.

#[test]
fn output_file_is_written_atomically() {
    let (dir, v) = table();
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    let target = out_dir.join("rows.npy");
    let out =
        zhvec(&v).args(["-f", "npy", "-o"]).arg(&target).write_stdin(SAMPLE).assert().success().get_output().clone();
    assert!(out.stdout.is_empty());
    let (n, d, data) = parse_npy(&fs::read(&target).unwrap());
    assert_eq!((n, d), (5, 4));
    assert_eq!(data, flat(&sample_rows()));
    assert_eq!(tmp_leftovers(&out_dir), Vec::<String>::new());

    // Overwriting an existing file replaces it completely.
    zhvec(&v).args(["-f", "npy", "-o"]).arg(&target).write_stdin("很好\n").assert().success();
    let (n, d, data) = parse_npy(&fs::read(&target).unwrap());
    assert_eq!((n, d, data), (1, 4, vec![0.5, 1.5, 0.5, 1.5]));
    assert_eq!(tmp_leftovers(&out_dir), Vec::<String>::new());
}

#[test]
fn output_file_concatenates_several_inputs_in_order() {
    let (dir, v) = table();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    fs::write(&a, "北京\n很好\n").unwrap();
    fs::write(&b, "abc\n🙂\n").unwrap();
    let target = dir.path().join("all.jsonl");
    zhvec(&v).arg("-o").arg(&target).arg(&a).arg(&b).assert().success();
    assert_eq!(
        parse_jsonl(&fs::read(&target).unwrap()),
        [vec![1.0, 2.0, 0.5, 0.5], vec![0.5, 1.5, 0.5, 1.5], vec![0.0; 4], vec![5.0; 4]]
    );
}

#[cfg(unix)]
#[test]
fn output_file_permissions_follow_the_umask() {
    // `-o` should create a file like `>` would (0666 minus the umask), not a private 0600
    // temporary file.
    use std::os::unix::fs::PermissionsExt;
    let (dir, v) = table();
    let reference = dir.path().join("reference");
    fs::File::create(&reference).unwrap();
    let target = dir.path().join("rows.jsonl");
    zhvec(&v).arg("-o").arg(&target).write_stdin("北京\n").assert().success();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(format!("{:o}", mode(&target)), format!("{:o}", mode(&reference)));
}

#[test]
fn out_dir_writes_one_file_per_input() {
    let (dir, v) = table();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    fs::write(&a, "北京\n很好\n").unwrap();
    fs::write(&b, "好好很\n").unwrap();
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    zhvec(&v).args(["-f", "npy", "--out-dir"]).arg(&out_dir).arg(&a).arg(&b).assert().success();
    let (n, d, data) = parse_npy(&fs::read(out_dir.join("a.npy")).unwrap());
    assert_eq!((n, d, data), (2, 4, vec![1.0, 2.0, 0.5, 0.5, 0.5, 1.5, 0.5, 1.5]));
    let (n, d, data) = parse_npy(&fs::read(out_dir.join("b.npy")).unwrap());
    assert_eq!((n, d, data), (1, 4, vec![0.5, 1.5, 1.0 / 3.0, 5.0 / 3.0]));
    let mut names: Vec<_> = fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["a.npy", "b.npy"]);
}

#[test]
fn out_dir_line_numbers_restart_per_file() {
    let (dir, v) = table();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    fs::write(&a, "北京\n很好\n").unwrap();
    fs::write(&b, "好\n").unwrap();
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    zhvec(&v).args(["--with-line", "--out-dir"]).arg(&out_dir).arg(&a).arg(&b).assert().success();
    let b_out = fs::read_to_string(out_dir.join("b.jsonl")).unwrap();
    assert_eq!(b_out, "{\"line\":1,\"vector\":[0,2.0,0,2.0]}\n");
    let a_out = fs::read_to_string(out_dir.join("a.jsonl")).unwrap();
    assert_eq!(a_out.lines().count(), 2);
}

#[test]
fn out_dir_failure_leaves_no_file_under_the_final_name() {
    let (dir, v) = table();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    fs::write(&a, "北京\n").unwrap();
    fs::write(&b, b"\xe5\xbe\x88\n\xff\xfe\n").unwrap();
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    let out =
        zhvec(&v).args(["-f", "npy", "--out-dir"]).arg(&out_dir).arg(&a).arg(&b).assert().code(2).get_output().clone();
    let err = stderr_of(&out);
    assert!(err.contains(&format!("{}:2:", b.display())), "{err}");
    assert!(err.contains("invalid UTF-8"), "{err}");
    assert!(!out_dir.join("b.npy").exists());
    assert_eq!(tmp_leftovers(&out_dir), Vec::<String>::new());
    // A later input that cannot be opened is found before any output is written.
    fs::remove_dir_all(&out_dir).unwrap();
    fs::create_dir(&out_dir).unwrap();
    let missing = dir.path().join("missing.txt");
    zhvec(&v).args(["-f", "npy", "--out-dir"]).arg(&out_dir).arg(&a).arg(&missing).assert().code(2);
    assert!(!out_dir.join("a.npy").exists());
    assert!(!out_dir.join("missing.npy").exists());
    assert_eq!(tmp_leftovers(&out_dir), Vec::<String>::new());
}

#[test]
fn output_file_failure_leaves_nothing_behind() {
    let (dir, v) = table();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    fs::write(&a, "北京\n很好\n").unwrap();
    fs::write(&b, b"ok\nok\n\xc3\x28\n").unwrap();
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    let target = out_dir.join("rows.npy");
    let out = zhvec(&v).args(["-f", "npy", "-o"]).arg(&target).arg(&a).arg(&b).assert().code(2).get_output().clone();
    assert!(stderr_of(&out).contains(&format!("{}:3:", b.display())), "{}", stderr_of(&out));
    assert!(!target.exists());
    assert_eq!(fs::read_dir(&out_dir).unwrap().count(), 0);
}

#[test]
fn out_dir_rejects_clashing_names_and_stdin() {
    let (dir, v) = table();
    let (x, y) = (dir.path().join("x"), dir.path().join("y"));
    fs::create_dir_all(&x).unwrap();
    fs::create_dir_all(&y).unwrap();
    fs::write(x.join("a.txt"), "北京\n").unwrap();
    fs::write(y.join("a.txt"), "北京\n").unwrap();
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    let out = zhvec(&v)
        .arg("--out-dir")
        .arg(&out_dir)
        .arg(x.join("a.txt"))
        .arg(y.join("a.txt"))
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(stderr_of(&out).contains("rename one of them"), "{}", stderr_of(&out));
    let out = zhvec(&v).arg("--out-dir").arg(&out_dir).write_stdin("北京\n").assert().code(2).get_output().clone();
    assert!(stderr_of(&out).contains("standard input"), "{}", stderr_of(&out));
    assert_eq!(fs::read_dir(&out_dir).unwrap().count(), 0);
}

// ---------------------------------------------------------------------------------------
// Order and thread-count independence.

/// Deterministic mixed input: table words and chars, other CJK, ASCII, emoji, empty lines.
fn generated_lines(n: usize) -> String {
    const PIECES: &[&str] = &[
        "北京",
        "天气",
        "今天",
        "很",
        "好",
        "北",
        "京",
        "天",
        "气",
        "🙂",
        "我们",
        "学习",
        "hello",
        "42",
        " ",
        "，",
        "。",
        "abc",
        "清华大学",
        "好好",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut s = String::new();
    for i in 0..n {
        let len = (next() % 12) as usize;
        if i % 17 == 0 {
            s.push('\n');
            continue;
        }
        for _ in 0..len {
            s.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
        }
        s.push_str(&format!(" {i}\n"));
    }
    s
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let (dir, v) = table();
    // Enough bytes for several ~1 MB chunks, so the workers really interleave.
    let text = generated_lines(120_000);
    assert!(text.len() > 3 << 20, "{} bytes", text.len());
    let input = dir.path().join("gen.txt");
    fs::write(&input, &text).unwrap();
    let n_lines = text.lines().count();
    for format in ["npy", "jsonl"] {
        let run = |threads: &str| {
            zhvec(&v)
                .args(["-q", "-f", format, "--threads", threads])
                .arg(&input)
                .assert()
                .success()
                .get_output()
                .stdout
                .clone()
        };
        let one = run("1");
        for threads in ["2", "4"] {
            assert!(one == run(threads), "{format}: --threads {threads} differs from --threads 1");
        }
        if format == "npy" {
            assert_eq!(parse_npy(&one).0, n_lines);
        } else {
            assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), n_lines);
        }
    }
}

#[test]
fn rows_stay_in_input_order_across_chunks() {
    let (dir, v) = table();
    // Alternate two lines with known rows over several chunks.
    let mut text = String::new();
    for i in 0..400_000 {
        text.push_str(if i % 3 == 0 { "北京\n" } else { "很好\n" });
    }
    let input = dir.path().join("alt.txt");
    fs::write(&input, &text).unwrap();
    let out = zhvec(&v)
        .args(["-q", "-f", "f32", "--threads", "2"])
        .arg(&input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let values = f32s(&out);
    assert_eq!(values.len(), 400_000 * 4);
    for (i, r) in values.chunks_exact(4).enumerate() {
        let want: &[f32] = if i % 3 == 0 { &[1.0, 2.0, 0.5, 0.5] } else { &[0.5, 1.5, 0.5, 1.5] };
        assert_eq!(r, want, "row {i}");
    }
}

// ---------------------------------------------------------------------------------------
// Input handling.

#[test]
fn crlf_lines_equal_lf_lines() {
    let (_d, v) = table();
    let lf = rows(&v, "北京\n很好\n\nabc\n");
    let crlf = rows(&v, "北京\r\n很好\r\n\r\nabc\r\n");
    assert_eq!(lf, crlf);
    assert_eq!(lf.len(), 4);
    let out = zhvec(&v).arg("--with-text").write_stdin("北京\r\n").assert().success().get_output().stdout.clone();
    let obj: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(obj["text"], "北京");
}

#[test]
fn bom_on_the_first_line_is_stripped() {
    let (dir, v) = table();
    let plain = rows(&v, "北京\n很好\n");
    let bom = rows(&v, "\u{feff}北京\n很好\n");
    assert_eq!(plain, bom);
    let out = zhvec(&v).arg("--with-text").write_stdin("\u{feff}北京\n").assert().success().get_output().stdout.clone();
    let obj: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(obj["text"], "北京");
    // From a file too.
    let f = dir.path().join("bom.txt");
    fs::write(&f, "\u{feff}很好\n").unwrap();
    let out = zhvec(&v).arg(&f).assert().success().get_output().stdout.clone();
    assert_eq!(parse_jsonl(&out), [vec![0.5, 1.5, 0.5, 1.5]]);
}

#[test]
fn invalid_utf8_on_stdin_names_stdin_and_line() {
    let (_d, v) = table();
    let out = zhvec(&v).write_stdin(&b"\xe5\xbe\x88\nok\n\x80abc\n"[..]).assert().code(2).get_output().clone();
    let err = stderr_of(&out);
    assert!(err.contains("<stdin>:3:"), "{err}");
    assert!(err.contains("invalid UTF-8"), "{err}");
    assert!(err.contains("--lossy"), "{err}");
}

#[test]
fn invalid_utf8_in_a_file_names_the_file_and_line() {
    let (dir, v) = table();
    let f = dir.path().join("bad input.txt");
    fs::write(&f, b"ok\n\xff\n").unwrap();
    let out = zhvec(&v).arg(&f).assert().code(2).get_output().clone();
    let err = stderr_of(&out);
    assert!(err.contains(&format!("{}:2:", f.display())), "{err}");
}

#[test]
fn lossy_replaces_bad_bytes_and_keeps_one_row_per_line() {
    let (_d, v) = table();
    let out = zhvec(&v)
        .arg("--lossy")
        .write_stdin(&b"\xff\xe5\xbe\x88\nok\n\x80\n"[..])
        .assert()
        .success()
        .get_output()
        .clone();
    // U+FFFD has no vector: line 1 is 很 alone.
    assert_eq!(parse_jsonl(&out.stdout), [vec![1.0, 1.0, 1.0, 1.0], vec![0.0; 4], vec![0.0; 4]]);
    assert_eq!(stderr_of(&out), "zhvec: replaced invalid UTF-8 in 2 lines\n");
}

#[test]
fn a_ten_megabyte_line_is_one_row() {
    let (dir, v) = table();
    let f = dir.path().join("long.txt");
    let text = "北京天气，".repeat(700_000);
    assert!(text.len() >= 10_000_000);
    fs::write(&f, &text).unwrap();
    let out = zhvec(&v).args(["-q", "-f", "f32"]).arg(&f).assert().success().get_output().stdout.clone();
    // Every repetition: words 北京 + 天气, chars 北 京 天 气; the sums stay exact integers.
    assert_eq!(f32s(&out), [2.0, 3.0, 1.75, 0.75]);
}

/// Runs `zhvec embed` on `input` with stdout to a pipe that is closed after `keep` bytes.
fn run_into_closed_pipe(v: &Path, input: &Path, extra: &[&str], keep: usize) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(common::zhvec().get_program())
        .arg("embed")
        .arg("--vocab")
        .arg(v)
        .args(extra)
        .arg(input)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = vec![0u8; keep];
    stdout.read_exact(&mut buf).unwrap();
    drop(stdout);
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let err = reader.join().unwrap();
    match status {
        Some(s) => (s.code(), err),
        None => panic!("zhvec did not exit within 60 s after its reader went away (hang); stderr: {err}"),
    }
}

#[test]
fn broken_pipe_ends_quietly_with_success() {
    let (dir, v) = table();
    let f = dir.path().join("big.txt");
    let mut file = std::io::BufWriter::new(fs::File::create(&f).unwrap());
    for i in 0..200_000 {
        writeln!(file, "北京天气很好 {i}").unwrap();
    }
    file.flush().unwrap();
    let (code, err) = run_into_closed_pipe(&v, &f, &[], 100);
    assert_eq!(code, Some(0), "stderr: {err}");
    assert_eq!(err, "");
}

#[test]
fn broken_pipe_on_a_long_input_does_not_hang() {
    // More input than the chunks the pipeline keeps in flight (2 × threads + 2 of ~1 MB),
    // so the reader is still going when the writer fails.
    let (dir, v) = table();
    let f = dir.path().join("big.txt");
    let mut file = std::io::BufWriter::new(fs::File::create(&f).unwrap());
    for i in 0..500_000 {
        writeln!(file, "北京天气很好 {i}").unwrap();
    }
    file.flush().unwrap();
    let (code, err) = run_into_closed_pipe(&v, &f, &["--threads", "1", "-f", "f32", "-q"], 100);
    assert_eq!(code, Some(0), "stderr: {err}");
    assert_eq!(err, "");
}

#[test]
fn early_error_on_a_long_input_exits_promptly() {
    // Invalid UTF-8 on line 2 of a ~10 MB file: exit 2 instead of waiting forever for the
    // rest of the input to be consumed.
    let (dir, v) = table();
    let f = dir.path().join("bad.txt");
    let mut file = std::io::BufWriter::new(fs::File::create(&f).unwrap());
    file.write_all(b"ok\n\xff\n").unwrap();
    for i in 0..500_000 {
        writeln!(file, "北京天气很好 {i}").unwrap();
    }
    file.flush().unwrap();
    let out = zhvec(&v).args(["--threads", "1", "-q"]).arg(&f).timeout(Duration::from_secs(60)).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "stderr: {} (no exit code: killed after a hang)", stderr_of(&out));
    assert!(stderr_of(&out).contains(&format!("{}:2:", f.display())), "{}", stderr_of(&out));
}

// ---------------------------------------------------------------------------------------
// Errors.

#[test]
fn missing_input_file_names_the_path() {
    let (dir, v) = table();
    let missing = dir.path().join("no such file.txt");
    let out = zhvec(&v).arg(&missing).assert().code(2).get_output().clone();
    let err = stderr_of(&out);
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("cannot open input"), "{err}");
}

#[test]
fn missing_vocab_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.zv");
    let out = zhvec(&missing).write_stdin("北京\n").assert().code(2).get_output().clone();
    let err = stderr_of(&out);
    assert!(err.contains("cannot open vocab") && err.contains(&missing.display().to_string()), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn garbage_vocab_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.zv");
    fs::write(&garbage, "this is not a table\n".repeat(100)).unwrap();
    let out = zhvec(&garbage).write_stdin("北京\n").assert().code(2).get_output().clone();
    let err = stderr_of(&out);
    assert!(err.contains(&garbage.display().to_string()), "{err}");
    assert!(err.contains("not a usable zhvec vocab file") && err.contains("magic"), "{err}");
}

#[test]
fn bad_options_exit_2() {
    let (_d, v) = table();
    let out = zhvec(&v).args(["--threads", "0"]).write_stdin("北京\n").assert().code(2).get_output().clone();
    assert!(stderr_of(&out).contains("--threads must be at least 1"), "{}", stderr_of(&out));
    zhvec(&v).args(["--channels", "words"]).write_stdin("北京\n").assert().code(2);
    let out = zhvec(&v)
        .args(["--weighting", "sif", "--sif-a", "0"])
        .write_stdin("北京\n")
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(stderr_of(&out).contains("--sif-a"), "{}", stderr_of(&out));
}

#[test]
fn stats_counts_tokens_and_characters() {
    let (_d, v) = table();
    let input = "北京天气很好\n\n   \nabc\n🙂\n今天天气\n";
    let out = zhvec(&v).arg("--stats").write_stdin(input).assert().success().get_output().clone();
    assert_eq!(parse_jsonl(&out.stdout).len(), 6);
    let err = stderr_of(&out);
    let stats: serde_json::Value = serde_json::from_str(err.trim()).unwrap_or_else(|e| panic!("{e}: {err:?}"));
    // 北京/w 天气/w 很/c 好/c | empty | blank | abc/- (3 chars missed) | 🙂/c | 今天天气/c (今 missed).
    for (key, want) in [
        ("lines", 6),
        ("empty_lines", 2),
        ("tokens", 7),
        ("word_hits", 2),
        ("char_fallbacks", 4),
        ("no_vector", 1),
        ("chars_hit", 10),
        ("chars_missed", 4),
        ("lossy_lines", 0),
        ("bytes", input.len() as u64),
    ] {
        assert_eq!(stats[key].as_u64(), Some(want), "{key} in {stats}");
    }
    let seconds = stats["seconds"].as_f64().unwrap();
    let rate = stats["lines_per_sec"].as_f64().unwrap();
    assert!(seconds >= 0.0 && rate > 0.0, "{stats}");
}

#[test]
fn stats_sum_over_several_files() {
    let (dir, v) = table();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    fs::write(&a, "北京\n").unwrap();
    fs::write(&b, "很好\n\n").unwrap();
    let out = zhvec(&v).args(["--stats", "-q"]).arg(&a).arg(&b).assert().success().get_output().clone();
    let stats: serde_json::Value = serde_json::from_str(stderr_of(&out).trim()).unwrap();
    assert_eq!(stats["lines"], 3);
    assert_eq!(stats["empty_lines"], 1);
    assert_eq!(stats["tokens"], 3);
    assert_eq!(stats["word_hits"], 1);
    assert_eq!(stats["char_fallbacks"], 2);
    assert_eq!(stats["chars_hit"], 4);
}

// ---------------------------------------------------------------------------------------
// Recipe options.

#[test]
fn channels_select_parts_of_the_row() {
    let (_d, v) = table();
    let line = "北京天气很好\n";
    assert_eq!(rows_with(&v, line, &["--channels", "word"]), [vec![1.25, 2.25]]);
    assert_eq!(rows_with(&v, line, &["--channels", "char"]), [vec![1.333_333_4, 1.0]]);
    assert_eq!(rows_with(&v, line, &["--channels", "word,char"]), [vec![1.25, 2.25, 1.333_333_4, 1.0]]);
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

fn scaled(v: &[f32], n: f32) -> Vec<f32> {
    v.iter().map(|x| x / n).collect()
}

#[test]
fn normalize_channel_makes_each_channel_unit_length() {
    let (_d, v) = table();
    // 北京: word [1,2] / √5, chars [0.5,0.5] / √0.5.
    let got = rows_with(&v, "北京\n\n", &["--normalize", "channel"]);
    let (w, c) = ([1.0f32, 2.0], [0.5f32, 0.5]);
    let mut want = scaled(&w, norm(&w));
    want.extend(scaled(&c, norm(&c)));
    assert_eq!(got[0], want);
    assert!((norm(&got[0][..2]) - 1.0).abs() < 1e-6 && (norm(&got[0][2..]) - 1.0).abs() < 1e-6);
    // An empty row stays zero (no division by zero).
    assert_eq!(got[1], [0.0; 4]);
    // 很好: [0.5,1.5] in both channels, so both halves normalize to the same pair.
    let got = rows_with(&v, "很好\n", &["--normalize", "channel"]);
    let h = [0.5f32, 1.5];
    let hn = scaled(&h, norm(&h));
    assert_eq!(got[0], [hn[0], hn[1], hn[0], hn[1]]);
}

#[test]
fn normalize_all_makes_the_row_unit_length() {
    let (_d, v) = table();
    let got = rows_with(&v, "北京\n\n", &["--normalize", "all"]);
    let r = [1.0f32, 2.0, 0.5, 0.5];
    assert_eq!(got[0], scaled(&r, norm(&r)));
    assert!((norm(&got[0]) - 1.0).abs() < 1e-6);
    assert_eq!(got[1], [0.0; 4]);
    // With one channel, channel and all normalization agree.
    let a = rows_with(&v, "北京天气很好\n", &["--normalize", "all", "--channels", "word"]);
    let c = rows_with(&v, "北京天气很好\n", &["--normalize", "channel", "--channels", "word"]);
    assert_eq!(a, c);
    let w = [1.25f32, 2.25];
    assert_eq!(a[0], scaled(&w, norm(&w)));
}

/// SIF weight of a table row: a / (a + count / total), in f32 as the recipe computes it.
fn sif(count: u64, total: u64, a: f32) -> f32 {
    a / (a + count as f32 / total as f32)
}

#[test]
fn sif_weights_words_and_characters_by_frequency() {
    let (_d, v) = table();
    let a = 1e-3f32;
    let (wt, ct) = (160, 112);
    // 北京/w 天气/w 很/fallback 好/fallback. Fallback words are out of the vocabulary, so p = 0
    // and their weight is 1; the means divide by the number of contributions (4 and 6).
    let (w_bj, w_tq) = (sif(100, wt, a), sif(50, wt, a));
    let word = [(w_bj * 1.0 + w_tq * 3.0 + 1.0 + 0.0) / 4.0, (w_bj * 2.0 + w_tq * 4.0 + 1.0 + 2.0) / 4.0];
    let (c_bei, c_jing, c_tian, c_qi, c_hen, c_hao) =
        (sif(40, ct, a), sif(30, ct, a), sif(20, ct, a), sif(10, ct, a), sif(5, ct, a), sif(5, ct, a));
    let chars = [
        (c_bei * 1.0 + c_tian * 2.0 + c_qi * 4.0 + c_hen * 1.0) / 6.0,
        (c_jing * 1.0 + c_tian * 2.0 + c_hen * 1.0 + c_hao * 2.0) / 6.0,
    ];
    let got = rows_with(&v, "北京天气很好\n", &["--weighting", "sif"]);
    assert_eq!(got, [vec![word[0], word[1], chars[0], chars[1]]]);
    // Frequent rows are damped far below the fallback words.
    assert!(w_bj < 0.002 && w_tq < 0.004);
}

#[test]
fn sif_a_changes_the_weights() {
    let (_d, v) = table();
    let a = 0.5f32;
    // 北京 alone: one word contribution, two characters.
    let w = sif(100, 160, a);
    let (cb, cj) = (sif(40, 112, a), sif(30, 112, a));
    let got = rows_with(&v, "北京\n", &["--weighting", "sif", "--sif-a", "0.5"]);
    assert_eq!(got, [vec![w * 1.0, w * 2.0, cb / 2.0, cj / 2.0]]);
}

#[test]
fn sif_then_normalize_is_unit_length() {
    let (_d, v) = table();
    let got = rows_with(&v, "北京天气很好\n", &["--weighting", "sif", "--normalize", "all"]);
    assert!((norm(&got[0]) - 1.0).abs() < 1e-6, "{:?}", got[0]);
}

#[test]
fn other_table_dtypes_embed_the_same_on_exact_values() {
    // Every tiny-table value is exactly representable in f16.
    let dir = tempfile::tempdir().unwrap();
    let f32_table = common::write_tiny(dir.path(), Dtype::F32);
    let f16_table = common::write_tiny(dir.path(), Dtype::F16);
    let input = "北京天气很好\n很好\n🙂\n";
    let base = rows(&f32_table, input);
    assert_eq!(rows(&f16_table, input), base);
    // int8 stores q × scale with scale = max/127: equal up to f32 rounding of the scale.
    let int8 = common::write_tiny(dir.path(), Dtype::Int8);
    for (a, b) in rows(&int8, input).iter().flatten().zip(base.iter().flatten()) {
        assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "int8 {a} vs f32 {b}");
    }
}

// ---------------------------------------------------------------------------------------
// More inputs and outputs.

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/embed").join(name)
}

#[test]
fn golden_jsonl_for_a_mixed_file() {
    let (_d, v) = table();
    let out = zhvec(&v)
        .args(["--with-line", "--with-text"])
        .arg(testdata("mixed.txt"))
        .assert()
        .success()
        .get_output()
        .clone();
    let expected = fs::read_to_string(testdata("mixed.expected.jsonl")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

#[test]
fn dash_reads_stdin_between_files() {
    let (dir, v) = table();
    let a = dir.path().join("a.txt");
    fs::write(&a, "很好\n").unwrap();
    let out = zhvec(&v).arg(&a).arg("-").arg(&a).write_stdin("好\n").assert().success().get_output().stdout.clone();
    assert_eq!(parse_jsonl(&out), [vec![0.5, 1.5, 0.5, 1.5], vec![0.0, 2.0, 0.0, 2.0], vec![0.5, 1.5, 0.5, 1.5]]);
}

#[test]
fn output_into_a_missing_directory_is_bad_input() {
    let (dir, v) = table();
    let missing = dir.path().join("missing");
    let out =
        zhvec(&v).arg("-o").arg(missing.join("rows.jsonl")).write_stdin("北京\n").assert().code(2).get_output().clone();
    assert!(stderr_of(&out).contains(&missing.display().to_string()), "{}", stderr_of(&out));
    assert!(!missing.exists());
}

#[test]
fn output_onto_a_directory_fails_and_cleans_up() {
    let (dir, v) = table();
    let target = dir.path().join("taken");
    fs::create_dir(&target).unwrap();
    let out = zhvec(&v).arg("-o").arg(&target).write_stdin("北京\n").assert().code(2).get_output().clone();
    assert!(stderr_of(&out).contains(&target.display().to_string()), "{}", stderr_of(&out));
    assert_eq!(tmp_leftovers(dir.path()), Vec::<String>::new());
    assert!(target.is_dir());
}

#[test]
fn out_dir_must_be_a_directory() {
    let (dir, v) = table();
    let a = dir.path().join("a.txt");
    fs::write(&a, "北京\n").unwrap();
    let missing = dir.path().join("a-file");
    fs::write(&missing, "").unwrap();
    let out = zhvec(&v).arg("--out-dir").arg(&missing).arg(&a).assert().code(2).get_output().clone();
    assert!(stderr_of(&out).contains("not a directory"), "{}", stderr_of(&out));
    zhvec(&v).arg("--out-dir").arg(dir.path()).arg("-o").arg(dir.path().join("x")).arg(&a).assert().code(2);
}

#[test]
fn lossy_lines_are_counted_in_stats() {
    let (_d, v) = table();
    let out = zhvec(&v)
        .args(["--lossy", "--stats", "-q"])
        .write_stdin(&b"\xff\nok\n\xfe\xfe\n"[..])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(parse_jsonl(&out.stdout).len(), 3);
    let stats: serde_json::Value = serde_json::from_str(stderr_of(&out).trim()).unwrap();
    assert_eq!(stats["lossy_lines"], 2);
    assert_eq!(stats["lines"], 3);
}

#[test]
fn tables_with_different_word_and_char_dims_skip_the_fallback() {
    use zhvec::vocab::{write_vocab, TableData, VocabData};
    let dir = tempfile::tempdir().unwrap();
    let mut words = TableData::new(3);
    words.push("北京".into(), &[1.0, 2.0, 3.0], 10);
    let mut chars = TableData::new(2);
    chars.push("北".into(), &[1.0, 0.0], 4);
    chars.push("京".into(), &[0.0, 1.0], 3);
    chars.push("很".into(), &[1.0, 1.0], 2);
    let v = dir.path().join("mixed-dims.zv");
    write_vocab(&v, &VocabData { words, chars, dtype: Dtype::F32, meta: serde_json::json!({}) }).unwrap();
    zhvec(&v).arg("--print-dim").assert().success().stdout("5\n");
    // 北京/w 很/- : the char row of 很 cannot stand in for a 3-dim word vector.
    let out = zhvec(&v).arg("--stats").write_stdin("北京很\n").assert().success().get_output().clone();
    assert_eq!(parse_jsonl(&out.stdout), [vec![1.0, 2.0, 3.0, 2.0 / 3.0, 2.0 / 3.0]]);
    let stats: serde_json::Value = serde_json::from_str(stderr_of(&out).trim()).unwrap();
    assert_eq!((stats["word_hits"].as_u64(), stats["char_fallbacks"].as_u64()), (Some(1), Some(0)));
    assert_eq!((stats["no_vector"].as_u64(), stats["chars_hit"].as_u64()), (Some(1), Some(3)));
    assert_eq!(rows_with(&v, "很\n", &["--channels", "word"]), [vec![0.0; 3]]);
    assert_eq!(rows_with(&v, "很\n", &["--channels", "char"]), [vec![1.0, 1.0]]);
}

#[test]
fn emoji_sequences_and_flags_are_one_character() {
    // Characters are grapheme clusters: a table row for a skin-toned emoji, a ZWJ family or a
    // flag is found when the sequence appears in the text.
    use zhvec::vocab::{write_vocab, TableData, VocabData};
    let dir = tempfile::tempdir().unwrap();
    let mut words = TableData::new(2);
    words.push("北京".into(), &[1.0, 2.0], 1);
    let mut chars = TableData::new(2);
    chars.push("👍🏽".into(), &[1.0, 0.0], 1);
    chars.push("👨\u{200d}👩\u{200d}👧".into(), &[0.0, 1.0], 1);
    chars.push("🇨🇳".into(), &[2.0, 2.0], 1);
    let v = dir.path().join("emoji.zv");
    write_vocab(&v, &VocabData { words, chars, dtype: Dtype::F32, meta: serde_json::json!({}) }).unwrap();
    assert_eq!(row(&v, "👍🏽"), [1.0, 0.0, 1.0, 0.0]);
    assert_eq!(row(&v, "👨\u{200d}👩\u{200d}👧"), [0.0, 1.0, 0.0, 1.0]);
    assert_eq!(row(&v, "🇨🇳"), [2.0, 2.0, 2.0, 2.0]);
}

#[test]
fn out_dir_keeps_dots_in_input_names() {
    // Named after the input: news.2024.txt → news.2024.npy, not news.npy.
    let (dir, v) = table();
    let (a, b) = (dir.path().join("news.2024.txt"), dir.path().join("news.2025.txt"));
    fs::write(&a, "北京\n").unwrap();
    fs::write(&b, "很好\n").unwrap();
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    zhvec(&v).args(["-f", "npy", "--out-dir"]).arg(&out_dir).arg(&a).arg(&b).assert().success();
    let mut names: Vec<_> = fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["news.2024.npy", "news.2025.npy"]);
    assert_eq!(parse_npy(&fs::read(out_dir.join("news.2025.npy")).unwrap()).2, [0.5, 1.5, 0.5, 1.5]);
}

#[test]
fn input_that_is_a_directory_is_bad_input() {
    let (dir, v) = table();
    let out = zhvec(&v).arg(dir.path()).assert().code(2).get_output().clone();
    assert!(stderr_of(&out).contains(&dir.path().display().to_string()), "{}", stderr_of(&out));
}

#[test]
fn relative_output_path_lands_in_the_working_directory() {
    let (dir, v) = table();
    zhvec(&v).current_dir(dir.path()).args(["-o", "rows.tsv", "-f", "tsv"]).write_stdin("很好\n").assert().success();
    assert_eq!(fs::read_to_string(dir.path().join("rows.tsv")).unwrap(), "0.5\t1.5\t0.5\t1.5\n");
    assert_eq!(tmp_leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn broken_pipe_with_npy_on_stdout_ends_quietly() {
    // npy to a pipe is spooled first and copied out at the end.
    let (dir, v) = table();
    let f = dir.path().join("big.txt");
    let mut file = std::io::BufWriter::new(fs::File::create(&f).unwrap());
    for i in 0..200_000 {
        writeln!(file, "北京天气很好 {i}").unwrap();
    }
    file.flush().unwrap();
    let (code, err) = run_into_closed_pipe(&v, &f, &["-f", "npy"], 128);
    assert_eq!(code, Some(0), "stderr: {err}");
    assert_eq!(err, "");
}

#[test]
fn invalid_utf8_deep_in_a_long_file_reports_the_right_line() {
    // Line numbers carry across ~1 MB chunks handled by different workers.
    let (dir, v) = table();
    let f = dir.path().join("deep.txt");
    let mut file = std::io::BufWriter::new(fs::File::create(&f).unwrap());
    for i in 1..=200_000 {
        if i == 150_001 {
            file.write_all(b"\xe5\xbe\r\n").unwrap();
        } else if i % 3 == 0 {
            file.write_all(b"\r\n").unwrap();
        } else {
            writeln!(file, "北京天气很好 {i}").unwrap();
        }
    }
    file.flush().unwrap();
    let out = zhvec(&v).args(["-q", "--threads", "2"]).arg(&f).timeout(Duration::from_secs(120)).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(
        stderr_of(&out),
        format!(
            "zhvec: {}:150001: invalid UTF-8 at byte 1 of the line (use --lossy to replace bad bytes)\n",
            f.display()
        )
    );
}

#[test]
fn bom_is_stripped_at_the_start_of_every_input_file() {
    let (dir, v) = table();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    fs::write(&a, "\u{feff}北京\n").unwrap();
    fs::write(&b, "\u{feff}很好\n").unwrap();
    let out = zhvec(&v).arg("--with-text").arg(&a).arg(&b).assert().success().get_output().stdout.clone();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"text\":\"北京\",\"vector\":[1.0,2.0,0.5,0.5]}\n{\"text\":\"很好\",\"vector\":[0.5,1.5,0.5,1.5]}\n"
    );
}

#[test]
fn paths_through_a_regular_file_are_bad_input() {
    // `file.txt/x` names nothing: the user's mistake (exit 2), like a missing file.
    let (dir, v) = table();
    let file = dir.path().join("file.txt");
    fs::write(&file, "北京\n").unwrap();
    let under = file.join("x");
    let out = zhvec(&v).arg(&under).assert().code(2).get_output().clone();
    assert!(stderr_of(&out).contains(&under.display().to_string()), "{}", stderr_of(&out));
    let out =
        zhvec(&v).arg("-o").arg(file.join("out.jsonl")).write_stdin("北京\n").assert().code(2).get_output().clone();
    assert!(stderr_of(&out).contains(&file.display().to_string()), "{}", stderr_of(&out));
    let out = zhvec(&file.join("t.zv")).write_stdin("北京\n").assert().code(2).get_output().clone();
    assert!(stderr_of(&out).contains("cannot open vocab"), "{}", stderr_of(&out));
}

#[test]
fn seg_dict_vocab_segments_with_the_tables_words() {
    let (_d, v) = table();
    // jieba's dictionary keeps 今天天气 whole (a char fallback over 天 天 气); with the table's
    // own words it is 今天/w 天气/w: word ([0,-1]+[3,4])/2, chars still 天 天 气 (今 has no row).
    assert_eq!(row(&v, "今天天气"), [8.0 / 3.0, 4.0 / 3.0, 8.0 / 3.0, 4.0 / 3.0]);
    assert_eq!(rows_with(&v, "今天天气\n", &["--seg-dict", "vocab"]), [vec![1.5, 1.5, 8.0 / 3.0, 4.0 / 3.0]]);
}

#[test]
fn output_file_keeps_its_old_content_until_the_run_completes() {
    let (dir, v) = table();
    let target = dir.path().join("rows.jsonl");
    fs::write(&target, "old\n").unwrap();
    let mut child = std::process::Command::new(common::zhvec().get_program())
        .args(["embed", "-q", "--vocab"])
        .arg(&v)
        .arg("-o")
        .arg(&target)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all("北京\n".repeat(1000).as_bytes()).unwrap();
    stdin.flush().unwrap();
    // The run is under way: its temporary file exists, the target is untouched.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while tmp_leftovers(dir.path()).is_empty() {
        assert!(std::time::Instant::now() < deadline, "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
    stdin.write_all("很好\n".repeat(1000).as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let rows = parse_jsonl(&fs::read(&target).unwrap());
    assert_eq!(rows.len(), 2000);
    assert_eq!((rows[999].as_slice(), rows[1000].as_slice()), (&[1.0, 2.0, 0.5, 0.5][..], &[0.5, 1.5, 0.5, 1.5][..]));
    assert_eq!(tmp_leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn formats_agree_bit_for_bit_on_generated_lines() {
    let (dir, v) = table();
    let text = generated_lines(3000);
    let input = dir.path().join("gen.txt");
    fs::write(&input, &text).unwrap();
    let run = |args: &[&str]| zhvec(&v).arg("-q").args(args).arg(&input).assert().success().get_output().stdout.clone();
    let raw = f32s(&run(&["-f", "f32"]));
    assert_eq!(raw.len(), text.lines().count() * 4);
    let (n, d, npy) = parse_npy(&run(&["-f", "npy"]));
    assert_eq!((n, d), (text.lines().count(), 4));
    let jsonl = flat(&parse_jsonl(&run(&["-f", "jsonl"])));
    let tsv: Vec<f32> = String::from_utf8(run(&["-f", "tsv"]))
        .unwrap()
        .lines()
        .flat_map(|l| l.split('\t').map(|x| x.parse::<f32>().unwrap()).collect::<Vec<_>>())
        .collect();
    let bits = |v: &[f32]| v.iter().map(|x| if *x == 0.0 { 0 } else { x.to_bits() }).collect::<Vec<u32>>();
    assert!(bits(&raw) == bits(&npy), "npy differs from f32");
    assert!(bits(&raw) == bits(&jsonl), "jsonl differs from f32");
    assert!(bits(&raw) == bits(&tsv), "tsv differs from f32");
    // A single chunk split over many more threads than it needs.
    for threads in ["3", "64"] {
        assert!(run(&["-f", "f32", "--threads", threads]) == run(&["-f", "f32", "--threads", "1"]), "{threads}");
    }
}

#[test]
fn gzip_input_is_read_transparently() {
    let (dir, v) = table();
    let text = "北京天气很好\n\n今天🙂\n";
    let plain = dir.path().join("in.txt");
    fs::write(&plain, text).unwrap();
    let gz = dir.path().join("in.txt.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    fs::write(&gz, enc.finish().unwrap()).unwrap();
    let out = |p: &Path| zhvec(&v).arg(p).assert().success().get_output().stdout.clone();
    let (a, b) = (out(&plain), out(&gz));
    assert_eq!(a, b);
    assert_eq!(String::from_utf8(a).unwrap().lines().count(), 3);
}

#[test]
fn ctrl_c_leaves_neither_the_output_nor_a_temporary_file() {
    let (dir, v) = table();
    let out = dir.path().join("out.npy");
    let mut child = common::default_signals(&mut std::process::Command::new(common::zhvec().get_program()))
        .args(["embed", "--vocab"])
        .arg(&v)
        .args(["-f", "npy", "-o"])
        .arg(&out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Stdin stays open, so the run is still going (temporary file created) when interrupted.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all("北京天气很好\n".repeat(1000).as_bytes()).unwrap();
    stdin.flush().unwrap();
    let temp_files = || {
        fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".zhvec-"))
            .count()
    };
    let start = std::time::Instant::now();
    while temp_files() == 0 {
        assert!(start.elapsed() < Duration::from_secs(20), "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(10));
    }
    let kill = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    drop(stdin);
    assert_eq!(status.code(), Some(130));
    assert!(!out.exists());
    assert_eq!(temp_files(), 0);
}
