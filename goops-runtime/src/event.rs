//! The event a dispatch handles, parsed from `JUJU_DISPATCH_PATH` and its context variables.

use std::path::{Path, PathBuf};

use crate::env::{EnvError, JujuEnv};

/// What kind of relation hook fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelationEventKind {
    /// `<endpoint>-relation-created`
    Created,
    /// `<endpoint>-relation-joined`
    Joined,
    /// `<endpoint>-relation-changed`
    Changed,
    /// `<endpoint>-relation-departed`
    Departed,
    /// `<endpoint>-relation-broken`
    Broken,
}

impl RelationEventKind {
    /// Every kind, in Juju's order.
    pub const ALL: [RelationEventKind; 5] = [Self::Created, Self::Joined, Self::Changed, Self::Departed, Self::Broken];

    /// The hook-name suffix, e.g. `relation-changed`.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Created => "relation-created",
            Self::Joined => "relation-joined",
            Self::Changed => "relation-changed",
            Self::Departed => "relation-departed",
            Self::Broken => "relation-broken",
        }
    }
}

/// A relation hook and its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationEvent {
    /// Which relation hook.
    pub kind: RelationEventKind,
    /// The local endpoint (`JUJU_RELATION`).
    pub endpoint: String,
    /// The relation id (the number of `JUJU_RELATION_ID`).
    pub id: u32,
    /// The remote application (`JUJU_REMOTE_APP`).
    pub remote_app: Option<String>,
    /// The remote unit (`JUJU_REMOTE_UNIT`); `None` in created/broken and app-level changes.
    pub remote_unit: Option<String>,
    /// The unit leaving (`JUJU_DEPARTING_UNIT`, relation-departed only).
    pub departing_unit: Option<String>,
}

/// What kind of secret hook fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretEventKind {
    /// `secret-changed`: a secret this unit consumes has a new revision.
    Changed,
    /// `secret-rotate`: a secret this unit owns is due for rotation.
    Rotate,
    /// `secret-expired`: a revision of an owned secret expired.
    Expired,
    /// `secret-remove`: a revision of an owned secret is no longer tracked by anyone.
    Remove,
}

/// A secret hook and its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretEvent {
    /// Which secret hook.
    pub kind: SecretEventKind,
    /// The secret's URI (`JUJU_SECRET_ID`).
    pub id: String,
    /// Its label, if known (`JUJU_SECRET_LABEL`).
    pub label: Option<String>,
    /// The revision concerned (`JUJU_SECRET_REVISION`; secret-expired and secret-remove).
    pub revision: Option<u32>,
}

/// What kind of storage hook fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StorageEventKind {
    /// `<name>-storage-attached`
    Attached,
    /// `<name>-storage-detaching`
    Detaching,
}

/// A storage hook and its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageEvent {
    /// Which storage hook.
    pub kind: StorageEventKind,
    /// The storage name from the charm's metadata (`data`).
    pub name: String,
    /// The instance index (`0` of `data/0`).
    pub index: u32,
    /// Where it is mounted or attached (`JUJU_STORAGE_LOCATION`).
    pub location: Option<PathBuf>,
    /// `block` or `filesystem` (`JUJU_STORAGE_KIND`).
    pub storage_kind: Option<String>,
}

impl StorageEvent {
    /// The storage id Juju uses, e.g. `data/0`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.name, self.index)
    }
}

/// What kind of workload (Pebble) hook fired.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WorkloadEventKind {
    /// `<container>-pebble-ready`
    PebbleReady,
    /// `<container>-pebble-custom-notice`
    CustomNotice {
        /// `JUJU_NOTICE_ID`
        id: String,
        /// `JUJU_NOTICE_TYPE`
        notice_type: String,
        /// `JUJU_NOTICE_KEY`
        key: String,
    },
    /// `<container>-pebble-check-failed`
    CheckFailed {
        /// `JUJU_PEBBLE_CHECK_NAME`
        check: String,
    },
    /// `<container>-pebble-check-recovered`
    CheckRecovered {
        /// `JUJU_PEBBLE_CHECK_NAME`
        check: String,
    },
}

/// A workload hook and its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadEvent {
    /// Which workload hook.
    pub kind: WorkloadEventKind,
    /// The container (`JUJU_WORKLOAD_NAME`).
    pub container: String,
}

