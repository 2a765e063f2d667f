//! State-transition tests for charms, in the style of Scenario (`ops.testing`).
//!
//! A test builds a [`State`], picks an event with [`On`], and runs it on the charm with
//! [`Harness::run`]. The result is an [`Outcome`]: the new state plus what the hook did (its
//! `juju-log` lines, the statuses it set, the action's results, logs and failure, every hook-tool
//! call) and how it ended ([`End`]). The input state is never changed; there are no globals, so
//! tests run in parallel.
//!
//! ```ignore
//! use goops_sim::harness::{End, Harness, On};
//! use goops_sim::State;
//!
//! let harness = Harness::<Certificates>::for_charm(env!("CARGO_MANIFEST_DIR"))?;
//! let state = State { leader: true, ..State::default() };
//! let out = harness.run(On::install(), &state)?;
//! assert_eq!(out.end, End::Completed);
//! assert_eq!(out.state.unit_status.status, "active");
//! assert!(out.secret_by_label("active-ca-certificates").is_some());
//! // The same test as a real process under `goops-sim run`:
//! let out = harness.process(env!("CARGO_BIN_EXE_certificates")).run(On::install(), &state)?;
//! ```
//!
//! Before each run the test itself is checked for consistency with the charm's metadata
//! ([`Inconsistency`], like Scenario's consistency checker): config keys and types, declared
//! relations, storage and resources, the event's relation / secret / storage / container present
//! in the state, a declared action with valid parameters. [`Harness::skip_consistency_checks`]
//! turns that off (goops-sim's own rules still refuse states that cannot happen).
//!
//! In-process, the charm's `goops_runtime::dispatch` runs on goops-sim's [`Engine`]: the same
//! tool code, argv parsing and output formats as the CLI. In process mode ([`Harness::process`])
//! the charm's binary is staged as `dispatch` next to its `charmcraft.yaml` and run by the
//! `goops-sim run` CLI. Both give the same [`Outcome`].

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use goops_runtime::Charm;
use goops_runtime::Outcome as Dispatched;
use serde::{Deserialize, Serialize};
use yaml_rust2::{Yaml, YamlLoader};

use crate::charm::{CharmError, CharmMeta};
use crate::engine::Engine;
use crate::event::EventOptions;
use crate::runner::{Exit, RunOutcome, TempDir, is_executable};
use crate::session::{SessionError, ToolCall};
use crate::state::{Action, LogRecord, Relation, Secret, State, Status, Storage, bare_secret_id};

// ---- events ----------------------------------------------------------------------------------

/// What the event refers to in the state, for the consistency check.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    None,
    Relation { id: u32, endpoint: String },
    Secret { id: String },
    Storage { name: String, id: String },
    Container { name: String },
    Action { name: String },
}

/// An event to run: a hook with its context, or an action with its parameters.
///
/// Relation events take a relation of the state, secret events a secret, storage events a
/// storage instance, workload events a container name, actions their name (then `.param(…)`).
#[derive(Debug, Clone)]
pub struct On {
    name: String,
    target: Target,
    options: EventOptions,
}

