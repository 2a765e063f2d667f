//! The dispatch table ([`Charm`]), [`dispatch`] and [`dispatch_with`], and the entry point [`run`].
//!
//! How a dispatch ends, and what Juju sees:
//! - no handler for a hook: [`Outcome::Skipped`], exit 0, and no tool call of its own (`run`
//!   prints one line on stdout, which Juju logs at DEBUG);
//! - a hook handler's `Err`: `juju-log ERROR` with the error chain, exit 1 (Juju retries the hook);
//! - an action handler's `Err`, an unknown action, or results that are not valid: `action-fail`,
//!   exit 0 (the action failed; the unit is fine);
//! - a panic: caught, logged (and `action-fail` in an action), exit 1.
//!
//! When the handler succeeded, or a hook had none, the framework ends the dispatch as ops does:
//! it runs the `#[collect_status]` handler ([`Charm::COLLECT_STATUS`]) and sets the most urgent
//! status added with [`Context::add_status`] / [`Context::add_app_status`] (not in the
//! restricted `collect-metrics` and `meter-status-changed`), then saves the
//! [stored state](crate::stored) that changed, then reports an action's results. A failure in
//! any of these fails the dispatch like a handler's error.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;

use goops_juju::action::{RESULT_KEY_EXPECTED, is_valid_result_key};

use crate::context::Context;
use crate::env::JujuEnv;
use crate::error::Result;
use crate::event::Event;
use crate::hookcmds::action;
use crate::hookcmds::log::LogLevel;
use crate::hookcmds::status::{self, Status};
use crate::secret_files;
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
    /// Runs the handler: extracts its arguments from the context, calls it, converts its result
    /// (hooks: [`Outcome::Completed`] or [`Outcome::HookFailed`]; actions:
    /// [`Outcome::ActionResults`] or [`Outcome::ActionFailed`]).
    pub run: fn(&C, &Context) -> Outcome,
}

impl<C> std::fmt::Debug for Handler<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handler").field("key", &self.key).finish_non_exhaustive()
    }
}

/// A charm: a type with a dispatch table. `#[charm]` implements it; writing it by hand works too.
///
/// The charm value is what handlers get as `self`. [`run`] and [`dispatch`] build it with
/// `Default` for each dispatch (Juju runs the charm once per event, so nothing lives longer
/// than one hook: what must outlive it belongs in [stored state](crate::stored) or in Juju).
/// [`dispatch_with`] takes a value built elsewhere, so a test can give the charm injected
/// dependencies (a fake workload client, a fixed clock).
///
/// ```
/// use goops_runtime::{Charm, Context, Handler, HandlerKey, HookResult, IntoHookOutcome, Status};
///
/// #[derive(Default)]
/// struct MyCharm;
///
/// impl MyCharm {
///     fn install(&self, ctx: &Context) -> HookResult {
///         ctx.log_info("installing");
///         ctx.add_status(Status::maintenance("installing"));
///         Ok(())
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
    /// succeeded (and of hooks without a handler), except in the restricted `collect-metrics`
    /// and `meter-status-changed`, to add statuses with [`Context::add_status`] and
    /// [`Context::add_app_status`]; the framework then sets the most urgent of them. `None` when
    /// the charm has none.
    const COLLECT_STATUS: Option<fn(&Self, &Context) -> Outcome> = None;
}

/// What a handler produced, and how a dispatch ended.
///
/// Handlers produce [`Completed`](Outcome::Completed), [`ActionResults`](Outcome::ActionResults),
/// [`HookFailed`](Outcome::HookFailed) or [`ActionFailed`](Outcome::ActionFailed). [`dispatch`]
/// returns [`Skipped`](Outcome::Skipped), `Completed`, `HookFailed`, `ActionFailed` or
/// [`Panicked`](Outcome::Panicked), after reporting to Juju; [`Outcome::exit_code`] is what the
/// process returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No handler for this hook (an unknown hook has none unless the charm has an `any`
    /// handler): skipped, exit 0.
    Skipped,
    /// The hook or action completed (an action's results were set).
    Completed,
    /// An action handler's results (flattened `a.b` keys → string values), before they are
    /// reported with `action-set`.
    ActionResults(BTreeMap<String, String>),
    /// The hook failed (or reporting an outcome to Juju did): logged, exit 1. The message is
    /// the error chain.
    HookFailed(String),
    /// The action failed (its handler's error, an unknown action, results that are not valid):
    /// `action-fail` with the message, exit 0.
    ActionFailed(String),
    /// Charm code panicked: logged, exit 1.
    Panicked(String),
    /// A hook handler returned the Pebble client's "not reachable" error for this container:
    /// the unit is set `waiting` for it, exit 0 (the next pebble-ready runs the handler again).
    /// Nothing else of the end of a dispatch runs, as after a failed handler.
    WorkloadNotReachable(String),
}

