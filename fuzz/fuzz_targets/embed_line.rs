//! `embed` and `segment` of arbitrary text, as the CLI does it: the input is read ahead and
//! decoded lossily, the segmenter is built for that text, and each line is embedded.
//!
//! Input: one option byte, then the text.
//! - bits 0-1: the table: the embedded default, or the tiny table in f32, f16 or int8;
//! - bit 2: `--seg-dict vocab` (else jieba); bit 3: `--weighting sif`;
//! - bits 4-5: `--normalize` none, channel, all, none; bits 6-7: `--channels` word,char,
//!   word, char, word,char.
//!
//! Checked for every line: the row has the stated dimension and only finite values; it is
//! bit-identical when embedded again with fresh buffers; the segmenter built for the text cuts
//! it as the one over the whole dictionary does; the tokens are in order, cover every
//! non-blank character, and agree with `source`, `word_vector` and the stats; the jsonl
//! output reads back to the same text and bits.

#![no_main]

use std::borrow::Cow;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zhvec::embed::{Channels, Embedder, Normalize, Recipe, Scratch, Source, Stats, Weighting};
use zhvec::normalize::{NormalizeBuf, Normalizer};
use zhvec::output::{Encoder, Format};
use zhvec::pipeline::{decode_line, lines};
use zhvec::segment::{SegDict, Segmenter};
use zhvec::{default_vocab, Dtype, Kind, Vocab};
use zhvec_fuzz::tiny_vocab;

fn vocab(table: usize) -> &'static Vocab {
    static DEFAULT: OnceLock<Vocab> = OnceLock::new();
    match table {
        0 => DEFAULT.get_or_init(|| default_vocab::open().expect("the embedded default opens")),
        1 => tiny_vocab(Dtype::F32),
        2 => tiny_vocab(Dtype::F16),
        _ => tiny_vocab(Dtype::Int8),
    }
}

/// The segmenter over the whole dictionary, built once per table and dictionary.
fn whole_segmenter(table: usize, dict: SegDict) -> &'static Segmenter {
    static JIEBA: OnceLock<Segmenter> = OnceLock::new();
    static VOCAB: [OnceLock<Segmenter>; 4] = [OnceLock::new(), OnceLock::new(), OnceLock::new(), OnceLock::new()];
    match dict {
        SegDict::Jieba => JIEBA.get_or_init(Segmenter::standard),
        SegDict::Vocab => {
            VOCAB[table].get_or_init(|| Segmenter::from_vocab(vocab(table)).expect("a segmenter over a valid table"))
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&opts, raw)) = data.split_first() else { return };
    let table = (opts & 3) as usize;
    let dict = if opts & 4 != 0 { SegDict::Vocab } else { SegDict::Jieba };
    let recipe = Recipe {
        weighting: if opts & 8 != 0 { Weighting::Sif } else { Weighting::Uniform },
        sif_a: 1e-3,
        normalize: [Normalize::None, Normalize::Channel, Normalize::All, Normalize::None][(opts >> 4) as usize & 3],
        channels: [
            Channels { word: true, char: true },
            Channels { word: true, char: false },
            Channels { word: false, char: true },
            Channels { word: true, char: true },
        ][(opts >> 6) as usize],
        // What the table asks for: nfkc,t2s for the default, nothing for the tiny tables.
        normalize_text: None,
    };
    let v = vocab(table);
    // As `zhvec embed` reads a small input: a leading BOM dropped, then decoded lossily.
    let raw = raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw);
    let text = String::from_utf8_lossy(raw);
    // As the CLI does: the words for the text are picked from it as the embedder sees it.
    let normalizer = Normalizer::new(recipe.text_normalization(v).expect("the tables ask for a valid normalization"));
    let normalized_text = normalizer.normalize_lines(&text);
    let part = Segmenter::new(dict, Some(v), Some(&normalized_text)).expect("a segmenter for the text");
    let embedder = Embedder::new(v, part, recipe).expect("embedder");
    let whole = whole_segmenter(table, dict);
    let dim = embedder.dim();
    let (word_dim, char_dim) = (v.dim(Kind::Word), v.dim(Kind::Char));
    assert_eq!(dim, if recipe.channels.word { word_dim } else { 0 } + if recipe.channels.char { char_dim } else { 0 });

    let mut scratch = Scratch::default();
    let mut row = vec![0.0f32; dim];
    let mut encoded = Vec::new();
    let encoder = Encoder { format: Format::Jsonl, with_line: true, with_text: true, ..Encoder::default() };
    for (k, raw_line) in lines(raw).enumerate() {
        let line_no = k as u64 + 1;
        let line: Cow<'_, str> = decode_line(raw_line, line_no, "<fuzz>", true).expect("lossy decoding succeeds");
        let mut stats = Stats::default();
        embedder.embed_line(&line, &mut row, &mut scratch, &mut stats);
        assert!(row.iter().all(|x| x.is_finite()), "non-finite value in {row:?} for {line:?}");

        let again = embedder.embed(&line);
        assert_eq!(bits(&again), bits(&row), "embedding {line:?} twice differs");
        let mut buf = NormalizeBuf::default();
        let seen = normalizer.normalize(&line, &mut buf);
        assert_eq!(seen.matches('\n').count(), line.matches('\n').count(), "normalization moved a line break");
        let mut whole_tokens = Vec::new();
        whole.cut(seen, &mut whole_tokens);
        let mut tokens = Vec::new();
        embedder.segmenter().cut(seen, &mut tokens);
        // The row depends on the segmenter only through the tokens.
        assert_eq!(tokens, whole_tokens, "the dictionary built for the text cuts {seen:?} differently");

        check_tokens(seen, &tokens);
        check_stats(&embedder, &tokens, &stats);
        check_norm(&row, recipe, word_dim);

        encoded.clear();
        encoder.encode(line_no, &line, &row, &mut encoded);
        let back: serde_json::Value = serde_json::from_slice(&encoded).expect("jsonl output parses");
        assert_eq!(back["text"].as_str(), Some(&*line), "jsonl text does not read back");
        let values: Vec<f32> =
            back["vector"].as_array().expect("a vector").iter().map(|x| x.as_f64().expect("a number") as f32).collect();
        assert_eq!(bits(&values), bits(&row), "jsonl values do not read back");
    }
});

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// The tokens are non-blank slices of the line, in order, and only whitespace lies between.
fn check_tokens(line: &str, tokens: &[&str]) {
    let base = line.as_ptr() as usize;
    let mut at = 0;
    for t in tokens {
        let start = t.as_ptr() as usize - base;
        assert!(start >= at && start + t.len() <= line.len(), "token {t:?} out of order in {line:?}");
        assert!(!t.chars().all(char::is_whitespace), "blank token {t:?} in {line:?}");
        assert!(line[at..start].chars().all(char::is_whitespace), "{:?} of {line:?} is in no token", &line[at..start]);
        at = start + t.len();
    }
    assert!(line[at..].chars().all(char::is_whitespace), "{:?} of {line:?} is in no token", &line[at..]);
}

