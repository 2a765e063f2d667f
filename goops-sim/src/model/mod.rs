//! A local Juju model: many applications and units, the hooks Juju fires between them in
//! Juju's order, and seeded runs over the orders Juju may legally choose.
//!
//! The [`Controller`] holds the model as Juju's controller does; each unit's agent
//! ([`agent`]) picks its next hook from what changed; the unit's view ([`view`]) is a
//! single-unit [`State`](crate::State) run by the app's charm ([`ModelCharm`]: in-process or
//! as a process), and the hook's writes are committed back only if it succeeded.

mod agent;
pub mod controller;
mod explore;
pub mod file;
pub mod invariants;
mod ops;
mod runner;
mod schedule;
mod status;
mod trace;
mod view;

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

pub use controller::{CharmSource, Controller, Life, Op};
pub use explore::{ExploreFailure, ExploreReport, explore, explore_with};
pub use runner::{DispatchCharm, ModelCharm};
pub use schedule::Chaos;
pub use status::{AppStatus, ModelStatus, RelationStatus, UnitStatus};
pub use trace::{ModelEvent, Outcome, Trace, TraceEntry};

use crate::state::{Bag, State, StatusRecord};
use crate::testing::{ActionRecord, End, HarnessError, HookKind};
use controller::{AgentState, Unit};
use schedule::Rng;

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
        /// Why (boxed: a harness error is large, and model errors travel in every `Result`).
        #[source]
        source: Box<HarnessError>,
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
        /// The hook's log lines (a boxed slice keeps the error small).
        log: Box<[String]>,
        /// The seed, if seeded.
        seed: Option<u64>,
        /// The trace's last entries, rendered (boxed to keep the error small).
        trace: Box<str>,
    },
    /// The model kept running hooks past the bound: a loop.
    #[error("the model did not settle within {hooks} hooks (a loop?){}\n{trace}", seed_text(*seed))]
    NotSettled {
        /// Hooks run in this settle.
        hooks: u64,
        /// The seed, if seeded.
        seed: Option<u64>,
        /// The trace's last entries, rendered (boxed to keep the error small).
        trace: Box<str>,
    },
    /// The invariant given to [`Model::check_after_settle`] failed after a settle.
    #[error("check failed after settle: {message}{}\n{trace}", seed_text(*seed))]
    Check {
        /// The check's message.
        message: String,
        /// The seed, if seeded.
        seed: Option<u64>,
        /// The trace's last entries, rendered (boxed to keep the error small).
        trace: Box<str>,
    },
    /// The model's JSON could not be read or a charm source could not be loaded.
    #[error("model state: {0}")]
    State(String),
    /// A config value the charm does not declare, or of the wrong type.
    #[error("config {key:?} of {app}: {message}")]
    Config {
        /// The application.
        app: String,
        /// The bad key.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

/// A failure the charm did not explain in its log (`exit status 1`, a signal) with the last
/// line its process wrote on stderr (a Python traceback's exception, a shell command's error).
fn with_stderr_tail(message: String, stderr: &[u8]) -> String {
    let stderr = String::from_utf8_lossy(stderr);
    match stderr.lines().rev().map(str::trim).find(|l| !l.is_empty()) {
        Some(last) if message.starts_with("exit status") || message.starts_with("killed") => {
            format!("{message}; stderr: {last}")
        }
        _ => message,
    }
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
#[derive(Debug, Clone)]
pub struct Deploy {
    /// How many units (default 1).
    pub units: u32,
    /// Config values (checked against the charm's config options).
    pub config: BTreeMap<String, serde_json::Value>,
    /// Whether the application is trusted.
    pub trusted: bool,
}

impl Default for Deploy {
    fn default() -> Self {
        Deploy { units: 1, config: BTreeMap::new(), trusted: false }
    }
}

/// A check run after every successful settle.
type Check = Rc<dyn Fn(&Model) -> Result<(), String>>;

/// The hooks one settle runs at most unless [`Model::max_hooks`] says otherwise.
pub const DEFAULT_MAX_HOOKS: u64 = 10_000;

/// A local Juju model. See the [module docs](self).
pub struct Model {
    ctrl: Controller,
    charms: BTreeMap<String, Box<dyn ModelCharm>>,
    trace: Trace,
    /// The seeded scheduler's generator (`None`: Juju's typical order).
    rng: Option<Rng>,
    chaos: Chaos,
    /// The last unit that ran, for the typical order's round-robin.
    cursor: Option<String>,
    check: Option<Check>,
    max_hooks: u64,
    /// Actions that ran, by id (for [`Model::run_action`] and [`Model::action`]).
    actions_done: BTreeMap<String, ActionRecord>,
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

/// What the model's JSON holds: the controller, the trace and where the scheduler is.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelJson {
    controller: Controller,
    #[serde(default)]
    trace: Trace,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    schedule: Option<Rng>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

/// What the scheduler did in one settle, to keep its inserted events bounded.
#[derive(Default)]
struct Budget {
    lease_moves: u32,
    update_status: u32,
    injected: BTreeMap<String, u32>,
}

impl Model {
    /// A machine model that runs Juju's typical order (deterministic).
    pub fn new() -> Model {
        Model {
            ctrl: Controller::default(),
            charms: BTreeMap::new(),
            trace: Trace::default(),
            rng: None,
            chaos: Chaos::default(),
            cursor: None,
            check: None,
            max_hooks: DEFAULT_MAX_HOOKS,
            actions_done: BTreeMap::new(),
        }
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
        Model::new().with_seed(seed)
    }

    /// This model with its order drawn with `seed` (e.g. `Model::kubernetes().with_seed(7)`).
    pub fn with_seed(mut self, seed: u64) -> Model {
        self.trace.seed = Some(seed);
        self.rng = Some(Rng::new(seed));
        self
    }

    /// This model with other chaos knobs (they matter only in a seeded model).
    pub fn with_chaos(mut self, chaos: Chaos) -> Model {
        self.chaos = chaos;
        self
    }

    /// Bound the hooks one settle may run before it fails with [`ModelError::NotSettled`]
    /// (default [`DEFAULT_MAX_HOOKS`]).
    pub fn max_hooks(&mut self, max: u64) -> &mut Model {
        self.max_hooks = max;
        self
    }

    /// Run `check` after every successful settle; its `Err` fails the settle with
    /// [`ModelError::Check`].
    pub fn check_after_settle(&mut self, check: impl Fn(&Model) -> Result<(), String> + 'static) -> &mut Model {
        self.check = Some(Rc::new(check));
        self
    }

    /// The seed (`None`: Juju's typical order).
    pub fn seed(&self) -> Option<u64> {
        self.trace.seed
    }

    /// Run hooks until none is pending: every unit's agent has nothing to do. A hook that fails
    /// leaves its unit in error and ends the settle with [`ModelError::HookFailed`]
    /// ([`Model::resolve`] retries it); more than the bound of hooks ends it with
    /// [`ModelError::NotSettled`].
    pub fn settle(&mut self) -> Result<Settled, ModelError> {
        let mut budget = Budget::default();
        let mut hooks = 0u64;
        loop {
            self.reap();
            if self.rng.is_some() {
                self.maybe_move_lease(&mut budget);
                self.maybe_update_status(&mut budget);
            }
            let with_work: Vec<(String, Vec<Op>)> = self
                .ctrl
                .unit_names()
                .into_iter()
                .filter_map(|u| {
                    let ops = agent::next_ops(&self.ctrl, &u);
                    (!ops.is_empty()).then_some((u, ops))
                })
                .collect();
            if with_work.is_empty() {
                break;
            }
            if hooks >= self.max_hooks {
                return Err(ModelError::NotSettled { hooks, seed: self.trace.seed, trace: self.trace_tail() });
            }
            let (unit, op) = self.pick(with_work);
            self.cursor = Some(unit.clone());
            hooks += 1;
            self.run_op(&unit, op, &mut budget)?;
        }
        if let Some(check) = self.check.clone() {
            check(self).map_err(|message| ModelError::Check {
                message,
                seed: self.trace.seed,
                trace: self.trace_tail(),
            })?;
        }
        Ok(Settled { hooks })
    }

    /// Run `op` on `unit`: begin, project, run the charm, commit (or discard), finish, trace.
    fn run_op(&mut self, unit: &str, op: Op, budget: &mut Budget) -> Result<(), ModelError> {
        if self.lost_leadership_for(unit, &op) {
            // Juju's runhook Prepare skips a leader-only hook whose unit no longer holds the
            // lease (a retry, or a resolve, after the lease moved): it never runs.
            if let Some(agent) = self.ctrl.units.get_mut(unit).map(|u| &mut u.agent) {
                if agent.error.as_ref().is_some_and(|e| e.op == op) {
                    agent.error = None;
                }
                if agent.queued.as_ref() == Some(&op) {
                    agent.queued = None;
                }
            }
            return Ok(());
        }
        agent::begin(&mut self.ctrl, unit, &op);
        let (state, on) = view::project(&self.ctrl, unit, &op)?;
        let app = self.ctrl.units.get(unit).map(|u| u.app.clone()).unwrap_or_default();
        let charm = self
            .charms
            .get(&app)
            .ok_or_else(|| ModelError::State(format!("no charm loaded for application {app:?}")))?;
        let report = charm.run(on, &state).map_err(|source| ModelError::Run {
            unit: unit.to_owned(),
            hook: op.hook.clone(),
            source: Box::new(source),
        })?;
        let failure = match &report.end {
            End::Completed | End::Skipped => None,
            End::ActionFailed(m) | End::HookFailed(m) | End::Panicked(m) | End::CommitRefused(m) => Some(m.clone()),
        };
        let mut ok = matches!(report.end, End::Completed | End::Skipped | End::ActionFailed(_));
        let mut injected = false;
        if !op.is_action() && ok {
            let count = budget.injected.entry(unit.to_owned()).or_default();
            if *count < schedule::MAX_INJECTED_FAILURES_PER_UNIT
                && let Some(rng) = &mut self.rng
                && rng.chance(self.chaos.transient_failure)
            {
                *count += 1;
                ok = false;
                injected = true;
            }
        }
        let changes = view::commit(&mut self.ctrl, unit, &op, &state, &report, ok);
        let outcome = if let Some(request) = &op.action {
            // An action that fails fails itself, not the unit (juju-model.md §7).
            agent::finish(&mut self.ctrl, unit, &op, true, None);
            let mut record = report.action.clone().unwrap_or_else(|| ActionRecord {
                name: op.hook.clone(),
                results: serde_json::Map::new(),
                logs: Vec::new(),
                failure: None,
                status: "completed".to_owned(),
            });
            if let Some(message) = &failure
                && record.failure.is_none()
            {
                record.failure = Some(message.clone());
                record.status = "failed".to_owned();
            }
            self.actions_done.insert(request.id.clone(), record);
            match failure {
                Some(message) => Outcome::ActionFailed(message),
                None => Outcome::Completed,
            }
        } else if injected {
            let message = "transient failure injected by the seeded scheduler".to_owned();
            agent::finish(&mut self.ctrl, unit, &op, false, Some((message, true)));
            Outcome::InjectedFailure
        } else {
            agent::finish(&mut self.ctrl, unit, &op, ok, failure.clone().map(|m| (m, false)));
            match (&report.end, failure) {
                (End::Skipped, _) => Outcome::Skipped,
                (_, Some(message)) => Outcome::Failed(message),
                (_, None) => Outcome::Completed,
            }
        };
        self.trace.entries.push(TraceEntry {
            seq: self.trace.entries.len() as u64 + 1,
            unit: unit.to_owned(),
            op: op.clone(),
            outcome: outcome.clone(),
            changes,
            event: None,
        });
        self.reap();
        match outcome {
            Outcome::Failed(message) => Err(ModelError::HookFailed {
                unit: unit.to_owned(),
                hook: op.hook,
                message: with_stderr_tail(message, &report.stderr),
                log: report
                    .logs
                    .iter()
                    .map(|l| format!("{} {}", l.level, l.message))
                    .chain(String::from_utf8_lossy(&report.stderr).lines().map(|l| format!("stderr {l}")))
                    .collect::<Vec<_>>()
                    .into(),
                seed: self.trace.seed,
                trace: self.trace_tail(),
            }),
            _ => Ok(()),
        }
    }

    /// Whether `op` runs only on the leader (leader-elected; secret-rotate, secret-expired and
    /// secret-remove of an application-owned secret) and `unit` does not hold the lease now.
    fn lost_leadership_for(&self, unit: &str, op: &Op) -> bool {
        if op.is_action() {
            return false;
        }
        let Some(app) = self.ctrl.units.get(unit).map(|u| u.app.as_str()) else { return false };
        if self.leader(app) == Some(unit) {
            return false;
        }
        match HookKind::parse(&op.hook).map(|(kind, _)| kind) {
            Some(HookKind::LeaderElected) => true,
            Some(HookKind::Secret(kind)) if kind != goops_juju::hooks::SecretEventKind::Changed => op
                .secret
                .as_deref()
                .and_then(|id| self.ctrl.secret(id))
                .is_some_and(|s| matches!(&s.owner, controller::SecretOwnerRef::Application(a) if a == app)),
            _ => false,
        }
    }

    /// The controller's bookkeeping between hooks: a unit whose teardown is over (its agent
    /// ran `remove`, or it was removed before it ever installed) is Dead and its lease revoked; a
    /// dying relation that no unit still has created-and-not-broken is removed with the secret
    /// grants scoped to it; an application whose units are all dead is dead.
    fn reap(&mut self) {
        for name in self.ctrl.unit_names() {
            let alive_or_dying = self.ctrl.units.get(&name).is_some_and(|u| u.life != Life::Dead);
            let done = alive_or_dying && agent::is_finished(&self.ctrl, &name);
            if done {
                self.mark_dead(&name);
            }
        }
        let dead: Vec<u32> = self
            .ctrl
            .relations
            .iter()
            .filter(|r| r.life != Life::Alive)
            .filter(|r| {
                !self.ctrl.units.values().any(|u| {
                    u.life != Life::Dead && u.agent.relations.get(&r.id).is_some_and(|s| s.created && !s.broken)
                })
            })
            .map(|r| r.id)
            .collect();
        for id in dead {
            self.ctrl.relations.retain(|r| r.id != id);
            for secret in &mut self.ctrl.secrets {
                secret.grants.retain(|g| g.relation_id != id);
            }
            self.note(ModelEvent::RelationRemoved { id });
        }
        let gone: Vec<String> = self
            .ctrl
            .applications
            .values()
            .filter(|a| a.life == Life::Dying)
            .filter(|a| self.ctrl.units.values().all(|u| u.app != a.name || u.life == Life::Dead))
            .map(|a| a.name.clone())
            .collect();
        for app in gone {
            if let Some(a) = self.ctrl.applications.get_mut(&app) {
                a.life = Life::Dead;
            }
        }
    }

    /// `unit` is Dead: out of every scope, its lease revoked and a new leader elected among
    /// the alive units (juju-model.md §3: the lease goes only once the leader is Dead).
    fn mark_dead(&mut self, unit: &str) {
        let Some(u) = self.ctrl.units.get_mut(unit) else { return };
        u.life = Life::Dead;
        let app = u.app.clone();
        for relation in &mut self.ctrl.relations {
            relation.scope.remove(unit);
        }
        self.note(ModelEvent::UnitDead { unit: unit.to_owned() });
        let holder = self.ctrl.applications.get(&app).and_then(|a| a.leader.clone());
        if holder.as_deref() == Some(unit) || holder.is_none() {
            self.elect(&app);
        }
    }

    /// Give `app`'s lease to one of its alive units: the lowest-numbered (typical) or a random
    /// one (seeded); nobody when none is alive.
    fn elect(&mut self, app: &str) {
        let alive: Vec<String> = self
            .ctrl
            .units_of(app)
            .into_iter()
            .filter(|u| self.ctrl.units.get(u).is_some_and(|x| x.life == Life::Alive))
            .collect();
        let winner = match &mut self.rng {
            Some(rng) => rng.pick(&alive).cloned(),
            None => alive.first().cloned(),
        };
        let current = self.ctrl.applications.get(app).and_then(|a| a.leader.clone());
        if winner != current {
            self.set_lease(app, winner);
        }
    }

    /// Move `app`'s lease and trace it.
    fn set_lease(&mut self, app: &str, unit: Option<String>) {
        if let Some(a) = self.ctrl.applications.get_mut(app) {
            a.leader.clone_from(&unit);
            self.note(ModelEvent::Leader { app: app.to_owned(), unit });
        }
    }

    /// Trace a model-level event.
    fn note(&mut self, event: ModelEvent) {
        self.trace.entries.push(TraceEntry {
            seq: self.trace.entries.len() as u64 + 1,
            unit: String::new(),
            op: Op::default(),
            outcome: Outcome::Completed,
            changes: Vec::new(),
            event: Some(event),
        });
    }

    /// The trace's last entries, rendered, for an error.
    fn trace_tail(&self) -> Box<str> {
        // The error names the seed itself; the tail says how many entries it left out.
        self.trace.render_tail(40).into()
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

    /// A unit as the controller holds it.
    pub fn unit(&self, unit: &str) -> Option<&Unit> {
        self.ctrl.units.get(unit)
    }

    /// A workload container of a unit, to change between hooks as the workload or the test
    /// would (exec rules, files, notices, can-connect); the next hook sees it.
    pub fn container_mut(&mut self, unit: &str, container: &str) -> Option<&mut crate::state::ContainerState> {
        self.ctrl.units.get_mut(unit)?.containers.get_mut(container)
    }

    /// A unit's agent state (what it has seen; whether it is in error).
    pub fn agent(&self, unit: &str) -> Option<&AgentState> {
        self.ctrl.units.get(unit).map(|u| &u.agent)
    }

    /// A unit's workload status as it set it.
    pub fn unit_status(&self, unit: &str) -> Option<&StatusRecord> {
        self.ctrl.units.get(unit).map(|u| &u.status)
    }

    /// The unit holding `app`'s lease.
    pub fn leader(&self, app: &str) -> Option<&str> {
        self.ctrl.applications.get(app)?.leader.as_deref()
    }

    /// The units of `app` that are not dead, in number order.
    pub fn units(&self, app: &str) -> Vec<String> {
        self.ctrl
            .units_of(app)
            .into_iter()
            .filter(|u| self.ctrl.units.get(u).is_some_and(|x| x.life != Life::Dead))
            .collect()
    }

    /// The committed unit bag of `unit` in relation `id`.
    pub fn relation_data(&self, id: u32, unit: &str) -> Option<&Bag> {
        self.ctrl.relation(id)?.unit_data.get(unit).map(|v| &v.data)
    }

    /// The committed application bag of `app` in relation `id`.
    pub fn relation_app_data(&self, id: u32, app: &str) -> Option<&Bag> {
        self.ctrl.relation(id)?.app_data.get(app).map(|v| &v.data)
    }

    /// The hooks (and actions) `unit` ran, in order, failed and injected-failed runs included.
    pub fn hooks_of(&self, unit: &str) -> Vec<String> {
        self.trace.entries.iter().filter(|e| e.event.is_none() && e.unit == unit).map(|e| e.op.hook.clone()).collect()
    }

    /// The record of the action with this id, once it ran.
    pub fn action(&self, id: &str) -> Option<&ActionRecord> {
        self.actions_done.get(id)
    }

    /// What `unit` sees now, as a single-unit [`State`] (for asserts): the view its next hook
    /// would get. `None` for an unknown unit.
    pub fn unit_state(&self, unit: &str) -> Option<State> {
        self.ctrl.units.get(unit)?;
        let op = Op::hook(HookKind::UpdateStatus.juju_name());
        view::project(&self.ctrl, unit, &op).ok().map(|(state, _)| state)
    }

    /// The model as JSON: the controller, the trace and the seeded scheduler's position, so
    /// [`Model::from_json`] resumes where this one is.
    pub fn to_json(&self) -> String {
        let file = ModelJson {
            controller: self.ctrl.clone(),
            trace: self.trace.clone(),
            schedule: self.rng,
            cursor: self.cursor.clone(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// A model from [`Model::to_json`]'s text; `loader` gives each application's charm from
    /// its name and source (in-process charms cannot be rebuilt from JSON: the loader decides).
    pub fn from_json(
        text: &str,
        loader: impl Fn(&str, &CharmSource) -> Result<Box<dyn ModelCharm>, ModelError>,
    ) -> Result<Model, ModelError> {
        let file: ModelJson = serde_json::from_str(text).map_err(|e| ModelError::State(e.to_string()))?;
        let mut model = Model::new();
        for app in file.controller.applications.values().filter(|a| a.life != Life::Dead) {
            let charm = loader(&app.name, &app.charm)?;
            model.charms.insert(app.name.clone(), charm);
        }
        model.ctrl = file.controller;
        model.trace = file.trace;
        model.rng = match (file.schedule, model.trace.seed) {
            (Some(rng), _) => Some(rng),
            (None, Some(seed)) => Some(Rng::new(seed)),
            (None, None) => None,
        };
        model.cursor = file.cursor;
        Ok(model)
    }
}