impl Outcome {
    /// The exit code Juju should see.
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Skipped
            | Outcome::Completed
            | Outcome::ActionResults(_)
            | Outcome::ActionFailed(_)
            | Outcome::WorkloadNotReachable(_) => 0,
            Outcome::HookFailed(_) | Outcome::Panicked(_) => 1,
        }
    }
}

/// An error of any type, for handlers: `?` converts every `std::error::Error + Send + Sync`
/// (and `String` and `&str`) into it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a hook handler returns: `Ok(())`, or any error, which fails the hook (logged, exit 1,
/// Juju retries). `T` is for helpers called from handlers: `fn port(ctx: &Context) -> HookResult<u16>`.
pub type HookResult<T = ()> = std::result::Result<T, BoxError>;

/// What an action handler returns: its results (any `Serialize` type; by default a map of
/// result keys to values), or any error, which fails the action (`action-fail`).
pub type ActionResult<T = BTreeMap<String, String>> = std::result::Result<T, BoxError>;

/// Convert a hook handler's return value into an [`Outcome`].
pub trait IntoHookOutcome {
    /// The outcome.
    fn into_hook_outcome(self) -> Outcome;
}

impl IntoHookOutcome for () {
    fn into_hook_outcome(self) -> Outcome {
        Outcome::Completed
    }
}

impl<E> IntoHookOutcome for std::result::Result<(), E>
where
    E: Into<BoxError>,
{
    fn into_hook_outcome(self) -> Outcome {
        match self {
            Ok(()) => Outcome::Completed,
            Err(e) => {
                let e = e.into();
                if let Some(container) = crate::container::unreachable_container(&*e) {
                    return Outcome::WorkloadNotReachable(container);
                }
                Outcome::HookFailed(error_chain(&*e))
            }
        }
    }
}

/// Convert an action handler's return value into an [`Outcome`].
///
/// `Ok` results are serialized with serde: a struct or map becomes the action's results, nested
/// maps flattened to dotted keys (`{"a": {"b": 1}}` → `a.b=1`); `()` means no results.
pub trait IntoActionOutcome {
    /// The outcome.
    fn into_action_outcome(self) -> Outcome;
}

impl<T, E> IntoActionOutcome for std::result::Result<T, E>
where
    T: serde::Serialize,
    E: Into<BoxError>,
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
        if !is_valid_result_key(&key) {
            return Err(format!("action result key {key:?} is not valid: {RESULT_KEY_EXPECTED}"));
        }
        if out.insert(key.clone(), text).is_some() {
            return Err(format!("action result key {key:?} is set twice"));
        }
    }
    Ok(())
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

/// Run `C`'s handler for the context's event on a `C::default()`, end the dispatch and report
/// the outcome to Juju. See [`dispatch_with`].
pub fn dispatch<C: Charm>(ctx: &Context) -> Outcome {
    match catch_unwind(C::default) {
        Ok(charm) => dispatch_with(&charm, ctx),
        Err(payload) => panicked(ctx, panic_message(&*payload)),
    }
}

/// Run `C`'s handler for the context's event on `charm`, end the dispatch (collect-status,
/// stored state) and report the outcome to Juju (the module docs say how). Returns
/// [`Outcome::Skipped`], [`Outcome::Completed`], [`Outcome::HookFailed`],
/// [`Outcome::ActionFailed`] or [`Outcome::Panicked`].
pub fn dispatch_with<C: Charm>(charm: &C, ctx: &Context) -> Outcome {
    let event = ctx.event();
    let produced = match find_handler::<C>(event) {
        Some(handler) => match catch_unwind(AssertUnwindSafe(|| (handler.run)(charm, ctx))) {
            Ok(outcome) => outcome,
            Err(payload) => return panicked(ctx, panic_message(&*payload)),
        },
        None => match event.action() {
            Some(action) => Outcome::ActionFailed(format!("action {:?} is not implemented by this charm", action.name)),
            None => Outcome::Skipped,
        },
    };
    let produced = match produced {
        Outcome::HookFailed(message) | Outcome::ActionFailed(message) => return failed(ctx, message),
        Outcome::Panicked(message) => return panicked(ctx, message),
        Outcome::WorkloadNotReachable(container) => return crate::container::wait_for_container(ctx, container),
        Outcome::ActionResults(_) if event.action().is_none() => {
            return failed(ctx, "an action handler ran for a hook".to_owned());
        }
        produced => produced,
    };
    if let Err(end) = finish(charm, ctx) {
        return end;
    }
    match produced {
        Outcome::ActionResults(results) => report_results(ctx, &results),
        Outcome::Skipped => Outcome::Skipped,
        _ => Outcome::Completed,
    }
}

