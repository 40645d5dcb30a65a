//! Packs jieba's standard dictionary (`vocab/jieba-dict.txt`, lines of `word freq tag`) into
//! the indexed form of `src/segment/packed.rs`, which the binary embeds and reads in place.

#[allow(dead_code)]
#[path = "src/hash.rs"]
mod hash;
#[allow(dead_code)]
#[path = "src/segment/packed.rs"]
mod packed;

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
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo")).join("jieba-dict.bin");
    std::fs::write(&out, packed).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
