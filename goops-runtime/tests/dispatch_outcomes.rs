//! How a dispatch ends, with a hand-written `Charm` and a recording `HookTools`: no handler,
//! hook error, action results, action error, unknown action, the `AnyHook` fallback, panics,
//! failures to report, and `dispatch_with` on a given charm value.

use std::cell::RefCell;
use std::ffi::OsString;
use std::rc::Rc;

use goops_runtime::{
    ActionEvent, ActionResult, Charm, Context, Event, Handler, HandlerKey, HookResult, HookTools, IntoActionOutcome,
    IntoHookOutcome, JujuEnv, Outcome, ToolOutput, dispatch, dispatch_with,
};

/// Records every tool call as `tool arg arg …` and answers success, except for the tools in
/// `failing`, which exit 1.
#[derive(Clone, Default)]
struct Recorder(Rc<RefCell<Vec<String>>>, Rc<RefCell<Vec<&'static str>>>);

impl HookTools for Recorder {
    fn call(&self, tool: &str, args: &[OsString], _stdin: Option<&[u8]>) -> goops_runtime::Result<ToolOutput> {
        let mut line = tool.to_owned();
        for a in args {
            line.push(' ');
            line.push_str(&a.to_string_lossy());
        }
        self.0.borrow_mut().push(line);
        if self.1.borrow().contains(&tool) {
            return Ok(ToolOutput::error(1, "JUJU_CONTEXT_ID not set"));
        }
        Ok(ToolOutput::ok(""))
    }
}

#[derive(Default)]
struct TestCharm;

#[derive(Debug, thiserror::Error)]
#[error("could not configure")]
struct Outer(#[source] std::io::Error);

#[derive(serde::Serialize)]
struct Backup {
    path: String,
    size: u64,
    stats: Stats,
}

#[derive(serde::Serialize)]
struct Stats {
    files: u32,
}

impl TestCharm {
    fn install(&self, _ctx: &Context) -> Result<(), Outer> {
        Err(Outer(std::io::Error::other("disk full")))
    }
    fn start(&self, ctx: &Context) -> HookResult {
        ctx.log(goops_runtime::LogLevel::Info, "started");
        // `?` takes any error: the runtime's, std's, a String.
        let _port: u16 = "8080".parse()?;
        Ok(())
    }
    fn backup(&self, _ctx: &Context) -> ActionResult<Backup> {
        Ok(Backup { path: "/srv/b.tar".into(), size: 42, stats: Stats { files: 3 } })
    }
    fn restore(&self, _ctx: &Context) -> Result<(), String> {
        Err("no backup to restore".into())
    }
    fn bad_results(&self, _ctx: &Context) -> Result<std::collections::BTreeMap<String, String>, String> {
        Ok([("Bad_Key".to_owned(), "x".to_owned())].into())
    }
    fn crash(&self, _ctx: &Context) -> Result<(), String> {
        panic!("boom at {}", 7)
    }
}

impl Charm for TestCharm {
    const HANDLERS: &'static [Handler<Self>] = &[
        Handler { key: HandlerKey::Hook("install"), run: |c, ctx| c.install(ctx).into_hook_outcome() },
        Handler { key: HandlerKey::Hook("start"), run: |c, ctx| c.start(ctx).into_hook_outcome() },
        Handler { key: HandlerKey::Hook("stop"), run: |c, ctx| c.crash(ctx).into_hook_outcome() },
        Handler { key: HandlerKey::Action("do-backup"), run: |c, ctx| c.backup(ctx).into_action_outcome() },
        Handler { key: HandlerKey::Action("restore"), run: |c, ctx| c.restore(ctx).into_action_outcome() },
        Handler { key: HandlerKey::Action("bad-results"), run: |c, ctx| c.bad_results(ctx).into_action_outcome() },
        Handler { key: HandlerKey::Action("crash"), run: |c, ctx| c.crash(ctx).into_action_outcome() },
    ];
}

/// A charm with only a fallback handler.
#[derive(Default)]
struct Reconciler;

impl Charm for Reconciler {
    const HANDLERS: &'static [Handler<Self>] = &[Handler {
        key: HandlerKey::AnyHook,
        run: |_, ctx| {
            ctx.log(goops_runtime::LogLevel::Info, format!("reconcile on {:?}", ctx.event().hook_name()));
            ().into_hook_outcome()
        },
    }];
}

