//! goops-sim's private runtime directory (`goops-sim-<uid>` under `$TMPDIR`, else `/dev/shm`,
//! else `/tmp`): the cached tool directory and one marker per running hook.
//!
//! - **Tool directory**: a symlink per hook tool to the `goops-sim` binary, made once per
//!   binary (its path, size, mtime and inode, and the tool list, name the directory) and reused
//!   by every run; making ~45 symlinks on ext4 was most of a run's own cost.
//! - **Container directories**: `pebble-<pid>-<random>`, a run's Pebble sockets and container
//!   filesystems (`runner::containers`), removed by the run, or by a later one if it died.
//! - **Run markers**: `run-<pid>` holds the process group and start time of the hook that
//!   goops-sim `<pid>` runs, so that a later run can kill a hook left behind by a goops-sim that
//!   was killed with SIGKILL (which no handler sees), and remove the marker.
//!
//! The directory must be a 0700 directory of this user; anything else is refused rather than
//! trusted (another user could have made it first in a shared `/tmp`).

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The private runtime directory, made if missing and checked.
pub(crate) fn runtime_dir() -> std::io::Result<PathBuf> {
    let base = match std::env::var_os("TMPDIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None if Path::new("/dev/shm").is_dir() => PathBuf::from("/dev/shm"),
        None => std::env::temp_dir(),
    };
    let uid = rustix::process::geteuid().as_raw();
    let dir = base.join(format!("goops-sim-{uid}"));
    match std::fs::create_dir(&dir) {
        Ok(()) => std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    if !is_private_dir(&dir, uid) {
        return Err(std::io::Error::other(format!(
            "{} is not a private (0700) directory of user {uid}: remove it, or set TMPDIR elsewhere",
            dir.display()
        )));
    }
    Ok(dir)
}

fn is_private_dir(dir: &Path, uid: u32) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir() && m.uid() == uid && m.mode() & 0o077 == 0)
}

