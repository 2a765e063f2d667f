//! The state of one unit as Juju sees it, readable and writable as JSON.
//!
//! A [`State`] is a plain value: a future local model can hold many of them. Everything has a
//! default, so `{}` is a valid state (unit `app/0` of model `test-model`, not leader, no
//! relations). The format is documented in the crate README.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    pub unit_status: Status,
    /// The application status.
    pub app_status: Status,
    /// Statuses of the other units of this application (`status-get --application` lists them;
    /// peers absent here show as `unknown`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub peer_unit_statuses: BTreeMap<String, Status>,
    /// Previous unit statuses, oldest first (the current one is `unit_status`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unit_status_history: Vec<Status>,
    /// Previous application statuses, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub app_status_history: Vec<Status>,
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
    pub opened_ports: Vec<Port>,
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
    /// `juju-log` records, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub juju_log: Vec<LogRecord>,
}

impl Default for State {
    fn default() -> Self {
        State {
            model: Model::default(),
            unit: "app/0".to_owned(),
            machine_id: "0".to_owned(),
            availability_zone: String::new(),
            principal_unit: String::new(),
            leader: false,
            unit_status: Status::default(),
            app_status: Status::default(),
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
            juju_log: Vec::new(),
        }
    }
}

impl State {
    /// Parse a state from JSON.
    pub fn from_json(text: &str) -> Result<State, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The state as pretty JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The application name (the unit name before `/`).
    pub fn app(&self) -> &str {
        self.unit.split('/').next().unwrap_or(&self.unit)
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

    /// Check the state's own consistency (unique relation ids, well-formed names).
    pub fn validate(&self) -> Result<(), String> {
        if !self.unit.contains('/') || self.unit.ends_with('/') {
            return Err(format!("unit name {:?} is not of the form app/N", self.unit));
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
            let bare = bare_secret_id(&secret.id);
            if bare.len() != 20 || !bare.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()) {
                return Err(format!("secret id {:?} is not a secret URI (secret:<20 chars of [0-9a-z]>)", secret.id));
            }
            if secret.revisions.is_empty() {
                return Err(format!("secret {} has no revisions", secret.id));
            }
        }
        Ok(())
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The bare id of a secret URI (`secret:abc` or `secret://uuid/abc` → `abc`).
pub fn bare_secret_id(uri: &str) -> &str {
    let rest = uri.strip_prefix("secret:").unwrap_or(uri);
    rest.strip_prefix("//").map(|r| r.rsplit('/').next().unwrap_or(r)).unwrap_or(rest)
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

/// A workload or application status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Status {
    /// `unknown`, `maintenance`, `blocked`, `waiting`, `active`, `error`, …
    pub status: String,
    /// The message.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Status data (shown by `status-get --include-data`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, serde_json::Value>,
    /// When it was set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
}

impl Default for Status {
    fn default() -> Self {
        Status { status: "unknown".to_owned(), message: String::new(), data: BTreeMap::new(), since: None }
    }
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
    /// This unit's data bag.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
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
            local_unit_data: Bag::new(),
            local_app_data: Bag::new(),
            remote_model_uuid: None,
        }
    }
}

/// Who owns a secret, from this unit's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretOwner {
    /// This unit's application (managed by the leader).
    #[default]
    App,
    /// This unit.
    Unit,
    /// Another application: this charm only consumes the secret.
    None,
}

/// A secret revision.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretRevision {
    /// The revision number (from 1).
    pub revision: u32,
    /// The content: key → value (decoded).
    pub content: BTreeMap<String, String>,
}

// Secret values never appear in Debug output, even in a failing test's assertion message.
impl std::fmt::Debug for SecretRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: BTreeMap<&str, &str> = self.content.keys().map(|k| (k.as_str(), "[REDACTED]")).collect();
        f.debug_struct("SecretRevision").field("revision", &self.revision).field("content", &keys).finish()
    }
}

impl Default for SecretRevision {
    fn default() -> Self {
        SecretRevision { revision: 1, content: BTreeMap::new() }
    }
}

