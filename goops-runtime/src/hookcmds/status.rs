//! `status-get`, `status-set`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

use super::{args, parse_json, run};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// A status a charm may set, with its message.
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
    /// The status name `status-set` takes.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Active(_) => "active",
            Status::Blocked(_) => "blocked",
            Status::Maintenance(_) => "maintenance",
            Status::Waiting(_) => "waiting",
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        match self {
            Status::Active(m) | Status::Blocked(m) | Status::Maintenance(m) | Status::Waiting(m) => m,
        }
    }

    /// The status named `name` with `message`; only the four a charm may set are accepted.
    pub fn from_name(name: &str, message: impl Into<String>) -> Result<Self> {
        let message = message.into();
        Ok(match name {
            "active" => Status::Active(message),
            "blocked" => Status::Blocked(message),
            "maintenance" => Status::Maintenance(message),
            "waiting" => Status::Waiting(message),
            _ => {
                return Err(Error::invalid(
                    format!("status {name:?}"),
                    "a charm can set only maintenance, blocked, waiting or active",
                ));
            }
        })
    }
}

/// A status name as `status-get` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusName {
    /// `active`
    Active,
    /// `blocked`
    Blocked,
    /// `maintenance`
    Maintenance,
    /// `waiting`
    Waiting,
    /// `unknown`: no status set yet.
    Unknown,
    /// `error`: a hook failed.
    Error,
    /// `terminated`: the workload is gone.
    Terminated,
}

impl StatusName {
    /// The name Juju uses.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusName::Active => "active",
            StatusName::Blocked => "blocked",
            StatusName::Maintenance => "maintenance",
            StatusName::Waiting => "waiting",
            StatusName::Unknown => "unknown",
            StatusName::Error => "error",
            StatusName::Terminated => "terminated",
        }
    }
}

impl fmt::Display for StatusName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StatusName {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
            Error::invalid(
                format!("status {s:?}"),
                "expected active, blocked, maintenance, waiting, unknown, error or terminated",
            )
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
    argv.extend(args([status.name(), "--", status.message()]));
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