/// The framework's end of a successful dispatch: collect-status, then the stored state.
fn finish<C: Charm>(charm: &C, ctx: &Context) -> std::result::Result<(), Outcome> {
    if !ctx.event().is_restricted() {
        if let Some(collect) = C::COLLECT_STATUS {
            match catch_unwind(AssertUnwindSafe(|| collect(charm, ctx))) {
                Ok(Outcome::HookFailed(message) | Outcome::ActionFailed(message)) => return Err(failed(ctx, message)),
                Ok(Outcome::Panicked(message)) => return Err(panicked(ctx, message)),
                Ok(_) => {}
                Err(payload) => return Err(panicked(ctx, panic_message(&*payload))),
            }
        }
        set_collected_statuses(ctx)
            .map_err(|e| failed(ctx, format!("cannot set the collected status: {}", error_chain(&e))))?;
    }
    ctx.save_stored().map_err(|e| failed(ctx, format!("cannot save the stored state: {}", error_chain(&e))))
}

/// Set the most urgent collected status: the application's first (only on the leader, and
/// `is-leader` is asked only when one was added), then the unit's. Nothing when none was added.
fn set_collected_statuses(ctx: &Context) -> Result<()> {
    let (unit, app) = ctx.take_statuses();
    if let Some(status) = Status::highest(&app)
        && ctx.is_leader()?
    {
        status::status_set_app(ctx.tools(), status)?;
    }
    if let Some(status) = Status::highest(&unit) {
        status::status_set(ctx.tools(), status)?;
    }
    Ok(())
}

/// `action-set` the results; failing to report is a failed hook (exit 1).
fn report_results(ctx: &Context, results: &BTreeMap<String, String>) -> Outcome {
    match action::action_set(ctx.tools(), results.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok(()) => Outcome::Completed,
        Err(e) => {
            let message = format!("cannot report the action's results: {}", error_chain(&e));
            ctx.log(LogLevel::Error, &message);
            Outcome::HookFailed(message)
        }
    }
}

/// Report a failure: `action-fail` in an action, `juju-log ERROR` in a hook.
fn failed(ctx: &Context, message: String) -> Outcome {
    if ctx.event().action().is_none() {
        ctx.log(LogLevel::Error, &message);
        return Outcome::HookFailed(message);
    }
    match action::action_fail(ctx.tools(), &message) {
        Ok(()) => Outcome::ActionFailed(message),
        Err(e) => {
            let message = format!("cannot report the action's failure ({message}): {}", error_chain(&e));
            ctx.log(LogLevel::Error, &message);
            Outcome::HookFailed(message)
        }
    }
}

