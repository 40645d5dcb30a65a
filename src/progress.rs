//! Progress bars on stderr, drawn only for a person watching: never when quiet, never when
//! stderr is not a terminal.

use std::io::{self, IsTerminal};
use std::path::Path;

pub use indicatif::ProgressBar;
use indicatif::{ProgressDrawTarget, ProgressStyle};

use crate::input::is_stdin;

/// What a bar shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Bytes done of the total, a message (lines and lines/s) and the ETA; a spinner with
    /// the message when the total is unknown.
    Lines,
    /// A name, bytes done of the total, bytes/s and the ETA; bytes, bytes/s and elapsed time
    /// when the total is unknown.
    Bytes,
}

/// A bar over `total` bytes (`None`: unknown), hidden when `quiet` or stderr is no terminal.
pub fn bar(total: Option<u64>, style: Style, quiet: bool) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (template, fallback) = match (style, total) {
        (Style::Lines, Some(_)) => ("{bar:30} {bytes}/{total_bytes} {msg} ETA {eta}", ProgressStyle::default_bar()),
        (Style::Lines, None) => ("{spinner} {msg}", ProgressStyle::default_spinner()),
        (Style::Bytes, Some(_)) => {
            ("{msg:16!} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} {eta}", ProgressStyle::default_bar())
        }
        (Style::Bytes, None) => ("{msg:16!} {bytes} {bytes_per_sec} {elapsed}", ProgressStyle::default_bar()),
    };
    let mut look = ProgressStyle::with_template(template).unwrap_or(fallback);
    if style == Style::Bytes {
        look = look.progress_chars("=> ");
    }
    let bar = match (style, total) {
        (_, Some(total)) => ProgressBar::new(total),
        (Style::Lines, None) => ProgressBar::new_spinner(),
        (Style::Bytes, None) => ProgressBar::no_length(),
    };
    let bar = bar.with_style(look);
    bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
    bar
}

/// The bytes stored in `paths`; `None` when one is standard input or cannot be measured.
pub fn total_bytes<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Option<u64> {
    paths
        .into_iter()
        .map(|p| {
            let p = p.as_ref();
            if is_stdin(p) {
                None
            } else {
                std::fs::metadata(p).ok().map(|m| m.len())
            }
        })
        .sum()
}

/// Removes the bar however the work ends, so an error message starts on a clean line.
pub struct ClearOnDrop(pub ProgressBar);

impl std::ops::Deref for ClearOnDrop {
    type Target = ProgressBar;

    fn deref(&self) -> &ProgressBar {
        &self.0
    }
}

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
