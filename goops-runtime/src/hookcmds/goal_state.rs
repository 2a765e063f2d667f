//! `goal-state`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

use super::{args, run_json};
use crate::error::Result;
use crate::tools::HookTools;

/// The goal status of a unit or relation member.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct GoalStatus {
    /// `waiting`, `joining`, `joined`, `active`, `dying`, …
    pub status: String,
    /// When the status was reached, as Juju prints it (`YYYY-MM-DD HH:MM:SSZ`).
    #[serde(default)]
    pub since: Option<String>,
}

impl GoalStatus {
    /// [`GoalStatus::since`] as a time, if present and well-formed.
    pub fn since_time(&self) -> Option<DateTime<Utc>> {
        let since = self.since.as_deref()?;
        NaiveDateTime::parse_from_str(since, "%Y-%m-%d %H:%M:%SZ").ok().map(|t| t.and_utc())
    }
}

/// What `goal-state` prints: the units of this application and the members of each endpoint's
/// relations that Juju is working towards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct GoalState {
    /// This application's units.
    #[serde(default)]
    pub units: BTreeMap<String, GoalStatus>,
    /// Endpoint → remote application or unit → status.
    #[serde(default)]
    pub relations: BTreeMap<String, BTreeMap<String, GoalStatus>>,
}

impl GoalState {
    /// How many units are planned: those not dying.
    pub fn planned_units(&self) -> usize {
        self.units.values().filter(|u| u.status != "dying").count()
    }
}

/// `goal-state --format=json`.
pub fn goal_state(tools: &dyn HookTools) -> Result<GoalState> {
    let state: Option<GoalState> =
        run_json(tools, "goal-state", &args(["--format=json"]), "a JSON object with units and relations")?;
    Ok(state.unwrap_or_default())
}
