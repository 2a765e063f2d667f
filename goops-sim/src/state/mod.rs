//! The state of one unit as Juju sees it, readable and writable as JSON.
//!
//! A [`State`] is a plain value: a future local model can hold many of them. Everything has a
//! default, so `{}` is a valid state (unit `app/0` of model `test-model`, not leader, no
//! relations). The format is documented in the crate README.
//!
//! Juju's own names are goops-juju's types, re-exported here: [`SecretOwner`], [`StatusName`],
//! [`RotatePolicy`], [`StorageKind`].

mod container;
mod network;
mod records;
mod secret;

use std::collections::BTreeMap;
use std::path::PathBuf;

use goops_juju::secret::{bare_secret_id, is_valid_secret_id};
pub use goops_juju::{RotatePolicy, SecretOwner, StatusName, StorageKind};
use serde::{Deserialize, Serialize};

pub use container::{
    ChangeRecord, CheckRecord, CheckStatus, ContainerState, ExecRecord, ExecRule, FileRecord, LayerRecord,
    NoticeRecord, PebbleRequestRecord, ServiceRecord, ServiceStatus, TaskRecord,
};
pub use network::{Address, Addresses, BindAddress, CloudCredential, CloudSpec, MachinePort, Network, OpenedPort};
pub use records::{Action, GoalState, GoalStatus, LogRecord, MetricRecord, Reboot, StatusRecord};
pub(crate) use secret::{LabelHolder, label_clash};
pub use secret::{Secret, SecretContent, SecretGrant, SecretRevision};

/// A relation or unit-state data bag: string keys to string values.
pub type Bag = BTreeMap<String, String>;

/// Everything about one unit, its application and what it can see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct State {
    /// The model the unit is in.
    pub model: Model,
    /// The unit name, `app/N`; the application name is the part before `/`.
    pub unit: String,
    /// The machine id (`JUJU_MACHINE_ID`); ignored on Kubernetes models.
    pub machine_id: String,
    /// `JUJU_AVAILABILITY_ZONE`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub availability_zone: String,
    /// The principal unit, for subordinates (`JUJU_PRINCIPAL_UNIT`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub principal_unit: String,
    /// Whether this unit is the leader.
    pub leader: bool,
    /// The unit's workload status.
    pub unit_status: StatusRecord,
    /// The application status.
    pub app_status: StatusRecord,
    /// Statuses of the other units of this application (`status-get --application` lists them;
    /// peers absent here show as `unknown`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub peer_unit_statuses: BTreeMap<String, StatusRecord>,
    /// Previous unit statuses, oldest first (the current one is `unit_status`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unit_status_history: Vec<StatusRecord>,
    /// Previous application statuses, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub app_status_history: Vec<StatusRecord>,
    /// The workload version (`application-version-set`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub workload_version: String,
    /// Config values set by the operator; defaults come from the charm's `config.options`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, serde_json::Value>,
    /// Relations, including peer relations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// Secrets this unit owns or can read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Secret>,
    /// Ports this unit has opened.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub opened_ports: Vec<OpenedPort>,
    /// Ports opened by other units on the same machine (for conflict checks).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub machine_ports: Vec<MachinePort>,
    /// Server-side unit state (`state-get`/`state-set`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unit_state: Bag,
    /// Leader settings (`leader-get`/`leader-set`, Juju 3.x).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub leader_settings: Bag,
    /// Attached storage instances.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<Storage>,
    /// Storage requested with `storage-add`: name → count.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub storage_requests: BTreeMap<String, u32>,
    /// Networks per binding name; bindings the charm declares but that are absent here get
    /// [`Network::default`].
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub networks: BTreeMap<String, Network>,
    /// Unit addresses for `unit-get` (default: the default network's ingress address).
    pub addresses: Addresses,
    /// Resources: name → local path served by `resource-get`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub resources: BTreeMap<String, PathBuf>,
    /// The goal state; when absent it is derived from the unit and its relations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_state: Option<GoalState>,
    /// The cloud spec `credential-get` returns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_spec: Option<CloudSpec>,
    /// Whether the application is trusted (`juju trust`); `credential-get` requires it.
    #[serde(skip_serializing_if = "is_false")]
    pub trusted: bool,
    /// The running action, its params, and what it recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// A reboot requested with `juju-reboot`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reboot: Option<Reboot>,
    /// The workload containers (Kubernetes sidecar charms) by name, each with its simulated
    /// Pebble's state: can-connect, layers, services, checks, notices, files, exec rules and
    /// the history of requests. Containers the charm declares but that are absent here have
    /// no Pebble in the run (as before the pod's containers start).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub containers: BTreeMap<String, ContainerState>,
    /// `juju-log` records, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub juju_log: Vec<LogRecord>,
    /// Metrics recorded with `add-metric`, oldest first (Juju sends them to the controller).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricRecord>,
}

