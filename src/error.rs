//! One error type for the whole tool: what failed, where, and which exit code it maps to.

use std::fmt;
use std::io;
use std::path::Path;

/// Exit code for bad input or bad usage: a file that can't be read or parsed, a corrupt table.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code for failures that are not the input's fault (disk full, out of memory, ...).
pub const EXIT_FAILURE: i32 = 1;

#[derive(Debug)]
pub enum Error {
    /// The input is wrong: names the file, the line when known, and the problem.
    BadInput(String),
    /// An I/O failure, with what was being done at the time.
    Io { context: String, source: io::Error },
    /// A problem that an option can change: the message names the option, which a caller
    /// with its own names for options (a command line's flags) shows via [`Error::message_with`].
    Option(Vec<Piece>),
    /// The reader of our output went away (`| head`); this ends the run successfully.
    BrokenPipe,
}

/// A library option named in an [`Error::Option`] message; [`Opt::name`] is its field name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opt {
    Channels,
    SifA,
    SegDict,
    Threads,
    Lossy,
    Vectors,
    VectorsFormat,
    Corpus,
    Freq,
    MaxWords,
    MaxChars,
    SkipBad,
    AllowRowCountMismatch,
    NormalizeText,
    Words,
}

impl Opt {
    /// The name of the field that holds the option.
    pub fn name(self) -> &'static str {
        match self {
            Opt::Channels => "channels",
            Opt::SifA => "sif_a",
            Opt::SegDict => "seg_dict",
            Opt::Threads => "threads",
            Opt::Lossy => "lossy",
            Opt::Vectors => "vectors",
            Opt::VectorsFormat => "vectors_format",
            Opt::Corpus => "corpus",
            Opt::Freq => "freq",
            Opt::MaxWords => "max_words",
            Opt::MaxChars => "max_chars",
            Opt::SkipBad => "skip_bad",
            Opt::AllowRowCountMismatch => "allow_row_count_mismatch",
            Opt::NormalizeText => "normalize_text",
            Opt::Words => "words",
        }
    }
}

/// A piece of an [`Error::Option`] message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Opt(Opt),
}

impl From<&str> for Piece {
    fn from(s: &str) -> Piece {
        Piece::Text(s.to_string())
    }
}

impl From<String> for Piece {
    fn from(s: String) -> Piece {
        Piece::Text(s)
    }
}

impl From<Opt> for Piece {
    fn from(o: Opt) -> Piece {
        Piece::Opt(o)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn bad(msg: impl Into<String>) -> Error {
        Error::BadInput(msg.into())
    }

    /// A problem that names an option, e.g. `[Opt::Threads.into(), " must be at least 1".into()]`.
    pub fn option(pieces: impl IntoIterator<Item = Piece>) -> Error {
        Error::Option(pieces.into_iter().collect())
    }

    /// The message with each option named by `name`; `Display` uses the field names.
    pub fn message_with(&self, name: impl Fn(Opt) -> String) -> String {
        match self {
            Error::Option(pieces) => pieces
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => t.clone(),
                    Piece::Opt(o) => name(*o),
                })
                .collect(),
            other => other.to_string(),
        }
    }

    /// A problem at a line of a file (`line` counts from 1).
    pub fn at_line(path: &str, line: u64, msg: impl fmt::Display) -> Error {
        Error::BadInput(format!("{path}:{line}: {msg}"))
    }

    /// Wraps an I/O error on a file; a broken pipe becomes [`Error::BrokenPipe`].
    pub fn io(context: impl Into<String>, source: io::Error) -> Error {
        if source.kind() == io::ErrorKind::BrokenPipe {
            return Error::BrokenPipe;
        }
        Error::Io { context: context.into(), source }
    }

    pub fn io_path(action: &str, path: &Path, source: io::Error) -> Error {
        Error::io(format!("{action} {}", path.display()), source)
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadInput(_) | Error::Option(_) => EXIT_BAD_INPUT,
            Error::BrokenPipe => 0,
            Error::Io { source, .. } => match source.kind() {
                // The user named something that isn't there or can't be read: their input.
                io::ErrorKind::NotFound
                | io::ErrorKind::PermissionDenied
                | io::ErrorKind::InvalidData
                | io::ErrorKind::UnexpectedEof
                | io::ErrorKind::IsADirectory
                | io::ErrorKind::NotADirectory => EXIT_BAD_INPUT,
                _ => EXIT_FAILURE,
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadInput(msg) => f.write_str(msg),
            Error::Option(_) => f.write_str(&self.message_with(|o| format!("`{}`", o.name()))),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::BrokenPipe => f.write_str("broken pipe"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// `n` and a regular English noun, singular for one: `plural(1, "line")` is "1 line".
pub fn plural(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn plural_is_singular_for_one() {
        assert_eq!(plural(0u64, "line"), "0 lines");
        assert_eq!(plural(1u64, "line"), "1 line");
        assert_eq!(plural(2u32, "pair"), "2 pairs");
    }
}
