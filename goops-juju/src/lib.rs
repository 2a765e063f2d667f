//! goops-juju: what goops-rs knows about Juju, in one place.
//!
//! - [`hooks`]: every hook Juju fires, what it is scoped to (an endpoint, a storage, a
//!   container), and the context variables Juju sets for it.
//! - [`tools`]: the names of every hook tool.
//! - Juju's names and rules: [`secret`] (content keys, URIs, owners, rotate policies),
//!   [`status`] (status names), [`relation`] (relation ids), [`action`] (result keys),
//!   [`config`] (option types), [`storage`](mod@storage) (storage kinds), [`unit`](mod@unit) (unit and application names).
//! - `charmcraft` (feature `charmcraft`): the charmcraft.yaml model and its parser, with the
//!   legacy `metadata.yaml`, `config.yaml` and `actions.yaml`.
//!
//! goops-macros reads this crate at compile time, goops-runtime uses its kinds and rules (without
//! the `charmcraft` feature, so a charm's `dispatch` carries no YAML code), and goops-sim uses
//! all of it at run time. docs/hook-tools.md is the specification these tables follow.

pub mod action;
#[cfg(feature = "charmcraft")]
pub mod charmcraft;
pub mod config;
mod error;
pub mod hooks;
pub mod relation;
pub mod secret;
pub mod status;
pub mod storage;
pub mod tools;
pub mod unit;

pub use config::ConfigType;
pub use error::InvalidName;
pub use hooks::{HookKind, RelationEventKind, Scope, SecretEventKind, StorageEventKind, WorkloadEventKind};
pub use relation::{RelationId, RelationRole};
pub use secret::{RotatePolicy, SecretOwner};
pub use status::StatusName;
pub use storage::StorageKind;