fn context(event: Event, recorder: &Recorder) -> Context {
    Context::new(JujuEnv::from_vars([("JUJU_UNIT_NAME", "app/0")]), event, recorder.clone()).expect("a unit name")
}

fn run<C: Charm>(event: Event) -> (Outcome, Vec<String>) {
    run_failing::<C>(event, &[])
}

/// Dispatch with the tools in `failing` exiting 1.
fn run_failing<C: Charm>(event: Event, failing: &[&'static str]) -> (Outcome, Vec<String>) {
    let recorder = Recorder::default();
    recorder.1.borrow_mut().extend(failing);
    let outcome = dispatch::<C>(&context(event, &recorder));
    let calls = recorder.0.borrow().clone();
    (outcome, calls)
}

fn action(name: &str) -> Event {
    Event::Action(ActionEvent { name: name.into(), uuid: Some("1".into()) })
}

#[test]
fn no_handler_skips_without_any_tool_call_and_exit_0() {
    let (outcome, calls) = run::<TestCharm>(Event::UpdateStatus);
    assert_eq!(outcome, Outcome::Skipped);
    assert_eq!(outcome.exit_code(), 0);
    assert!(calls.is_empty(), "{calls:?}");
    let (outcome, _) = run::<TestCharm>(Event::Unknown { name: "future-hook".into() });
    assert_eq!(outcome, Outcome::Skipped);
}

#[test]
fn hook_error_logs_the_chain_and_exits_1() {
    let (outcome, calls) = run::<TestCharm>(Event::Install);
    assert_eq!(outcome, Outcome::HookFailed("could not configure: disk full".into()));
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(calls, ["juju-log --log-level ERROR -- could not configure: disk full"]);
}

#[test]
fn hook_success_exits_0() {
    let (outcome, calls) = run::<TestCharm>(Event::Start);
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(calls, ["juju-log --log-level INFO -- started"]);
}

#[test]
fn action_results_are_flattened_and_set() {
    let (outcome, calls) = run::<TestCharm>(action("do-backup"));
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(calls, ["action-set path=/srv/b.tar size=42 stats.files=3"]);
}

#[test]
fn action_error_fails_the_action_and_exits_0() {
    let (outcome, calls) = run::<TestCharm>(action("restore"));
    assert_eq!(outcome, Outcome::ActionFailed("no backup to restore".into()));
    assert_eq!(outcome.exit_code(), 0);
    assert_eq!(calls, ["action-fail -- no backup to restore"]);
}

#[test]
fn invalid_result_keys_fail_the_action_before_action_set() {
    let (outcome, calls) = run::<TestCharm>(action("bad-results"));
    assert!(matches!(&outcome, Outcome::ActionFailed(m) if m.contains("\"Bad_Key\"")), "{outcome:?}");
    assert_eq!(calls.len(), 1);
    assert!(calls[0].starts_with("action-fail -- action result key \"Bad_Key\" is not valid"));
}

#[test]
fn unknown_action_fails_the_action() {
    let (outcome, calls) = run::<TestCharm>(action("frobnicate"));
    assert_eq!(outcome, Outcome::ActionFailed("action \"frobnicate\" is not implemented by this charm".into()));
    assert_eq!(calls, ["action-fail -- action \"frobnicate\" is not implemented by this charm"]);
}

#[test]
fn panicking_hook_is_caught_logged_and_exits_1() {
    let (outcome, calls) = run::<TestCharm>(Event::Stop);
    assert_eq!(outcome, Outcome::Panicked("boom at 7".into()));
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(calls, ["juju-log --log-level ERROR -- charm code panicked: boom at 7"]);
}

#[test]
fn panicking_action_is_logged_and_failed() {
    let (outcome, calls) = run::<TestCharm>(action("crash"));
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(
        calls,
        [
            "juju-log --log-level ERROR -- charm code panicked: boom at 7",
            "action-fail -- charm code panicked: boom at 7"
        ]
    );
}

#[test]
fn any_fallback_runs_for_hooks_without_handlers_but_not_actions() {
    let (outcome, calls) = run::<Reconciler>(Event::ConfigChanged);
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(calls, ["juju-log --log-level INFO -- reconcile on Some(\"config-changed\")"]);
    let (outcome, _) = run::<Reconciler>(action("x"));
    assert!(matches!(outcome, Outcome::ActionFailed(_)));
}

#[test]
fn failing_to_report_results_or_a_failure_fails_the_hook() {
    let (outcome, calls) = run_failing::<TestCharm>(action("do-backup"), &["action-set"]);
    assert_eq!(
        outcome,
        Outcome::HookFailed(
            "cannot report the action's results: action-set failed with exit code 1: JUJU_CONTEXT_ID not set".into()
        )
    );
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[1],
        "juju-log --log-level ERROR -- cannot report the action's results: action-set failed with exit code 1: JUJU_CONTEXT_ID not set"
    );
    let (outcome, _) = run_failing::<TestCharm>(action("restore"), &["action-fail"]);
    assert!(
        matches!(&outcome, Outcome::HookFailed(m) if m.starts_with("cannot report the action's failure (no backup to restore)")),
        "{outcome:?}"
    );
    let (outcome, calls) = run_failing::<TestCharm>(action("frobnicate"), &["action-fail"]);
    assert!(matches!(&outcome, Outcome::HookFailed(_)), "{outcome:?}");
    assert_eq!(calls[0], "action-fail -- action \"frobnicate\" is not implemented by this charm");
}

