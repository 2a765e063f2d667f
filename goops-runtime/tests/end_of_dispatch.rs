//! What the framework does after a successful handler, against a recording `HookTools`:
//! collect-status (the most urgent status added is set once, the app's only on the leader,
//! nothing when nothing was added, nothing after a failure, nothing in restricted hooks) and
//! stored state (loaded once, saved in one `state-set` only when it changed, never after a
//! failure). Each test asserts the exact tool calls.

mod common;

use common::{Recorder, v};
use goops_runtime::{
    ActionEvent, Charm, Context, Event, FromContext, Handler, HandlerKey, HookResult, IntoActionOutcome,
    IntoHookOutcome, JujuEnv, Outcome, Status, Stored, StoredState, dispatch, dispatch_with,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Counters {
    restarts: u32,
    #[serde(default)]
    note: String,
}

impl StoredState for Counters {
    const KEY: &'static str = "counters";
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Seen {
    units: Vec<String>,
}

impl StoredState for Seen {
    const KEY: &'static str = "seen";
}

/// A charm whose value says what its handlers do (given to `dispatch_with`).
#[derive(Default)]
struct Probe {
    /// (application?, status) added by the hook handler, then by collect-status.
    handler_adds: Vec<(bool, Status)>,
    collect_adds: Vec<(bool, Status)>,
    fail_handler: bool,
    fail_collect: bool,
    /// The handler bumps `Counters::restarts` (through `ctx.stored`) and records a unit in `Seen`.
    bump: bool,
    /// The handler reads `Counters` without changing it.
    read_only: bool,
}

fn add(ctx: &Context, statuses: &[(bool, Status)]) {
    for (app, status) in statuses {
        if *app { ctx.add_app_status(status.clone()) } else { ctx.add_status(status.clone()) }
    }
}

impl Probe {
    fn handle(&self, ctx: &Context) -> HookResult {
        add(ctx, &self.handler_adds);
        if self.bump {
            ctx.stored::<Counters>()?.restarts += 1;
            ctx.stored::<Seen>()?.units.push(ctx.unit_name().to_owned());
        }
        if self.read_only {
            let counters = ctx.stored::<Counters>()?;
            ctx.log_debug(format!("restarts: {}", counters.restarts));
        }
        if self.fail_handler {
            return Err("the handler failed".into());
        }
        Ok(())
    }

    fn action(&self, ctx: &Context) -> goops_runtime::ActionResult {
        self.handle(ctx)?;
        Ok([("done".to_owned(), "yes".to_owned())].into())
    }

    fn collect(&self, ctx: &Context) -> HookResult {
        add(ctx, &self.collect_adds);
        if self.fail_collect {
            return Err("collect-status failed".into());
        }
        Ok(())
    }
}

impl Charm for Probe {
    const HANDLERS: &'static [Handler<Self>] = &[
        Handler { key: HandlerKey::Hook("install"), run: |c, ctx| c.handle(ctx).into_hook_outcome() },
        Handler { key: HandlerKey::Hook("collect-metrics"), run: |c, ctx| c.handle(ctx).into_hook_outcome() },
        Handler { key: HandlerKey::Action("act"), run: |c, ctx| c.action(ctx).into_action_outcome() },
    ];
    const COLLECT_STATUS: Option<fn(&Self, &Context) -> Outcome> = Some(|c, ctx| c.collect(ctx).into_hook_outcome());
}

/// A charm without collect-status whose install handler adds a status.
#[derive(Default)]
struct Plain;

impl Charm for Plain {
    const HANDLERS: &'static [Handler<Self>] = &[Handler {
        key: HandlerKey::Hook("install"),
        run: |_, ctx| {
            ctx.add_status(Status::maintenance("installing"));
            ().into_hook_outcome()
        },
    }];
}

fn context(event: Event, rec: &Recorder) -> Context {
    Context::new(JujuEnv::from_vars([("JUJU_UNIT_NAME", "shop/1")]), event, rec.clone()).expect("a unit")
}

fn run(charm: &Probe, event: Event, rec: &Recorder) -> Outcome {
    dispatch_with(charm, &context(event, rec))
}

