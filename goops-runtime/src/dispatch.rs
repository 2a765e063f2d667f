//! The dispatch table ([`Charm`]) and the entry point [`run`].
//!
//! Outcomes follow DESIGN.md "Events and dispatch": no handler → exit 0 with one debug line
//! (printed on stdout, which Juju logs at DEBUG, so a skipped hook runs no hook tool); a hook handler's `Err` → `juju-log ERROR` with the error chain and exit 1 (Juju
//! retries); an action handler's `Err` → `action-fail` and exit 0; an unknown action →
//! `action-fail`; a panic → caught, logged, exit 1.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;

use crate::context::Context;
use crate::env::JujuEnv;
use crate::event::Event;
use crate::hookcmds::action;
use crate::hookcmds::log::LogLevel;
use crate::tools::ProcessTools;

/// Which event a [`Handler`] handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerKey {
    /// A hook, by its full Juju name: `install`, `db-relation-changed`, `data-storage-attached`.
    Hook(&'static str),
    /// An action, by its name in charmcraft.yaml: `do-backup`.
    Action(&'static str),
    /// The fallback: every hook that has no handler of its own (never actions).
    AnyHook,
}

/// One entry of a charm's dispatch table.
pub struct Handler<C> {
    /// The event it handles.
    pub key: HandlerKey,
    /// Runs the handler: extracts its arguments from the context, calls it, converts its result.
    pub run: fn(&C, &Context) -> Outcome,
}

impl<C> std::fmt::Debug for Handler<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handler").field("key", &self.key).finish_non_exhaustive()
    }
}

/// A charm: a type with a dispatch table. `#[charm]` implements it; writing it by hand works too.
///
/// ```
/// use goops_runtime::{Charm, Context, Handler, HandlerKey, Outcome, IntoHookOutcome};
///
/// #[derive(Default)]
/// struct MyCharm;
///
/// impl MyCharm {
///     fn install(&self, ctx: &Context) -> goops_runtime::Result<()> {
///         ctx.log(goops_runtime::LogLevel::Info, "installing")
///     }
/// }
///
/// impl Charm for MyCharm {
///     const HANDLERS: &'static [Handler<Self>] =
///         &[Handler { key: HandlerKey::Hook("install"), run: |c, ctx| c.install(ctx).into_hook_outcome() }];
/// }
/// ```
pub trait Charm: Default + 'static {
    /// The dispatch table. At most one entry per key.
    const HANDLERS: &'static [Handler<Self>];

    /// The `#[collect_status]` handler: run at the end of every dispatch whose handler
    /// succeeded, to add statuses with `Context::add_status`; the framework then sets the
    /// highest-priority one. `None` when the charm has none.
    const COLLECT_STATUS: Option<fn(&Self, &Context) -> Outcome> = None;
}

/// What a handler's run produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The hook or action completed.
    Done,
    /// The hook failed; the message is the error chain.
    HookFailed(String),
    /// The action completed with these results (flattened `a.b` keys → string values).
    ActionResults(BTreeMap<String, String>),
    /// The action failed with this message.
    ActionFailed(String),
}

/// Convert a hook handler's return value into an [`Outcome`].
pub trait IntoHookOutcome {
    /// The outcome.
    fn into_hook_outcome(self) -> Outcome;
}

impl IntoHookOutcome for () {
    fn into_hook_outcome(self) -> Outcome {
        Outcome::Done
    }
}

impl<E> IntoHookOutcome for Result<(), E>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn into_hook_outcome(self) -> Outcome {
        match self {
            Ok(()) => Outcome::Done,
            Err(e) => Outcome::HookFailed(error_chain(&*e.into())),
        }
    }
}

/// What an action handler returns: its results (any `Serialize` type; by default a map of result
/// keys to values) or an error, which becomes `action-fail`.
pub type ActionResult<T = BTreeMap<String, String>, E = crate::Error> = std::result::Result<T, E>;

/// Convert an action handler's return value into an [`Outcome`].
///
/// `Ok` results are serialized with serde: a struct or map becomes the action's results, nested
/// maps flattened to dotted keys (`{"a": {"b": 1}}` → `a.b=1`); `()` means no results.
pub trait IntoActionOutcome {
    /// The outcome.
    fn into_action_outcome(self) -> Outcome;
}