#[test]
fn logging_falls_back_to_stderr_and_never_fails_the_hook() {
    let (outcome, calls) = run_failing::<TestCharm>(Event::Start, &["juju-log"]);
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(calls, ["juju-log --log-level INFO -- started"]);
}

/// A charm whose `self` carries a dependency: built by the test, not by `Default`.
#[derive(Default)]
struct Greeter {
    greeting: String,
}

impl Greeter {
    fn install(&self, ctx: &Context) -> HookResult {
        ctx.log_info(format!("{} from {}", self.greeting, ctx.unit_name()));
        Ok(())
    }
}

impl Charm for Greeter {
    const HANDLERS: &'static [Handler<Self>] =
        &[Handler { key: HandlerKey::Hook("install"), run: |c, ctx| c.install(ctx).into_hook_outcome() }];
}

#[test]
fn dispatch_with_runs_the_given_charm_value_and_dispatch_a_default_one() {
    let recorder = Recorder::default();
    let charm = Greeter { greeting: "hello".into() };
    assert_eq!(dispatch_with(&charm, &context(Event::Install, &recorder)), Outcome::Completed);
    assert_eq!(dispatch::<Greeter>(&context(Event::Install, &recorder)), Outcome::Completed);
    assert_eq!(
        *recorder.0.borrow(),
        ["juju-log --log-level INFO -- hello from app/0", "juju-log --log-level INFO --  from app/0"]
    );
}

#[test]
fn a_context_needs_a_unit_name() {
    let err = Context::new(JujuEnv::default(), Event::Install, Recorder::default()).expect_err("no unit");
    assert_eq!(err, goops_runtime::EnvError::Missing("JUJU_UNIT_NAME"));
    let err = Context::new(JujuEnv::from_vars([("JUJU_UNIT_NAME", "app")]), Event::Install, Recorder::default())
        .expect_err("not a unit name");
    assert!(matches!(err, goops_runtime::EnvError::Invalid { var: "JUJU_UNIT_NAME", .. }), "{err:?}");
    let ctx = context(Event::Install, &Recorder::default());
    assert_eq!((ctx.unit_name(), ctx.app_name()), ("app/0", "app"));
    let ctx = Context::new(JujuEnv::from_vars([("JUJU_UNIT_NAME", "my-app/12")]), Event::Install, Recorder::default())
        .expect("a unit");
    assert_eq!((ctx.unit_name(), ctx.app_name()), ("my-app/12", "my-app"));
}