fn action() -> Event {
    Event::Action(ActionEvent { name: "act".into(), uuid: None })
}

/// Juju's answer to `state-get --strict` for a key it does not have.
fn no_state(rec: &Recorder) {
    rec.respond("state-get", |call| {
        goops_runtime::ToolOutput::error(1, &format!("{:?} not found", call.args.last().expect("a key")))
    });
}

// ---- collect-status ------------------------------------------------------------------------

#[test]
fn nothing_added_sets_nothing_and_a_skipped_hook_runs_no_tool() {
    let rec = Recorder::new();
    assert_eq!(run(&Probe::default(), Event::Install, &rec), Outcome::Completed);
    assert!(rec.calls().is_empty(), "{:?}", rec.argvs());
    assert_eq!(dispatch::<Plain>(&context(Event::UpdateStatus, &rec)), Outcome::Skipped);
    assert!(rec.calls().is_empty(), "{:?}", rec.argvs());
}

#[test]
fn the_most_urgent_unit_status_is_set_once_after_collect_status() {
    let rec = Recorder::new();
    let charm = Probe {
        handler_adds: vec![(false, Status::active()), (false, Status::waiting("for the database"))],
        collect_adds: vec![(false, Status::maintenance("rotating keys")), (false, Status::waiting("later"))],
        ..Probe::default()
    };
    assert_eq!(run(&charm, Event::Install, &rec), Outcome::Completed);
    // No application status was added, so is-leader is not asked.
    assert_eq!(rec.argvs(), vec![v(&["status-set", "maintenance", "--", "rotating keys"])]);

    let rec = Recorder::new();
    let charm = Probe {
        handler_adds: vec![(false, Status::blocked("first")), (false, Status::active())],
        collect_adds: vec![(false, Status::blocked("second"))],
        ..Probe::default()
    };
    run(&charm, Event::Install, &rec);
    assert_eq!(rec.argvs(), vec![v(&["status-set", "blocked", "--", "first"])], "the first added wins a tie");
}

#[test]
fn the_app_status_is_set_first_and_only_on_the_leader() {
    let charm = Probe {
        handler_adds: vec![(true, Status::waiting("for peers")), (false, Status::active())],
        collect_adds: vec![(true, Status::blocked("needs a db relation"))],
        ..Probe::default()
    };
    let rec = Recorder::new();
    rec.ok("is-leader", "true\n");
    assert_eq!(run(&charm, Event::Install, &rec), Outcome::Completed);
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["is-leader", "--format=json"]),
            v(&["status-set", "--application", "blocked", "--", "needs a db relation"]),
            v(&["status-set", "active", "--", ""]),
        ]
    );

    let rec = Recorder::new();
    rec.ok("is-leader", "false\n");
    assert_eq!(run(&charm, Event::Install, &rec), Outcome::Completed);
    assert_eq!(rec.argvs(), vec![v(&["is-leader", "--format=json"]), v(&["status-set", "active", "--", ""])]);
}

#[test]
fn collect_status_runs_for_hooks_without_a_handler_and_for_actions() {
    let charm = Probe { collect_adds: vec![(false, Status::active())], ..Probe::default() };
    let rec = Recorder::new();
    assert_eq!(run(&charm, Event::ConfigChanged, &rec), Outcome::Skipped, "no handler: still skipped");
    assert_eq!(rec.argvs(), vec![v(&["status-set", "active", "--", ""])]);

    // In an action the status is set before the results are reported.
    let rec = Recorder::new();
    assert_eq!(run(&charm, action(), &rec), Outcome::Completed);
    assert_eq!(rec.argvs(), vec![v(&["status-set", "active", "--", ""]), v(&["action-set", "done=yes"])]);
}

#[test]
fn restricted_hooks_run_no_collect_status() {
    let charm = Probe {
        handler_adds: vec![(false, Status::active())],
        collect_adds: vec![(true, Status::active())],
        ..Probe::default()
    };
    let rec = Recorder::new();
    assert_eq!(run(&charm, Event::CollectMetrics, &rec), Outcome::Completed);
    assert!(rec.calls().is_empty(), "{:?}", rec.argvs());
}

