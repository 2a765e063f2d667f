//! The container's filesystem: container paths mapped under the run's root directory, Go's
//! error texts for file operations (they name the container path, never the host one), and
//! the state's `files` (given before the run, read back after it).

use std::collections::BTreeMap;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;

use crate::state::{ContainerState, FileRecord};

/// Lexically cleans an absolute container path as Go's `path.Clean` does: `..` at the root
/// stays at the root, so no container path names anything outside the container's root.
pub(crate) fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The host path of absolute container path `path` under `root`.
pub(crate) fn host_path(root: &Path, path: &str) -> PathBuf {
    let cleaned = clean(path);
    let mut out = root.to_path_buf();
    for c in Path::new(&cleaned).components() {
        if let Component::Normal(p) = c {
            out.push(p);
        }
    }
    out
}

/// A file operation's error as Go prints an `*os.PathError`: `<op> <container path>: <errno
/// text>`, plus its Pebble kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileError {
    /// `not-found`, `permission-denied` or `generic-file-error` (`fileErrorToResult`).
    pub kind: &'static str,
    /// The message.
    pub message: String,
}

impl FileError {
    /// A generic error with `message`.
    pub fn generic(message: impl Into<String>) -> Self {
        FileError { kind: "generic-file-error", message: message.into() }
    }

    /// An OS error of operation `op` on container path `path`.
    pub fn os(op: &str, path: &str, err: &io::Error) -> Self {
        let kind = match err.kind() {
            io::ErrorKind::NotFound => "not-found",
            io::ErrorKind::PermissionDenied => "permission-denied",
            _ => "generic-file-error",
        };
        FileError { kind, message: format!("{op} {path}: {}", errno_text(err)) }
    }

    /// The JSON error object (`errorResult`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"kind": self.kind, "message": self.message})
    }

    /// The HTTP status list answers with (`fileErrorToStatus`).
    pub fn status(&self) -> u16 {
        match self.kind {
            "not-found" => 404,
            "permission-denied" => 403,
            _ => 400,
        }
    }
}

/// Go's `syscall.Errno` text (Linux `zerrors_linux.go`), lower-case, no "(os error N)".
pub(crate) fn errno_text(err: &io::Error) -> String {
    match err.raw_os_error() {
        Some(2) => "no such file or directory".into(),
        Some(1) => "operation not permitted".into(),
        Some(13) => "permission denied".into(),
        Some(17) => "file exists".into(),
        Some(20) => "not a directory".into(),
        Some(21) => "is a directory".into(),
        Some(39) => "directory not empty".into(),
        Some(28) => "no space left on device".into(),
        Some(36) => "file name too long".into(),
        _ => {
            let text = err.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text);
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text.to_owned(),
            }
        }
    }
}

/// Creates `root` and fills it from the state: mounts copied in, then the given files.
pub(crate) fn prepare_root(root: &Path, state: &ContainerState) -> Result<(), String> {
    std::fs::create_dir_all(root).map_err(|e| format!("cannot create container root {}: {e}", root.display()))?;
    for (path, host) in &state.mounts {
        let dest = host_path(root, path);
        copy_tree(host, &dest).map_err(|e| format!("cannot copy mount {path} from {}: {e}", host.display()))?;
    }
    for (path, file) in &state.files {
        write_record(root, path, file).map_err(|e| format!("cannot create file {path}: {e}"))?;
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    let meta = std::fs::metadata(from)?;
    if meta.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, to)?;
    }
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(meta.permissions().mode() & 0o7777))
}

fn write_record(root: &Path, path: &str, file: &FileRecord) -> io::Result<()> {
    let dest = host_path(root, path);
    let default_mode = if file.dir { 0o755 } else { 0o644 };
    let mode = if file.permissions.is_empty() {
        default_mode
    } else {
        u32::from_str_radix(&file.permissions, 8).map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("bad permissions {:?}", file.permissions))
        })?
    };
    if file.dir {
        std::fs::create_dir_all(&dest)?;
    } else {
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let bytes = match (&file.content, &file.content_base64) {
            (Some(text), _) => text.clone().into_bytes(),
            (None, Some(b64)) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("bad content_base64: {e}")))?,
            (None, None) => Vec::new(),
        };
        std::fs::write(&dest, bytes)?;
    }
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(mode))
}

/// Everything under `root` as file records keyed by container path, ownership taken from
/// `recorded` (what Pebble was asked for: a non-root simulator cannot chown).
pub(crate) fn snapshot_files(root: &Path, recorded: &BTreeMap<String, FileRecord>) -> BTreeMap<String, FileRecord> {
    let mut out = BTreeMap::new();
    walk(root, "", recorded, &mut out);
    out
}

fn walk(dir: &Path, prefix: &str, recorded: &BTreeMap<String, FileRecord>, out: &mut BTreeMap<String, FileRecord>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{prefix}/{name}");
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else { continue };
        let mut rec = recorded.get(&path).cloned().unwrap_or_default();
        rec.permissions = format!("{:03o}", meta.permissions().mode() & 0o777);
        rec.dir = meta.is_dir();
        rec.content = None;
        rec.content_base64 = None;
        if meta.is_file()
            && let Ok(bytes) = std::fs::read(entry.path())
        {
            match String::from_utf8(bytes) {
                Ok(text) => rec.content = Some(text),
                Err(e) => rec.content_base64 = Some(base64::engine::general_purpose::STANDARD.encode(e.into_bytes())),
            }
        }
        out.insert(path.clone(), rec);
        if meta.is_dir() {
            walk(&entry.path(), &path, recorded, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_paths_never_leave_the_root() {
        let root = Path::new("/tmp/root");
        assert_eq!(host_path(root, "/etc/x.conf"), Path::new("/tmp/root/etc/x.conf"));
        assert_eq!(host_path(root, "/../../etc/passwd"), Path::new("/tmp/root/etc/passwd"));
        assert_eq!(host_path(root, "/a/./b/../c"), Path::new("/tmp/root/a/c"));
        assert_eq!(clean("/a//b/"), "/a/b");
    }

    #[test]
    fn errors_read_as_gos_path_errors() {
        let e = FileError::os("stat", "/nope", &io::Error::from_raw_os_error(2));
        assert_eq!(
            (e.kind, e.message.as_str(), e.status()),
            ("not-found", "stat /nope: no such file or directory", 404)
        );
        let e = FileError::os("remove", "/d", &io::Error::from_raw_os_error(39));
        assert_eq!((e.kind, e.message.as_str()), ("generic-file-error", "remove /d: directory not empty"));
    }

    #[test]
    fn state_files_round_trip_through_the_root() {
        let root = std::env::temp_dir().join(format!("psrv-fs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let mut state = ContainerState::default();
        let rec = FileRecord {
            content: Some("hi".into()),
            permissions: "600".into(),
            user: Some("app".into()),
            ..Default::default()
        };
        state.files.insert("/etc/app/x.conf".into(), rec);
        state.files.insert("/bin.dat".into(), FileRecord { content_base64: Some("/wA=".into()), ..Default::default() });
        prepare_root(&root, &state).unwrap();
        let snap = snapshot_files(&root, &state.files);
        let x = &snap["/etc/app/x.conf"];
        assert_eq!((x.content.as_deref(), x.permissions.as_str(), x.user.as_deref()), (Some("hi"), "600", Some("app")));
        assert!(snap["/etc/app"].dir);
        assert_eq!(snap["/bin.dat"].content_base64.as_deref(), Some("/wA="));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
