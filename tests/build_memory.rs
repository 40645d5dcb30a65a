//! `vocab build` keeps the rows it reads in a temporary file, not in memory: the tables it
//! writes that way equal the library's in-memory writer, and nothing is left behind.

mod common;

use std::path::{Path, PathBuf};

use common::{listing, read_table, stderr_of, write, zhvec};
use tempfile::TempDir;
use zhvec::vocab::{write_vocab, Dtype, Kind, Vocab, VocabData};

/// A word2vec text file of `n` words of two or three characters (drawn from 60, so many
/// characters have no row of their own and are derived), a few single characters, and a
/// frequency list giving the words counts in no particular order.
fn inputs(dir: &TempDir, n: usize) -> (PathBuf, PathBuf) {
    let alphabet: Vec<char> = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴".chars().collect();
    let mut text = String::new();
    let mut freq = String::new();
    let mut state = 12345u64;
    let mut next = |m: u64| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % m
    };
    let mut seen = std::collections::HashSet::new();
    for i in 0..n {
        let word: String = loop {
            let len = 2 + next(2) as usize;
            let w: String = (0..len).map(|_| alphabet[next(60) as usize]).collect();
            if seen.insert(w.clone()) {
                break w;
            }
        };
        let v: Vec<String> =
            (0..4).map(|k| format!("{:.6}", (next(2_000_001) as f64 - 1e6) / 1e6 + k as f64)).collect();
        text += &format!("{word} {}\n", v.join(" "));
        freq += &format!("{word} {}\n", 1 + next(1000));
        if i % 300 == 0 {
            // Single characters with rows of their own, among the first 60.
            let c = alphabet[i / 300];
            text += &format!("{c} {}\n", v.join(" "));
            freq += &format!("{c} {}\n", 1 + next(1000));
        }
    }
    let header = format!("{} 4\n", text.lines().count());
    (write(dir, "vectors.txt", header + &text), write(dir, "freq.txt", freq))
}

fn build(args: &[&str]) -> std::process::Output {
    zhvec().args(["vocab", "build", "--quiet"]).args(args).output().expect("zhvec runs")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

#[test]
fn streamed_tables_equal_the_in_memory_writer_for_every_dtype() {
    let dir = TempDir::new().unwrap();
    let (vectors, freq) = inputs(&dir, 3000);
    let variants: [&[&str]; 3] = [&[], &["--freq", s(&freq), "--max-words", "200"], &["--max-words", "1500"]];
    for extra in variants {
        let f32_zv = dir.path().join("f32.zv");
        let o = build(&[&["--vectors", s(&vectors), "-o", s(&f32_zv)], extra].concat());
        assert!(o.status.success(), "{}", stderr_of(&o));
        // The f32 table holds the values exactly as parsed, so the in-memory writer given its
        // rows must write every dtype exactly as the build did.
        let (words, chars) = (read_table(&f32_zv, Kind::Word), read_table(&f32_zv, Kind::Char));
        assert!(words.len() >= 200 && chars.len() >= 10, "{} words, {} chars", words.len(), chars.len());
        for (dtype, name) in [(Dtype::F32, "f32"), (Dtype::F16, "f16"), (Dtype::Int8, "int8")] {
            let built = dir.path().join(format!("{name}.built.zv"));
            let o = build(&[&["--vectors", s(&vectors), "-o", s(&built), "--dtype", name], extra].concat());
            assert!(o.status.success(), "{}", stderr_of(&o));
            let meta = Vocab::open(&built).unwrap().meta().unwrap();
            let again = dir.path().join(format!("{name}.memory.zv"));
            let data = VocabData { words: words.clone(), chars: chars.clone(), dtype, meta };
            write_vocab(&again, &data).unwrap();
            let (a, b) = (std::fs::read(&built).unwrap(), std::fs::read(&again).unwrap());
            assert!(a == b, "{name} {extra:?}: the streamed table differs from the in-memory writer's");
        }
    }
}

#[test]
fn max_words_keeps_the_rows_of_the_words_it_keeps() {
    // Compaction hands the places of dropped rows to later ones: each kept word must still
    // have its own vector.
    let dir = TempDir::new().unwrap();
    let (vectors, freq) = inputs(&dir, 4000);
    let (all, top) = (dir.path().join("all.zv"), dir.path().join("top.zv"));
    for (out, extra) in [(&all, &[][..]), (&top, &["--max-words", "300"][..])] {
        let o = build(&[&["--vectors", s(&vectors), "--freq", s(&freq), "-o", s(out)], extra].concat());
        assert!(o.status.success(), "{}", stderr_of(&o));
    }
    let (all, top) = (read_table(&all, Kind::Word), read_table(&top, Kind::Word));
    assert_eq!(top.len(), 300);
    assert_eq!(top.names, all.names[..300]);
    assert_eq!(top.vectors, all.vectors[..300 * all.dim]);
    assert_eq!(top.counts, all.counts[..300]);
}

#[test]
fn a_failed_build_leaves_no_temporary_file() {
    let dir = TempDir::new().unwrap();
    let (vectors, freq) = inputs(&dir, 3000);
    let text = std::fs::read_to_string(&vectors).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).chain(["坏行 1 2 x 4"]).collect();
    let text = format!("{} 4\n{}\n", rows.len(), rows.join("\n"));
    let bad = write(&dir, "bad.txt", &text);
    let before = listing(dir.path());
    let tmpdir = TempDir::new().unwrap();
    let out = dir.path().join("t.zv");
    for target in [s(&out), "-"] {
        let o = zhvec()
            .args(["vocab", "build", "--quiet", "--vectors", s(&bad), "-o", target])
            .env("TMPDIR", tmpdir.path())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
        assert!(stderr_of(&o).contains(&format!("bad.txt:{}:", text.lines().count())), "{}", stderr_of(&o));
        assert_eq!(listing(dir.path()), before, "to {target}");
        assert!(listing(tmpdir.path()).is_empty(), "to {target}: {:?}", listing(tmpdir.path()));
    }
    // A refusal after all rows are read too.
    let o = build(&["--vectors", s(&vectors), "--freq", s(&freq), "--min-count", "100000", "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
    assert!(stderr_of(&o).contains("no rows left"), "{}", stderr_of(&o));
    assert_eq!(listing(dir.path()), before);
}

#[test]
fn a_table_written_to_standard_output_equals_the_file() {
    let dir = TempDir::new().unwrap();
    let (vectors, freq) = inputs(&dir, 1500);
    let tmpdir = TempDir::new().unwrap();
    let file = dir.path().join("t.zv");
    let args = ["vocab", "build", "--quiet", "--vectors", s(&vectors), "--freq", s(&freq), "--max-words", "700"];
    let o = zhvec().args(args).args(["-o", s(&file)]).output().unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    let o = zhvec().args(args).args(["-o", "-"]).env("TMPDIR", tmpdir.path()).output().unwrap();
    assert!(o.status.success(), "{}", stderr_of(&o));
    assert!(o.stdout == std::fs::read(&file).unwrap(), "standard output differs from the file");
    assert!(listing(tmpdir.path()).is_empty());
}
