//! hello-k8s on goops-sim's harness, with its simulated Pebble: each path of the charm
//! (pebble-ready, config-changed, an unreachable container, port 22, the check failing and
//! recovering, the action and its failure), in-process and as the real binary under
//! `goops-sim run`; both modes must leave the same state.

use goops_sim::State;
use goops_sim::state::{ContainerState, ExecRule, StatusName};
use goops_sim::testing::{End, Harness, On, RunReport};
use hello_k8s::{CHECK, CONFIG_FILE, CONTAINER, HelloK8s, SERVER, SERVICE};
use serde_json::json;

fn harness() -> Harness<HelloK8s> {
    Harness::for_charm(env!("CARGO_MANIFEST_DIR")).expect("charmcraft.yaml reads")
}

/// The same charm as a process: its binary as `dispatch`, run by `goops-sim run`.
fn process() -> Harness<HelloK8s> {
    harness().process(env!("CARGO_BIN_EXE_hello-k8s"))
}

fn rule(argv: &[&str], exit_code: i32, stdout: &str, stderr: &str) -> ExecRule {
    ExecRule {
        command: argv.iter().map(|a| (*a).to_owned()).collect(),
        exit_code,
        stdout: stdout.to_owned(),
        stderr: stderr.to_owned(),
        ..ExecRule::default()
    }
}

/// A unit whose `hello` container is up and whose hello-server answers `--version` and
/// `--check-config` (that one with `check_exit`).
fn unit(check_exit: i32) -> State {
    let check = if check_exit == 0 {
        rule(&[SERVER, "--check-config"], 0, "/etc/hello/config.json: ok\n", "")
    } else {
        rule(&[SERVER, "--check-config"], check_exit, "", "greeting: must not be empty\n")
    };
    let hello = ContainerState {
        can_connect: true,
        exec_rules: vec![rule(&[SERVER, "--version"], 0, "hello-server 1.4.2\n", ""), check],
        ..ContainerState::default()
    };
    State { unit: "hello-k8s/0".to_owned(), containers: [(CONTAINER.to_owned(), hello)].into(), ..State::default() }
}

/// Runs `event` in-process and as a process; asserts both complete; returns the report.
fn run(event: impl Fn() -> On, state: &State) -> RunReport {
    run_ending(event, state, &End::Completed)
}

/// Runs `event` in-process and as a process; asserts both end with `end` and leave the same
/// state; returns the in-process report.
fn run_ending(event: impl Fn() -> On, state: &State, end: &End) -> RunReport {
    let out = harness().run(event(), state).expect("a consistent test");
    assert_eq!(&out.end, end, "{out:?}");
    let proc = process().run(event(), state).expect("a consistent test");
    assert_eq!(&proc.end, end, "{proc:?}");
    assert_eq!(comparable(&out.state), comparable(&proc.state), "in-process and process runs differ");
    out
}

/// The state without what differs from run to run (times, change ids).
fn comparable(state: &State) -> serde_json::Value {
    let hello = &state.containers[CONTAINER];
    json!({
        "status": [state.unit_status.status.as_str(), state.unit_status.message],
        "version": state.workload_version,
        "layers": hello.layers.iter().map(|l| json!([l.label, l.layer])).collect::<Vec<_>>(),
        "services": hello.services.iter().map(|(n, s)| json!([n, format!("{:?}", s.current), s.starts])).collect::<Vec<_>>(),
        "files": hello.files.iter().map(|(p, f)| json!([p, f.content, f.permissions])).collect::<Vec<_>>(),
        "execs": hello.exec_history.iter().map(|e| e.command.clone()).collect::<Vec<_>>(),
        "requests": hello.history.iter().map(|r| format!("{} {}", r.method, r.path)).collect::<Vec<_>>(),
        "action": state.action.as_ref().map(|a| json!([a.status, a.failure, a.results])),
    })
}

fn status(out: &RunReport) -> (StatusName, &str) {
    (out.state.unit_status.status, out.state.unit_status.message.as_str())
}

fn file(out: &RunReport) -> Option<&str> {
    out.state.containers[CONTAINER].files.get(CONFIG_FILE).and_then(|f| f.content.as_deref())
}

fn layer(out: &RunReport) -> &serde_json::Value {
    let layers = &out.state.containers[CONTAINER].layers;
    assert_eq!(layers.len(), 1, "one layer, combined: {layers:?}");
    assert_eq!(layers[0].label, "hello");
    &layers[0].layer
}

