//! Files the simulated unit agent opens on a charm's behalf: `--file` settings
//! (`relation-set`, `state-set`, `secret-add`/`secret-set`), `key#file=` secret content, and
//! `-o`/`--output` targets.
//!
//! In Juju the unit agent opens these paths itself, so a charm can hand it anything. goops-sim
//! plays the agent and must still never hang or run out of memory: it opens only regular files
//! (a FIFO with no writer would block the open forever, `/dev/zero` never ends) and reads at most
//! [`MAX_READ`] bytes. The open is non-blocking, so a path swapped for a FIFO between the check
//! and the open fails instead of hanging.

use std::fmt;
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The most goops-sim reads from one file: 16 MiB, Juju's cap on a relation's whole settings
/// (`core/quota/fixed_limits.go` `MaxRelationSettingsSize`), the largest store a settings file
/// can feed. Juju's agent has no cap of its own; secret content (1 MiB since 3.6.9) and unit
/// state (64 KiB a value, 2 MiB in all) are checked after the read, with Juju's errors.
pub(crate) const MAX_READ: u64 = 16 * 1024 * 1024;

/// Why a file could not be read or written.
#[derive(Debug)]
pub(crate) enum AgentFileError {
    /// The OS refused (missing, permissions, …).
    Io(std::io::Error),
    /// A FIFO, socket, device or directory.
    NotRegular,
    /// Longer than [`MAX_READ`].
    TooLarge,
}

impl fmt::Display for AgentFileError {
    /// The reason, as Go's `*PathError` words it after `open <path>: `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentFileError::Io(e) => f.write_str(os_reason(e)),
            AgentFileError::NotRegular => f.write_str("not a regular file (goops-sim opens regular files only)"),
            AgentFileError::TooLarge => {
                write!(f, "file too large (goops-sim reads at most {} MiB)", MAX_READ / (1024 * 1024))
            }
        }
    }
}

/// Go's `syscall.Errno` text for the errors a charm meets, else Rust's.
fn os_reason(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory",
        std::io::ErrorKind::PermissionDenied => "permission denied",
        std::io::ErrorKind::IsADirectory => "is a directory",
        std::io::ErrorKind::NotADirectory => "not a directory",
        std::io::ErrorKind::ReadOnlyFilesystem => "read-only file system",
        std::io::ErrorKind::StorageFull => "no space left on device",
        _ => "input/output error",
    }
}

/// Read a regular file of at most [`MAX_READ`] bytes.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, AgentFileError> {
    // Checked before the open: opening a FIFO for reading blocks until a writer comes.
    if !std::fs::metadata(path).map_err(AgentFileError::Io)?.is_file() {
        return Err(AgentFileError::NotRegular);
    }
    let file =
        std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path).map_err(AgentFileError::Io)?;
    if !file.metadata().map_err(AgentFileError::Io)?.is_file() {
        return Err(AgentFileError::NotRegular);
    }
    let mut data = Vec::new();
    file.take(MAX_READ + 1).read_to_end(&mut data).map_err(AgentFileError::Io)?;
    if data.len() as u64 > MAX_READ {
        return Err(AgentFileError::TooLarge);
    }
    Ok(data)
}

/// Create or truncate `path` and write `bytes` to it, as `os.Create` does for `-o`, refusing
/// anything but a regular file (a FIFO would block the open, or the write once full).
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), AgentFileError> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Err(AgentFileError::NotRegular),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(AgentFileError::Io(e)),
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o666)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(AgentFileError::Io)?;
    if !file.metadata().map_err(AgentFileError::Io)?.is_file() {
        return Err(AgentFileError::NotRegular);
    }
    file.write_all(bytes).map_err(AgentFileError::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fifo(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&path).status().expect("mkfifo runs");
        assert!(status.success());
        path
    }

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("goops-sim-agent-file-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn a_fifo_is_refused_not_waited_on() {
        let dir = temp_dir("fifo");
        let path = fifo(&dir);
        assert!(matches!(read(&path), Err(AgentFileError::NotRegular)));
        assert!(matches!(write(&path, b"x"), Err(AgentFileError::NotRegular)));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn devices_are_refused() {
        assert!(matches!(read(Path::new("/dev/zero")), Err(AgentFileError::NotRegular)));
        assert!(matches!(read(Path::new("/")), Err(AgentFileError::NotRegular)));
    }

    #[test]
    fn reads_stop_at_the_limit() {
        let dir = temp_dir("big");
        let path = dir.join("big");
        let file = std::fs::File::create(&path).expect("create");
        // Sparse: no disk used.
        file.set_len(MAX_READ + 1).expect("set_len");
        assert!(matches!(read(&path), Err(AgentFileError::TooLarge)));
        file.set_len(3).expect("set_len");
        assert_eq!(read(&path).expect("reads").len(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn write_creates_and_truncates() {
        let dir = temp_dir("write");
        let path = dir.join("out");
        write(&path, b"long content").expect("writes");
        write(&path, b"short").expect("writes");
        assert_eq!(std::fs::read(&path).expect("reads"), b"short");
        let missing = dir.join("no/such/dir/out");
        assert_eq!(write(&missing, b"x").unwrap_err().to_string(), "no such file or directory");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
