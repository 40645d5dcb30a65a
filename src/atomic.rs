//! Where output goes, checked before any work starts.
//!
//! - A regular file, or a path that does not exist yet, is written atomically: into a
//!   temporary file next to it, renamed over it only when complete. An error, a panic or a
//!   signal leaves the target as it was.
//! - A symlink is followed; its final target is written that way.
//! - Anything else (a FIFO, a device, `/dev/stdout`, `/dev/fd/N`) is written in place, as
//!   `cat > path` would. `-` is standard output.
//!
//! Temporary files are named `.<target name>.zhvec-<host>-<pid>-<n>.tmp`. A run that is
//! killed outright (SIGKILL, power loss) can leave one behind; the next run writing the same
//! target removes those of its host whose process is gone.

use std::collections::HashMap;
use std::ffi::{CString, OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::interrupt::TempGuard;

/// The path that names standard output.
pub const STDOUT: &str = "-";

/// A file's identity: device and inode, so hard links and different spellings of one path
/// compare equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    fn of(meta: &fs::Metadata) -> FileId {
        FileId { dev: meta.dev(), ino: meta.ino() }
    }
}

/// The inputs of a run, to refuse writing over one of them.
#[derive(Clone, Debug, Default)]
pub struct Inputs(Vec<(FileId, PathBuf)>);

impl Inputs {
    /// Checks that every input exists, is readable and is not a directory, before any work
    /// starts. `-` (standard input) is skipped. Nothing is opened: opening a FIFO to check it
    /// could lose its data.
    pub fn check<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Result<Inputs> {
        let mut ids = Vec::new();
        for path in paths {
            if path.as_os_str() == "-" {
                continue;
            }
            let meta = fs::metadata(path).map_err(|e| Error::io_path("cannot open input", path, e))?;
            if meta.is_dir() {
                return Err(Error::bad(format!("{}: is a directory, not an input file", path.display())));
            }
            if !accessible(path, libc::R_OK) {
                let e = io::Error::last_os_error();
                return Err(Error::io_path("cannot open input", path, e));
            }
            ids.push((FileId::of(&meta), path.to_path_buf()));
        }
        Ok(Inputs(ids))
    }

    fn find(&self, id: FileId) -> Option<&Path> {
        self.0.iter().find(|(i, _)| *i == id).map(|(_, p)| p.as_path())
    }
}

fn accessible(path: &Path, mode: libc::c_int) -> bool {
    match CString::new(path.as_os_str().as_bytes()) {
        // SAFETY: a valid NUL-terminated string.
        Ok(c) => (unsafe { libc::access(c.as_ptr(), mode) }) == 0,
        Err(_) => false,
    }
}

/// An output checked but not yet opened.
#[derive(Clone, Debug)]
pub enum Plan {
    /// A regular file written through a temporary file and a rename. `replaces` holds the
    /// existing file's metadata, whose mode and owner the new file keeps.
    Atomic {
        target: PathBuf,
        shown: PathBuf,
        replaces: Option<fs::Metadata>,
    },
    /// Not a regular file: written in place.
    Direct {
        path: PathBuf,
    },
    Stdout,
}

