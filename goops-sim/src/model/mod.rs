//! A local Juju model: many applications and units, the hooks Juju fires between them in
//! Juju's order, and seeded runs over the orders Juju may legally choose.
//!
//! The [`Controller`] holds the model as Juju's controller does; each unit's agent
//! ([`agent`]) picks its next hook from what changed; the unit's view ([`view`]) is a
//! single-unit [`State`](crate::State) run by the app's charm ([`ModelCharm`]: in-process or
//! as a process), and the hook's writes are committed back only if it succeeded.

// Skeleton: helpers fill the modules in; the allow goes once they are wired.
#![allow(dead_code)]

mod agent;
pub mod controller;
mod explore;
pub mod file;
pub mod invariants;
mod runner;
mod schedule;
mod status;
mod trace;
mod view;

use std::collections::BTreeMap;
use std::time::Duration;

pub use controller::{CharmSource, Controller, Life, Op};
pub use explore::{ExploreFailure, ExploreReport, explore};
pub use runner::{DispatchCharm, ModelCharm};
pub use schedule::Chaos;
pub use status::{AppStatus, ModelStatus, RelationStatus, UnitStatus};
pub use trace::{ModelEvent, Outcome, Trace, TraceEntry};

use crate::testing::{ActionRecord, HarnessError};

/// Why a model operation or a settle failed.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// No such application.
    #[error("no application {0:?} in the model")]
    UnknownApplication(String),
    /// No such unit.
    #[error("no unit {0:?} in the model")]
    UnknownUnit(String),
    /// No such relation.
    #[error("no relation {0} in the model")]
    UnknownRelation(u32),
    /// The operation cannot happen (e.g. integrating endpoints whose interfaces differ).
    #[error("{0}")]
    Invalid(String),
    /// The charm could not be run at all (staging, metadata, the harness refused the state).
    #[error("cannot run {hook:?} on {unit}: {source}")]
    Run {
        /// The unit.
        unit: String,
        /// The hook or action.
        hook: String,
        /// Why.
        #[source]
        source: HarnessError,
    },
    /// A hook failed: the unit is in error.
    #[error("hook {hook:?} failed on {unit}: {message}{}\n{trace}", seed_text(*seed))]
    HookFailed {
        /// The unit.
        unit: String,
        /// The hook.
        hook: String,
        /// The failure (the charm's last error line).
        message: String,
        /// The hook's log lines.
        log: Vec<String>,
        /// The seed, if seeded.
        seed: Option<u64>,
        /// The trace's last entries, rendered.
        trace: String,
    },
    /// The model kept running hooks past the bound: a loop.
    #[error("the model did not settle within {hooks} hooks (a loop?){}\n{trace}", seed_text(*seed))]
    NotSettled {
        /// Hooks run in this settle.
        hooks: u64,
        /// The seed, if seeded.
        seed: Option<u64>,
        /// The trace's last entries, rendered.
        trace: String,
    },
    /// The invariant given to [`Model::check_after_settle`] failed after a settle.
    #[error("check failed after settle: {message}{}\n{trace}", seed_text(*seed))]
    Check {
        /// The check's message.
        message: String,
        /// The seed, if seeded.
        seed: Option<u64>,
        /// The trace's last entries, rendered.
        trace: String,
    },
    /// The model's JSON could not be read or a charm source could not be loaded.
    #[error("model state: {0}")]
    State(String),
}

fn seed_text(seed: Option<u64>) -> String {
    seed.map(|s| format!(" (seed {s}; replay with Model::seeded({s}))")).unwrap_or_default()
}

/// How a settle went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settled {
    /// Operations run.
    pub hooks: u64,
}

/// Options for [`Model::deploy_with`].
#[derive(Debug, Clone, Default)]
pub struct Deploy {
    /// How many units (default 1).
    pub units: u32,
    /// Config values.
    pub config: BTreeMap<String, serde_json::Value>,
    /// Whether the application is trusted.
    pub trusted: bool,
}

/// A local Juju model. See the [module docs](self).
pub struct Model {
    ctrl: Controller,
    charms: BTreeMap<String, Box<dyn ModelCharm>>,
    trace: Trace,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("ctrl", &self.ctrl).field("trace", &self.trace.entries.len()).finish()
    }
}