// Juju's quotas on unit state, together: per key and value at `state-set` (the hook context,
// `core/quota` `MaxCharmStateKeySize`/`MaxCharmStateValueSize`), in all at commit.

/// The longest unit-state key, in bytes (`core/quota` `MaxCharmStateKeySize`).
pub const MAX_CHARM_STATE_KEY_SIZE: usize = 256;
/// The longest unit-state value, in bytes (`core/quota` `MaxCharmStateValueSize`).
pub const MAX_CHARM_STATE_VALUE_SIZE: usize = 65_536;

/// The hook context's check of one `state-set` pair, with Juju's texts.
pub(crate) fn check_charm_state_entry(key: &str, value: &str) -> Result<(), String> {
    if key.len() > MAX_CHARM_STATE_KEY_SIZE {
        return Err(format!("max allowed key length ({MAX_CHARM_STATE_KEY_SIZE}) exceeded"));
    }
    if value.len() > MAX_CHARM_STATE_VALUE_SIZE {
        return Err(format!("max allowed value length ({MAX_CHARM_STATE_VALUE_SIZE}) exceeded"));
    }
    Ok(())
}

/// Juju's default quota on a unit's charm state, all keys and values together
/// (`controller.DefaultMaxCharmStateSize`, controller config `max-charm-state-size`).
pub const MAX_CHARM_STATE_SIZE: usize = 2 * 1024 * 1024;

/// The controller's check of a unit's whole charm state when a hook's changes are committed
/// (state `unitSetStateOperation`: `quota.NewBSONTotalSizeChecker(MaxCharmStateSize)` over the
/// map with Mongo-escaped keys). Juju refuses the commit, and so the hook, with
/// `persisting charm state: max allowed size (2097152) exceeded`.
pub fn check_charm_state_size(state: &Bag) -> Result<(), String> {
    if charm_state_bson_size(state) > MAX_CHARM_STATE_SIZE {
        return Err(format!("persisting charm state: max allowed size ({MAX_CHARM_STATE_SIZE}) exceeded"));
    }
    Ok(())
}

/// The BSON size of a `map[string]string` whose keys have `.` and `$` escaped to their
/// full-width forms (3 bytes each in UTF-8): 4 (length) + 1 (terminator), and per entry 1
/// (type) + the key + 1 (NUL) + 4 (length) + the value + 1 (NUL).
fn charm_state_bson_size(state: &Bag) -> usize {
    let escaped_key = |k: &str| k.len() + 2 * k.bytes().filter(|b| matches!(b, b'.' | b'$')).count();
    5 + state.iter().map(|(k, v)| 7 + escaped_key(k) + v.len()).sum::<usize>()
}

