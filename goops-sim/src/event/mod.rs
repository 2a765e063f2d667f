//! The event a simulated hook runs for, and the environment Juju sets for it (spec §2, §3).

use std::collections::BTreeMap;

use crate::charm::CharmMeta;
use crate::state::{State, bare_secret_id};

/// Unit hooks that take no context (spec §2.1).
pub const UNIT_HOOKS: &[&str] = &[
    "install",
    "start",
    "config-changed",
    "upgrade-charm",
    "stop",
    "remove",
    "leader-elected",
    "leader-deposed",
    "leader-settings-changed",
    "update-status",
    "collect-metrics",
    "meter-status-changed",
    "pre-series-upgrade",
    "post-series-upgrade",
];

/// The event a hook runs for.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A unit hook without context (`install`, `config-changed`, …).
    Unit(String),
    /// `<endpoint>-relation-<kind>`.
    Relation {
        /// `created`, `joined`, `changed`, `departed` or `broken`.
        kind: String,
        /// The relation id.
        id: u32,
        /// The endpoint.
        endpoint: String,
        /// The remote application.
        remote_app: String,
        /// The remote unit (`None` in created/broken and app-level changed).
        remote_unit: Option<String>,
        /// The departing unit (departed only).
        departing_unit: Option<String>,
    },
    /// `secret-<kind>`.
    Secret {
        /// `changed`, `rotate`, `expired` or `remove`.
        kind: String,
        /// The secret URI.
        id: String,
        /// Its label.
        label: Option<String>,
        /// The revision (expired and remove only).
        revision: Option<u32>,
    },
    /// `<name>-storage-<kind>`.
    Storage {
        /// `attached` or `detaching`.
        kind: String,
        /// The storage id, `data/0`.
        id: String,
        /// Kind (`filesystem`/`block`).
        storage_kind: String,
        /// Location.
        location: String,
    },
    /// `<container>-pebble-<kind>`.
    Workload {
        /// `ready`, `custom-notice`, `check-failed`, `check-recovered`.
        kind: String,
        /// The container.
        container: String,
        /// Notice id, type and key (custom-notice).
        notice: Option<(String, String, String)>,
        /// The check name (check-failed / check-recovered).
        check: Option<String>,
    },
    /// An action.
    Action {
        /// The action name.
        name: String,
        /// The action id.
        id: String,
        /// Params given for this run (schema defaults are added by the session).
        params: serde_json::Map<String, serde_json::Value>,
    },
}

/// Options that complete an event given by name (from the CLI or a test).
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
}

/// Why an event cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EventError(pub String);

impl Event {
    /// The full hook name (`db-relation-changed`), or the action name for actions.
    pub fn name(&self) -> String {
        match self {
            Event::Unit(name) => name.clone(),
            Event::Relation { kind, endpoint, .. } => format!("{endpoint}-relation-{kind}"),
            Event::Secret { kind, .. } => format!("secret-{kind}"),
            Event::Storage { kind, id, .. } => {
                format!("{}-storage-{kind}", id.split('/').next().unwrap_or(id))
            }
            Event::Workload { kind, container, .. } => format!("{container}-pebble-{kind}"),
            Event::Action { name, .. } => name.clone(),
        }
    }

    /// `JUJU_DISPATCH_PATH`.
    pub fn dispatch_path(&self) -> String {
        match self {
            Event::Action { name, .. } => format!("actions/{name}"),
            other => format!("hooks/{}", other.name()),
        }
    }

    /// Whether this is an action.
    pub fn is_action(&self) -> bool {
        matches!(self, Event::Action { .. })
    }

