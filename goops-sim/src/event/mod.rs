//! The event a simulated hook runs for (docs/hook-tools.md §2), built from a hook name and
//! [`EventOptions`] against the charm and the state; [`env`] has the variables Juju sets for it
//! (§3).

mod env;
mod params;

pub(crate) use env::Place;
pub(crate) use params::insert_cli_param;

use goops_juju::charmcraft::{CharmMeta, ParamError};
use goops_juju::hooks::{HookKind, RelationEventKind, SecretEventKind, StorageEventKind, WorkloadEventKind};
use goops_juju::{RelationId, StorageKind};

use crate::state::State;

/// The event a hook runs for: the hook kind of goops-juju's table with what it refers to, or an
/// action.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event {
    /// A unit hook without context (`install`, `config-changed`, …).
    Unit {
        kind: HookKind,
        /// The base a series upgrade moves to (pre/post-series-upgrade only).
        target_base: Option<String>,
    },
    /// `<endpoint>-relation-<kind>`.
    Relation {
        kind: RelationEventKind,
        relation: RelationId,
        /// The remote application (this unit's own for a peer relation).
        remote_app: String,
        /// `None` in created/broken and an application-level changed.
        remote_unit: Option<String>,
        /// departed only.
        departing_unit: Option<String>,
    },
    /// `secret-<kind>`.
    Secret {
        kind: SecretEventKind,
        /// The secret URI.
        id: String,
        label: Option<String>,
        /// expired and remove only.
        revision: Option<u32>,
    },
    /// `<name>-storage-<kind>`.
    Storage {
        kind: StorageEventKind,
        /// The storage id, `data/0`.
        id: String,
        storage_kind: StorageKind,
        location: String,
    },
    /// `<container>-pebble-<kind>`.
    Workload {
        kind: WorkloadEventKind,
        container: String,
        /// Notice id, type and key (custom-notice).
        notice: Option<(String, String, String)>,
        /// The check name (check-failed / check-recovered).
        check: Option<String>,
    },
    /// An action.
    Action {
        name: String,
        id: String,
        /// Params given for this run (schema defaults are added by the session).
        params: serde_json::Map<String, serde_json::Value>,
    },
}

/// Options that complete an event given by name: which relation, remote unit, secret, storage
/// instance, Pebble notice or check it is about, and an action's parameters and id (the
/// `goops-sim run` options of the same names).
#[derive(Debug, Clone, Default)]
pub struct EventOptions {
    /// Relation id for relation events (default: the only relation on the endpoint).
    pub relation_id: Option<u32>,
    /// Remote unit for relation events (default: the first remote unit for joined/changed/departed;
    /// empty: none, as in an application-level relation-changed).
    pub remote_unit: Option<String>,
    /// Departing unit for relation-departed (default: the remote unit).
    pub departing_unit: Option<String>,
    /// Secret URI or label for secret events.
    pub secret: Option<String>,
    /// Secret revision for secret-expired/secret-remove.
    pub secret_revision: Option<u32>,
    /// Storage id for storage events (default: the first instance of that storage).
    pub storage: Option<String>,
    /// Pebble notice id, type and key.
    pub notice: Option<(String, String, String)>,
    /// Pebble check name.
    pub check: Option<String>,
    /// Action params (merged over the schema defaults).
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Action id.
    pub action_id: Option<String>,
    /// The base a series upgrade moves to (`JUJU_TARGET_BASE`; default `ubuntu@24.04`).
    pub target_base: Option<String>,
}

/// The name of Juju's predefined action behind `juju exec` (`runner.go` `runJujuExecAction`).
pub(crate) const JUJU_EXEC: &str = "juju-exec";

/// The target base of a series-upgrade hook when the test does not give one.
const DEFAULT_TARGET_BASE: &str = "ubuntu@24.04";

/// Why an event cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct EventError(pub(crate) String);

