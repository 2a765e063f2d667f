//! The event a dispatch handles, parsed from `JUJU_DISPATCH_PATH` and its context variables.
//!
//! Hook names are parsed with goops-juju's hook table ([`HookKind::parse`]), the one list of
//! hooks the macros, the runtime and the simulator share; the kinds of relation, secret, storage
//! and workload hooks are goops-juju's too.

use std::path::{Path, PathBuf};

pub use goops_juju::{
    HookKind, RelationEventKind, RelationId, SecretEventKind, StorageEventKind, StorageKind, WorkloadEventKind,
};

use crate::env::{EnvError, JujuEnv};

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

impl RelationEvent {
    /// The relation, `endpoint:id`, as the relation tools take it.
    pub fn relation(&self) -> RelationId {
        RelationId::new(self.endpoint.clone(), self.id)
    }
}

impl From<&RelationEvent> for RelationId {
    fn from(event: &RelationEvent) -> Self {
        event.relation()
    }
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
    /// Block device or filesystem (`JUJU_STORAGE_KIND`).
    pub storage_kind: Option<StorageKind>,
}

impl StorageEvent {
    /// The storage id Juju uses, e.g. `data/0`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.name, self.index)
    }
}

/// A Pebble notice, in `<container>-pebble-custom-notice`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Notice {
    /// `JUJU_NOTICE_ID`.
    pub id: String,
    /// `JUJU_NOTICE_TYPE` (`custom`).
    pub notice_type: String,
    /// `JUJU_NOTICE_KEY`, e.g. `example.com/db-backup-done`.
    pub key: String,
}