/// An action invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionEvent {
    /// The action's name as in charmcraft.yaml (`do-backup`).
    pub name: String,
    /// The action's id (`JUJU_ACTION_UUID`).
    pub uuid: Option<String>,
}

/// The event being dispatched.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// `install`
    Install,
    /// `start`
    Start,
    /// `stop`
    Stop,
    /// `remove`
    Remove,
    /// `config-changed`
    ConfigChanged,
    /// `update-status`
    UpdateStatus,
    /// `upgrade-charm`
    UpgradeCharm,
    /// `leader-elected`
    LeaderElected,
    /// `leader-deposed`
    LeaderDeposed,
    /// `leader-settings-changed`
    LeaderSettingsChanged,
    /// `pre-series-upgrade` (3.x machine charms).
    PreSeriesUpgrade {
        /// `JUJU_TARGET_BASE`
        target_base: Option<String>,
    },
    /// `post-series-upgrade` (3.x machine charms).
    PostSeriesUpgrade,
    /// `collect-metrics` (3.x).
    CollectMetrics,
    /// `meter-status-changed` (3.x).
    MeterStatusChanged,
    /// A relation hook.
    Relation(RelationEvent),
    /// A secret hook.
    Secret(SecretEvent),
    /// A storage hook.
    Storage(StorageEvent),
    /// A workload (Pebble) hook.
    Workload(WorkloadEvent),
    /// An action.
    Action(ActionEvent),
    /// A hook this version of goops does not know: only a `#[hook(any)]` handler runs for it;
    /// without one it is skipped (exit 0).
    Unknown {
        /// The hook's name.
        name: String,
    },
}

/// Builds the event of an unscoped hook.
type MakeEvent = fn() -> Event;

/// The simple (unscoped) hooks and their events.
const SIMPLE_HOOKS: &[(&str, MakeEvent)] = &[
    ("install", || Event::Install),
    ("start", || Event::Start),
    ("stop", || Event::Stop),
    ("remove", || Event::Remove),
    ("config-changed", || Event::ConfigChanged),
    ("update-status", || Event::UpdateStatus),
    ("upgrade-charm", || Event::UpgradeCharm),
    ("leader-elected", || Event::LeaderElected),
    ("leader-deposed", || Event::LeaderDeposed),
    ("leader-settings-changed", || Event::LeaderSettingsChanged),
    ("post-series-upgrade", || Event::PostSeriesUpgrade),
    ("collect-metrics", || Event::CollectMetrics),
    ("meter-status-changed", || Event::MeterStatusChanged),
];

