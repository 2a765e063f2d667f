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

/// Session slots of finished engines, kept for the next engine on this thread.
///
/// A session is ~2 KiB: allocating one per run is glibc's only "large" request of the run, and
/// each makes malloc consolidate every small chunk the previous run freed, so the run's small
/// allocations then take its slow path. Reusing the slot keeps a test's runs on the fast path.
const SPARE_SLOTS: usize = 4;

thread_local! {
    static SPARE: RefCell<Vec<Rc<RefCell<Option<Session>>>>> = const { RefCell::new(Vec::new()) };
}

/// An empty session slot: a spare one of this thread's, or a new one.
fn spare_slot() -> Rc<RefCell<Option<Session>>> {
    SPARE
        .try_with(|spare| spare.try_borrow_mut().ok().and_then(|mut s| s.pop()))
        .ok()
        .flatten()
        .unwrap_or_else(|| Rc::new(RefCell::new(None)))
}

impl Engine {
    /// An engine on `session`.
    pub fn new(session: Session) -> Engine {
        let slot = spare_slot();
        *slot.borrow_mut() = Some(session);
        Engine { session: slot }
    }

    /// Build the session for `event` (a hook name, `action:<name>`, …) on `state`.
    pub fn for_event(
        state: State,
        meta: CharmMeta,
        event: &str,
        options: &EventOptions,
    ) -> Result<Engine, SessionError> {
        let parsed = crate::event::Event::parse(event, &meta, &state, options).map_err(|e| SessionError::Event(e.0))?;
        let engine = Engine { session: spare_slot() };
        // Built in place: the session is ~2 KiB and this runs once per test run.
        Session::build_in(&mut engine.session.borrow_mut(), state, meta, parsed)?;
        Ok(engine)
    }

    /// The environment variables Juju would set for this hook.
    pub fn env(&self) -> BTreeMap<String, String> {
        self.with(|s| s.env(IN_PROCESS_SOCKET)).unwrap_or_default()
    }

    /// A `goops_runtime::Context` for this hook whose tools are this engine (a clone of the
    /// handle: keep `self` to inspect and finish the session).
    pub fn context(&self) -> Result<goops_runtime::Context, goops_runtime::EnvError> {
        // Parsed where the variables are made, so the (large) iterator is not moved around.
        let env = self
            .with(|s| goops_runtime::JujuEnv::from_vars(s.env_iter(IN_PROCESS_SOCKET)))
            .unwrap_or_else(|| goops_runtime::JujuEnv::from_vars(std::iter::empty::<(&str, String)>()));
        let event = goops_runtime::Event::from_env(&env, None)?;
        goops_runtime::Context::new(env, event, self.clone())
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

impl Drop for Engine {
    fn drop(&mut self) {
        // The last handle gives its (emptied) slot back for the next engine on this thread.
        if Rc::strong_count(&self.session) == 1
            && let Ok(mut slot) = self.session.try_borrow_mut()
        {
            // Drop what is left of an unfinished session now (in place), not when the slot is reused.
            *slot = None;
            drop(slot);
            let _ = SPARE.try_with(|spare| {
                if let Ok(mut spare) = spare.try_borrow_mut()
                    && spare.len() < SPARE_SLOTS
                {
                    spare.push(Rc::clone(&self.session));
                }
            });
        }
    }
}

/// The in-process hook tools. Secret content arrives as `key#file=<path>` arguments naming the
/// runtime's private files, which `secret-add`/`secret-set` read from disk like Juju's agent.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn engine_for(unit: &str) -> Engine {
        let state = State { unit: unit.to_owned(), ..State::default() };
        Engine::for_event(state, CharmMeta::default(), "install", &EventOptions::default()).expect("a session")
    }

    #[test]
    fn a_slot_is_reused_only_once_every_handle_is_gone_and_starts_empty() {
        let first = engine_for("first/0");
        let kept = first.clone();
        let slot = Rc::as_ptr(&first.session);
        drop(first);
        // A clone is still alive: its session stays, and a new engine gets another slot.
        let other = engine_for("other/0");
        assert_ne!(Rc::as_ptr(&other.session), slot);
        assert_eq!(kept.with(|s| s.state().unit.clone()).as_deref(), Some("first/0"));
        drop(kept);
        drop(other);
        // Both slots are spare now; the next engines get them back, holding only their own sessions.
        let next = engine_for("next/0");
        let after = engine_for("after/0");
        assert!([Rc::as_ptr(&next.session), Rc::as_ptr(&after.session)].contains(&slot));
        assert_eq!(next.with(|s| s.state().unit.clone()).as_deref(), Some("next/0"));
        let finished = after.finish(true).expect("a session to finish");
        assert_eq!(finished.state.unit, "after/0");
        assert!(after.finish(true).is_none(), "finished once");
    }
}