/// A workload (Pebble) hook and its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadEvent {
    /// Which workload hook.
    pub kind: WorkloadEventKind,
    /// The container (`JUJU_WORKLOAD_NAME`).
    pub container: String,
    /// The notice, in `pebble-custom-notice`.
    pub notice: Option<Notice>,
    /// The check (`JUJU_PEBBLE_CHECK_NAME`), in `pebble-check-failed` and `pebble-check-recovered`.
    pub check: Option<String>,
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
    /// A name that is not in the hook table is [`Event::Unknown`].
    pub fn from_hook_name(name: &str, env: &JujuEnv) -> Result<Event, EnvError> {
        let Some((kind, scope)) = HookKind::parse(name) else {
            return Ok(Event::Unknown { name: name.to_owned() });
        };
        // `parse` gives a scope for exactly the scoped kinds.
        let scope = scope.unwrap_or_default();
        Ok(match kind {
            HookKind::Install => Event::Install,
            HookKind::Start => Event::Start,
            HookKind::Stop => Event::Stop,
            HookKind::Remove => Event::Remove,
            HookKind::ConfigChanged => Event::ConfigChanged,
            HookKind::UpdateStatus => Event::UpdateStatus,
            HookKind::UpgradeCharm => Event::UpgradeCharm,
            HookKind::LeaderElected => Event::LeaderElected,
            HookKind::LeaderDeposed => Event::LeaderDeposed,
            HookKind::LeaderSettingsChanged => Event::LeaderSettingsChanged,
            HookKind::PreSeriesUpgrade => Event::PreSeriesUpgrade { target_base: env.target_base.clone() },
            HookKind::PostSeriesUpgrade => Event::PostSeriesUpgrade,
            HookKind::CollectMetrics => Event::CollectMetrics,
            HookKind::MeterStatusChanged => Event::MeterStatusChanged,
            HookKind::Relation(kind) => Event::Relation(relation_event(kind, scope, env)?),
            HookKind::Secret(kind) => Event::Secret(secret_event(kind, env)?),
            HookKind::Storage(kind) => Event::Storage(storage_event(kind, scope, env)?),
            HookKind::Workload(kind) => Event::Workload(workload_event(kind, scope, env)?),
        })
    }

    /// The kind of hook and its scope (endpoint, storage or container name); `None` for an
    /// action or an unknown hook.
    pub fn hook_kind(&self) -> Option<(HookKind, Option<&str>)> {
        Some(match self {
            Event::Install => (HookKind::Install, None),
            Event::Start => (HookKind::Start, None),
            Event::Stop => (HookKind::Stop, None),
            Event::Remove => (HookKind::Remove, None),
            Event::ConfigChanged => (HookKind::ConfigChanged, None),
            Event::UpdateStatus => (HookKind::UpdateStatus, None),
            Event::UpgradeCharm => (HookKind::UpgradeCharm, None),
            Event::LeaderElected => (HookKind::LeaderElected, None),
            Event::LeaderDeposed => (HookKind::LeaderDeposed, None),
            Event::LeaderSettingsChanged => (HookKind::LeaderSettingsChanged, None),
            Event::PreSeriesUpgrade { .. } => (HookKind::PreSeriesUpgrade, None),
            Event::PostSeriesUpgrade => (HookKind::PostSeriesUpgrade, None),
            Event::CollectMetrics => (HookKind::CollectMetrics, None),
            Event::MeterStatusChanged => (HookKind::MeterStatusChanged, None),
            Event::Relation(r) => (HookKind::Relation(r.kind), Some(r.endpoint.as_str())),
            Event::Secret(s) => (HookKind::Secret(s.kind), None),
            Event::Storage(s) => (HookKind::Storage(s.kind), Some(s.name.as_str())),
            Event::Workload(w) => (HookKind::Workload(w.kind), Some(w.container.as_str())),
            Event::Action(_) | Event::Unknown { .. } => return None,
        })
    }

    /// The Juju hook name (`db-relation-changed`), or `None` for an action.
    pub fn hook_name(&self) -> Option<String> {
        match (self, self.hook_kind()) {
            (_, Some((kind, scope))) => Some(kind.hook_name(scope)),
            (Event::Unknown { name }, None) => Some(name.clone()),
            _ => None,
        }
    }

    /// Whether this is one of the restricted hooks (`collect-metrics`, `meter-status-changed`),
    /// where Juju offers only a few tools and the framework runs no collect-status.
    pub fn is_restricted(&self) -> bool {
        matches!(self, Event::CollectMetrics | Event::MeterStatusChanged)
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

fn required<'a>(value: &'a Option<String>, var: &'static str) -> Result<&'a str, EnvError> {
    value.as_deref().ok_or(EnvError::Missing(var))
}

fn relation_event(kind: RelationEventKind, endpoint: &str, env: &JujuEnv) -> Result<RelationEvent, EnvError> {
    let raw = required(&env.relation_id, "JUJU_RELATION_ID")?;
    // Juju sets `<endpoint>:<id>`; older tooling sets the bare number.
    let id = goops_juju::relation::relation_number(raw)
        .ok_or_else(|| invalid("JUJU_RELATION_ID", raw, "expected <endpoint>:<number>"))?;
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
    let (id_name, index) = goops_juju::storage::parse_storage_id(raw)
        .map_err(|_| invalid("JUJU_STORAGE_ID", raw, "expected <storage-name>/<number>"))?;
    if id_name != name {
        return Err(invalid("JUJU_STORAGE_ID", raw, "does not match the hook's storage name"));
    }
    let storage_kind = match &env.storage_kind {
        Some(raw) => Some(raw.parse().map_err(|_| invalid("JUJU_STORAGE_KIND", raw, "expected filesystem or block"))?),
        None => None,
    };
    Ok(StorageEvent {
        kind,
        name: name.to_owned(),
        index,
        location: env.storage_location.as_ref().map(PathBuf::from),
        storage_kind,
    })
}

fn workload_event(kind: WorkloadEventKind, container: &str, env: &JujuEnv) -> Result<WorkloadEvent, EnvError> {
    let mut event = WorkloadEvent { kind, container: container.to_owned(), notice: None, check: None };
    match kind {
        WorkloadEventKind::PebbleReady => {}
        WorkloadEventKind::PebbleCustomNotice => {
            event.notice = Some(Notice {
                id: required(&env.notice_id, "JUJU_NOTICE_ID")?.to_owned(),
                notice_type: required(&env.notice_type, "JUJU_NOTICE_TYPE")?.to_owned(),
                key: required(&env.notice_key, "JUJU_NOTICE_KEY")?.to_owned(),
            });
        }
        WorkloadEventKind::PebbleCheckFailed | WorkloadEventKind::PebbleCheckRecovered => {
            event.check = Some(required(&env.pebble_check_name, "JUJU_PEBBLE_CHECK_NAME")?.to_owned());
        }
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(vars: &[(&str, &str)]) -> Result<Event, EnvError> {
        Event::from_env(&JujuEnv::from_vars(vars.iter().copied()), None)
    }

    /// Every hook of goops-juju's table parses into an event of that kind and back to its name.
    #[test]
    fn every_hook_in_the_table_round_trips() {
        for kind in HookKind::ALL {
            let scope = kind.scope().map(|_| "my-thing");
            let name = kind.hook_name(scope);
            let path = format!("hooks/{name}");
            let vars = [
                ("JUJU_DISPATCH_PATH", path.as_str()),
                ("JUJU_RELATION_ID", "my-thing:3"),
                ("JUJU_SECRET_ID", "secret:cn0s4cu5gdbs7e2q5l4g"),
                ("JUJU_SECRET_REVISION", "2"),
                ("JUJU_STORAGE_ID", "my-thing/0"),
                ("JUJU_STORAGE_KIND", "block"),
                ("JUJU_NOTICE_ID", "1"),
                ("JUJU_NOTICE_TYPE", "custom"),
                ("JUJU_NOTICE_KEY", "example.com/k"),
                ("JUJU_PEBBLE_CHECK_NAME", "alive"),
            ];
            let event = parse(&vars).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(event.hook_kind(), Some((kind, scope)), "{name}");
            assert_eq!(event.hook_name().as_deref(), Some(name.as_str()));
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
        assert_eq!(r.relation(), RelationId::new("tls-certs", 7));
        assert_eq!(RelationId::from(r).to_string(), "tls-certs:7");
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
        assert_eq!(e.storage().unwrap().storage_kind, None);
        let e = parse(&[
            ("JUJU_DISPATCH_PATH", "hooks/data-storage-attached"),
            ("JUJU_STORAGE_ID", "data/2"),
            ("JUJU_STORAGE_KIND", "tape"),
        ]);
        assert!(matches!(e, Err(EnvError::Invalid { var: "JUJU_STORAGE_KIND", .. })), "{e:?}");
        let e = parse(&[("JUJU_DISPATCH_PATH", "hooks/web-pebble-check-failed"), ("JUJU_PEBBLE_CHECK_NAME", "alive")])
            .unwrap();
        let w = e.workload().unwrap();
        assert_eq!(
            (w.kind, w.check.as_deref(), &w.notice),
            (WorkloadEventKind::PebbleCheckFailed, Some("alive"), &None)
        );
        let e = parse(&[
            ("JUJU_DISPATCH_PATH", "hooks/web-pebble-custom-notice"),
            ("JUJU_NOTICE_ID", "7"),
            ("JUJU_NOTICE_TYPE", "custom"),
            ("JUJU_NOTICE_KEY", "example.com/done"),
        ])
        .unwrap();
        let notice = e.workload().unwrap().notice.clone().unwrap();
        assert_eq!(notice, Notice { id: "7".into(), notice_type: "custom".into(), key: "example.com/done".into() });
        let e = parse(&[("JUJU_DISPATCH_PATH", "hooks/web-pebble-custom-notice"), ("JUJU_NOTICE_ID", "7")]);
        assert_eq!(e, Err(EnvError::Missing("JUJU_NOTICE_TYPE")));
        let e = parse(&[("JUJU_DISPATCH_PATH", "actions/do-backup"), ("JUJU_ACTION_UUID", "42")]).unwrap();
        assert_eq!(e.action().unwrap(), &ActionEvent { name: "do-backup".into(), uuid: Some("42".into()) });
        assert_eq!(e.hook_name(), None);
    }

    #[test]
    fn unknown_hooks_and_argv0_fallback() {
        let env = JujuEnv::default();
        let e = Event::from_env(&env, Some(Path::new("/charm/hooks/frobnicate"))).unwrap();
        assert_eq!(e, Event::Unknown { name: "frobnicate".into() });
        assert_eq!((e.hook_kind(), e.hook_name().as_deref()), (None, Some("frobnicate")));
        assert_eq!(Event::from_env(&env, None), Err(EnvError::Missing("JUJU_DISPATCH_PATH")));
    }
}
