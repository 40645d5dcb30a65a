//! Packs jieba's standard dictionary (`vocab/jieba-dict.txt`, lines of `word freq tag`) into
//! the trie of `src/segment/trie.rs` (slots, root table, filter), its words tagged with their
//! rows in the embedded default table (`vocab/default.zv`), jieba's HMM (`src/segment/hmm.txt`) into a table of
//! f64, and OpenCC's traditional-to-simplified
//! dictionaries (`vocab/opencc/`) into that of `src/normalize/table.rs`. The binary embeds
//! both and reads them in place.

#[allow(dead_code)]
#[path = "src/hash.rs"]
mod hash;
#[allow(dead_code)]
#[path = "src/normalize/table.rs"]
mod table;
#[allow(dead_code)]
#[path = "src/segment/trie.rs"]
mod trie;

use std::collections::BTreeSet;
use std::path::PathBuf;

fn main() {
    pack_dictionary();
    pack_hmm();
    pack_opencc();
}

/// Values in the target's byte order: the binary reads them in place.
fn to_bytes(values: impl IntoIterator<Item = u64>) -> Vec<u8> {
    let big = std::env::var("CARGO_CFG_TARGET_ENDIAN").is_ok_and(|e| e == "big");
    values.into_iter().flat_map(|v| if big { v.to_be_bytes() } else { v.to_le_bytes() }).collect()
}

/// The dictionary as Python jieba's `gen_pfdict` reads it: a repeated word keeps its last
/// frequency, and every line adds to the total (jieba's own dict.txt lists `B超` twice).
fn pack_dictionary() {
    const DICT: &str = "vocab/jieba-dict.txt";
    println!("cargo::rerun-if-changed={DICT}");
    println!("cargo::rerun-if-changed=src/segment/trie.rs");
    let text = std::fs::read_to_string(DICT).unwrap_or_else(|e| panic!("{DICT}: {e}"));
    let mut trie = trie::TrieBuilder::default();
    let (mut total, mut words) = (0u64, 0u64);
    for (i, line) in text.lines().enumerate() {
        let mut fields = line.split_whitespace();
        let Some(word) = fields.next() else { continue };
        let freq: u64 = fields
            .next()
            .and_then(|f| f.parse().ok())
            .unwrap_or_else(|| panic!("{DICT}:{}: expected `word freq [tag]`", i + 1));
        total += freq;
        if trie.insert(word, |_| (freq as f64).ln()).is_nan() {
            words += 1;
        }
    }
    tag_default_rows(&mut trie, &text);
    let trie = trie.finish();
    let header = [u64::from_le_bytes(*b"ZHSEGTR3"), total, words, trie.slots.len() as u64];
    let slots = trie.slots.into_iter().chain(trie.root).flatten().chain(trie.filter);
    write_out("jieba-trie.bin", &to_bytes(header.into_iter().chain(slots)));
}

/// Tags every word of two or more characters: 1, or its row in the default table's word
/// table + 2 (the segmenter's `Tag`).
fn tag_default_rows(trie: &mut trie::TrieBuilder, dict: &str) {
    const TABLE: &str = "vocab/default.zv";
    println!("cargo::rerun-if-changed={TABLE}");
    let bytes = std::fs::read(TABLE).unwrap_or_else(|e| panic!("{TABLE}: {e}"));
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    // The `.zv` header (src/vocab/format.rs): the word count at 24, the sections from 80,
    // each (offset, length); the word names' strings are section 1, their offsets section 2.
    assert_eq!(&bytes[..8], b"ZHVECTAB", "{TABLE}: not a vocab file");
    let rows = u64_at(24) as usize;
    let section = |i: usize| {
        let (off, len) = (u64_at(80 + 16 * i) as usize, u64_at(88 + 16 * i) as usize);
        &bytes[off..off + len]
    };
    let (strings, offsets) = (section(1), section(2));
    let offset = |i: usize| u32::from_le_bytes(offsets[4 * i..4 * i + 4].try_into().expect("4 bytes")) as usize;
    for word in dict.lines().filter_map(|l| l.split_whitespace().next()) {
        if word.chars().nth(1).is_some() {
            assert!(trie.tag(word, 1), "{word}: cannot tag");
        }
    }
    for row in 0..rows {
        let name = std::str::from_utf8(&strings[offset(row)..offset(row + 1)]).expect("UTF-8 names");
        let is_word = trie.as_ref().get(name).is_some_and(|(_, value, _)| !value.is_nan());
        if name.chars().nth(1).is_some() && is_word {
            assert!(trie.tag(name, row as u32 + 2), "{name}: cannot tag");
        }
    }
}

