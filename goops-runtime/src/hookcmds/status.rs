//! `status-get`, `status-set`.

use std::collections::BTreeMap;

pub use goops_juju::StatusName;
use serde::Deserialize;

use super::{args, parse_json, run};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// A status a charm may set, with its message. (What Juju reports back, including `error`,
/// `unknown` and `terminated`, is a [`StatusName`].)
///
/// ```
/// use goops_runtime::{Status, StatusName};
/// assert_eq!(Status::active(), Status::Active(String::new()));
/// assert_eq!(Status::blocked("needs a database relation").name(), StatusName::Blocked);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    /// The workload is running as intended.
    Active(String),
    /// The charm needs a human to do something (a relation, a config value, …).
    Blocked(String),
    /// The charm is doing work it started itself (installing, configuring, …).
    Maintenance(String),
    /// The charm waits for something outside it (another application, an event).
    Waiting(String),
}

impl Status {
    /// `active` with no message.
    pub fn active() -> Self {
        Status::Active(String::new())
    }

    /// `blocked`: a human must act; `message` says what to do.
    pub fn blocked(message: impl Into<String>) -> Self {
        Status::Blocked(message.into())
    }

    /// `waiting`: for something outside the charm; `message` says what.
    pub fn waiting(message: impl Into<String>) -> Self {
        Status::Waiting(message.into())
    }

    /// `maintenance`: the charm is busy with work it started; `message` says which.
    pub fn maintenance(message: impl Into<String>) -> Self {
        Status::Maintenance(message.into())
    }

    /// The status name.
    pub fn name(&self) -> StatusName {
        match self {
            Status::Active(_) => StatusName::Active,
            Status::Blocked(_) => StatusName::Blocked,
            Status::Maintenance(_) => StatusName::Maintenance,
            Status::Waiting(_) => StatusName::Waiting,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        match self {
            Status::Active(m) | Status::Blocked(m) | Status::Maintenance(m) | Status::Waiting(m) => m,
        }
    }

    /// The status `name` with `message`; only the four a charm may set are accepted.
    pub fn new(name: StatusName, message: impl Into<String>) -> Result<Self> {
        let message = message.into();
        Ok(match name {
            StatusName::Active => Status::Active(message),
            StatusName::Blocked => Status::Blocked(message),
            StatusName::Maintenance => Status::Maintenance(message),
            StatusName::Waiting => Status::Waiting(message),
            other => {
                return Err(Error::invalid(
                    format!("status {:?}", other.as_str()),
                    "a charm can set only maintenance, blocked, waiting or active",
                ));
            }
        })
    }

    /// How urgent the status is when several are collected (ops's order): blocked (4) >
    /// maintenance (3) > waiting (2) > active (1).
    pub fn priority(&self) -> u8 {
        match self {
            Status::Blocked(_) => 4,
            Status::Maintenance(_) => 3,
            Status::Waiting(_) => 2,
            Status::Active(_) => 1,
        }
    }

    /// The most urgent of `statuses` by [`Status::priority`]; the first one wins a tie. `None`
    /// when there are none.
    pub fn highest<'a>(statuses: impl IntoIterator<Item = &'a Status>) -> Option<&'a Status> {
        statuses.into_iter().fold(None, |best: Option<&Status>, s| match best {
            Some(b) if b.priority() >= s.priority() => Some(b),
            _ => Some(s),
        })
    }
}

/// A status read back with `status-get`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct StatusInfo {
    /// The status.
    pub status: StatusName,
    /// Its message.
    #[serde(default)]
    pub message: String,
    /// Extra data Juju keeps with the status.
    #[serde(default, rename = "status-data")]
    pub data: BTreeMap<String, serde_json::Value>,
}

/// The application's status, with each unit's.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AppStatusInfo {
    /// The application's own status.
    pub status: StatusInfo,
    /// Unit name → that unit's status.
    pub units: BTreeMap<String, StatusInfo>,
}

