//! Juju's hook names (juju-hook-tools.md §2.1) as `#[hook(...)]` spells them.

/// What a hook is scoped to, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// A plain hook: `install`.
    None,
    /// `<endpoint>-relation-*`.
    Endpoint,
    /// `<storage>-storage-*`.
    Storage,
    /// `<container>-pebble-*`.
    Container,
}

impl Scope {
    /// What the argument names, for messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Scope::None => "nothing",
            Scope::Endpoint => "relation endpoint",
            Scope::Storage => "storage",
            Scope::Container => "container",
        }
    }
}

/// The event data a hook carries, for checking `&…Event` arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Data {
    None,
    Relation,
    Secret,
    Storage,
    Workload,
    /// Not a hook: an action.
    Action,
}

/// `(snake_case name, Juju name or suffix, scope, event data)`.
pub(crate) const HOOKS: &[(&str, &str, Scope, Data)] = &[
    ("install", "install", Scope::None, Data::None),
    ("start", "start", Scope::None, Data::None),
    ("stop", "stop", Scope::None, Data::None),
    ("remove", "remove", Scope::None, Data::None),
    ("config_changed", "config-changed", Scope::None, Data::None),
    ("update_status", "update-status", Scope::None, Data::None),
    ("upgrade_charm", "upgrade-charm", Scope::None, Data::None),
    ("leader_elected", "leader-elected", Scope::None, Data::None),
    ("leader_deposed", "leader-deposed", Scope::None, Data::None),
    ("leader_settings_changed", "leader-settings-changed", Scope::None, Data::None),
    ("pre_series_upgrade", "pre-series-upgrade", Scope::None, Data::None),
    ("post_series_upgrade", "post-series-upgrade", Scope::None, Data::None),
    ("collect_metrics", "collect-metrics", Scope::None, Data::None),
    ("meter_status_changed", "meter-status-changed", Scope::None, Data::None),
    ("secret_changed", "secret-changed", Scope::None, Data::Secret),
    ("secret_rotate", "secret-rotate", Scope::None, Data::Secret),
    ("secret_expired", "secret-expired", Scope::None, Data::Secret),
    ("secret_remove", "secret-remove", Scope::None, Data::Secret),
    ("relation_created", "relation-created", Scope::Endpoint, Data::Relation),
    ("relation_joined", "relation-joined", Scope::Endpoint, Data::Relation),
    ("relation_changed", "relation-changed", Scope::Endpoint, Data::Relation),
    ("relation_departed", "relation-departed", Scope::Endpoint, Data::Relation),
    ("relation_broken", "relation-broken", Scope::Endpoint, Data::Relation),
    ("storage_attached", "storage-attached", Scope::Storage, Data::Storage),
    ("storage_detaching", "storage-detaching", Scope::Storage, Data::Storage),
    ("pebble_ready", "pebble-ready", Scope::Container, Data::Workload),
    ("pebble_custom_notice", "pebble-custom-notice", Scope::Container, Data::Workload),
    ("pebble_check_failed", "pebble-check-failed", Scope::Container, Data::Workload),
    ("pebble_check_recovered", "pebble-check-recovered", Scope::Container, Data::Workload),
];

/// Look a hook up by its snake_case name.
pub(crate) fn find(name: &str) -> Option<(&'static str, Scope, Data)> {
    HOOKS.iter().find(|(n, ..)| *n == name).map(|(_, juju, scope, data)| (*juju, *scope, *data))
}

/// Every name `#[hook(...)]` accepts, `any` included.
pub(crate) fn all_names() -> impl Iterator<Item = &'static str> {
    HOOKS.iter().map(|(n, ..)| *n).chain(std::iter::once("any"))
}