/// A grant of view access on a secret to a relation's remote application or one of its units.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretGrant {
    /// The relation the grant is scoped to.
    pub relation_id: u32,
    /// The grantee: an application name or a unit name.
    pub target: String,
}

/// A secret this unit owns or consumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Secret {
    /// The URI, `secret:<20 chars>`.
    pub id: String,
    /// Who owns it.
    pub owner: SecretOwner,
    /// The owner's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// This unit's consumer label (consumed secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_label: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Expiry time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expire: Option<DateTime<Utc>>,
    /// Rotation policy (`never`, `hourly`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotate: Option<String>,
    /// When the secret is next due for rotation (set from the policy when it changes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotates: Option<DateTime<Utc>>,
    /// Revisions with content; the latest is the highest number.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<SecretRevision>,
    /// The revision this unit tracks as a consumer (`None`: not read yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracked: Option<u32>,
    /// Revisions tracked by consumers of an owned secret: consumer → revision.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub consumers: BTreeMap<String, u32>,
    /// Grants of an owned secret.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<SecretGrant>,
}

impl Default for Secret {
    fn default() -> Self {
        Secret {
            id: String::new(),
            owner: SecretOwner::App,
            label: None,
            consumer_label: None,
            description: None,
            expire: None,
            rotate: None,
            rotates: None,
            revisions: Vec::new(),
            tracked: None,
            consumers: BTreeMap::new(),
            grants: Vec::new(),
        }
    }
}

impl Secret {
    /// The latest revision number.
    pub fn latest(&self) -> u32 {
        self.revisions.iter().map(|r| r.revision).max().unwrap_or(0)
    }

    /// The content of a revision.
    pub fn content(&self, revision: u32) -> Option<&BTreeMap<String, String>> {
        self.revisions.iter().find(|r| r.revision == revision).map(|r| &r.content)
    }

    /// Whether this charm owns the secret (app or unit).
    pub fn is_owned(&self) -> bool {
        self.owner != SecretOwner::None
    }
}

/// A port range this unit opened.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {
    /// `tcp`, `udp` or `icmp`.
    pub protocol: String,
    /// First port (0 for icmp).
    #[serde(default)]
    pub from: u16,
    /// Last port (equal to `from` for one port).
    #[serde(default)]
    pub to: u16,
    /// Endpoints the range is open on; empty means all endpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
}

/// A port range another unit on this machine has open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachinePort {
    /// The unit that opened it.
    pub unit: String,
    /// The range.
    #[serde(flatten)]
    pub port: Port,
}

/// A storage instance attached to the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Storage {
    /// The charm's storage name (`data`).
    pub name: String,
    /// The instance index (`data/0` → 0).
    pub index: u32,
    /// `filesystem` or `block`.
    pub kind: String,
    /// Mount point or device path.
    pub location: String,
}

impl Default for Storage {
    fn default() -> Self {
        Storage { name: String::new(), index: 0, kind: "filesystem".to_owned(), location: String::new() }
    }
}

impl Storage {
    /// The storage id, `name/index`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.name, self.index)
    }
}

/// Network information for one binding (`network-get`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Network {
    /// Bind addresses per interface.
    pub bind_addresses: Vec<BindAddress>,
    /// Ingress addresses.
    pub ingress_addresses: Vec<String>,
    /// Egress subnets.
    pub egress_subnets: Vec<String>,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            bind_addresses: vec![BindAddress {
                mac_address: String::new(),
                interface_name: "eth0".to_owned(),
                addresses: vec![Address {
                    hostname: String::new(),
                    value: "192.0.2.0".to_owned(),
                    cidr: "192.0.2.0/24".to_owned(),
                }],
            }],
            ingress_addresses: vec!["192.0.2.0".to_owned()],
            egress_subnets: vec!["192.0.2.0/24".to_owned()],
        }
    }
}

/// One interface's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BindAddress {
    /// MAC address.
    pub mac_address: String,
    /// Interface name.
    pub interface_name: String,
    /// Addresses on it.
    pub addresses: Vec<Address>,
}

