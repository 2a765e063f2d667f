//! Every hook Juju fires (docs/hook-tools.md §2.1), what it is scoped to, and the context
//! variables Juju sets for it (§3).
//!
//! This is the one hook table of the project: `#[hook(...)]` names, the runtime's `Event`, the
//! environment goops-sim builds and the harness's events all come from [`HookKind::ALL`].

use crate::error::juju_names;

/// What a scoped hook's name starts with: `<endpoint>-relation-changed`, `<storage>-storage-attached`,
/// `<container>-pebble-ready`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// A relation endpoint declared under `provides`, `requires` or `peers`.
    Endpoint,
    /// A storage declared under `storage`.
    Storage,
    /// A workload container declared under `containers`.
    Container,
}

impl Scope {
    /// What the scope names, for messages: `relation endpoint`, `storage`, `container`.
    pub fn noun(self) -> &'static str {
        match self {
            Scope::Endpoint => "relation endpoint",
            Scope::Storage => "storage",
            Scope::Container => "container",
        }
    }

    /// The charmcraft.yaml sections that declare it.
    pub fn sections(self) -> &'static str {
        match self {
            Scope::Endpoint => "provides/requires/peers",
            Scope::Storage => "storage",
            Scope::Container => "containers",
        }
    }
}

juju_names! {
    /// Which relation hook: `<endpoint>-relation-<kind>`.
    pub enum RelationEventKind ("relation hook kind", expected "created, joined, changed, departed or broken") {
        /// `relation-created`: the relation exists; no remote unit has joined yet.
        Created = "created",
        /// `relation-joined`: a remote unit joined.
        Joined = "joined",
        /// `relation-changed`: a remote unit's or application's data changed (or a unit joined).
        Changed = "changed",
        /// `relation-departed`: a remote unit left.
        Departed = "departed",
        /// `relation-broken`: the relation is going away.
        Broken = "broken",
    }
}

juju_names! {
    /// Which secret hook: `secret-<kind>`.
    pub enum SecretEventKind ("secret hook kind", expected "changed, rotate, expired or remove") {
        /// `secret-changed`: a secret this unit reads has a revision newer than the tracked one.
        Changed = "changed",
        /// `secret-rotate`: a secret this unit (or its application) owns is due for rotation.
        Rotate = "rotate",
        /// `secret-expired`: a revision of an owned secret expired.
        Expired = "expired",
        /// `secret-remove`: a revision of an owned secret is tracked by no one any more.
        Remove = "remove",
    }
}

juju_names! {
    /// Which storage hook: `<storage>-storage-<kind>`.
    pub enum StorageEventKind ("storage hook kind", expected "attached or detaching") {
        /// `storage-attached`.
        Attached = "attached",
        /// `storage-detaching`.
        Detaching = "detaching",
    }
}

juju_names! {
    /// Which workload (Pebble) hook: `<container>-pebble-<kind>`.
    pub enum WorkloadEventKind ("workload hook kind", expected "ready, custom-notice, check-failed or check-recovered") {
        /// `pebble-ready`: the container's Pebble is up.
        PebbleReady = "ready",
        /// `pebble-custom-notice`: a custom Pebble notice was recorded.
        PebbleCustomNotice = "custom-notice",
        /// `pebble-check-failed` (Juju 3.6+).
        PebbleCheckFailed = "check-failed",
        /// `pebble-check-recovered` (Juju 3.6+).
        PebbleCheckRecovered = "check-recovered",
    }
}

/// A kind of hook: the unit hooks by name, the scoped and secret hooks by family and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookKind {
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
    /// `leader-settings-changed` (3.x; not a unit hook in 4.0)
    LeaderSettingsChanged,
    /// `pre-series-upgrade` (3.x machine charms)
    PreSeriesUpgrade,
    /// `post-series-upgrade` (3.x machine charms)
    PostSeriesUpgrade,
    /// `collect-metrics` (3.x)
    CollectMetrics,
    /// `meter-status-changed` (3.x)
    MeterStatusChanged,
    /// `<endpoint>-relation-<kind>`
    Relation(RelationEventKind),
    /// `secret-<kind>`
    Secret(SecretEventKind),
    /// `<storage>-storage-<kind>`
    Storage(StorageEventKind),
    /// `<container>-pebble-<kind>`
    Workload(WorkloadEventKind),
}

