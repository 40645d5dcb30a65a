//! Output handling and signals, end to end: what `-o` does for each kind of path, what a
//! signal or a truncated table leaves behind, and which mistakes are refused before any work.

mod common;

use common::stderr_of;

use std::ffi::CString;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;
use zhvec::Dtype;

/// Upper bound for waiting on a condition that should come at once; only hit on a hang.
const PATIENCE: Duration = Duration::from_secs(120);

fn setup() -> (TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let table = common::write_tiny(dir.path(), Dtype::F32);
    let input = dir.path().join("a.txt");
    fs::write(&input, "北京天气\n今天很好\n").unwrap();
    (dir, table, input)
}

fn embed(dir: &Path, table: &Path) -> Command {
    let mut cmd = common::zhvec();
    cmd.current_dir(dir).arg("embed").arg("-q").arg("--vocab").arg(table);
    cmd
}

/// The binary as a std command with default signal dispositions, for tests that spawn it.
fn spawnable(dir: &Path) -> StdCommand {
    let mut cmd = StdCommand::new(common::zhvec().get_program());
    common::default_signals(cmd.current_dir(dir));
    cmd
}

/// [`spawnable`] `embed` of standard input (piped) into `target`.
fn embed_from_stdin_to(dir: &Path, table: &Path, target: &Path) -> StdCommand {
    let mut cmd = spawnable(dir);
    cmd.args(["embed", "-q", "--vocab"]).arg(table).arg("-o").arg(target).stdin(Stdio::piped());
    cmd
}

fn lines_of(path: &Path) -> usize {
    fs::read_to_string(path).unwrap().lines().count()
}

/// Hidden temporary files of zhvec in `dir`.
fn temp_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.contains("zhvec") && n.ends_with(".tmp"))
        .collect();
    v.sort();
    v
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < PATIENCE, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for the child to exit; kills it and fails if it hangs.
fn wait_exit(child: &mut Child, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("zhvec did not exit: {what}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill(child: &Child, sig: libc::c_int) {
    // SAFETY: a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, sig) }, 0);
}

fn mkfifo(path: &Path) {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: valid buffer.
    assert_eq!(unsafe { libc::gethostname(buf.as_mut_ptr().cast(), 255) }, 0);
    let len = buf.iter().position(|&b| b == 0).unwrap();
    String::from_utf8_lossy(&buf[..len]).into_owned()
}

/// The pid of a process that has exited.
fn dead_pid() -> u32 {
    let mut child = StdCommand::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// Writes a small vectors file in word2vec text format.
fn vectors_file(dir: &Path) -> PathBuf {
    let path = dir.join("vec.txt");
    fs::write(&path, "3 2\n北京 1 2\n天气 3 4\n北 1 0\n").unwrap();
    path
}

// ---- what -o does for each kind of path ----

#[test]
fn symlink_output_writes_the_link_target() {
    let (dir, table, input) = setup();
    let real = dir.path().join("real.jsonl");
    fs::write(&real, "old\n").unwrap();
    let link = dir.path().join("link.jsonl");
    std::os::unix::fs::symlink("real.jsonl", &link).unwrap();
    embed(dir.path(), &table).arg(&input).arg("-o").arg(&link).assert().success();
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
    assert_eq!(lines_of(&real), 2);
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn dangling_symlink_output_creates_its_target() {
    let (dir, table, input) = setup();
    let link = dir.path().join("link.jsonl");
    std::os::unix::fs::symlink("new.jsonl", &link).unwrap();
    embed(dir.path(), &table).arg(&input).arg("-o").arg(&link).assert().success();
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(lines_of(&dir.path().join("new.jsonl")), 2);
}

#[test]
fn fifo_output_is_written_in_place() {
    let (dir, table, input) = setup();
    let fifo = dir.path().join("out.fifo");
    mkfifo(&fifo);
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || fs::read(reader_path).unwrap());
    embed(dir.path(), &table).arg(&input).arg("-o").arg(&fifo).assert().success();
    // Checked before joining: the reader of a replaced FIFO would wait forever.
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
    let got = reader.join().unwrap();
    assert_eq!(String::from_utf8(got).unwrap().lines().count(), 2);
}

#[test]
fn char_device_output_is_written_in_place() {
    let (dir, table, input) = setup();
    let dev = dir.path().join("null");
    let c = CString::new(dev.as_os_str().as_bytes()).unwrap();
    // SAFETY: valid C string; makes a char device 1,3 (like /dev/null) in the temp dir.
    let made = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) } == 0;
    if !made {
        // Creating a device needs root; the FIFO and /dev/fd tests cover the rest.
        eprintln!("skipped: mknod needs root");
        return;
    }
    embed(dir.path(), &table).arg(&input).arg("-o").arg(&dev).assert().success();
    embed(dir.path(), &table).arg(&input).args(["-f", "npy", "-o"]).arg(&dev).assert().success();
    let meta = fs::symlink_metadata(&dev).unwrap();
    assert!(meta.file_type().is_char_device(), "the device was replaced by a regular file");
    assert_eq!(meta.rdev(), libc::makedev(1, 3));
}

