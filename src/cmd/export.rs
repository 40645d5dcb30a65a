//! `zhvec vocab export`.

use crate::cli::ExportArgs;
use crate::cmd::open_vocab;
use zhvec::atomic::Inputs;
use zhvec::error::Result;
use zhvec::export::{self, ExportOptions};

pub fn run(args: &ExportArgs) -> Result<()> {
    let inputs = Inputs::check(args.path.as_deref())?;
    let vocab = open_vocab(args.path.as_deref())?;
    let opts = ExportOptions {
        format: args.format.into(),
        tables: args.table.into(),
        dtype: args.dtype.into(),
        threads: args.threads,
        output: args.output.clone(),
    };
    let summary = export::run(&vocab, &inputs, &opts)?;
    if !args.quiet {
        eprintln!("zhvec: {summary}");
    }
    Ok(())
}