/// The stats agree with the tokens and with what `source` and `word_vector` say of each.
fn check_stats(embedder: &Embedder<'_>, tokens: &[&str], stats: &Stats) {
    assert_eq!(stats.lines, 1);
    assert_eq!(stats.tokens, tokens.len() as u64);
    assert_eq!(stats.empty_lines, tokens.is_empty() as u64);
    assert_eq!(stats.word_hits + stats.char_fallbacks + stats.no_vector, stats.tokens);
    let (mut words, mut fallbacks, mut nothing) = (0, 0, 0);
    for t in tokens {
        let vector = embedder.word_vector(t);
        match embedder.source(t) {
            Source::Word(id) => {
                words += 1;
                let row = embedder.vocab().view().row(Kind::Word, id).to_vec();
                assert_eq!(vector.map(|v| bits(&v)), Some(bits(&row)), "word vector of {t:?}");
            }
            Source::Fallback(chars) => {
                fallbacks += 1;
                assert!(!chars.is_empty() && vector.is_some(), "fallback of {t:?}");
            }
            Source::Nothing => {
                nothing += 1;
                assert!(vector.is_none(), "{t:?} has no source but a word vector");
            }
        }
    }
    assert_eq!((words, fallbacks, nothing), (stats.word_hits, stats.char_fallbacks, stats.no_vector));
}

/// Normalized rows and channels have length 1, or are all zeros.
fn check_norm(row: &[f32], recipe: Recipe, word_dim: usize) {
    let unit = |v: &[f32]| {
        let n = v.iter().map(|&x| x as f64 * x as f64).sum::<f64>().sqrt();
        n == 0.0 || (n - 1.0).abs() < 1e-4
    };
    match recipe.normalize {
        Normalize::None => {}
        Normalize::All => assert!(unit(row), "row not normalized: {row:?}"),
        Normalize::Channel => {
            let split = if recipe.channels.word && recipe.channels.char { word_dim } else { row.len() };
            let (a, b) = row.split_at(split);
            assert!(unit(a) && unit(b), "channels not normalized: {row:?}");
        }
    }
}
