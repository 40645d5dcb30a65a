//! The conventions of command-line tools such as ripgrep, fd and bat: shell completions, a
//! manual page, `-` for standard input, `--json`, examples in `--help` that really run, and
//! a summary line after a batch run only for a person at a terminal.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::{stderr_of, testdata, tiny_table, zhvec};
use serde_json::Value;

/// The lines of `zhvec PATH --help` in the section that starts with `heading`, up to the next
/// unindented line.
fn help_section(path: &[String], heading: &str) -> Vec<String> {
    let out = zhvec().args(path).arg("--help").output().expect("runs");
    assert!(out.status.success(), "zhvec {path:?} --help failed: {}", stderr_of(&out));
    let text = String::from_utf8(out.stdout).expect("UTF-8 help");
    text.lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .map(str::to_string)
        .collect()
}

/// Every command path below `zhvec`, found by walking the "Commands:" sections of `--help`
/// (so commands added later are covered too), parents before their subcommands.
fn all_commands() -> Vec<Vec<String>> {
    fn walk(path: Vec<String>, found: &mut Vec<Vec<String>>) {
        let subs: Vec<String> = help_section(&path, "Commands:")
            .iter()
            // A name is indented by two spaces; wrapped descriptions are indented further.
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .filter(|name| name != "help")
            .collect();
        found.push(path.clone());
        for sub in subs {
            let mut p = path.clone();
            p.push(sub);
            walk(p, found);
        }
    }
    let mut found = Vec::new();
    walk(Vec::new(), &mut found);
    found
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

fn json_of(stdout: &[u8]) -> Value {
    let lines = json_lines(stdout);
    assert_eq!(lines.len(), 1, "expected one JSON line: {}", String::from_utf8_lossy(stdout));
    lines.into_iter().next().unwrap_or_default()
}

// ---------------------------------------------------------------- completions and man page

#[test]
fn completions_generate_for_every_shell_and_name_every_subcommand() {
    let commands = all_commands();
    // The top level, embed, segment, vocab (build, info, verify), eval (sts, words,
    // classify), completions and man at least.
    assert!(commands.len() >= 13, "found only {commands:?}");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = zhvec().args(["completions", shell]).output().expect("runs");
        assert!(out.status.success(), "{shell}: {}", stderr_of(&out));
        let script = String::from_utf8(out.stdout).expect("UTF-8 script");
        for path in commands.iter().filter(|p| !p.is_empty()) {
            let name = path.last().map(String::as_str).unwrap_or_default();
            assert!(script.contains(name), "the {shell} completions do not mention {name}");
        }
        // Long flags, written as each shell writes them (fish: `-l seg-dict`).
        assert!(script.contains("seg-dict") && script.contains("skip-bad"), "{shell}: flags are missing");
    }
}

#[test]
fn bash_completions_load_and_register_the_command() {
    let out = zhvec().args(["completions", "bash"]).output().expect("runs");
    let dir = tempfile::tempdir().expect("temporary folder");
    let script = dir.path().join("zhvec.bash");
    fs::write(&script, &out.stdout).expect("write the script");
    let check = Process::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p zhvec", script.display()))
        .output()
        .expect("bash runs");
    assert!(check.status.success(), "bash could not load the completions: {}", stderr_of(&check));
    assert!(String::from_utf8_lossy(&check.stdout).contains("zhvec"));
}

