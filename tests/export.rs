//! `zhvec vocab export`: npy + token list, word2vec text and binary; round trips through
//! `vocab build` and refusals.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{f32s, stderr_of, write, zhvec};
use zhvec::vocab::quant::{f16_to_f32, f32_to_f16};
use zhvec::vocab::{write_vocab, Dtype, Kind, TableData, Vocab, VocabData};

/// Every row of a table: (table, name, value bits), in row order, words first.
fn rows_of(path: &Path) -> Vec<(Kind, String, Vec<u32>)> {
    let v = Vocab::open(path).unwrap();
    let mut out = Vec::new();
    for kind in [Kind::Word, Kind::Char] {
        for e in v.entries(kind) {
            let mut vals = vec![0f32; e.row.dim()];
            e.row.read_into(&mut vals);
            out.push((kind, e.name.to_string(), vals.iter().map(|x| x.to_bits()).collect()));
        }
    }
    out
}

/// A word2vec text file of 40 words and 6 characters of 7 dims whose values need all
/// nine significant digits, with zeros of both signs and tiny and large values. Its table
/// has 18 characters: 12 more are derived from the words (词, 语 and the digits).
fn awkward_vectors(dir: &tempfile::TempDir) -> PathBuf {
    let mut text = String::from("46 7\n");
    let mut seed = 0x9e37_79b9u32;
    let mut next = || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        seed
    };
    let chars = ["中", "国", "人", "大", "小", "天"];
    for i in 0..46 {
        let name = if i < 40 { format!("词{i}语") } else { chars[i - 40].to_string() };
        text.push_str(&name);
        for k in 0..7 {
            let r = next();
            let x = match k {
                0 if i % 5 == 0 => -0.0,
                1 if i % 7 == 0 => 0.0,
                2 => f32::from_bits(0x3000_0000 | (r >> 9)) * if r & 1 == 1 { -1.0 } else { 1.0 },
                3 => (r as f32 / u32::MAX as f32 - 0.5) * 1e4,
                _ => (r as f32 / u32::MAX as f32 - 0.5) / 3.0,
            };
            text.push_str(&format!(" {x:e}"));
        }
        text.push('\n');
    }
    write(dir, "awkward.txt", text)
}

fn build(vectors: &Path, dtype: &str, out: &Path) {
    let o = zhvec()
        .args(["vocab", "build", "-q", "--dtype", dtype, "--vectors"])
        .arg(vectors)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
}

fn export(table: &Path, args: &[&str], out: &Path) {
    let o = zhvec().args(["vocab", "export"]).arg(table).args(args).arg("-o").arg(out).output().unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    assert!(stderr_of(&o).contains("exported"), "{}", stderr_of(&o));
}

#[test]
fn word2vec_text_and_binary_rebuild_identical_rows() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.zv");
    build(&awkward_vectors(&dir), "f32", &first);
    let want = rows_of(&first);
    assert_eq!(want.len(), 58);
    for format in ["w2v", "w2v-binary"] {
        let exported = dir.path().join(format!("out.{format}"));
        export(&first, &["--format", format], &exported);
        let again = dir.path().join(format!("again-{format}.zv"));
        build(&exported, "f32", &again);
        assert_eq!(rows_of(&again), want, "{format}");
    }
    // The text holds the header and the shortest decimals that read back.
    let text = fs::read_to_string(dir.path().join("out.w2v")).unwrap();
    assert!(text.starts_with("58 7\n词0语 -0 "), "{}", &text[..40]);
}

#[test]
fn npy_and_token_list_hold_every_row_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t.zv");
    build(&awkward_vectors(&dir), "int8", &table);
    let want = rows_of(&table);
    let npy = dir.path().join("t.npy");
    export(&table, &["--format", "npy"], &npy);
    let bytes = fs::read(&npy).unwrap();
    let header = String::from_utf8_lossy(&bytes[10..128]).to_string();
    assert!(header.contains("'descr': '<f4'") && header.contains("'shape': (58, 7)"), "{header}");
    let values = f32s(&bytes[128..]);
    let tokens = fs::read_to_string(dir.path().join("t.vocab.txt")).unwrap();
    let tokens: Vec<&str> = tokens.lines().collect();
    assert_eq!(tokens.len(), 58);
    for (i, (_, name, bits)) in want.iter().enumerate() {
        assert_eq!(tokens[i], name);
        let row: Vec<u32> = values[i * 7..(i + 1) * 7].iter().map(|x| x.to_bits()).collect();
        assert_eq!(&row, bits, "row {i} {name}");
    }

    // float16 and the word table alone.
    let half = dir.path().join("words16.npy");
    export(&table, &["--format", "npy", "--dtype", "f16", "--table", "words"], &half);
    let bytes = fs::read(&half).unwrap();
    assert!(
        String::from_utf8_lossy(&bytes[10..128]).contains("'descr': '<f2', 'fortran_order': False, 'shape': (40, 7)")
    );
    let halves: Vec<u16> = bytes[128..].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    assert_eq!(halves.len(), 40 * 7);
    for (i, (kind, _, bits)) in want.iter().take(40).enumerate() {
        assert_eq!(*kind, Kind::Word);
        for (k, &b) in bits.iter().enumerate() {
            assert_eq!(halves[i * 7 + k], f32_to_f16(f32::from_bits(b)));
        }
    }
    assert_eq!(fs::read_to_string(dir.path().join("words16.vocab.txt")).unwrap().lines().count(), 40);
}

