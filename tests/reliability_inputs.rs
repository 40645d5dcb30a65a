//! The input side as the real binary sees it: over-long lines, thread counts, UTF-16 and
//! invalid UTF-8 inputs, undefined scores, and the flags each subcommand takes.

mod common;

use std::fs;
use std::path::PathBuf;

use assert_cmd::Command;

use common::{tiny_table as table, zhvec};

fn build_data(name: &str) -> PathBuf {
    common::testdata(&format!("build/{name}"))
}

/// Runs `cmd`, expects exit code 2, and returns stderr.
fn fails(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    err
}

/// Runs `cmd`, expects success, and returns (stdout, stderr).
fn succeeds(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(out.status.success(), "stderr: {stderr}");
    (stdout, stderr)
}

#[test]
fn a_line_over_the_limit_is_refused_with_its_line_number() {
    let (_d, vocab) = table();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.npy");
    let mut input = b"ok\n".to_vec();
    input.resize(input.len() + (65 << 20), b'x');
    let err = fails(zhvec().args(["embed", "-f", "npy", "-o"]).arg(&out).arg("--vocab").arg(&vocab).write_stdin(input));
    assert!(err.contains("<stdin>:2: a line longer than 64 MB"), "{err}");
    assert!(!out.exists(), "no output from a refused input");
}

#[test]
fn a_huge_thread_count_is_capped_with_a_note() {
    let (_d, vocab) = table();
    let text = "北京天气\n今天很好\n".repeat(50);
    let run = |extra: &[&str]| {
        succeeds(zhvec().arg("embed").args(extra).arg("--vocab").arg(&vocab).write_stdin(text.clone()))
    };
    let (one, _) = run(&["-j", "1"]);
    let (many, note) = run(&["--threads", "1000000"]);
    assert_eq!(many, one, "the output does not depend on the threads");
    assert!(note.contains("note: using") && note.contains("threads"), "{note:?}");
    let (quiet, nothing) = run(&["--threads", "1000000", "--quiet"]);
    assert_eq!((quiet.as_str(), nothing.as_str()), (one.as_str(), ""));
    // Within the cap, nothing to say.
    let (_, silent) = run(&["-j", "2"]);
    assert_eq!(silent, "");
}

#[test]
fn zero_threads_is_refused_everywhere() {
    let (_d, vocab) = table();
    let err = fails(zhvec().args(["embed", "-j", "0", "--vocab"]).arg(&vocab).write_stdin("北京\n"));
    assert!(err.contains("--threads must be at least 1"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let err = fails(
        zhvec()
            .args(["vocab", "build", "-j", "0", "--vectors"])
            .arg(build_data("w2v.txt"))
            .arg("-o")
            .arg(dir.path().join("t.zv")),
    );
    assert!(err.contains("--threads must be at least 1"), "{err}");
}

const UTF16_HINT: &str = "iconv -f UTF-16 -t UTF-8";

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian { vec![0xfe, 0xff] } else { vec![0xff, 0xfe] };
    for u in text.encode_utf16() {
        out.extend(if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    }
    out
}

#[test]
fn utf16_inputs_are_named_as_such() {
    let (_d, vocab) = table();
    let dir = tempfile::tempdir().unwrap();
    for (i, be) in [false, true].into_iter().enumerate() {
        let file = dir.path().join(format!("in{i}.txt"));
        fs::write(&file, utf16("北京天气\n今天\n", be)).unwrap();
        for sub in ["embed", "segment"] {
            let err = fails(zhvec().arg(sub).arg("--vocab").arg(&vocab).arg(&file));
            assert!(err.contains("in") && err.contains("is UTF-16") && err.contains(UTF16_HINT), "{sub}: {err}");
            let err = fails(zhvec().arg(sub).arg("--vocab").arg(&vocab).write_stdin(utf16("北京\n", be)));
            assert!(err.contains("<stdin>: the input is UTF-16") && err.contains(UTF16_HINT), "{sub}: {err}");
        }
        let err = fails(
            zhvec()
                .args(["vocab", "build", "--vectors"])
                .arg(build_data("w2v.txt"))
                .arg("--corpus")
                .arg(&file)
                .arg("-o")
                .arg(dir.path().join("t.zv")),
        );
        assert!(err.contains(&format!("in{i}.txt: the input is UTF-16")) && err.contains(UTF16_HINT), "{err}");
        let pairs = dir.path().join(format!("pairs{i}.tsv"));
        fs::write(&pairs, utf16("北京\t天气\t1\n", be)).unwrap();
        let err = fails(zhvec().args(["eval", "sts", "--vocab"]).arg(&vocab).arg(&pairs));
        assert!(err.contains("is UTF-16") && err.contains(UTF16_HINT), "{err}");
    }
}

#[test]
fn a_corpus_with_invalid_utf8_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.txt");
    fs::write(&corpus, b"\xe4\xb8\xad\xe5\x9b\xbd\n\xe4\xb8\xad\xff\xe5\x9b\xbd\n").unwrap();
    let out = dir.path().join("t.zv");
    let err = fails(
        zhvec()
            .args(["vocab", "build", "--vectors"])
            .arg(build_data("w2v.txt"))
            .arg("--corpus")
            .arg(&corpus)
            .arg("-o")
            .arg(&out),
    );
    assert!(err.contains("corpus.txt:2: invalid UTF-8 at byte 4 of the line"), "{err}");
    assert!(!out.exists());
    // The same corpus, valid, builds.
    fs::write(&corpus, "中国\n中国人\n").unwrap();
    succeeds(
        zhvec()
            .args(["vocab", "build", "--vectors"])
            .arg(build_data("w2v.txt"))
            .arg("--corpus")
            .arg(&corpus)
            .arg("-o")
            .arg(&out),
    );
}

#[test]
fn spearman_over_one_pair_or_a_constant_column_is_undefined() {
    let (_d, vocab) = table();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("one.tsv", "北京\t天气\t3\n", "a rank correlation needs at least two pairs", "over 1 pair ("),
        ("flat.tsv", "北京\t天气\t2\n今天\t很好\t2\n北京\t北京\t2\n", "every gold score is the same", "over 3 pairs"),
    ];
    for kind in ["sts", "words"] {
        for (name, text, reason, over) in cases {
            let file = dir.path().join(name);
            fs::write(&file, text).unwrap();
            let (out, _) = succeeds(zhvec().args(["eval", kind, "--vocab"]).arg(&vocab).arg(&file));
            assert!(out.contains("spearman undefined") && out.contains(reason) && out.contains(over), "{out}");
            assert!(!out.contains("0.00"), "{out}");
            let (out, _) = succeeds(zhvec().args(["eval", kind, "--json", "--vocab"]).arg(&vocab).arg(&file));
            let j: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
            assert!(j["spearman"].is_null(), "{j}");
            assert!(j["reason"].as_str().is_some_and(|r| r.contains(reason)), "{j}");
        }
    }
}