#[test]
fn unknown_shell_is_refused() {
    let out = zhvec().args(["completions", "tcsh"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("tcsh"));
}

#[test]
fn man_page_is_roff_with_a_section_for_every_subcommand() {
    let out = zhvec().arg("man").output().expect("runs");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let page = String::from_utf8(out.stdout).expect("UTF-8 roff");
    assert!(page.lines().any(|l| l.starts_with(".TH zhvec 1 ")), "no title line");
    // Only ASCII: other characters are written as roff escapes, which every formatter reads.
    assert!(page.is_ascii());
    assert!(page.contains("\\[u4ECA]\\[u5929]"), "今天 is not escaped");
    for section in ["NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "EXAMPLES"] {
        assert!(page.lines().any(|l| l == format!(".SH {section}")), "no {section} section");
    }
    for path in all_commands().iter().filter(|p| !p.is_empty()) {
        let heading = format!(".SS \"zhvec {}\"", path.join(" "));
        assert!(page.contains(&heading), "no section {heading}");
    }
    // Options of subcommands are there, with roff-escaped minus signs.
    assert!(page.contains("\\-\\-out\\-dir") && page.contains("\\-\\-skip\\-bad"));
}

#[test]
fn man_page_renders_without_warnings_where_groff_is_installed() {
    let Ok(groff) = Process::new("groff").arg("--version").output() else {
        eprintln!("groff is not installed: rendering not checked");
        return;
    };
    assert!(groff.status.success());
    let out = zhvec().arg("man").output().expect("runs");
    let dir = tempfile::tempdir().expect("temporary folder");
    let page = dir.path().join("zhvec.1");
    fs::write(&page, &out.stdout).expect("write the page");
    let render = Process::new("groff").args(["-man", "-Tutf8", "-ww", "-z"]).arg(&page).output().expect("groff");
    assert!(render.status.success());
    assert_eq!(stderr_of(&render), "", "groff warned about the page");
}

// ---------------------------------------------------------------- examples in --help

/// The files the examples name, made from testdata, and the table `my.zv` built from them.
fn example_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let d = dir.path();
    let copy = |from: &str, to: &str| {
        let to = d.join(to);
        fs::create_dir_all(to.parent().expect("a folder")).expect("create folder");
        fs::copy(testdata(from), to).expect("copy testdata");
    };
    copy("headlines.txt", "titles.txt");
    copy("headlines.txt", "corpus/a.txt");
    copy("embed/mixed.txt", "corpus/b.txt");
    copy("build/w2v.txt", "vectors.txt");
    copy("build/dict.txt", "dict.txt");
    copy("eval/sts.tsv", "pairs.tsv");
    copy("eval/words.tsv", "words.tsv");
    copy("eval/classify-train.tsv", "train.tsv");
    copy("eval/classify-test.tsv", "test.tsv");
    copy("analogy/questions.txt", "analogies.txt");
    let built = zhvec().current_dir(d).args(["vocab", "build", "--vectors", "vectors.txt", "-o", "my.zv"]).output();
    assert!(built.expect("runs").status.success());
    dir
}

/// The example commands in the help of `path`: the indented lines of "Examples:" that are
/// not `#` comments.
fn examples(path: &[String]) -> Vec<String> {
    help_section(path, "Examples:")
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The folder of the binary under test, to put first on PATH so `zhvec` in an example is it.
fn binary_folder() -> PathBuf {
    let bin = assert_cmd::cargo::cargo_bin("zhvec");
    bin.parent().expect("the binary is in a folder").to_path_buf()
}

fn run_example(dir: &Path, command: &str) -> std::process::Output {
    let path = format!("{}:{}", binary_folder().display(), std::env::var("PATH").unwrap_or_default());
    Process::new("bash")
        .args(["-o", "pipefail", "-c", command])
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir)
        .output()
        .expect("bash runs")
}

#[test]
fn the_top_level_and_each_main_subcommand_show_examples() {
    for path in [
        &[][..],
        &["embed"],
        &["segment"],
        &["vocab"],
        &["vocab", "build"],
        &["vocab", "info"],
        &["vocab", "verify"],
        &["eval"],
        &["eval", "sts"],
        &["eval", "words"],
        &["eval", "classify"],
        &["completions"],
        &["man"],
    ] {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        let found = examples(&path);
        assert!(!found.is_empty(), "zhvec {path:?} --help shows no examples");
        assert!(found.iter().all(|c| c.contains("zhvec")), "{found:?}");
    }
}

