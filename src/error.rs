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
    /// The reader of our output went away (`| head`); this ends the run successfully.
    BrokenPipe,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn bad(msg: impl Into<String>) -> Error {
        Error::BadInput(msg.into())
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
            Error::BadInput(_) => EXIT_BAD_INPUT,
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