macro_rules! unit_hooks {
    ($($(#[$doc:meta])* $fn:ident => $name:literal,)*) => {
        $(
            $(#[$doc])*
            pub fn $fn() -> On {
                On::plain($name)
            }
        )*
    };
}

impl On {
    fn plain(name: &str) -> On {
        On { name: name.to_owned(), target: Target::None, options: EventOptions::default() }
    }

    unit_hooks! {
        /// `install`.
        install => "install",
        /// `start`.
        start => "start",
        /// `stop`.
        stop => "stop",
        /// `remove`.
        remove => "remove",
        /// `config-changed`.
        config_changed => "config-changed",
        /// `upgrade-charm`.
        upgrade_charm => "upgrade-charm",
        /// `update-status`.
        update_status => "update-status",
        /// `leader-elected` (the state must say `leader: true`).
        leader_elected => "leader-elected",
        /// `leader-deposed`.
        leader_deposed => "leader-deposed",
        /// `leader-settings-changed`.
        leader_settings_changed => "leader-settings-changed",
        /// `collect-metrics`.
        collect_metrics => "collect-metrics",
        /// `meter-status-changed`.
        meter_status_changed => "meter-status-changed",
        /// `pre-series-upgrade`.
        pre_series_upgrade => "pre-series-upgrade",
        /// `post-series-upgrade`.
        post_series_upgrade => "post-series-upgrade",
    }

    fn relation(kind: &str, relation: &Relation) -> On {
        let mut on = On::plain(&format!("{}-relation-{kind}", relation.endpoint));
        on.target = Target::Relation { id: relation.id, endpoint: relation.endpoint.clone() };
        on.options.relation_id = Some(relation.id);
        on
    }

    /// `<endpoint>-relation-created` for `relation` (a relation of the state).
    pub fn relation_created(relation: &Relation) -> On {
        On::relation("created", relation)
    }

    /// `<endpoint>-relation-joined`; the remote unit defaults to the relation's first one.
    pub fn relation_joined(relation: &Relation) -> On {
        On::relation("joined", relation)
    }

    /// `<endpoint>-relation-changed`; the remote unit defaults to the relation's first one.
    pub fn relation_changed(relation: &Relation) -> On {
        On::relation("changed", relation)
    }

    /// `<endpoint>-relation-departed`; the departing unit defaults to the remote unit.
    pub fn relation_departed(relation: &Relation) -> On {
        On::relation("departed", relation)
    }

    /// `<endpoint>-relation-broken`.
    pub fn relation_broken(relation: &Relation) -> On {
        On::relation("broken", relation)
    }

    /// Set the remote unit of a relation event (`JUJU_REMOTE_UNIT`).
    pub fn remote_unit(mut self, unit: impl Into<String>) -> On {
        self.options.remote_unit = Some(unit.into());
        self
    }

    /// Set the departing unit of a relation-departed event (`JUJU_DEPARTING_UNIT`).
    pub fn departing_unit(mut self, unit: impl Into<String>) -> On {
        self.options.departing_unit = Some(unit.into());
        self
    }

    fn secret(kind: &str, secret: &Secret, revision: Option<u32>) -> On {
        let mut on = On::plain(&format!("secret-{kind}"));
        on.target = Target::Secret { id: secret.id.clone() };
        on.options.secret = Some(secret.id.clone());
        on.options.secret_revision = revision;
        on
    }

    /// `secret-changed` of a secret this charm consumes.
    pub fn secret_changed(secret: &Secret) -> On {
        On::secret("changed", secret, None)
    }

    /// `secret-rotate` of a secret this charm owns.
    pub fn secret_rotate(secret: &Secret) -> On {
        On::secret("rotate", secret, None)
    }

    /// `secret-expired` of one revision of a secret this charm owns.
    pub fn secret_expired(secret: &Secret, revision: u32) -> On {
        On::secret("expired", secret, Some(revision))
    }

    /// `secret-remove` of one revision of a secret this charm owns.
    pub fn secret_remove(secret: &Secret, revision: u32) -> On {
        On::secret("remove", secret, Some(revision))
    }

    fn storage(kind: &str, storage: &Storage) -> On {
        let mut on = On::plain(&format!("{}-storage-{kind}", storage.name));
        on.target = Target::Storage { name: storage.name.clone(), id: storage.id() };
        on.options.storage = Some(storage.id());
        on
    }

    /// `<name>-storage-attached` for a storage instance of the state.
    pub fn storage_attached(storage: &Storage) -> On {
        On::storage("attached", storage)
    }

    /// `<name>-storage-detaching` for a storage instance of the state.
    pub fn storage_detaching(storage: &Storage) -> On {
        On::storage("detaching", storage)
    }

    fn workload(kind: &str, container: &str) -> On {
        let mut on = On::plain(&format!("{container}-pebble-{kind}"));
        on.target = Target::Container { name: container.to_owned() };
        on
    }

    /// `<container>-pebble-ready`.
    pub fn pebble_ready(container: &str) -> On {
        On::workload("ready", container)
    }

    /// `<container>-pebble-custom-notice` for the notice `id` of `notice_type` with `key`.
    pub fn pebble_custom_notice(container: &str, id: &str, notice_type: &str, key: &str) -> On {
        let mut on = On::workload("custom-notice", container);
        on.options.notice = Some((id.to_owned(), notice_type.to_owned(), key.to_owned()));
        on
    }

    /// `<container>-pebble-check-failed` for the check `check`.
    pub fn pebble_check_failed(container: &str, check: &str) -> On {
        let mut on = On::workload("check-failed", container);
        on.options.check = Some(check.to_owned());
        on
    }

    /// `<container>-pebble-check-recovered` for the check `check`.
    pub fn pebble_check_recovered(container: &str, check: &str) -> On {
        let mut on = On::workload("check-recovered", container);
        on.options.check = Some(check.to_owned());
        on
    }

    /// The action `name`; add parameters with [`On::param`].
    pub fn action(name: &str) -> On {
        On {
            name: format!("action:{name}"),
            target: Target::Action { name: name.to_owned() },
            options: EventOptions::default(),
        }
    }

    /// Set an action parameter.
    pub fn param(mut self, key: &str, value: impl Into<serde_json::Value>) -> On {
        self.options.params.insert(key.to_owned(), value.into());
        self
    }

    /// Set the action id (`JUJU_ACTION_UUID`, default `1`).
    pub fn action_id(mut self, id: impl Into<String>) -> On {
        self.options.action_id = Some(id.into());
        self
    }

    /// Any hook by its Juju name (`db-relation-changed`, …), completed with `options`; no
    /// event-specific consistency check is made for it.
    pub fn hook(name: &str, options: EventOptions) -> On {
        On { name: name.to_owned(), target: Target::None, options }
    }

    /// The event's name as goops-sim takes it (`install`, `db-relation-changed`, `action:backup`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The options that complete the event.
    pub fn options(&self) -> &EventOptions {
        &self.options
    }

    /// The `goops-sim run` arguments after the charm dir: the event and its options.
    fn cli_args(&self) -> Vec<String> {
        let o = &self.options;
        let mut args = vec![self.name.clone()];
        let mut push = |flag: &str, value: Option<String>| {
            if let Some(value) = value {
                args.push(format!("--{flag}={value}"));
            }
        };
        push("relation-id", o.relation_id.map(|id| id.to_string()));
        push("remote-unit", o.remote_unit.clone());
        push("departing-unit", o.departing_unit.clone());
        push("secret", o.secret.clone());
        push("secret-revision", o.secret_revision.map(|r| r.to_string()));
        push("storage", o.storage.clone());
        if let Some((id, kind, key)) = &o.notice {
            push("notice-id", Some(id.clone()));
            push("notice-type", Some(kind.clone()));
            push("notice-key", Some(key.clone()));
        }
        push("check", o.check.clone());
        if !o.params.is_empty() {
            push("params", Some(serde_json::Value::Object(o.params.clone()).to_string()));
        }
        push("action-id", o.action_id.clone());
        args
    }
}

// ---- outcome ---------------------------------------------------------------------------------

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// The hook or action ran to completion and its changes were committed.
    Completed,
    /// The charm has no handler for this hook: skipped, as Juju does.
    Skipped,
    /// The hook handler returned an error (logged at ERROR; exit 1, changes rolled back).
    HookFailed(String),
    /// The charm panicked (logged; exit 1, changes rolled back).
    Panicked(String),
    /// The action failed with this message (`action-fail`).
    ActionFailed(String),
    /// The hook exited 0 but Juju's controller would refuse its changes (e.g. a non-leader
    /// updating an application-owned secret): the hook counts as failed.
    CommitRefused(String),
}

/// What the running action recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRecord {
    /// The action's name.
    pub name: String,
    /// Its results (`action-set`, nested by dotted keys; Juju adds `return-code`).
    pub results: serde_json::Map<String, serde_json::Value>,
    /// Its `action-log` messages.
    pub logs: Vec<String>,
    /// Its failure message, if it failed.
    pub failure: Option<String>,
    /// `completed` or `failed`.
    pub status: String,
}

impl ActionRecord {
    /// A result as text (`None` when absent or not a string).
    pub fn result(&self, key: &str) -> Option<&str> {
        let mut value = None;
        let mut map = &self.results;
        for (i, part) in key.split('.').enumerate() {
            let v = map.get(part)?;
            if i + 1 == key.split('.').count() {
                value = v.as_str();
            } else {
                map = v.as_object()?;
            }
        }
        value
    }
}

/// The result of one run: the new state and what the hook did.
#[derive(Clone, PartialEq)]
pub struct Outcome {
    /// How the run ended.
    pub end: End,
    /// The new state (the input's records plus this run's).
    pub state: State,
    /// Whether the hook's pending writes were committed.
    pub committed: bool,
    /// This run's `juju-log` lines, in order.
    pub logs: Vec<LogRecord>,
    /// The unit statuses this run set, in order (the last is `state.unit_status`).
    pub unit_statuses: Vec<Status>,
    /// The application statuses this run set, in order.
    pub app_statuses: Vec<Status>,
    /// The action's record, when the event was an action.
    pub action: Option<ActionRecord>,
    /// Every hook-tool call, in order.
    pub tool_calls: Vec<ToolCall>,
}

impl Outcome {
    fn new(end: End, input: &State, state: State, committed: bool, tool_calls: Vec<ToolCall>) -> Outcome {
        let logs = state.juju_log.get(input.juju_log.len()..).unwrap_or_default().to_vec();
        let set = |before: &[Status], after: &[Status], current: &Status| {
            // Each status-set pushes the previous status on the history.
            let new = after.get(before.len()..).unwrap_or_default();
            let mut set: Vec<Status> = new.iter().skip(1).cloned().collect();
            if !new.is_empty() {
                set.push(current.clone());
            }
            set
        };
        let unit_statuses = set(&input.unit_status_history, &state.unit_status_history, &state.unit_status);
        let app_statuses = set(&input.app_status_history, &state.app_status_history, &state.app_status);
        let action = state.action.as_ref().map(|a: &Action| ActionRecord {
            name: a.name.clone(),
            results: a.results.clone(),
            logs: a.logs.clone(),
            failure: a.failure.clone(),
            status: a.status.clone(),
        });
        Outcome { end, state, committed, logs, unit_statuses, app_statuses, action, tool_calls }
    }

    /// The messages of this run's `juju-log` lines.
    pub fn log_messages(&self) -> Vec<&str> {
        self.logs.iter().map(|l| l.message.as_str()).collect()
    }

    /// The messages of this run's `juju-log` lines at `level` (`INFO`, `ERROR`, …).
    pub fn logs_at(&self, level: &str) -> Vec<&str> {
        self.logs.iter().filter(|l| l.level == level).map(|l| l.message.as_str()).collect()
    }

    /// The secret the charm owns under `label` in the new state.
    pub fn secret_by_label(&self, label: &str) -> Option<&Secret> {
        self.state.secrets.iter().find(|s| s.label.as_deref() == Some(label))
    }

    /// The new state's relation `id`.
    pub fn relation(&self, id: u32) -> Option<&Relation> {
        self.state.relation(id)
    }

    /// The arguments of every call of `tool`.
    pub fn calls_of(&self, tool: &str) -> Vec<&[String]> {
        self.tool_calls.iter().filter(|c| c.tool == tool).map(|c| c.args.as_slice()).collect()
    }
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Assertion failures print outcomes: secret content must not appear there.
        let mut state = self.state.clone();
        for secret in &mut state.secrets {
            for revision in &mut secret.revisions {
                for value in revision.content.values_mut() {
                    *value = "[REDACTED]".to_owned();
                }
            }
        }
        f.debug_struct("Outcome")
            .field("end", &self.end)
            .field("committed", &self.committed)
            .field("logs", &self.logs)
            .field("unit_statuses", &self.unit_statuses)
            .field("app_statuses", &self.app_statuses)
            .field("action", &self.action)
            .field("tool_calls", &self.tool_calls)
            .field("state", &state)
            .finish()
    }
}

