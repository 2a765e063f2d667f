//! The client's errors: one [`Error`] whose variants say what failed, carrying what Pebble said.

use std::fmt;
use std::io;
use std::time::Duration;

/// What a client call can fail with.
///
/// [`Error::NotReachable`] is the one a charm usually just returns from its handler: the
/// framework (goops-runtime's `dispatch`) turns it into a `waiting` status naming the container,
/// and the next pebble-ready event runs the handler again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The container's Pebble could not be connected to (no socket: the container is not up
    /// yet or restarted; connection refused).
    #[error("cannot connect to the Pebble of container {container:?}")]
    NotReachable {
        /// The container.
        container: String,
        /// Why (`ENOENT`, `ECONNREFUSED`, …).
        #[source]
        source: io::Error,
    },
    /// The connection broke (or timed out) during a request.
    #[error("connection to the Pebble of container {container:?} failed")]
    Connection {
        /// The container.
        container: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Pebble answered with an error.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// Pebble's answer was not what its API specifies.
    #[error("unexpected answer from the Pebble of container {container:?}: {message}")]
    Protocol {
        /// The container.
        container: String,
        /// What was wrong.
        message: String,
    },
    /// A file operation failed for one path.
    #[error(transparent)]
    Path(#[from] PathError),
    /// A change (services, exec) ended in error.
    #[error(transparent)]
    Change(#[from] ChangeError),
    /// A change was not ready within the time the caller allowed.
    #[error("change {change} of container {container:?} was not ready after {after:?}")]
    Timeout {
        /// The container.
        container: String,
        /// The change's ID.
        change: String,
        /// How long the client waited.
        after: Duration,
    },
    /// A command run with exec exited with a non-zero code.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// The exec websocket protocol failed (handshake, framing, a closed stream).
    #[error("exec websocket to the Pebble of container {container:?} failed: {message}")]
    Websocket {
        /// The container.
        container: String,
        /// What failed.
        message: String,
    },
    /// Reading a caller's input (a push source) or writing to a caller's output (a pull or
    /// exec output sink) failed.
    #[error("cannot {what}")]
    Local {
        /// What the client was doing (`read the content to push to "/etc/app.conf"`).
        what: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The caller passed something the client cannot send (for example a layer whose
    /// serialization fails).
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl Error {
    /// The error kind Pebble gave (`not-found`, `permission-denied`, `generic-file-error`, …),
    /// for API and per-path errors.
    pub fn kind(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.kind.as_deref(),
            Error::Path(e) => Some(e.kind.as_str()),
            _ => None,
        }
    }

    /// Whether Pebble said "not found" (HTTP 404, or a per-path `not-found`).
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::Api(e) => e.status == 404 || e.kind.as_deref() == Some("not-found"),
            Error::Path(e) => e.kind == PathErrorKind::NotFound,
            _ => false,
        }
    }

    /// Whether this is [`Error::NotReachable`].
    pub fn is_not_reachable(&self) -> bool {
        matches!(self, Error::NotReachable { .. })
    }
}

/// An error answer from Pebble: its HTTP status and the error object of the envelope
/// (`internals/daemon/response.go`: `{"message", "kind"?, "value"?}`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("Pebble of container {container:?} answered {status}: {message}")]
pub struct ApiError {
    /// The container.
    pub container: String,
    /// The HTTP status (`status-code` of the envelope).
    pub status: u16,
    /// Pebble's error kind (`not-found`, `permission-denied`, `generic-file-error`,
    /// `no-default-services`, `login-required`, …), when it set one.
    pub kind: Option<String>,
    /// Pebble's message.
    pub message: String,
    /// The error's `value`, when Pebble set one.
    pub value: Option<serde_json::Value>,
}

/// The kind of a per-path file error (`internals/daemon/api_files.go`, `errToKind`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathErrorKind {
    /// `not-found` (ENOENT).
    NotFound,
    /// `permission-denied` (EACCES, EPERM).
    PermissionDenied,
    /// `generic-file-error` (anything else).
    Generic,
    /// A kind this client does not know.
    Other(String),
}

impl PathErrorKind {
    /// The kind from Pebble's string.
    pub fn parse(kind: &str) -> Self {
        match kind {
            "not-found" => PathErrorKind::NotFound,
            "permission-denied" => PathErrorKind::PermissionDenied,
            "generic-file-error" => PathErrorKind::Generic,
            other => PathErrorKind::Other(other.to_owned()),
        }
    }

    /// Pebble's string for the kind.
    pub fn as_str(&self) -> &str {
        match self {
            PathErrorKind::NotFound => "not-found",
            PathErrorKind::PermissionDenied => "permission-denied",
            PathErrorKind::Generic => "generic-file-error",
            PathErrorKind::Other(kind) => kind,
        }
    }
}

impl fmt::Display for PathErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file operation failed for one path (Pebble's per-path `error` object).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {kind}: {message}")]
pub struct PathError {
    /// The path.
    pub path: String,
    /// Pebble's kind.
    pub kind: PathErrorKind,
    /// Pebble's message (Go's error text, e.g. `stat /x: no such file or directory`).
    pub message: String,
}

/// A change ended in error (its `err`), with the logs of its tasks, as ops's `ChangeError` shows them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", display_change_error(self))]
pub struct ChangeError {
    /// The change.
    pub change: Box<crate::Change>,
}

impl ChangeError {
    /// The change's `err` text.
    pub fn err(&self) -> &str {
        self.change.err.as_deref().unwrap_or_default()
    }
}

fn display_change_error(e: &ChangeError) -> String {
    let mut text = e.err().to_owned();
    for task in &e.change.tasks {
        if task.log.is_empty() {
            continue;
        }
        text.push_str(&format!("\n----- Logs from task {} -----\n", task.id));
        text.push_str(&task.log.join("\n"));
    }
    text
}

/// A command run with exec exited with a non-zero code; what it printed is kept (when the
/// output was captured).
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("command {:?} exited with code {exit_code}{}", program(.command), stderr_tail(.stderr))]
pub struct ExecError {
    /// The command line.
    pub command: Vec<String>,
    /// The exit code (`-1` when Pebble gave none).
    pub exit_code: i32,
    /// Standard output, when captured.
    pub stdout: Vec<u8>,
    /// Standard error, when captured separately.
    pub stderr: Vec<u8>,
}

impl ExecError {
    /// Standard output as text (lossy).
    pub fn stdout_lossy(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Standard error as text (lossy).
    pub fn stderr_lossy(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

// Output may be large and arguments may hold secrets (a password flag): Debug and Display show the
// program and sizes, and Display the last line of stderr, which is where commands say why they failed.
impl fmt::Debug for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecError")
            .field("program", &program(&self.command))
            .field("args", &self.command.len().saturating_sub(1))
            .field("exit_code", &self.exit_code)
            .field("stdout_len", &self.stdout.len())
            .field("stderr_len", &self.stderr.len())
            .finish()
    }
}

fn program(command: &[String]) -> &str {
    command.first().map(String::as_str).unwrap_or_default()
}

fn stderr_tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    match text.trim_end().lines().last() {
        Some(line) if !line.is_empty() => format!(": {line}"),
        _ => String::new(),
    }
}

/// A result with the client's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
