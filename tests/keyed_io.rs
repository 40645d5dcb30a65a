//! Keyed input (`--input-format tsv`) and the environment defaults (ZHVEC_VOCAB,
//! ZHVEC_THREADS), through the real binary.

mod common;

use common::{f32s, stderr_of, testdata, tiny_table, write, zhvec};

/// The headlines of testdata, each with a key that JSON and tsv treat specially somewhere.
fn keyed_headlines() -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(testdata("headlines.txt")).unwrap();
    let texts: Vec<String> = text.lines().map(str::to_string).collect();
    let specials = ["", "a b", "引号\"", "back\\slash", "ünï", "{}", "0001", "key with\u{1}control"];
    let keys = (0..texts.len()).map(|i| format!("{}{i}", specials[i % specials.len()])).collect();
    (keys, texts)
}

fn keyed_input(keys: &[String], texts: &[String]) -> String {
    keys.iter().zip(texts).map(|(k, t)| format!("{k}\t{t}\n")).collect()
}

/// The npy rows of `texts` embedded alone, one per line.
fn direct_rows(texts: &[String], extra: &[&str]) -> Vec<Vec<f32>> {
    let out =
        zhvec().args(["embed", "-q", "-f", "npy"]).args(extra).write_stdin(texts.join("\n") + "\n").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let values = f32s(&out.stdout[128..]);
    let dim = values.len() / texts.len();
    values.chunks(dim).map(<[f32]>::to_vec).collect()
}

