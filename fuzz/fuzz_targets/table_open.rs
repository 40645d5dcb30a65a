//! Arbitrary bytes as a `.zv` table: `Vocab::open`, then, when it opens, lookups, row reads,
//! metadata, `verify`, and embedding a line through the table.
//!
//! Input: one mode byte, then the file. Random bytes rarely get past the header checksum, so
//! the mode can repair what a checksum or length field would otherwise reject at once:
//! - bit 0: write the magic, version, header length and file length, and pad to a header;
//! - bit 1: store the body checksum (so `verify` gets past it);
//! - bit 2: append a character index section built from the character table, as the writer
//!   does (it is 256 KiB, too large for the fuzzer to make itself);
//! - bit 3: then set one of its entries from the last 6 bytes of the file (u16 code point,
//!   u32 row);
//! - bit 0 also stores the header checksum, last, over whatever the other bits changed.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zhvec::embed::{Embedder, Recipe};
use zhvec::segment::{SegDict, Segmenter};
use zhvec::vocab::format::{align_up, checksum, Section, BMP_LEN, HEADER_LEN, MAGIC, NO_ROW, VERSION};
use zhvec::{Kind, Vocab};
use zhvec_fuzz::{check_input_error, scratch};

const SECTIONS_AT: usize = 80;
const LINE: &str = "北京天气很好 e\u{301} 🙂 abc 中华人民共和国";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else { return };
    let file = prepare(mode, body);
    let path = scratch("table.zv");
    std::fs::write(&path, &file).expect("write the table");
    match Vocab::open(&path) {
        Err(e) => check_input_error(&e, &[&path], &[]),
        Ok(v) => exercise(&v, body),
    }
});

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

fn prepare(mode: u8, body: &[u8]) -> Vec<u8> {
    let mut file = body.to_vec();
    if mode & 1 == 0 {
        return file;
    }
    if file.len() < HEADER_LEN {
        file.resize(HEADER_LEN, 0);
    }
    file[0..8].copy_from_slice(&MAGIC);
    put_u32(&mut file, 8, VERSION);
    put_u32(&mut file, 12, HEADER_LEN as u32);
    if mode & 4 != 0 {
        add_char_index(&mut file, mode & 8 != 0, body);
    }
    let len = file.len() as u64;
    put_u64(&mut file, 64, len);
    if mode & 2 != 0 {
        let sum = checksum(&file[HEADER_LEN..]);
        put_u64(&mut file, 72, sum);
    }
    let sum = checksum(&file[..HEADER_LEN - 8]);
    put_u64(&mut file, HEADER_LEN - 8, sum);
    file
}

/// Appends a `CharBmp` section for the single-code-point names of the character table, when
/// the file without it opens (with its header sealed) so that its names can be listed.
fn add_char_index(file: &mut Vec<u8>, poke: bool, body: &[u8]) {
    let mut bmp = vec![NO_ROW; BMP_LEN];
    let mut probe = file.clone();
    let len = probe.len() as u64;
    put_u64(&mut probe, 64, len);
    let sum = checksum(&probe[..HEADER_LEN - 8]);
    put_u64(&mut probe, HEADER_LEN - 8, sum);
    let path = scratch("probe.zv");
    std::fs::write(&path, &probe).expect("write the probe table");
    if let Ok(v) = Vocab::open(&path) {
        for e in v.entries(Kind::Char) {
            let mut it = e.name.chars();
            if let (Some(c), None) = (it.next(), it.next()) {
                if (c as usize) < BMP_LEN {
                    bmp[c as usize] = e.id;
                }
            }
        }
    }
    if poke && body.len() >= 6 {
        let t = &body[body.len() - 6..];
        bmp[u16::from_le_bytes([t[0], t[1]]) as usize] = u32::from_le_bytes([t[2], t[3], t[4], t[5]]);
    }
    let at = align_up(file.len() as u64);
    file.resize(at as usize, 0);
    file.extend(bmp.iter().flat_map(|x| x.to_le_bytes()));
    let s = SECTIONS_AT + 16 * Section::CharBmp as usize;
    put_u64(file, s, at);
    put_u64(file, s + 8, (BMP_LEN * 4) as u64);
}

fn exercise(v: &Vocab, body: &[u8]) {
    let _ = (v.name(), v.header(), v.dtype(), v.is_empty(), v.words_are_multichar(), v.meta());
    let tail = String::from_utf8_lossy(&body[body.len().saturating_sub(24)..]).into_owned();
    for kind in [Kind::Word, Kind::Char] {
        let (n, dim) = (v.len(kind), v.dim(kind));
        let _ = v.total(kind);
        let probe_ids = [0, 1, n / 2, n.saturating_sub(1)];
        for id in probe_ids.into_iter().filter(|&id| id < n) {
            let id = id as u32;
            let row = v.row(kind, id);
            assert_eq!(row.dim(), dim);
            assert_eq!(row.to_vec().len(), dim);
            let _ = v.count(kind, id);
            if let Some(name) = v.row_name(kind, id) {
                let _ = v.id(kind, name);
            }
        }
        for id in [n as u64, n as u64 + 1, u32::MAX as u64] {
            if let Ok(id) = u32::try_from(id) {
                assert!(v.row_name(kind, id).is_none(), "row {id} of {n} has a name");
            }
        }
        for e in v.entries(kind).take(256) {
            assert_eq!(e.row.dim(), dim);
        }
        for name in ["北京", "天", "e\u{301}", "🙂", "", tail.as_str()] {
            if let Some(id) = v.id(kind, name) {
                assert!((id as usize) < n, "{name:?} found at row {id} of {n}");
            }
        }
    }
    for c in ['北', 'a', '\0', '\u{ffff}', '\u{10000}', '🙂', char::MAX] {
        if let Some(row) = v.char(c) {
            assert_eq!(row.dim(), v.dim(Kind::Char));
        }
        if let Some(id) = v.char_id(c) {
            assert!((id as usize) < v.len(Kind::Char));
        }
    }
    let _ = (v.word("北京"), v.word(&tail), v.grapheme_id("e\u{301}"), v.view().word("天气"));

    if v.verify().is_ok() {
        // A verified table answers every lookup of its own names with their rows.
        for kind in [Kind::Word, Kind::Char] {
            for id in 0..v.len(kind) as u32 {
                let name = v.row_name(kind, id).expect("a verified table has UTF-8 names");
                assert_eq!(v.id(kind, name), Some(id), "{kind:?} row {id} {name:?} is not found by its name");
            }
        }
    }

    // Embedding through the table: any table that opens is used by `embed` as is.
    for dict in [SegDict::Jieba, SegDict::Vocab] {
        let Ok(seg) = Segmenter::new(dict, Some(v), Some(LINE)) else { continue };
        let Ok(embedder) = Embedder::new(v, seg, Recipe::default()) else { continue };
        assert_eq!(embedder.embed(LINE).len(), embedder.dim());
        let mut tokens = Vec::new();
        embedder.segmenter().cut(LINE, &mut tokens);
        for t in tokens {
            let _ = (embedder.source(t), embedder.word_vector(t));
        }
    }
}