#[test]
fn a_failed_handler_skips_collect_status_and_stored_state() {
    let charm = Probe {
        handler_adds: vec![(false, Status::active())],
        collect_adds: vec![(false, Status::blocked("never"))],
        fail_handler: true,
        bump: true,
        ..Probe::default()
    };
    let rec = Recorder::new();
    no_state(&rec);
    assert_eq!(run(&charm, Event::Install, &rec), Outcome::HookFailed("the handler failed".into()));
    assert_eq!(rec.count("status-set"), 0);
    assert_eq!(rec.count("state-set"), 0);
    assert_eq!(rec.last().args, v(&["--log-level", "ERROR", "--", "the handler failed"]));

    let rec = Recorder::new();
    no_state(&rec);
    assert_eq!(run(&charm, action(), &rec), Outcome::ActionFailed("the handler failed".into()));
    assert_eq!((rec.count("status-set"), rec.count("state-set"), rec.count("action-set")), (0, 0, 0));
}

#[test]
fn a_failing_collect_status_fails_the_dispatch_and_sets_nothing() {
    let charm =
        Probe { handler_adds: vec![(false, Status::active())], fail_collect: true, bump: true, ..Probe::default() };
    let rec = Recorder::new();
    no_state(&rec);
    assert_eq!(run(&charm, Event::Install, &rec), Outcome::HookFailed("collect-status failed".into()));
    assert_eq!((rec.count("status-set"), rec.count("state-set")), (0, 0));
    let rec = Recorder::new();
    no_state(&rec);
    assert_eq!(run(&charm, action(), &rec), Outcome::ActionFailed("collect-status failed".into()));
    assert_eq!((rec.count("status-set"), rec.count("state-set"), rec.count("action-set")), (0, 0, 0));
}

#[test]
fn a_failing_status_set_fails_the_hook() {
    let charm = Probe { handler_adds: vec![(false, Status::active())], ..Probe::default() };
    let rec = Recorder::new();
    rec.fail("status-set", 1, "JUJU_CONTEXT_ID not set");
    let outcome = run(&charm, Event::Install, &rec);
    assert_eq!(
        outcome,
        Outcome::HookFailed(
            "cannot set the collected status: status-set failed with exit code 1: JUJU_CONTEXT_ID not set".into()
        )
    );
}

#[test]
fn a_handler_without_collect_status_still_gets_its_status_set() {
    let rec = Recorder::new();
    assert_eq!(dispatch::<Plain>(&context(Event::Install, &rec)), Outcome::Completed);
    assert_eq!(rec.argvs(), vec![v(&["status-set", "maintenance", "--", "installing"])]);
}

// ---- stored state --------------------------------------------------------------------------

