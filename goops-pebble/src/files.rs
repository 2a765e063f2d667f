//! Files in the container (`api_files.go`): push, pull, list, make-dir, remove. Pebble
//! reports most failures per path; they come back as [`PathError`].

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::{Error, PathError, PathErrorKind, Result};
use crate::http::{Body, Request};
use crate::multipart;

/// Who owns a file or directory Pebble creates, and its mode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ownership {
    /// Mode bits (`0o644`); Pebble's default is 0644 for files and 0755 for directories.
    pub permissions: Option<u32>,
    /// Owner by name.
    pub user: Option<String>,
    /// Owner by ID.
    pub user_id: Option<u32>,
    /// Group by name.
    pub group: Option<String>,
    /// Group by ID.
    pub group_id: Option<u32>,
}

/// Options of [`Client::push`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushOptions {
    /// Create missing parent directories (0755, owned as the file).
    pub make_dirs: bool,
    /// Mode and owner.
    pub ownership: Ownership,
}

impl PushOptions {
    /// Defaults: no parent directories created, mode 0644, Pebble's user.
    pub fn new() -> Self {
        PushOptions::default()
    }

    /// Create missing parent directories.
    pub fn make_dirs(mut self) -> Self {
        self.make_dirs = true;
        self
    }

    /// With mode `permissions` (`0o600`).
    pub fn permissions(mut self, permissions: u32) -> Self {
        self.ownership.permissions = Some(permissions);
        self
    }

    /// Owned by `user`.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.ownership.user = Some(user.into());
        self
    }

    /// Owned by user ID `id`.
    pub fn user_id(mut self, id: u32) -> Self {
        self.ownership.user_id = Some(id);
        self
    }

    /// Of `group`.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.ownership.group = Some(group.into());
        self
    }

    /// Of group ID `id`.
    pub fn group_id(mut self, id: u32) -> Self {
        self.ownership.group_id = Some(id);
        self
    }
}

/// Options of [`Client::make_dir`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MakeDirOptions {
    /// Create missing parents too, and accept an existing directory.
    pub make_parents: bool,
    /// Mode and owner.
    pub ownership: Ownership,
}

impl MakeDirOptions {
    /// Defaults: parents must exist, mode 0755.
    pub fn new() -> Self {
        MakeDirOptions::default()
    }

    /// Create missing parents, accept an existing directory.
    pub fn make_parents(mut self) -> Self {
        self.make_parents = true;
        self
    }

    /// With mode `permissions`.
    pub fn permissions(mut self, permissions: u32) -> Self {
        self.ownership.permissions = Some(permissions);
        self
    }

    /// Owned by `user`.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.ownership.user = Some(user.into());
        self
    }

    /// Of `group`.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.ownership.group = Some(group.into());
        self
    }
}

/// The kind of a listed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileType {
    /// A regular file.
    File,
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
    /// A unix socket.
    Socket,
    /// A FIFO.
    NamedPipe,
    /// A device.
    Device,
    /// Something else.
    #[serde(other)]
    Unknown,
}

/// One entry of [`Client::list_files`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct FileInfo {
    /// The full path.
    pub path: String,
    /// The base name.
    pub name: String,
    /// The kind.
    #[serde(rename = "type")]
    pub file_type: FileType,
    /// The size, for regular files.
    #[serde(default)]
    pub size: Option<u64>,
    /// The mode bits (from Pebble's octal text).
    #[serde(deserialize_with = "octal")]
    pub permissions: u32,
    /// Last modification (RFC 3339).
    pub last_modified: String,
    /// Owner ID.
    #[serde(default)]
    pub user_id: Option<u32>,
    /// Owner name.
    #[serde(default)]
    pub user: Option<String>,
    /// Group ID.
    #[serde(default)]
    pub group_id: Option<u32>,
    /// Group name.
    #[serde(default)]
    pub group: Option<String>,
}

impl FileInfo {
    /// Whether it is a directory.
    pub fn is_dir(&self) -> bool {
        self.file_type == FileType::Directory
    }
}

fn octal<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<u32, D::Error> {
    let text = String::deserialize(d)?;
    u32::from_str_radix(&text, 8).map_err(|_| serde::de::Error::custom(format!("bad permissions {text:?}")))
}

/// One path of a files request, as Pebble's JSON names it.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct PathItem<'a> {
    path: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    make_dirs: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    make_parents: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    recursive: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
}