#[test]
fn every_example_in_help_runs() {
    let dir = example_folder();
    let mut ran = 0;
    for path in all_commands() {
        for command in examples(&path) {
            let out = run_example(dir.path(), &command);
            assert!(
                out.status.success(),
                "the example `{command}` (zhvec {path:?} --help) failed: {}",
                stderr_of(&out)
            );
            ran += 1;
        }
    }
    assert!(ran >= 30, "only {ran} examples ran");
    // The examples' outputs are real.
    assert!(fs::metadata(dir.path().join("vecs/a.npy")).is_ok_and(|m| m.len() > 128));
    let page = fs::read_to_string(dir.path().join("zhvec.1")).unwrap_or_default();
    assert!(page.contains("\n.TH zhvec 1 "), "no manual page written");
}

#[test]
fn a_failing_example_would_be_noticed() {
    // The runner reports a failure inside a pipe, which is how most examples are written.
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = run_example(dir.path(), "cat missing.tsv | zhvec eval sts -");
    assert!(!out.status.success());
}

// ---------------------------------------------------------------- `-` for standard input

#[test]
fn eval_reads_standard_input_for_dash() {
    let (_dir, table) = tiny_table();
    for (task, file) in [("sts", "eval/sts.tsv"), ("words", "eval/words.tsv")] {
        let from_file = zhvec().args(["eval", task, "--json", "--vocab"]).arg(&table).arg(testdata(file)).output();
        let from_file = json_of(&from_file.expect("runs").stdout);
        let out = zhvec()
            .args(["eval", task, "-", "--json", "--vocab"])
            .arg(&table)
            .pipe_stdin(testdata(file))
            .expect("stdin file")
            .output()
            .expect("runs");
        assert!(out.status.success(), "eval {task} -: {}", stderr_of(&out));
        let from_stdin = json_of(&out.stdout);
        assert_eq!(from_stdin["file"], "<stdin>");
        assert!(from_file["spearman"].is_number());
        assert_eq!(from_stdin["spearman"], from_file["spearman"], "eval {task}");
        assert_eq!(from_stdin["pairs"], from_file["pairs"]);
    }
}

#[test]
fn eval_classify_reads_either_file_from_standard_input() {
    let (_dir, table) = tiny_table();
    let (train, test) = (testdata("eval/classify-train.tsv"), testdata("eval/classify-test.tsv"));
    let run = |args: [&Path; 2], stdin: &Path| {
        let out = zhvec()
            .args(["eval", "classify", "--json", "--vocab"])
            .arg(&table)
            .args(args)
            .pipe_stdin(stdin)
            .expect("stdin file")
            .output()
            .expect("runs");
        assert!(out.status.success(), "{}", stderr_of(&out));
        json_of(&out.stdout)
    };
    let dash = Path::new("-");
    let both_files = run([&train, &test], &test);
    let test_piped = run([&train, dash], &test);
    let train_piped = run([dash, &test], &train);
    assert_eq!(both_files["accuracy"], 75.0);
    assert_eq!(test_piped["accuracy"], both_files["accuracy"]);
    assert_eq!(train_piped["accuracy"], both_files["accuracy"]);
    assert_eq!(test_piped["file"], "<stdin>");
    assert_eq!(train_piped["train"], "<stdin>");
}

#[test]
fn eval_classify_refuses_standard_input_twice() {
    let out = zhvec().args(["eval", "classify", "-", "-"]).write_stdin("北\tA\n").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("standard input (`-`) can be read only once"), "{}", stderr_of(&out));
}

#[test]
fn eval_errors_on_standard_input_name_it_with_the_line() {
    let out = zhvec().args(["eval", "sts", "-"]).write_stdin("北\t京\t1\n北\t京\tx\n").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("<stdin>:2:"), "{}", stderr_of(&out));
}

#[test]
fn segment_reads_standard_input_for_dash() {
    let file = testdata("headlines.txt");
    let from_file = zhvec().arg("segment").arg(&file).output().expect("runs");
    let from_stdin = zhvec().args(["segment", "-"]).pipe_stdin(&file).expect("stdin").output().expect("runs");
    assert!(from_stdin.status.success());
    assert!(!from_file.stdout.is_empty());
    assert_eq!(from_stdin.stdout, from_file.stdout);
}