// ---- errors ----------------------------------------------------------------------------------

/// A test whose state or event does not fit the charm (checked before each run).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Inconsistency {
    /// A config key the charm does not declare.
    #[error("config option {key:?} is not declared in the charm's config.options")]
    ConfigUndeclared {
        /// The key.
        key: String,
    },
    /// A config value of the wrong type.
    #[error("config option {key:?} is declared as {expected} but the state gives a {got}")]
    ConfigType {
        /// The key.
        key: String,
        /// The declared type.
        expected: String,
        /// The JSON type given.
        got: &'static str,
    },
    /// A config option whose declared type Juju does not know.
    #[error("config option {key:?} has an unknown type {declared:?} (string, int, float, boolean, secret)")]
    ConfigUnknownType {
        /// The key.
        key: String,
        /// The declared type.
        declared: String,
    },
    /// A `secret` config value that is not a secret URI.
    #[error("config option {key:?} is a secret option but its value is not a secret URI (secret:<20 chars>)")]
    ConfigSecretUri {
        /// The key.
        key: String,
    },
    /// A relation on an endpoint the charm does not declare.
    #[error("relation {id}: endpoint {endpoint:?} is not declared by the charm (declared: {declared})")]
    RelationUndeclared {
        /// The relation id.
        id: u32,
        /// The endpoint.
        endpoint: String,
        /// The declared endpoints, comma-separated.
        declared: String,
    },
    /// Two relations with one id.
    #[error("relation id {0} is used by two relations")]
    DuplicateRelationId(u32),
    /// A relation marked `peer` on an endpoint that is not a peer endpoint.
    #[error("relation {id}: endpoint {endpoint:?} is marked peer but the charm declares it under provides/requires")]
    NotAPeer {
        /// The relation id.
        id: u32,
        /// The endpoint.
        endpoint: String,
    },
    /// The event's relation is not in the state.
    #[error("{event}: relation {id} is not in the state (pass a relation of the state to the event)")]
    EventRelationMissing {
        /// The event.
        event: String,
        /// The relation id.
        id: u32,
    },
    /// The event's relation is in the state under another endpoint.
    #[error("{event}: relation {id} in the state is on endpoint {found:?}, not {expected:?}")]
    EventRelationMismatch {
        /// The event.
        event: String,
        /// The relation id.
        id: u32,
        /// The event's endpoint.
        expected: String,
        /// The state's endpoint.
        found: String,
    },
    /// A joined/changed/departed event without a remote unit.
    #[error("{event}: relation {id} has no remote units; add one to the relation or set .remote_unit(…)")]
    NoRemoteUnit {
        /// The event.
        event: String,
        /// The relation id.
        id: u32,
    },
    /// The event's remote unit is not in the relation.
    #[error("{event}: remote unit {unit:?} is not in relation {id}")]
    RemoteUnitNotInRelation {
        /// The event.
        event: String,
        /// The unit.
        unit: String,
        /// The relation id.
        id: u32,
    },
    /// The event's secret is not in the state.
    #[error("{event}: secret {id} is not in the state")]
    EventSecretMissing {
        /// The event.
        event: String,
        /// The secret id.
        id: String,
    },
    /// Storage the charm does not declare.
    #[error("storage {name:?} is not declared by the charm")]
    StorageUndeclared {
        /// The storage name.
        name: String,
    },
    /// The event's storage instance is not in the state.
    #[error("{event}: storage {id} is not attached in the state")]
    EventStorageMissing {
        /// The event.
        event: String,
        /// The storage id.
        id: String,
    },
    /// A workload event for a container the charm does not declare.
    #[error("{event}: container {container:?} is not declared by the charm")]
    ContainerUndeclared {
        /// The event.
        event: String,
        /// The container.
        container: String,
    },
    /// A resource the charm does not declare.
    #[error("resource {name:?} is not declared by the charm")]
    ResourceUndeclared {
        /// The resource name.
        name: String,
    },
    /// An action the charm does not declare.
    #[error("action {action:?} is not declared by the charm (declared: {declared})")]
    ActionUndeclared {
        /// The action.
        action: String,
        /// The declared actions, comma-separated.
        declared: String,
    },
    /// An action parameter the action does not declare.
    #[error("action {action:?}: parameter {param:?} is not declared")]
    ActionParamUnknown {
        /// The action.
        action: String,
        /// The parameter.
        param: String,
    },
    /// An action parameter of the wrong type.
    #[error("action {action:?}: parameter {param:?} must be of type {expected}, got a {got}")]
    ActionParamType {
        /// The action.
        action: String,
        /// The parameter.
        param: String,
        /// The declared JSON-schema type.
        expected: String,
        /// The JSON type given.
        got: &'static str,
    },
    /// A required action parameter is missing.
    #[error("action {action:?}: required parameter {param:?} is missing")]
    ActionParamMissing {
        /// The action.
        action: String,
        /// The parameter.
        param: String,
    },
}