/// 64-bit FNV-1a: names the tool directory of one binary (not a security measure: the
/// directory's owner and mode are checked).
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.iter().chain(b"\0") {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The file in a tool directory that names the binary it was made for.
const TOOLS_MARKER: &str = ".goops-sim-binary";

/// The cached tool directory for `binary` in `runtime`, made on first use. A directory that
/// does not look complete is made again.
pub(crate) fn tool_dir(runtime: &Path, binary: &Path) -> std::io::Result<PathBuf> {
    let meta = binary.metadata()?;
    let names = crate::tools::tool_names().join(",");
    let key = fnv1a(&[
        binary.as_os_str().as_encoded_bytes(),
        &meta.len().to_le_bytes(),
        &meta.mtime().to_le_bytes(),
        &meta.mtime_nsec().to_le_bytes(),
        &meta.ino().to_le_bytes(),
        names.as_bytes(),
    ]);
    let dir = runtime.join(format!("tools-{key:016x}"));
    let expected = binary.as_os_str().as_encoded_bytes();
    let valid = |dir: &Path| std::fs::read(dir.join(TOOLS_MARKER)).is_ok_and(|m| m == expected);
    if valid(&dir) {
        return Ok(dir);
    }
    // Build it aside and rename it into place, so a concurrent run never sees half of it.
    let building = runtime.join(format!("building-{}-{}", std::process::id(), crate::ids::random_hex(8)));
    let build = || -> std::io::Result<()> {
        std::fs::create_dir(&building)?;
        for tool in crate::tools::tool_names() {
            std::os::unix::fs::symlink(binary, building.join(tool))?;
        }
        // The marker last: a directory with it is complete.
        std::fs::write(building.join(TOOLS_MARKER), expected)
    };
    let built = build();
    let renamed = built.and_then(|()| std::fs::rename(&building, &dir));
    if renamed.is_err() {
        let _ = std::fs::remove_dir_all(&building);
    }
    match renamed {
        Ok(()) => {
            remove_stale_tool_dirs(runtime, &dir, expected);
            Ok(dir)
        }
        // Another run made it meanwhile.
        Err(_) if valid(&dir) => Ok(dir),
        Err(e) => {
            // A broken leftover (no marker): replace it once.
            if dir.exists() && !valid(&dir) {
                let _ = std::fs::remove_dir_all(&dir);
                return tool_dir(runtime, binary);
            }
            Err(e)
        }
    }
}

/// Remove the tool directories of earlier builds of the same binary path.
fn remove_stale_tool_dirs(runtime: &Path, current: &Path, binary: &[u8]) {
    let Ok(entries) = std::fs::read_dir(runtime) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path == current || !name.to_string_lossy().starts_with("tools-") {
            continue;
        }
        if std::fs::read(path.join(TOOLS_MARKER)).is_ok_and(|m| m == binary) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// The marker of this goops-sim's running hook, removed on drop.
pub(crate) struct RunMarker(PathBuf);

impl RunMarker {
    /// Record that this process runs a hook in process group `pgid`.
    pub(crate) fn write(runtime: &Path, pgid: u32) -> std::io::Result<RunMarker> {
        let path = runtime.join(format!("run-{}", std::process::id()));
        let started = start_time(pgid).unwrap_or(0);
        // One write: a reader never sees half a line.
        std::fs::File::create(&path)?.write_all(format!("{pgid} {started}\n").as_bytes())?;
        Ok(RunMarker(path))
    }
}

impl Drop for RunMarker {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A process's start time (clock ticks since boot, `/proc/<pid>/stat` field 22): with the pid
/// it names one process, even after the pid is reused.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Whether process `pid` runs (a zombie, dead but not yet reaped by its parent, does not).
pub(crate) fn is_alive(pid: u32) -> bool {
    let Some(raw) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else { return false };
    // EPERM: it exists but belongs to someone else.
    if matches!(rustix::process::test_kill_process(raw), Err(rustix::io::Errno::SRCH)) {
        return false;
    }
    process_state(pid) != Some('Z')
}

/// A process's state letter (`/proc/<pid>/stat` field 3: `R`, `S`, `Z`…).
fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].split_whitespace().next()?.chars().next()
}

/// Kill the hooks left running by goops-sim processes that died without cleaning up (SIGKILL),
/// and remove their markers and container directories. Returns the process groups killed.
pub(crate) fn reap_dead_runs(runtime: &Path) -> Vec<u32> {
    let mut killed = Vec::new();
    let Ok(entries) = std::fs::read_dir(runtime) else { return killed };
    for entry in entries.flatten() {
        let name = entry.file_name();
        // A run's container directory (sockets, container filesystems) left by a goops-sim
        // that died: `pebble-<pid>-<random>`.
        if let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("pebble-")).and_then(|rest| rest.split('-').next())
            && let Ok(pid) = pid.parse::<u32>()
        {
            if pid != std::process::id() && !is_alive(pid) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
            continue;
        }
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("run-")).and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == std::process::id() || is_alive(pid) {
            continue;
        }
        let marker = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let mut fields = marker.split_whitespace().map(str::parse::<u64>);
        if let (Some(Ok(pgid)), Some(Ok(started))) = (fields.next(), fields.next())
            && let Ok(pgid) = u32::try_from(pgid)
        {
            // The group's leader pid cannot be reused while the group exists; if a process with
            // that pid exists and started at another time, the group is gone.
            let same_leader = start_time(pgid).is_none_or(|t| t == started);
            if same_leader && kill_group(pgid, rustix::process::Signal::KILL) {
                killed.push(pgid);
            }
        }
        let _ = std::fs::remove_file(entry.path());
    }
    killed
}

/// Send `signal` to process group `pgid`; whether any process got it.
pub(crate) fn kill_group(pgid: u32, signal: rustix::process::Signal) -> bool {
    let Some(pid) = i32::try_from(pgid).ok().and_then(rustix::process::Pid::from_raw) else { return false };
    rustix::process::kill_process_group(pid, signal).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_names_a_running_process() {
        assert!(start_time(std::process::id()).is_some());
        assert!(is_alive(std::process::id()));
    }

    #[test]
    fn container_dirs_of_dead_runs_are_removed() {
        let runtime = crate::runner::TempDir::new("goops-rundir-test").unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let (theirs, ours) = (
            runtime.0.join(format!("pebble-{dead}-0a1b")),
            runtime.0.join(format!("pebble-{}-0a1b", std::process::id())),
        );
        for dir in [&theirs, &ours] {
            std::fs::create_dir_all(dir.join("containers").join("web")).unwrap();
        }
        reap_dead_runs(&runtime.0);
        assert!(!theirs.exists(), "a dead run's container dir is removed");
        assert!(ours.exists(), "a live run's container dir is kept");
    }

    #[test]
    fn the_hash_separates_parts() {
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
    }
}