#[test]
fn a_table_cannot_come_from_standard_input() {
    for args in [&["vocab", "verify", "-"][..], &["vocab", "info", "-"], &["embed", "--vocab", "-", "x.txt"]] {
        let out = zhvec().args(args).write_stdin("").output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr_of(&out);
        assert!(err.contains("standard input") && err.contains("memory-mapped"), "{args:?}: {err}");
    }
}

/// Embeds the headlines with `table`, as f32 bytes: what two tables must agree on.
fn rows_with(table: &Path) -> Vec<u8> {
    let out = zhvec().args(["embed", "-f", "f32", "-q", "--vocab"]).arg(table).arg(testdata("headlines.txt")).output();
    let out = out.expect("runs");
    assert!(out.status.success(), "{}", stderr_of(&out));
    out.stdout
}

/// Builds a table with `args` (plus `-o`), standard input from `stdin` when given.
fn build(dir: &Path, name: &str, args: &[&str], stdin: Option<&Path>) -> PathBuf {
    let out_path = dir.join(name);
    let mut cmd = zhvec();
    cmd.args(["vocab", "build", "-q"]).args(args).arg("-o").arg(&out_path);
    if let Some(stdin) = stdin {
        cmd.pipe_stdin(stdin).expect("stdin file");
    }
    let out = cmd.output().expect("runs");
    assert!(out.status.success(), "vocab build {args:?}: {}", stderr_of(&out));
    out_path
}

#[test]
fn vocab_build_reads_each_input_kind_from_standard_input() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let d = dir.path();
    let w2v = testdata("build/w2v.txt");
    let w2v_s = w2v.to_str().expect("UTF-8 path");
    let dict = testdata("build/dict.txt");
    let dict_s = dict.to_str().expect("UTF-8 path");
    let corpus = testdata("headlines.txt");
    let corpus_s = corpus.to_str().expect("UTF-8 path");
    let cases: [(&[&str], &[&str], &Path); 4] = [
        (&["--vectors", w2v_s], &["--vectors", "-"], &w2v),
        (&["--vectors", w2v_s, "--char-vectors", w2v_s], &["--vectors", w2v_s, "--char-vectors", "-"], &w2v),
        (&["--vectors", w2v_s, "--freq", dict_s], &["--vectors", w2v_s, "--freq", "-"], &dict),
        (&["--vectors", w2v_s, "--corpus", corpus_s], &["--vectors", w2v_s, "--corpus", "-"], &corpus),
    ];
    for (i, (files, piped, stdin)) in cases.iter().enumerate() {
        let a = build(d, &format!("file{i}.zv"), files, None);
        let b = build(d, &format!("stdin{i}.zv"), piped, Some(stdin));
        let rows = rows_with(&a);
        assert!(rows.iter().any(|b| *b != 0), "case {i}: the table embeds nothing");
        assert_eq!(rows_with(&b), rows, "case {i}: {piped:?} differs from {files:?}");
    }
}

#[test]
fn vocab_build_reads_word2vec_binary_from_standard_input() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let d = dir.path();
    let mut bin = b"3 2\n".to_vec();
    for (word, v) in [("北京", [1.0f32, 2.0]), ("天气", [3.0, 4.0]), ("很", [1.0, 1.0])] {
        bin.extend_from_slice(word.as_bytes());
        bin.push(b' ');
        v.iter().for_each(|x| bin.extend_from_slice(&x.to_le_bytes()));
        bin.push(b'\n');
    }
    let file = d.join("vectors.bin");
    fs::write(&file, &bin).expect("write");
    let file_s = file.to_str().expect("UTF-8 path");
    let a = build(d, "file.zv", &["--vectors", file_s, "--vectors-format", "binary"], None);
    let b = build(d, "stdin.zv", &["--vectors", "-", "--vectors-format", "binary"], Some(&file));
    let rows = rows_with(&a);
    assert!(rows.iter().any(|b| *b != 0));
    assert_eq!(rows_with(&b), rows);
}

