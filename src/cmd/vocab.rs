//! `zhvec vocab build | info | verify`.

use std::path::Path;

use crate::cli::BuildArgs;
use crate::cmd::open_vocab;
use zhvec::error::Result;
use zhvec::vocab::{Kind, Vocab};

pub fn build(args: BuildArgs) -> Result<()> {
    let summary = zhvec::import::run(&args.into_options())?;
    eprintln!("{summary}");
    Ok(())
}

/// The facts `vocab info` shows, as JSON.
pub fn info_json(vocab: &Vocab, file_size: u64) -> Result<serde_json::Value> {
    let meta = vocab.meta()?;
    let mut v = serde_json::json!({
        "path": vocab.name(),
        "words": vocab.len(Kind::Word),
        "chars": vocab.len(Kind::Char),
        "dim": vocab.dim(Kind::Word),
        "char_dim": vocab.dim(Kind::Char),
        "dtype": vocab.dtype().name(),
        "file_size": file_size,
        "word_freq_total": vocab.total(Kind::Word),
        "char_freq_total": vocab.total(Kind::Char),
    });
    if let (Some(obj), serde_json::Value::Object(meta)) = (v.as_object_mut(), meta) {
        for (k, val) in meta {
            obj.entry(k).or_insert(val);
        }
    }
    Ok(v)
}

pub fn info(path: Option<&Path>, json: bool) -> Result<()> {
    let vocab = open_vocab(path)?;
    let size = vocab.header().file_len;
    let v = info_json(&vocab, size)?;
    if json {
        println!("{v}");
        return Ok(());
    }
    if let Some(obj) = v.as_object() {
        for (k, val) in obj {
            match val {
                serde_json::Value::String(s) => println!("{k:16} {s}"),
                other => println!("{k:16} {other}"),
            }
        }
    }
    Ok(())
}

pub fn verify(path: Option<&Path>) -> Result<()> {
    let vocab = open_vocab(path)?;
    vocab.verify()?;
    println!(
        "{}: ok ({} words, {} chars, {} bytes)",
        vocab.name(),
        vocab.len(Kind::Word),
        vocab.len(Kind::Char),
        vocab.header().file_len
    );
    Ok(())
}