impl Event {
    /// Parse the event from the environment; `argv0` is the fallback when
    /// `JUJU_DISPATCH_PATH` is unset (a legacy `hooks/<name>` symlink).
    pub fn from_env(env: &JujuEnv, argv0: Option<&Path>) -> Result<Event, EnvError> {
        let path = match (&env.dispatch_path, argv0) {
            (Some(p), _) => PathBuf::from(p),
            (None, Some(a)) => a.to_path_buf(),
            (None, None) => return Err(EnvError::Missing("JUJU_DISPATCH_PATH")),
        };
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| {
                invalid("JUJU_DISPATCH_PATH", &path.to_string_lossy(), "expected hooks/<hook> or actions/<action>")
            })?
            .to_owned();
        let is_action = path.parent().and_then(Path::file_name).is_some_and(|d| d == "actions");
        if is_action {
            return Ok(Event::Action(ActionEvent { name, uuid: env.action_uuid.clone() }));
        }
        Self::from_hook_name(&name, env)
    }

    /// Parse a hook name (`db-relation-changed`, `install`, …) with its context from `env`.
    pub fn from_hook_name(name: &str, env: &JujuEnv) -> Result<Event, EnvError> {
        if let Some((_, make)) = SIMPLE_HOOKS.iter().find(|(n, _)| *n == name) {
            return Ok(make());
        }
        if name == "pre-series-upgrade" {
            return Ok(Event::PreSeriesUpgrade { target_base: env.target_base.clone() });
        }
        if let Some(kind) = secret_kind(name) {
            return secret_event(kind, env).map(Event::Secret);
        }
        for kind in RelationEventKind::ALL {
            if let Some(endpoint) = scoped(name, kind.suffix()) {
                return relation_event(kind, endpoint, env).map(Event::Relation);
            }
        }
        for (suffix, kind) in
            [("storage-attached", StorageEventKind::Attached), ("storage-detaching", StorageEventKind::Detaching)]
        {
            if let Some(storage) = scoped(name, suffix) {
                return storage_event(kind, storage, env).map(Event::Storage);
            }
        }
        for suffix in ["pebble-ready", "pebble-custom-notice", "pebble-check-failed", "pebble-check-recovered"] {
            if let Some(container) = scoped(name, suffix) {
                return workload_event(suffix, container, env).map(Event::Workload);
            }
        }
        Ok(Event::Unknown { name: name.to_owned() })
    }

    /// The Juju hook name (`db-relation-changed`), or `None` for an action.
    pub fn hook_name(&self) -> Option<String> {
        let simple = |n: &str| Some(n.to_owned());
        match self {
            Event::Install => simple("install"),
            Event::Start => simple("start"),
            Event::Stop => simple("stop"),
            Event::Remove => simple("remove"),
            Event::ConfigChanged => simple("config-changed"),
            Event::UpdateStatus => simple("update-status"),
            Event::UpgradeCharm => simple("upgrade-charm"),
            Event::LeaderElected => simple("leader-elected"),
            Event::LeaderDeposed => simple("leader-deposed"),
            Event::LeaderSettingsChanged => simple("leader-settings-changed"),
            Event::PreSeriesUpgrade { .. } => simple("pre-series-upgrade"),
            Event::PostSeriesUpgrade => simple("post-series-upgrade"),
            Event::CollectMetrics => simple("collect-metrics"),
            Event::MeterStatusChanged => simple("meter-status-changed"),
            Event::Relation(r) => Some(format!("{}-{}", r.endpoint, r.kind.suffix())),
            Event::Secret(s) => simple(match s.kind {
                SecretEventKind::Changed => "secret-changed",
                SecretEventKind::Rotate => "secret-rotate",
                SecretEventKind::Expired => "secret-expired",
                SecretEventKind::Remove => "secret-remove",
            }),
            Event::Storage(s) => Some(format!(
                "{}-{}",
                s.name,
                match s.kind {
                    StorageEventKind::Attached => "storage-attached",
                    StorageEventKind::Detaching => "storage-detaching",
                }
            )),
            Event::Workload(w) => Some(format!(
                "{}-{}",
                w.container,
                match w.kind {
                    WorkloadEventKind::PebbleReady => "pebble-ready",
                    WorkloadEventKind::CustomNotice { .. } => "pebble-custom-notice",
                    WorkloadEventKind::CheckFailed { .. } => "pebble-check-failed",
                    WorkloadEventKind::CheckRecovered { .. } => "pebble-check-recovered",
                }
            )),
            Event::Action(_) => None,
            Event::Unknown { name } => Some(name.clone()),
        }
    }

    /// The relation context, for relation hooks.
    pub fn relation(&self) -> Option<&RelationEvent> {
        match self {
            Event::Relation(r) => Some(r),
            _ => None,
        }
    }

    /// The secret context, for secret hooks.
    pub fn secret(&self) -> Option<&SecretEvent> {
        match self {
            Event::Secret(s) => Some(s),
            _ => None,
        }
    }

    /// The storage context, for storage hooks.
    pub fn storage(&self) -> Option<&StorageEvent> {
        match self {
            Event::Storage(s) => Some(s),
            _ => None,
        }
    }

    /// The workload context, for Pebble hooks.
    pub fn workload(&self) -> Option<&WorkloadEvent> {
        match self {
            Event::Workload(w) => Some(w),
            _ => None,
        }
    }

    /// The action, for actions.
    pub fn action(&self) -> Option<&ActionEvent> {
        match self {
            Event::Action(a) => Some(a),
            _ => None,
        }
    }
}

fn invalid(var: &'static str, value: &str, reason: &'static str) -> EnvError {
    EnvError::Invalid { var, value: value.to_owned(), reason }
}