impl Plan {
    /// Checks an output path: refuses a directory, a missing folder, one of `inputs`, and a
    /// read-only file.
    pub fn check(path: &Path, inputs: &Inputs) -> Result<Plan> {
        if path.as_os_str() == STDOUT {
            return Ok(Plan::Stdout);
        }
        let shown = path.display();
        let on_input = |id: FileId| match inputs.find(id) {
            Some(input) => Err(Error::bad(format!(
                "refusing to write {shown}: it is the input {}; choose another output path",
                input.display()
            ))),
            None => Ok(()),
        };
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Err(Error::bad(format!("cannot write {shown}: it is a directory"))),
            Ok(meta) if meta.is_file() && !is_fd_path(path) => {
                on_input(FileId::of(&meta))?;
                let target = if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                    fs::canonicalize(path).map_err(|e| Error::io_path("cannot resolve", path, e))?
                } else {
                    path.to_path_buf()
                };
                // Like cp, refuse to replace a file nobody may write; as root, where access()
                // always allows, a file without any write bit counts as read-only too.
                if meta.permissions().mode() & 0o222 == 0 || !accessible(path, libc::W_OK) {
                    return Err(Error::bad(format!(
                        "refusing to replace {shown}: the file is read-only (make it writable or remove it first)"
                    )));
                }
                check_folder(&target, path)?;
                Ok(Plan::Atomic { target, shown: path.to_path_buf(), replaces: Some(meta) })
            }
            Ok(meta) => {
                on_input(FileId::of(&meta))?;
                Ok(Plan::Direct { path: path.to_path_buf() })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let target = follow_dangling(path);
                check_folder(&target, path)?;
                Ok(Plan::Atomic { target, shown: path.to_path_buf(), replaces: None })
            }
            Err(e) => Err(Error::io_path("cannot write", path, e)),
        }
    }

    /// Opens the output: creates the temporary file, or opens the FIFO or device.
    pub fn open(&self) -> Result<Output> {
        match self {
            Plan::Stdout => Ok(Output::Stdout),
            Plan::Direct { path } => {
                let file = OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(path)
                    .map_err(|e| Error::io_path("cannot open for writing", path, e))?;
                Ok(Output::Direct { file, name: path.display().to_string() })
            }
            Plan::Atomic { target, shown, replaces } => {
                Ok(Output::Atomic(AtomicFile::create_as(target, shown, replaces.as_ref())?))
            }
        }
    }
}

/// `/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`: an already open descriptor, written in
/// place even when it is a regular file, since the one who opened it holds it.
fn is_fd_path(path: &Path) -> bool {
    let b = path.as_os_str().as_bytes();
    matches!(b, b"/dev/stdout" | b"/dev/stderr")
        || b.starts_with(b"/dev/fd/")
        || (b.starts_with(b"/proc/") && b.windows(4).any(|w| w == b"/fd/"))
}

/// The path a dangling symlink points to (followed a bounded number of times), or `path`.
fn follow_dangling(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::read_link(&p) {
            Ok(next) => p = p.parent().map_or(next.clone(), |dir| dir.join(&next)),
            Err(_) => break,
        }
    }
    p
}

fn folder_of(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The folder of `target` must exist and take new files.
fn check_folder(target: &Path, shown: &Path) -> Result<()> {
    let dir = folder_of(target);
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Error::bad(format!("cannot write {}: {} is not a directory", shown.display(), dir.display())))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(Error::bad(format!(
                "cannot write {}: the folder {} does not exist",
                shown.display(),
                dir.display()
            )))
        }
        Err(e) => return Err(Error::io(format!("cannot write {}: folder {}", shown.display(), dir.display()), e)),
    }
    if !accessible(dir, libc::W_OK | libc::X_OK) {
        let e = io::Error::last_os_error();
        return Err(Error::io(
            format!("cannot write {}: cannot create files in {}", shown.display(), dir.display()),
            e,
        ));
    }
    Ok(())
}

/// An opened output.
pub enum Output {
    Atomic(AtomicFile),
    Direct { file: File, name: String },
    Stdout,
}

impl Output {
    /// Checks and opens `path` in one go.
    pub fn create(path: &Path, inputs: &Inputs) -> Result<Output> {
        Plan::check(path, inputs)?.open()
    }

    /// How the output is named in messages.
    pub fn name(&self) -> String {
        match self {
            Output::Atomic(a) => a.shown.display().to_string(),
            Output::Direct { name, .. } => name.clone(),
            Output::Stdout => "standard output".into(),
        }
    }
}