/// What `status-get` prints: the status map, or (where Juju has no status to give, in a
/// restricted context such as `collect-metrics`) the bare status name `"unknown"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum OrBare<T> {
    Full(T),
    Bare(StatusName),
}

fn bare(status: StatusName) -> StatusInfo {
    StatusInfo { status, message: String::new(), data: BTreeMap::new() }
}

/// `status-get --include-data --format=json`: this unit's status.
pub fn status_get(tools: &dyn HookTools) -> Result<StatusInfo> {
    let output = run(tools, "status-get", &args(["--include-data", "--format=json"]), None)?;
    let parsed: OrBare<StatusInfo> =
        parse_json("status-get", &output.stdout, "a JSON object with status, message and status-data")?;
    Ok(match parsed {
        OrBare::Full(info) => info,
        OrBare::Bare(status) => bare(status),
    })
}

#[derive(Deserialize)]
struct AppStatusJson {
    #[serde(rename = "application-status")]
    application: AppStatusInner,
    // Some Juju versions put `units` beside `application-status` rather than inside it.
    #[serde(default)]
    units: BTreeMap<String, StatusInfo>,
}

#[derive(Deserialize)]
struct AppStatusInner {
    #[serde(flatten)]
    status: StatusInfo,
    #[serde(default)]
    units: BTreeMap<String, StatusInfo>,
}

/// `status-get --include-data --application --format=json`: the application's status (leader only).
pub fn status_get_app(tools: &dyn HookTools) -> Result<AppStatusInfo> {
    let output = run(tools, "status-get", &args(["--include-data", "--application", "--format=json"]), None)?;
    let parsed: OrBare<AppStatusJson> =
        parse_json("status-get", &output.stdout, "a JSON object with application-status and its units")?;
    let parsed = match parsed {
        OrBare::Full(parsed) => parsed,
        OrBare::Bare(status) => return Ok(AppStatusInfo { status: bare(status), units: BTreeMap::new() }),
    };
    let mut units = parsed.application.units;
    units.extend(parsed.units);
    Ok(AppStatusInfo { status: parsed.application.status, units })
}

fn set(tools: &dyn HookTools, application: bool, status: &Status) -> Result<()> {
    let mut argv = Vec::with_capacity(5);
    if application {
        argv.push("--application".into());
    }
    // The message goes after `--` so one starting with '-' is not read as an option.
    argv.extend(args([status.name().as_str(), "--", status.message()]));
    run(tools, "status-set", &argv, None).map(drop)
}

/// `status-set STATUS -- MESSAGE`: this unit's workload status.
pub fn status_set(tools: &dyn HookTools, status: &Status) -> Result<()> {
    set(tools, false, status)
}

/// `status-set --application STATUS -- MESSAGE`: the application's status (leader only).
pub fn status_set_app(tools: &dyn HookTools, status: &Status) -> Result<()> {
    set(tools, true, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_urgent_status_wins_and_the_first_wins_a_tie() {
        let statuses = [
            Status::active(),
            Status::waiting("w1"),
            Status::maintenance("m"),
            Status::waiting("w2"),
            Status::blocked("b1"),
            Status::blocked("b2"),
        ];
        assert_eq!(Status::highest(&statuses), Some(&Status::blocked("b1")));
        assert_eq!(Status::highest(&statuses[..4]), Some(&Status::maintenance("m")));
        assert_eq!(Status::highest(&[Status::waiting("w1"), Status::waiting("w2")]), Some(&Status::waiting("w1")));
        assert_eq!(Status::highest(&[]), None);
    }

    #[test]
    fn only_settable_names_make_a_status() {
        assert_eq!(Status::new(StatusName::Waiting, "db").expect("settable"), Status::waiting("db"));
        for name in [StatusName::Error, StatusName::Unknown, StatusName::Terminated] {
            assert!(matches!(Status::new(name, ""), Err(Error::InvalidInput { .. })), "{name}");
        }
    }
}