/// Variables Juju sets for every hook and action (§3). Those of one kind of hook are
/// [`HookKind::context_vars`]; an action's are [`ACTION_VARS`].
pub const COMMON_VARS: &[&str] = &[
    "JUJU_CHARM_DIR",
    "CHARM_DIR",
    "JUJU_CONTEXT_ID",
    "JUJU_HOOK_NAME",
    "JUJU_DISPATCH_PATH",
    "JUJU_AGENT_SOCKET_ADDRESS",
    "JUJU_AGENT_SOCKET_NETWORK",
    "JUJU_UNIT_NAME",
    "JUJU_MODEL_UUID",
    "JUJU_MODEL_NAME",
    "JUJU_API_ADDRESSES",
    "JUJU_MACHINE_ID",
    "JUJU_PRINCIPAL_UNIT",
    "JUJU_AVAILABILITY_ZONE",
    "JUJU_VERSION",
    "CLOUD_API_VERSION",
    "JUJU_CHARM_HTTP_PROXY",
    "JUJU_CHARM_HTTPS_PROXY",
    "JUJU_CHARM_FTP_PROXY",
    "JUJU_CHARM_NO_PROXY",
    "JUJU_SLA",
];

/// Variables Juju sets for an action, besides [`COMMON_VARS`] (`JUJU_HOOK_NAME` is empty).
pub const ACTION_VARS: &[&str] = &["JUJU_ACTION_NAME", "JUJU_ACTION_UUID", "JUJU_ACTION_TAG"];

const RELATION_VARS: &[&str] = &["JUJU_RELATION", "JUJU_RELATION_ID", "JUJU_REMOTE_UNIT", "JUJU_REMOTE_APP"];
const DEPARTED_VARS: &[&str] =
    &["JUJU_RELATION", "JUJU_RELATION_ID", "JUJU_REMOTE_UNIT", "JUJU_REMOTE_APP", "JUJU_DEPARTING_UNIT"];
const SECRET_VARS: &[&str] = &["JUJU_SECRET_ID", "JUJU_SECRET_LABEL"];
const SECRET_REVISION_VARS: &[&str] = &["JUJU_SECRET_ID", "JUJU_SECRET_LABEL", "JUJU_SECRET_REVISION"];
const STORAGE_VARS: &[&str] = &["JUJU_STORAGE_ID", "JUJU_STORAGE_LOCATION", "JUJU_STORAGE_KIND"];
const WORKLOAD_VARS: &[&str] = &["JUJU_WORKLOAD_NAME"];
const NOTICE_VARS: &[&str] = &["JUJU_WORKLOAD_NAME", "JUJU_NOTICE_ID", "JUJU_NOTICE_TYPE", "JUJU_NOTICE_KEY"];
const CHECK_VARS: &[&str] = &["JUJU_WORKLOAD_NAME", "JUJU_PEBBLE_CHECK_NAME"];
const SERIES_VARS: &[&str] = &["JUJU_TARGET_BASE", "JUJU_TARGET_SERIES"];

impl HookKind {
    /// Every kind of hook, unit hooks first, in the order of §2.1.
    pub const ALL: [HookKind; 29] = [
        HookKind::Install,
        HookKind::Start,
        HookKind::Stop,
        HookKind::Remove,
        HookKind::ConfigChanged,
        HookKind::UpdateStatus,
        HookKind::UpgradeCharm,
        HookKind::LeaderElected,
        HookKind::LeaderDeposed,
        HookKind::LeaderSettingsChanged,
        HookKind::PreSeriesUpgrade,
        HookKind::PostSeriesUpgrade,
        HookKind::CollectMetrics,
        HookKind::MeterStatusChanged,
        HookKind::Secret(SecretEventKind::Changed),
        HookKind::Secret(SecretEventKind::Rotate),
        HookKind::Secret(SecretEventKind::Expired),
        HookKind::Secret(SecretEventKind::Remove),
        HookKind::Relation(RelationEventKind::Created),
        HookKind::Relation(RelationEventKind::Joined),
        HookKind::Relation(RelationEventKind::Changed),
        HookKind::Relation(RelationEventKind::Departed),
        HookKind::Relation(RelationEventKind::Broken),
        HookKind::Storage(StorageEventKind::Attached),
        HookKind::Storage(StorageEventKind::Detaching),
        HookKind::Workload(WorkloadEventKind::PebbleReady),
        HookKind::Workload(WorkloadEventKind::PebbleCustomNotice),
        HookKind::Workload(WorkloadEventKind::PebbleCheckFailed),
        HookKind::Workload(WorkloadEventKind::PebbleCheckRecovered),
    ];

