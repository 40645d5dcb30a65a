//! Micro-benchmarks: table open, lookups, segmenter start-up, segmentation, embedding one
//! headline, output encoding, input normalization.
//!
//! The open and lookup benchmarks use a generated 2M-word x 200-d f32 table (1.6 GB), written
//! once to `target/bench-data/`. Run with `cargo bench`.

use std::path::PathBuf;
use std::sync::OnceLock;

use divan::{black_box, Bencher};
use zhvec::embed::{Embedder, Recipe, Scratch, Stats};
use zhvec::normalize::{NormalizeBuf, Normalizer, TextNormalization};
use zhvec::output::{Encoder, Format};
use zhvec::segment::{SegDict, Segmenter};
use zhvec::vocab::{write_vocab, Dtype, Kind, TableData, VocabData};
use zhvec::Vocab;

fn main() {
    divan::main();
}

const WORDS: usize = 2_000_000;
const DIM: usize = 200;

/// A deterministic pseudo-random stream (SplitMix64), so the fixture is the same every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
}

/// Word `i` of the synthetic table: 2-4 CJK characters derived from `i`, unique per `i`.
fn word_name(i: usize) -> String {
    let mut s = String::new();
    let mut n = i;
    loop {
        s.push(char::from_u32(0x4e00 + (n % 20_000) as u32).unwrap_or('字'));
        n /= 20_000;
        if n == 0 {
            break;
        }
    }
    if s.chars().count() < 2 {
        s.push('词');
    }
    s
}

fn big_table() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        let path = dir.join(format!("synthetic-{WORDS}x{DIM}.zv"));
        if path.exists() {
            return path;
        }
        write_synthetic(&path, WORDS, Dtype::F32, 7);
        path
    })
}

/// Writes a table of `words` generated words and 8,000 characters with random `DIM`-d rows.
fn write_synthetic(path: &std::path::Path, n_words: usize, dtype: Dtype, seed: u64) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create target/bench-data");
    }
    let mut rng = Rng(seed);
    let mut words = TableData::new(DIM);
    words.vectors.reserve(n_words * DIM);
    let mut row = vec![0.0f32; DIM];
    for i in 0..n_words {
        row.iter_mut().for_each(|x| *x = rng.unit());
        words.push(word_name(i), &row, (1_000_000_000 / (i + 1)) as u64);
    }
    let mut chars = TableData::new(DIM);
    for cp in 0x4e00u32..0x4e00 + 8000 {
        row.iter_mut().for_each(|x| *x = rng.unit());
        chars.push(char::from_u32(cp).unwrap_or('字').to_string(), &row, 1);
    }
    let meta = serde_json::json!({"source": "synthetic benchmark table"});
    write_vocab(path, &VocabData { words, chars, dtype, meta }).expect("write benchmark table");
}

fn big_vocab() -> &'static Vocab {
    static V: OnceLock<Vocab> = OnceLock::new();
    V.get_or_init(|| Vocab::open(big_table()).expect("open benchmark table"))
}

fn headlines() -> Vec<&'static str> {
    include_str!("../testdata/headlines.txt").lines().collect()
}

#[divan::bench(sample_count = 200)]
fn open_2m_x_200(bencher: Bencher) {
    let path = big_table();
    bencher.bench(|| Vocab::open(black_box(path)).expect("open"));
}

#[divan::bench]
fn word_lookup_hit(bencher: Bencher) {
    let vocab = big_vocab().view();
    let mut rng = Rng(1);
    let names: Vec<String> = (0..4096).map(|_| word_name(rng.next() as usize % WORDS)).collect();
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) & 4095;
        black_box(vocab.id(Kind::Word, black_box(&names[i])))
    });
}

#[divan::bench]
fn word_lookup_miss(bencher: Bencher) {
    let vocab = big_vocab().view();
    let names: Vec<String> = (0..4096).map(|i| format!("没有{i}")).collect();
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) & 4095;
        black_box(vocab.id(Kind::Word, black_box(&names[i])))
    });
}

#[divan::bench]
fn char_lookup(bencher: Bencher) {
    let vocab = big_vocab().view();
    let chars: Vec<char> = "国务院常务会议部署进一步扩大内需促进消费的政策措施".chars().collect();
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % chars.len();
        black_box(vocab.char_id(black_box(chars[i])))
    });
}

/// Making the segmenter for jieba's standard dictionary: it is read in place.
#[divan::bench]
fn segmenter_standard(bencher: Bencher) {
    bencher.bench(Segmenter::standard);
}

/// Making a segmenter over the default table's words for one short input.
#[divan::bench(sample_count = 10)]
fn segmenter_vocab_for_one_headline(bencher: Bencher) {
    let vocab = zhvec::default_vocab::open().expect("default table");
    let line = headlines()[0];
    bencher.bench(|| Segmenter::new(SegDict::Vocab, Some(&vocab), Some(black_box(line))).expect("segmenter"));
}