// ---------------------------------------------------------------- --json

#[test]
fn segment_json_is_one_array_of_the_tokens_per_line() {
    let file = testdata("headlines.txt");
    let plain = zhvec().arg("segment").arg(&file).output().expect("runs");
    let json = zhvec().args(["segment", "--json"]).arg(&file).output().expect("runs");
    assert!(json.status.success(), "{}", stderr_of(&json));
    let plain = String::from_utf8(plain.stdout).expect("UTF-8");
    let rows = json_lines(&json.stdout);
    assert_eq!(rows.len(), plain.lines().count());
    assert!(rows.len() >= 10);
    for (row, line) in rows.iter().zip(plain.lines()) {
        let tokens: Vec<&str> =
            row.as_array().expect("an array").iter().map(|t| t.as_str().expect("a string")).collect();
        assert_eq!(tokens, line.split(' ').filter(|t| !t.is_empty()).collect::<Vec<_>>());
    }
}

#[test]
fn segment_json_escapes_quotes_and_keeps_empty_lines() {
    let out = zhvec().args(["segment", "--json"]).write_stdin("\"北京\"\\\n\n").output().expect("runs");
    let rows = json_lines(&out.stdout);
    assert_eq!(rows.len(), 2);
    let tokens: Vec<&str> = rows[0].as_array().expect("array").iter().filter_map(Value::as_str).collect();
    assert_eq!(tokens.concat(), "\"北京\"\\");
    assert_eq!(rows[1], serde_json::json!([]));
}

#[test]
fn segment_json_explain_gives_each_token_its_source() {
    let (_dir, table) = tiny_table();
    let input = "北京天气很好abc\n今天\n";
    let run = |json: bool| {
        let mut cmd = zhvec();
        cmd.args(["segment", "--explain", "--vocab"]).arg(&table).write_stdin(input);
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().expect("runs");
        assert!(out.status.success(), "{}", stderr_of(&out));
        out.stdout
    };
    let text = String::from_utf8(run(false)).expect("UTF-8");
    let rows = json_lines(&run(true));
    assert_eq!(rows.len(), 2);
    let mut sources = Vec::new();
    for (row, line) in rows.iter().zip(text.lines()) {
        let objects = row.as_array().expect("an array");
        let explained: Vec<&str> = line.split(' ').collect();
        assert_eq!(objects.len(), explained.len());
        for (o, e) in objects.iter().zip(explained) {
            let token = o["token"].as_str().expect("a token");
            let source = o["source"].as_str().expect("a source");
            let expected = match source {
                "word" => format!("{token}/w"),
                "none" => format!("{token}/-"),
                "fallback" => {
                    let chars: Vec<&str> =
                        o["chars"].as_array().expect("chars").iter().filter_map(Value::as_str).collect();
                    format!("{token}/c:{}", chars.concat())
                }
                other => panic!("unknown source {other:?}"),
            };
            assert_eq!(expected, e);
            sources.push(source.to_string());
        }
    }
    for kind in ["word", "fallback", "none"] {
        assert!(sources.iter().any(|s| s == kind), "no {kind} token in {sources:?}");
    }
}

#[test]
fn vocab_verify_json_reports_the_table() {
    let (_dir, table) = tiny_table();
    let out = zhvec().args(["vocab", "verify", "--json"]).arg(&table).output().expect("runs");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v = json_of(&out.stdout);
    let info = json_of(&zhvec().args(["vocab", "info", "--json"]).arg(&table).output().expect("runs").stdout);
    assert_eq!(v["ok"], true);
    assert_eq!(v["path"], table.display().to_string());
    assert_eq!(v["words"], 3);
    assert_eq!(v["chars"], 8);
    assert_eq!(v["bytes"], info["file_size"]);
    assert_eq!(v["bytes"], fs::metadata(&table).expect("table").len());
}

