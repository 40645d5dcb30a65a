//! Atomic file output: data goes to a temporary file next to the target, which is renamed
//! over the target only when complete. An error, a panic or Ctrl-C leaves the target as it
//! was; the temporary file is removed on drop and by the Ctrl-C handler.

use std::fs::File;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};
use crate::interrupt::TempGuard;

pub struct AtomicFile {
    tmp: NamedTempFile,
    target: PathBuf,
    _guard: TempGuard,
}

impl AtomicFile {
    /// Starts writing `target`.
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".zhvec-").suffix(".tmp");
        // Ask for 0666 so the file ends up with the user's umask, like any new file, rather
        // than the private 0600 of a temporary file.
        #[cfg(unix)]
        builder.permissions(<std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o666));
        let tmp = builder.tempfile_in(dir).map_err(|e| Error::io_path("cannot create a temporary file in", dir, e))?;
        let _guard = TempGuard::new(tmp.path());
        Ok(AtomicFile { tmp, target: target.to_path_buf(), _guard })
    }

    pub fn file(&self) -> &File {
        self.tmp.as_file()
    }

    /// A second handle on the temporary file (for a buffered writer that owns its file).
    pub fn reopen(&self) -> Result<File> {
        self.tmp.reopen().map_err(|e| Error::io_path("cannot open", self.tmp.path(), e))
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes the data to disk and renames the file into place.
    pub fn commit(self) -> Result<()> {
        let shown = self.target.display().to_string();
        self.tmp.as_file().sync_all().map_err(|e| Error::io(format!("cannot write {shown}"), e))?;
        self.tmp
            .persist(&self.target)
            .map_err(|e| Error::io(format!("cannot rename the output into place at {shown}"), e.error))?;
        Ok(())
    }
}
