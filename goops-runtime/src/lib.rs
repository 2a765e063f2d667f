//! goops-runtime: write Juju charms in Rust.
//!
//! Every Juju hook tool as a typed, safe function ([`hookcmds`]), the event model ([`Event`]),
//! the per-dispatch [`Context`], and the dispatch entry point [`run`].

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
pub mod context;
pub mod dispatch;
pub mod env;
pub mod error;
pub mod event;
pub mod extract;
pub mod hookcmds;
#[cfg(feature = "log")]
pub mod logging;
pub mod metadata;
pub mod secret;
pub mod tools;
pub mod typed_secret;

pub use context::Context;
pub use dispatch::{
    ActionResult, Charm, DispatchOutcome, Handler, HandlerKey, IntoActionOutcome, IntoHookOutcome, Outcome, dispatch,
    run,
};
pub use env::{EnvError, JujuEnv};
pub use error::{Error, Result};
pub use event::{
    ActionEvent, Event, RelationEvent, RelationEventKind, SecretEvent, SecretEventKind, StorageEvent, StorageEventKind,
    WorkloadEvent, WorkloadEventKind,
};
pub use hookcmds::log::LogLevel;
pub use hookcmds::relation::{Databag, RelationId};
pub use hookcmds::secret::{
    Expiry, RotatePolicy, SecretAddOptions, SecretContent, SecretInfo, SecretOwner, SecretReadMode, SecretSelector,
    SecretSetOptions,
};
pub use hookcmds::status::{Status, StatusName};
pub use secret::SecretString;
pub use tools::{HookTools, ProcessTools, StagedContent, ToolOutput};
pub use typed_secret::TypedSecret;

pub use extract::{ActionParams, CharmConfig, FromContext, Rejection};
pub use goops_macros::{ActionParams, CharmConfig, action, charm, collect_status, hook, secret};
pub use metadata::{CharmMetadata, HasMetadata};

/// The names a charm usually needs: `use goops_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::{ActionEvent, ActionParams, CharmConfig, action, charm, collect_status, hook, secret};
    pub use crate::{
        ActionResult, Charm, Context, Databag, Error, Event, Expiry, LogLevel, RelationEvent, RelationId, Result,
        RotatePolicy, SecretAddOptions, SecretContent, SecretEvent, SecretOwner, SecretReadMode, SecretSelector,
        SecretSetOptions, SecretString, Status, StorageEvent, TypedSecret, WorkloadEvent,
    };
}
