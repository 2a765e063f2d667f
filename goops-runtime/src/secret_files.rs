//! Secret content staged in files for `secret-add` and `secret-set` (docs/hook-tools.md §4.7).
//!
//! Content never travels on argv (any user on the machine can read a process's argv). Juju's
//! `key#file=<path>` arguments name files instead, and it is the unit agent, not the tool
//! client, that opens them: the client only forwards argv, and the agent resolves a relative
//! path against its own working directory, not the hook's. So every path here is absolute.
//!
//! Layout: one per-user parent, `goops-secrets-<uid>` (mode 0700), on `/dev/shm` (tmpfs, so the
//! content never reaches a disk) or else in the temp dir; inside it one directory per call named
//! after the charm process, `<pid>-<n>` (0700), holding one 0600 file per content key. When the
//! call is done ([`ContentFiles`] drops, on error too) each file is overwritten with zeros and the
//! directory removed. A process killed mid-call (SIGKILL) cannot clean up, so [`sweep`], run at
//! the start of every dispatch, removes the directories of processes that no longer run.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};
use crate::secret::SecretContent;

/// tmpfs on every Linux: staged content stays in memory, and the overwrite on drop needs no
/// `fdatasync` (on a disk-backed temp dir, where it does, it costs milliseconds).
const SHM: &str = "/dev/shm";

/// How many call directories to try before giving up (each failure is a stale leftover).
const ATTEMPTS: u32 = 8;

/// One staged file, open for the overwrite on drop.
struct Staged {
    path: PathBuf,
    file: fs::File,
    len: usize,
}

/// Secret content in private files, one per key, for one tool call. Dropping it overwrites
/// the files with zeros and removes them and their directory.
pub struct ContentFiles {
    dir: PathBuf,
    files: Vec<Staged>,
    args: Vec<OsString>,
    /// Whether the overwrite must reach the disk (not on tmpfs).
    sync: bool,
}

impl ContentFiles {
    /// The `key#file=<absolute path>` arguments, one per key, in key order.
    pub fn args(&self) -> &[OsString] {
        &self.args
    }

    /// The call's directory (`<parent>/<pid>-<n>`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl std::fmt::Debug for ContentFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentFiles").field("dir", &self.dir).field("files", &self.files.len()).finish()
    }
}

impl Drop for ContentFiles {
    fn drop(&mut self) {
        use std::os::unix::fs::FileExt as _;
        // Best effort: nothing sensible to do on failure, and panicking in drop is worse. The
        // next dispatch's sweep removes whatever is left.
        let zeros = vec![0u8; self.files.iter().map(|f| f.len).max().unwrap_or(0)];
        for staged in self.files.drain(..) {
            // Through the descriptor opened at staging: no path lookup, no reopening.
            let _ = staged.file.write_all_at(&zeros[..staged.len], 0);
            if self.sync {
                let _ = staged.file.sync_data();
            }
            drop(staged.file);
            let _ = fs::remove_file(&staged.path);
        }
        if fs::remove_dir(&self.dir).is_err() {
            // Something else appeared in it; remove that too.
            scrub(&self.dir);
        }
    }
}

/// Write `content` to a fresh call directory: one 0600 file per key (keys are checked against
/// Juju's content-key rule first, so each is a safe file name).
pub fn stage(content: &SecretContent) -> Result<ContentFiles> {
    for key in content.keys() {
        goops_juju::secret::check_content_key(key)?;
    }
    let (dir, on_shm) = call_dir()?;
    let mut files = ContentFiles { dir, files: Vec::with_capacity(content.len()), args: Vec::new(), sync: !on_shm };
    for (key, value) in content {
        let path = files.dir.join(key);
        let file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path).map_err(io_error)?;
        // Tracked before writing, so a half-written file is overwritten on drop too.
        let bytes = value.expose_secret().as_bytes();
        files.files.push(Staged { path: path.clone(), file, len: bytes.len() });
        if let Some(staged) = files.files.last() {
            (&staged.file).write_all(bytes).map_err(io_error)?;
        }
        let mut arg = OsString::from(format!("{key}#file="));
        arg.push(&path);
        files.args.push(arg);
    }
    Ok(files)
}

/// Remove the call directories of charm processes that no longer run (killed mid-call), in
/// every parent this user has. Only on systems with `/proc`, where it can tell which pids run;
/// a directory whose pid was reused by a live process waits for a later sweep.
pub fn sweep() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let uid = own_uid();
    for base in bases() {
        let parent = base.join(parent_name(uid));
        if check_parent(&parent, uid).is_ok() {
            sweep_in(&parent, std::process::id(), pid_runs);
        }
    }
}

