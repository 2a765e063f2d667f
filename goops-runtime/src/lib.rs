//! goops-runtime: write Juju charms in Rust.
//!
//! Juju runs a charm's `dispatch` binary once per event; the charm talks to Juju only through
//! hook tools (`config-get`, `status-set`, `secret-get`, …). This crate is everything between
//! the two: every hook tool as a typed function ([`hookcmds`]), the event ([`Event`]), the
//! per-dispatch [`Context`] with its caches, stored state ([`stored`]), collect-status
//! ([`Context::add_status`]), and the entry point [`run`].
//!
//! A charm crate (with its `charmcraft.yaml`, which `#[charm]` reads at compile time):
//!
//! ```ignore
//! use goops_runtime::prelude::*;
//!
//! #[derive(Default)]
//! pub struct MyCharm;
//!
//! #[charm]
//! impl MyCharm {
//!     #[hook(install, config_changed)]
//!     fn configure(ctx: &Context) -> HookResult {
//!         let port: u16 = ctx.config_get("port")?.unwrap_or(8080);
//!         ctx.log_info(format!("{} listens on {port}", ctx.app_name()));
//!         ctx.add_status(Status::active());
//!         Ok(())
//!     }
//!
//!     #[hook(relation_changed("db"))]
//!     fn on_db(ctx: &Context, event: &RelationEvent) -> HookResult {
//!         let Some(app) = &event.remote_app else { return Ok(()) };
//!         if !ctx.relation_data(&event.relation(), app)?.contains_key("host") {
//!             ctx.add_status(Status::waiting("waiting for the database"));
//!         }
//!         Ok(())
//!     }
//! }
//!
//! // src/main.rs
//! fn main() -> std::process::ExitCode {
//!     goops_runtime::run::<MyCharm>()
//! }
//! ```
//!
//! # Results
//!
//! One story for handlers, one for the API they call:
//! - A hook handler returns [`HookResult`] (`Result<(), BoxError>`): `?` takes any error
//!   (`goops_runtime::Error`, `std::io::Error`, your own, a `String`). An `Err` fails the hook:
//!   its error chain is logged at ERROR and the process exits 1, so Juju retries the hook.
//!   Returning `()` or `Result<(), E>` for your own `E: Error + Send + Sync` works too.
//! - An action handler returns [`ActionResult<T>`](ActionResult): `Ok(results)` (any
//!   `Serialize` type, flattened to Juju's dotted result keys; `()` for none) or an `Err`,
//!   which fails the action with `action-fail` (the unit is fine, exit 0).
//! - The API (every [`Context`] method and [`hookcmds`] function) returns
//!   [`goops_runtime::Result<T>`](Result), whose [`Error`] says what Juju refused
//!   ([`Error::is_not_found`], [`Error::is_not_leader`], …) without ever quoting secret content.
//!
//! The prelude exports `HookResult`, `ActionResult` and `BoxError`, not a `Result` of its own,
//! so `Result` keeps meaning `std::result::Result` in charm code.
//!
//! Logging never fails: [`Context::log`] and `log_info` & co. return nothing; if `juju-log`
//! cannot run, the line goes to stderr, which Juju logs at WARNING.
//!
//! # What `self` is for
//!
//! A handler's `self` is the charm value. Juju runs one process per event, so [`run`] builds it
//! with `Default` for each dispatch and drops it at the end: it holds nothing between hooks
//! (keep that in [`stored`] state, or in Juju). What `self` is good for is what a test wants to
//! inject: build the charm with a fake workload client and run it with [`dispatch_with`].
//! Handlers that need nothing from it may leave `self` out.
//!
//! # The end of a dispatch
//!
//! After a successful handler (and for hooks without one), the framework, like ops: runs the
//! `#[collect_status]` handler and sets the most urgent status added with
//! [`Context::add_status`] (and [`Context::add_app_status`] on the leader), once; saves the
//! [`stored`] state that changed, in one `state-set`; reports an action's results. A failed
//! handler skips all of it. See [`dispatch`](mod@dispatch).
//!
//! # Secrets
//!
//! Secret content never travels on argv or in logs: it is written to private files for
//! `secret-add`/`secret-set` ([`secret_files`]), read back into [`SecretString`]s (no
//! `Display`; [`SecretString::expose_secret`] is the only way to the value), and redacted from
//! errors. [`TypedSecret`] (what `#[secret]` implements) gives a secret whose content keys are a
//! struct's fields.
//!
//! The hook tools' behaviour this crate relies on is specified in `docs/hook-tools.md` of the
//! goops-rs repository; comments cite its sections (§).

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
mod container;
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
pub mod secret_files;
pub mod stored;
pub mod tools;
pub mod typed_secret;

/// The Pebble client for Kubernetes charms (the `goops-pebble` crate), behind the `pebble`
/// feature. [`Context::container`] gives a client bound to one workload container.
#[cfg(feature = "pebble")]
pub use goops_pebble as pebble;

pub use context::Context;
pub use dispatch::{
    ActionResult, BoxError, Charm, Handler, HandlerKey, HookResult, IntoActionOutcome, IntoHookOutcome, Outcome,
    dispatch, dispatch_with, run,
};
pub use env::{EnvError, JujuEnv};
pub use error::{Error, Result};
pub use event::{
    ActionEvent, Event, HookKind, Notice, RelationEvent, RelationEventKind, SecretEvent, SecretEventKind, StorageEvent,
    StorageEventKind, WorkloadEvent, WorkloadEventKind,
};
pub use goops_juju::{ConfigType, RelationId, RelationRole, RotatePolicy, SecretOwner, StatusName, StorageKind};
pub use hookcmds::log::LogLevel;
pub use hookcmds::port::Port;
pub use hookcmds::relation::Databag;
pub use hookcmds::secret::{
    Expiry, RevokeTarget, SecretAddOptions, SecretInfo, SecretReadMode, SecretSelector, SecretSetOptions,
};
pub use hookcmds::status::Status;
pub use secret::{SecretContent, SecretString};
pub use stored::{Stored, StoredState};
pub use tools::{HookTools, ProcessTools, ToolOutput};
pub use typed_secret::TypedSecret;

pub use extract::{ActionParams, CharmConfig, FromContext, Rejection};
pub use goops_macros::{ActionParams, CharmConfig, action, charm, collect_status, hook, secret};
pub use metadata::{CharmMetadata, HasMetadata};

/// The names a charm usually needs: `use goops_runtime::prelude::*;`.
///
/// It has no `Result`: handlers return [`HookResult`] or
/// [`ActionResult`], API calls return `goops_runtime::Result`, and `Result`
/// stays `std::result::Result`.
pub mod prelude {
    pub use crate::{ActionEvent, ActionParams, CharmConfig, action, charm, collect_status, hook, secret};
    pub use crate::{
        ActionResult, BoxError, Charm, Context, Databag, Error, Event, Expiry, HookResult, LogLevel, Port,
        RelationEvent, RelationId, RotatePolicy, SecretAddOptions, SecretContent, SecretEvent, SecretOwner,
        SecretReadMode, SecretSelector, SecretSetOptions, SecretString, Status, StorageEvent, Stored, StoredState,
        TypedSecret, WorkloadEvent,
    };
}
