//! The controller's side of a model: applications, units, relations with their data bags,
//! secrets, leadership and the clock, as plain data (JSON). Model operations change this
//! "remote" state; each unit's agent ([`super::agent`]) compares it with what the unit has
//! already seen (its [`AgentState`]) to choose its next hook, as Juju's uniter does.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::state::{
    Bag, ContainerState, LogRecord, Model as ModelInfo, OpenedPort, SecretGrant, SecretRevision, StatusRecord, Storage,
};

/// The whole model as the controller holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Controller {
    /// The model's name, uuid, type (machine or kubernetes) and Juju version.
    pub model: ModelInfo,
    /// The model clock (update-status ticks, secret rotation and expiry).
    pub clock: DateTime<Utc>,
    /// Model config `update-status-hook-interval`, in seconds (default 300).
    pub update_status_interval: u64,
    /// How many update-status ticks the clock has passed (a unit runs update-status when its
    /// agent last saw a smaller tick and nothing else is runnable).
    pub update_status_tick: u64,
    /// Applications by name.
    pub applications: BTreeMap<String, Application>,
    /// Units by name (`app/N`); iterate with [`Controller::unit_names`] for numeric order.
    pub units: BTreeMap<String, Unit>,
    /// Relations, peer relations included, in creation order.
    pub relations: Vec<RelationDoc>,
    /// Secrets, in creation order (ids are random; creation order keeps runs reproducible).
    pub secrets: Vec<SecretDoc>,
    /// The next relation id.
    pub next_relation_id: u32,
    /// The next action id.
    pub next_action_id: u32,
}

impl Default for Controller {
    fn default() -> Self {
        Controller {
            model: ModelInfo::default(),
            // A fixed start keeps seeded runs reproducible.
            clock: DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap_or_default(),
            update_status_interval: 300,
            update_status_tick: 0,
            applications: BTreeMap::new(),
            units: BTreeMap::new(),
            relations: Vec::new(),
            secrets: Vec::new(),
            next_relation_id: 0,
            next_action_id: 1,
        }
    }
}

impl Controller {
    /// Unit names in Juju's order: by application name, then by unit number (`a/2` before
    /// `a/10`).
    pub fn unit_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.units.keys().cloned().collect();
        names.sort_by_key(|n| unit_sort_key(n));
        names
    }

    /// The units of `app` in number order.
    pub fn units_of(&self, app: &str) -> Vec<String> {
        self.unit_names().into_iter().filter(|u| self.units.get(u).is_some_and(|x| x.app == app)).collect()
    }

    /// A relation by id.
    pub fn relation(&self, id: u32) -> Option<&RelationDoc> {
        self.relations.iter().find(|r| r.id == id)
    }

    /// A relation by id, mutably.
    pub fn relation_mut(&mut self, id: u32) -> Option<&mut RelationDoc> {
        self.relations.iter_mut().find(|r| r.id == id)
    }

    /// A secret by URI or bare id.
    pub fn secret(&self, id: &str) -> Option<&SecretDoc> {
        let bare = goops_juju::secret::bare_secret_id(id);
        self.secrets.iter().find(|s| goops_juju::secret::bare_secret_id(&s.id) == bare)
    }

    /// A secret by URI or bare id, mutably.
    pub fn secret_mut(&mut self, id: &str) -> Option<&mut SecretDoc> {
        let bare = goops_juju::secret::bare_secret_id(id).to_owned();
        self.secrets.iter_mut().find(|s| goops_juju::secret::bare_secret_id(&s.id) == bare)
    }
}

/// `(app, number)` for sorting unit names.
pub(crate) fn unit_sort_key(name: &str) -> (String, u64) {
    match name.rsplit_once('/') {
        Some((app, n)) => (app.to_owned(), n.parse().unwrap_or(u64::MAX)),
        None => (name.to_owned(), u64::MAX),
    }
}

/// Alive, dying or dead (Juju's `Life`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Life {
    /// Alive.
    #[default]
    Alive,
    /// Being removed: teardown hooks run.
    Dying,
    /// Gone: no more hooks.
    Dead,
}

/// Where an application's charm comes from, as the model file and the JSON state name it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CharmSource {
    /// The charm's directory (its metadata; its `dispatch` unless `dispatch` is given).
    pub dir: String,
    /// A charm binary to stage as `dispatch` next to the metadata of `dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dispatch: Option<String>,
    /// Whether it runs in-process (a Rust charm type in a test; the JSON cannot rebuild it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_process: bool,
}

