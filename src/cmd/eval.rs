//! `zhvec eval sts | words | classify`.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use crate::cli::{EvalClassifyArgs, EvalPairsArgs};
use crate::cmd::{embedder, input_name, open_table};
use zhvec::embed::{Embedder, Scratch, Stats};
use zhvec::error::{plural, Error, Result};
use zhvec::eval::{cosine, spearman, Centroids, Undefined};
use zhvec::input::is_stdin;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairKind {
    Sentences,
    Words,
}

/// Reads `a<TAB>b<TAB>...` lines, with `fields` fields each; blank lines are skipped.
/// `-` reads standard input.
fn read_tsv(path: &Path, fields: usize) -> Result<Vec<(u64, Vec<String>)>> {
    let name = input_name(path);
    let bytes = if is_stdin(path) {
        let mut bytes = Vec::new();
        io::stdin().lock().read_to_end(&mut bytes).map_err(|e| Error::io("cannot read standard input", e))?;
        bytes
    } else {
        fs::read(path).map_err(|e| Error::io_path("cannot read", path, e))?
    };
    if zhvec::input::is_utf16(&bytes) {
        return Err(zhvec::input::utf16_error(&name));
    }
    let mut rows = Vec::new();
    for (i, raw) in zhvec::pipeline::lines(&bytes).enumerate() {
        let line_no = i as u64 + 1;
        let text = zhvec::pipeline::decode_line(raw, line_no, &name, false)?;
        if text.trim().is_empty() {
            continue;
        }
        let parts: Vec<String> = text.split('\t').map(str::to_string).collect();
        if parts.len() != fields {
            return Err(Error::at_line(
                &name,
                line_no,
                format_args!("expected {fields} tab-separated fields, found {}", parts.len()),
            ));
        }
        rows.push((line_no, parts));
    }
    if rows.is_empty() {
        return Err(Error::bad(format!("{name}: no data lines")));
    }
    Ok(rows)
}

struct TextVectors<'a, 'v> {
    embedder: &'a Embedder<'v>,
    scratch: Scratch,
    stats: Stats,
}

impl TextVectors<'_, '_> {
    fn of(&mut self, text: &str) -> Vec<f32> {
        let mut out = vec![0.0; self.embedder.dim()];
        self.embedder.embed_line(text, &mut out, &mut self.scratch, &mut self.stats);
        out
    }
}

fn print(json: bool, value: serde_json::Value, line: String) {
    if json {
        println!("{value}");
    } else {
        println!("{line}");
    }
}

pub fn pairs(args: &EvalPairsArgs, kind: PairKind) -> Result<()> {
    let vocab = open_table(&args.recipe.table)?;
    let embedder = embedder(&vocab, &args.recipe, None)?;
    let rows = read_tsv(&args.pairs, 3)?;
    let name = input_name(&args.pairs);
    let mut vecs = TextVectors { embedder: &embedder, scratch: Scratch::default(), stats: Stats::default() };
    let (mut sims, mut gold) = (Vec::new(), Vec::new());
    let mut missing = 0u64;
    for (line_no, f) in &rows {
        // NaN and infinities parse as f64 but cannot be ranked: reject them like any non-number.
        let g: f64 =
            f[2].trim().parse().ok().filter(|g: &f64| g.is_finite()).ok_or_else(|| {
                Error::at_line(&name, *line_no, format_args!("gold score {:?} is not a number", f[2]))
            })?;
        let (a, b) = (vecs.of(&f[0]), vecs.of(&f[1]));
        if a.iter().all(|x| *x == 0.0) || b.iter().all(|x| *x == 0.0) {
            missing += 1;
        }
        sims.push(cosine(&a, &b));
        gold.push(g);
    }
    let task = if kind == PairKind::Words { "words" } else { "sts" };
    let over = format!("over {} ({missing} with an empty vector)", plural(rows.len() as u64, "pair"));
    let mut json = serde_json::json!({"task": task, "file": name, "pairs": rows.len(), "no_vector": missing});
    let line = match spearman(&sims, &gold) {
        Ok(rho) => {
            let rho = 100.0 * rho;
            json["spearman"] = rho.into();
            format!("{name}: spearman {rho:.2} {over}")
        }
        Err(why) => {
            let reason = match why {
                Undefined::TooFewPairs => "a rank correlation needs at least two pairs",
                Undefined::ConstantFirst => "every pair has the same cosine, so there is nothing to rank",
                Undefined::ConstantSecond => "every gold score is the same, so there is nothing to rank",
            };
            json["spearman"] = serde_json::Value::Null;
            json["reason"] = reason.into();
            format!("{name}: spearman undefined {over}: {reason}")
        }
    };
    print(args.json, json, line);
    Ok(())
}

pub fn classify(args: &EvalClassifyArgs) -> Result<()> {
    let vocab = open_table(&args.recipe.table)?;
    let embedder = embedder(&vocab, &args.recipe, None)?;
    if is_stdin(&args.train) && is_stdin(&args.test) {
        return Err(Error::bad(
            "standard input (`-`) can be read only once: name a file for the training or the test set",
        ));
    }
    let train = read_tsv(&args.train, 2)?;
    let test = read_tsv(&args.test, 2)?;
    let mut vecs = TextVectors { embedder: &embedder, scratch: Scratch::default(), stats: Stats::default() };
    let mut centroids = Centroids::default();
    for (_, f) in &train {
        centroids.add(f[1].trim(), &vecs.of(&f[0]));
    }
    let correct = test.iter().filter(|(_, f)| centroids.predict(&vecs.of(&f[0])) == Some(f[1].trim())).count();
    let acc = 100.0 * correct as f64 / test.len() as f64;
    let name = input_name(&args.test);
    print(
        args.json,
        serde_json::json!({"task": "classify", "train": input_name(&args.train), "file": name,
            "train_rows": train.len(), "test_rows": test.len(), "accuracy": acc}),
        format!(
            "{name}: accuracy {acc:.2} over {} ({})",
            plural(test.len() as u64, "row"),
            plural(train.len() as u64, "training row")
        ),
    );
    Ok(())
}
