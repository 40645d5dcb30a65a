//! `zhvec completions` and `zhvec man`: documents generated from the command line itself.

use std::io::Write;

use clap::Command;
use clap_complete::Shell;
use clap_mangen::Man;

use crate::help::{self, examples_of, examples_text};
use zhvec::error::{Error, Result};

/// Writes a whole document to standard output; a closed pipe ends the run quietly.
fn print(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).map_err(|e| Error::io("cannot write standard output", e))
}

/// The completion script for `shell`.
pub fn completions_script(shell: Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    // Into memory first: the generators panic on a write error such as a closed pipe.
    clap_complete::generate(shell, &mut help::command(), "zhvec", &mut buf);
    buf
}

pub fn completions(shell: Shell) -> Result<()> {
    print(&completions_script(shell))
}

pub fn man() -> Result<()> {
    print(&man_page()?)
}

/// One manual page for everything: the top level's sections, then a section per subcommand
/// with its synopsis, options and examples, in the order `--help` lists them.
pub fn man_page() -> Result<Vec<u8>> {
    let mut cmd = help::command().disable_help_subcommand(true);
    cmd.build();
    let mut page = Vec::new();
    let top = Man::new(cmd.clone());
    let io = |e| Error::io("cannot render the manual page", e);
    top.render_title(&mut page).map_err(io)?;
    top.render_name_section(&mut page).map_err(io)?;
    top.render_synopsis_section(&mut page).map_err(io)?;
    top.render_description_section(&mut page).map_err(io)?;
    top.render_options_section(&mut page).map_err(io)?;
    page.extend_from_slice(b".SH COMMANDS\n");
    for sub in cmd.get_subcommands() {
        for_each_command(sub, &mut vec![sub.get_name()], &mut |c, path| subcommand_section(c, path, &mut page))?;
    }
    examples_section(".SH EXAMPLES", &[], &mut page);
    top.render_version_section(&mut page).map_err(io)?;
    Ok(ascii_only(&page))
}

/// The page with every character outside ASCII written as a roff escape (`\[u4ECA]`), so it
/// formats the same whether or not the formatter is told the encoding.
fn ascii_only(page: &[u8]) -> Vec<u8> {
    let mut out = String::with_capacity(page.len() + page.len() / 4);
    for c in String::from_utf8_lossy(page).chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", c as u32));
        }
    }
    out.into_bytes()
}

/// Calls `f` on `cmd` and on every command below it, parents first.
fn for_each_command<'c>(
    cmd: &'c Command,
    path: &mut Vec<&'c str>,
    f: &mut dyn FnMut(&Command, &[&str]) -> Result<()>,
) -> Result<()> {
    f(cmd, path)?;
    for sub in cmd.get_subcommands() {
        path.push(sub.get_name());
        for_each_command(sub, path, f)?;
        path.pop();
    }
    Ok(())
}

/// The part of the page for the subcommand at `path`, under its own heading: the about text,
/// then clap_mangen's synopsis and options sections, whose `.SH` headings become labels.
fn subcommand_section(cmd: &Command, path: &[&str], page: &mut Vec<u8>) -> Result<()> {
    let io = |e| Error::io("cannot render the manual page", e);
    let man = Man::new(cmd.clone());
    page.extend_from_slice(format!(".SS \"zhvec {}\"\n", path.join(" ")).as_bytes());
    if let Some(about) = cmd.get_long_about().or_else(|| cmd.get_about()) {
        page.extend_from_slice(format!("{}\n", escape(&about.to_string())).as_bytes());
    }
    let mut part = Vec::new();
    man.render_synopsis_section(&mut part).map_err(io)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut part).map_err(io)?;
    }
    for line in String::from_utf8_lossy(&part).lines() {
        match line.strip_prefix(".SH ") {
            Some(heading) => page.extend_from_slice(format!(".PP\n\\fB{}:\\fR\n", label(heading)).as_bytes()),
            None => {
                page.extend_from_slice(line.as_bytes());
                page.push(b'\n');
            }
        }
    }
    examples_section(".PP\n\\fBExamples:\\fR", path, page);
    Ok(())
}

/// `SYNOPSIS` as `Synopsis`.
fn label(heading: &str) -> String {
    let heading = heading.trim_matches('"').to_lowercase();
    let mut chars = heading.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The examples of the command at `path` as a preformatted block under `heading`.
fn examples_section(heading: &str, path: &[&str], page: &mut Vec<u8>) {
    if let Some(examples) = examples_of(path) {
        page.extend_from_slice(format!("{heading}\n.RS 4\n.nf\n").as_bytes());
        for line in examples_text(examples).lines() {
            page.extend_from_slice(escape(line.trim_start()).as_bytes());
            page.push(b'\n');
        }
        page.extend_from_slice(b".fi\n.RE\n");
    }
}

/// Text made safe for roff: backslashes and minus signs escaped, a leading control
/// character neutralized.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.split_inclusive('\n') {
        if line.starts_with(['.', '\'']) {
            out.push_str("\\&");
        }
        for c in line.chars() {
            match c {
                '\\' => out.push_str("\\e"),
                '-' => out.push_str("\\-"),
                _ => out.push(c),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_keeps_text_literal_in_roff() {
        assert_eq!(escape("a-b \\n"), "a\\-b \\en");
        assert_eq!(escape(".x\n'y\nz"), "\\&.x\n\\&'y\nz");
    }

    #[test]
    fn non_ascii_becomes_unicode_escapes() {
        assert_eq!(super::ascii_only("a今🙂…".as_bytes()), b"a\\[u4ECA]\\[u1F642]\\[u2026]");
    }
}
