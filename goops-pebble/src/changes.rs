//! Changes and tasks: what Pebble does asynchronously (service actions, exec), and waiting for them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::client::Client;
use crate::error::{ChangeError, Error, Result};
use crate::http::Request;

/// A change: a group of tasks (`internals/daemon/api_changes.go`, `changeInfo`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Change {
    /// The change ID (a decimal string).
    pub id: String,
    /// What kind of change (`start`, `stop`, `restart`, `replan`, `autostart`, `exec`, …).
    pub kind: String,
    /// Pebble's summary (`Start service "svc"`).
    pub summary: String,
    /// The status (`Do`, `Doing`, `Done`, `Error`, `Hold`, …).
    pub status: String,
    /// Its tasks.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// Whether the change is finished (Done, Undone, Hold or Error).
    pub ready: bool,
    /// The error, when the status is `Error`.
    #[serde(default)]
    pub err: Option<String>,
    /// When it was created (RFC 3339).
    #[serde(default)]
    pub spawn_time: Option<String>,
    /// When it became ready (RFC 3339).
    #[serde(default)]
    pub ready_time: Option<String>,
    /// Change data.
    #[serde(default)]
    pub data: BTreeMap<String, serde_json::Value>,
}

/// One task of a [`Change`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Task {
    /// The task ID.
    pub id: String,
    /// The kind (`start`, `stop`, `exec`, …).
    pub kind: String,
    /// Pebble's summary.
    pub summary: String,
    /// The status.
    pub status: String,
    /// The last log lines (`<time> INFO msg`).
    #[serde(default)]
    pub log: Vec<String>,
    /// Progress.
    #[serde(default)]
    pub progress: Option<TaskProgress>,
    /// When it was created (RFC 3339).
    #[serde(default)]
    pub spawn_time: Option<String>,
    /// When it became ready (RFC 3339).
    #[serde(default)]
    pub ready_time: Option<String>,
    /// Task data (an exec task has `exit-code`).
    #[serde(default)]
    pub data: BTreeMap<String, serde_json::Value>,
}

/// A task's progress.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TaskProgress {
    /// A label.
    #[serde(default)]
    pub label: String,
    /// Units done.
    #[serde(default)]
    pub done: u64,
    /// Units in total.
    #[serde(default)]
    pub total: u64,
}

/// Which changes [`Client::get_changes`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChangeSelect {
    /// Changes not ready yet (Pebble's default).
    #[default]
    InProgress,
    /// Ready changes.
    Ready,
    /// All changes.
    All,
}

impl ChangeSelect {
    fn as_str(self) -> &'static str {
        match self {
            ChangeSelect::InProgress => "in-progress",
            ChangeSelect::Ready => "ready",
            ChangeSelect::All => "all",
        }
    }
}

/// The longest single `/wait` request; ops uses the same bound (under its 5 s socket timeout).
const WAIT_STEP: Duration = Duration::from_secs(4);
/// How often to poll a Pebble without `/wait`.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

impl Client {
    /// The change `id` (`GET /v1/changes/{id}`).
    pub fn get_change(&self, id: &str) -> Result<Change> {
        self.sync(Request::get(&format!("/v1/changes/{}", path_segment(id))))
    }

    /// Changes, optionally only those for `service` (`GET /v1/changes`).
    pub fn get_changes(&self, select: ChangeSelect, service: Option<&str>) -> Result<Vec<Change>> {
        let mut request = Request::get("/v1/changes").query("select", select.as_str());
        if let Some(service) = service {
            request = request.query("for", service);
        }
        self.sync(request)
    }

    /// Abort the change `id`: its tasks that have not started are held (`POST /v1/changes/{id}`).
    pub fn abort_change(&self, id: &str) -> Result<Change> {
        let path = format!("/v1/changes/{}", path_segment(id));
        self.sync(Request::post_json(&path, &serde_json::json!({"action": "abort"}))?)
    }

    /// Wait until the change `id` is ready and return it, whatever its status (a change in
    /// `Error` is returned, not an error). `None` waits without a deadline; past `timeout`,
    /// [`Error::Timeout`].
    ///
    /// Uses `GET /v1/changes/{id}/wait` in steps of at most 4 s, and polls `GET
    /// /v1/changes/{id}` when Pebble has no `/wait` (it answers 404), as ops does.
    pub fn wait_change(&self, id: &str, timeout: Option<Duration>) -> Result<Change> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let remaining = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let path = format!("/v1/changes/{}/wait", path_segment(id));
        loop {
            let step = remaining().map_or(WAIT_STEP, |r| r.min(WAIT_STEP));
            if step.is_zero() {
                return Err(self.timeout_error(id, timeout));
            }
            match self.sync::<Change>(Request::get(&path).query("timeout", crate::duration::format(step))) {
                Ok(change) if change.ready => return Ok(change),
                Ok(_) => {}
                Err(Error::Api(e)) if e.status == 504 => {}
                Err(Error::Api(e)) if e.status == 404 => return self.poll_change(id, timeout, deadline),
                Err(e) => return Err(e),
            }
        }
    }

    fn poll_change(&self, id: &str, timeout: Option<Duration>, deadline: Option<Instant>) -> Result<Change> {
        loop {
            let change = self.get_change(id)?;
            if change.ready {
                return Ok(change);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(self.timeout_error(id, timeout));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    fn timeout_error(&self, id: &str, timeout: Option<Duration>) -> Error {
        Error::Timeout { container: self.name().to_owned(), change: id.to_owned(), after: timeout.unwrap_or_default() }
    }

    /// Wait for the change `id` and turn an `Error` status into [`Error::Change`].
    pub(crate) fn wait_ok(&self, id: &str, timeout: Option<Duration>) -> Result<Change> {
        let change = self.wait_change(id, timeout)?;
        if change.err.is_some() || change.status == "Error" {
            return Err(ChangeError { change: Box::new(change) }.into());
        }
        Ok(change)
    }
}

/// An ID as one URL path segment (IDs are decimal; anything else is escaped, not interpreted).
pub(crate) fn path_segment(id: &str) -> String {
    form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>().replace('+', "%20")
}