/// One address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Address {
    /// Hostname, if resolved.
    pub hostname: String,
    /// The address.
    pub value: String,
    /// Its CIDR.
    pub cidr: String,
}

/// The unit's addresses for `unit-get`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Addresses {
    /// `unit-get private-address` (default: the default network's first ingress address).
    pub private: Option<String>,
    /// `unit-get public-address` (default: same as private).
    pub public: Option<String>,
}

/// `goal-state` output.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoalState {
    /// Units of this application: name → status.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub units: BTreeMap<String, GoalStatus>,
    /// Per endpoint: application or unit name → status.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub relations: BTreeMap<String, BTreeMap<String, GoalStatus>>,
}

/// A goal-state entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoalStatus {
    /// `active`, `waiting`, `joining`, `dying`, …
    pub status: String,
    /// When it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
}

impl Default for GoalStatus {
    fn default() -> Self {
        GoalStatus { status: "active".to_owned(), since: None }
    }
}

/// The cloud spec `credential-get` prints (Juju's `params.CloudSpec`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CloudSpec {
    /// Cloud type (`ec2`, `openstack`, `kubernetes`, …).
    #[serde(rename = "type")]
    pub cloud_type: String,
    /// Cloud name.
    pub name: String,
    /// Region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Identity endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_endpoint: Option<String>,
    /// Storage endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_endpoint: Option<String>,
    /// The credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<CloudCredential>,
    /// CA certificates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cacertificates: Vec<String>,
    /// Skip TLS verification.
    #[serde(skip_serializing_if = "is_false")]
    pub skip_tls_verify: bool,
    /// Whether this is the controller's cloud.
    #[serde(skip_serializing_if = "is_false")]
    pub is_controller_cloud: bool,
}

/// A cloud credential.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CloudCredential {
    /// Auth type (`userpass`, `access-key`, …).
    pub auth_type: String,
    /// Attributes.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
    /// Redacted attribute names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redacted: Vec<String>,
}

/// The running action and what it recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Action {
    /// The action name.
    pub name: String,
    /// The action id (`JUJU_ACTION_UUID`).
    pub id: String,
    /// Parameters (defaults from the charm's action schema are filled in).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Results set with `action-set` (nested by dotted keys).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub results: serde_json::Map<String, serde_json::Value>,
    /// Messages from `action-log`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<String>,
    /// The failure message, if `action-fail` was called or the action failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// `pending`, `running`, `completed` or `failed`.
    pub status: String,
}

impl Default for Action {
    fn default() -> Self {
        Action {
            name: String::new(),
            id: "1".to_owned(),
            params: serde_json::Map::new(),
            results: serde_json::Map::new(),
            logs: Vec::new(),
            failure: None,
            status: "pending".to_owned(),
        }
    }
}

/// A reboot request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Reboot {
    /// `juju-reboot --now`: the hook was killed and will run again after the reboot.
    pub now: bool,
}

/// A `juju-log` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogRecord {
    /// `TRACE`, `DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`.
    pub level: String,
    /// The message (prefixed with `<endpoint>:<id>: ` in relation hooks, as Juju does).
    pub message: String,
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
        assert_eq!(state.unit_status.status, "unknown");
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
    fn unknown_fields_are_rejected() {
        assert!(State::from_json(r#"{"leadr": true}"#).is_err());
    }

    #[test]
    fn bare_ids() {
        assert_eq!(bare_secret_id("secret:abc"), "abc");
        assert_eq!(bare_secret_id("secret://uuid/abc"), "abc");
        assert_eq!(bare_secret_id("abc"), "abc");
    }

    #[test]
    fn secret_content_never_appears_in_debug_output() {
        let revision =
            SecretRevision { revision: 2, content: [("password".to_owned(), "hunter2-very-secret".to_owned())].into() };
        let debug = format!("{revision:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert_eq!(debug, "SecretRevision { revision: 2, content: {\"password\": \"[REDACTED]\"} }");
    }
}