impl<T, E> IntoActionOutcome for Result<T, E>
where
    T: serde::Serialize,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn into_action_outcome(self) -> Outcome {
        match self {
            Ok(results) => match flatten_results(&results) {
                Ok(map) => Outcome::ActionResults(map),
                Err(e) => Outcome::ActionFailed(e),
            },
            Err(e) => Outcome::ActionFailed(error_chain(&*e.into())),
        }
    }
}

/// An error followed by its sources: `outer: middle: inner`.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let next = e.to_string();
        // thiserror's `#[error("...: {0}")]` already includes its source; don't say it twice.
        if !text.ends_with(&next) {
            let _ = write!(text, ": {next}");
        }
        source = e.source();
    }
    text
}

fn flatten_results<T: serde::Serialize>(results: &T) -> Result<BTreeMap<String, String>, String> {
    let value = serde_json::to_value(results).map_err(|e| format!("cannot serialize the action's results: {e}"))?;
    let mut out = BTreeMap::new();
    match value {
        serde_json::Value::Null => {}
        serde_json::Value::Object(map) => flatten_into(&mut out, String::new(), map)?,
        _ => return Err("the action's results must serialize to a map of keys to values".to_owned()),
    }
    Ok(out)
}

fn flatten_into(
    out: &mut BTreeMap<String, String>,
    prefix: String,
    map: serde_json::Map<String, serde_json::Value>,
) -> Result<(), String> {
    for (key, value) in map {
        let key = if prefix.is_empty() { key } else { format!("{prefix}.{key}") };
        let text = match value {
            serde_json::Value::Object(inner) => {
                flatten_into(out, key, inner)?;
                continue;
            }
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        if !action::is_valid_result_key(&key) {
            return Err(format!(
                "action result key {key:?} is not valid: each dot-separated part must be lowercase letters, digits and \
                 hyphens, start and end with a letter or digit, and not be stdout, stderr or their -encoding"
            ));
        }
        if out.insert(key.clone(), text).is_some() {
            return Err(format!("action result key {key:?} is set twice"));
        }
    }
    Ok(())
}

/// How a dispatch ended; [`DispatchOutcome::exit_code`] is what the process returns to Juju.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DispatchOutcome {
    /// No handler for this hook (an unknown hook has none unless the charm has an `any` handler):
    /// skipped, exit 0.
    NoHandler,
    /// The hook handler succeeded.
    HookDone,
    /// The hook handler returned an error: logged, exit 1.
    HookFailed(String),
    /// The action succeeded and its results were set.
    ActionDone,
    /// The action failed (handler error, unknown action or bad results): `action-fail`, exit 0.
    ActionFailed(String),
    /// The handler panicked: logged, exit 1.
    Panicked(String),
    /// Talking to Juju to report the outcome failed: exit 1.
    ReportFailed(String),
}

impl DispatchOutcome {
    /// The exit code Juju should see.
    pub fn exit_code(&self) -> u8 {
        match self {
            DispatchOutcome::NoHandler
            | DispatchOutcome::HookDone
            | DispatchOutcome::ActionDone
            | DispatchOutcome::ActionFailed(_) => 0,
            DispatchOutcome::HookFailed(_) | DispatchOutcome::Panicked(_) | DispatchOutcome::ReportFailed(_) => 1,
        }
    }
}

/// Find the handler for the context's event in `C`'s table.
fn find_handler<C: Charm>(event: &Event) -> Option<&'static Handler<C>> {
    let table = C::HANDLERS;
    if let Event::Action(action) = event {
        return table.iter().find(|h| matches!(h.key, HandlerKey::Action(n) if n == action.name));
    }
    let name = event.hook_name()?;
    table
        .iter()
        .find(|h| matches!(h.key, HandlerKey::Hook(n) if n == name))
        .or_else(|| table.iter().find(|h| h.key == HandlerKey::AnyHook))
}