/// The most `juju-log` records a state keeps (the newest). Juju keeps logs by size, not count
/// (log files rotate at `agent-logfile-max-size`, 100 MB; the model's log store at
/// `model-logs-size`, 20 MB); goops-sim keeps a count, enough for any one test.
pub const MAX_LOG_RECORDS: usize = 10_000;
/// The most previous statuses a state keeps per entity (the newest). Juju prunes status history
/// by age and size (`max-status-history-age` 336h, `max-status-history-size` 5 GB).
pub const MAX_STATUS_HISTORY: usize = 1_000;
/// The most recorded metrics a state keeps (the newest); Juju sends them on and drops them.
pub const MAX_METRICS: usize = 10_000;

impl Default for State {
    fn default() -> Self {
        State {
            model: Model::default(),
            unit: "app/0".to_owned(),
            machine_id: "0".to_owned(),
            availability_zone: String::new(),
            principal_unit: String::new(),
            leader: false,
            unit_status: StatusRecord::default(),
            app_status: StatusRecord::default(),
            peer_unit_statuses: BTreeMap::new(),
            unit_status_history: Vec::new(),
            app_status_history: Vec::new(),
            workload_version: String::new(),
            config: BTreeMap::new(),
            relations: Vec::new(),
            secrets: Vec::new(),
            opened_ports: Vec::new(),
            machine_ports: Vec::new(),
            unit_state: Bag::new(),
            leader_settings: Bag::new(),
            storage: Vec::new(),
            storage_requests: BTreeMap::new(),
            networks: BTreeMap::new(),
            addresses: Addresses::default(),
            resources: BTreeMap::new(),
            goal_state: None,
            cloud_spec: None,
            trusted: false,
            action: None,
            reboot: None,
            containers: BTreeMap::new(),
            juju_log: Vec::new(),
            metrics: Vec::new(),
        }
    }
}

impl State {
    /// Parse a state from JSON.
    pub fn from_json(text: &str) -> Result<State, serde_json::Error> {
        let mut state: State = serde_json::from_str(text)?;
        // Which relations gave their unit bag is known only from the text: a bag given (even
        // one equal to the default network's settings) is kept as it is.
        let given: PresenceOfUnitBags = serde_json::from_str(text)?;
        state.enter_scope_on_own_networks(&given.relations);
        state.trim_histories();
        Ok(state)
    }

    /// Drop the oldest log records, status history entries and metrics past
    /// [`MAX_LOG_RECORDS`], [`MAX_STATUS_HISTORY`] and [`MAX_METRICS`], so a state run through
    /// any number of hooks stays bounded. Done when a state is read and before each hook.
    pub fn trim_histories(&mut self) {
        fn keep_last<T>(items: &mut Vec<T>, max: usize) {
            if items.len() > max {
                items.drain(..items.len() - max);
            }
        }
        keep_last(&mut self.juju_log, MAX_LOG_RECORDS);
        keep_last(&mut self.unit_status_history, MAX_STATUS_HISTORY);
        keep_last(&mut self.app_status_history, MAX_STATUS_HISTORY);
        keep_last(&mut self.metrics, MAX_METRICS);
    }

    /// Give relations whose unit bag was not written down (and so holds the default
    /// network's enter-scope settings) the settings of the endpoint's own network, if the
    /// state gives one. `given` is, per relation in order, whether its JSON had the bag.
    fn enter_scope_on_own_networks(&mut self, given: &[RelationPresence]) {
        for (relation, presence) in self.relations.iter_mut().zip(given) {
            if presence.local_unit_data.is_none()
                && let Some(network) = self.networks.get(&relation.endpoint)
            {
                relation.local_unit_data = network.enter_scope_settings();
            }
        }
    }

    /// The state as pretty JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The application name (the unit name before `/`).
    pub fn app(&self) -> &str {
        goops_juju::unit::app_of(&self.unit).unwrap_or(&self.unit)
    }

    /// The relation with this id.
    pub fn relation(&self, id: u32) -> Option<&Relation> {
        self.relations.iter().find(|r| r.id == id)
    }

