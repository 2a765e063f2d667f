//! Files the simulated unit agent opens on a charm's behalf: `--file` settings
//! (`relation-set`, `state-set`, `secret-add`/`secret-set`), `key#file=` secret content, and
//! `-o`/`--output` targets.
//!
//! In Juju the unit agent opens these paths itself, so a charm can hand it anything. goops-sim
//! plays the agent and must still never hang or run out of memory: it reads only regular files
//! (a FIFO with no writer would block the open forever, `/dev/zero` never ends), at most
//! [`MAX_READ`] bytes, and writes regular files and character devices (`-o /dev/null`), never
//! FIFOs. Opens are non-blocking, so a path swapped for a FIFO between the check and the open
//! fails instead of hanging, and a device that would block fails its write instead.

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
    /// The OS refused the open (missing, permissions, …).
    Open(std::io::Error),
    /// The OS refused a read of the open file.
    Read(std::io::Error),
    /// The OS refused a write to the open file (`/dev/full`, a device that would block).
    Write(std::io::Error),
    /// A FIFO, socket, directory, or (to read) a device.
    NotRegular,
    /// Longer than [`MAX_READ`].
    TooLarge,
}

impl AgentFileError {
    /// The whole message as Go's `*os.PathError` words it: `open PATH: …`, `read PATH: …`,
    /// `write PATH: …` (goops-sim's own refusals come at the open).
    pub(crate) fn with_path(&self, path: &str) -> String {
        let op = match self {
            AgentFileError::Read(_) => "read",
            AgentFileError::Write(_) => "write",
            AgentFileError::Open(_) | AgentFileError::NotRegular | AgentFileError::TooLarge => "open",
        };
        format!("{op} {path}: {self}")
    }
}

impl fmt::Display for AgentFileError {
    /// The reason, as Go's `*PathError` words it after `<op> <path>: `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentFileError::Open(e) | AgentFileError::Read(e) | AgentFileError::Write(e) => f.write_str(&os_reason(e)),
            AgentFileError::NotRegular => f.write_str("not a regular file (goops-sim opens regular files only)"),
            AgentFileError::TooLarge => {
                write!(f, "file too large (goops-sim reads at most {} MiB)", MAX_READ / (1024 * 1024))
            }
        }
    }
}

/// Go's `syscall.Errno` text: Go's table is the C library's `strerror` text with a lowercase
/// first letter (`no such device or address`, `too many levels of symbolic links`), so the OS
/// text is used, without Rust's ` (os error N)`.
fn os_reason(e: &std::io::Error) -> String {
    let text = match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
        None => e.to_string(),
    };
    let text = match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => &text[..at],
        _ => &text[..],
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Read a regular file of at most [`MAX_READ`] bytes.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, AgentFileError> {
    // Checked before the open: opening a FIFO for reading blocks until a writer comes.
    if !std::fs::metadata(path).map_err(AgentFileError::Open)?.is_file() {
        return Err(AgentFileError::NotRegular);
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
        .map_err(AgentFileError::Open)?;
    if !file.metadata().map_err(AgentFileError::Open)?.is_file() {
        return Err(AgentFileError::NotRegular);
    }
    let mut data = Vec::new();
    file.take(MAX_READ + 1).read_to_end(&mut data).map_err(AgentFileError::Read)?;
    if data.len() as u64 > MAX_READ {
        return Err(AgentFileError::TooLarge);
    }
    Ok(data)
}

/// Whether `-o` may write to a file of this type: a regular file or a character device
/// (`/dev/null`, as `os.Create` allows); never a FIFO (its open or writes would block) or a
/// socket, directory or block device.
fn writable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.is_file() || meta.file_type().is_char_device()
}

/// Create or truncate `path` and write `bytes` to it, as `os.Create` does for `-o`: regular
/// files and character devices only. Non-blocking, so a device that is not ready fails the
/// write (`resource temporarily unavailable`) instead of stalling the simulator.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), AgentFileError> {
    match std::fs::metadata(path) {
        Ok(meta) if !writable(&meta) => return Err(AgentFileError::NotRegular),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(AgentFileError::Open(e)),
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o666)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
        .map_err(AgentFileError::Open)?;
    if !writable(&file.metadata().map_err(AgentFileError::Open)?) {
        return Err(AgentFileError::NotRegular);
    }
    file.write_all(bytes).map_err(AgentFileError::Write)
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

    #[test]
    fn character_devices_take_writes_as_os_create_allows() {
        write(Path::new("/dev/null"), b"discarded").expect("-o /dev/null writes");
        // A failed write is Go's `write PATH:` (os.File.Write's *PathError), with the errno text.
        let full = write(Path::new("/dev/full"), b"x").unwrap_err();
        assert_eq!(full.with_path("/dev/full"), "write /dev/full: no space left on device");
        // Still refused to read: /dev/zero never ends.
        assert!(matches!(read(Path::new("/dev/null")), Err(AgentFileError::NotRegular)));
    }

    #[test]
    fn other_errnos_keep_the_os_text() {
        // Go's syscall errors table (zerrors_linux_*.go): ELOOP is "too many levels of symbolic
        // links", ENAMETOOLONG "file name too long".
        let dir = temp_dir("loop");
        std::os::unix::fs::symlink(dir.join("b"), dir.join("a")).expect("symlink");
        std::os::unix::fs::symlink(dir.join("a"), dir.join("b")).expect("symlink");
        let looped = read(&dir.join("a")).unwrap_err();
        assert_eq!(looped.with_path("a"), "open a: too many levels of symbolic links");
        let long = dir.join("x".repeat(300));
        assert_eq!(write(&long, b"x").unwrap_err().to_string(), "file name too long");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
