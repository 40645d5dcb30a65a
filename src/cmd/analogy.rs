//! `zhvec eval analogy`.

use crate::cli::AnalogyArgs;
use crate::cmd::open_vocab;
use zhvec::analogy::{self, Score};
use zhvec::error::{Error, Result};
use zhvec::vocab::{RowSet, Tables};

pub fn run(args: &AnalogyArgs) -> Result<()> {
    let vocab = open_vocab(args.vocab.as_deref())?;
    let path = &args.questions;
    let name = crate::cmd::input_name(path);
    let bytes = read_all(path)?;
    if zhvec::input::is_utf16(&bytes) {
        return Err(zhvec::input::utf16_error(&name));
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        Error::at_line(&name, line, "invalid UTF-8")
    })?;
    let questions = analogy::parse(text, &name)?;
    let tables: Tables = args.table.into();
    let set = RowSet::new(&vocab, tables)?;
    let threads = zhvec::pipeline::threads(args.threads, false)?;
    let report = analogy::evaluate(&vocab.view(), &set, &questions, threads);
    if args.json {
        let json = |s: &Score| {
            serde_json::json!({"name": s.name, "questions": s.questions, "covered": s.covered,
                "missing": s.questions - s.covered, "correct": s.correct,
                "accuracy_of_covered": s.of_covered(), "accuracy_of_all": s.of_all()})
        };
        let sections: Vec<_> = report.sections.iter().map(json).collect();
        println!(
            "{}",
            serde_json::json!({"task": "analogy", "file": name, "table": tables.name(), "method": "3CosAdd",
                "sections": sections, "total": json(&report.total)})
        );
        return Ok(());
    }
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.2}"));
    println!("{name}: 3CosAdd over the {} table{}", tables.name(), if tables == Tables::Both { "s" } else { "" });
    println!("section\tquestions\tmissing\tcorrect\tof covered\tof all");
    for s in report.sections.iter().chain([&report.total]) {
        let shown = if s.name.is_empty() { "(no section)" } else { &s.name };
        println!(
            "{shown}\t{}\t{}\t{}\t{}\t{}",
            s.questions,
            s.questions - s.covered,
            s.correct,
            pct(s.of_covered()),
            pct(s.of_all())
        );
    }
    Ok(())
}

/// The whole file, or standard input for `-`.
fn read_all(path: &std::path::Path) -> Result<Vec<u8>> {
    use std::io::Read;
    if zhvec::input::is_stdin(path) {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b).map_err(|e| Error::io("cannot read standard input", e))?;
        return Ok(b);
    }
    std::fs::read(path).map_err(|e| Error::io_path("cannot read", path, e))
}