    /// Juju's name for an unscoped hook (`config-changed`, `secret-rotate`), or the suffix after
    /// `<scope>-` for a scoped one (`relation-changed`, `storage-attached`, `pebble-ready`).
    pub const fn juju_name(self) -> &'static str {
        use RelationEventKind as R;
        use SecretEventKind as S;
        use StorageEventKind as St;
        use WorkloadEventKind as W;
        match self {
            HookKind::Install => "install",
            HookKind::Start => "start",
            HookKind::Stop => "stop",
            HookKind::Remove => "remove",
            HookKind::ConfigChanged => "config-changed",
            HookKind::UpdateStatus => "update-status",
            HookKind::UpgradeCharm => "upgrade-charm",
            HookKind::LeaderElected => "leader-elected",
            HookKind::LeaderDeposed => "leader-deposed",
            HookKind::LeaderSettingsChanged => "leader-settings-changed",
            HookKind::PreSeriesUpgrade => "pre-series-upgrade",
            HookKind::PostSeriesUpgrade => "post-series-upgrade",
            HookKind::CollectMetrics => "collect-metrics",
            HookKind::MeterStatusChanged => "meter-status-changed",
            HookKind::Secret(S::Changed) => "secret-changed",
            HookKind::Secret(S::Rotate) => "secret-rotate",
            HookKind::Secret(S::Expired) => "secret-expired",
            HookKind::Secret(S::Remove) => "secret-remove",
            HookKind::Relation(R::Created) => "relation-created",
            HookKind::Relation(R::Joined) => "relation-joined",
            HookKind::Relation(R::Changed) => "relation-changed",
            HookKind::Relation(R::Departed) => "relation-departed",
            HookKind::Relation(R::Broken) => "relation-broken",
            HookKind::Storage(St::Attached) => "storage-attached",
            HookKind::Storage(St::Detaching) => "storage-detaching",
            HookKind::Workload(W::PebbleReady) => "pebble-ready",
            HookKind::Workload(W::PebbleCustomNotice) => "pebble-custom-notice",
            HookKind::Workload(W::PebbleCheckFailed) => "pebble-check-failed",
            HookKind::Workload(W::PebbleCheckRecovered) => "pebble-check-recovered",
        }
    }

    /// The name as `#[hook(...)]` spells it: [`HookKind::juju_name`] in snake_case.
    pub fn snake_name(self) -> String {
        self.juju_name().replace('-', "_")
    }

    /// The kind `#[hook(...)]` spells `name` (`config_changed`, `relation_changed`).
    pub fn from_snake_name(name: &str) -> Option<HookKind> {
        Self::ALL.into_iter().find(|k| k.juju_name().len() == name.len() && k.snake_name() == name)
    }

    /// What the hook is scoped to; `None` for unit and secret hooks.
    pub const fn scope(self) -> Option<Scope> {
        match self {
            HookKind::Relation(_) => Some(Scope::Endpoint),
            HookKind::Storage(_) => Some(Scope::Storage),
            HookKind::Workload(_) => Some(Scope::Container),
            _ => None,
        }
    }

    /// The full hook name: `install`, or `<scope>-<suffix>` (`db-relation-changed`). `scope` is
    /// ignored for unscoped hooks and required for scoped ones (`None` gives the bare suffix).
    pub fn hook_name(self, scope: Option<&str>) -> String {
        match (self.scope(), scope) {
            (Some(_), Some(scope)) => format!("{scope}-{}", self.juju_name()),
            _ => self.juju_name().to_owned(),
        }
    }

    /// Parse a full hook name into its kind and scope: `db-relation-changed` →
    /// (`Relation(Changed)`, `Some("db")`), `install` → (`Install`, `None`). Endpoint, storage and
    /// container names may hold hyphens. `None` for a name Juju does not fire.
    pub fn parse(name: &str) -> Option<(HookKind, Option<&str>)> {
        if let Some(kind) = Self::ALL.into_iter().find(|k| k.scope().is_none() && k.juju_name() == name) {
            return Some((kind, None));
        }
        Self::ALL.into_iter().filter(|k| k.scope().is_some()).find_map(|kind| {
            let scope = name.strip_suffix(kind.juju_name())?.strip_suffix('-')?;
            (!scope.is_empty()).then_some((kind, Some(scope)))
        })
    }

    /// The variables Juju sets for this hook besides [`COMMON_VARS`] (§3). Some may be empty:
    /// `JUJU_REMOTE_UNIT` in relation-created, relation-broken and an application-level
    /// relation-changed.
    pub const fn context_vars(self) -> &'static [&'static str] {
        match self {
            HookKind::Relation(RelationEventKind::Departed) => DEPARTED_VARS,
            HookKind::Relation(_) => RELATION_VARS,
            HookKind::Secret(SecretEventKind::Expired | SecretEventKind::Remove) => SECRET_REVISION_VARS,
            HookKind::Secret(_) => SECRET_VARS,
            HookKind::Storage(_) => STORAGE_VARS,
            HookKind::Workload(WorkloadEventKind::PebbleReady) => WORKLOAD_VARS,
            HookKind::Workload(WorkloadEventKind::PebbleCustomNotice) => NOTICE_VARS,
            HookKind::Workload(_) => CHECK_VARS,
            HookKind::PreSeriesUpgrade | HookKind::PostSeriesUpgrade => SERIES_VARS,
            _ => &[],
        }
    }
}