#[test]
fn vocab_verify_json_reports_a_corrupt_table_and_fails() {
    let (dir, table) = tiny_table();
    let mut bytes = fs::read(&table).expect("table");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    let bad = dir.path().join("bad.zv");
    fs::write(&bad, bytes).expect("write");
    let out = zhvec().args(["vocab", "verify", "--json"]).arg(&bad).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let v = json_of(&out.stdout);
    assert_eq!(v["ok"], false);
    assert_eq!(v["path"], bad.display().to_string());
    let error = v["error"].as_str().expect("an error message");
    assert!(!error.is_empty() && stderr_of(&out).contains(error), "{error} / {}", stderr_of(&out));
}

#[test]
fn vocab_build_json_summary_matches_the_table() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out_path = dir.path().join("t.zv");
    let out = zhvec()
        .args(["vocab", "build", "--json", "--vectors"])
        .arg(testdata("build/w2v.txt"))
        .arg("-o")
        .arg(&out_path)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr_of(&out));
    // The summary is on stdout as JSON, and not repeated as a line on stderr.
    assert!(!stderr_of(&out).contains("rows read"), "{}", stderr_of(&out));
    let s = json_of(&out.stdout);
    let info = json_of(&zhvec().args(["vocab", "info", "--json"]).arg(&out_path).output().expect("runs").stdout);
    assert_eq!(s["output"], out_path.display().to_string());
    assert_eq!(s["rows"], 6);
    assert_eq!(s["words"], info["words"]);
    assert_eq!(s["chars"], info["chars"]);
    assert_eq!(s["skipped"], 0);
    assert_eq!(s["duplicates"], 0);
    let size = fs::metadata(testdata("build/w2v.txt")).expect("file").len();
    assert!(s["input_bytes"].as_u64().is_some_and(|n| n > 0 && n <= size), "{s}");
    for key in ["derived_chars", "seconds", "read_seconds", "mb_per_s"] {
        assert!(s[key].is_number(), "{key} missing in {s}");
    }
}

#[test]
fn vocab_build_json_refuses_a_table_on_standard_output() {
    let out =
        zhvec().args(["vocab", "build", "--json", "-o", "-", "--vectors"]).arg(testdata("build/w2v.txt")).output();
    let out = out.expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(stderr_of(&out).contains("--json"), "{}", stderr_of(&out));
}

// ---------------------------------------------------------------- batch summary

fn batch_args(dir: &Path, quiet: bool) -> Vec<String> {
    let mut args = vec!["embed", "a.txt", "b.txt", "--out-dir", "vecs", "-f", "npy"];
    if quiet {
        args.push("-q");
    }
    for name in ["a.txt", "b.txt"] {
        fs::copy(testdata("headlines.txt"), dir.join(name)).expect("copy");
    }
    args.iter().map(|s| s.to_string()).collect()
}

#[test]
fn batch_summary_stays_off_when_stderr_is_no_terminal() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = zhvec().current_dir(dir.path()).args(batch_args(dir.path(), false)).output().expect("runs");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stderr_of(&out), "");
    assert!(dir.path().join("vecs/b.npy").exists());
}

/// Runs `zhvec ARGS` under a pseudo-terminal with `script` (util-linux); `None` without it.
fn on_terminal(dir: &Path, args: &[String]) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("zhvec");
    let line = format!("{} {}", bin.display(), args.join(" "));
    let out = Process::new("script").args(["-qec", &line, "/dev/null"]).current_dir(dir).output().ok()?;
    assert!(out.status.success(), "{}", stderr_of(&out));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn batch_summary_shows_on_a_terminal_unless_quiet() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let Some(shown) = on_terminal(dir.path(), &batch_args(dir.path(), false)) else {
        eprintln!("`script` is not installed: the terminal case is left to the unit test");
        return;
    };
    assert!(shown.contains("zhvec: 60 rows from 2 files to vecs/a.npy, vecs/b.npy in "), "{shown:?}");
    let quiet = on_terminal(dir.path(), &batch_args(dir.path(), true)).unwrap_or_default();
    assert!(!quiet.contains("rows from"), "{quiet:?}");
}