/// Remove the directories in `parent` named after a pid other than `own_pid` for which
/// `runs(pid)` is false. Entries not named `<pid>-<n>` are left alone.
fn sweep_in(parent: &Path, own_pid: u32, runs: impl Fn(u32) -> bool) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name.to_str().and_then(|n| n.split_once('-')).and_then(|(pid, _)| pid.parse::<u32>().ok());
        match pid {
            Some(pid) if pid != own_pid && !runs(pid) => scrub(&entry.path()),
            _ => {}
        }
    }
}

fn pid_runs(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Overwrite every regular file in `dir`, then remove it.
fn scrub(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            // symlink_metadata: never follow a link out of the directory.
            if let Ok(meta) = entry.path().symlink_metadata()
                && meta.is_file()
            {
                overwrite(&entry.path(), usize::try_from(meta.len()).unwrap_or(0));
            }
        }
    }
    let _ = fs::remove_dir_all(dir);
}

/// Overwrite `len` bytes of `path` with zeros, so freed tmpfs or disk blocks do not keep them.
fn overwrite(path: &Path, len: usize) {
    if let Ok(mut file) = fs::OpenOptions::new().write(true).open(path) {
        let _ = file.write_all(&vec![0u8; len]).and_then(|()| file.sync_data());
    }
}

/// The effective uid, as the owner of `/proc/self`; `None` without `/proc`.
fn own_uid() -> Option<u32> {
    fs::metadata("/proc/self").ok().map(|m| m.uid())
}

fn parent_name(uid: Option<u32>) -> String {
    match uid {
        Some(uid) => format!("goops-secrets-{uid}"),
        None => "goops-secrets".to_owned(),
    }
}

/// `/dev/shm`, then the temp dir, absolute (the agent opens the paths from its own cwd).
fn bases() -> Vec<PathBuf> {
    let mut bases = vec![PathBuf::from(SHM)];
    if let Ok(temp) = std::path::absolute(std::env::temp_dir())
        && temp != Path::new(SHM)
    {
        bases.push(temp);
    }
    bases
}

/// `parent` is a real directory (not a link), private (no group or other bits) and, when the
/// uid is known, this user's.
fn check_parent(parent: &Path, uid: Option<u32>) -> io::Result<()> {
    let meta = fs::symlink_metadata(parent)?;
    let ours = uid.is_none_or(|uid| meta.uid() == uid);
    if meta.is_dir() && meta.mode() & 0o077 == 0 && ours {
        Ok(())
    } else {
        Err(io::Error::new(io::ErrorKind::PermissionDenied, format!("{} is not a private directory", parent.display())))
    }
}

/// This user's parent in `base`, created if missing.
fn parent_in(base: &Path, uid: Option<u32>) -> io::Result<PathBuf> {
    let parent = base.join(parent_name(uid));
    match fs::DirBuilder::new().mode(0o700).create(&parent) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
        _ => {}
    }
    check_parent(&parent, uid)?;
    Ok(parent)
}

/// This user's parent in the first usable base, and whether it is on tmpfs.
fn find_parent() -> io::Result<(PathBuf, bool)> {
    let uid = own_uid();
    let mut last = None;
    for base in bases() {
        match parent_in(&base, uid) {
            Ok(parent) => return Ok((parent, base == Path::new(SHM))),
            // No usable /dev/shm (missing, read-only, not ours): try the next base.
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no directory for secret content")))
}

/// A fresh 0700 call directory `<parent>/<pid>-<n>`, and whether it is on tmpfs. The parent
/// is found (and checked) once per process; if it disappears, it is found again.
fn call_dir() -> Result<(PathBuf, bool)> {
    static PARENT: OnceLock<(PathBuf, bool)> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let (mut parent, mut on_shm) = match PARENT.get() {
        Some(found) => found.clone(),
        None => {
            let found = find_parent().map_err(io_error)?;
            PARENT.get_or_init(|| found).clone()
        }
    };
    let pid = std::process::id();
    let mut found_again = false;
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let dir = parent.join(format!("{pid}-{}", COUNTER.fetch_add(1, Ordering::Relaxed)));
        match fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok((dir, on_shm)),
            // Numbers are unique within this process, so this is the leftover of a dead
            // process that had our pid: scrub it and take the next number.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                scrub(&dir);
                last = Some(e);
            }
            // The parent was removed (a temp cleaner): find it again, once.
            Err(e) if e.kind() == io::ErrorKind::NotFound && !found_again => {
                (parent, on_shm) = find_parent().map_err(io_error)?;
                found_again = true;
                last = Some(e);
            }
            Err(e) => return Err(io_error(e)),
        }
    }
    Err(io_error(last.unwrap_or_else(|| io::Error::other("no directory for secret content"))))
}