    /// The relation with this id, mutably.
    pub fn relation_mut(&mut self, id: u32) -> Option<&mut Relation> {
        self.relations.iter_mut().find(|r| r.id == id)
    }

    /// The secret whose URI or bare id is `id`.
    pub fn secret(&self, id: &str) -> Option<&Secret> {
        let bare = bare_secret_id(id);
        self.secrets.iter().find(|s| bare_secret_id(&s.id) == bare)
    }

    /// The secret whose URI or bare id is `id`, mutably.
    pub fn secret_mut(&mut self, id: &str) -> Option<&mut Secret> {
        let bare = bare_secret_id(id).to_owned();
        self.secrets.iter_mut().find(|s| bare_secret_id(&s.id) == bare)
    }

    /// The container `name`.
    pub fn container(&self, name: &str) -> Option<&ContainerState> {
        self.containers.get(name)
    }

    /// Check the state's own consistency (unique relation ids, well-formed names).
    pub fn validate(&self) -> Result<(), String> {
        if goops_juju::unit::app_of(&self.unit).is_err() {
            return Err(format!("unit name {:?} is not of the form app/N", self.unit));
        }
        for name in self.containers.keys() {
            // Each name is a directory of the run (`<run>/containers/<name>/pebble.socket`).
            if !is_container_name(name) {
                return Err(format!(
                    "container name {name:?} is not a DNS label (1 to 63 lowercase letters, digits and \
                     hyphens, starting and ending with a letter or digit), as Kubernetes requires"
                ));
            }
        }
        let mut ids = std::collections::BTreeSet::new();
        for relation in &self.relations {
            if !ids.insert(relation.id) {
                return Err(format!("relation id {} is used twice", relation.id));
            }
            if relation.endpoint.is_empty() {
                return Err(format!("relation {} has no endpoint", relation.id));
            }
        }
        let mut secret_ids = std::collections::BTreeSet::new();
        for secret in &self.secrets {
            if !secret_ids.insert(bare_secret_id(&secret.id).to_owned()) {
                return Err(format!("secret {} is listed twice", secret.id));
            }
            if !is_valid_secret_id(bare_secret_id(&secret.id)) {
                return Err(format!("secret id {:?} is not a secret URI (secret:<20 chars of [0-9a-z]>)", secret.id));
            }
            if secret.revisions.is_empty() {
                return Err(format!("secret {} has no revisions", secret.id));
            }
        }
        secret::validate_all(&self.secrets)?;
        Ok(())
    }
}

/// A name Juju can give a workload container: it names the pod's Kubernetes container, which
/// must be a DNS label (RFC 1123: 1 to 63 lowercase letters, digits and hyphens, starting and
/// ending with a letter or digit; Kubernetes `Container.Name`, `IsDNS1123Label`). It is also
/// a directory of the run (`<run>/containers/<name>/pebble.socket`).
fn is_container_name(name: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    (1..=63).contains(&name.len())
        && name.chars().all(|c| alnum(c) || c == '-')
        && name.starts_with(alnum)
        && name.ends_with(alnum)
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Model {
    /// Model name.
    pub name: String,
    /// Model UUID.
    pub uuid: String,
    /// `machine` or `kubernetes`.
    #[serde(rename = "type")]
    pub model_type: ModelType,
    /// The agent version (`JUJU_VERSION`).
    pub juju_version: String,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            name: "test-model".to_owned(),
            uuid: "12345678-1234-5678-1234-567812345678".to_owned(),
            model_type: ModelType::Machine,
            juju_version: "3.6.9".to_owned(),
        }
    }
}

/// The kind of model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelType {
    /// A machine (IAAS) model.
    #[default]
    Machine,
    /// A Kubernetes (CAAS) model.
    Kubernetes,
}