/// An application.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Application {
    /// The application name.
    pub name: String,
    /// The charm's name (from its metadata).
    pub charm_name: String,
    /// Where the charm comes from.
    pub charm: CharmSource,
    /// The charm revision; `upgrade` increments it and each unit runs upgrade-charm.
    pub charm_revision: u32,
    /// Config set by the operator (defaults come from the charm).
    pub config: BTreeMap<String, serde_json::Value>,
    /// Bumped on every effective config change (the agents' config hash).
    pub config_version: u64,
    /// Whether the application is trusted.
    pub trusted: bool,
    /// The unit holding the leadership lease.
    pub leader: Option<String>,
    /// Leader settings (`leader-set`).
    pub leader_settings: Bag,
    /// Bumped on every effective leader-settings change.
    pub leader_settings_version: u64,
    /// The application status (set by the leader).
    pub status: StatusRecord,
    /// The next unit number.
    pub next_unit: u32,
    /// Alive or dying.
    pub life: Life,
}

/// A unit: what the controller knows of it, and its agent's local state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Unit {
    /// `app/N`.
    pub name: String,
    /// Its application.
    pub app: String,
    /// Alive, dying or dead.
    pub life: Life,
    /// The machine id (machine models).
    pub machine: String,
    /// The workload status.
    pub status: StatusRecord,
    /// `application-version-set`.
    pub workload_version: String,
    /// `state-set` data.
    pub unit_state: Bag,
    /// Opened ports.
    pub opened_ports: Vec<OpenedPort>,
    /// Attached storage.
    pub storage: Vec<Storage>,
    /// Workload containers (Kubernetes) and their Pebble.
    pub containers: BTreeMap<String, ContainerState>,
    /// Per container: its Pebble's boot number (a container restart makes a new boot, and the
    /// agent runs pebble-ready once per boot).
    pub container_boots: BTreeMap<String, u64>,
    /// The newest `juju-log` records (bounded).
    pub juju_log: Vec<LogRecord>,
    /// The unit agent's local state.
    pub agent: AgentState,
}

/// One endpoint of a relation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EndpointRef {
    /// The application.
    pub app: String,
    /// Its endpoint name.
    pub endpoint: String,
}

/// A data bag and how many effective writes it has had (Juju's settings version: a no-op
/// write does not bump it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Versioned {
    /// Effective writes so far (0: never written).
    pub version: u64,
    /// The data.
    pub data: Bag,
}

/// A relation as the controller holds it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RelationDoc {
    /// The relation id.
    pub id: u32,
    /// The interface.
    pub interface: String,
    /// The endpoints: one for a peer relation, two otherwise.
    pub endpoints: Vec<EndpointRef>,
    /// Alive, or dying after remove-relation (Dead relations are dropped).
    pub life: Life,
    /// Application bags by application name.
    pub app_data: BTreeMap<String, Versioned>,
    /// Unit bags by unit name (created with the address keys when the unit enters scope).
    pub unit_data: BTreeMap<String, Versioned>,
    /// Units in scope (entered, not departed).
    pub scope: BTreeSet<String>,
}

impl RelationDoc {
    /// Whether this is a peer relation.
    pub fn is_peer(&self) -> bool {
        self.endpoints.len() == 1
    }

    /// The endpoint of `app` in this relation.
    pub fn endpoint_of(&self, app: &str) -> Option<&EndpointRef> {
        self.endpoints.iter().find(|e| e.app == app)
    }

    /// The other application (the same one for a peer relation).
    pub fn remote_app_of(&self, app: &str) -> Option<&str> {
        if self.is_peer() {
            return self.endpoints.first().map(|e| e.app.as_str());
        }
        self.endpoints.iter().find(|e| e.app != app).map(|e| e.app.as_str())
    }
}

/// Who owns a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretOwnerRef {
    /// An application (managed by its leader).
    Application(String),
    /// A unit.
    Unit(String),
}

/// A consumer's record of a secret (Juju's secret consumer doc), per unit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsumerRecord {
    /// The revision the unit tracks.
    pub tracked: u32,
    /// The unit's consumer label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A secret as the controller holds it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretDoc {
    /// The URI.
    pub id: String,
    /// The owner.
    pub owner: SecretOwnerRef,
    /// The owner's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Expiry of the latest revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire: Option<DateTime<Utc>>,
    /// Rotation policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate: Option<goops_juju::RotatePolicy>,
    /// Next rotation due, on the model clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_rotate: Option<DateTime<Utc>>,
    /// Revisions (content redacted in Debug).
    pub revisions: Vec<SecretRevision>,
    /// Grants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<SecretGrant>,
    /// Consumer records by unit (owner units that read it included).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub consumers: BTreeMap<String, ConsumerRecord>,
}

