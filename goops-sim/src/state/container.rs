//! One workload container as its Pebble sees it: layers, services, checks, notices, the files
//! written through Pebble, the exec rules that stand in for real commands, changes, and the
//! history of every Pebble request, for asserts.
//!
//! The names and values follow Pebble's own API (`canonical/pebble`,
//! `internals/daemon/api_*.go`): service `current` is `active|inactive|backoff|error`, check
//! `status` is `up|down|inactive`, times are RFC 3339.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Everything about one workload container's Pebble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContainerState {
    /// Whether the charm can reach this container's Pebble (`false`: the socket is absent).
    pub can_connect: bool,
    /// The layers in the order they were added (label and the layer in Pebble's shape).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerRecord>,
    /// Service states by name (services of the plan absent here have never been started).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, ServiceRecord>,
    /// Check states by name (checks of the plan absent here start as their `startup` says).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, CheckRecord>,
    /// Notices, in the order they were first recorded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<NoticeRecord>,
    /// What exec calls answer: the first rule whose `command` is a prefix of the argv wins.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exec_rules: Vec<ExecRule>,
    /// Container path → host directory, copied into the run's container filesystem.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub mounts: BTreeMap<String, PathBuf>,
    /// Files and directories of the container by absolute path: given ones are created before
    /// the run; after it, everything under the container's root, with the permissions and
    /// ownership Pebble was asked for.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, FileRecord>,
    /// Changes and their tasks, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ChangeRecord>,
    /// Every Pebble request, in the order received.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<PebbleRequestRecord>,
    /// Every exec call, in the order received.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exec_history: Vec<ExecRecord>,
}

impl Default for ContainerState {
    fn default() -> Self {
        ContainerState {
            can_connect: true,
            layers: Vec::new(),
            services: BTreeMap::new(),
            checks: BTreeMap::new(),
            notices: Vec::new(),
            exec_rules: Vec::new(),
            mounts: BTreeMap::new(),
            files: BTreeMap::new(),
            changes: Vec::new(),
            history: Vec::new(),
            exec_history: Vec::new(),
        }
    }
}

/// One layer as added: its label, its order (1000, 2000, …) and its content as JSON in
/// Pebble's YAML shape (`summary`, `services`, `checks`, `log-targets`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerRecord {
    /// The layer's label.
    pub label: String,
    /// Pebble's layer order (`1000` for the first, then `2000`, …).
    #[serde(default)]
    pub order: u32,
    /// The layer itself.
    pub layer: serde_json::Value,
}

/// A service's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceRecord {
    /// `active`, `inactive`, `backoff` or `error` (Pebble's API `current`).
    pub current: ServiceStatus,
    /// When it entered that state (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// The plan's service config (JSON) it was last started with: replan restarts a running
    /// service whose config differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_with: Option<serde_json::Value>,
    /// How many times it was started during runs (starts of an already active service do not
    /// count).
    #[serde(default)]
    pub starts: u32,
}

/// Pebble's service status as the API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceStatus {
    /// Running.
    Active,
    /// Never started, or stopped.
    Inactive,
    /// Waiting to be restarted after an exit.
    Backoff,
    /// Exited and not restarted.
    Error,
}

/// A check's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRecord {
    /// `up`, `down` or `inactive`.
    pub status: CheckStatus,
    /// Consecutive failures so far.
    #[serde(default)]
    pub failures: u32,
    /// Consecutive successes so far.
    #[serde(default)]
    pub successes: u32,
    /// The change driving the check while it runs (`perform-check` while up, `recover-check`
    /// while down); set by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
}

/// Pebble's check status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Passing (or fewer than `threshold` failures).
    Up,
    /// `threshold` or more consecutive failures.
    Down,
    /// Not running (startup disabled, or stopped).
    Inactive,
}

