//! A tiny Rust sidecar charm on goops-sim's simulated Pebble, in-process (the harness's socket
//! pairs) and as a process (`goops-sim run`, the sockets under `GOOPS_PEBBLE_DIR`), with the
//! typed asserts on the new state.
//!
//! This test binary is also the charm: `harness = false`, and run with `JUJU_DISPATCH_PATH` set
//! (as `goops-sim run` runs it, staged as `dispatch`) its `main` dispatches the charm instead of
//! running the tests. Arguments are substrings of the test names to run (as libtest's filter).

use std::process::ExitCode;

use goops_runtime::pebble::{Layer, PushOptions, Service};
use goops_runtime::prelude::*;
use goops_sim::State;
use goops_sim::state::{ContainerState, ExecRule, ServiceStatus, StatusName};
use goops_sim::testing::{End, Harness, HarnessError, Inconsistency, On};

#[derive(Default)]
struct Web;

#[charm(metadata = "tests/pebble-charm/charmcraft.yaml")]
impl Web {
    /// The sidecar reconcile: config file, layer, replan, the workload's version.
    #[hook(pebble_ready("web"), config_changed)]
    fn reconcile(&self, ctx: &Context) -> HookResult {
        let port: i64 = ctx.config_get("port")?.unwrap_or(8080);
        let web = ctx.container("web");
        let conf = PushOptions::new().make_dirs().permissions(0o600).user("app").group("app");
        web.push("/etc/app/app.conf", format!("port = {port}\n"), &conf)?;
        let service = Service::new(format!("/bin/app --port {port}")).summary("the app").env("PORT", port.to_string());
        web.add_layer("app", &Layer::new().summary("app").service("app", service.enabled()), true)?;
        web.replan()?;
        let version = web.exec(["/bin/app", "--version"]).output()?;
        ctx.set_workload_version(version.stdout_text().trim())?;
        ctx.set_unit_status(Status::Active(format!("serving on {port}")))?;
        Ok(())
    }
}