/// Run `C`'s handler for the context's event and report the outcome to Juju.
pub fn dispatch<C: Charm>(ctx: &Context) -> DispatchOutcome {
    let event = ctx.event();
    let Some(handler) = find_handler::<C>(event) else {
        if let Event::Action(action) = event {
            let message = format!("action {:?} is not implemented by this charm", action.name);
            return match action::action_fail(ctx.tools(), &message) {
                Ok(()) => DispatchOutcome::ActionFailed(message),
                Err(e) => DispatchOutcome::ReportFailed(e.to_string()),
            };
        }
        // No tool call here: spawning juju-log would cost more than the whole skipped hook.
        // `run` prints the debug line on stdout, which Juju logs at DEBUG.
        return DispatchOutcome::NoHandler;
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let charm = C::default();
        (handler.run)(&charm, ctx)
    }));
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(payload) => {
            let message = panic_message(&*payload);
            let _ = ctx.log(LogLevel::Error, format!("charm code panicked: {message}"));
            if event.action().is_some() {
                let _ = action::action_fail(ctx.tools(), &format!("charm code panicked: {message}"));
            }
            return DispatchOutcome::Panicked(message);
        }
    };
    report(ctx, outcome)
}

fn report(ctx: &Context, outcome: Outcome) -> DispatchOutcome {
    let is_action = ctx.event().action().is_some();
    let result = match (&outcome, is_action) {
        (Outcome::Done, false) => return DispatchOutcome::HookDone,
        (Outcome::Done, true) => return DispatchOutcome::ActionDone,
        (Outcome::HookFailed(message), false) => ctx.log(LogLevel::Error, message),
        (Outcome::HookFailed(message) | Outcome::ActionFailed(message), true) => {
            action::action_fail(ctx.tools(), message)
        }
        (Outcome::ActionResults(results), true) => {
            action::action_set(ctx.tools(), results.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        }
        (Outcome::ActionResults(_) | Outcome::ActionFailed(_), false) => {
            let message = "an action handler ran for a hook".to_owned();
            let _ = ctx.log(LogLevel::Error, &message);
            return DispatchOutcome::HookFailed(message);
        }
    };
    match (result, outcome) {
        (Err(e), _) => DispatchOutcome::ReportFailed(e.to_string()),
        (Ok(()), Outcome::HookFailed(m)) if !is_action => DispatchOutcome::HookFailed(m),
        (Ok(()), Outcome::HookFailed(m) | Outcome::ActionFailed(m)) => DispatchOutcome::ActionFailed(m),
        (Ok(()), _) => DispatchOutcome::ActionDone,
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

/// The charm's `main`: build the context from the process, dispatch, return the exit code.
///
/// ```no_run
/// # #[derive(Default)] struct MyCharm;
/// # impl goops_runtime::Charm for MyCharm { const HANDLERS: &'static [goops_runtime::Handler<Self>] = &[]; }
/// fn main() -> std::process::ExitCode {
///     goops_runtime::run::<MyCharm>()
/// }
/// ```
pub fn run<C: Charm>() -> ExitCode {
    let env = JujuEnv::from_process();
    let argv0 = std::env::args_os().next().map(std::path::PathBuf::from);
    let event = match Event::from_env(&env, argv0.as_deref()) {
        Ok(event) => event,
        Err(e) => {
            // Without a valid event there is no hook context to log to; stderr reaches Juju's log.
            eprintln!("goops: cannot dispatch: {e}");
            return ExitCode::from(1);
        }
    };
    let ctx = Context::new(env, event, ProcessTools::new());
    #[cfg(panic = "abort")]
    install_abort_panic_hook();
    let outcome = dispatch::<C>(&ctx);
    if outcome == DispatchOutcome::NoHandler {
        println!("goops: no handler for hook {:?}; skipped", ctx.event().hook_name().unwrap_or_default());
    }
    ExitCode::from(outcome.exit_code())
}

/// With `panic = "abort"` nothing can be caught, so log the panic from the hook before dying.
#[cfg(panic = "abort")]
fn install_abort_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = match info.payload().downcast_ref::<&str>() {
            Some(s) => (*s).to_owned(),
            None => info.payload().downcast_ref::<String>().cloned().unwrap_or_default(),
        };
        let tools = ProcessTools::new();
        let _ = crate::hookcmds::log::juju_log(&tools, LogLevel::Error, &format!("charm code panicked: {message}"));
        eprintln!("charm code panicked: {message}");
    }));
}
