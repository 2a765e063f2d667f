//! A hook handler that returns the Pebble client's "not reachable" error (directly or as a
//! source of its own error) ends the hook `waiting` for that container with exit 0; other
//! Pebble errors, and actions, fail as usual.
#![cfg(feature = "pebble")]

use std::cell::RefCell;
use std::ffi::OsString;
use std::io;
use std::rc::Rc;
use std::sync::Arc;

use goops_runtime::pebble::{self, Connector, PebbleStream};
use goops_runtime::{
    ActionEvent, Charm, Context, Event, Handler, HandlerKey, HookResult, HookTools, IntoActionOutcome, IntoHookOutcome,
    JujuEnv, Outcome, ToolOutput, dispatch,
};

/// Records tool calls; `status-set` fails when `fail_status` is set.
#[derive(Clone, Default)]
struct Recorder {
    calls: Rc<RefCell<Vec<String>>>,
    fail_status: bool,
}

impl HookTools for Recorder {
    fn call(&self, tool: &str, args: &[OsString], _stdin: Option<&[u8]>) -> goops_runtime::Result<ToolOutput> {
        let line = std::iter::once(tool.to_owned()).chain(args.iter().map(|a| a.to_string_lossy().into_owned()));
        self.calls.borrow_mut().push(line.collect::<Vec<_>>().join(" "));
        if self.fail_status && tool == "status-set" {
            return Ok(ToolOutput::error(1, "ERROR status-set failed"));
        }
        Ok(ToolOutput::ok(""))
    }
}

/// A connector whose every connection is refused, as when the container's Pebble is not up.
struct Refused;

impl Connector for Refused {
    fn connect(&self, _container: &str) -> io::Result<Box<dyn PebbleStream>> {
        Err(io::Error::from(io::ErrorKind::ConnectionRefused))
    }
}

/// A connector to a server that answers every request with a Pebble error envelope.
struct Answers;

impl Connector for Answers {
    fn connect(&self, _container: &str) -> io::Result<Box<dyn PebbleStream>> {
        let body = r#"{"type":"error","status-code":500,"status":"Internal Server Error","result":{"message":"boom"}}"#;
        let response = format!(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        Ok(Box::new(Duplex(io::Cursor::new(response.into_bytes()))))
    }
}

/// Reads the canned answer, swallows what is written.
struct Duplex(io::Cursor<Vec<u8>>);

impl io::Read for Duplex {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl io::Write for Duplex {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot configure the workload")]
struct Configure(#[source] pebble::Error);

#[derive(Default)]
struct K8sCharm;

impl K8sCharm {
    fn direct(&self, ctx: &Context) -> HookResult {
        ctx.container("workload").replan()?;
        ctx.add_status(goops_runtime::Status::active());
        Ok(())
    }

    fn wrapped(&self, ctx: &Context) -> Result<(), Configure> {
        ctx.container("db").get_services(&[]).map_err(Configure)?;
        Ok(())
    }

    fn action(&self, ctx: &Context) -> goops_runtime::ActionResult<()> {
        ctx.container("workload").get_services(&[])?;
        Ok(())
    }
}

impl Charm for K8sCharm {
    const HANDLERS: &'static [Handler<Self>] = &[
        Handler { key: HandlerKey::Hook("workload-pebble-ready"), run: |c, ctx| c.direct(ctx).into_hook_outcome() },
        Handler { key: HandlerKey::Hook("config-changed"), run: |c, ctx| c.wrapped(ctx).into_hook_outcome() },
        Handler { key: HandlerKey::Action("status"), run: |c, ctx| c.action(ctx).into_action_outcome() },
    ];
}

fn run(event: Event, connector: Arc<dyn Connector>, recorder: &Recorder) -> Outcome {
    let env = JujuEnv::from_vars([("JUJU_UNIT_NAME", "app/0")]);
    let mut ctx = Context::new(env, event, recorder.clone()).expect("a unit name");
    ctx.set_pebble_connector(connector);
    dispatch::<K8sCharm>(&ctx)
}

fn pebble_ready() -> Event {
    Event::from_env(
        &JujuEnv::from_vars([
            ("JUJU_UNIT_NAME", "app/0"),
            ("JUJU_DISPATCH_PATH", "hooks/workload-pebble-ready"),
            ("JUJU_WORKLOAD_NAME", "workload"),
        ]),
        None,
    )
    .expect("a pebble-ready event")
}

#[test]
fn not_reachable_sets_waiting_naming_the_container_and_exits_0() {
    let recorder = Recorder::default();
    let outcome = run(pebble_ready(), Arc::new(Refused), &recorder);
    assert_eq!(outcome, Outcome::WorkloadNotReachable("workload".into()));
    assert_eq!(outcome.exit_code(), 0);
    let calls = recorder.calls.borrow();
    let status: Vec<_> = calls.iter().filter(|c| c.starts_with("status-set")).collect();
    assert_eq!(status, ["status-set waiting -- waiting for the \"workload\" container's Pebble"], "{calls:?}");
    // The handler's own `active` (added after the failing call) never shows; collect-status and
    // stored state do not run.
    assert!(!calls.iter().any(|c| c.contains("active") || c.starts_with("state-set")), "{calls:?}");
}

#[test]
fn not_reachable_as_the_source_of_the_handlers_own_error_also_waits() {
    let recorder = Recorder::default();
    let outcome = run(Event::ConfigChanged, Arc::new(Refused), &recorder);
    assert_eq!(outcome, Outcome::WorkloadNotReachable("db".into()));
    assert!(recorder.calls.borrow().iter().any(|c| c.ends_with("waiting for the \"db\" container's Pebble")));
}

#[test]
fn other_pebble_errors_fail_the_hook() {
    let recorder = Recorder::default();
    let outcome = run(Event::ConfigChanged, Arc::new(Answers), &recorder);
    assert!(matches!(&outcome, Outcome::HookFailed(m) if m.contains("boom")), "{outcome:?}");
    assert_eq!(outcome.exit_code(), 1);
    assert!(!recorder.calls.borrow().iter().any(|c| c.starts_with("status-set")));
}

#[test]
fn in_an_action_not_reachable_fails_the_action() {
    let recorder = Recorder::default();
    let event = Event::Action(ActionEvent { name: "status".into(), uuid: Some("1".into()) });
    let outcome = run(event, Arc::new(Refused), &recorder);
    assert!(matches!(&outcome, Outcome::ActionFailed(m) if m.contains("\"workload\"")), "{outcome:?}");
    assert!(recorder.calls.borrow().iter().any(|c| c.starts_with("action-fail")));
}

#[test]
fn a_failing_status_set_fails_the_hook() {
    let recorder = Recorder { fail_status: true, ..Recorder::default() };
    let outcome = run(pebble_ready(), Arc::new(Refused), &recorder);
    assert!(matches!(&outcome, Outcome::HookFailed(m) if m.contains("waiting status")), "{outcome:?}");
    assert_eq!(outcome.exit_code(), 1);
}