impl Event {
    /// The kind of hook; `None` for an action.
    pub(crate) fn hook_kind(&self) -> Option<HookKind> {
        Some(match self {
            Event::Unit { kind, .. } => *kind,
            Event::Relation { kind, .. } => HookKind::Relation(*kind),
            Event::Secret { kind, .. } => HookKind::Secret(*kind),
            Event::Storage { kind, .. } => HookKind::Storage(*kind),
            Event::Workload { kind, .. } => HookKind::Workload(*kind),
            Event::Action { .. } => return None,
        })
    }

    /// The full hook name (`db-relation-changed`), or the action name for actions.
    pub(crate) fn name(&self) -> String {
        let scope = match self {
            Event::Action { name, .. } => return name.clone(),
            Event::Relation { relation, .. } => Some(relation.endpoint.as_str()),
            Event::Storage { id, .. } => id.split('/').next(),
            Event::Workload { container, .. } => Some(container.as_str()),
            Event::Unit { .. } | Event::Secret { .. } => None,
        };
        self.hook_kind().map(|kind| kind.hook_name(scope)).unwrap_or_default()
    }

    /// `JUJU_DISPATCH_PATH`.
    pub(crate) fn dispatch_path(&self) -> String {
        match self {
            Event::Action { name, .. } => format!("actions/{name}"),
            other => format!("hooks/{}", other.name()),
        }
    }

    /// Whether this is an action.
    pub(crate) fn is_action(&self) -> bool {
        matches!(self, Event::Action { .. })
    }

    /// A `juju exec` command: Juju runs it as its predefined `juju-exec` action (no charm can
    /// declare an action of that name: the `juju-` prefix is reserved).
    pub(crate) fn juju_exec(command: &str, timeout: std::time::Duration, id: &str) -> Event {
        let mut params = serde_json::Map::new();
        params.insert("command".to_owned(), command.into());
        // runner.go reads the timeout as nanoseconds (a float64 after serialisation).
        params.insert("timeout".to_owned(), serde_json::Value::from(timeout.as_nanos() as f64));
        Event::Action { name: JUJU_EXEC.to_owned(), id: id.to_owned(), params }
    }

    /// Whether this is a `juju exec` command rather than a hook or a charm action.
    pub(crate) fn is_exec(&self) -> bool {
        matches!(self, Event::Action { name, .. } if name == JUJU_EXEC)
    }

    /// The relation of a relation event.
    pub(crate) fn relation_id(&self) -> Option<u32> {
        match self {
            Event::Relation { relation, .. } => Some(relation.id),
            _ => None,
        }
    }

    /// `<endpoint>:<id>: `, which Juju puts before `juju-log` messages in a relation hook.
    pub(crate) fn log_prefix(&self) -> String {
        match self {
            Event::Relation { relation, .. } => format!("{relation}: "),
            _ => String::new(),
        }
    }

    /// Build the event named `name` (a hook name, `action:<name>`, `actions/<name>`,
    /// `hooks/<name>`, or a declared action name) against the charm and state.
    pub(crate) fn parse(name: &str, meta: &CharmMeta, state: &State, opts: &EventOptions) -> Result<Event, EventError> {
        let name = name.strip_prefix("hooks/").unwrap_or(name);
        if let Some(action) = name.strip_prefix("action:").or_else(|| name.strip_prefix("actions/")) {
            return Self::action(action, meta, state, opts);
        }
        match HookKind::parse(name) {
            Some((HookKind::Relation(kind), Some(endpoint))) => Self::relation(kind, endpoint, meta, state, opts),
            Some((HookKind::Secret(kind), _)) => Self::secret(kind, state, opts),
            Some((HookKind::Storage(kind), Some(storage))) => Self::storage(kind, storage, meta, state, opts),
            Some((HookKind::Workload(kind), Some(container))) => Self::workload(kind, container, name, meta, opts),
            Some((HookKind::LeaderElected, _)) if !state.leader => {
                Err(EventError("leader-elected goes to the new leader: set \"leader\": true".into()))
            }
            Some((kind @ (HookKind::PreSeriesUpgrade | HookKind::PostSeriesUpgrade), None)) => {
                let target_base = opts.target_base.clone().unwrap_or_else(|| DEFAULT_TARGET_BASE.to_owned());
                Ok(Event::Unit { kind, target_base: Some(target_base) })
            }
            Some((kind, None)) => Ok(Event::Unit { kind, target_base: None }),
            _ if meta.actions.contains_key(name) => Self::action(name, meta, state, opts),
            _ => Err(EventError(format!("unknown event {name:?}: not a Juju hook nor an action of this charm"))),
        }
    }