/// jieba-rs's `cut` of the same headlines, for comparison with `segment_headline`.
#[divan::bench]
fn segment_headline_jieba_rs(bencher: Bencher) {
    let dict = include_str!("../vocab/jieba-dict.txt");
    let jieba = jieba_rs::Jieba::with_dict(&mut std::io::Cursor::new(dict)).expect("jieba's dictionary");
    let lines = headlines();
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % lines.len();
        jieba.cut(black_box(lines[i]), true).len()
    });
}

#[divan::bench]
fn segment_headline(bencher: Bencher) {
    let seg = Segmenter::standard();
    let lines = headlines();
    let mut out = Vec::new();
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % lines.len();
        seg.cut(black_box(lines[i]), &mut out);
        out.len()
    });
}

#[divan::bench]
fn embed_headline(bencher: Bencher) {
    bench_embed_headlines(bencher, big_vocab());
}

/// Embeds the test headlines one per iteration, in turn.
fn bench_embed_headlines(bencher: Bencher, vocab: &Vocab) {
    let embedder = Embedder::new(vocab, Segmenter::standard(), Recipe::default()).expect("embedder");
    let lines = headlines();
    let mut row = vec![0.0; embedder.dim()];
    let (mut scratch, mut stats) = (Scratch::default(), Stats::default());
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % lines.len();
        embedder.embed_line(black_box(lines[i]), &mut row, &mut scratch, &mut stats);
    });
}

/// A 100k-word x 200-d table in `dtype`, for the row sums of each storage type.
fn dtype_vocab(dtype: Dtype) -> Vocab {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let path = dir.join(format!("synthetic-100000x{DIM}-{dtype:?}.zv"));
    if !path.exists() {
        write_synthetic(&path, 100_000, dtype, 11);
    }
    Vocab::open(&path).expect("open benchmark table")
}

/// [`embed_headline`] over a smaller table in each dtype: the f16 and int8 row sums.
#[divan::bench(args = [Dtype::F32, Dtype::F16, Dtype::Int8])]
fn embed_headline_dtype(bencher: Bencher, dtype: Dtype) {
    bench_embed_headlines(bencher, &dtype_vocab(dtype));
}

#[divan::bench(args = [Format::Jsonl, Format::Tsv, Format::Npy, Format::F32])]
fn encode_row_256(bencher: Bencher, format: Format) {
    let mut rng = Rng(3);
    let row: Vec<f32> = (0..256).map(|_| rng.unit() * 0.1).collect();
    let encoder = Encoder { format, ..Encoder::default() };
    let mut out = Vec::with_capacity(1 << 16);
    bencher.bench_local(|| {
        out.clear();
        encoder.encode(1, "", black_box(&row), &mut out);
        out.len()
    });
}

/// `nfkc,t2s` on lines of `text`, one per iteration, cycling.
fn normalize_lines(bencher: Bencher, text: &'static str) {
    let n = Normalizer::new(TextNormalization::ALL);
    let lines: Vec<&str> = text.lines().collect();
    let mut buf = NormalizeBuf::default();
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % lines.len();
        n.normalize(black_box(lines[i]), &mut buf).len()
    });
}

/// A simplified headline: the pre-checks alone.
#[divan::bench]
fn normalize_simplified_headline(bencher: Bencher) {
    normalize_lines(bencher, include_str!("../testdata/headlines.txt"));
}

/// The same headlines in Taiwan script and phrasing: both stages of the conversion.
#[divan::bench]
fn normalize_traditional_headline(bencher: Bencher) {
    normalize_lines(bencher, include_str!("../testdata/normalize/headlines-tw.txt"));
}

#[divan::bench]
fn normalizer_new(bencher: Bencher) {
    bencher.bench(|| Normalizer::new(black_box(TextNormalization::ALL)));
}

/// `nfkc,t2s` over a whole corpus file, in bytes per second: the NLPCC headlines
/// (`ZHVEC_BENCH_HEADLINES`, default `../shared/data/corpus/headlines-nlpcc2017.txt`) and a
/// traditional copy of them (`ZHVEC_BENCH_HEADLINES_TW`, default `/dev/shm/hl-tw.txt`).
/// Skipped when the file is missing.
#[divan::bench(args = ["simplified", "traditional"], sample_count = 10)]
fn normalize_corpus(bencher: Bencher, script: &str) {
    let (var, default) = match script {
        "simplified" => ("ZHVEC_BENCH_HEADLINES", "../shared/data/corpus/headlines-nlpcc2017.txt"),
        _ => ("ZHVEC_BENCH_HEADLINES_TW", "/dev/shm/hl-tw.txt"),
    };
    let path = std::env::var(var).unwrap_or_else(|_| default.to_string());
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("normalize_corpus: {path} is missing, skipped (set {var})");
        return;
    };
    let n = Normalizer::new(TextNormalization::ALL);
    let mut buf = NormalizeBuf::default();
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench_local(|| text.lines().map(|line| n.normalize(black_box(line), &mut buf).len()).sum::<usize>());
}