#[test]
fn stored_state_is_loaded_once_and_saved_once_when_changed() {
    let rec = Recorder::new();
    rec.ok("state-get", "\"{\\\"restarts\\\":4,\\\"note\\\":\\\"x\\\"}\"\n");
    rec.fail("state-get", 1, "\"seen\" not found");
    let charm = Probe { bump: true, read_only: true, ..Probe::default() };
    assert_eq!(run(&charm, Event::Install, &rec), Outcome::Completed);
    let calls = rec.calls();
    let argvs = rec.argvs();
    assert_eq!(
        argvs,
        vec![
            v(&["state-get", "--format=json", "--strict", "counters"]),
            v(&["state-get", "--format=json", "--strict", "seen"]),
            v(&["juju-log", "--log-level", "DEBUG", "--", "restarts: 5"]),
            v(&["state-set", "--file", "-"]),
        ],
        "each key is read once; both changes go in one state-set"
    );
    let saved: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&calls[3].stdin_text()).expect("a JSON map on stdin");
    assert_eq!(saved["counters"], r#"{"restarts":5,"note":"x"}"#);
    assert_eq!(saved["seen"], r#"{"units":["shop/1"]}"#);
}

#[test]
fn unchanged_stored_state_is_not_saved() {
    // Read but not changed, in the form Juju had it (even with other spacing).
    let rec = Recorder::new();
    rec.ok("state-get", "\"{ \\\"restarts\\\": 2, \\\"note\\\": \\\"\\\" }\"\n");
    let charm = Probe { read_only: true, ..Probe::default() };
    assert_eq!(run(&charm, Event::Install, &rec), Outcome::Completed);
    assert_eq!(rec.count("state-set"), 0, "{:?}", rec.argvs());

    // Absent in Juju and left at its default.
    let rec = Recorder::new();
    no_state(&rec);
    assert_eq!(run(&charm, Event::Install, &rec), Outcome::Completed);
    assert_eq!(rec.count("state-set"), 0, "{:?}", rec.argvs());
}

#[test]
fn stored_state_is_a_handler_argument_and_borrowed_once_at_a_time() {
    let rec = Recorder::new();
    no_state(&rec);
    let ctx = context(Event::Install, &rec);
    {
        let mut counters = <Stored<'_, Counters> as FromContext<'_>>::from_context(&ctx).expect("extracted");
        counters.note = "from an argument".into();
        let again = ctx.stored::<Counters>().expect_err("already borrowed");
        assert!(
            again.to_string().contains("\"counters\"") && again.to_string().contains("already borrowed"),
            "{again}"
        );
    }
    // Returned on drop: the change is there for the next borrow, and Juju was asked once.
    assert_eq!(ctx.stored::<Counters>().expect("free again").note, "from an argument");
    assert_eq!(rec.count("state-get"), 1);
    assert_eq!(dispatch::<Plain>(&ctx), Outcome::Completed);
    let saved = rec.calls().into_iter().find(|c| c.tool == "state-set").expect("saved");
    assert_eq!(saved.stdin_text(), r#"{"counters":"{\"restarts\":0,\"note\":\"from an argument\"}"}"#);
}

#[test]
fn stored_state_that_does_not_parse_is_an_error_that_does_not_quote_it() {
    let rec = Recorder::new();
    rec.ok("state-get", "\"{\\\"restarts\\\":\\\"hunter2\\\"}\"\n");
    let ctx = context(Event::Install, &rec);
    let err = ctx.stored::<Counters>().expect_err("wrong type");
    assert!(matches!(err, goops_runtime::Error::Parse { .. }), "{err:?}");
    assert!(err.to_string().contains("\"counters\"") && !err.to_string().contains("hunter2"), "{err}");

    // A handler taking it fails the hook, and nothing is saved.
    let rec = Recorder::new();
    rec.ok("state-get", "\"not json\"\n");
    let charm = Probe { bump: true, ..Probe::default() };
    assert!(matches!(run(&charm, Event::Install, &rec), Outcome::HookFailed(_)));
    assert_eq!(rec.count("state-set"), 0);
}

#[test]
fn a_failing_state_set_fails_the_dispatch() {
    let rec = Recorder::new();
    no_state(&rec);
    rec.fail("state-set", 1, "max allowed value length (65536) exceeded");
    let charm = Probe { bump: true, ..Probe::default() };
    let outcome = run(&charm, Event::Install, &rec);
    assert!(
        matches!(&outcome, Outcome::HookFailed(m) if m.starts_with("cannot save the stored state: state-set")),
        "{outcome:?}"
    );
}

#[test]
fn invalid_config_blocks_through_collect_status_so_it_beats_active() {
    #[derive(Default)]
    struct Configured;
    impl Charm for Configured {
        // What `#[charm]` generates for a handler whose `#[derive(CharmConfig)]` argument is invalid.
        const HANDLERS: &'static [Handler<Self>] = &[Handler {
            key: HandlerKey::Hook("config-changed"),
            run: |_, ctx| {
                goops_runtime::__private::rejected(ctx, goops_runtime::Rejection::Blocked("port: not a number".into()))
            },
        }];
        const COLLECT_STATUS: Option<fn(&Self, &Context) -> Outcome> = Some(|_, ctx| {
            ctx.add_status(Status::active());
            Outcome::Completed
        });
    }
    let rec = Recorder::new();
    assert_eq!(dispatch::<Configured>(&context(Event::ConfigChanged, &rec)), Outcome::Completed);
    assert_eq!(rec.argvs(), vec![v(&["status-set", "blocked", "--", "port: not a number"])]);
}