    /// The relation of a relation event.
    pub fn relation_id(&self) -> Option<u32> {
        match self {
            Event::Relation { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Build the event named `name` (a hook name, `action:<name>`, `actions/<name>`,
    /// `hooks/<name>`, or a declared action name) against the charm and state.
    pub fn parse(name: &str, meta: &CharmMeta, state: &State, opts: &EventOptions) -> Result<Event, EventError> {
        let name = name.strip_prefix("hooks/").unwrap_or(name);
        if let Some(action) = name.strip_prefix("action:").or_else(|| name.strip_prefix("actions/")) {
            return Self::action(action, meta, state, opts);
        }
        if UNIT_HOOKS.contains(&name) {
            if name == "leader-elected" && !state.leader {
                return Err(EventError("leader-elected goes to the new leader: set \"leader\": true".into()));
            }
            return Ok(Event::Unit(name.to_owned()));
        }
        for kind in ["created", "joined", "changed", "departed", "broken"] {
            if let Some(endpoint) = name.strip_suffix(&format!("-relation-{kind}")) {
                return Self::relation(kind, endpoint, meta, state, opts);
            }
        }
        for kind in ["changed", "rotate", "expired", "remove"] {
            if name == format!("secret-{kind}") {
                return Self::secret(kind, state, opts);
            }
        }
        for kind in ["attached", "detaching"] {
            if let Some(storage) = name.strip_suffix(&format!("-storage-{kind}")) {
                return Self::storage(kind, storage, meta, state, opts);
            }
        }
        for kind in ["ready", "custom-notice", "check-failed", "check-recovered"] {
            if let Some(container) = name.strip_suffix(&format!("-pebble-{kind}")) {
                if !meta.containers.is_empty() && !meta.containers.iter().any(|c| c == container) {
                    return Err(EventError(format!("container {container:?} is not declared by the charm")));
                }
                if kind == "custom-notice" && opts.notice.is_none() {
                    return Err(EventError(format!("{name} needs --notice-id, --notice-type and --notice-key")));
                }
                if kind.starts_with("check") && opts.check.is_none() {
                    return Err(EventError(format!("{name} needs --check")));
                }
                return Ok(Event::Workload {
                    kind: kind.to_owned(),
                    container: container.to_owned(),
                    notice: if kind == "custom-notice" { opts.notice.clone() } else { None },
                    check: if kind.starts_with("check") { opts.check.clone() } else { None },
                });
            }
        }
        if meta.actions.contains_key(name) {
            return Self::action(name, meta, state, opts);
        }
        Err(EventError(format!("unknown event {name:?}: not a Juju hook nor an action of this charm")))
    }

    fn action(name: &str, meta: &CharmMeta, state: &State, opts: &EventOptions) -> Result<Event, EventError> {
        if name.is_empty() {
            return Err(EventError("action name is empty".into()));
        }
        if !meta.actions.is_empty() && !meta.actions.contains_key(name) {
            return Err(EventError(format!("action {name:?} is not declared by the charm")));
        }
        if let Some(spec) = meta.actions.get(name) {
            // The params the action will run with: the state's (same action), then the event's.
            let mut params =
                state.action.as_ref().filter(|a| a.name == name).map(|a| a.params.clone()).unwrap_or_default();
            params.extend(opts.params.clone());
            check_action_params(name, spec, &params)?;
        }
        Ok(Event::Action {
            name: name.to_owned(),
            id: opts.action_id.clone().unwrap_or_else(|| "1".to_owned()),
            params: opts.params.clone(),
        })
    }

    fn relation(
        kind: &str,
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
            ("created" | "broken", _) => None,
            // An empty remote unit asks for an application-level relation-changed.
            (_, Some("")) => None,
            (_, Some(unit)) => Some(unit.to_owned()),
            (_, None) => relation.remote_units.keys().next().cloned(),
        };
        if let Some(unit) = &remote_unit {
            if !unit.starts_with(&format!("{remote_app}/")) {
                return Err(EventError(format!("remote unit {unit:?} is not a unit of {remote_app:?}")));
            }
            if !relation.remote_units.contains_key(unit) {
                return Err(EventError(format!(
                    "remote unit {unit:?} is not in relation {endpoint}:{}: add it to remote_units",
                    relation.id
                )));
            }
        }
        let departing_unit =
            if kind == "departed" { opts.departing_unit.clone().or_else(|| remote_unit.clone()) } else { None };
        Ok(Event::Relation {
            kind: kind.to_owned(),
            id: relation.id,
            endpoint: endpoint.to_owned(),
            remote_app,
            remote_unit,
            departing_unit,
        })
    }

    fn secret(kind: &str, state: &State, opts: &EventOptions) -> Result<Event, EventError> {
        let Some(wanted) = &opts.secret else {
            return Err(EventError(format!("secret-{kind} needs a secret (--secret <uri or label>)")));
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
        let consumer_event = kind == "changed";
        if consumer_event == secret.is_owned() {
            let who = if consumer_event { "consumers" } else { "owners" };
            return Err(EventError(format!("secret-{kind} goes to a secret's {who}; {} does not fit", secret.id)));
        }
        if !consumer_event && secret.owner == crate::state::SecretOwner::App && !state.leader {
            return Err(EventError(format!("secret-{kind} of an application-owned secret goes to the leader")));
        }
        let revision = if kind == "expired" || kind == "remove" {
            Some(opts.secret_revision.unwrap_or_else(|| secret.latest()))
        } else {
            None
        };
        let label = if secret.is_owned() { secret.label.clone() } else { secret.consumer_label.clone() };
        let id = if secret.id.starts_with("secret:") {
            secret.id.clone()
        } else {
            format!("secret:{}", bare_secret_id(&secret.id))
        };
        Ok(Event::Secret { kind: kind.to_owned(), id, label, revision })
    }

    fn storage(
        kind: &str,
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
        Ok(Event::Storage {
            kind: kind.to_owned(),
            id: instance.id(),
            storage_kind: instance.kind.clone(),
            location: instance.location.clone(),
        })
    }

    /// The environment Juju sets for this event (spec §3), for a unit in `state`.
    pub fn env(&self, state: &State, charm_dir: &str, context_id: &str, socket: &str) -> BTreeMap<String, String> {
        self.env_iter(state, charm_dir, context_id, socket).map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// [`Event::env`] as name/value pairs, each name once, without a map: what the in-process
    /// engine hands to `goops_runtime::JujuEnv::from_vars` on every run.
    pub fn env_iter(
        &self,
        state: &State,
        charm_dir: &str,
        context_id: &str,
        socket: &str,
    ) -> impl Iterator<Item = (&'static str, String)> + use<> {
        // One name for both variables (`hooks/<name>` or `actions/<name>`).
        let name = self.name();
        let (hook_name, dispatch_dir) = if self.is_action() { ("", "actions") } else { (name.as_str(), "hooks") };
        let mut dispatch_path = String::with_capacity(dispatch_dir.len() + 1 + name.len());
        dispatch_path.push_str(dispatch_dir);
        dispatch_path.push('/');
        dispatch_path.push_str(&name);
        let machine =
            if state.model.model_type == crate::state::ModelType::Kubernetes { "" } else { &state.machine_id };
        let common: [(&'static str, String); 21] = [
            ("CHARM_DIR", charm_dir.to_owned()),
            ("JUJU_CHARM_DIR", charm_dir.to_owned()),
            ("JUJU_CONTEXT_ID", context_id.to_owned()),
            ("JUJU_HOOK_NAME", hook_name.to_owned()),
            ("JUJU_DISPATCH_PATH", dispatch_path),
            ("JUJU_AGENT_SOCKET_ADDRESS", socket.to_owned()),
            ("JUJU_AGENT_SOCKET_NETWORK", "unix".to_owned()),
            ("JUJU_UNIT_NAME", state.unit.clone()),
            ("JUJU_MODEL_UUID", state.model.uuid.clone()),
            ("JUJU_MODEL_NAME", state.model.name.clone()),
            ("JUJU_API_ADDRESSES", "10.0.0.1:17070".to_owned()),
            ("JUJU_MACHINE_ID", machine.to_owned()),
            ("JUJU_PRINCIPAL_UNIT", state.principal_unit.clone()),
            ("JUJU_AVAILABILITY_ZONE", state.availability_zone.clone()),
            ("JUJU_VERSION", state.model.juju_version.clone()),
            ("CLOUD_API_VERSION", String::new()),
            ("JUJU_CHARM_HTTP_PROXY", String::new()),
            ("JUJU_CHARM_HTTPS_PROXY", String::new()),
            ("JUJU_CHARM_FTP_PROXY", String::new()),
            ("JUJU_CHARM_NO_PROXY", String::new()),
            ("JUJU_SLA", "unsupported".to_owned()),
        ];
        let var = |k: &'static str, v: &str| Some((k, v.to_owned()));
        let specific: [Option<(&'static str, String)>; 5] = match self {
            Event::Unit(_) => Default::default(),
            Event::Relation { id, endpoint, remote_app, remote_unit, departing_unit, .. } => [
                var("JUJU_RELATION", endpoint),
                Some(("JUJU_RELATION_ID", format!("{endpoint}:{id}"))),
                var("JUJU_REMOTE_UNIT", remote_unit.as_deref().unwrap_or("")),
                var("JUJU_REMOTE_APP", remote_app),
                departing_unit.as_deref().and_then(|d| var("JUJU_DEPARTING_UNIT", d)),
            ],
            Event::Secret { id, label, revision, .. } => [
                var("JUJU_SECRET_ID", id),
                var("JUJU_SECRET_LABEL", label.as_deref().unwrap_or("")),
                revision.filter(|r| *r > 0).map(|rev| ("JUJU_SECRET_REVISION", rev.to_string())),
                None,
                None,
            ],
            Event::Storage { id, storage_kind, location, .. } => [
                var("JUJU_STORAGE_ID", id),
                var("JUJU_STORAGE_LOCATION", location),
                var("JUJU_STORAGE_KIND", storage_kind),
                None,
                None,
            ],
            Event::Workload { container, notice, check, .. } => {
                let notice = notice.as_ref();
                [
                    var("JUJU_WORKLOAD_NAME", container),
                    notice.and_then(|(id, _, _)| var("JUJU_NOTICE_ID", id)),
                    notice.and_then(|(_, kind, _)| var("JUJU_NOTICE_TYPE", kind)),
                    notice.and_then(|(_, _, key)| var("JUJU_NOTICE_KEY", key)),
                    check.as_deref().and_then(|c| var("JUJU_PEBBLE_CHECK_NAME", c)),
                ]
            }
            Event::Action { name, id, .. } => [
                var("JUJU_ACTION_NAME", name),
                var("JUJU_ACTION_UUID", id),
                Some(("JUJU_ACTION_TAG", format!("action-{id}"))),
                None,
                None,
            ],
        };
        common.into_iter().chain(specific.into_iter().flatten())
    }
}

/// A fresh context id, `<unit>-<name>-<32 hex chars>` as Juju makes them.
pub fn new_context_id(unit: &str, name: &str) -> String {
    let mut id = String::with_capacity(unit.len() + name.len() + 34);
    id.push_str(unit);
    id.push('-');
    id.push_str(name);
    id.push('-');
    push_random_hex(&mut id, 32);
    id
}

/// `n` pseudo-random hex characters (not for cryptography: ids only).
pub(crate) fn random_hex(n: usize) -> String {
    let mut out = String::with_capacity(n);
    push_random_hex(&mut out, n);
    out
}

fn push_random_hex(out: &mut String, n: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut x = seed();
    let mut left = n;
    while left > 0 {
        x = xorshift(x);
        let mut chunk = [0u8; 16];
        for (i, digit) in chunk.iter_mut().enumerate() {
            *digit = HEX[((x >> ((15 - i) * 4)) & 0xf) as usize];
        }
        let take = left.min(16);
        // Hex digits are ASCII, so any prefix is valid UTF-8.
        out.push_str(std::str::from_utf8(&chunk[..take]).unwrap_or_default());
        left -= take;
    }
}

pub(crate) fn seed() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    // The pid is asked for once: it is a system call, and ids are made on every run.
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let pid = *PID.get_or_init(std::process::id);
    (nanos as u64) ^ (u64::from(pid) << 32) ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1
}

pub(crate) fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// Juju validates an action's parameters against the charm's schema when the action is
/// enqueued (`juju run` fails and the action never runs): each given parameter's declared
/// JSON-schema `type`, `required` parameters (a default counts) and, with
/// `additionalProperties: false`, undeclared parameters.
fn check_action_params(
    name: &str,
    spec: &crate::charm::ActionSpec,
    params: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), EventError> {
    let invalid =
        |why: String| EventError(format!("action {name:?}: parameters do not match the charm's schema: {why}"));
    for (param, value) in params {
        let Some(schema) = spec.params.get(param) else {
            if spec.closed {
                return Err(invalid(format!("{param:?} is not a declared parameter")));
            }
            continue;
        };
        let types: Vec<&str> = match &schema["type"] {
            serde_json::Value::String(t) => vec![t.as_str()],
            serde_json::Value::Array(ts) => ts.iter().filter_map(serde_json::Value::as_str).collect(),
            _ => continue,
        };
        if !types.iter().any(|t| json_schema_type_matches(t, value)) {
            return Err(invalid(format!("{param:?} must be of type {}, given {value}", types.join(" or "))));
        }
    }
    if let Some(missing) = spec.required.iter().find(|r| !params.contains_key(*r) && !spec.defaults.contains_key(*r)) {
        return Err(invalid(format!("{missing:?} is required")));
    }
    Ok(())
}

/// Whether `value` is of JSON-schema type `ty` (an integer is also a number; an unknown type
/// name matches anything).
fn json_schema_type_matches(ty: &str, value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match ty {
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => matches!(value, Value::Null),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_ids_are_unit_name_and_32_hex_chars_and_differ() {
        let id = new_context_id("app/0", "install");
        let hex = id.strip_prefix("app/0-install-").expect("unit and hook name first");
        assert_eq!(hex.len(), 32, "{id}");
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{id}");
        assert_ne!(id, new_context_id("app/0", "install"));
        for n in [0, 1, 8, 16, 17, 40] {
            assert_eq!(random_hex(n).len(), n);
        }
    }

    #[test]
    fn env_names_the_hook_or_the_action() {
        let state = State::default();
        let vars = |event: &Event| -> BTreeMap<&str, String> { event.env_iter(&state, "/c", "ctx", "@s").collect() };
        let hook = vars(&Event::Unit("install".to_owned()));
        assert_eq!(
            (hook["JUJU_HOOK_NAME"].as_str(), hook["JUJU_DISPATCH_PATH"].as_str()),
            ("install", "hooks/install")
        );
        let action = Event::Action { name: "backup".to_owned(), id: "7".to_owned(), params: Default::default() };
        let action = vars(&action);
        assert_eq!((action["JUJU_HOOK_NAME"].as_str(), action["JUJU_DISPATCH_PATH"].as_str()), ("", "actions/backup"));
        assert_eq!(action["JUJU_ACTION_TAG"], "action-7");
        // Each name once, so a map of them loses nothing.
        assert_eq!(hook.len(), Event::Unit("install".to_owned()).env_iter(&state, "/c", "ctx", "@s").count());
    }
}
