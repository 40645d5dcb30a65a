//! The default table embedded in the binary.

use crate::error::{Error, Result};
use crate::vocab::Vocab;

/// Opens the embedded default vocab.
pub fn open() -> Result<Vocab> {
    Err(Error::bad("this build has no embedded default vocab; pass --vocab PATH"))
}
