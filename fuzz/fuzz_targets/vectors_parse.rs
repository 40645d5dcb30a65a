//! The pretrained-vectors readers (word2vec text and binary, GloVe, fastText .vec, gzip)
//! through `zhvec::import::run`, on files written to a scratch directory.
//!
//! Input: two option bytes, then the file(s).
//! - byte 0: bits 0-1 the format (auto, text, glove, binary); bits 2-3 the dtype (f32, f16,
//!   int8, f32); bit 4 gzip the vectors file; bit 5 `--skip-bad`; bit 6 the limits of byte 1;
//!   bit 7 a second file: the last `byte 1 & 0x3f` bytes of the rest;
//! - byte 1: with bit 6 of byte 0, `--max-words` is bits 0-2 and `--max-chars` bits 3-5;
//!   bit 6 makes the second file `--char-vectors` rather than `--freq`; bit 7 `--min-count 2`.
//!
//! A build either fails with an error naming a file, or writes a table that opens, verifies,
//! and holds what the summary says.

#![no_main]

use std::io::Write;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use zhvec::import::{self, BuildOptions, VectorsFormat};
use zhvec::embed::{Embedder, Recipe};
use zhvec::segment::{SegDict, Segmenter};
use zhvec::{Dtype, Kind, Vocab};
use zhvec_fuzz::{check_input_error, scratch};

/// Build errors that are about the options, not a file.
const OPTION_MESSAGES: &[&str] = &["no rows left"];

fuzz_target!(|data: &[u8]| {
    let [b0, b1, rest @ ..] = data else { return };
    let (b0, b1) = (*b0, *b1);
    let format =
        [VectorsFormat::Auto, VectorsFormat::Text, VectorsFormat::Glove, VectorsFormat::Binary][b0 as usize & 3];
    let dtype = [Dtype::F32, Dtype::F16, Dtype::Int8, Dtype::F32][(b0 >> 2) as usize & 3];
    let (main, second) = match b0 & 0x80 {
        0 => (rest, None),
        _ => {
            let at = rest.len().saturating_sub((b1 & 0x3f) as usize);
            (&rest[..at], Some(&rest[at..]))
        }
    };

    let vectors = scratch("vectors");
    let main_bytes = if b0 & 0x10 != 0 { gzip(main) } else { main.to_vec() };
    std::fs::write(&vectors, main_bytes).expect("write the vectors");
    let output = scratch("out.zv");
    let mut args = BuildOptions::new(&vectors, &output);
    args.vectors_format = format;
    args.dtype = dtype;
    args.skip_bad = b0 & 0x20 != 0;
    args.threads = Some(1);
    if b0 & 0x40 != 0 {
        args.max_words = Some((b1 & 7) as usize);
        args.max_chars = Some(((b1 >> 3) & 7) as usize);
    }
    if b1 & 0x80 != 0 {
        args.min_count = 2;
    }
    let extra = scratch("extra");
    if let Some(second) = second {
        std::fs::write(&extra, second).expect("write the second file");
        if b1 & 0x40 != 0 {
            args.char_vectors = Some(extra.clone());
        } else {
            args.freq.push(extra.clone());
        }
    }

    match import::run(&args) {
        Err(e) => check_input_error(&e, &[&vectors, &extra], OPTION_MESSAGES),
        Ok(summary) => check_table(&output, &summary, dtype),
    }
});

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("gzip into memory");
    enc.finish().expect("gzip into memory")
}

fn check_table(output: &Path, summary: &import::Summary, dtype: Dtype) {
    let v = Vocab::open(output).expect("a built table opens");
    v.verify().expect("a built table verifies");
    assert_eq!(v.dtype(), dtype);
    assert_eq!((v.len(Kind::Word), v.len(Kind::Char)), (summary.words, summary.chars));
    assert_eq!(v.dim(Kind::Word), v.dim(Kind::Char));
    assert!(summary.words + summary.chars > 0, "an empty table was written");
    for kind in [Kind::Word, Kind::Char] {
        for e in v.entries(kind) {
            assert_eq!(e.row.dim(), v.dim(kind));
            assert_eq!(v.view().id(kind, e.name), Some(e.id));
            let row = e.row.to_vec();
            assert!(row.iter().all(|x| x.abs() < 1e30), "{kind:?} {:?} has a value beyond the limit", e.name);
        }
    }

    // The built table embeds a line made of its own names.
    let line: String = v.entries(Kind::Word).take(8).chain(v.entries(Kind::Char).take(8)).map(|e| e.name).collect();
    let seg = Segmenter::new(SegDict::Vocab, Some(&v), Some(&line)).expect("a built table makes a segmenter");
    let embedder = Embedder::new(&v, seg, Recipe::default()).expect("embedder");
    let row = embedder.embed(&line);
    assert_eq!(row.len(), embedder.dim());
    assert!(row.iter().all(|x| x.is_finite()), "pooling overflowed: {row:?}");
}