impl std::fmt::Display for HookKind {
    /// The Juju name, or `<scope>-<suffix>` for a scoped hook.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.scope() {
            Some(_) => write!(f, "<{}>-{}", self.scope().map_or("", Scope::noun).replace(' ', "-"), self.juju_name()),
            None => f.write_str(self.juju_name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_listed_once_and_round_trips() {
        for (i, kind) in HookKind::ALL.into_iter().enumerate() {
            assert!(!HookKind::ALL[..i].contains(&kind), "{kind:?} listed twice");
            assert_eq!(HookKind::from_snake_name(&kind.snake_name()), Some(kind));
            let scope = kind.scope().map(|_| "my-thing");
            let name = kind.hook_name(scope);
            assert_eq!(HookKind::parse(&name), Some((kind, scope)), "{name}");
        }
    }

    #[test]
    fn scoped_names_keep_their_hyphens() {
        assert_eq!(
            HookKind::parse("tls-certs-relation-departed"),
            Some((HookKind::Relation(RelationEventKind::Departed), Some("tls-certs")))
        );
        assert_eq!(
            HookKind::parse("web-pebble-check-failed"),
            Some((HookKind::Workload(WorkloadEventKind::PebbleCheckFailed), Some("web")))
        );
        assert_eq!(HookKind::parse("secret-remove"), Some((HookKind::Secret(SecretEventKind::Remove), None)));
        for not_a_hook in ["frobnicate", "-relation-changed", "relation-changed", "install-relation", ""] {
            assert_eq!(HookKind::parse(not_a_hook), None, "{not_a_hook}");
        }
        assert_eq!(HookKind::from_snake_name("config-changed"), None, "snake_case only");
    }

    #[test]
    fn context_vars_follow_the_environment_table() {
        let departed = HookKind::Relation(RelationEventKind::Departed).context_vars();
        assert!(departed.contains(&"JUJU_DEPARTING_UNIT"));
        assert!(!HookKind::Relation(RelationEventKind::Changed).context_vars().contains(&"JUJU_DEPARTING_UNIT"));
        assert!(HookKind::Secret(SecretEventKind::Expired).context_vars().contains(&"JUJU_SECRET_REVISION"));
        assert!(!HookKind::Secret(SecretEventKind::Changed).context_vars().contains(&"JUJU_SECRET_REVISION"));
        assert!(HookKind::Install.context_vars().is_empty());
        assert_eq!(HookKind::Relation(RelationEventKind::Changed).to_string(), "<relation-endpoint>-relation-changed");
        assert_eq!(HookKind::ConfigChanged.to_string(), "config-changed");
    }

    #[test]
    fn kinds_parse_from_their_names() {
        assert_eq!("departed".parse::<RelationEventKind>(), Ok(RelationEventKind::Departed));
        assert_eq!(WorkloadEventKind::PebbleCustomNotice.as_str(), "custom-notice");
        let err = "exploded".parse::<StorageEventKind>().unwrap_err();
        assert_eq!(err.to_string(), "invalid storage hook kind \"exploded\": expected attached or detaching");
    }
}
