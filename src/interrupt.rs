//! Signals. Outputs are written to temporary files renamed into place when complete, so a
//! stopped run never leaves a partial file under the final name. On SIGINT, SIGTERM and
//! SIGHUP the handler removes the temporary files and exits with 128 + the signal number.
//! On SIGBUS, which a memory-mapped table raises when the file is truncated under it, the
//! handler names the table, removes the temporary files and exits with 2.
//!
//! Handlers run at any point of any thread, so they only use async-signal-safe calls
//! (write, unlink, _exit) on data prepared beforehand: the registries are fixed arrays of
//! atomic pointers to C strings, without locks or allocation.

use std::ffi::{c_char, c_int, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

/// Exit code after Ctrl-C, as shells report it (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Exit code when a mapped table changed under the run.
pub const EXIT_TABLE_CHANGED: i32 = 2;

const TEMP_SLOTS: usize = 64;
const TABLE_SLOTS: usize = 8;

/// Paths of temporary files to remove (NUL-terminated).
static TEMP_FILES: [AtomicPtr<c_char>; TEMP_SLOTS] = [const { AtomicPtr::new(ptr::null_mut()) }; TEMP_SLOTS];
/// Messages naming the mapped tables (NUL-terminated, ending in a newline).
static TABLES: [AtomicPtr<c_char>; TABLE_SLOTS] = [const { AtomicPtr::new(ptr::null_mut()) }; TABLE_SLOTS];
/// Set by a handler before it reads the registries; from then on nothing registered is freed,
/// since the handler may be using it (it never returns).
static IN_HANDLER: AtomicBool = AtomicBool::new(false);

/// Installs the handlers. SIGINT and SIGHUP stay ignored when they were ignored at start
/// (`nohup`, background jobs of a non-interactive shell).
pub fn install() {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        set_handler(sig, on_stop as extern "C" fn(c_int) as libc::sighandler_t, true);
    }
    set_handler(libc::SIGBUS, on_bus as extern "C" fn(c_int) as libc::sighandler_t, false);
}

fn set_handler(sig: c_int, handler: libc::sighandler_t, keep_ignored: bool) {
    // SAFETY: plain sigaction calls on zero-initialised structs; the handlers only use
    // async-signal-safe functions.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        if keep_ignored && libc::sigaction(sig, ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN {
            return;
        }
        let mut act: libc::sigaction = std::mem::zeroed();
        act.sa_sigaction = handler;
        // Block the other stop signals while one handler runs, so they do not nest.
        libc::sigemptyset(&mut act.sa_mask);
        for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut act.sa_mask, s);
        }
        libc::sigaction(sig, &act, ptr::null_mut());
    }
}

fn write_stderr(bytes: &[u8]) {
    // SAFETY: write(2) on a valid buffer; async-signal-safe.
    unsafe {
        libc::write(2, bytes.as_ptr().cast(), bytes.len());
    }
}

fn remove_temp_files() {
    for slot in &TEMP_FILES {
        let p = slot.load(Ordering::SeqCst);
        if !p.is_null() {
            // SAFETY: registered pointers stay valid once IN_HANDLER is set.
            unsafe {
                libc::unlink(p);
            }
        }
    }
}

extern "C" fn on_stop(sig: c_int) {
    IN_HANDLER.store(true, Ordering::SeqCst);
    remove_temp_files();
    // SAFETY: _exit is async-signal-safe.
    unsafe { libc::_exit(128 + sig) }
}

extern "C" fn on_bus(_sig: c_int) {
    IN_HANDLER.store(true, Ordering::SeqCst);
    let mut named = false;
    for slot in &TABLES {
        let p = slot.load(Ordering::SeqCst);
        if !p.is_null() {
            let mut len = 0;
            // SAFETY: a registered NUL-terminated string, kept alive once IN_HANDLER is set;
            // the length is counted by hand, strlen is not on the async-signal-safe list.
            while unsafe { *p.add(len) } != 0 {
                len += 1;
            }
            // SAFETY: `len` bytes before the NUL.
            write_stderr(unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) });
            named = true;
            break;
        }
    }
    if !named {
        write_stderr(b"zhvec: bus error: a memory-mapped file changed or was truncated while in use\n");
    }
    remove_temp_files();
    // SAFETY: _exit is async-signal-safe.
    unsafe { libc::_exit(EXIT_TABLE_CHANGED) }
}

/// One registration in a slot array; empty when all slots were taken.
struct Slot {
    slots: &'static [AtomicPtr<c_char>],
    index: Option<usize>,
}

impl Slot {
    fn register(slots: &'static [AtomicPtr<c_char>], text: Vec<u8>) -> Slot {
        let Ok(c) = CString::new(text) else { return Slot { slots, index: None } };
        let p = c.into_raw();
        for (i, slot) in slots.iter().enumerate() {
            if slot.compare_exchange(ptr::null_mut(), p, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                return Slot { slots, index: Some(i) };
            }
        }
        // SAFETY: `p` came from into_raw above and was never shared.
        drop(unsafe { CString::from_raw(p) });
        Slot { slots, index: None }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some(i) = self.index else { return };
        let p = self.slots[i].swap(ptr::null_mut(), Ordering::SeqCst);
        // A handler that started before the swap may still read `p`: then leak it.
        if !p.is_null() && !IN_HANDLER.load(Ordering::SeqCst) {
            // SAFETY: `p` came from into_raw in `register` and is no longer reachable.
            drop(unsafe { CString::from_raw(p) });
        }
    }
}

/// Registers a temporary file for removal by the signal handlers while the guard lives.
pub struct TempGuard {
    _slot: Slot,
}

impl TempGuard {
    pub fn new(path: &Path) -> TempGuard {
        TempGuard { _slot: Slot::register(&TEMP_FILES, path.as_os_str().as_bytes().to_vec()) }
    }
}

/// Names a memory-mapped table in the SIGBUS message while the guard lives.
pub struct TableGuard {
    _slot: Slot,
}

impl TableGuard {
    pub fn new(path: &Path) -> TableGuard {
        let msg = format!(
            "zhvec: the table {} changed or was truncated while in use; replace tables by writing a new file \
             and renaming it over the old one\n",
            path.display()
        );
        TableGuard { _slot: Slot::register(&TABLES, msg.into_bytes()) }
    }
}

impl std::fmt::Debug for TableGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TableGuard")
    }
}