impl<'a> PathItem<'a> {
    fn new(path: &'a str, ownership: Option<&'a Ownership>) -> Self {
        let o = ownership;
        PathItem {
            path,
            make_dirs: false,
            make_parents: false,
            recursive: false,
            // Pebble wants exactly three octal digits (ops: `format(p, "03o")`).
            permissions: o.and_then(|o| o.permissions).map(|p| format!("{p:03o}")),
            user_id: o.and_then(|o| o.user_id),
            user: o.and_then(|o| o.user.as_deref()),
            group_id: o.and_then(|o| o.group_id),
            group: o.and_then(|o| o.group.as_deref()),
        }
    }
}

/// A per-path result of a files request.
#[derive(Debug, Deserialize)]
struct PathResult {
    path: String,
    #[serde(default)]
    error: Option<PathResultError>,
}

#[derive(Debug, Deserialize)]
struct PathResultError {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    message: String,
}

/// The error for `path` in `results`, if any; a missing entry is a protocol error.
fn path_outcome(client: &Client, results: Vec<PathResult>, path: &str) -> Result<()> {
    let Some(result) = results.into_iter().find(|r| r.path == path) else {
        return Err(client.protocol(format!("no result for path {path:?}")));
    };
    match result.error {
        None => Ok(()),
        Some(e) => Err(PathError { path: result.path, kind: PathErrorKind::parse(&e.kind), message: e.message }.into()),
    }
}

impl Client {
    /// Write `content` to the file `path` (absolute), replacing it atomically.
    pub fn push(&self, path: &str, content: impl AsRef<[u8]>, options: &PushOptions) -> Result<()> {
        self.push_from(path, &mut content.as_ref(), options)
    }

    /// Write what `source` reads to the file `path`, streamed (no copy in memory).
    pub fn push_from(&self, path: &str, source: &mut dyn Read, options: &PushOptions) -> Result<()> {
        let filename =
            multipart::quoted(path).ok_or_else(|| Error::InvalidInput(format!("path {path:?} has a line break")))?;
        let item = PathItem { make_dirs: options.make_dirs, ..PathItem::new(path, Some(&options.ownership)) };
        let metadata = serde_json::json!({"action": "write", "files": [item]});
        let boundary = multipart::boundary();
        let container = self.name().to_owned();
        let io_err = |source| Error::Connection { container: container.clone(), source };
        let mut produce = |out: &mut dyn Write| -> Result<()> {
            multipart::write_part_head(out, &boundary, true, "application/json", "name=\"request\"").map_err(io_err)?;
            out.write_all(metadata.to_string().as_bytes()).map_err(io_err)?;
            let disposition = format!("name=\"files\"; filename={filename}");
            multipart::write_part_head(out, &boundary, false, "application/octet-stream", &disposition)
                .map_err(io_err)?;
            copy(source, out, path, &io_err)?;
            multipart::write_end(out, &boundary).map_err(io_err)
        };
        let request = Request {
            method: http::Method::POST,
            path: "/v1/files",
            query: Vec::new(),
            accept: "application/json",
            body: Body::Stream(multipart::content_type(&boundary), &mut produce),
        };
        let results: Vec<PathResult> = self.sync(request)?;
        path_outcome(self, results, path)
    }

