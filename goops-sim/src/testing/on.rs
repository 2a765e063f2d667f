//! [`On`]: the event a harness run is for, built from the state it refers to.

use goops_juju::hooks::{HookKind, RelationEventKind, SecretEventKind, StorageEventKind, WorkloadEventKind};

use crate::event::EventOptions;
use crate::state::{Relation, Secret, Storage};

/// What the event refers to in the state, for the consistency check.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Target {
    None,
    Relation { id: u32, endpoint: String, kind: RelationEventKind },
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
    pub(super) name: String,
    pub(super) target: Target,
    pub(super) options: EventOptions,
}

macro_rules! unit_hooks {
    ($($fn:ident => $kind:ident,)*) => {
        $(
            #[doc = concat!("The [`HookKind::", stringify!($kind), "`] hook (see [`On::unit_hook`]).")]
            pub fn $fn() -> On {
                On::unit_hook(HookKind::$kind)
            }
        )*
    };
}

impl On {
    fn named(name: String, target: Target) -> On {
        On { name, target, options: EventOptions::default() }
    }

    /// A hook without context (`install`, `config-changed`, `leader-elected`, … — those of
    /// goops-juju's hook table with no scope, secret hooks aside). `leader-elected` needs a
    /// state with `leader: true`. A relation, secret, storage or workload kind has no event
    /// without what it refers to: use its own constructor (given here, the run is refused).
    pub fn unit_hook(kind: HookKind) -> On {
        On::named(kind.juju_name().to_owned(), Target::None)
    }

    unit_hooks! {
        install => Install,
        start => Start,
        stop => Stop,
        remove => Remove,
        config_changed => ConfigChanged,
        upgrade_charm => UpgradeCharm,
        update_status => UpdateStatus,
        leader_elected => LeaderElected,
        leader_deposed => LeaderDeposed,
        leader_settings_changed => LeaderSettingsChanged,
        collect_metrics => CollectMetrics,
        meter_status_changed => MeterStatusChanged,
        pre_series_upgrade => PreSeriesUpgrade,
        post_series_upgrade => PostSeriesUpgrade,
    }

    fn relation(kind: RelationEventKind, relation: &Relation) -> On {
        let name = HookKind::Relation(kind).hook_name(Some(&relation.endpoint));
        let mut on = On::named(name, Target::Relation { id: relation.id, endpoint: relation.endpoint.clone(), kind });
        on.options.relation_id = Some(relation.id);
        on
    }

    /// `<endpoint>-relation-created` for `relation` (a relation of the state).
    pub fn relation_created(relation: &Relation) -> On {
        On::relation(RelationEventKind::Created, relation)
    }

    /// `<endpoint>-relation-joined`; the remote unit defaults to the relation's first one.
    pub fn relation_joined(relation: &Relation) -> On {
        On::relation(RelationEventKind::Joined, relation)
    }

    /// `<endpoint>-relation-changed`; the remote unit defaults to the relation's first one.
    pub fn relation_changed(relation: &Relation) -> On {
        On::relation(RelationEventKind::Changed, relation)
    }

    /// `<endpoint>-relation-departed`; the departing unit defaults to the remote unit.
    pub fn relation_departed(relation: &Relation) -> On {
        On::relation(RelationEventKind::Departed, relation)
    }

    /// `<endpoint>-relation-broken`.
    pub fn relation_broken(relation: &Relation) -> On {
        On::relation(RelationEventKind::Broken, relation)
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

    fn secret(kind: SecretEventKind, secret: &Secret, revision: Option<u32>) -> On {
        let mut on = On::named(HookKind::Secret(kind).juju_name().to_owned(), Target::Secret { id: secret.id.clone() });
        on.options.secret = Some(secret.id.clone());
        on.options.secret_revision = revision;
        on
    }

    /// `secret-changed` of a secret this charm consumes.
    pub fn secret_changed(secret: &Secret) -> On {
        On::secret(SecretEventKind::Changed, secret, None)
    }

    /// `secret-rotate` of a secret this charm owns.
    pub fn secret_rotate(secret: &Secret) -> On {
        On::secret(SecretEventKind::Rotate, secret, None)
    }

    /// `secret-expired` of one revision of a secret this charm owns.
    pub fn secret_expired(secret: &Secret, revision: u32) -> On {
        On::secret(SecretEventKind::Expired, secret, Some(revision))
    }

    /// `secret-remove` of one revision of a secret this charm owns.
    pub fn secret_remove(secret: &Secret, revision: u32) -> On {
        On::secret(SecretEventKind::Remove, secret, Some(revision))
    }

    fn storage(kind: StorageEventKind, storage: &Storage) -> On {
        let name = HookKind::Storage(kind).hook_name(Some(&storage.name));
        let mut on = On::named(name, Target::Storage { name: storage.name.clone(), id: storage.id() });
        on.options.storage = Some(storage.id());
        on
    }

    /// `<name>-storage-attached` for a storage instance of the state.
    pub fn storage_attached(storage: &Storage) -> On {
        On::storage(StorageEventKind::Attached, storage)
    }

    /// `<name>-storage-detaching` for a storage instance of the state.
    pub fn storage_detaching(storage: &Storage) -> On {
        On::storage(StorageEventKind::Detaching, storage)
    }

    fn workload(kind: WorkloadEventKind, container: &str) -> On {
        let name = HookKind::Workload(kind).hook_name(Some(container));
        On::named(name, Target::Container { name: container.to_owned() })
    }

    /// `<container>-pebble-ready`.
    pub fn pebble_ready(container: &str) -> On {
        On::workload(WorkloadEventKind::PebbleReady, container)
    }

    /// `<container>-pebble-custom-notice` for the notice `id` of `notice_type` with `key`.
    pub fn pebble_custom_notice(container: &str, id: &str, notice_type: &str, key: &str) -> On {
        let mut on = On::workload(WorkloadEventKind::PebbleCustomNotice, container);
        on.options.notice = Some((id.to_owned(), notice_type.to_owned(), key.to_owned()));
        on
    }

    /// `<container>-pebble-check-failed` for the check `check`.
    pub fn pebble_check_failed(container: &str, check: &str) -> On {
        let mut on = On::workload(WorkloadEventKind::PebbleCheckFailed, container);
        on.options.check = Some(check.to_owned());
        on
    }

    /// `<container>-pebble-check-recovered` for the check `check`.
    pub fn pebble_check_recovered(container: &str, check: &str) -> On {
        let mut on = On::workload(WorkloadEventKind::PebbleCheckRecovered, container);
        on.options.check = Some(check.to_owned());
        on
    }

    /// The action `name`; add parameters with [`On::param`].
    pub fn action(name: &str) -> On {
        On::named(format!("action:{name}"), Target::Action { name: name.to_owned() })
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

    /// Set the base a pre/post-series-upgrade moves to (`JUJU_TARGET_BASE`, default `ubuntu@24.04`).
    pub fn target_base(mut self, base: impl Into<String>) -> On {
        self.options.target_base = Some(base.into());
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
    pub(super) fn cli_args(&self) -> Vec<String> {
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
        push("target-base", o.target_base.clone());
        if !o.params.is_empty() {
            push("params", Some(serde_json::Value::Object(o.params.clone()).to_string()));
        }
        push("action-id", o.action_id.clone());
        args
    }
}
