//! `/v1/files` (`internals/daemon/api_files.go`, `internals/osutil/{io,mkdir}.go`): read
//! (multipart), list, write (multipart), make-dirs and remove, on real files under the
//! container's root. Errors name container paths, as Pebble's name its own.
//!
//! Ownership cannot be changed by a non-root simulator, so the user and group a request
//! asks for are recorded in the state's `files` (and shown by list) instead of chowned.

use std::io::{self, Write as _};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use super::Inner;
use super::envelope::{Reply, bad_request, envelope_json, internal, sync};
use super::fs::{FileError, host_path};
use super::http::{Request, Response};

/// GET /v1/files?action=read|list.
pub(crate) fn get_files(inner: &Inner, req: &Request) -> Reply {
    if let Some(e) = &inner.setup_error {
        return internal(e);
    }
    match req.query_get("action") {
        "read" => {
            let paths = req.query_all("path");
            if paths.is_empty() {
                return bad_request("must specify one or more paths");
            }
            if req.header("accept") != Some("multipart/form-data") {
                return bad_request("must accept multipart/form-data");
            }
            read_files(inner, &paths)
        }
        "list" => {
            let path = req.query_get("path");
            if path.is_empty() {
                return bad_request("must specify path");
            }
            let itself = req.query_get("itself");
            if !matches!(itself, "true" | "false" | "") {
                return bad_request(r#"itself parameter must be "true" or "false""#);
            }
            if !path.starts_with('/') {
                return bad_request(format!("path must be absolute, got {path:?}"));
            }
            match list_files(inner, path, req.query_get("pattern"), itself == "true") {
                Ok(list) => sync(Value::Array(list)),
                Err(e) => super::envelope::error(e.status(), &e.message, Some(e.kind)),
            }
        }
        action => bad_request(format!("invalid action {action:?}")),
    }
}

fn non_absolute(path: &str) -> FileError {
    FileError::generic(format!("paths must be absolute, got {path:?}"))
}

fn result_entry(path: &str, err: Option<FileError>) -> Value {
    let mut v = json!({ "path": path });
    if let Some(e) = err {
        v["error"] = e.to_json();
    }
    v
}

/// A boundary of 60 hex digits, as Go's `multipart.Writer` makes (30 random bytes).
fn boundary() -> String {
    let a = super::time::boot_id("files").replace('-', "");
    let b = super::time::boot_id(&a).replace('-', "");
    format!("{a}{b}")[..60].to_owned()
}

fn read_files(inner: &Inner, paths: &[&str]) -> Reply {
    let boundary = boundary();
    let mut body = Vec::new();
    let mut results = Vec::new();
    for path in paths {
        let err = match read_one(inner, path) {
            Ok(bytes) => {
                let _ = write!(
                    body,
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                    path.replace('"', "\\\"")
                );
                body.extend_from_slice(&bytes);
                body.extend_from_slice(b"\r\n");
                None
            }
            Err(e) => Some(e),
        };
        results.push(result_entry(path, err));
    }
    let meta = envelope_json(200, "sync", None, Some(&Value::Array(results)));
    let _ = write!(
        body,
        "--{boundary}\r\nContent-Type: application/json\r\nContent-Disposition: form-data; name=\"response\"\r\n\r\n{meta}\n\r\n--{boundary}--\r\n"
    );
    Reply::Raw(Response {
        status: 200,
        content_type: format!("multipart/form-data; boundary={boundary}"),
        headers: Vec::new(),
        body,
    })
}

fn read_one(inner: &Inner, path: &str) -> Result<Vec<u8>, FileError> {
    if !path.starts_with('/') {
        return Err(non_absolute(path));
    }
    let host = host_path(&inner.root, path);
    let meta = std::fs::metadata(&host).map_err(|e| FileError::os("stat", path, &e))?;
    if !meta.is_file() {
        return Err(FileError::generic(format!("can only read a regular file: {path:?}")));
    }
    std::fs::read(&host).map_err(|e| FileError::os("open", path, &e))
}

fn list_files(inner: &Inner, path: &str, pattern: &str, itself: bool) -> Result<Vec<Value>, FileError> {
    let host = host_path(&inner.root, path);
    let meta = std::fs::metadata(&host).map_err(|e| FileError::os("stat", path, &e))?;
    let pattern = match pattern {
        "" => None,
        p => Some(glob::Pattern::new(p).map_err(|_| FileError::generic("syntax error in pattern"))?),
    };
    let clean = super::fs::clean(path);
    let mut entries: Vec<(String, std::fs::Metadata)> = Vec::new();
    if !meta.is_dir() || itself {
        entries.push((clean.clone(), meta));
    } else {
        let dir = std::fs::read_dir(&host).map_err(|e| FileError::os("open", path, &e))?;
        for entry in dir {
            let entry = entry.map_err(|e| FileError::os("readdirent", path, &e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let full = if clean == "/" { format!("/{name}") } else { format!("{clean}/{name}") };
            let m = std::fs::symlink_metadata(entry.path()).map_err(|e| FileError::os("lstat", &full, &e))?;
            entries.push((full, m));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let state = inner.lock();
    let mut out = Vec::new();
    for (full, m) in entries {
        let name = full.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("/").to_owned();
        if pattern.as_ref().is_some_and(|p| !p.matches(&name)) {
            continue;
        }
        let recorded = state.files.get(&full);
        let ft = m.file_type();
        let kind = if ft.is_file() {
            "file"
        } else if ft.is_dir() {
            "directory"
        } else if ft.is_symlink() {
            "symlink"
        } else {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_socket() {
                "socket"
            } else if ft.is_fifo() {
                "named-pipe"
            } else if ft.is_block_device() || ft.is_char_device() {
                "device"
            } else {
                "unknown"
            }
        };
        let modified = chrono::DateTime::from_timestamp(m.mtime(), 0).unwrap_or_default();
        let mut v = json!({
            "path": full, "name": name, "type": kind,
            "permissions": format!("{:03o}", m.permissions().mode() & 0o777),
            "last-modified": modified.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "user-id": recorded.and_then(|r| r.user_id).unwrap_or(m.uid()),
            "user": recorded.and_then(|r| r.user.clone()).unwrap_or_else(|| name_of(m.uid())),
            "group-id": recorded.and_then(|r| r.group_id).unwrap_or(m.gid()),
            "group": recorded.and_then(|r| r.group.clone()).unwrap_or_else(|| name_of(m.gid())),
        });
        if ft.is_file() {
            v["size"] = Value::from(m.len());
        }
        out.push(v);
    }
    Ok(out)
}

/// The name Pebble would look up for an id it cannot find in the container: `root` for 0,
/// else empty (Go leaves the name empty when the lookup fails).
fn name_of(id: u32) -> String {
    if id == 0 { "root".into() } else { String::new() }
}

/// Ownership asked for by a request.
#[derive(Deserialize, Default, Clone)]
struct Owner {
    #[serde(rename = "user-id")]
    user_id: Option<u32>,
    user: Option<String>,
    #[serde(rename = "group-id")]
    group_id: Option<u32>,
    group: Option<String>,
}

impl Owner {
    /// `NormalizeUidGid`'s request checks (the names are recorded, not looked up).
    fn check(&self) -> Result<(), FileError> {
        let has_user = self.user_id.is_some() || self.user.as_deref().is_some_and(|u| !u.is_empty());
        let has_group = self.group_id.is_some() || self.group.as_deref().is_some_and(|g| !g.is_empty());
        if has_group && !has_user {
            return Err(FileError::generic("cannot look up user and group: must specify user, not just group"));
        }
        Ok(())
    }

    fn record(&self, inner: &Inner, path: &str, permissions: &str) {
        let mut state = inner.lock();
        let rec = state.files.entry(super::fs::clean(path)).or_default();
        rec.permissions = permissions.to_owned();
        rec.user_id = self.user_id.or(rec.user_id);
        rec.user = self.user.clone().filter(|u| !u.is_empty()).or(rec.user.clone());
        rec.group_id = self.group_id.or(rec.group_id);
        rec.group = self.group.clone().filter(|g| !g.is_empty()).or(rec.group.clone());
    }
}

/// `parsePermissions`.
fn parse_permissions(p: &str, default: u32) -> Result<u32, FileError> {
    if p.is_empty() {
        return Ok(default);
    }
    match u32::from_str_radix(p, 8) {
        Ok(mode) if p.len() == 3 => Ok(mode),
        _ => Err(FileError::generic(format!("permissions must be a 3-digit octal string, got {p:?}"))),
    }
}

/// POST /v1/files: multipart write, or JSON make-dirs / remove.
pub(crate) fn post_files(inner: &Inner, req: &Request) -> Reply {
    if let Some(e) = &inner.setup_error {
        return internal(e);
    }
    let content_type = req.header("content-type").unwrap_or("");
    let Ok(mime) = content_type.parse::<mime::Mime>() else {
        return bad_request(format!("invalid Content-Type {content_type:?}"));
    };
    match mime.essence_str() {
        "multipart/form-data" => {
            let boundary = mime.get_param("boundary").map(|b| b.as_str().to_owned()).unwrap_or_default();
            if boundary.len() < 32 {
                return bad_request(format!("invalid boundary {boundary:?}"));
            }
            write_files(inner, &req.body, &boundary)
        }
        "application/json" => {
            #[derive(Deserialize)]
            struct Body {
                action: Option<String>,
                dirs: Option<Vec<MakeDir>>,
                paths: Option<Vec<RemovePath>>,
            }
            let body: Body = match serde_json::from_slice(&req.body) {
                Ok(b) => b,
                Err(e) => return bad_request(format!("cannot decode request body: {e}")),
            };
            match body.action.as_deref().unwrap_or("") {
                "make-dirs" => sync(Value::Array(
                    body.dirs
                        .unwrap_or_default()
                        .iter()
                        .map(|d| result_entry(&d.path, make_dir(inner, d).err()))
                        .collect(),
                )),
                "remove" => sync(Value::Array(
                    body.paths
                        .unwrap_or_default()
                        .iter()
                        .map(|p| result_entry(&p.path, remove(inner, p).err()))
                        .collect(),
                )),
                "write" => bad_request(r#"must use multipart with "write" action"#),
                other => bad_request(format!("invalid action {other:?}")),
            }
        }
        other => bad_request(format!("invalid media type {other:?}")),
    }
}

#[derive(Deserialize)]
struct WriteItem {
    #[serde(default)]
    path: String,
    #[serde(rename = "make-dirs", default)]
    make_dirs: Option<bool>,
    #[serde(default)]
    permissions: Option<String>,
    #[serde(flatten)]
    owner: Owner,
}

fn write_files(inner: &Inner, body: &[u8], boundary: &str) -> Reply {
    let stream =
        futures_util::stream::once(std::future::ready(Ok::<_, io::Error>(bytes::Bytes::copy_from_slice(body))));
    let mut mp = multer::Multipart::new(stream, boundary.to_owned());
    let first = match pollster::block_on(mp.next_field()) {
        Ok(Some(f)) => f,
        Ok(None) => return bad_request("cannot read request metadata: EOF"),
        Err(e) => return bad_request(format!("cannot read request metadata: {e}")),
    };
    let name = first.name().unwrap_or("").to_owned();
    if name != "request" {
        return bad_request(format!(r#"metadata field name must be "request", got {name:?}"#));
    }
    #[derive(Deserialize)]
    struct Meta {
        action: Option<String>,
        files: Option<Vec<WriteItem>>,
    }
    let meta: Meta = match pollster::block_on(first.bytes())
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(m) => m,
        Err(e) => return bad_request(format!("cannot decode request metadata: {e}")),
    };
    let action = meta.action.unwrap_or_default();
    if action != "write" {
        return bad_request(format!(r#"multipart action must be "write", got {action:?}"#));
    }
    let items = meta.files.unwrap_or_default();
    if items.is_empty() {
        return bad_request("must specify one or more files");
    }
    let mut outcomes: Vec<(String, Option<FileError>)> = Vec::new();
    let mut i = 0;
    loop {
        let field = match pollster::block_on(mp.next_field()) {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return bad_request(format!("cannot read file part {i}: {e}")),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name != "files" {
            return bad_request(format!(r#"field name must be "files", got {name:?}"#));
        }
        let path = field.file_name().unwrap_or("").to_owned();
        let Some(item) = items.iter().find(|it| it.path == path) else {
            return bad_request(format!("no metadata for path {path:?}"));
        };
        let content = match pollster::block_on(field.bytes()) {
            Ok(b) => b,
            Err(e) => return bad_request(format!("cannot read file part {i}: {e}")),
        };
        outcomes.push((path, write_one(inner, item, &content).err()));
        i += 1;
    }
    let results: Vec<Value> = items
        .iter()
        .map(|it| match outcomes.iter().find(|(p, _)| *p == it.path) {
            Some((_, err)) => result_entry(&it.path, err.clone()),
            None => result_entry(&it.path, Some(FileError::generic(format!("no file content for path {:?}", it.path)))),
        })
        .collect();
    sync(Value::Array(results))
}

fn write_one(inner: &Inner, item: &WriteItem, content: &[u8]) -> Result<(), FileError> {
    let path = item.path.as_str();
    if !path.starts_with('/') {
        return Err(non_absolute(path));
    }
    item.owner.check()?;
    let host = host_path(&inner.root, path);
    if item.make_dirs.unwrap_or(false) {
        let parent = super::fs::clean(path);
        let parent = parent.rsplit_once('/').map(|(p, _)| if p.is_empty() { "/" } else { p }).unwrap_or("/").to_owned();
        mkdir_all(inner, &parent, 0o755, &item.owner)
            .map_err(|e| FileError { message: format!("cannot create directory: {}", e.message), ..e })?;
    }
    let mode = parse_permissions(item.permissions.as_deref().unwrap_or(""), 0o644)?;
    // Atomic write as osutil.AtomicWriteChown: a temp file beside the target, then rename.
    let dir = host.parent().unwrap_or(&inner.root);
    let base = host.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let pattern = format!("{}.*~", super::fs::clean(path));
    let tmp = dir.join(format!("{base}.{}~", std::process::id()));
    std::fs::write(&tmp, content).map_err(|e| FileError::os("createtemp", &pattern, &e))?;
    let done = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode))
        .and_then(|_| std::fs::rename(&tmp, &host));
    if let Err(e) = done {
        let _ = std::fs::remove_file(&tmp);
        return Err(FileError::os("rename", path, &e));
    }
    item.owner.record(inner, path, &format!("{mode:03o}"));
    Ok(())
}

/// `osutil.Mkdir` with `MakeParents` and `ExistOK`: creates the missing directories of
/// `path` (a container path) with `mode`, recording the requested ownership on each.
fn mkdir_all(inner: &Inner, path: &str, mode: u32, owner: &Owner) -> Result<(), FileError> {
    let host = host_path(&inner.root, path);
    if let Ok(m) = std::fs::metadata(&host) {
        return if m.is_dir() { Ok(()) } else { Err(FileError::os("mkdir", path, &io::Error::from_raw_os_error(20))) };
    }
    if let Some((parent, _)) = path.rsplit_once('/')
        && !parent.is_empty()
    {
        mkdir_all(inner, parent, mode, owner)?;
    }
    mkdir_one(inner, path, &host, mode, owner)
}

/// `osutil` `mkdir`: create `path.mkdir-new`, chmod, rename into place.
fn mkdir_one(inner: &Inner, path: &str, host: &Path, mode: u32, owner: &Owner) -> Result<(), FileError> {
    let cand =
        host.with_file_name(format!("{}.mkdir-new", host.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()));
    if let Err(e) = std::fs::create_dir(&cand)
        && e.kind() != io::ErrorKind::AlreadyExists
    {
        return Err(FileError::os("mkdir", &format!("{path}.mkdir-new"), &e));
    }
    std::fs::set_permissions(&cand, std::fs::Permissions::from_mode(mode))
        .map_err(|e| FileError::os("chmod", path, &e))?;
    std::fs::rename(&cand, host).map_err(|e| FileError::os("rename", path, &e))?;
    owner.record(inner, path, &format!("{mode:03o}"));
    Ok(())
}

#[derive(Deserialize)]
struct MakeDir {
    #[serde(default)]
    path: String,
    #[serde(rename = "make-parents", default)]
    make_parents: Option<bool>,
    #[serde(default)]
    permissions: Option<String>,
    #[serde(flatten)]
    owner: Owner,
}

fn make_dir(inner: &Inner, d: &MakeDir) -> Result<(), FileError> {
    if !d.path.starts_with('/') {
        return Err(non_absolute(&d.path));
    }
    let mode = parse_permissions(d.permissions.as_deref().unwrap_or(""), 0o755)?;
    d.owner.check()?;
    let path = super::fs::clean(&d.path);
    let host = host_path(&inner.root, &path);
    if let Ok(m) = std::fs::metadata(&host) {
        if !m.is_dir() {
            return Err(FileError::os("mkdir", &path, &io::Error::from_raw_os_error(20)));
        }
        if d.make_parents.unwrap_or(false) {
            return Ok(());
        }
        return Err(FileError::os("mkdir", &path, &io::Error::from_raw_os_error(17)));
    }
    if d.make_parents.unwrap_or(false) {
        mkdir_all(inner, &path, mode, &d.owner)
    } else {
        mkdir_one(inner, &path, &host, mode, &d.owner)
    }
}

#[derive(Deserialize)]
struct RemovePath {
    #[serde(default)]
    path: String,
    #[serde(default)]
    recursive: Option<bool>,
}

fn remove(inner: &Inner, p: &RemovePath) -> Result<(), FileError> {
    if !p.path.starts_with('/') {
        return Err(non_absolute(&p.path));
    }
    let path = super::fs::clean(&p.path);
    let host = host_path(&inner.root, &path);
    if host == inner.root {
        // Removing the container's root would remove the run's own directory.
        return Err(FileError::os("remove", &path, &io::Error::from_raw_os_error(16)));
    }
    let result = if p.recursive.unwrap_or(false) {
        match std::fs::symlink_metadata(&host) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(&host),
            _ => std::fs::remove_file(&host),
        }
    } else {
        match std::fs::symlink_metadata(&host) {
            Ok(m) if m.is_dir() => std::fs::remove_dir(&host),
            _ => std::fs::remove_file(&host),
        }
    };
    result.map_err(|e| FileError::os("remove", &path, &e))?;
    let prefix = format!("{path}/");
    inner.lock().files.retain(|k, _| *k != path && !k.starts_with(&prefix));
    Ok(())
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