/// `<scope>-<suffix>` → `<scope>` (endpoint, storage or container names may hold hyphens).
fn scoped<'a>(name: &'a str, suffix: &str) -> Option<&'a str> {
    let scope = name.strip_suffix(suffix)?.strip_suffix('-')?;
    (!scope.is_empty()).then_some(scope)
}

fn secret_kind(name: &str) -> Option<SecretEventKind> {
    Some(match name {
        "secret-changed" => SecretEventKind::Changed,
        "secret-rotate" => SecretEventKind::Rotate,
        "secret-expired" => SecretEventKind::Expired,
        "secret-remove" => SecretEventKind::Remove,
        _ => return None,
    })
}

fn required<'a>(value: &'a Option<String>, var: &'static str) -> Result<&'a str, EnvError> {
    value.as_deref().ok_or(EnvError::Missing(var))
}

fn relation_event(kind: RelationEventKind, endpoint: &str, env: &JujuEnv) -> Result<RelationEvent, EnvError> {
    let raw = required(&env.relation_id, "JUJU_RELATION_ID")?;
    // Juju sets `<endpoint>:<id>`; older tooling sets the bare number.
    let number = raw.rsplit(':').next().unwrap_or(raw);
    let id = number.parse::<u32>().map_err(|_| invalid("JUJU_RELATION_ID", raw, "expected <endpoint>:<number>"))?;
    if let Some(relation) = &env.relation
        && relation != endpoint
    {
        return Err(invalid("JUJU_RELATION", relation, "does not match the hook's endpoint"));
    }
    let departing_unit = match kind {
        RelationEventKind::Departed => env.departing_unit.clone(),
        _ => None,
    };
    Ok(RelationEvent {
        kind,
        endpoint: endpoint.to_owned(),
        id,
        remote_app: env.remote_app.clone(),
        remote_unit: env.remote_unit.clone(),
        departing_unit,
    })
}

fn secret_event(kind: SecretEventKind, env: &JujuEnv) -> Result<SecretEvent, EnvError> {
    let id = required(&env.secret_id, "JUJU_SECRET_ID")?.to_owned();
    let revision = match (&env.secret_revision, kind) {
        (Some(raw), SecretEventKind::Expired | SecretEventKind::Remove) => Some(
            raw.parse::<u32>()
                .ok()
                .filter(|r| *r > 0)
                .ok_or_else(|| invalid("JUJU_SECRET_REVISION", raw, "expected a positive number"))?,
        ),
        _ => None,
    };
    Ok(SecretEvent { kind, id, label: env.secret_label.clone(), revision })
}

fn storage_event(kind: StorageEventKind, name: &str, env: &JujuEnv) -> Result<StorageEvent, EnvError> {
    let raw = required(&env.storage_id, "JUJU_STORAGE_ID")?;
    let (id_name, index) = raw
        .rsplit_once('/')
        .and_then(|(n, i)| Some((n, i.parse::<u32>().ok()?)))
        .ok_or_else(|| invalid("JUJU_STORAGE_ID", raw, "expected <storage-name>/<number>"))?;
    if id_name != name {
        return Err(invalid("JUJU_STORAGE_ID", raw, "does not match the hook's storage name"));
    }
    Ok(StorageEvent {
        kind,
        name: name.to_owned(),
        index,
        location: env.storage_location.as_ref().map(PathBuf::from),
        storage_kind: env.storage_kind.clone(),
    })
}

