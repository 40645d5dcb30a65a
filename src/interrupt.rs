//! Ctrl-C: outputs are written to temporary files and renamed into place when complete, so an
//! interrupted run never leaves a partial file under the final name. The handler also
//! removes the temporary files, so an interrupted conversion leaves no litter either.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

static TEMP_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Exit code after Ctrl-C, as shells report it (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Installs the handler: remove registered temporary files, then exit with 130.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if let Ok(files) = TEMP_FILES.lock() {
            for f in files.iter() {
                let _ = std::fs::remove_file(f);
            }
        }
        std::process::exit(EXIT_INTERRUPTED);
    });
}

/// Registers a temporary file for removal on Ctrl-C while the guard lives.
pub struct TempGuard(PathBuf);

impl TempGuard {
    pub fn new(path: &Path) -> TempGuard {
        if let Ok(mut files) = TEMP_FILES.lock() {
            files.push(path.to_path_buf());
        }
        TempGuard(path.to_path_buf())
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Ok(mut files) = TEMP_FILES.lock() {
            if let Some(i) = files.iter().position(|p| *p == self.0) {
                files.swap_remove(i);
            }
        }
    }
}