/// A relation (or peer relation) as this unit sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Relation {
    /// The relation id.
    pub id: u32,
    /// The local endpoint name.
    pub endpoint: String,
    /// The interface name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub interface: String,
    /// Whether this is a peer relation (the remote app is this unit's own app).
    #[serde(skip_serializing_if = "is_false")]
    pub peer: bool,
    /// The remote application (for peers: ignored, it is this unit's app).
    pub remote_app: String,
    /// Remote units in the relation with their data bags (for peers: the other units).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub remote_units: BTreeMap<String, Bag>,
    /// The remote application's data bag.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub remote_app_data: Bag,
    /// This unit's data bag. Juju fills it with `private-address`, `ingress-address` and
    /// `egress-subnets` when the unit enters the relation's scope, so when a state file does not
    /// give it, it holds those, from the unit's network for the endpoint (`networks`, else the
    /// default network); `Relation::default()` holds the default network's. Written out even
    /// when empty, so a bag the charm emptied stays empty.
    #[serde(default = "default_local_unit_data")]
    pub local_unit_data: Bag,
    /// This application's data bag.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub local_app_data: Bag,
    /// The remote application's model, for cross-model relations (default: this model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_model_uuid: Option<String>,
}

impl Default for Relation {
    fn default() -> Self {
        Relation {
            id: 0,
            endpoint: String::new(),
            interface: String::new(),
            peer: false,
            remote_app: "remote".to_owned(),
            remote_units: BTreeMap::new(),
            remote_app_data: Bag::new(),
            local_unit_data: default_local_unit_data(),
            local_app_data: Bag::new(),
            remote_model_uuid: None,
        }
    }
}

/// Which keys a state file's relations give (read beside [`State`], whose defaults hide it).
#[derive(Deserialize)]
struct PresenceOfUnitBags {
    #[serde(default)]
    relations: Vec<RelationPresence>,
}

/// One relation of [`PresenceOfUnitBags`]: `Some` when `local_unit_data` was given.
#[derive(Deserialize)]
struct RelationPresence {
    #[serde(default)]
    local_unit_data: Option<serde::de::IgnoredAny>,
}

/// The unit's own bag on entering a relation's scope, on the default network.
fn default_local_unit_data() -> Bag {
    Network::default().enter_scope_settings()
}

/// A storage instance attached to the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Storage {
    /// The charm's storage name (`data`).
    pub name: String,
    /// The instance index (`data/0` → 0).
    pub index: u32,
    /// `filesystem` (the default) or `block`.
    pub kind: StorageKind,
    /// Mount point or device path.
    pub location: String,
}

impl Default for Storage {
    fn default() -> Self {
        Storage { name: String::new(), index: 0, kind: StorageKind::Filesystem, location: String::new() }
    }
}

impl Storage {
    /// The storage id, `name/index`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.name, self.index)
    }
}

/// The line put first when a hook's (or an action's) own oldest log records had to be dropped.
pub(crate) const LOG_CLIPPED: &str = "goops-sim dropped this hook's oldest log records (it keeps at most 10000)";