/// Why a run could not happen.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The charm's metadata could not be read.
    #[error("cannot read the charm's metadata: {0}")]
    Metadata(#[from] CharmError),
    /// The test's state or event does not fit the charm.
    #[error("inconsistent test: {0}")]
    Inconsistent(#[from] Inconsistency),
    /// goops-sim refused the state or event.
    #[error("goops-sim refused the test: {0}")]
    Session(#[from] SessionError),
    /// The in-process hook context could not be built.
    #[error("cannot build the hook context: {0}")]
    Context(goops_runtime::EnvError),
    /// The metadata read from the charm dir is not what `#[charm]` baked into the charm.
    #[error("the charm dir's metadata differs from what #[charm] baked into the charm: {0}")]
    MetadataMismatch(String),
    /// Process mode: staging, finding or running `goops-sim` failed.
    #[error("process mode: {0}")]
    Process(String),
}

// ---- the harness -----------------------------------------------------------------------------

/// An action's parameter schema, for the consistency check.
#[derive(Debug, Clone, Default)]
struct ActionSchema {
    params: BTreeMap<String, Option<String>>,
    defaults: Vec<String>,
    required: Vec<String>,
    additional: bool,
}

/// How a run executes the charm.
#[derive(Debug, Clone)]
enum Mode {
    InProcess,
    Process { binary: PathBuf, goops_sim: Option<PathBuf>, timeout: Duration },
}

/// Runs events on a charm `C` from a given state. See the [module docs](self).
pub struct Harness<C> {
    charm_dir: PathBuf,
    meta: CharmMeta,
    actions: BTreeMap<String, ActionSchema>,
    mode: Mode,
    checks: bool,
    charm: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for Harness<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness")
            .field("charm", &self.meta.name)
            .field("charm_dir", &self.charm_dir)
            .field("mode", &self.mode)
            .field("checks", &self.checks)
            .finish()
    }
}

impl<C> Clone for Harness<C> {
    fn clone(&self) -> Self {
        Harness {
            charm_dir: self.charm_dir.clone(),
            meta: self.meta.clone(),
            actions: self.actions.clone(),
            mode: self.mode.clone(),
            checks: self.checks,
            charm: PhantomData,
        }
    }
}

impl<C: Charm> Harness<C> {
    /// A harness for the charm whose `charmcraft.yaml` (or `metadata.yaml`, `config.yaml`,
    /// `actions.yaml`) is in `charm_dir`: usually `env!("CARGO_MANIFEST_DIR")`, the same files
    /// `#[charm]` read at compile time, so metadata, config defaults and action schemas are exact.
    pub fn new(charm_dir: impl Into<PathBuf>) -> Result<Harness<C>, HarnessError> {
        let charm_dir = charm_dir.into();
        let charm_dir = charm_dir.canonicalize().unwrap_or(charm_dir);
        let meta = CharmMeta::from_dir(&charm_dir)?;
        let actions = read_action_schemas(&charm_dir)?;
        Ok(Harness { charm_dir, meta, actions, mode: Mode::InProcess, checks: true, charm: PhantomData })
    }

    /// Run as a real process under `goops-sim run`: `binary` (the charm's executable, e.g.
    /// `env!("CARGO_BIN_EXE_mycharm")`) is staged as `dispatch` next to the charm's metadata.
    ///
    /// The `goops-sim` executable is `$GOOPS_SIM_BIN`, else the one cargo built next to the test
    /// binary, else it is built (once per test binary) into `target/goops-sim-harness`.
    pub fn process(&self, binary: impl Into<PathBuf>) -> Harness<C> {
        let mut harness = self.clone();
        harness.mode = Mode::Process { binary: binary.into(), goops_sim: None, timeout: Duration::from_secs(60) };
        harness
    }

    /// Use this `goops-sim` executable in process mode.
    pub fn goops_sim_binary(&self, path: impl Into<PathBuf>) -> Harness<C> {
        let mut harness = self.clone();
        if let Mode::Process { goops_sim, .. } = &mut harness.mode {
            *goops_sim = Some(path.into());
        }
        harness
    }

    /// Kill a process-mode hook after `timeout` (default 60 s; `goops-sim run --timeout`).
    pub fn timeout(&self, timeout: Duration) -> Harness<C> {
        let mut harness = self.clone();
        if let Mode::Process { timeout: t, .. } = &mut harness.mode {
            *t = timeout;
        }
        harness
    }

    /// Run in-process (the default).
    pub fn in_process(&self) -> Harness<C> {
        let mut harness = self.clone();
        harness.mode = Mode::InProcess;
        harness
    }

    /// Whether runs happen as a real process.
    pub fn is_process(&self) -> bool {
        matches!(self.mode, Mode::Process { .. })
    }

    /// Skip the consistency checks (goops-sim's own rules still apply).
    pub fn skip_consistency_checks(&self) -> Harness<C> {
        let mut harness = self.clone();
        harness.checks = false;
        harness
    }

    /// The charm's metadata as goops-sim reads it.
    pub fn meta(&self) -> &CharmMeta {
        &self.meta
    }

    /// Check `state` and `event` against the charm's metadata (what [`Harness::run`] does first).
    pub fn check(&self, event: &On, state: &State) -> Result<(), Inconsistency> {
        check_consistency(&self.meta, &self.actions, event, state)
    }

    /// Run `event` on a copy of `state`.
    pub fn run(&self, event: On, state: &State) -> Result<Outcome, HarnessError> {
        if self.checks {
            self.check(&event, state)?;
        }
        match &self.mode {
            Mode::InProcess => self.run_in_process(&event, state),
            Mode::Process { binary, goops_sim, timeout } => {
                let goops_sim = match goops_sim {
                    Some(path) => path.clone(),
                    None => find_goops_sim()?,
                };
                self.run_process(binary, &goops_sim, *timeout, &event, state)
            }
        }
    }

    fn run_in_process(&self, event: &On, input: &State) -> Result<Outcome, HarnessError> {
        let engine = Engine::for_event(input.clone(), self.meta.clone(), &event.name, &event.options)?;
        engine.with(|s| s.set_charm_dir(&self.charm_dir));
        let ctx = engine.context().map_err(HarnessError::Context)?;
        let dispatched = goops_runtime::dispatch::<C>(&ctx);
        drop(ctx);
        let code = i32::from(dispatched.exit_code());
        // Juju records an action process's exit code in its results (output is empty in-process).
        engine.with(|s| {
            if s.event().is_action() {
                s.record_action_output(b"", b"", code);
            }
        });
        let finished =
            engine.finish(code == 0).ok_or_else(|| HarnessError::Process("the hook session ended twice".into()))?;
        let end = match (finished.commit_error.clone(), dispatched) {
            (Some(error), _) => End::CommitRefused(error),
            (None, Dispatched::Skipped) => End::Skipped,
            // `dispatch` reports an action's results itself and returns `Completed`.
            (None, Dispatched::Completed | Dispatched::ActionResults(_)) => End::Completed,
            (None, Dispatched::HookFailed(m)) => End::HookFailed(m),
            (None, Dispatched::ActionFailed(m)) => End::ActionFailed(m),
            (None, Dispatched::Panicked(m)) => End::Panicked(m),
        };
        Ok(Outcome::new(end, input, finished.state, finished.committed, finished.records.tool_calls))
    }

    fn run_process(
        &self,
        binary: &Path,
        goops_sim: &Path,
        timeout: Duration,
        event: &On,
        input: &State,
    ) -> Result<Outcome, HarnessError> {
        let binary = binary
            .canonicalize()
            .map_err(|e| HarnessError::Process(format!("charm binary {}: {e}", binary.display())))?;
        let work = TempDir::new("goops-harness")
            .map_err(|e| HarnessError::Process(format!("cannot create a temp dir: {e}")))?;
        let charm = work.0.join("charm");
        let stage = || -> std::io::Result<()> {
            std::fs::create_dir(&charm)?;
            for file in ["charmcraft.yaml", "metadata.yaml", "config.yaml", "actions.yaml"] {
                let source = self.charm_dir.join(file);
                if source.exists() {
                    std::fs::copy(&source, charm.join(file))?;
                }
            }
            // As charmcraft's `organize: {bin/<name>: dispatch}` does.
            std::os::unix::fs::symlink(&binary, charm.join("dispatch"))?;
            std::fs::write(work.0.join("state.json"), input.to_json())
        };
        stage().map_err(|e| HarnessError::Process(format!("cannot stage the charm: {e}")))?;
        let (state_in, state_out, records) =
            (work.0.join("state.json"), work.0.join("out.json"), work.0.join("records.json"));
        let output = Command::new(goops_sim)
            .arg("run")
            .arg(&charm)
            .args(event.cli_args())
            .arg("--state")
            .arg(&state_in)
            .arg("--out")
            .arg(&state_out)
            .arg("--records")
            .arg(&records)
            .arg(format!("--timeout={}", timeout.as_secs_f64()))
            .arg("--quiet")
            .output()
            .map_err(|e| HarnessError::Process(format!("cannot run {}: {e}", goops_sim.display())))?;
        if !matches!(output.status.code(), Some(0 | 1)) || !records.exists() {
            return Err(HarnessError::Process(format!(
                "goops-sim run failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|e| HarnessError::Process(format!("{}: {e}", path.display())))
        };
        let state = State::from_json(&read(&state_out)?)
            .map_err(|e| HarnessError::Process(format!("goops-sim wrote an unreadable state: {e}")))?;
        let records: RunRecords = serde_json::from_str(&read(&records)?)
            .map_err(|e| HarnessError::Process(format!("goops-sim wrote unreadable records: {e}")))?;
        let end = process_end(event, input, &state, &records);
        let tool_calls = records.tool_calls.into_iter().map(|c| ToolCall { tool: c.tool, args: c.args, code: c.code });
        Ok(Outcome::new(end, input, state, records.committed, tool_calls.collect()))
    }
}

impl<C: Charm + goops_runtime::HasMetadata> Harness<C> {
    /// Like [`Harness::new`], and check that the metadata read from `charm_dir` declares the
    /// same endpoints, actions, config options, storage and containers as the metadata `#[charm]`
    /// baked into `C` (so a test cannot point at another charm's files).
    pub fn for_charm(charm_dir: impl Into<PathBuf>) -> Result<Harness<C>, HarnessError> {
        let harness = Harness::<C>::new(charm_dir)?;
        let baked = C::METADATA;
        let meta = &harness.meta;
        let names = |it: &mut dyn Iterator<Item = String>| {
            let mut v: Vec<String> = it.collect();
            v.sort();
            v
        };
        let pairs = [
            (
                "relation endpoints",
                names(&mut baked.relations.iter().map(|r| r.endpoint.to_owned())),
                names(&mut meta.endpoints.keys().cloned()),
            ),
            (
                "actions",
                names(&mut baked.actions.iter().map(|a| a.name.to_owned())),
                names(&mut harness.actions.keys().cloned()),
            ),
            (
                "config options",
                names(&mut baked.config.iter().map(|o| o.name.to_owned())),
                names(&mut meta.config.keys().cloned()),
            ),
            (
                "storage",
                names(&mut baked.storage.iter().map(|s| (*s).to_owned())),
                names(&mut meta.storage.keys().cloned()),
            ),
            (
                "containers",
                names(&mut baked.containers.iter().map(|c| (*c).to_owned())),
                names(&mut meta.containers.iter().cloned()),
            ),
        ];
        for (what, baked, read) in pairs {
            if baked != read {
                return Err(HarnessError::MetadataMismatch(format!(
                    "{what}: baked {baked:?}, read from {} {read:?}",
                    harness.charm_dir.display()
                )));
            }
        }
        Ok(harness)
    }
}

/// How a process run ended, from its exit, its records and its log (what Juju sees).
fn process_end(event: &On, input: &State, state: &State, records: &RunRecords) -> End {
    if let Some(error) = &records.commit_error {
        return End::CommitRefused(error.clone());
    }
    if records.skipped || (records.exit == Some(0) && records.stdout.starts_with("goops: no handler for hook")) {
        return End::Skipped;
    }
    if records.exit == Some(0) {
        return match state.action.as_ref().and_then(|a| a.failure.clone()) {
            Some(message) => End::ActionFailed(message),
            None => End::Completed,
        };
    }
    // goops-runtime logs a failed hook's error chain (or the panic) at ERROR as its last word;
    // in relation hooks goops-sim prefixes log lines with `<endpoint>:<id>: ` as Juju does.
    let prefix = match &event.target {
        Target::Relation { id, endpoint } => format!("{endpoint}:{id}: "),
        _ => String::new(),
    };
    let last_error =
        state.juju_log.get(input.juju_log.len()..).unwrap_or_default().iter().rev().find_map(|l| {
            (l.level == "ERROR").then(|| l.message.strip_prefix(&prefix).unwrap_or(&l.message).to_owned())
        });
    match last_error {
        Some(message) => match message.strip_prefix("charm code panicked: ") {
            Some(panic) => End::Panicked(panic.to_owned()),
            None => End::HookFailed(message),
        },
        None => End::HookFailed(records.exit_text.clone()),
    }
}

/// What `goops-sim run --records FILE` writes besides the new state: how the process ended and
/// every tool call (so a process run yields the same [`Outcome`] as an in-process one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecords {
    /// The exit code (`None` when killed).
    pub exit: Option<i32>,
    /// How the process ended, in words.
    pub exit_text: String,
    /// No handler existed for the event: skipped.
    pub skipped: bool,
    /// Whether the changes were committed.
    pub committed: bool,
    /// Why the controller would refuse the changes.
    pub commit_error: Option<String>,
    /// Every tool call.
    pub tool_calls: Vec<RecordedCall>,
    /// The process's stdout (lossy UTF-8).
    pub stdout: String,
    /// The process's stderr (lossy UTF-8).
    pub stderr: String,
}

/// One tool call in [`RunRecords`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedCall {
    /// The tool.
    pub tool: String,
    /// Its arguments (never secret content: that travels in files).
    pub args: Vec<String>,
    /// Its exit code.
    pub code: i32,
}

impl RunRecords {
    /// The records of a finished run.
    pub fn from_outcome(outcome: &RunOutcome) -> RunRecords {
        let (exit, exit_text) = match &outcome.exit {
            Exit::Code(code) => (Some(*code), format!("exit status {code}")),
            Exit::Skipped => (Some(0), "skipped".to_owned()),
            Exit::Signalled => (None, "killed by a signal".to_owned()),
            Exit::TimedOut(d) => (None, format!("timed out after {}s", d.as_secs_f64())),
            Exit::Rebooted => (None, "killed by juju-reboot --now".to_owned()),
        };
        let finished = &outcome.finished;
        RunRecords {
            exit,
            exit_text,
            skipped: outcome.exit == Exit::Skipped,
            committed: finished.committed,
            commit_error: finished.commit_error.clone(),
            tool_calls: finished
                .records
                .tool_calls
                .iter()
                .map(|c| RecordedCall { tool: c.tool.clone(), args: c.args.clone(), code: c.code })
                .collect(),
            stdout: String::from_utf8_lossy(&outcome.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&outcome.stderr).into_owned(),
        }
    }

    /// As pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

// ---- consistency checks ----------------------------------------------------------------------

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) if n.is_f64() => "number",
        serde_json::Value::Number(_) => "integer",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn is_secret_uri(value: &str) -> bool {
    let bare = bare_secret_id(value);
    value.starts_with("secret:")
        && bare.len() == 20
        && bare.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
}

fn check_consistency(
    meta: &CharmMeta,
    actions: &BTreeMap<String, ActionSchema>,
    event: &On,
    state: &State,
) -> Result<(), Inconsistency> {
    // Config: declared keys of the declared type (Scenario's check 2).
    for (key, value) in &state.config {
        let Some(option) = meta.config.get(key) else {
            return Err(Inconsistency::ConfigUndeclared { key: key.clone() });
        };
        let ok = match option.option_type.as_str() {
            "string" => value.is_string(),
            "int" => value.is_i64() || value.is_u64(),
            "float" => value.is_number(),
            "boolean" => value.is_boolean(),
            "secret" => {
                if !value.as_str().is_some_and(is_secret_uri) {
                    return Err(Inconsistency::ConfigSecretUri { key: key.clone() });
                }
                true
            }
            other => {
                return Err(Inconsistency::ConfigUnknownType { key: key.clone(), declared: other.to_owned() });
            }
        };
        if !ok {
            return Err(Inconsistency::ConfigType {
                key: key.clone(),
                expected: option.option_type.clone(),
                got: json_type(value),
            });
        }
    }
    // Relations (check 7), storage (6), resources (3).
    let mut ids = std::collections::BTreeSet::new();
    for relation in &state.relations {
        if !ids.insert(relation.id) {
            return Err(Inconsistency::DuplicateRelationId(relation.id));
        }
        if !meta.endpoints.contains_key(&relation.endpoint) {
            return Err(Inconsistency::RelationUndeclared {
                id: relation.id,
                endpoint: relation.endpoint.clone(),
                declared: meta.endpoints.keys().cloned().collect::<Vec<_>>().join(", "),
            });
        }
        if relation.peer && !meta.is_peer(&relation.endpoint) {
            return Err(Inconsistency::NotAPeer { id: relation.id, endpoint: relation.endpoint.clone() });
        }
    }
    for storage in &state.storage {
        if !meta.storage.contains_key(&storage.name) {
            return Err(Inconsistency::StorageUndeclared { name: storage.name.clone() });
        }
    }
    for name in state.resources.keys() {
        if !meta.resources.contains(name) {
            return Err(Inconsistency::ResourceUndeclared { name: name.clone() });
        }
    }
    // The event's own references (checks 1, 4, 5).
    let name = event.name.clone();
    match &event.target {
        Target::None => {}
        Target::Relation { id, endpoint } => {
            let relation = state
                .relation(*id)
                .ok_or_else(|| Inconsistency::EventRelationMissing { event: name.clone(), id: *id })?;
            if &relation.endpoint != endpoint {
                return Err(Inconsistency::EventRelationMismatch {
                    event: name,
                    id: *id,
                    expected: endpoint.clone(),
                    found: relation.endpoint.clone(),
                });
            }
            let kind = name.rsplit('-').next().unwrap_or_default();
            if matches!(kind, "joined" | "changed" | "departed") {
                match &event.options.remote_unit {
                    None if relation.remote_units.is_empty() => {
                        return Err(Inconsistency::NoRemoteUnit { event: name, id: *id });
                    }
                    Some(unit) if kind != "departed" && !relation.remote_units.contains_key(unit) => {
                        return Err(Inconsistency::RemoteUnitNotInRelation {
                            event: name,
                            unit: unit.clone(),
                            id: *id,
                        });
                    }
                    _ => {}
                }
            }
        }
        Target::Secret { id } => {
            if state.secret(id).is_none() {
                return Err(Inconsistency::EventSecretMissing { event: name, id: id.clone() });
            }
        }
        Target::Storage { name: storage, id } => {
            if !meta.storage.contains_key(storage) {
                return Err(Inconsistency::StorageUndeclared { name: storage.clone() });
            }
            if !state.storage.iter().any(|s| &s.id() == id) {
                return Err(Inconsistency::EventStorageMissing { event: name, id: id.clone() });
            }
        }
        Target::Container { name: container } => {
            if !meta.containers.contains(container) {
                return Err(Inconsistency::ContainerUndeclared { event: name, container: container.clone() });
            }
        }
        Target::Action { name: action } => check_action(actions, action, &event.options.params)?,
    }
    Ok(())
}

fn check_action(
    actions: &BTreeMap<String, ActionSchema>,
    action: &str,
    params: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), Inconsistency> {
    let Some(schema) = actions.get(action) else {
        return Err(Inconsistency::ActionUndeclared {
            action: action.to_owned(),
            declared: actions.keys().cloned().collect::<Vec<_>>().join(", "),
        });
    };
    for (param, value) in params {
        let Some(declared) = schema.params.get(param) else {
            if schema.additional {
                continue;
            }
            return Err(Inconsistency::ActionParamUnknown { action: action.to_owned(), param: param.clone() });
        };
        let Some(expected) = declared else { continue };
        let ok = match expected.as_str() {
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            "null" => value.is_null(),
            _ => true,
        };
        if !ok {
            return Err(Inconsistency::ActionParamType {
                action: action.to_owned(),
                param: param.clone(),
                expected: expected.clone(),
                got: json_type(value),
            });
        }
    }
    for param in &schema.required {
        if !params.contains_key(param) && !schema.defaults.contains(param) {
            return Err(Inconsistency::ActionParamMissing { action: action.to_owned(), param: param.clone() });
        }
    }
    Ok(())
}

/// Read the actions' parameter schemas from `charmcraft.yaml` (`actions:`) or `actions.yaml`.
fn read_action_schemas(dir: &Path) -> Result<BTreeMap<String, ActionSchema>, CharmError> {
    let mut schemas = BTreeMap::new();
    for (file, section) in [("charmcraft.yaml", Some("actions")), ("actions.yaml", None)] {
        let path = dir.join(file);
        if !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|source| CharmError::Io { path: path.display().to_string(), source })?;
        let docs = YamlLoader::load_from_str(&text)
            .map_err(|e| CharmError::Invalid { path: path.display().to_string(), message: e.to_string() })?;
        let doc = docs.into_iter().next().unwrap_or(Yaml::Null);
        let actions = match section {
            Some(key) => &doc[key],
            None => &doc,
        };
        let Some(actions) = actions.as_hash() else { continue };
        for (name, spec) in actions {
            let Some(name) = name.as_str() else { continue };
            let mut schema = ActionSchema {
                // Juju accepts undeclared params unless the action says additionalProperties: false;
                // Scenario refuses them, and so do we unless the action allows them explicitly.
                additional: spec["additionalProperties"].as_bool().unwrap_or(false),
                ..ActionSchema::default()
            };
            if let Some(params) = spec["params"].as_hash() {
                for (param, def) in params {
                    let Some(param) = param.as_str() else { continue };
                    schema.params.insert(param.to_owned(), def["type"].as_str().map(str::to_owned));
                    if !matches!(def["default"], Yaml::BadValue) {
                        schema.defaults.push(param.to_owned());
                    }
                }
            }
            if let Some(required) = spec["required"].as_vec() {
                schema.required = required.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect();
            }
            schemas.insert(name.to_owned(), schema);
        }
    }
    Ok(schemas)
}

// ---- process mode plumbing -------------------------------------------------------------------

/// The `goops-sim` executable for process mode.
fn find_goops_sim() -> Result<PathBuf, HarnessError> {
    if let Some(path) = std::env::var_os("GOOPS_SIM_BIN") {
        let path = PathBuf::from(path);
        if !is_executable(&path) {
            return Err(HarnessError::Process(format!("GOOPS_SIM_BIN={} is not an executable", path.display())));
        }
        return Ok(path);
    }
    let exe =
        std::env::current_exe().map_err(|e| HarnessError::Process(format!("cannot find the test binary: {e}")))?;
    // cargo puts test binaries in target/<profile>/deps and package binaries in target/<profile>.
    if let Some(found) = exe.ancestors().skip(1).take(2).map(|d| d.join("goops-sim")).find(|p| is_executable(p)) {
        return Ok(found);
    }
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT.get_or_init(|| build_goops_sim(&exe)).clone().map_err(HarnessError::Process)
}

/// Build `goops-sim` into its own target dir: the outer `cargo test` may hold the lock on the
/// workspace's, and waiting for it from a test would deadlock.
fn build_goops_sim(exe: &Path) -> Result<PathBuf, String> {
    let profile_dir = exe.parent().filter(|d| d.ends_with("deps")).and_then(Path::parent);
    let target = profile_dir.and_then(Path::parent).map(|t| t.join("goops-sim-harness"));
    let target = target.unwrap_or_else(|| std::env::temp_dir().join("goops-sim-harness"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let output = Command::new(cargo)
        .args(["build", "--quiet", "--bin", "goops-sim", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .output()
        .map_err(|e| format!("cannot run cargo to build goops-sim: {e} (set GOOPS_SIM_BIN)"))?;
    if !output.status.success() {
        return Err(format!(
            "building goops-sim failed (set GOOPS_SIM_BIN to use a built one): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let built = target.join("debug").join("goops-sim");
    if is_executable(&built) { Ok(built) } else { Err(format!("cargo built no {}", built.display())) }
}
