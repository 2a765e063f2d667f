//! What a unit shows and what a hook recorded: statuses, the goal state, the running action,
//! reboot requests and `juju-log` lines.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use goops_juju::StatusName;
use serde::{Deserialize, Serialize};

/// A workload or application status as Juju records it: its name, message, data and time.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatusRecord {
    /// `unknown` (the default), `maintenance`, `blocked`, `waiting`, `active`, `error`, …
    pub status: StatusName,
    /// The message.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Status data (shown by `status-get --include-data`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, serde_json::Value>,
    /// When it was set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
}

/// `goal-state` output.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoalState {
    /// Units of this application: name → status.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub units: BTreeMap<String, GoalStatus>,
    /// Per endpoint: application or unit name → status.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub relations: BTreeMap<String, BTreeMap<String, GoalStatus>>,
}

/// A goal-state entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoalStatus {
    /// `active`, `waiting`, `joining`, `dying`, …
    pub status: String,
    /// When it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
}

impl Default for GoalStatus {
    fn default() -> Self {
        GoalStatus { status: "active".to_owned(), since: None }
    }
}

/// The running action and what it recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Action {
    /// The action name.
    pub name: String,
    /// The action id (`JUJU_ACTION_UUID`).
    pub id: String,
    /// Parameters (defaults from the charm's action schema are filled in).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Results set with `action-set` (nested by dotted keys).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub results: serde_json::Map<String, serde_json::Value>,
    /// Messages from `action-log`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<String>,
    /// The failure message, if `action-fail` was called or the action failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// `pending`, `running`, `completed` or `failed`.
    pub status: String,
    /// What `action-set` knows of the results' size (not part of the state).
    #[serde(skip)]
    pub(crate) results_size: ResultsSizeBound,
}

/// An upper bound on the compact-JSON size of an action's results, kept by `action-set` so a
/// long run of calls does not serialise every result on each call. Not part of the state: not
/// serialised, equal to any other, and dropped by a clone (the copy's results may be changed
/// through their public field, so it measures them again).
#[derive(Debug, Default)]
pub(crate) struct ResultsSizeBound(pub(crate) Option<usize>);

impl Clone for ResultsSizeBound {
    fn clone(&self) -> Self {
        ResultsSizeBound(None)
    }
}

impl PartialEq for ResultsSizeBound {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Default for Action {
    fn default() -> Self {
        Action {
            name: String::new(),
            id: "1".to_owned(),
            params: serde_json::Map::new(),
            results: serde_json::Map::new(),
            logs: Vec::new(),
            failure: None,
            status: "pending".to_owned(),
            results_size: ResultsSizeBound::default(),
        }
    }
}

/// A reboot request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Reboot {
    /// `juju-reboot --now`: the hook was killed and will run again after the reboot.
    pub now: bool,
}

/// A `juju-log` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogRecord {
    /// `TRACE`, `DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`.
    pub level: String,
    /// The message (prefixed with `<endpoint>:<id>: ` in relation hooks, as Juju does).
    pub message: String,
}

/// A metric recorded with `add-metric` in a `collect-metrics` hook (jujuc `Metric`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricRecord {
    /// The metric's name, as declared in the charm's metrics.yaml.
    pub key: String,
    /// The value, as given (a non-negative number in text).
    pub value: String,
    /// When the tool recorded it.
    pub time: DateTime<Utc>,
    /// Labels given with `--labels`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}