    fn action(name: &str, meta: &CharmMeta, state: &State, opts: &EventOptions) -> Result<Event, EventError> {
        if name.is_empty() {
            return Err(EventError("action name is empty".into()));
        }
        if !meta.actions.is_empty() && !meta.actions.contains_key(name) {
            return Err(EventError(format!("action {name:?} is not declared by the charm")));
        }
        if let Some(spec) = meta.actions.get(name) {
            // Juju checks the parameters against the charm's schema when the action is enqueued
            // (`juju run` fails and the action never runs). The params it would run with: the
            // state's (same action), then the event's.
            let mut params =
                state.action.as_ref().filter(|a| a.name == name).map(|a| a.params.clone()).unwrap_or_default();
            params.extend(opts.params.clone());
            spec.check_params(&params, &state.model.juju_version).map_err(|why: ParamError| {
                EventError(format!("action {name:?}: parameters do not match the charm's schema: {why}"))
            })?;
        }
        Ok(Event::Action {
            name: name.to_owned(),
            id: opts.action_id.clone().unwrap_or_else(|| "1".to_owned()),
            params: opts.params.clone(),
        })
    }

    fn relation(
        kind: RelationEventKind,
        endpoint: &str,
        meta: &CharmMeta,
        state: &State,
        opts: &EventOptions,
    ) -> Result<Event, EventError> {
        if !meta.endpoints.is_empty() && !meta.endpoints.contains_key(endpoint) {
            return Err(EventError(format!("endpoint {endpoint:?} is not declared by the charm")));
        }
        let on_endpoint: Vec<_> = state.relations.iter().filter(|r| r.endpoint == endpoint).collect();
        let relation = match opts.relation_id {
            Some(id) => state
                .relation(id)
                .filter(|r| r.endpoint == endpoint)
                .ok_or_else(|| EventError(format!("no relation {id} on endpoint {endpoint:?} in the state")))?,
            None => match on_endpoint.as_slice() {
                [one] => *one,
                [] => return Err(EventError(format!("no relation on endpoint {endpoint:?} in the state"))),
                _ => return Err(EventError(format!("several relations on endpoint {endpoint:?}: give a relation id"))),
            },
        };
        let remote_app =
            if relation.peer || meta.is_peer(endpoint) { state.app().to_owned() } else { relation.remote_app.clone() };
        let remote_unit = match (kind, opts.remote_unit.as_deref()) {
            (RelationEventKind::Created | RelationEventKind::Broken, _) => None,
            // An empty remote unit asks for an application-level relation-changed.
            (_, Some("")) => None,
            (_, Some(unit)) => Some(unit.to_owned()),
            (_, None) => relation.remote_units.keys().next().cloned(),
        };
        if let Some(unit) = &remote_unit {
            if goops_juju::unit::app_of(unit).ok() != Some(remote_app.as_str()) {
                return Err(EventError(format!("remote unit {unit:?} is not a unit of {remote_app:?}")));
            }
            if !relation.remote_units.contains_key(unit) {
                return Err(EventError(format!(
                    "remote unit {unit:?} is not in relation {endpoint}:{}: add it to remote_units",
                    relation.id
                )));
            }
        }
        let departing_unit = match kind {
            RelationEventKind::Departed => opts.departing_unit.clone().or_else(|| remote_unit.clone()),
            _ => None,
        };
        Ok(Event::Relation {
            kind,
            relation: RelationId::new(endpoint, relation.id),
            remote_app,
            remote_unit,
            departing_unit,
        })
    }

