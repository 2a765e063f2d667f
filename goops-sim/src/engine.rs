//! The hook tools in-process: a [`goops_runtime::HookTools`] backed by a [`Session`].
//!
//! [`Engine`] is a cheap, clonable handle: a test keeps one handle while the charm's
//! `goops_runtime::Context` owns another, then calls [`Engine::finish`] to get the new state.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::rc::Rc;

use goops_runtime::{Error, HookTools, ToolOutput};

use crate::charm::CharmMeta;
use crate::event::EventOptions;
use crate::session::{Finished, Session, SessionError};
use crate::state::State;
use crate::tools::ToolResponse;

/// A shared handle on one hook's [`Session`] that runs tools in-process.
#[derive(Debug, Clone)]
pub struct Engine {
    session: Rc<RefCell<Option<Session>>>,
}

/// The agent socket address the in-process engine reports in its environment.
pub const IN_PROCESS_SOCKET: &str = "@goops-sim/in-process";

impl Engine {
    /// An engine on `session`.
    pub fn new(session: Session) -> Engine {
        Engine { session: Rc::new(RefCell::new(Some(session))) }
    }

    /// Build the session for `event` (a hook name, `action:<name>`, …) on `state`.
    pub fn for_event(
        state: State,
        meta: CharmMeta,
        event: &str,
        options: &EventOptions,
    ) -> Result<Engine, SessionError> {
        Ok(Engine::new(Session::for_event(state, meta, event, options)?))
    }

    /// The environment variables Juju would set for this hook.
    pub fn env(&self) -> BTreeMap<String, String> {
        self.with(|s| s.env(IN_PROCESS_SOCKET)).unwrap_or_default()
    }

    /// A `goops_runtime::Context` for this hook whose tools are this engine (a clone of the
    /// handle: keep `self` to inspect and finish the session).
    pub fn context(&self) -> Result<goops_runtime::Context, goops_runtime::EnvError> {
        let env = goops_runtime::JujuEnv::from_vars(self.env());
        let event = goops_runtime::Event::from_env(&env, None)?;
        Ok(goops_runtime::Context::new(env, event, self.clone()))
    }

    /// Run `f` on the session; `None` once the session is finished (or if called re-entrantly
    /// from inside another `with`, which would otherwise be a double borrow).
    pub fn with<R>(&self, f: impl FnOnce(&mut Session) -> R) -> Option<R> {
        self.session.try_borrow_mut().ok()?.as_mut().map(f)
    }

    /// Run a tool and return its output (a stdin request without stdin is Juju's error).
    pub fn run(&self, tool: &str, args: &[&str], stdin: Option<&[u8]>) -> ToolOutput {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        self.call_tool(tool, &args, stdin)
    }

    fn call_tool(&self, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> ToolOutput {
        match self.with(|s| s.call(tool, args, stdin)) {
            Some(response) => response.into_output(),
            None => ToolOutput::error(1, "bad request: hook context is finished or busy"),
        }
    }

    /// End the hook: commit if `exit_ok`, else roll back. `None` if already finished.
    pub fn finish(&self, exit_ok: bool) -> Option<Finished> {
        self.session.try_borrow_mut().ok()?.take().map(|s| s.finish(exit_ok))
    }
}

impl HookTools for Engine {
    fn call(&self, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> Result<ToolOutput, Error> {
        // Juju's client only sends stdin when the tool asks for it; same here.
        let response = self.with(|s| s.call(tool, args, None));
        Ok(match response {
            Some(ToolResponse::NeedStdin) => self.call_tool(tool, args, Some(stdin.unwrap_or_default())),
            Some(ToolResponse::Done(out)) => out,
            None => ToolOutput::error(1, "bad request: hook context is finished or busy"),
        })
    }
}