fn workload_event(suffix: &str, container: &str, env: &JujuEnv) -> Result<WorkloadEvent, EnvError> {
    let check = || required(&env.pebble_check_name, "JUJU_PEBBLE_CHECK_NAME").map(str::to_owned);
    let kind = match suffix {
        "pebble-custom-notice" => WorkloadEventKind::CustomNotice {
            id: required(&env.notice_id, "JUJU_NOTICE_ID")?.to_owned(),
            notice_type: required(&env.notice_type, "JUJU_NOTICE_TYPE")?.to_owned(),
            key: required(&env.notice_key, "JUJU_NOTICE_KEY")?.to_owned(),
        },
        "pebble-check-failed" => WorkloadEventKind::CheckFailed { check: check()? },
        "pebble-check-recovered" => WorkloadEventKind::CheckRecovered { check: check()? },
        _ => WorkloadEventKind::PebbleReady,
    };
    Ok(WorkloadEvent { kind, container: container.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(vars: &[(&str, &str)]) -> Result<Event, EnvError> {
        Event::from_env(&JujuEnv::from_vars(vars.iter().copied()), None)
    }

    #[test]
    fn simple_hooks_round_trip() {
        for (name, _) in SIMPLE_HOOKS {
            let path = format!("hooks/{name}");
            let event = parse(&[("JUJU_DISPATCH_PATH", path.as_str())]).unwrap();
            assert_eq!(event.hook_name().as_deref(), Some(*name));
        }
    }

    #[test]
    fn relation_hook_with_hyphenated_endpoint() {
        let event = parse(&[
            ("JUJU_DISPATCH_PATH", "hooks/tls-certs-relation-departed"),
            ("JUJU_RELATION", "tls-certs"),
            ("JUJU_RELATION_ID", "tls-certs:7"),
            ("JUJU_REMOTE_APP", "vault"),
            ("JUJU_REMOTE_UNIT", "vault/1"),
            ("JUJU_DEPARTING_UNIT", "vault/1"),
        ])
        .unwrap();
        let Event::Relation(r) = &event else { panic!("not a relation event: {event:?}") };
        assert_eq!((r.kind, r.endpoint.as_str(), r.id), (RelationEventKind::Departed, "tls-certs", 7));
        assert_eq!(r.departing_unit.as_deref(), Some("vault/1"));
        assert_eq!(event.hook_name().as_deref(), Some("tls-certs-relation-departed"));
    }

    #[test]
    fn malformed_relation_id_is_an_error() {
        let err =
            parse(&[("JUJU_DISPATCH_PATH", "hooks/db-relation-changed"), ("JUJU_RELATION_ID", "abc")]).unwrap_err();
        assert_eq!(err.to_string(), "JUJU_RELATION_ID=\"abc\" is not valid: expected <endpoint>:<number>");
        let err = parse(&[("JUJU_DISPATCH_PATH", "hooks/db-relation-changed")]).unwrap_err();
        assert_eq!(err, EnvError::Missing("JUJU_RELATION_ID"));
    }

    #[test]
    fn secret_storage_workload_and_action_contexts() {
        let e = parse(&[
            ("JUJU_DISPATCH_PATH", "hooks/secret-remove"),
            ("JUJU_SECRET_ID", "secret:abc"),
            ("JUJU_SECRET_REVISION", "3"),
        ])
        .unwrap();
        assert_eq!(e.secret().unwrap().revision, Some(3));
        let e = parse(&[
            ("JUJU_DISPATCH_PATH", "hooks/secret-expired"),
            ("JUJU_SECRET_ID", "secret:abc"),
            ("JUJU_SECRET_REVISION", "x"),
        ]);
        assert!(matches!(e, Err(EnvError::Invalid { var: "JUJU_SECRET_REVISION", .. })));
        let e = parse(&[
            ("JUJU_DISPATCH_PATH", "hooks/data-storage-attached"),
            ("JUJU_STORAGE_ID", "data/2"),
            ("JUJU_STORAGE_LOCATION", "/srv/data"),
        ])
        .unwrap();
        assert_eq!(e.storage().unwrap().id(), "data/2");
        let e = parse(&[("JUJU_DISPATCH_PATH", "hooks/web-pebble-check-failed"), ("JUJU_PEBBLE_CHECK_NAME", "alive")])
            .unwrap();
        assert_eq!(e.workload().unwrap().kind, WorkloadEventKind::CheckFailed { check: "alive".into() });
        let e = parse(&[("JUJU_DISPATCH_PATH", "actions/do-backup"), ("JUJU_ACTION_UUID", "42")]).unwrap();
        assert_eq!(e.action().unwrap(), &ActionEvent { name: "do-backup".into(), uuid: Some("42".into()) });
        assert_eq!(e.hook_name(), None);
    }

    #[test]
    fn unknown_hooks_and_argv0_fallback() {
        let env = JujuEnv::default();
        let e = Event::from_env(&env, Some(Path::new("/charm/hooks/frobnicate"))).unwrap();
        assert_eq!(e, Event::Unknown { name: "frobnicate".into() });
        assert_eq!(Event::from_env(&env, None), Err(EnvError::Missing("JUJU_DISPATCH_PATH")));
    }
}
