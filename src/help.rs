//! The command line as clap sees it, with an Examples section after the help of the top level
//! and of each main subcommand. `--help`, the manual page and the completions all use it.

use clap::{Command, CommandFactory, FromArgMatches};

use crate::cli::Cli;

/// An example: a command line that works as shown, and what it does.
pub type Example = (&'static str, &'static str);

/// The examples of each command, by its path below `zhvec` (empty: the top level). Every
/// command reads only files that a user has at hand (`titles.txt`, `vectors.txt`, ...), and
/// writes only into the current folder.
pub const EXAMPLES: &[(&[&str], &[Example])] = &[
    (
        &[],
        &[
            ("echo 今天天气很好 | zhvec embed", "a JSON array from the built-in table"),
            ("zhvec embed titles.txt -f npy -o titles.npy", "(N, D) float32 for numpy.load"),
            ("zhvec embed corpus/*.txt --out-dir vecs/ -f npy", "one .npy per input file"),
            ("echo 我来到北京清华大学 | zhvec segment --explain", "the tokens and where their vectors come from"),
            ("zhvec vocab build --vectors vectors.txt -o my.zv", "a table from word2vec text"),
            ("zhvec eval sts pairs.tsv --vocab my.zv", "Spearman x100 on your own sentence pairs"),
            ("zhvec nn 北京 -k 5", "the nearest words by cosine"),
            ("zhvec completions bash > zhvec.bash", "shell completions; also zsh, fish, powershell, elvish"),
            ("zhvec man > zhvec.1", "the manual page"),
        ],
    ),
    (
        &["embed"],
        &[
            ("echo 今天天气很好 | zhvec embed", "one JSON array per line"),
            ("zhvec embed titles.txt --with-line --with-text", "{\"line\":1,\"text\":…,\"vector\":[…]}"),
            ("zhvec embed titles.txt -f tsv", "tab-separated floats"),
            ("zhvec embed titles.txt -f npy -o titles.npy", "(N, D) float32, written atomically"),
            ("zhvec embed corpus/*.txt --out-dir vecs/ -f npy", "vecs/a.npy, vecs/b.npy, ..."),
            ("zhvec embed --vocab my.zv --weighting sif --normalize all titles.txt", "another table and recipe"),
            ("zhvec embed --print-dim", "the row length"),
        ],
    ),
    (
        &["segment"],
        &[
            ("echo 我来到北京清华大学 | zhvec segment", "tokens separated by spaces"),
            ("zhvec segment --explain titles.txt", "token/w (word table), /c:chars (fallback), /- (nothing)"),
            ("zhvec segment --json titles.txt", "one JSON array of tokens per line"),
            ("zhvec segment --json --explain titles.txt", "{\"token\",\"source\",\"chars\"} objects"),
            ("zhvec segment --seg-dict vocab --vocab my.zv titles.txt", "cut with the table's own words"),
        ],
    ),
    (
        &["vocab"],
        &[
            ("zhvec vocab build --vectors vectors.txt -o my.zv", "a table from word2vec text"),
            ("zhvec vocab info my.zv", "counts, dims, dtype, source and build options"),
            ("zhvec vocab verify my.zv", "full checksum and index check"),
            ("zhvec vocab export my.zv --format npy -o my.npy", "my.npy + my.vocab.txt for numpy or torch"),
        ],
    ),
    (
        &["vocab", "build"],
        &[
            ("zhvec vocab build --vectors vectors.txt -o my.zv", "word2vec text, GloVe, fastText .vec, binary, .gz"),
            ("zhvec vocab build --vectors vectors.txt --freq dict.txt --dtype f16 -o my.zv", "counts from a word list"),
            ("zhvec vocab build --vectors vectors.txt --corpus titles.txt -o my.zv", "counts from your own text"),
            ("cat vectors.txt | zhvec vocab build --vectors - -o my.zv", "vectors from standard input"),
            ("zhvec vocab build --vectors vectors.txt -o my.zv --json", "the summary as JSON"),
        ],
    ),
    (
        &["vocab", "export"],
        &[
            ("zhvec vocab export my.zv --format npy -o my.npy", "my.npy + my.vocab.txt, rows in table order"),
            ("zhvec vocab export my.zv --format w2v -o my.txt", "word2vec text, readable by gensim"),
            ("zhvec vocab export --format w2v-binary --table words -o default.bin", "the built-in table's words"),
        ],
    ),
    (&["vocab", "info"], &[("zhvec vocab info", "the built-in table"), ("zhvec vocab info my.zv --json", "as JSON")]),
    (
        &["vocab", "verify"],
        &[("zhvec vocab verify my.zv", "checksum, names and index"), ("zhvec vocab verify --json", "as JSON")],
    ),
    (
        &["eval"],
        &[
            ("zhvec eval sts pairs.tsv", "s1<TAB>s2<TAB>gold lines"),
            ("zhvec eval words words.tsv", "w1<TAB>w2<TAB>gold lines"),
            ("zhvec eval classify train.tsv test.tsv", "text<TAB>label lines"),
            ("zhvec eval analogy analogies.txt", "3CosAdd accuracy on `a b c d` questions"),
        ],
    ),
    (
        &["eval", "analogy"],
        &[
            ("zhvec eval analogy analogies.txt", "accuracy per `: section` and in total"),
            ("zhvec eval analogy analogies.txt --table words --json", "only the word table, as JSON"),
        ],
    ),
    (
        &["eval", "sts"],
        &[
            ("zhvec eval sts pairs.tsv", "s1<TAB>s2<TAB>gold lines"),
            ("zhvec eval sts pairs.tsv --vocab my.zv --weighting sif --json", "another table and recipe, as JSON"),
            ("cat pairs.tsv | zhvec eval sts -", "pairs from standard input"),
        ],
    ),
    (
        &["eval", "words"],
        &[("zhvec eval words words.tsv", "w1<TAB>w2<TAB>gold lines"), ("zhvec eval words words.tsv --json", "as JSON")],
    ),
    (
        &["eval", "classify"],
        &[
            ("zhvec eval classify train.tsv test.tsv", "text<TAB>label lines"),
            ("zhvec eval classify train.tsv - < test.tsv", "the test set from standard input"),
        ],
    ),
    (
        &["nn"],
        &[
            ("zhvec nn 北京", "the 10 nearest words of the built-in table: word<TAB>cosine"),
            ("zhvec nn 北京 上海 -k 5 --json", "several queries, as JSON"),
            ("zhvec nn 京 --table chars", "the character table"),
            ("zhvec embed titles.txt -f npy -o titles.npy", "line vectors to search"),
            ("zhvec nn --line 北京天气 --against titles.npy --texts titles.txt", "row<TAB>cosine<TAB>text"),
        ],
    ),
    (
        &["sim"],
        &[
            ("printf '北京\\t上海\\n' | zhvec sim", "the cosine of each a<TAB>b line"),
            ("zhvec sim pairs.tsv --vocab my.zv", "another table; fields after the second are ignored"),
        ],
    ),
    (
        &["completions"],
        &[
            ("zhvec completions bash > zhvec.bash", "load with `source zhvec.bash`"),
            ("zhvec completions zsh > _zhvec", "put into a folder on $fpath"),
            ("zhvec completions fish > zhvec.fish", "put into ~/.config/fish/completions/"),
            ("zhvec completions powershell > zhvec.ps1", "load with `. ./zhvec.ps1`"),
        ],
    ),
    (&["man"], &[("zhvec man > zhvec.1", "read with `man ./zhvec.1`")]),
];