impl Default for Model {
    fn default() -> Self {
        Model::new()
    }
}

impl Model {
    /// A machine model that runs Juju's typical order (deterministic).
    pub fn new() -> Model {
        Model { ctrl: Controller::default(), charms: BTreeMap::new(), trace: Trace::default() }
    }

    /// A Kubernetes model (typical order).
    pub fn kubernetes() -> Model {
        let mut model = Model::new();
        model.ctrl.model.model_type = crate::state::ModelType::Kubernetes;
        model
    }

    /// A machine model whose order is drawn, with `seed`, among the orders Juju may legally
    /// choose, with [`Chaos::default`].
    pub fn seeded(seed: u64) -> Model {
        let mut model = Model::new();
        model.trace.seed = Some(seed);
        model
    }

    /// Deploy `app` running `charm` with `units` units.
    pub fn deploy(
        &mut self,
        app: &str,
        charm: impl ModelCharm + 'static,
        units: u32,
    ) -> Result<&mut Model, ModelError> {
        self.deploy_with(app, charm, Deploy { units, ..Deploy::default() })
    }

    /// Deploy `app` running `charm` with options.
    pub fn deploy_with(
        &mut self,
        app: &str,
        charm: impl ModelCharm + 'static,
        options: Deploy,
    ) -> Result<&mut Model, ModelError> {
        let _ = options;
        self.charms.insert(app.to_owned(), Box::new(charm));
        Ok(self)
    }

    /// Add a unit to `app`; returns its name.
    pub fn add_unit(&mut self, app: &str) -> Result<String, ModelError> {
        Err(ModelError::UnknownApplication(app.to_owned()))
    }

    /// Remove `unit` (it runs its teardown hooks on the next settle).
    pub fn remove_unit(&mut self, unit: &str) -> Result<(), ModelError> {
        Err(ModelError::UnknownUnit(unit.to_owned()))
    }

    /// Integrate two endpoints, `app:endpoint` or `app` (the one endpoint whose interface
    /// matches). Returns the relation id.
    pub fn integrate(&mut self, a: &str, b: &str) -> Result<u32, ModelError> {
        Err(ModelError::Invalid(format!("cannot integrate {a} with {b}")))
    }

    /// Remove relation `id`.
    pub fn remove_relation(&mut self, id: u32) -> Result<(), ModelError> {
        Err(ModelError::UnknownRelation(id))
    }

    /// Set config values on `app`.
    pub fn config(
        &mut self,
        app: &str,
        values: impl IntoIterator<Item = (String, serde_json::Value)>,
    ) -> Result<(), ModelError> {
        let _ = values.into_iter().count();
        Err(ModelError::UnknownApplication(app.to_owned()))
    }

    /// Run an action on `unit` (`app/leader` names the leader), settle, and return its record.
    pub fn run_action(
        &mut self,
        unit: &str,
        name: &str,
        params: serde_json::Map<String, serde_json::Value>,
    ) -> Result<ActionRecord, ModelError> {
        let _ = (name, params);
        Err(ModelError::UnknownUnit(unit.to_owned()))
    }

    /// Move the leadership lease to `unit`.
    pub fn set_leader(&mut self, unit: &str) -> Result<(), ModelError> {
        Err(ModelError::UnknownUnit(unit.to_owned()))
    }

    /// Upgrade (refresh) `app` to a new revision of its charm.
    pub fn upgrade(&mut self, app: &str) -> Result<(), ModelError> {
        Err(ModelError::UnknownApplication(app.to_owned()))
    }

    /// Move the model clock forward (update-status ticks, secret rotation and expiry).
    pub fn advance_clock(&mut self, by: Duration) {
        let _ = by;
    }

    /// Run hooks until none is pending.
    pub fn settle(&mut self) -> Result<Settled, ModelError> {
        Ok(Settled::default())
    }

    /// `juju status`.
    pub fn status(&self) -> ModelStatus {
        ModelStatus::of(&self.ctrl)
    }

    /// The trace of every operation so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The controller's state.
    pub fn controller(&self) -> &Controller {
        &self.ctrl
    }
}