    fn secret(kind: SecretEventKind, state: &State, opts: &EventOptions) -> Result<Event, EventError> {
        let hook = HookKind::Secret(kind).juju_name();
        let Some(wanted) = &opts.secret else {
            return Err(EventError(format!("{hook} needs a secret (--secret <uri or label>)")));
        };
        let secret = state
            .secret(wanted)
            .or_else(|| {
                state
                    .secrets
                    .iter()
                    .find(|s| s.label.as_deref() == Some(wanted) || s.consumer_label.as_deref() == Some(wanted))
            })
            .ok_or_else(|| EventError(format!("secret {wanted:?} is not in the state")))?;
        // secret-changed goes to the units that track a revision: consumers, and (Juju >= 3.1.7,
        // juju/juju#16598) owner units that have read their own secret; rotate, expired and remove
        // go to the owner.
        let consumer_event = kind == SecretEventKind::Changed;
        if consumer_event && secret.is_owned() && secret.tracked.is_none() {
            return Err(EventError(format!(
                "{hook} goes to a secret's consumers, and to owner units that have read it; {} is owned \
                 and not read by this unit (no tracked revision)",
                secret.id
            )));
        }
        if !consumer_event && !secret.is_owned() {
            return Err(EventError(format!("{hook} goes to a secret's owners; {} does not fit", secret.id)));
        }
        if !consumer_event && secret.is_app_owned() && !state.leader {
            return Err(EventError(format!("{hook} of an application-owned secret goes to the leader")));
        }
        let revision = match kind {
            SecretEventKind::Expired | SecretEventKind::Remove => {
                Some(opts.secret_revision.unwrap_or_else(|| secret.latest()))
            }
            SecretEventKind::Changed | SecretEventKind::Rotate => None,
        };
        let label = if secret.is_owned() { secret.label.clone() } else { secret.consumer_label.clone() };
        let id = goops_juju::secret::secret_uri(&secret.id);
        Ok(Event::Secret { kind, id, label, revision })
    }

    fn storage(
        kind: StorageEventKind,
        name: &str,
        meta: &CharmMeta,
        state: &State,
        opts: &EventOptions,
    ) -> Result<Event, EventError> {
        if !meta.storage.is_empty() && !meta.storage.contains_key(name) {
            return Err(EventError(format!("storage {name:?} is not declared by the charm")));
        }
        let instance = match &opts.storage {
            Some(id) => state.storage.iter().find(|s| &s.id() == id && s.name == name),
            None => state.storage.iter().find(|s| s.name == name),
        }
        .ok_or_else(|| EventError(format!("no storage {name:?} attached in the state")))?;
        Ok(Event::Storage { kind, id: instance.id(), storage_kind: instance.kind, location: instance.location.clone() })
    }

    fn workload(
        kind: WorkloadEventKind,
        container: &str,
        name: &str,
        meta: &CharmMeta,
        opts: &EventOptions,
    ) -> Result<Event, EventError> {
        if !meta.containers.is_empty() && !meta.containers.contains_key(container) {
            return Err(EventError(format!("container {container:?} is not declared by the charm")));
        }
        let (notice, check) = match kind {
            WorkloadEventKind::PebbleReady => (None, None),
            WorkloadEventKind::PebbleCustomNotice => match &opts.notice {
                Some(notice) => (Some(notice.clone()), None),
                None => return Err(EventError(format!("{name} needs --notice-id, --notice-type and --notice-key"))),
            },
            WorkloadEventKind::PebbleCheckFailed | WorkloadEventKind::PebbleCheckRecovered => match &opts.check {
                Some(check) => (None, Some(check.clone())),
                None => return Err(EventError(format!("{name} needs --check"))),
            },
        };
        Ok(Event::Workload { kind, container: container.to_owned(), notice, check })
    }
}