/// A temporary file that becomes the target on [`AtomicFile::commit`], and is removed if
/// dropped before.
pub struct AtomicFile {
    file: File,
    tmp: PathBuf,
    target: PathBuf,
    shown: PathBuf,
    committed: bool,
    _guard: TempGuard,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl AtomicFile {
    /// Starts writing `target` (a regular file or a new path).
    pub fn create(target: &Path) -> Result<AtomicFile> {
        match Plan::check(target, &Inputs::default())? {
            Plan::Atomic { target, shown, replaces } => AtomicFile::create_as(&target, &shown, replaces.as_ref()),
            _ => Err(Error::bad(format!("cannot write {}: not a regular file", target.display()))),
        }
    }

    fn create_as(target: &Path, shown: &Path, replaces: Option<&fs::Metadata>) -> Result<AtomicFile> {
        let dir = folder_of(target);
        let name = target.file_name().unwrap_or(OsStr::new("out"));
        remove_stale(dir, name);
        let pid = std::process::id();
        let host = hostname();
        let mut last = None;
        for _ in 0..100 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join(temp_name(name, &format!("{host}-{pid}-{n}")));
            // Registered before the file exists, so a signal between the two cannot leave it
            // behind. The name holds this pid, so any file it might remove instead is a
            // leftover of a process that is gone.
            let _guard = TempGuard::new(&tmp);
            // 0666 so a new file gets the user's umask like any other, not a temp file's 0600.
            match OpenOptions::new().write(true).read(true).create_new(true).mode(0o666).open(&tmp) {
                Ok(file) => {
                    let out = AtomicFile {
                        file,
                        tmp,
                        target: target.to_path_buf(),
                        shown: shown.to_path_buf(),
                        committed: false,
                        _guard,
                    };
                    if let Some(old) = replaces {
                        // Keep the replaced file's mode and, where allowed, its owner and group.
                        let _ = out.file.set_permissions(fs::Permissions::from_mode(old.mode() & 0o7777));
                        if std::os::unix::fs::fchown(&out.file, Some(old.uid()), Some(old.gid())).is_err() {
                            let _ = std::os::unix::fs::fchown(&out.file, None, Some(old.gid()));
                        }
                    }
                    return Ok(out);
                }
                // Left by an earlier process that had the same pid.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => {
                    return Err(Error::io(
                        format!("cannot write {}: cannot create a file in {}", shown.display(), dir.display()),
                        e,
                    ))
                }
            }
        }
        let e = last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists));
        Err(Error::io(
            format!("cannot write {}: cannot create a temporary file in {}", shown.display(), dir.display()),
            e,
        ))
    }

    pub fn file(&self) -> &File {
        &self.file
    }

    /// A second handle on the temporary file (for a buffered writer that owns its file).
    pub fn reopen(&self) -> Result<File> {
        self.file.try_clone().map_err(|e| Error::io_path("cannot open", &self.tmp, e))
    }

    /// The file that is replaced on commit (a symlink's target, resolved).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes the data to disk and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let shown = self.shown.display().to_string();
        self.file.sync_all().map_err(|e| Error::io(format!("cannot write {shown}"), e))?;
        fs::rename(&self.tmp, &self.target)
            .map_err(|e| Error::io(format!("cannot rename the output into place at {shown}"), e))?;
        self.committed = true;
        // The rename is durable once the folder is synced; a failure here loses nothing now.
        if let Ok(dir) = File::open(folder_of(&self.target)) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

const TEMP_MARK: &str = ".zhvec-";
const TEMP_SUFFIX: &str = ".tmp";

/// `.<name>.zhvec-<tag>.tmp`, the name cut so the whole stays within 255 bytes.
fn temp_name(name: &OsStr, tag: &str) -> OsString {
    let mut out = OsString::from(".");
    out.push(short_name(name));
    out.push(TEMP_MARK);
    out.push(tag);
    out.push(TEMP_SUFFIX);
    out
}