fn harness() -> Harness<Web> {
    Harness::for_charm(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pebble-charm")).expect("the fixture's metadata")
}

/// A state with the `web` container, whose `/bin/app --version` answers `1.2.3`.
fn state() -> State {
    let version = ExecRule {
        command: vec!["/bin/app".into(), "--version".into()],
        stdout: "1.2.3\n".into(),
        ..ExecRule::default()
    };
    let web = ContainerState { exec_rules: vec![version], ..ContainerState::default() };
    State { unit: "web/0".into(), containers: [("web".to_owned(), web)].into(), ..State::default() }
}

/// What a pebble-ready run must leave, whichever way it ran.
fn assert_reconciled(harness: &Harness<Web>) {
    let out = harness.run(On::pebble_ready("web"), &state()).unwrap_or_else(|e| panic!("the run: {e}"));
    assert_eq!(out.end, End::Completed, "{out:?}");
    assert_eq!(out.state.unit_status.status, StatusName::Active);
    assert_eq!(out.state.workload_version, "1.2.3");
    let web = out.container("web").expect("web is in the new state");
    let conf = web.file("/etc/app/app.conf").expect("the config file was pushed");
    assert_eq!(conf.text(), Some("port = 8080\n"));
    assert_eq!(conf.permissions(), 0o600);
    assert_eq!((conf.user().as_deref(), conf.group().as_deref()), (Some("app"), Some("app")));
    assert!(web.file("/etc/app").is_some_and(|d| d.is_dir()), "make_dirs made the parent");
    assert_eq!(web.layer_labels(), ["app"]);
    let plan = web.plan().expect("the layers combine");
    let app = plan.service("app").expect("the plan has the app");
    assert_eq!(app.command(), Some("/bin/app --port 8080"));
    assert_eq!(app.startup(), Some("enabled"));
    assert_eq!(app.environment().get("PORT").map(String::as_str), Some("8080"));
    let service = web.service("app").expect("the service");
    assert!(service.is_running(), "replan started the enabled service: {:?}", service.status());
    assert_eq!(web.running_services(), ["app"]);
    assert_eq!(web.exec_history(), [["/bin/app", "--version"]]);
    assert_eq!(web.execs()[0].exit_code, Some(0));
    assert!(web.requests().iter().any(|r| r.method == "POST" && r.path == "/v1/layers"));
}

fn in_process_pebble_ready_pushes_a_file_adds_a_layer_and_replans() {
    assert_reconciled(&harness());
}

fn process_pebble_ready_pushes_a_file_adds_a_layer_and_replans() {
    let exe = std::env::current_exe().expect("this test binary is the charm");
    assert_reconciled(&harness().process(exe));
}

fn the_input_state_is_left_alone_and_the_output_state_runs_again() {
    let input = state();
    let out = harness().run(On::pebble_ready("web"), &input).unwrap();
    assert!(input.containers["web"].layers.is_empty(), "the harness never changes its input");
    // The new state is a valid input: a second reconcile with another port replaces the layer's
    // service (combine) and restarts it.
    let mut next = out.state.clone();
    next.config.insert("port".into(), 9090.into());
    let again = harness().run(On::config_changed(), &next).unwrap();
    assert_eq!(again.end, End::Completed, "{again:?}");
    let web = again.container("web").unwrap();
    assert_eq!(web.file("/etc/app/app.conf").unwrap().text(), Some("port = 9090\n"));
    assert_eq!(web.plan().unwrap().service("app").unwrap().command(), Some("/bin/app --port 9090"));
    assert_eq!(web.exec_history().len(), 2, "the history carries over: {:?}", web.exec_history());
}

fn an_unreachable_container_leaves_the_unit_waiting() {
    let mut down = state();
    down.containers.get_mut("web").unwrap().can_connect = false;
    // config-changed runs (pebble-ready would be refused: see below); the handler's push
    // fails to connect and the framework sets `waiting`, exit 0.
    for harness in [harness(), harness().process(std::env::current_exe().unwrap())] {
        let out = harness.run(On::config_changed(), &down).unwrap();
        assert_eq!(out.end, End::Completed, "{out:?}");
        assert_eq!(out.state.unit_status.status, StatusName::Waiting, "{out:?}");
        assert!(out.state.unit_status.message.contains("web"), "{:?}", out.state.unit_status);
        assert!(out.container("web").unwrap().requests().is_empty());
    }
}

fn the_bare_engine_serves_the_containers_too() {
    let meta = harness().meta().clone();
    let engine = goops_sim::Engine::for_event(state(), meta, "web-pebble-ready", &Default::default()).unwrap();
    let ctx = engine.context().unwrap();
    let outcome = goops_runtime::dispatch::<Web>(&ctx);
    drop(ctx);
    let report = engine.finish(outcome.exit_code() == 0).expect("finished once");
    let web = report.container("web").expect("the new state has the container");
    assert_eq!(web.file("/etc/app/app.conf").and_then(|f| f.text()), Some("port = 8080\n"));
    assert!(web.service("app").unwrap().is_running());
}

fn the_consistency_checks_know_containers() {
    let h = harness();
    let mut extra = state();
    extra.containers.insert("db".into(), ContainerState::default());
    assert_eq!(
        h.check(&On::update_status(), &extra),
        Err(Inconsistency::ContainerNotDeclared { name: "db".into(), declared: "web".into() })
    );
    let none = State { containers: Default::default(), ..state() };
    assert_eq!(
        h.check(&On::pebble_ready("web"), &none),
        Err(Inconsistency::EventContainerMissing { event: "web-pebble-ready".into(), container: "web".into() })
    );
    let mut down = state();
    down.containers.get_mut("web").unwrap().can_connect = false;
    let err = h.run(On::pebble_ready("web"), &down).unwrap_err();
    assert!(
        matches!(&err, HarnessError::Inconsistent(Inconsistency::EventContainerCannotConnect { container, .. }) if container == "web"),
        "{err}"
    );
    // The notice and the check a workload event names must be the container's.
    let notice = On::pebble_custom_notice("web", "7", "custom", "example.com/reload");
    assert_eq!(
        h.check(&notice, &state()),
        Err(Inconsistency::EventNoticeMissing {
            event: "web-pebble-custom-notice".into(),
            container: "web".into(),
            id: "7".into(),
            kind: "custom".into(),
            key: "example.com/reload".into(),
        })
    );
    let with_notice: State = serde_json::from_value(serde_json::json!({
        "unit": "web/0",
        "containers": {"web": {"notices": [{"id": "7", "type": "custom", "key": "example.com/reload",
            "first_occurred": "2025-01-01T00:00:00Z", "last_occurred": "2025-01-01T00:00:00Z",
            "last_repeated": "2025-01-01T00:00:00Z", "occurrences": 1}]}}
    }))
    .unwrap();
    assert_eq!(h.check(&notice, &with_notice), Ok(()));
    let failed = On::pebble_check_failed("web", "alive");
    assert!(
        matches!(h.check(&failed, &state()), Err(Inconsistency::EventCheckMissing { check, .. }) if check == "alive")
    );
    // A check of the plan counts, recorded or not.
    let mut planned = state();
    planned.containers.get_mut("web").unwrap().layers = vec![
        serde_json::from_value(serde_json::json!({
            "label": "base", "order": 1000,
            "layer": {"checks": {"alive": {"override": "replace", "level": "alive", "tcp": {"port": 8080}}}}
        }))
        .unwrap(),
    ];
    assert_eq!(h.check(&failed, &planned), Ok(()));
    // Two exec rules for one prefix: the second could never answer.
    let mut twice = state();
    let rules = &mut twice.containers.get_mut("web").unwrap().exec_rules;
    rules.push(rules[0].clone());
    assert!(matches!(h.check(&On::update_status(), &twice), Err(Inconsistency::DuplicateExecRule { .. })));
    // Pebble going away between the event and the hook is possible: the checks can be skipped.
    let out = h.skip_consistency_checks().run(On::pebble_ready("web"), &down).unwrap();
    assert_eq!(out.state.unit_status.status, StatusName::Waiting);
}

fn a_started_service_is_active_and_absent_names_read_as_none() {
    let out = harness().run(On::pebble_ready("web"), &state()).unwrap();
    let web = out.container("web").unwrap();
    assert_eq!(web.service("app").unwrap().status(), ServiceStatus::Active);
    assert!(web.service("nope").is_none());
    assert!(out.container("db").is_none());
}

const TESTS: &[(&str, fn())] = &[
    (
        "in_process_pebble_ready_pushes_a_file_adds_a_layer_and_replans",
        in_process_pebble_ready_pushes_a_file_adds_a_layer_and_replans,
    ),
    (
        "process_pebble_ready_pushes_a_file_adds_a_layer_and_replans",
        process_pebble_ready_pushes_a_file_adds_a_layer_and_replans,
    ),
    (
        "the_input_state_is_left_alone_and_the_output_state_runs_again",
        the_input_state_is_left_alone_and_the_output_state_runs_again,
    ),
    ("an_unreachable_container_leaves_the_unit_waiting", an_unreachable_container_leaves_the_unit_waiting),
    ("the_bare_engine_serves_the_containers_too", the_bare_engine_serves_the_containers_too),
    ("the_consistency_checks_know_containers", the_consistency_checks_know_containers),
    (
        "a_started_service_is_active_and_absent_names_read_as_none",
        a_started_service_is_active_and_absent_names_read_as_none,
    ),
];

fn main() -> ExitCode {
    if std::env::var_os("JUJU_DISPATCH_PATH").is_some() {
        return goops_runtime::run::<Web>();
    }
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let chosen: Vec<_> = TESTS
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();
    println!("\nrunning {} tests", chosen.len());
    let mut failed = Vec::new();
    for (name, test) in chosen {
        let passed = std::panic::catch_unwind(test).is_ok();
        println!("test {name} ... {}", if passed { "ok" } else { "FAILED" });
        if !passed {
            failed.push(*name);
        }
    }
    println!("\ntest result: {}. {} failed: {failed:?}", if failed.is_empty() { "ok" } else { "FAILED" }, failed.len());
    if failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