#[test]
fn segment_takes_only_the_table_flags() {
    let (_d, vocab) = table();
    for flag in [&["--weighting", "sif"][..], &["--sif-a", "0.5"], &["--normalize", "all"], &["--channels", "word"]] {
        let err = fails(zhvec().arg("segment").args(flag).arg("--vocab").arg(&vocab).write_stdin("北京\n"));
        assert!(err.contains(&format!("unexpected argument '{}'", flag[0])), "{err}");
    }
    let (out, _) =
        succeeds(zhvec().args(["segment", "--seg-dict", "vocab", "--vocab"]).arg(&vocab).write_stdin("北京天气\n"));
    assert_eq!(out, "北京 天气\n");
}

#[test]
fn a_negative_sif_a_is_a_bad_value_not_an_unknown_flag() {
    let (_d, vocab) = table();
    for a in ["-1", "0", "-0.5", "nan", "inf"] {
        let err = fails(
            zhvec().args(["embed", "--weighting", "sif", "--sif-a", a, "--vocab"]).arg(&vocab).write_stdin("北京\n"),
        );
        assert!(err.contains("--sif-a") && err.contains("must be a positive, finite number"), "{a}: {err}");
        assert!(!err.contains("unexpected argument"), "{a}: {err}");
    }
    let err = fails(zhvec().args(["eval", "sts", "--sif-a=-2", "--vocab"]).arg(&vocab).arg("x.tsv"));
    assert!(err.contains("must be a positive, finite number"), "{err}");
}

#[test]
fn counts_of_one_are_singular() {
    let (_d, vocab) = table();
    let (_, err) = succeeds(zhvec().args(["embed", "--lossy", "--vocab"]).arg(&vocab).write_stdin(&b"\xff\n"[..]));
    assert_eq!(err, "zhvec: replaced invalid UTF-8 in 1 line\n");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.f32");
    let (_, err) =
        succeeds(zhvec().args(["embed", "-f", "f32", "-o"]).arg(&out).arg("--vocab").arg(&vocab).write_stdin("北京\n"));
    assert!(err.ends_with(", 1 row\n"), "{err}");
    let (train, test) = (dir.path().join("train.tsv"), dir.path().join("test.tsv"));
    fs::write(&train, "北京\ta\n").unwrap();
    fs::write(&test, "天气\ta\n").unwrap();
    let (out, _) = succeeds(zhvec().args(["eval", "classify", "--vocab"]).arg(&vocab).arg(&train).arg(&test));
    assert!(out.ends_with("over 1 row (1 training row)\n"), "{out}");
}