#[test]
fn dev_fd_and_dash_write_to_standard_output() {
    let (dir, table, input) = setup();
    for target in ["/dev/fd/1", "-"] {
        let out = embed(dir.path(), &table).arg(&input).arg("-o").arg(target).output().unwrap();
        assert!(out.status.success(), "{target}: {}", stderr_of(&out));
        assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2, "{target}");
    }
    assert!(!dir.path().join("-").exists(), "`-o -` created a file named -");
}

#[test]
fn vocab_build_to_standard_output_and_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = vectors_file(dir.path());
    let mut build = common::zhvec();
    let out = build
        .current_dir(dir.path())
        .args(["vocab", "build", "-q", "--vectors"])
        .arg(&vectors)
        .args(["-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let copy = dir.path().join("copy.zv");
    fs::write(&copy, &out.stdout).unwrap();
    common::zhvec().args(["vocab", "verify"]).arg(&copy).assert().success();

    let fifo = dir.path().join("t.fifo");
    mkfifo(&fifo);
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || fs::read(reader_path).unwrap());
    common::zhvec()
        .current_dir(dir.path())
        .args(["vocab", "build", "-q", "--vectors"])
        .arg(&vectors)
        .arg("-o")
        .arg(&fifo)
        .assert()
        .success();
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
    assert_eq!(reader.join().unwrap(), out.stdout);
}

// ---- signals ----

fn assert_stopped_cleanly(status: ExitStatus, sig: libc::c_int, dir: &Path, target: &Path) {
    assert_eq!(status.code(), Some(128 + sig), "signal {sig}: {status:?}");
    assert!(temp_files(dir).is_empty(), "signal {sig} left {:?}", temp_files(dir));
    assert!(!target.exists(), "signal {sig} left a partial target");
}

#[test]
fn stop_signals_remove_temp_files_of_embed_output() {
    let (dir, table, _) = setup();
    let target = dir.path().join("out.jsonl");
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let mut child = embed_from_stdin_to(dir.path(), &table, &target).stderr(Stdio::null()).spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all("北京天气\n".repeat(1000).as_bytes()).unwrap();
        wait_until("the temporary file", || !temp_files(dir.path()).is_empty());
        kill(&child, sig);
        let status = wait_exit(&mut child, "after a stop signal");
        drop(stdin);
        assert_stopped_cleanly(status, sig, dir.path(), &target);
    }
}

#[test]
fn stop_signal_removes_temp_files_of_out_dir() {
    let (dir, table, _) = setup();
    // A FIFO input with no writer keeps the run waiting after its first output is opened.
    let input = dir.path().join("first.txt");
    mkfifo(&input);
    let out_dir = dir.path().join("vecs");
    let mut child = spawnable(dir.path())
        .args(["embed", "-q", "--vocab"])
        .arg(&table)
        .arg(&input)
        .arg("--out-dir")
        .arg(&out_dir)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the temporary file", || out_dir.is_dir() && !temp_files(&out_dir).is_empty());
    kill(&child, libc::SIGTERM);
    let status = wait_exit(&mut child, "after SIGTERM");
    assert_stopped_cleanly(status, libc::SIGTERM, &out_dir, &out_dir.join("first.jsonl"));
}