/// Bound `items`, appended to one at a time, at `max`: once past it, drop the oldest quarter
/// of `max` at once (so a loop of appends costs amortised O(1), not a shift per append).
/// Returns how many were dropped.
pub(crate) fn cap_on_append<T>(items: &mut Vec<T>, max: usize) -> usize {
    if items.len() <= max {
        return 0;
    }
    let drop = items.len() - max + max / 4;
    items.drain(..drop);
    drop
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_object_is_a_valid_state() {
        let state = State::from_json("{}").unwrap();
        assert_eq!(state.unit, "app/0");
        assert_eq!(state.app(), "app");
        assert_eq!(state.model.name, "test-model");
        assert_eq!(state.unit_status.status, StatusName::Unknown);
        assert!(state.validate().is_ok());
    }

    #[test]
    fn round_trips_through_json() {
        let text = r#"{"unit":"db/1","leader":true,"relations":[{"id":3,"endpoint":"db","remote_app":"x",
            "remote_units":{"x/0":{"a":"b"}}}],"secrets":[{"id":"secret:aaaaaaaaaaaaaaaaaaaa","owner":"none",
            "revisions":[{"revision":2,"content":{"key":"v"}}],"tracked":2}]}"#;
        let state = State::from_json(text).unwrap();
        assert_eq!(state.relation(3).unwrap().remote_units["x/0"]["a"], "b");
        assert_eq!(state.secret("aaaaaaaaaaaaaaaaaaaa").unwrap().latest(), 2);
        let again = State::from_json(&state.to_json()).unwrap();
        assert_eq!(again, state);
    }

    #[test]
    fn containers_load_round_trip_and_default_to_none() {
        // A state file from before containers existed loads, with none.
        let old = State::from_json(r#"{"unit": "web/0", "leader": true}"#).unwrap();
        assert!(old.containers.is_empty());
        assert!(!old.to_json().contains("containers"), "no containers, no key");
        let state = State::from_json(r#"{"containers": {"web": {}, "db": {"can_connect": false}}}"#).unwrap();
        assert!(state.container("web").unwrap().can_connect, "a listed container can connect by default");
        assert!(!state.container("db").unwrap().can_connect);
        assert_eq!(State::from_json(&state.to_json()).unwrap(), state);
        assert!(State::from_json(r#"{"containers": {"web": {"can_conect": true}}}"#).is_err(), "typos refused");
    }

    #[test]
    fn container_names_are_dns_labels() {
        let names = |name: &str| {
            let state = State { containers: [(name.to_owned(), ContainerState::default())].into(), ..State::default() };
            state.validate()
        };
        for good in ["web", "a", "web-2", "0db"] {
            assert_eq!(names(good), Ok(()), "{good}");
        }
        for bad in ["", "Web", "web-", "-web", "we/b", "..", "web_app", &"a".repeat(64)] {
            let err = names(bad).unwrap_err();
            assert!(err.contains("is not a DNS label"), "{bad}: {err}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        assert!(State::from_json(r#"{"leadr": true}"#).is_err());
    }

    #[test]
    fn secret_owners_read_old_and_new_names_and_write_goops_juju_names() {
        let owner = |json: &str| {
            let text = format!(r#"{{"secrets":[{{"id":"secret:aaaaaaaaaaaaaaaaaaaa",{json}"revisions":[{{}}]}}]}}"#);
            State::from_json(&text).map(|s| s.secrets[0].owner).map_err(|e| e.to_string())
        };
        assert_eq!(owner(""), Ok(Some(SecretOwner::Application)), "absent: the application");
        assert_eq!(owner(r#""owner":"app","#), Ok(Some(SecretOwner::Application)));
        assert_eq!(owner(r#""owner":"application","#), Ok(Some(SecretOwner::Application)));
        assert_eq!(owner(r#""owner":"unit","#), Ok(Some(SecretOwner::Unit)));
        assert_eq!(owner(r#""owner":"none","#), Ok(None));
        assert_eq!(owner(r#""owner":null,"#), Ok(None));
        assert!(owner(r#""owner":"model","#).is_err());
        let written = |owner| {
            let secret = Secret { id: "secret:aaaaaaaaaaaaaaaaaaaa".into(), owner, ..Secret::default() };
            serde_json::to_value(&secret).unwrap()["owner"].clone()
        };
        assert_eq!(written(Some(SecretOwner::Application)), "application");
        assert_eq!(written(None), "none");
    }

    #[test]
    fn secret_content_never_appears_in_debug_output() {
        let revision = SecretRevision {
            revision: 2,
            content: [("password".to_owned(), "hunter2-very-secret".to_owned())].into(),
            ..SecretRevision::default()
        };
        let debug = format!("{revision:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert_eq!(debug, "SecretRevision { revision: 2, content: {\"password\": \"[REDACTED]\"} }");
    }
}
