//! The charm's metadata (charmcraft.yaml), baked into the binary by `#[charm]`.
//!
//! `#[charm]` reads charmcraft.yaml (or the legacy metadata.yaml, config.yaml and actions.yaml)
//! at compile time and emits a `static` [`CharmMetadata`], so `dispatch` parses no YAML.

pub use goops_juju::{ConfigType, RelationRole};

/// What `#[charm]` knows about the charm from its charmcraft.yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CharmMetadata {
    /// The charm's name (`name:`), empty if not given.
    pub name: &'static str,
    /// Every relation endpoint (`provides`, `requires`, `peers`).
    pub relations: &'static [RelationMeta],
    /// Storage names (`storage:`).
    pub storage: &'static [&'static str],
    /// Workload container names (`containers:`).
    pub containers: &'static [&'static str],
    /// Actions (`actions:`).
    pub actions: &'static [ActionMeta],
    /// Config options (`config.options:`).
    pub config: &'static [ConfigOptionMeta],
}

impl CharmMetadata {
    /// The relation endpoint called `name`.
    pub fn relation(&self, name: &str) -> Option<&'static RelationMeta> {
        self.relations.iter().find(|r| r.endpoint == name)
    }

    /// The action called `name`.
    pub fn action(&self, name: &str) -> Option<&'static ActionMeta> {
        self.actions.iter().find(|a| a.name == name)
    }

    /// The config option called `name`.
    pub fn config_option(&self, name: &str) -> Option<&'static ConfigOptionMeta> {
        self.config.iter().find(|o| o.name == name)
    }
}

/// One relation endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelationMeta {
    /// The endpoint name (`db`).
    pub endpoint: &'static str,
    /// The interface (`postgresql_client`).
    pub interface: &'static str,
    /// provides, requires or peers.
    pub role: RelationRole,
}

/// One action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionMeta {
    /// The action's name (`do-backup`).
    pub name: &'static str,
    /// Its parameter names.
    pub params: &'static [&'static str],
}

/// One config option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigOptionMeta {
    /// The option's name (`log-level`).
    pub name: &'static str,
    /// Its type.
    pub kind: ConfigType,
    /// Whether it has a default (so it always has a value).
    pub has_default: bool,
}

/// A type with baked-in charm metadata; `#[charm]` implements it for the charm.
pub trait HasMetadata {
    /// The charm's metadata.
    const METADATA: &'static CharmMetadata;
}