#[test]
fn stop_signal_removes_temp_files_of_vocab_build() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("t.zv");
    let mut child = spawnable(dir.path())
        .args(["vocab", "build", "-q", "--vectors", "-", "-o"])
        .arg(&target)
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    wait_until("the temporary file", || !temp_files(dir.path()).is_empty());
    kill(&child, libc::SIGHUP);
    let status = wait_exit(&mut child, "after SIGHUP");
    drop(stdin);
    assert_stopped_cleanly(status, libc::SIGHUP, dir.path(), &target);
}

#[test]
fn sigkill_leftover_has_a_findable_name_and_the_next_run_clears_it() {
    let (dir, table, input) = setup();
    let target = dir.path().join("out.jsonl");
    let mut child = embed_from_stdin_to(dir.path(), &table, &target).spawn().unwrap();
    let stdin = child.stdin.take().unwrap();
    wait_until("the temporary file", || !temp_files(dir.path()).is_empty());
    let pid = child.id();
    kill(&child, libc::SIGKILL);
    child.wait().unwrap();
    drop(stdin);
    let left = temp_files(dir.path());
    let prefix = format!(".out.jsonl.zhvec-{}-{pid}-", hostname());
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with(&prefix) && left[0].ends_with(".tmp"), "{left:?} does not match {prefix}N.tmp");

    // A temporary file of a live process (this test) and one for another target stay.
    let live = format!(".out.jsonl.zhvec-{}-{}-0.tmp", hostname(), std::process::id());
    fs::write(dir.path().join(&live), "").unwrap();
    let other = format!(".other.jsonl.zhvec-{}-{}-0.tmp", hostname(), dead_pid());
    fs::write(dir.path().join(&other), "").unwrap();
    embed(dir.path(), &table).arg(&input).arg("-o").arg(&target).assert().success();
    assert_eq!(lines_of(&target), 2);
    let mut expected = vec![live, other];
    expected.sort();
    assert_eq!(temp_files(dir.path()), expected);
}

#[test]
fn vocab_build_clears_stale_temp_files_of_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = vectors_file(dir.path());
    let stale = format!(".t.zv.zhvec-{}-{}-3.tmp", hostname(), dead_pid());
    fs::write(dir.path().join(&stale), "partial").unwrap();
    common::zhvec()
        .current_dir(dir.path())
        .args(["vocab", "build", "-q", "--vectors"])
        .arg(&vectors)
        .args(["-o", "t.zv"])
        .assert()
        .success();
    assert!(temp_files(dir.path()).is_empty(), "{:?}", temp_files(dir.path()));
}

// ---- a table truncated while in use ----

#[test]
fn truncated_table_is_reported_and_temp_files_removed() {
    let (dir, table, _) = setup();
    let target = dir.path().join("out.jsonl");
    let mut child = embed_from_stdin_to(dir.path(), &table, &target).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The output's temporary file is created after the table is mapped.
    wait_until("the temporary file", || !temp_files(dir.path()).is_empty());
    fs::OpenOptions::new().write(true).open(&table).unwrap().set_len(0).unwrap();
    // Every lookup now touches pages beyond the end of the file.
    let _ = stdin.write_all("北京天气今天很好\n".repeat(100_000).as_bytes());
    drop(stdin);
    let status = wait_exit(&mut child, "after the table was truncated");
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(2), "{status:?} signal {:?}: {err}", status.signal());
    assert!(err.contains(&format!("the table {} changed or was truncated while in use", table.display())), "{err}");
    assert!(err.contains("renaming it over the old one"), "{err}");
    assert!(temp_files(dir.path()).is_empty(), "{:?}", temp_files(dir.path()));
    assert!(!target.exists());
}

// ---- refusing to overwrite ----

