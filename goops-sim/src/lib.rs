//! goops-sim: a local Juju unit agent for testing charms.
//!
//! Three parts:
//!
//! - **The simulator**: a unit's [`State`] (plain data, JSON; its parts in [`state`]) and the
//!   [`Engine`], which runs one hook of a charm in-process on a state: every hook tool with
//!   Juju's flags, output formats, errors and rules, and the commit or rollback of the hook's
//!   writes.
//! - **The CLI** (the `goops-sim` binary, [`cli_main`]): `goops-sim run <charm-dir> <event>`
//!   runs any charm's `dispatch` as a real process, serving the hook tools over a unix socket.
//! - **The test harness** ([`testing`]): Scenario-style state-transition tests for a Rust charm,
//!   in-process or as a process under `goops-sim run`.
//!
//! docs/hook-tools.md is the specification the simulator follows; code comments cite its
//! sections (§) and rules. What goops-sim knows of Juju's names and rules comes from goops-juju,
//! except where a comment says the simulator keeps its own reading because it is the oracle
//! for that rule.

mod agent_file;
mod b64;
mod cli;
mod engine;
mod event;
mod flags;
mod format;
mod ids;
pub mod model;
pub mod pebble;
mod protocol;
mod report;
mod runner;
mod session;
pub mod state;
pub mod testing;
mod tools;

#[cfg(test)]
mod tests;

pub use cli::main as cli_main;
pub use engine::Engine;
pub use event::EventOptions;
/// The charm's metadata, read from its charmcraft.yaml (or the legacy metadata.yaml,
/// config.yaml and actions.yaml) by goops-juju.
pub use goops_juju::charmcraft::CharmMeta;
pub use session::EngineError;
pub use state::State;