/// Report a panic: logged, and the action failed in an action.
fn panicked(ctx: &Context, message: String) -> Outcome {
    let text = format!("charm code panicked: {message}");
    ctx.log(LogLevel::Error, &text);
    if ctx.event().action().is_some()
        && let Err(e) = action::action_fail(ctx.tools(), &text)
    {
        // Say why the action shows no failure message (stderr if juju-log fails too).
        ctx.log(LogLevel::Error, format!("cannot report the action's failure: {}", error_chain(&e)));
    }
    Outcome::Panicked(message)
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

/// The charm's `main`: sweep secret files a killed dispatch left, build the context from the
/// process, dispatch on `C::default()`, return the exit code.
///
/// ```no_run
/// # #[derive(Default)] struct MyCharm;
/// # impl goops_runtime::Charm for MyCharm { const HANDLERS: &'static [goops_runtime::Handler<Self>] = &[]; }
/// fn main() -> std::process::ExitCode {
///     goops_runtime::run::<MyCharm>()
/// }
/// ```
pub fn run<C: Charm>() -> ExitCode {
    secret_files::sweep();
    let env = JujuEnv::from_process();
    let argv0 = std::env::args_os().next().map(std::path::PathBuf::from);
    let ctx =
        match Event::from_env(&env, argv0.as_deref()).and_then(|event| Context::new(env, event, ProcessTools::new())) {
            Ok(ctx) => ctx,
            Err(e) => {
                // Without a valid hook context there is nothing to log to; stderr reaches Juju's log.
                // (A closed stderr must not turn this into a panic: ignore a failed write.)
                let _ = writeln!(std::io::stderr(), "goops: cannot dispatch: {e}");
                return ExitCode::from(1);
            }
        };
    #[cfg(panic = "abort")]
    install_abort_panic_hook();
    let outcome = dispatch::<C>(&ctx);
    if outcome == Outcome::Skipped {
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

/// The failure report of last resort, end to end: the charm's own process (this test binary
/// run again as the charm, see `charm_child`) with a `PATH` that lacks `juju-log` and
/// `action-fail`, as when the hook tools are missing or broken.
#[cfg(test)]
mod report_fallback {
    use std::process::Command;

    use super::*;
    use crate::context::Context;

    const CHILD: &str = "GOOPS_TEST_DISPATCH_CHILD";

    #[derive(Default)]
    struct Failing;

    impl Failing {
        fn install(&self, _ctx: &Context) -> HookResult {
            Err("the disk is full".into())
        }
        fn backup(&self, _ctx: &Context) -> ActionResult {
            Err("no target".into())
        }
        fn start(&self, _ctx: &Context) -> HookResult {
            panic!("start exploded")
        }
        fn crash(&self, _ctx: &Context) -> ActionResult {
            panic!("crash exploded")
        }
    }

    impl Charm for Failing {
        const HANDLERS: &'static [Handler<Self>] = &[
            Handler { key: HandlerKey::Hook("install"), run: |c, ctx| c.install(ctx).into_hook_outcome() },
            Handler { key: HandlerKey::Hook("start"), run: |c, ctx| c.start(ctx).into_hook_outcome() },
            Handler { key: HandlerKey::Action("backup"), run: |c, ctx| c.backup(ctx).into_action_outcome() },
            Handler { key: HandlerKey::Action("crash"), run: |c, ctx| c.crash(ctx).into_action_outcome() },
        ];
    }

    /// Not a test: the charm's `main` when this binary is run again as the charm (ignored, so
    /// a normal test run skips it; the parent runs it with `--ignored`).
    #[test]
    #[ignore = "the charm process of report_fallback's tests"]
    fn charm_child() {
        if std::env::var_os(CHILD).is_some() {
            let code = run::<Failing>();
            // ExitCode has no accessor; compare with the two values `run` returns.
            std::process::exit(if code == ExitCode::from(1) { 1 } else { 0 });
        }
    }

    /// Run the charm for `dispatch_path` with tools from `bin` only; (exit code, stdout, stderr).
    fn run_charm(dispatch_path: &str, bin: &std::path::Path) -> (i32, String, String) {
        let exe = std::env::current_exe().expect("test binary");
        let out = Command::new(exe)
            .args(["--exact", "dispatch::report_fallback::charm_child", "--ignored", "--nocapture", "-q"])
            .env_clear()
            .env(CHILD, "1")
            .env("PATH", bin)
            .env("JUJU_DISPATCH_PATH", dispatch_path)
            .env("JUJU_UNIT_NAME", "demo/0")
            .output()
            .expect("run the charm");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
    }

    /// Every way a dispatch fails, with `bin` as the only tools: the failure is on stderr.
    fn assert_failures_reach_stderr(bin: &std::path::Path) {
        for (path, expected) in [
            ("hooks/install", "the disk is full"),
            ("hooks/start", "charm code panicked: start exploded"),
            ("actions/backup", "cannot report the action's failure (no target)"),
            ("actions/crash", "charm code panicked: crash exploded"),
            ("actions/nope", "action \"nope\" is not implemented"),
        ] {
            let (code, _, stderr) = run_charm(path, bin);
            assert_eq!(code, 1, "{path}: {stderr}");
            assert!(stderr.contains(expected) && stderr.contains("juju-log"), "{path}: {stderr}");
        }
        let (_, _, stderr) = run_charm("actions/crash", bin);
        assert!(stderr.contains("cannot report the action's failure: "), "{stderr}");
    }

    /// Fault 7 of issue 11: with `juju-log` and `action-fail` missing, the failure must still
    /// be seen somewhere (stderr, which Juju logs at WARNING).
    #[test]
    fn failures_reach_stderr_when_the_report_tools_are_missing() {
        let bin = std::env::temp_dir().join(format!("goops-no-tools-{}", std::process::id()));
        std::fs::create_dir_all(&bin).expect("empty tool dir");
        assert_failures_reach_stderr(&bin);
        let _ = std::fs::remove_dir_all(&bin);
    }

    /// The same with the tools present but failing (exit 1, nothing printed).
    #[test]
    fn failures_reach_stderr_when_the_report_tools_fail() {
        use std::os::unix::fs::PermissionsExt as _;
        let bin = std::env::temp_dir().join(format!("goops-failing-tools-{}", std::process::id()));
        std::fs::create_dir_all(&bin).expect("tool dir");
        for tool in ["juju-log", "action-fail"] {
            let path = bin.join(tool);
            std::fs::write(&path, "#!/bin/sh\nexit 1\n").expect("write tool");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        assert_failures_reach_stderr(&bin);
        let _ = std::fs::remove_dir_all(&bin);
    }
}
