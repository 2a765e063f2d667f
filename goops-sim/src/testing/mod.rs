//! State-transition tests for charms, in the style of Scenario (`ops.testing`).
//!
//! A test builds a [`State`], picks an event with [`On`], and runs it on the charm with
//! [`Harness::run`]. The result is a [`RunReport`]: how the run ended ([`End`]), the new state,
//! and what the hook did (its `juju-log` lines, the statuses it set, the action's results, logs
//! and failure, every hook-tool call). The input state is never changed; there are no globals,
//! so tests run in parallel.
//!
//! ```ignore
//! use goops_sim::State;
//! use goops_sim::state::StatusName;
//! use goops_sim::testing::{End, Harness, On};
//!
//! let harness = Harness::<Certificates>::for_charm(env!("CARGO_MANIFEST_DIR"))?;
//! let state = State { leader: true, ..State::default() };
//! let out = harness.run(On::install(), &state)?;
//! assert_eq!(out.end, End::Completed);
//! assert_eq!(out.state.unit_status.status, StatusName::Active);
//! assert!(out.secret_by_label("active-ca-certificates").is_some());
//! // The same test as a real process under `goops-sim run`:
//! let out = harness.process(env!("CARGO_BIN_EXE_certificates")).run(On::install(), &state)?;
//! ```
//!
//! Before each run the test itself is checked for consistency with the charm's metadata
//! ([`Inconsistency`], like Scenario's consistency checker): config keys and types, declared
//! relations, storage and resources, secret grants on relations in the state (a consumed
//! secret's naming this unit or its application: without one, reading it is `permission
//! denied`, as in Juju), the event's relation / secret / storage / container present
//! in the state, a declared action with parameters that fit its schema (read as the state's Juju
//! version does: Juju 3 accepts undeclared parameters unless the action says
//! `additionalProperties: false`, Juju 4 refuses them). [`Harness::skip_consistency_checks`]
//! turns that off (goops-sim's own rules still refuse states that cannot happen).
//!
//! In-process, the charm's `goops_runtime::dispatch` runs on goops-sim's [`Engine`]: the same
//! tool code, argv parsing and output formats as the CLI. In process mode ([`Harness::process`])
//! the charm's binary is staged as `dispatch` next to its `charmcraft.yaml` and run by the
//! `goops-sim run` CLI. Both give the same [`RunReport`].

mod consistency;
mod container_view;
mod on;
pub(crate) mod pebble;
pub(crate) mod process;

use std::marker::PhantomData;
use std::path::PathBuf;
use std::time::Duration;

use goops_juju::charmcraft::{CharmMeta, MetaError};
use goops_runtime::Charm;
use goops_runtime::Outcome as Dispatched;

pub use consistency::Inconsistency;
pub use container_view::{ContainerView, File, Plan, PlanEntry, Service};
/// goops-juju's hook kinds (the same type as `goops_runtime::HookKind`), for [`On::unit_hook`].
pub use goops_juju::hooks::HookKind;
pub use on::On;

use crate::engine::Engine;
use crate::report::Exit;
pub use crate::report::{ActionRecord, End, RunReport, ToolCall};
use crate::session::EngineError;
use crate::state::State;