/// Examples formatted as shell lines: a `# what` comment above each command, a blank line
/// between examples. The comments sit above rather than beside the commands so that long
/// commands and double-width characters need no alignment.
pub fn examples_text(examples: &[Example]) -> String {
    let blocks: Vec<String> = examples.iter().map(|(command, what)| format!("  # {what}\n  {command}\n")).collect();
    blocks.join("\n")
}

/// The examples of the command at `path`, if it has any.
pub fn examples_of(path: &[&str]) -> Option<&'static [Example]> {
    EXAMPLES.iter().find(|(p, _)| *p == path).map(|(_, e)| *e)
}

/// The command line with the examples attached.
pub fn command() -> Command {
    attach(Cli::command(), &mut Vec::new())
}

fn attach(cmd: Command, path: &mut Vec<String>) -> Command {
    let cmd = match examples_of(&path.iter().map(String::as_str).collect::<Vec<_>>()) {
        Some(examples) => {
            let h = cmd.get_styles().get_header();
            let text = format!("{h}Examples:{h:#}\n{}", examples_text(examples));
            cmd.after_help(text.trim_end().to_string())
        }
        None => cmd,
    };
    cmd.mut_subcommands(|sub| {
        path.push(sub.get_name().to_string());
        let sub = attach(sub, path);
        path.pop();
        sub
    })
}

/// Parses the process's arguments; on an error, or for `--help`/`--version`, prints and exits
/// as clap does.
pub fn parse() -> Cli {
    crate::cli::clear_empty_env();
    let mut cmd = command();
    let matches = cmd.try_get_matches_from_mut(std::env::args_os()).unwrap_or_else(|e| e.format(&mut cmd).exit());
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit());
    crate::cli::note_env_sources(&mut cli, &matches);
    cli
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each path with examples names a real command, so no example is silently dropped.
    #[test]
    fn every_example_path_is_a_command() {
        let cmd = command();
        for (path, _) in EXAMPLES {
            let mut c = &cmd;
            for name in *path {
                c = c.find_subcommand(name).unwrap_or_else(|| panic!("no command {path:?}"));
            }
            let help = c.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            assert!(help.contains("Examples:"), "{path:?} has no examples in its help");
        }
    }
}