fn embed_keyed(input: &str, extra: &[&str]) -> String {
    let out = zhvec().args(["embed", "-q", "--input-format", "tsv"]).args(extra).write_stdin(input).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn bits(row: &[f32]) -> Vec<u32> {
    row.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn tsv_rows_carry_their_keys_and_the_vectors_of_their_texts() {
    let (keys, texts) = keyed_headlines();
    let direct = direct_rows(&texts, &[]);
    let out = embed_keyed(&keyed_input(&keys, &texts), &["-f", "tsv"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), texts.len());
    for ((line, key), want) in lines.iter().zip(&keys).zip(&direct) {
        let (k, floats) = line.split_once('\t').unwrap();
        assert_eq!(k, key);
        let got: Vec<f32> = floats.split('\t').map(|s| s.parse().unwrap()).collect();
        assert_eq!(bits(&got), bits(want), "key {key:?}");
    }
}

#[test]
fn jsonl_rows_carry_keys_as_json_strings() {
    let (keys, texts) = keyed_headlines();
    let direct = direct_rows(&texts, &["--normalize", "all"]);
    let input = keyed_input(&keys, &texts);
    for extra in [&[][..], &["--with-line"], &["--with-text"], &["--with-line", "--with-text"]] {
        let args: Vec<&str> = ["--normalize", "all"].iter().chain(extra).copied().collect();
        let out = embed_keyed(&input, &args);
        for (i, line) in out.lines().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let fields: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            let mut want_fields = vec!["key", "vector"];
            if extra.contains(&"--with-line") {
                assert_eq!(v["line"], i + 1);
                want_fields.push("line");
            }
            if extra.contains(&"--with-text") {
                assert_eq!(v["text"], texts[i].as_str());
                want_fields.push("text");
            }
            want_fields.sort();
            assert_eq!(fields, want_fields, "{extra:?}");
            assert_eq!(v["key"], keys[i].as_str());
            let got: Vec<f32> = serde_json::from_value(v["vector"].clone()).unwrap();
            assert_eq!(bits(&got), bits(&direct[i]));
        }
    }
}

#[test]
fn the_text_is_everything_after_the_first_tab() {
    let (_dir, table) = tiny_table();
    let table = table.to_str().unwrap();
    let out = embed_keyed("k\t北京\t天气\n", &["--vocab", table, "-f", "tsv"]);
    let alone =
        zhvec().args(["embed", "-q", "--vocab", table, "-f", "tsv"]).write_stdin("北京\t天气\n").output().unwrap();
    assert_eq!(out, format!("k\t{}", String::from_utf8(alone.stdout).unwrap()));
    let json = embed_keyed("k\t北京\t天气\n", &["--vocab", table, "--with-text"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["text"], "北京\t天气");
    // CRLF line ends are not part of the text.
    assert_eq!(embed_keyed("k\t北京\t天气\r\n", &["--vocab", table, "-f", "tsv"]), out);
}

#[test]
fn a_line_without_a_tab_is_refused_with_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    for (body, line) in [("a\tx\nb\ty\nno tab here\n", 3), ("a\tx\n\nb\ty\n", 2)] {
        let path = write(&dir, "keys.tsv", body);
        let out = zhvec().args(["embed", "-q", "--input-format", "tsv", "-f", "tsv"]).arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = stderr_of(&out);
        assert!(err.contains(&format!("{}:{line}: no tab", path.display())), "{err}");
    }
    let target = dir.path().join("out.tsv");
    let out = zhvec()
        .args(["embed", "-q", "--input-format", "tsv", "-f", "tsv", "-o"])
        .arg(&target)
        .write_stdin("a\tx\nbad\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("<stdin>:2: no tab"), "{}", stderr_of(&out));
    assert!(!target.exists(), "a failed run left a partial output");
}

#[test]
fn binary_formats_refuse_keys() {
    for format in ["npy", "f32"] {
        let out = zhvec()
            .args(["embed", "-q", "--input-format", "tsv", "-f", format])
            .write_stdin("k\tx\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = stderr_of(&out);
        assert!(err.contains("--input-format tsv needs --format tsv or jsonl") && err.contains("cut -f1"), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn keys_stay_in_order_across_chunks_and_threads() {
    let (_dir, table) = tiny_table();
    let words = ["北京", "天气", "今天", "很好", "🙂", ""];
    let input: String = (0..40_000).map(|i| format!("id-{i}\t{}{}\n", words[i % 6], words[(i / 6) % 6])).collect();
    let run = |threads: &str| {
        embed_keyed(&input, &["--vocab", table.to_str().unwrap(), "-f", "tsv", "--digits", "3", "-j", threads])
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("5"));
    for (i, line) in one.lines().enumerate() {
        assert!(line.starts_with(&format!("id-{i}\t")), "line {i}: {line}");
    }
}

#[test]
fn zhvec_vocab_is_the_default_table() {
    let (_dir, table) = tiny_table();
    let flag =
        zhvec().args(["embed", "-q", "-f", "tsv", "--vocab"]).arg(&table).write_stdin("北京天气\n").output().unwrap();
    let env = zhvec()
        .args(["embed", "-q", "-f", "tsv"])
        .env("ZHVEC_VOCAB", &table)
        .write_stdin("北京天气\n")
        .output()
        .unwrap();
    assert!(flag.status.success() && env.status.success());
    assert_eq!(env.stdout, flag.stdout);
    assert_eq!(String::from_utf8(env.stdout).unwrap(), "2.0\t3.0\t1.75\t0.75\n");
    // The flag wins over the environment.
    let both = zhvec()
        .args(["embed", "-q", "-f", "tsv", "--vocab"])
        .arg(&table)
        .env("ZHVEC_VOCAB", "/nonexistent/table.zv")
        .write_stdin("北京天气\n")
        .output()
        .unwrap();
    assert_eq!(both.stdout, flag.stdout);
    // segment and eval read it too.
    let seg =
        zhvec().args(["segment", "--explain"]).env("ZHVEC_VOCAB", &table).write_stdin("北京天气\n").output().unwrap();
    assert!(seg.status.success());
    assert!(String::from_utf8_lossy(&seg.stdout).contains("北京"));
}

#[test]
fn a_missing_zhvec_vocab_says_where_its_name_came_from() {
    for cmd in [&["embed"][..], &["segment"], &["eval", "words", "pairs.tsv"]] {
        let out = zhvec().args(cmd).env("ZHVEC_VOCAB", "/nonexistent/table.zv").write_stdin("x\n").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd:?}");
        let err = stderr_of(&out);
        assert!(err.contains("/nonexistent/table.zv") && err.contains("ZHVEC_VOCAB"), "{cmd:?}: {err}");
    }
    // Named on the command line, the message does not blame the environment.
    let out = zhvec().args(["embed", "--vocab", "/nonexistent/table.zv"]).write_stdin("x\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr_of(&out).contains("ZHVEC_VOCAB"), "{}", stderr_of(&out));
    // A table that exists but is not one: the message says ZHVEC_VOCAB named it.
    let dir = tempfile::tempdir().unwrap();
    let bad = write(&dir, "bad.zv", "not a table");
    let out = zhvec().args(["embed"]).env("ZHVEC_VOCAB", &bad).write_stdin("x\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("ZHVEC_VOCAB"), "{}", stderr_of(&out));
}

#[test]
fn zhvec_threads_sets_the_worker_count() {
    let input = "北京\n".repeat(100);
    let out = zhvec()
        .args(["embed", "-q", "-f", "tsv"])
        .env("ZHVEC_THREADS", "1")
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    let plain = zhvec().args(["embed", "-q", "-f", "tsv"]).write_stdin(input).output().unwrap();
    assert_eq!(out.stdout, plain.stdout);
    let bad = zhvec().args(["embed", "-q"]).env("ZHVEC_THREADS", "many").write_stdin("x\n").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr_of(&bad).contains("many"), "{}", stderr_of(&bad));
    // Set but empty is unset, for both variables.
    let empty = zhvec()
        .args(["embed", "-q", "-f", "tsv"])
        .env("ZHVEC_THREADS", "")
        .env("ZHVEC_VOCAB", "")
        .write_stdin("北京\n".repeat(100))
        .output()
        .unwrap();
    assert!(empty.status.success(), "{}", stderr_of(&empty));
    assert_eq!(empty.stdout, plain.stdout);
    let zero = zhvec().args(["embed", "-q"]).env("ZHVEC_THREADS", "0").write_stdin("x\n").output().unwrap();
    assert_eq!(zero.status.code(), Some(2));
}

#[test]
fn help_names_the_environment_variables() {
    let out = zhvec().args(["embed", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for name in ["ZHVEC_VOCAB", "ZHVEC_THREADS", "--input-format", "--digits"] {
        assert!(help.contains(name), "embed --help lacks {name}");
    }
    let out = zhvec().args(["segment", "--help"]).output().unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("[env: ZHVEC_VOCAB"));
}
