//! Changes and tasks: what Pebble does asynchronously (service actions, exec), and waiting for them.

use std::collections::BTreeMap;

use serde::Deserialize;

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