fn short_name(name: &OsStr) -> &OsStr {
    let b = name.as_bytes();
    OsStr::from_bytes(&b[..b.len().min(160)])
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; the result is cut at the first NUL.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) } == 0;
    let len = buf.iter().position(|&b| b == 0).unwrap_or(0);
    if ok {
        String::from_utf8_lossy(&buf[..len]).replace('/', "_")
    } else {
        String::new()
    }
}

/// Names of stale temporary files found per folder, listed once per run.
static STALE: Mutex<Option<HashMap<PathBuf, Vec<OsString>>>> = Mutex::new(None);

/// Removes temporary files for `name` in `dir` left by processes of this host that are gone.
fn remove_stale(dir: &Path, name: &OsStr) {
    let Ok(mut guard) = STALE.lock() else { return };
    let map = guard.get_or_insert_with(HashMap::new);
    let found = map.entry(dir.to_path_buf()).or_insert_with(|| list_stale(dir));
    let mut prefix = OsString::from(".");
    prefix.push(short_name(name));
    prefix.push(TEMP_MARK);
    found.retain(|f| {
        let own = f.as_bytes().strip_prefix(prefix.as_bytes()).is_some_and(|rest| {
            // The rest is exactly `<host>-<pid>-<n>.tmp`, not a longer name's temp file.
            rest.strip_suffix(TEMP_SUFFIX.as_bytes()).is_some_and(|tag| parse_tag(tag).is_some())
        });
        if own {
            let _ = fs::remove_file(dir.join(f));
        }
        !own
    });
}

/// `<host>-<pid>-<n>` into host and pid.
fn parse_tag(tag: &[u8]) -> Option<(&[u8], u32)> {
    let mut it = tag.rsplitn(3, |&b| b == b'-');
    let n = it.next()?;
    let pid = it.next()?;
    let host = it.next()?;
    if n.is_empty() || !n.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pid: u32 = std::str::from_utf8(pid).ok()?.parse().ok()?;
    Some((host, pid))
}

fn list_stale(dir: &Path) -> Vec<OsString> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let host = hostname();
    let me = std::process::id();
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let b = name.as_bytes();
        if !b.starts_with(b".") || !b.ends_with(TEMP_SUFFIX.as_bytes()) {
            continue;
        }
        // The mark is searched from the right: the target's own name may contain it.
        let Some(at) = b.windows(TEMP_MARK.len()).rposition(|w| w == TEMP_MARK.as_bytes()) else { continue };
        let tag = &b[at + TEMP_MARK.len()..b.len() - TEMP_SUFFIX.len()];
        let Some((h, pid)) = parse_tag(tag) else { continue };
        if h == host.as_bytes() && pid != me && !process_exists(pid) {
            out.push(name);
        }
    }
    out
}

fn process_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return true };
    // SAFETY: signal 0 only checks whether the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_parse_back() {
        let n = temp_name(OsStr::new("a-1-2.jsonl"), "my-host-42-7");
        let b = n.as_bytes();
        let at = b.windows(TEMP_MARK.len()).rposition(|w| w == TEMP_MARK.as_bytes()).unwrap();
        let tag = &b[at + TEMP_MARK.len()..b.len() - TEMP_SUFFIX.len()];
        assert_eq!(parse_tag(tag), Some((&b"my-host"[..], 42)));
        assert_eq!(n, OsStr::new(".a-1-2.jsonl.zhvec-my-host-42-7.tmp"));
        assert!(temp_name(OsStr::new(&"x".repeat(255)), "h-1-1").len() <= 255);
    }

    #[test]
    fn fd_paths() {
        assert!(is_fd_path(Path::new("/dev/stdout")));
        assert!(is_fd_path(Path::new("/dev/fd/3")));
        assert!(is_fd_path(Path::new("/proc/self/fd/1")));
        assert!(!is_fd_path(Path::new("/dev/shm/out.jsonl")));
    }
}