    /// The content of the file `path`.
    pub fn pull(&self, path: &str) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.pull_to(path, &mut out)?;
        Ok(out)
    }

    /// The content of the file `path` as UTF-8 text.
    pub fn pull_text(&self, path: &str) -> Result<String> {
        String::from_utf8(self.pull(path)?)
            .map_err(|_| Error::InvalidInput(format!("the content of {path:?} is not UTF-8")))
    }

    /// Copy the file `path` into `sink`, streamed; returns the number of bytes.
    pub fn pull_to(&self, path: &str, sink: &mut dyn Write) -> Result<u64> {
        let mut request = Request::get("/v1/files").query("action", "read").query("path", path);
        request.accept = "multipart/form-data";
        let response = self.send(request)?;
        if !response.content_type().starts_with("multipart/") {
            // Whole-request errors (and any non-multipart answer) are JSON envelopes.
            self.read_envelope(response)?;
            return Err(self.protocol("expected a multipart answer to a file read"));
        }
        let content_type = response.content_type().to_owned();
        let mut written = 0u64;
        let mut got_file = false;
        let mut results: Option<Vec<PathResult>> = None;
        let local = |source| Error::Local { what: format!("write the content of {path:?}"), source };
        let body = response.body;
        multipart::read_parts(
            &content_type,
            body,
            |m| self.protocol(m),
            |mut part| -> Result<()> {
                let bad =
                    |e: multer::Error| Error::Protocol { container: self.name().to_owned(), message: e.to_string() };
                match part.name {
                    Some("files") if part.file_name == Some(path) && !got_file => {
                        got_file = true;
                        while let Some(chunk) = part.next_chunk().map_err(bad)? {
                            sink.write_all(&chunk).map_err(local)?;
                            written += chunk.len() as u64;
                        }
                    }
                    Some("response") => {
                        let envelope: crate::http::Envelope = serde_json::from_slice(&part.bytes().map_err(bad)?)
                            .map_err(|e| self.protocol(format!("bad response part: {e}")))?;
                        let list = serde_json::from_value(envelope.result)
                            .map_err(|e| self.protocol(format!("bad response part result: {e}")))?;
                        results = Some(list);
                    }
                    other => {
                        return Err(self.protocol(format!("unexpected part {other:?} (file {:?})", part.file_name)));
                    }
                }
                Ok(())
            },
        )?;
        let results = results.ok_or_else(|| self.protocol("the answer has no response part"))?;
        path_outcome(self, results, path)?;
        if !got_file {
            return Err(self.protocol(format!("the answer has no content for {path:?}")));
        }
        sink.flush().map_err(local)?;
        Ok(written)
    }

    /// The entries of the directory `path`, or `path` itself when it is not a directory or
    /// `itself` is set; with `pattern`, only base names matching that glob (`GET /v1/files?action=list`).
    pub fn list_files(&self, path: &str, pattern: Option<&str>, itself: bool) -> Result<Vec<FileInfo>> {
        let mut request = Request::get("/v1/files").query("action", "list").query("path", path);
        if let Some(pattern) = pattern {
            request = request.query("pattern", pattern);
        }
        if itself {
            request = request.query("itself", "true");
        }
        self.sync(request)
    }

    /// Whether `path` exists (only Pebble's 404 means no; other errors are errors).
    pub fn exists(&self, path: &str) -> Result<bool> {
        match self.list_files(path, None, true) {
            Ok(_) => Ok(true),
            Err(Error::Api(e)) if e.status == 404 => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Whether `path` is a directory (false when it does not exist).
    pub fn is_dir(&self, path: &str) -> Result<bool> {
        match self.list_files(path, None, true) {
            Ok(entries) => Ok(entries.first().is_some_and(FileInfo::is_dir)),
            Err(Error::Api(e)) if e.status == 404 => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Create the directory `path`.
    pub fn make_dir(&self, path: &str, options: &MakeDirOptions) -> Result<()> {
        let item = PathItem { make_parents: options.make_parents, ..PathItem::new(path, Some(&options.ownership)) };
        let body = serde_json::json!({"action": "make-dirs", "dirs": [item]});
        let results: Vec<PathResult> = self.sync(Request::post_json("/v1/files", &body)?)?;
        path_outcome(self, results, path)
    }

    /// Remove `path`; with `recursive`, a directory and everything in it (and a missing path
    /// is fine).
    pub fn remove_path(&self, path: &str, recursive: bool) -> Result<()> {
        let item = PathItem { recursive, ..PathItem::new(path, None) };
        let body = serde_json::json!({"action": "remove", "paths": [item]});
        let results: Vec<PathResult> = self.sync(Request::post_json("/v1/files", &body)?)?;
        path_outcome(self, results, path)
    }
}

/// Copy `source` to `out`, telling a failed read (the caller's) from a failed write (the connection).
fn copy(
    source: &mut dyn Read,
    out: &mut dyn Write,
    path: &str,
    io_err: &dyn Fn(std::io::Error) -> Error,
) -> Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(Error::Local { what: format!("read the content to push to {path:?}"), source }),
        };
        out.write_all(&buf[..n]).map_err(io_err)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_metadata_in_pebbles_shape() {
        let options = PushOptions::new().make_dirs().permissions(0o600).user("app").group_id(1000);
        let item =
            PathItem { make_dirs: options.make_dirs, ..PathItem::new("/etc/app.conf", Some(&options.ownership)) };
        assert_eq!(
            serde_json::to_value(item).unwrap(),
            serde_json::json!({"path": "/etc/app.conf", "make-dirs": true, "permissions": "600", "user": "app", "group-id": 1000})
        );
    }

    #[test]
    fn small_permissions_keep_three_digits() {
        let o = Ownership { permissions: Some(0o7), ..Ownership::default() };
        assert_eq!(PathItem::new("/x", Some(&o)).permissions.as_deref(), Some("007"));
    }

    #[test]
    fn file_info_reads_octal_permissions() {
        let info: FileInfo = serde_json::from_value(serde_json::json!({
            "path": "/a", "name": "a", "type": "directory", "permissions": "755",
            "last-modified": "2024-01-01T00:00:00Z", "user-id": 0, "user": "root", "group-id": 0, "group": "root"
        }))
        .unwrap();
        assert_eq!(info.permissions, 0o755);
        assert!(info.is_dir());
        assert_eq!(info.size, None);
    }
}
