//! `vocab build` on tables of several write blocks, with values in every notation a vectors
//! file uses and words whose characters the grapheme rules join or not: the values stored are
//! the standard parser's, the characters are the grapheme clusters, and the tables equal the
//! library's in-memory writer for every dtype and thread count.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{read_table, stderr_of, write, zhvec};
use tempfile::TempDir;
use unicode_segmentation::UnicodeSegmentation;
use zhvec::vocab::{write_vocab, Dtype, Kind, Vocab, VocabData};

/// Dimensions: 8,000 rows of them fill three of the writer's 4 MB blocks.
const DIM: usize = 300;
const ROWS: usize = 8000;

/// Words: plain Chinese and ASCII, and ones with combining marks, Hangul jamo, emoji with
/// modifiers and joiners, and flags, which the grapheme rules join.
const PIECES: [&str; 14] = [
    "中",
    "国",
    "人",
    "a",
    "Z",
    "e\u{301}",
    "\u{1100}\u{1161}",
    "한",
    "👍🏽",
    "👩\u{200d}💻",
    "🇨🇳",
    "n\u{303}",
    "㐀",
    "鿿",
];

/// A value of row `i`, column `k` in one of the notations of real files: six decimals (the
/// usual), fewer, eight, nine and more (past the fast path), exponents, a plus sign, integers.
fn value(i: usize, k: usize, state: &mut u64) -> String {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    // At least 0.001 in magnitude: no field rounds to a negative zero, which reading the
    // table back (`Row::to_vec`) turns into a positive one.
    let m = (*state >> 33) as i64 % 999_000 + 1000;
    let r = if (*state >> 20) & 1 == 0 { m } else { -m };
    let x = r as f64 / 1e6;
    match (i + k) % 11 {
        0 => format!("{x:.3}"),
        1 => format!("{x:.8}"),
        2 => format!("{x:.9}"),
        3 => format!("{:.11}", x / 7.0),
        4 => format!("{x:e}"),
        5 => format!("+{:.6}", x.abs()),
        6 => format!("{}", r / 1000),
        7 => format!("{:.6}", x * 30.0),
        _ => format!("{x:.6}"),
    }
}

/// The vectors file, and the values each row should hold (as `str::parse` reads them).
fn vectors(dir: &TempDir) -> (PathBuf, Vec<(String, Vec<f32>)>) {
    let mut state = 7u64;
    let mut text = format!("{ROWS} {DIM}\n");
    let mut rows = Vec::new();
    for i in 0..ROWS {
        let name = if let Some(piece) = PIECES.get(i) {
            piece.to_string()
        } else {
            let (a, b, c) = (i % PIECES.len(), (i / PIECES.len()) % PIECES.len(), i / 196);
            format!("{}{}{c}", PIECES[a], PIECES[b])
        };
        let fields: Vec<String> = (0..DIM).map(|k| value(i, k, &mut state)).collect();
        let values = fields.iter().map(|f| f.parse::<f32>().expect("a number")).collect();
        let sep = if i % 5 == 0 { "  " } else { " " };
        let end = if i % 7 == 0 { " \r\n" } else { "\n" };
        text += &format!("{name}{sep}{}{end}", fields.join(sep));
        rows.push((name, values));
    }
    (write(dir, "vectors.txt", text), rows)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn build(vectors: &Path, out: &Path, dtype: &str, threads: &str) {
    let o = zhvec()
        .args(["vocab", "build", "--quiet", "--vectors", s(vectors), "-o", s(out), "--dtype", dtype])
        .args(["--threads", threads])
        .output()
        .expect("zhvec runs");
    assert!(o.status.success(), "{}", stderr_of(&o));
}

#[test]
fn values_and_characters_are_read_as_the_standard_rules_read_them() {
    let dir = TempDir::new().unwrap();
    let (vectors, rows) = vectors(&dir);
    let out = dir.path().join("t.zv");
    build(&vectors, &out, "f32", "2");
    let (words, chars) = (read_table(&out, Kind::Word), read_table(&out, Kind::Char));
    let single = |n: &str| n.graphemes(true).count() == 1;
    // Without counts, rows keep their file order: each word row holds its parsed values.
    let want: Vec<&(String, Vec<f32>)> = rows.iter().filter(|(n, _)| !single(n)).collect();
    assert_eq!(words.len(), want.len());
    for (i, (name, values)) in want.iter().enumerate() {
        assert_eq!(&words.names[i], name);
        assert!(words.row(i) == values.as_slice(), "row {i} ({name}) holds other values");
    }
    // The characters: the single-grapheme rows and every grapheme of the words.
    let mut expected: BTreeSet<String> = rows.iter().filter(|(n, _)| single(n)).map(|(n, _)| n.clone()).collect();
    expected.extend(want.iter().flat_map(|(n, _)| n.graphemes(true).map(str::to_string)));
    let got: BTreeSet<String> = chars.names.iter().cloned().collect();
    assert_eq!(got, expected);
    for (name, values) in rows.iter().filter(|(n, _)| single(n)) {
        let at = chars.names.iter().position(|n| n == name).expect("own character row");
        assert!(chars.row(at) == values.as_slice(), "{name} holds other values");
    }
}

#[test]
fn tables_of_several_blocks_equal_the_in_memory_writer_for_every_dtype_and_thread_count() {
    let dir = TempDir::new().unwrap();
    let (vectors, _) = vectors(&dir);
    let f32_zv = dir.path().join("f32.zv");
    build(&vectors, &f32_zv, "f32", "1");
    let (words, chars) = (read_table(&f32_zv, Kind::Word), read_table(&f32_zv, Kind::Char));
    assert!(words.vectors.len() * 4 > 2 * (4 << 20), "the word vectors fill more than two blocks");
    for dtype in [Dtype::F32, Dtype::F16, Dtype::Int8] {
        let name = dtype.name();
        let mut built = Vec::new();
        for threads in ["1", "2", "3"] {
            let out = dir.path().join(format!("{name}.{threads}.zv"));
            build(&vectors, &out, name, threads);
            built.push(std::fs::read(&out).unwrap());
        }
        assert!(built.iter().all(|b| *b == built[0]), "{name}: the thread count changes the table");
        let meta = Vocab::open(dir.path().join(format!("{name}.1.zv"))).unwrap().meta().unwrap();
        let again = dir.path().join(format!("{name}.memory.zv"));
        let data = VocabData { words: words.clone(), chars: chars.clone(), dtype, meta };
        write_vocab(&again, &data).unwrap();
        assert!(std::fs::read(&again).unwrap() == built[0], "{name}: the build differs from the in-memory writer");
    }
}
