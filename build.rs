//! Packs jieba's standard dictionary (`vocab/jieba-dict.txt`, lines of `word freq tag`) into
//! the indexed form of `src/segment/packed.rs`, and OpenCC's traditional-to-simplified
//! dictionaries (`vocab/opencc/`) into that of `src/normalize/table.rs`. The binary embeds
//! both and reads them in place.

#[allow(dead_code)]
#[path = "src/hash.rs"]
mod hash;
#[allow(dead_code)]
#[path = "src/segment/packed.rs"]
mod packed;
#[allow(dead_code)]
#[path = "src/normalize/table.rs"]
mod table;

use std::collections::BTreeSet;
use std::path::PathBuf;

fn main() {
    const DICT: &str = "vocab/jieba-dict.txt";
    println!("cargo::rerun-if-changed={DICT}");
    println!("cargo::rerun-if-changed=src/segment/packed.rs");
    println!("cargo::rerun-if-changed=src/hash.rs");
    let text = std::fs::read_to_string(DICT).unwrap_or_else(|e| panic!("{DICT}: {e}"));
    let entries: Vec<(&str, u32)> = text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let mut fields = line.split_whitespace();
            let word = fields.next()?;
            let freq = fields.next().and_then(|f| f.parse().ok());
            Some((word, freq.unwrap_or_else(|| panic!("{DICT}:{}: expected `word freq [tag]`", i + 1))))
        })
        .collect();
    let packed = packed::pack(&entries).unwrap_or_else(|| panic!("{DICT}: a word repeats"));
    write_out("jieba-dict.bin", &packed);
    pack_opencc();
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