#[test]
fn pebble_ready_configures_starts_and_reports_the_version() {
    let out = run(|| On::pebble_ready(CONTAINER), &unit(0));
    assert_eq!(status(&out), (StatusName::Active, ""));
    assert_eq!(out.state.workload_version, "1.4.2");
    assert_eq!(out.calls_of("application-version-set").len(), 1);
    let hello = &out.state.containers[CONTAINER];
    assert_eq!(file(&out), Some("{\n  \"greeting\": \"Hello\",\n  \"port\": 8080\n}\n"));
    assert_eq!(hello.files[CONFIG_FILE].permissions, "644");
    assert!(hello.files.get("/etc/hello").is_some_and(|d| d.dir), "make_dirs created /etc/hello");
    assert_eq!(
        layer(&out),
        &json!({
            "summary": "hello-server",
            "description": "The hello-server service and its health check, from the charm config.",
            "services": {"hello": {
                "override": "replace",
                "summary": "greeting web server",
                "command": "/usr/bin/hello-server --config /etc/hello/config.json --port 8080",
                "startup": "enabled",
            }},
            "checks": {"hello-up": {
                "override": "replace",
                "level": "alive",
                "period": "10s",
                "threshold": 3,
                "http": {"url": "http://localhost:8080/health"},
            }},
        })
    );
    assert_eq!(format!("{:?}", hello.services[SERVICE].current).to_lowercase(), "active");
    let execs: Vec<_> = hello.exec_history.iter().map(|e| e.command.clone()).collect();
    assert_eq!(execs, [vec![SERVER.to_owned(), "--version".to_owned()]]);
    // Only what the logic needs: no system-info probe, no plan read.
    let requests: Vec<_> = hello.history.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert!(!requests.iter().any(|r| r.contains("system-info") || r.contains("/v1/plan")), "{requests:?}");
}

#[test]
fn config_changed_rewrites_the_file_and_restarts_with_the_new_port() {
    let ready = run(|| On::pebble_ready(CONTAINER), &unit(0));
    let mut state = ready.state.clone();
    state.config.insert("greeting".to_owned(), "Grüß dich".into());
    state.config.insert("port".to_owned(), 9000.into());
    let out = run(On::config_changed, &state);
    assert_eq!(status(&out), (StatusName::Active, ""));
    assert_eq!(file(&out), Some("{\n  \"greeting\": \"Grüß dich\",\n  \"port\": 9000\n}\n"));
    assert_eq!(
        layer(&out)["services"]["hello"]["command"],
        "/usr/bin/hello-server --config /etc/hello/config.json --port 9000"
    );
    assert_eq!(layer(&out)["checks"]["hello-up"]["http"]["url"], "http://localhost:9000/health");
    let before = ready.state.containers[CONTAINER].services[SERVICE].starts;
    assert!(
        out.state.containers[CONTAINER].services[SERVICE].starts > before,
        "the replan restarted the changed service"
    );
}

#[test]
fn an_unreachable_container_leaves_the_unit_waiting_and_the_hook_succeeds() {
    // config-changed before the container is up (a pebble-ready implies that it is: goops-sim,
    // like Scenario, refuses that combination as inconsistent).
    let mut state = unit(0);
    state.containers.get_mut(CONTAINER).unwrap().can_connect = false;
    let out = run(On::config_changed, &state);
    assert_eq!(status(&out), (StatusName::Waiting, "waiting for the \"hello\" container's Pebble"));
    assert!(out.state.containers[CONTAINER].files.is_empty());
    assert!(out.state.workload_version.is_empty());
}

#[test]
fn port_22_is_refused_before_any_pebble_call() {
    let mut state = unit(0);
    state.config.insert("port".to_owned(), 22.into());
    let out = run(On::config_changed, &state);
    assert_eq!(status(&out), (StatusName::Blocked, "port 22 is reserved for SSH"));
    assert!(out.state.containers[CONTAINER].history.is_empty());
}

#[test]
fn a_failing_check_restarts_the_service_and_its_recovery_reconciles() {
    let ready = run(|| On::pebble_ready(CONTAINER), &unit(0));
    let failed = run(|| On::pebble_check_failed(CONTAINER, CHECK), &ready.state);
    assert_eq!(status(&failed), (StatusName::Maintenance, "hello-up check failing; restarting hello"));
    let starts = |out: &RunReport| out.state.containers[CONTAINER].services[SERVICE].starts;
    assert_eq!(starts(&failed), starts(&ready) + 1);

    let recovered = run(|| On::pebble_check_recovered(CONTAINER, CHECK), &failed.state);
    assert_eq!(status(&recovered), (StatusName::Active, ""));
    assert_eq!(starts(&recovered), starts(&failed), "nothing changed: the replan restarts nothing");
}

#[test]
fn the_check_config_action_returns_what_hello_server_says() {
    let ready = run(|| On::pebble_ready(CONTAINER), &unit(0));
    let out = run(|| On::action("check-config"), &ready.state);
    let action = out.action.as_ref().expect("an action ran");
    assert_eq!(action.failure, None);
    assert_eq!(action.result("output"), Some("/etc/hello/config.json: ok"));
    let last = out.state.containers[CONTAINER].exec_history.last().expect("an exec");
    assert_eq!(last.command, [SERVER, "--check-config", CONFIG_FILE]);

    let failure = "hello-server rejected /etc/hello/config.json (exit 2): greeting: must not be empty";
    let out = run_ending(|| On::action("check-config"), &unit(2), &End::ActionFailed(failure.to_owned()));
    assert_eq!(out.action.as_ref().expect("an action ran").failure.as_deref(), Some(failure));

    let mut down = unit(0);
    down.containers.get_mut(CONTAINER).unwrap().can_connect = false;
    let failure = "cannot reach Pebble in the hello container";
    let out = run_ending(|| On::action("check-config"), &down, &End::ActionFailed(failure.to_owned()));
    assert_eq!(out.action.as_ref().expect("an action ran").failure.as_deref(), Some(failure));
}
