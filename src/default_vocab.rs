//! The default table, embedded in the binary (`vocab/default.zv`, see `vocab/README.md`).
//! It is used in place, like a memory map: no copy, no parsing.

use crate::error::Result;
use crate::vocab::Vocab;

/// Gives the embedded bytes the 64-byte alignment that in-place reads need.
#[repr(C, align(64))]
struct Aligned<T: ?Sized>(T);

static DEFAULT: &Aligned<[u8]> = &Aligned(*include_bytes!("../vocab/default.zv"));

/// The name the embedded table goes by in messages and `vocab info`.
pub const NAME: &str = "embedded default vocab";

/// Opens the embedded default vocab.
pub fn open() -> Result<Vocab> {
    Vocab::from_static(&DEFAULT.0, NAME)
}

/// Whether `vocab` is the embedded default table (not a file with the same bytes), whose word
/// rows the standard dictionary's trie knows (`segment::Tag`).
pub fn is_embedded(vocab: &Vocab) -> bool {
    vocab.is_static(&DEFAULT.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Kind;

    #[test]
    fn embedded_default_opens_and_verifies() {
        let v = open().unwrap();
        v.verify().unwrap();
        assert!(v.len(Kind::Word) > 50_000 && v.len(Kind::Char) > 5_000);
        assert_eq!(v.dim(Kind::Word), v.dim(Kind::Char));
    }
}
