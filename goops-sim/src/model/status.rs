//! `juju status` for a model: applications, units, leaders, relations.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::controller::Controller;
use crate::state::StatusRecord;

/// The model's status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModelStatus {
    /// Applications by name.
    pub applications: BTreeMap<String, AppStatus>,
    /// Relations: `(id, "a:ep", "b:ep")`; a peer relation names one endpoint twice.
    pub relations: Vec<RelationStatus>,
}

/// One application's status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AppStatus {
    /// The charm name.
    pub charm: String,
    /// The application status (as set by its leader).
    pub status: StatusRecord,
    /// The workload version.
    pub version: String,
    /// The leader.
    pub leader: Option<String>,
    /// Units by name.
    pub units: BTreeMap<String, UnitStatus>,
}

/// One unit's status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UnitStatus {
    /// The workload status; `error` with `hook failed: "<hook>"` while a hook is in error.
    pub workload: StatusRecord,
    /// `idle`, `executing` or `error`.
    pub agent: String,
    /// Whether it is the leader.
    pub leader: bool,
    /// The workload version.
    pub version: String,
}

/// One relation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RelationStatus {
    /// The id.
    pub id: u32,
    /// `app:endpoint` of each side.
    pub endpoints: Vec<String>,
    /// The interface.
    pub interface: String,
}

impl ModelStatus {
    /// The status of `ctrl`.
    pub fn of(_ctrl: &Controller) -> ModelStatus {
        ModelStatus::default()
    }
}