/// finalseg's start, transition and emission log probabilities; −3.14e100 (its MIN_FLOAT)
/// where it has none. Emissions only for U+4E00..=U+9FD5, the characters its HMM sees.
fn pack_hmm() {
    const HMM: &str = "src/segment/hmm.txt";
    const MIN_FLOAT: f64 = -3.14e100;
    const FIRST: u32 = 0x4e00;
    const LAST: u32 = 0x9fd5;
    println!("cargo::rerun-if-changed={HMM}");
    let text = std::fs::read_to_string(HMM).unwrap_or_else(|e| panic!("{HMM}: {e}"));
    let mut table = vec![MIN_FLOAT; 20 + 4 * (LAST - FIRST + 1) as usize];
    let state = |s: &str| "BEMS".find(s).unwrap_or_else(|| panic!("{HMM}: bad state {s}"));
    let num = |s: &str| s.parse::<f64>().unwrap_or_else(|_| panic!("{HMM}: bad number {s}"));
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split(' ').collect();
        match f[..] {
            ["start", ..] if f.len() == 5 => f[1..].iter().enumerate().for_each(|(i, v)| table[i] = num(v)),
            ["trans", from, to, v] => table[4 + 4 * state(from) + state(to)] = num(v),
            [c, b, e, m, s] => {
                let c = u32::from_str_radix(c, 16).unwrap_or_else(|_| panic!("{HMM}: bad character {c}"));
                if (FIRST..=LAST).contains(&c) {
                    for (i, v) in [b, e, m, s].into_iter().enumerate().filter(|(_, v)| *v != "-") {
                        table[20 + 4 * (c - FIRST) as usize + i] = num(v);
                    }
                }
            }
            _ => panic!("{HMM}: bad line {line}"),
        }
    }
    write_out("jieba-hmm.bin", &to_bytes(table.into_iter().map(f64::to_bits)));
}

fn write_out(name: &str, bytes: &[u8]) {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo")).join(name);
    std::fs::write(&out, bytes).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

/// One combined traditional-to-simplified conversion for Taiwan and Hong Kong text: stage 1
/// turns regional phrases and variants into OpenCC's standard traditional forms, stage 2
/// those into simplified. Within a stage the earlier file wins for the same key.
fn pack_opencc() {
    const DIR: &str = "vocab/opencc";
    const STAGE1: [&str; 6] = [
        "TWPhrasesRev",
        "HKPhrasesRev",
        "TWVariantsRevPhrases",
        "HKVariantsRevPhrases",
        "TWVariantsRev",
        "HKVariantsRev",
    ];
    const STAGE2: [&str; 2] = ["TSPhrases", "TSCharacters"];
    println!("cargo::rerun-if-changed={DIR}");
    println!("cargo::rerun-if-changed=src/normalize/table.rs");
    let texts: Vec<(String, String)> = STAGE1
        .iter()
        .chain(&STAGE2)
        .chain(&["STCharacters"])
        .map(|name| {
            let path = format!("{DIR}/{name}.txt");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            (path, text)
        })
        .collect();
    let dicts: Vec<Vec<(&str, &str)>> = texts
        .iter()
        .map(|(path, text)| {
            table::parse_opencc(text)
                .unwrap_or_else(|line| panic!("{path}:{line}: expected `key<TAB>value[ value...]`"))
        })
        .collect();
    let dict = |name: &str| {
        let i = STAGE1.iter().chain(&STAGE2).chain(&["STCharacters"]).position(|n| *n == name);
        &dicts[i.expect("a named dictionary")][..]
    };
    let refs = |names: &[&str]| names.iter().map(|n| dict(n)).collect::<Vec<_>>();
    let stage1 = table::merge(&refs(&STAGE1));
    let stage2 = table::merge(&refs(&STAGE2));
    // Characters only traditional script uses: the traditional characters and single-character
    // regional variants, less every character that is (or stands in) simplified text.
    let single = |s: &str| {
        let mut it = s.chars();
        it.next().filter(|_| it.next().is_none())
    };
    let mut traditional: BTreeSet<char> = ["TSCharacters", "TWVariantsRev", "HKVariantsRev"]
        .iter()
        .flat_map(|n| dict(n).iter().filter_map(|(k, _)| single(k)))
        .collect();
    // Every simplified form TSCharacters gives counts, not just the first: 乾 (干 乾), 薹 (苔 薹)
    // and 於 (于 於) are also simplified in some words (乾隆, 蒜薹).
    let ts_text = &texts[STAGE1.len() + 1].1;
    let ts_all = ts_text.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split_once('\t'));
    let simplified: BTreeSet<char> = dict("STCharacters")
        .iter()
        .filter_map(|(k, _)| single(k))
        .chain(ts_all.flat_map(|(_, v)| v.split(' ')).filter_map(single))
        .collect();
    traditional.retain(|c| !simplified.contains(c));
    // Taiwan writes 著 for 着, but 著 is also standard simplified (著作, 显著): a simplified
    // line with it must not be converted (显著 would become 显着).
    traditional.remove(&'著');
    let blob = table::pack(&traditional, [&stage1, &stage2])
        .unwrap_or_else(|| panic!("{DIR}: an empty key or value, or tables too large to index"));
    write_out("opencc-t2s.bin", &blob);
}
