//! The hook tools in-process: a [`goops_runtime::HookTools`] on one hook's session.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::rc::Rc;

use goops_juju::charmcraft::CharmMeta;
use goops_runtime::{Error, HookTools, ToolOutput};

use crate::event::EventOptions;
use crate::report::{Exit, RunReport};
use crate::session::{EngineError, Finished, Session};
use crate::state::{ContainerState, State};
use crate::testing::pebble::InProcessPebble;
use crate::tools::ToolResponse;

/// One hook in-process: the event on a state, with every hook tool served by the same code as
/// `goops-sim run` (argv parsing, output formats, rules).
///
/// A cheap, clonable handle: a test keeps one while the charm's `goops_runtime::Context`
/// ([`Engine::context`]) owns another, then calls [`Engine::finish`] for the new state.
///
/// ```ignore
/// use goops_sim::{CharmMeta, Engine, EventOptions, State};
///
/// let meta = CharmMeta::from_charmcraft_yaml(include_str!("../charmcraft.yaml"))?;
/// let engine = Engine::for_event(State::default(), meta, "install", &EventOptions::default())?;
/// let outcome = goops_runtime::dispatch::<MyCharm>(&engine.context()?);
/// let report = engine.finish(outcome.exit_code() == 0).expect("finished once");
/// assert_eq!(report.state.unit_status.status, goops_sim::state::StatusName::Active);
/// ```
///
/// When the state has containers, each gets the simulated Pebble that `goops-sim run` serves,
/// reached in memory: [`Engine::context`] gives the charm's Pebble client a connector to it,
/// and [`Engine::finish`] puts each container's state after the run in the new state.
#[derive(Debug, Clone)]
pub struct Engine {
    session: Rc<RefCell<Option<Session>>>,
    /// The state's containers' simulated Pebble (`None` for a machine charm, and once finished).
    pebble: Rc<RefCell<Option<InProcessPebble>>>,
}

/// The agent socket address the in-process engine reports in its environment.
const IN_PROCESS_SOCKET: &str = "@goops-sim/in-process";

const FINISHED_OR_BUSY: &str = "bad request: hook context is finished or busy";

impl Engine {
    /// The hook for `event` (a hook name such as `db-relation-changed`, or `action:<name>`),
    /// completed by `options`, on `state`, for a charm with `meta`. Refused when the state or the
    /// event cannot happen for that charm.
    pub fn for_event(
        state: State,
        meta: CharmMeta,
        event: &str,
        options: &EventOptions,
    ) -> Result<Engine, EngineError> {
        let pebble = InProcessPebble::start(&state.containers).map_err(|e| {
            EngineError::State(format!("cannot start the simulated Pebble of the state's containers: {e}"))
        })?;
        let engine = Engine::new(Session::for_event(state, meta, event, options)?);
        *engine.pebble.borrow_mut() = pebble;
        Ok(engine)
    }

    /// Run the tools as in a charm unpacked at `dir` (the hook's working directory and
    /// `JUJU_CHARM_DIR`; add-metric reads the charm's metrics.yaml there). The default is the
    /// process's working directory.
    #[must_use]
    pub fn with_charm_dir(self, dir: impl Into<std::path::PathBuf>) -> Engine {
        let dir = dir.into();
        self.with(|s| s.charm_dir = dir);
        self
    }

    pub(crate) fn new(session: Session) -> Engine {
        Engine { session: Rc::new(RefCell::new(Some(session))), pebble: Rc::new(RefCell::new(None)) }
    }

    /// The environment variables Juju sets for this hook (empty once finished).
    pub fn env(&self) -> BTreeMap<String, String> {
        let vars = self.with(|s| s.env(IN_PROCESS_SOCKET)).unwrap_or_default();
        vars.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// A `goops_runtime::Context` for this hook whose tools are this engine (a clone of the
    /// handle: keep `self` to finish the hook).
    pub fn context(&self) -> Result<goops_runtime::Context, goops_runtime::EnvError> {
        let vars = self.with(|s| s.env(IN_PROCESS_SOCKET)).unwrap_or_default();
        let env = goops_runtime::JujuEnv::from_vars(vars);
        let event = goops_runtime::Event::from_env(&env, None)?;
        let mut ctx = goops_runtime::Context::new(env, event, self.clone())?;
        if let Some(pebble) = self.pebble.borrow().as_ref() {
            ctx.set_pebble_connector(pebble.connector());
        }
        Ok(ctx)
    }

    /// Run a hook tool and return its output (a stdin request without stdin is Juju's error).
    pub fn run(&self, tool: &str, args: &[&str], stdin: Option<&[u8]>) -> ToolOutput {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        self.call_tool(tool, &args, stdin)
    }

    /// End the hook: commit its writes if `exit_ok` (and the controller accepts them), else roll
    /// them back. How it ended is read from the exit and the hook's log, as for a process; the
    /// harness ([`crate::testing::Harness`]) knows more. `None` if already finished.
    pub fn finish(&self, exit_ok: bool) -> Option<RunReport> {
        let exit = Exit::Code(if exit_ok { 0 } else { 1 });
        let mut report = self.finish_session(exit_ok)?.report(exit, Vec::new(), Vec::new(), None);
        if let Some(containers) = self.finish_containers() {
            report.state.containers = containers;
        }
        Some(report)
    }

    /// Stop the simulated Pebble and give each container's state after the run (`None` when
    /// the state had no containers, or already taken). The workload's changes are not the
    /// hook's to roll back: they stand whatever its exit. The charm's `Context` must be gone
    /// first (its client's connections end the server threads).
    pub(crate) fn finish_containers(&self) -> Option<BTreeMap<String, ContainerState>> {
        let pebble = self.pebble.try_borrow_mut().ok()?.take()?;
        Some(pebble.finish())
    }

    /// End the hook and hand back the session's end.
    pub(crate) fn finish_session(&self, exit_ok: bool) -> Option<Finished> {
        self.session.try_borrow_mut().ok()?.take().map(|s| s.finish(exit_ok))
    }

    /// Run `f` on the session; `None` once the session is finished (or if called re-entrantly
    /// from inside another `with`, which would otherwise be a double borrow).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Session) -> R) -> Option<R> {
        self.session.try_borrow_mut().ok()?.as_mut().map(f)
    }

    fn call_tool(&self, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> ToolOutput {
        match self.with(|s| crate::tools::run(s, tool, args, stdin)) {
            Some(response) => response.into_output(),
            None => ToolOutput::error(1, FINISHED_OR_BUSY),
        }
    }
}

impl HookTools for Engine {
    fn call(&self, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> Result<ToolOutput, Error> {
        // Juju's client only sends stdin when the tool asks for it; same here.
        let response = self.with(|s| crate::tools::run(s, tool, args, None));
        Ok(match response {
            Some(ToolResponse::NeedStdin) => self.call_tool(tool, args, Some(stdin.unwrap_or_default())),
            Some(ToolResponse::Done(out)) => out,
            None => ToolOutput::error(1, FINISHED_OR_BUSY),
        })
    }
}