fn io_error(source: io::Error) -> Error {
    Error::Io { tool: "writing secret content to a private file".to_owned(), source }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;
    use std::process::{Command, Stdio};

    use super::*;
    use crate::secret::SecretString;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).expect("exists").permissions().mode() & 0o777
    }

    /// A private scratch parent for one test.
    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("goops-secret-files-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::DirBuilder::new().mode(0o700).create(&dir).expect("scratch dir");
        dir
    }

    fn call_dir_with_file(parent: &Path, name: &str) -> PathBuf {
        let dir = parent.join(name);
        fs::create_dir(&dir).expect("call dir");
        fs::write(dir.join("password"), "hunter2").expect("file");
        dir
    }

    #[test]
    fn sweep_removes_dead_pids_and_keeps_live_ones() {
        let parent = scratch("sweep");
        // A pid that ran and is gone (reaped), and one that runs for the whole test.
        let mut done = Command::new("true").spawn().expect("spawn true");
        let dead = done.id();
        done.wait().expect("true exits");
        let mut live = Command::new("sleep").arg("30").stdin(Stdio::null()).spawn().expect("spawn sleep");
        let dead_dir = call_dir_with_file(&parent, &format!("{dead}-0"));
        let live_dir = call_dir_with_file(&parent, &format!("{}-3", live.id()));
        let own_dir = call_dir_with_file(&parent, &format!("{}-9", std::process::id()));
        let other = call_dir_with_file(&parent, "not-a-pid");

        sweep_in(&parent, std::process::id(), pid_runs);
        let _ = live.kill();
        let _ = live.wait();

        assert!(!dead_dir.exists(), "the directory of a dead pid is removed");
        assert!(live_dir.join("password").exists(), "a live pid's directory is kept");
        assert!(own_dir.exists(), "this process's own directories are kept");
        assert!(other.exists(), "entries not named <pid>-<n> are left alone");
        fs::remove_dir_all(&parent).expect("cleanup");
    }

    #[test]
    fn staged_files_are_private_absolute_and_gone_after_drop() {
        let content: SecretContent =
            [("private-key".to_owned(), SecretString::from("k3y")), ("username".to_owned(), SecretString::from("u"))]
                .into();
        let files = stage(&content).expect("staged");
        let dir = files.dir().to_owned();
        let parent = dir.parent().expect("a parent");
        assert!(dir.is_absolute());
        assert_eq!(parent.file_name().and_then(|n| n.to_str()), Some(parent_name(own_uid()).as_str()));
        assert!(
            dir.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{}-", std::process::id())))
        );
        if Path::new(SHM).is_dir() && fs::metadata(SHM).is_ok_and(|m| !m.permissions().readonly()) {
            assert!(dir.starts_with(SHM), "{}", dir.display());
        }
        assert_eq!((mode(parent), mode(&dir)), (0o700, 0o700));
        assert_eq!(mode(&dir.join("private-key")), 0o600);
        assert_eq!(fs::read_to_string(dir.join("private-key")).expect("readable"), "k3y");
        let expected: Vec<OsString> = ["private-key", "username"]
            .iter()
            .map(|k| {
                let mut arg = OsString::from(format!("{k}#file="));
                arg.push(dir.join(k));
                arg
            })
            .collect();
        assert_eq!(files.args(), expected);
        assert!(!files.args().iter().any(|a| a.to_string_lossy().contains("k3y")), "content never on argv");
        drop(files);
        assert!(!dir.exists(), "removed after the call");
    }

    #[test]
    fn a_key_that_is_not_a_content_key_is_refused_before_any_file() {
        let content: SecretContent = [("../escape".to_owned(), SecretString::from("x"))].into();
        let err = stage(&content).expect_err("refused");
        assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    }

    #[test]
    fn a_parent_that_is_not_private_is_refused() {
        let parent = scratch("parent");
        assert!(check_parent(&parent, own_uid()).is_ok());
        fs::set_permissions(&parent, fs::Permissions::from_mode(0o755)).expect("chmod");
        assert!(check_parent(&parent, own_uid()).is_err(), "group/other bits");
        fs::set_permissions(&parent, fs::Permissions::from_mode(0o700)).expect("chmod");
        if let Some(uid) = own_uid() {
            assert!(check_parent(&parent, Some(uid.wrapping_add(1))).is_err(), "another user's");
        }
        let link = parent.with_extension("link");
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(&parent, &link).expect("symlink");
        assert!(check_parent(&link, own_uid()).is_err(), "a symlink");
        fs::remove_file(&link).expect("cleanup");
        fs::remove_dir_all(&parent).expect("cleanup");
    }
}
