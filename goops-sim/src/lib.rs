//! goops-sim: a local Juju unit agent for testing charms.
//!
//! - [`state`]: one unit's state as a serde value (JSON).
//! - [`session`]: one hook's pending writes on top of a state; commit or roll back.
//! - [`tools`]: every hook tool, with Juju's flags ([`flags`]), output formats ([`format`](mod@format)),
//!   errors and rules.
//! - [`charm`], [`event`]: the charm's metadata and the event (with Juju's environment variables).
//! - [`protocol`], [`report`]: how tool calls reach the runner over a unix socket, and the report
//!   of a run.
//! - [`engine`]: the tools in-process, as a `goops_runtime::HookTools`.
//! - [`runner`]: run a charm's `dispatch` as a real process with the hook tools on `PATH`.
//! - [`harness`]: state-transition tests for a charm, in-process or under `goops-sim run`.

pub mod base64;
pub mod charm;
pub mod engine;
pub mod event;
pub mod flags;
pub mod format;
pub mod harness;
pub mod protocol;
pub mod report;
pub mod runner;
pub mod session;
pub mod state;
pub mod tools;

pub use charm::CharmMeta;
pub use engine::Engine;
pub use event::{Event, EventOptions};
pub use harness::{End, Harness, HarnessError, Inconsistency, On, Outcome};
pub use session::{Finished, Session, SessionError};
pub use state::State;
pub use tools::ToolResponse;