#[test]
fn embed_refuses_to_write_over_its_input() {
    let (dir, table, input) = setup();
    let before = fs::read(&input).unwrap();
    fs::hard_link(&input, dir.path().join("hard.txt")).unwrap();
    for target in ["a.txt", "./a.txt", "hard.txt"] {
        let out = embed(dir.path(), &table).arg("a.txt").arg("-o").arg(target).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{target}");
        assert!(stderr_of(&out).contains("is the input a.txt"), "{target}: {}", stderr_of(&out));
        assert_eq!(fs::read(&input).unwrap(), before, "{target} replaced the input");
    }
    // --out-dir into the input's own folder, where the output would take the input's name.
    let jsonl = dir.path().join("b.jsonl");
    fs::write(&jsonl, "北京\n").unwrap();
    let out = embed(dir.path(), &table).arg("b.jsonl").args(["-f", "jsonl", "--out-dir", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("is the input b.jsonl"), "{}", stderr_of(&out));
    assert_eq!(fs::read_to_string(&jsonl).unwrap(), "北京\n");
}

#[test]
fn vocab_build_refuses_to_write_over_any_input() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = vectors_file(dir.path());
    fs::write(dir.path().join("chars.txt"), "1 2\n京 0 1\n").unwrap();
    fs::write(dir.path().join("corpus.txt"), "北京天气\n").unwrap();
    fs::write(dir.path().join("freq.txt"), "北京 10\n").unwrap();
    for (flag, file) in
        [("--vectors", "vec.txt"), ("--char-vectors", "chars.txt"), ("--corpus", "corpus.txt"), ("--freq", "freq.txt")]
    {
        let before = fs::read(dir.path().join(file)).unwrap();
        let mut cmd = common::zhvec();
        cmd.current_dir(dir.path()).args(["vocab", "build", "-q"]);
        if flag != "--vectors" {
            cmd.arg("--vectors").arg(&vectors);
        }
        let out = cmd.args([flag, file, "-o", &format!("./{file}")]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}: {}", stderr_of(&out));
        assert!(stderr_of(&out).contains(&format!("is the input {file}")), "{flag}: {}", stderr_of(&out));
        assert_eq!(fs::read(dir.path().join(file)).unwrap(), before, "{flag} input replaced");
    }
}

#[test]
fn read_only_target_is_refused_and_a_replaced_file_keeps_its_mode() {
    let (dir, table, input) = setup();
    let ro = dir.path().join("ro.jsonl");
    fs::write(&ro, "keep\n").unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o444)).unwrap();
    let out = embed(dir.path(), &table).arg(&input).arg("-o").arg(&ro).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("read-only"), "{}", stderr_of(&out));
    assert_eq!(fs::read_to_string(&ro).unwrap(), "keep\n");
    assert_eq!(fs::metadata(&ro).unwrap().permissions().mode() & 0o777, 0o444);

    let shared = dir.path().join("shared.jsonl");
    fs::write(&shared, "old\n").unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o640)).unwrap();
    embed(dir.path(), &table).arg(&input).arg("-o").arg(&shared).assert().success();
    assert_eq!(lines_of(&shared), 2);
    assert_eq!(fs::metadata(&shared).unwrap().permissions().mode() & 0o777, 0o640);
}

// ---- problems found before any work ----

/// Runs with standard input open and never written: a run that reads its input before
/// checking would wait forever (and be killed by `wait_exit`).
fn run_without_input(cmd: &mut StdCommand) -> (ExitStatus, String) {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let stdin = child.stdin.take().unwrap();
    let status = wait_exit(&mut child, "expected an error before reading any input");
    drop(stdin);
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (status, err)
}

#[test]
fn directory_output_fails_before_reading_input() {
    let (dir, table, _) = setup();
    fs::create_dir(dir.path().join("d")).unwrap();
    let (status, err) =
        run_without_input(spawnable(dir.path()).args(["embed", "-q", "--vocab"]).arg(&table).args(["-o", "d"]));
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write d: it is a directory"), "{err}");

    let (status, err) = run_without_input(spawnable(dir.path()).args([
        "vocab",
        "build",
        "-q",
        "--vectors",
        "-",
        "--freq",
        "nope.txt",
        "-o",
        "t.zv",
    ]));
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("nope.txt"), "{err}");
    let (status, err) =
        run_without_input(spawnable(dir.path()).args(["vocab", "build", "-q", "--vectors", "-", "-o", "d"]));
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("it is a directory"), "{err}");
}