/// A notice (Pebble's `state/notices.go`): identity is (user-id, type, key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeRecord {
    /// Decimal id.
    pub id: String,
    /// Owner UID; `None` for public notices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u32>,
    /// `custom`, `change-update`, `warning`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// `example.com/path` for custom notices, the change id for change-update.
    pub key: String,
    /// RFC 3339.
    pub first_occurred: String,
    /// RFC 3339.
    pub last_occurred: String,
    /// RFC 3339: moves only when `repeat_after` has elapsed (or is unset).
    pub last_repeated: String,
    /// How many times it occurred.
    pub occurrences: u32,
    /// The data of the last occurrence.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub last_data: BTreeMap<String, String>,
    /// Go duration text (`1h0m0s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_after: Option<String>,
}

/// What an exec call answers, instead of running a real command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ExecRule {
    /// The argv prefix this rule matches (`["ls"]` matches `ls -l /`).
    pub command: Vec<String>,
    /// The exit code.
    pub exit_code: i32,
    /// What the command writes to stdout.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub stdout: String,
    /// What the command writes to stderr.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub stderr: String,
    /// Whether the command reads its stdin to the end before exiting (like `cat`): the call
    /// then finishes only once the client ends stdin.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reads_stdin: bool,
    /// How long the command runs (Go duration, e.g. `10s`); an exec call whose `timeout` is
    /// shorter fails as Pebble's does (`timed out after 100ms: context deadline exceeded`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub runs_for: String,
    /// Files the command writes (container path → content) when it runs.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub write_files: BTreeMap<String, String>,
    /// Paths the command removes when it runs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove_paths: Vec<String>,
}

/// A file or directory of the container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct FileRecord {
    /// A directory (no content) rather than a regular file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dir: bool,
    /// The content when it is UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The content, standard base64, when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_base64: Option<String>,
    /// Three octal digits (`644`); empty: Pebble's default (0644 files, 0755 directories).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub permissions: String,
    /// Owner UID as requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u32>,
    /// Owner name as requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Group GID as requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<u32>,
    /// Group name as requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A change (Pebble's `state/change.go`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRecord {
    /// Decimal id.
    pub id: String,
    /// `start`, `stop`, `restart`, `replan`, `autostart`, `exec`, …
    pub kind: String,
    /// `Start service "svc"`, …
    pub summary: String,
    /// `Do`, `Doing`, `Done`, `Error`, `Hold`, …
    pub status: String,
    /// The change's tasks.
    pub tasks: Vec<TaskRecord>,
    /// `cannot perform the following tasks: …` when a task failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub err: Option<String>,
    /// RFC 3339.
    pub spawn_time: String,
    /// RFC 3339, once ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_time: Option<String>,
    /// Extra data of its `change-update` notices (`check-name` for check changes).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notice_data: BTreeMap<String, String>,
    /// Services the change is about (`GET /v1/changes?for=svc`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_names: Vec<String>,
}

/// A task of a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskRecord {
    /// Decimal id.
    pub id: String,
    /// `start`, `stop`, `exec`, …
    pub kind: String,
    /// `Start service "svc"`, …
    pub summary: String,
    /// `Do`, `Doing`, `Done`, `Error`, `Hold`, …
    pub status: String,
    /// `<RFC 3339> INFO msg` lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<String>,
    /// Task data (`{"exit-code": 0}` for exec).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, serde_json::Value>,
    /// RFC 3339.
    pub spawn_time: String,
    /// RFC 3339, once ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_time: Option<String>,
}

/// One Pebble request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PebbleRequestRecord {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string, if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// The HTTP status answered (101 for websocket upgrades).
    pub status: u16,
}

/// One exec call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecRecord {
    /// The command line.
    pub command: Vec<String>,
    /// The environment the request asked for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// The requested working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// The requested user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The requested UID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u32>,
    /// The requested group name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The requested GID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<u32>,
    /// The requested timeout (Go duration text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Signals sent to the process over the control websocket (`SIGTERM`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<String>,
    /// How many stdin bytes the client sent.
    #[serde(default)]
    pub stdin_bytes: u64,
    /// The exit code answered (`None` when no rule matched and the call was refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
}
