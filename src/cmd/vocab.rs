//! `zhvec vocab build | info | verify`.

use std::path::Path;

use crate::cli::BuildArgs;
use crate::cmd::open_vocab;
use zhvec::error::{Error, Result};
use zhvec::import::Summary;
use zhvec::input::is_stdin;
use zhvec::vocab::{Kind, Vocab};

pub fn build(args: BuildArgs) -> Result<()> {
    let json = args.json;
    if json && is_stdin(&args.output) {
        return Err(Error::bad("--json and -o - would both write to standard output; write the table to a file"));
    }
    let summary = zhvec::import::run(&args.into_options())?;
    if json {
        println!("{}", build_json(&summary));
    } else {
        eprintln!("{summary}");
    }
    Ok(())
}

/// The `vocab build --json` summary. The field names are part of the interface.
pub fn build_json(s: &Summary) -> serde_json::Value {
    let mut v = serde_json::Map::new();
    v.insert("output".into(), s.output.display().to_string().into());
    v.extend(s.counts_json());
    v.insert("input_bytes".into(), s.input_bytes.into());
    v.insert("seconds".into(), s.elapsed.as_secs_f64().into());
    v.insert("read_seconds".into(), s.read_time.as_secs_f64().into());
    v.insert("mb_per_s".into(), s.mb_per_s().into());
    serde_json::Value::Object(v)
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

pub fn verify(path: Option<&Path>, json: bool) -> Result<()> {
    let checked = open_vocab(path).and_then(|vocab| vocab.verify().map(|()| vocab));
    let vocab = match checked {
        Ok(vocab) => vocab,
        Err(e) if json => {
            // A script checking many tables gets a verdict on stdout for the bad ones too.
            let name = path.map_or_else(|| zhvec::default_vocab::NAME.to_string(), |p| p.display().to_string());
            println!("{}", serde_json::json!({"path": name, "ok": false, "error": crate::cli::message(&e)}));
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let (words, chars, bytes) = (vocab.len(Kind::Word), vocab.len(Kind::Char), vocab.header().file_len);
    if json {
        let v = serde_json::json!({"path": vocab.name(), "ok": true, "words": words, "chars": chars, "bytes": bytes});
        println!("{v}");
    } else {
        println!("{}: ok ({words} words, {chars} chars, {bytes} bytes)", vocab.name());
    }
    Ok(())
}