#[test]
fn out_dir_checks_every_input_before_writing_the_first() {
    let (dir, table, input) = setup();
    let out_dir = dir.path().join("vecs");
    fs::create_dir(&out_dir).unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    for second in ["missing.txt", "sub"] {
        let out = embed(dir.path(), &table).arg(&input).arg(second).arg("--out-dir").arg(&out_dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{second}");
        assert!(stderr_of(&out).contains(second), "{}", stderr_of(&out));
        assert!(!out_dir.join("a.jsonl").exists(), "{second}: the first output was written anyway");
    }
}

#[test]
fn out_dir_is_created_and_a_missing_folder_is_named() {
    let (dir, table, input) = setup();
    embed(dir.path(), &table).arg(&input).args(["--out-dir", "vecs/2024/"]).assert().success();
    assert_eq!(lines_of(&dir.path().join("vecs/2024/a.jsonl")), 2);

    let out = embed(dir.path(), &table).arg(&input).args(["-o", "missing/x.jsonl"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("cannot write missing/x.jsonl: the folder missing does not exist"), "{err}");
    assert!(!err.contains(".zhvec-") && !err.contains("temporary"), "{err}");
}

// ---- standard output ----

#[test]
fn closed_standard_output_is_an_error() {
    let (dir, table, input) = setup();
    let pairs = dir.path().join("pairs.tsv");
    fs::write(&pairs, "北京\t天气\t1\n今天\t很好\t2\n北京天气\t今天\t3\n").unwrap();
    let commands: [Vec<&std::ffi::OsStr>; 6] = [
        vec!["embed".as_ref(), "-q".as_ref(), input.as_os_str()],
        vec!["embed".as_ref(), "--print-dim".as_ref()],
        vec!["segment".as_ref(), input.as_os_str()],
        vec!["eval".as_ref(), "sts".as_ref(), pairs.as_os_str()],
        vec!["vocab".as_ref(), "info".as_ref(), table.as_os_str()],
        vec!["vocab".as_ref(), "verify".as_ref(), table.as_os_str()],
    ];
    for args in commands {
        let mut cmd = StdCommand::new(common::zhvec().get_program());
        cmd.current_dir(dir.path()).args(&args);
        if args[0] != "vocab" {
            cmd.arg("--vocab").arg(&table);
        }
        // SAFETY: close(2) is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::close(1);
                Ok(())
            });
        }
        let out = cmd.output().unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("cannot write standard output"), "{args:?}: {err}");
    }
}

#[test]
fn npy_to_a_pipe_whose_reader_left_stops_quietly_before_the_input_ends() {
    let (dir, table, _) = setup();
    let mut child = spawnable(dir.path())
        .args(["embed", "-q", "-f", "npy", "--vocab"])
        .arg(&table)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    // Enough for several chunks; standard input stays open, so only the gone reader can end it.
    let _ = stdin.write_all("北京天气今天很好\n".repeat(50_000).as_bytes());
    let status = wait_exit(&mut child, "the reader of standard output had gone");
    drop(stdin);
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(err, "");
}

#[test]
fn npy_spool_failure_names_the_spool_and_suggests_o() {
    let (dir, table, input) = setup();
    let out = embed(dir.path(), &table)
        .env("TMPDIR", dir.path().join("no-such-tmp"))
        .arg(&input)
        .args(["-f", "npy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("npy spool file in") && err.contains("no-such-tmp"), "{err}");
    assert!(err.contains("-o FILE"), "{err}");
    // With -o the spool is not needed.
    let target = dir.path().join("x.npy");
    embed(dir.path(), &table)
        .env("TMPDIR", dir.path().join("no-such-tmp"))
        .arg(&input)
        .args(["-f", "npy", "-o"])
        .arg(&target)
        .assert()
        .success();
    assert!(fs::metadata(&target).unwrap().len() > 128);
}