#[test]
fn f16_tables_export_their_values_widened_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("h.zv");
    build(&awkward_vectors(&dir), "f16", &table);
    let out = dir.path().join("h.txt");
    export(&table, &["--format", "w2v", "--table", "chars"], &out);
    let text = fs::read_to_string(&out).unwrap();
    let want = rows_of(&table);
    let chars: Vec<_> = want.iter().filter(|r| r.0 == Kind::Char).collect();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("18 7"));
    assert_eq!(chars.len(), 18);
    for ((_, name, bits), line) in chars.iter().zip(lines) {
        let mut f = line.split(' ');
        assert_eq!(f.next(), Some(name.as_str()));
        let vals: Vec<u32> = f.map(|v| v.parse::<f32>().unwrap().to_bits()).collect();
        assert_eq!(&vals, bits);
        // Each value is an f16 value.
        assert!(vals.iter().all(|&b| f16_to_f32(f32_to_f16(f32::from_bits(b))).to_bits() == b));
    }
}

#[test]
fn tokens_word2vec_cannot_hold_are_refused_with_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut words = TableData::new(2);
    words.push("北京".into(), &[1.0, 2.0], 10);
    words.push("New York".into(), &[3.0, 4.0], 5);
    let table = dir.path().join("space.zv");
    let data = VocabData { words, chars: TableData::new(2), dtype: Dtype::F32, meta: serde_json::json!({}) };
    write_vocab(&table, &data).unwrap();
    let out = dir.path().join("space.txt");
    for format in ["w2v", "w2v-binary"] {
        let o =
            zhvec().args(["vocab", "export"]).arg(&table).args(["--format", format, "-o"]).arg(&out).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{format}");
        let err = stderr_of(&o);
        assert!(err.contains("word row 1 \"New York\" contains a space") && err.contains("--format npy"), "{err}");
        assert!(!out.exists());
    }
    assert_eq!(common::tmp_leftovers(dir.path()), Vec::<String>::new());
    // npy keeps it.
    let npy = dir.path().join("space.npy");
    export(&table, &["--format", "npy"], &npy);
    assert_eq!(fs::read_to_string(dir.path().join("space.vocab.txt")).unwrap(), "北京\nNew York\n");
}

#[test]
fn refuses_to_write_over_its_table_and_npy_to_stdout() {
    let (_dir, table) = common::tiny_table();
    let before = fs::read(&table).unwrap();
    let o = zhvec().args(["vocab", "export"]).arg(&table).args(["--format", "w2v", "-o"]).arg(&table).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_of(&o).contains("refusing to write"), "{}", stderr_of(&o));
    assert_eq!(fs::read(&table).unwrap(), before);
    let o = zhvec().args(["vocab", "export"]).arg(&table).args(["--format", "npy", "-o", "-"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_of(&o).contains("give -o a path"), "{}", stderr_of(&o));
    let o = zhvec()
        .args(["vocab", "export"])
        .arg(&table)
        .args(["--format", "w2v", "--dtype", "f16", "-o", "-"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn word2vec_text_goes_to_standard_output() {
    let (_dir, table) = common::tiny_table();
    let o = zhvec()
        .args(["vocab", "export"])
        .arg(&table)
        .args(["--format", "w2v", "--table", "words", "-o", "-"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), "3 2\n北京 1 2\n天气 3 4\n今天 0 -1\n");
}

#[test]
fn both_tables_of_the_embedded_default_export_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.bin");
    let o = zhvec().args(["vocab", "export", "--format", "w2v-binary", "-o"]).arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    let v = zhvec::default_vocab::open().unwrap();
    let (w, c, d) = (v.len(Kind::Word), v.len(Kind::Char), v.dim(Kind::Word));
    let bytes = fs::read(&out).unwrap();
    let header = format!("{} {d}\n", w + c);
    assert!(bytes.starts_with(header.as_bytes()));
    // Each record is the token, a space, the values and a newline.
    let names: usize = v.entries(Kind::Word).chain(v.entries(Kind::Char)).map(|e| e.name.len()).sum();
    assert_eq!(bytes.len(), header.len() + names + (w + c) * (2 + 4 * d));
}