/// Why a run could not happen.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The charm's metadata could not be read.
    #[error("cannot read the charm's metadata: {0}")]
    Metadata(#[from] MetaError),
    /// The test's state or event does not fit the charm.
    #[error("inconsistent test: {0}")]
    Inconsistent(#[from] Inconsistency),
    /// goops-sim refused the state or event.
    #[error("goops-sim refused the test: {0}")]
    Refused(#[from] EngineError),
    /// The in-process hook context could not be built.
    #[error("cannot build the hook context: {0}")]
    Context(goops_runtime::EnvError),
    /// The metadata read from the charm dir is not what `#[charm]` baked into the charm.
    #[error("the charm dir's metadata differs from what #[charm] baked into the charm: {0}")]
    MetadataMismatch(String),
    /// Process mode: staging, finding or running `goops-sim` failed.
    #[error("process mode: {0}")]
    Process(String),
}

/// How a run executes the charm.
#[derive(Debug, Clone)]
enum Mode {
    InProcess,
    Process { binary: PathBuf, goops_sim: Option<PathBuf>, timeout: Duration },
}

/// Runs events on a charm `C` from a given state. See the [module docs](self).
pub struct Harness<C> {
    charm_dir: PathBuf,
    meta: CharmMeta,
    mode: Mode,
    checks: bool,
    charm: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for Harness<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness")
            .field("charm", &self.meta.name)
            .field("charm_dir", &self.charm_dir)
            .field("mode", &self.mode)
            .field("checks", &self.checks)
            .finish()
    }
}

impl<C> Clone for Harness<C> {
    fn clone(&self) -> Self {
        Harness {
            charm_dir: self.charm_dir.clone(),
            meta: self.meta.clone(),
            mode: self.mode.clone(),
            checks: self.checks,
            charm: PhantomData,
        }
    }
}

impl<C: Charm> Harness<C> {
    /// A harness for the charm whose `charmcraft.yaml` (or `metadata.yaml`, `config.yaml`,
    /// `actions.yaml`) is in `charm_dir`: usually `env!("CARGO_MANIFEST_DIR")`, the same files
    /// `#[charm]` read at compile time, so metadata, config defaults and action schemas are exact.
    pub fn new(charm_dir: impl Into<PathBuf>) -> Result<Harness<C>, HarnessError> {
        let charm_dir = charm_dir.into();
        let charm_dir = charm_dir.canonicalize().unwrap_or(charm_dir);
        let meta = CharmMeta::from_dir(&charm_dir)?;
        Ok(Harness { charm_dir, meta, mode: Mode::InProcess, checks: true, charm: PhantomData })
    }

    /// Run as a real process under `goops-sim run`: `binary` (the charm's executable, e.g.
    /// `env!("CARGO_BIN_EXE_mycharm")`) is staged as `dispatch` next to the charm's metadata.
    ///
    /// The `goops-sim` executable is `$GOOPS_SIM_BIN`, else the one cargo built next to the test
    /// binary, else it is built (once per test binary) into `target/goops-sim-harness`. In a
    /// workspace where goops-sim is a member, `cargo test -p <charm>` does not rebuild that
    /// sibling binary: after changing goops-sim, build it (`cargo build -p goops-sim`) or test
    /// the whole workspace.
    pub fn process(&self, binary: impl Into<PathBuf>) -> Harness<C> {
        let mut harness = self.clone();
        harness.mode = Mode::Process { binary: binary.into(), goops_sim: None, timeout: Duration::from_secs(60) };
        harness
    }

    /// Use this `goops-sim` executable in process mode.
    pub fn goops_sim_binary(&self, path: impl Into<PathBuf>) -> Harness<C> {
        let mut harness = self.clone();
        if let Mode::Process { goops_sim, .. } = &mut harness.mode {
            *goops_sim = Some(path.into());
        }
        harness
    }

    /// Kill a process-mode hook after `timeout` (default 60 s; `goops-sim run --timeout`).
    pub fn timeout(&self, timeout: Duration) -> Harness<C> {
        let mut harness = self.clone();
        if let Mode::Process { timeout: t, .. } = &mut harness.mode {
            *t = timeout;
        }
        harness
    }

    /// Run in-process (the default).
    pub fn in_process(&self) -> Harness<C> {
        let mut harness = self.clone();
        harness.mode = Mode::InProcess;
        harness
    }

    /// Whether runs happen as a real process.
    pub fn is_process(&self) -> bool {
        matches!(self.mode, Mode::Process { .. })
    }

    /// The charm dir the metadata is read from (canonical).
    pub fn charm_dir(&self) -> &std::path::Path {
        &self.charm_dir
    }

    /// The charm binary staged as `dispatch` in process mode (`None` in-process).
    pub fn process_binary(&self) -> Option<&std::path::Path> {
        match &self.mode {
            Mode::Process { binary, .. } => Some(binary),
            Mode::InProcess => None,
        }
    }

    /// Skip the consistency checks (goops-sim's own rules still apply).
    pub fn skip_consistency_checks(&self) -> Harness<C> {
        let mut harness = self.clone();
        harness.checks = false;
        harness
    }

    /// The charm's metadata as goops-sim reads it.
    pub fn meta(&self) -> &CharmMeta {
        &self.meta
    }

    /// Check `state` and `event` against the charm's metadata (what [`Harness::run`] does first).
    pub fn check(&self, event: &On, state: &State) -> Result<(), Inconsistency> {
        consistency::check(&self.meta, event, state)
    }

    /// Run `event` on a copy of `state`, on the charm value `C::default()` as `run` builds it
    /// for each dispatch.
    pub fn run(&self, event: On, state: &State) -> Result<RunReport, HarnessError> {
        if self.checks {
            self.check(&event, state)?;
        }
        match &self.mode {
            Mode::InProcess => self.run_in_process(&C::default(), &event, state),
            Mode::Process { binary, goops_sim, timeout } => {
                let goops_sim = match goops_sim {
                    Some(path) => path.clone(),
                    None => process::find_goops_sim()?,
                };
                process::run(&self.charm_dir, binary, &goops_sim, *timeout, &event, state)
            }
        }
    }

    /// Run `event` on a copy of `state`, on a charm value the test built (the `self` of its
    /// handlers, e.g. holding test doubles), in-process as `goops_runtime::dispatch_with` does.
    /// A value cannot cross into a process: in process mode this is [`HarnessError::Process`].
    pub fn run_with(&self, charm: &C, event: On, state: &State) -> Result<RunReport, HarnessError> {
        if self.is_process() {
            return Err(HarnessError::Process(
                "a charm value runs in-process only: use `run` in process mode (the binary builds its own)".into(),
            ));
        }
        if self.checks {
            self.check(&event, state)?;
        }
        self.run_in_process(charm, &event, state)
    }

    fn run_in_process(&self, charm: &C, event: &On, input: &State) -> Result<RunReport, HarnessError> {
        let engine = Engine::for_event(input.clone(), self.meta.clone(), &event.name, &event.options)?;
        engine.with(|s| s.charm_dir.clone_from(&self.charm_dir));
        // The engine serves the state's containers' Pebble to the context's client.
        let ctx = engine.context().map_err(HarnessError::Context)?;
        let dispatched = goops_runtime::dispatch_with::<C>(charm, &ctx);
        drop(ctx);
        let code = i32::from(dispatched.exit_code());
        // Juju records an action process's exit code in its results (output is empty in-process).
        engine.with(|s| {
            if s.event.is_action() {
                s.record_action_output(b"", b"", code);
            }
        });
        let finished = engine
            .finish_session(code == 0)
            // This run owns the engine, so its session ends here, once.
            .ok_or_else(|| HarnessError::Refused(EngineError::State("the hook's session had already ended".into())))?;
        // The runtime's own word on how the dispatch ended.
        let (exit, end) = match dispatched {
            Dispatched::Skipped => (Exit::Skipped, End::Skipped),
            // `dispatch` reports an action's results itself and returns `Completed`.
            // An unreachable workload ends the hook `waiting`, exit 0: completed, as Juju sees it.
            Dispatched::Completed | Dispatched::ActionResults(_) | Dispatched::WorkloadNotReachable(_) => {
                (Exit::Code(code), End::Completed)
            }
            Dispatched::HookFailed(m) => (Exit::Code(code), End::HookFailed(m)),
            Dispatched::ActionFailed(m) => (Exit::Code(code), End::ActionFailed(m)),
            Dispatched::Panicked(m) => (Exit::Code(code), End::Panicked(m)),
        };
        let mut report = finished.report(exit, Vec::new(), Vec::new(), Some(end));
        if let Some(containers) = engine.finish_containers() {
            report.state.containers = containers;
        }
        Ok(report)
    }
}

impl<C: Charm + goops_runtime::HasMetadata> Harness<C> {
    /// Like [`Harness::new`], and check that the metadata read from `charm_dir` declares the
    /// same endpoints, actions, config options, storage and containers as the metadata `#[charm]`
    /// baked into `C` (so a test cannot point at another charm's files).
    pub fn for_charm(charm_dir: impl Into<PathBuf>) -> Result<Harness<C>, HarnessError> {
        let harness = Harness::<C>::new(charm_dir)?;
        let baked = C::METADATA;
        let meta = &harness.meta;
        let names = |it: &mut dyn Iterator<Item = String>| {
            let mut v: Vec<String> = it.collect();
            v.sort();
            v
        };
        let pairs = [
            (
                "relation endpoints",
                names(&mut baked.relations.iter().map(|r| r.endpoint.to_owned())),
                names(&mut meta.endpoints.keys().cloned()),
            ),
            (
                "actions",
                names(&mut baked.actions.iter().map(|a| a.name.to_owned())),
                names(&mut meta.actions.keys().cloned()),
            ),
            (
                "config options",
                names(&mut baked.config.iter().map(|o| o.name.to_owned())),
                names(&mut meta.config.keys().cloned()),
            ),
            (
                "storage",
                names(&mut baked.storage.iter().map(|s| (*s).to_owned())),
                names(&mut meta.storage.keys().cloned()),
            ),
            (
                "containers",
                names(&mut baked.containers.iter().map(|c| (*c).to_owned())),
                names(&mut meta.containers.keys().cloned()),
            ),
        ];
        for (what, baked, read) in pairs {
            if baked != read {
                return Err(HarnessError::MetadataMismatch(format!(
                    "{what}: baked {baked:?}, read from {} {read:?}",
                    harness.charm_dir.display()
                )));
            }
        }
        Ok(harness)
    }
}
