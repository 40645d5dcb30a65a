//! `batch::embed_texts`: texts in memory embedded in parallel into one buffer, row for row
//! what `Embedder::embed` gives, for any number of threads.

use zhvec::batch::{as_one_line, embed_texts};
use zhvec::embed::{Embedder, Recipe, Stats};
use zhvec::segment::Segmenter;

fn texts() -> Vec<String> {
    let base = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/headlines.txt")).unwrap();
    let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
    lines.extend(["", "  ", "今天天气很好🙂", "ＮＢＡ２０１６ café", "臺灣的經濟發展"].map(String::from));
    // Enough rows for several blocks on several threads.
    lines.iter().cycle().take(lines.len() * 37).cloned().collect()
}

fn embed_all(e: &Embedder<'_>, texts: &[String], threads: usize) -> (Vec<f32>, Stats) {
    let mut out = vec![f32::NAN; texts.len() * e.dim()];
    let stats = embed_texts(e, texts, &mut out, threads);
    (out, stats)
}

#[test]
fn rows_are_those_of_embed_for_any_thread_count() {
    let vocab = zhvec::default_vocab::open().unwrap();
    let e = Embedder::new(&vocab, Segmenter::standard(), Recipe::default()).unwrap();
    let texts = texts();
    let want: Vec<f32> = texts.iter().flat_map(|t| e.embed(t)).collect();
    let (one, stats) = embed_all(&e, &texts, 1);
    assert_eq!(
        one.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        want.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(stats.lines, texts.len() as u64);
    assert!(stats.empty_lines > 0 && stats.tokens > stats.lines);
    for threads in [2, 3, 8] {
        let (rows, st) = embed_all(&e, &texts, threads);
        assert!(rows.iter().zip(&one).all(|(a, b)| a.to_bits() == b.to_bits()), "{threads} threads");
        assert_eq!(st, stats, "{threads} threads");
    }
}

#[test]
fn no_texts_give_no_rows() {
    let vocab = zhvec::default_vocab::open().unwrap();
    let e = Embedder::new(&vocab, Segmenter::standard(), Recipe::default()).unwrap();
    let (rows, stats) = embed_all(&e, &[], 4);
    assert!(rows.is_empty());
    assert_eq!(stats.lines, 0);
}

#[test]
fn line_breaks_count_as_spaces() {
    let mut buf = String::new();
    assert_eq!(as_one_line("北京\r\n天气\n很好\r", &mut buf), "北京  天气 很好 ");
    let plain = "北京 天气";
    assert!(std::ptr::eq(as_one_line(plain, &mut buf), plain), "a text without breaks is not copied");
    let vocab = zhvec::default_vocab::open().unwrap();
    let e = Embedder::new(&vocab, Segmenter::standard(), Recipe::default()).unwrap();
    let (rows, _) = embed_all(&e, &["北京\n天气".to_string()], 1);
    assert_eq!(rows, e.embed("北京 天气"));
}
