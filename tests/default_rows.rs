//! With the embedded default table, the segmenter gives the word rows of dictionary words
//! directly (its trie is tagged with them at build time). The same table read from its file
//! is looked up by name. Both must give the same bytes.

mod common;

use common::{testdata, zhvec};
use std::path::Path;

fn embed_f32(input: &Path, extra: &[&str]) -> Vec<u8> {
    let out = zhvec().args(["embed", "-q", "-f", "f32"]).args(extra).arg(input).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn rows_from_the_trie_equal_rows_found_by_name() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("vocab/default.zv");
    let file = file.to_str().unwrap();
    let user_dict = testdata("segment/user-dict.txt");
    let user_dict = user_dict.to_str().unwrap();
    for input in ["headlines.txt", "segment/lines.txt", "normalize_text/mixed.txt", "embed/mixed.txt"] {
        let input = testdata(input);
        for extra in [&[][..], &["--user-dict", user_dict], &["--normalize-text", "none"], &["-j", "2"]] {
            let embedded = embed_f32(&input, extra);
            let by_name = embed_f32(&input, &[extra, &["--vocab", file]].concat());
            assert!(embedded.len() >= 256 * 4 * 5, "{}: {} bytes", input.display(), embedded.len());
            assert!(embedded.iter().any(|&b| b != 0));
            assert!(embedded == by_name, "{} {extra:?}: the outputs differ", input.display());
        }
    }
}