// The derived Debug would be fine (revisions redact themselves); written out to keep it short.
impl std::fmt::Debug for SecretDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretDoc")
            .field("id", &self.id)
            .field("owner", &self.owner)
            .field("label", &self.label)
            .field("revisions", &self.revisions)
            .field("grants", &self.grants)
            .field("consumers", &self.consumers)
            .finish()
    }
}

impl SecretDoc {
    /// The latest revision number.
    pub fn latest(&self) -> u32 {
        self.revisions.iter().map(|r| r.revision).max().unwrap_or(0)
    }
}

/// What one unit's agent has seen and done: the local half of Juju's resolver (persisted on
/// the controller in Juju, so restarts never replay install or joined).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentState {
    /// install has run.
    pub installed: bool,
    /// start has run (and no stop since).
    pub started: bool,
    /// stop has run.
    pub stopped: bool,
    /// remove has run: the unit is Dead.
    pub removed: bool,
    /// The agent believes it is leader (it accepted the lease; leader-elected queued or run).
    pub leader: bool,
    /// The leader-settings version last seen (`None`: not since the agent started).
    pub leader_settings_seen: Option<u64>,
    /// The config version last seen (`None`: config-changed has never run).
    pub config_seen: Option<u64>,
    /// The charm revision the unit runs.
    pub charm_revision: u32,
    /// The update-status tick last seen.
    pub update_status_tick_seen: u64,
    /// Per relation id: what the unit has seen of it.
    pub relations: BTreeMap<u32, RelationSeen>,
    /// Per secret URI: the revision secret-changed last ran for (consumers).
    pub secrets_notified: BTreeMap<String, u32>,
    /// `(secret URI, revision)` pairs secret-remove ran for (owner).
    pub removes_notified: BTreeSet<(String, u32)>,
    /// `(secret URI, revision)` pairs secret-expired ran for at the current due time.
    pub expiries_notified: BTreeSet<(String, u32)>,
    /// Per container: the Pebble boot the unit last ran pebble-ready for.
    pub pebble_ready_seen: BTreeMap<String, u64>,
    /// Storage ids storage-attached ran for.
    pub storage_attached: BTreeSet<String>,
    /// A hook queued by the previous hook's commit (config-changed → start, upgrade-charm →
    /// config-changed, accepting leadership → leader-elected). Runs next.
    pub queued: Option<Op>,
    /// Actions waiting to run, oldest first.
    pub actions: VecDeque<Op>,
    /// The hook in error, if any: nothing but actions runs until it is retried and succeeds.
    pub error: Option<HookError>,
}

/// What a unit has seen of one relation (Juju's relation state file).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RelationSeen {
    /// relation-created has run.
    pub created: bool,
    /// Remote units it has run joined for, with the bag version last seen in a hook.
    pub members: BTreeMap<String, u64>,
    /// The remote application bag version last seen.
    pub app_version_seen: u64,
    /// A unit whose relation-changed must follow its joined, before any other hook of this
    /// relation.
    pub changed_pending: Option<String>,
    /// relation-broken has run.
    pub broken: bool,
}

/// A hook that failed and holds the unit in error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookError {
    /// The hook to retry.
    pub op: Op,
    /// Why it failed.
    pub message: String,
    /// Whether the failure was injected by the seeded scheduler (retried automatically).
    pub injected: bool,
}

/// One operation a unit runs: a hook with its context, or an action. A flat record so that
/// it reads well in JSON and traces.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Op {
    /// The hook name (`db-relation-changed`), or the action name for an action.
    pub hook: String,
    /// The relation id (relation hooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation_id: Option<u32>,
    /// `JUJU_REMOTE_UNIT` (relation hooks; `None` for created, broken, app-level changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_unit: Option<String>,
    /// `JUJU_DEPARTING_UNIT` (departed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departing_unit: Option<String>,
    /// The secret URI (secret hooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The secret revision (secret-expired, secret-remove).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_revision: Option<u32>,
    /// The storage id (storage hooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// The container (Pebble hooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Pebble notice id, type, key (custom-notice).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<(String, String, String)>,
    /// Pebble check name (check-failed/recovered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// An action: its id and params (`hook` is the action name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionRequest>,
}

/// An action to run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActionRequest {
    /// The action id.
    pub id: String,
    /// Its params.
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl Op {
    /// A hook with no context (`install`, `config-changed`, …).
    pub fn hook(name: &str) -> Op {
        Op { hook: name.to_owned(), ..Op::default() }
    }

    /// Whether this op is an action.
    pub fn is_action(&self) -> bool {
        self.action.is_some()
    }
}
