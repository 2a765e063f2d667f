//! The greeter charm on goops-sim's harness: the same end state whichever of its two inputs
//! (the greeting, the database host) arrives first, and nothing restarted or rewritten by an
//! event that changes nothing.

use goops_sim::State;
use goops_sim::state::{MachinePort, OpenedPort, Relation, StatusName};
use goops_sim::testing::{End, Harness, On, RunReport};
use greeter::{DB_HOST, Greeter, Service, URL};

fn harness() -> Harness<Greeter> {
    Harness::for_charm(env!("CARGO_MANIFEST_DIR")).expect("charmcraft.yaml reads")
}

fn unit() -> State {
    State { unit: "greeter/0".to_owned(), ..State::default() }
}

/// The db relation, with the host published or not yet.
fn db(host: Option<&str>) -> Relation {
    Relation {
        id: 3,
        endpoint: "db".to_owned(),
        interface: "greeter-db".to_owned(),
        remote_app: "pg".to_owned(),
        remote_units: [("pg/0".to_owned(), Default::default())].into(),
        remote_app_data: host.map(|h| [(DB_HOST.to_owned(), h.to_owned())].into()).unwrap_or_default(),
        ..Relation::default()
    }
}

fn run(event: On, state: &State) -> RunReport {
    let out = harness().run(event, state).expect("a consistent test");
    assert_eq!(out.end, End::Completed, "{out:?}");
    out
}

/// The service as the unit's state holds it.
fn service(state: &State) -> Service {
    state.unit_state.get("service").map(|json| serde_json::from_str(json).expect("stored JSON")).unwrap_or_default()
}

fn status(out: &RunReport) -> (StatusName, &str) {
    (out.state.unit_status.status, out.state.unit_status.message.as_str())
}

fn with_greeting(mut state: State) -> State {
    state.config.insert("greeting".to_owned(), "hello".into());
    state
}

#[test]
fn config_first_then_the_relation() {
    let installed = run(On::install(), &unit());
    assert_eq!(status(&installed), (StatusName::Blocked, "set the greeting option"), "blocked beats waiting");
    assert_eq!(service(&installed.state), Service::default(), "nothing to start yet");
    assert!(installed.calls_of("state-set").is_empty(), "an unchanged stored value is not written");

    let configured = run(On::config_changed(), &with_greeting(installed.state));
    assert_eq!(status(&configured), (StatusName::Waiting, "waiting for the db relation"));
    assert_eq!(service(&configured.state).restarts, 0);

    let mut state = configured.state;
    state.relations.push(db(Some("10.0.0.5")));
    let related = run(On::relation_changed(&state.relations[0]), &state);
    assert_eq!(status(&related), (StatusName::Active, ""));
    let service = service(&related.state);
    assert_eq!(service.restarts, 1);
    assert_eq!(service.port, Some(8080));
    assert!(service.rendered.contains("greeting \"hello\"") && service.rendered.contains("database 10.0.0.5"));
    assert_eq!(related.state.opened_ports.iter().map(ToString::to_string).collect::<Vec<_>>(), ["8080/tcp"]);
}

#[test]
fn the_relation_first_then_config_ends_the_same() {
    let mut state = unit();
    state.relations.push(db(Some("10.0.0.5")));
    let related = run(On::relation_changed(&state.relations[0]), &state);
    assert_eq!(status(&related), (StatusName::Blocked, "set the greeting option"));
    assert_eq!(service(&related.state).restarts, 0);
    let configured = run(On::config_changed(), &with_greeting(related.state));
    assert_eq!(status(&configured), (StatusName::Active, ""));

    // The other order, for comparison: the same service and status.
    let mut other = with_greeting(unit());
    other.relations.push(db(Some("10.0.0.5")));
    let other = run(On::relation_changed(&other.relations[0]), &run(On::config_changed(), &other).state);
    assert_eq!(service(&configured.state), service(&other.state));
    assert_eq!(configured.state.unit_status.status, other.state.unit_status.status);
}

#[test]
fn an_event_that_changes_nothing_writes_nothing() {
    let mut state = with_greeting(unit());
    state.relations.push(db(Some("10.0.0.5")));
    let ready = run(On::config_changed(), &state);
    assert_eq!(service(&ready.state).restarts, 1);
    for event in [On::config_changed(), On::upgrade_charm(), On::relation_changed(&ready.state.relations[0])] {
        let again = run(event, &ready.state);
        assert_eq!(service(&again.state).restarts, 1, "no restart");
        for tool in ["state-set", "open-port", "close-port", "relation-set"] {
            assert!(again.calls_of(tool).is_empty(), "{tool} ran: {:?}", again.tool_calls);
        }
        // collect-status still sets the status it computed.
        assert_eq!(status(&again), (StatusName::Active, ""));
    }
    // update-status has no handler (Juju sees it skipped); collect-status still runs.
    let idle = harness().run(On::update_status(), &ready.state).expect("a consistent test");
    assert_eq!(idle.end, End::Skipped);
    let tools: Vec<&str> = idle.tool_calls.iter().map(|c| c.tool.as_str()).collect();
    assert!(!tools.contains(&"state-get") && !tools.contains(&"state-set"), "{tools:?}");
    assert_eq!(status(&idle), (StatusName::Active, ""));
}

#[test]
fn a_new_port_restarts_once_and_moves_the_opened_port() {
    let mut state = with_greeting(unit());
    state.relations.push(db(Some("10.0.0.5")));
    let ready = run(On::config_changed(), &state);
    let mut moved = ready.state.clone();
    moved.config.insert("port".to_owned(), 9000.into());
    let out = run(On::config_changed(), &moved);
    assert_eq!(service(&out.state).restarts, 2);
    assert_eq!(out.calls_of("close-port"), [vec!["8080/tcp".to_owned()]]);
    assert_eq!(out.state.opened_ports.iter().map(ToString::to_string).collect::<Vec<_>>(), ["9000/tcp"]);
}

#[test]
fn website_relations_get_the_url_and_losing_the_db_only_changes_the_status() {
    let mut state = with_greeting(unit());
    state.relations.push(db(Some("10.0.0.5")));
    state.relations.push(Relation {
        id: 8,
        endpoint: "website".to_owned(),
        interface: "http".to_owned(),
        remote_app: "proxy".to_owned(),
        remote_units: [("proxy/0".to_owned(), Default::default())].into(),
        ..Relation::default()
    });
    let joined = run(On::relation_joined(&state.relations[1]), &state);
    let url = &joined.state.relation(8).expect("website relation").local_unit_data[URL];
    assert!(url.starts_with("http://") && url.ends_with(":8080/"), "{url}");

    let broken = run(On::relation_broken(joined.state.relation(3).expect("db relation")), &joined.state);
    assert_eq!(status(&broken), (StatusName::Waiting, "waiting for the db relation"));
    assert_eq!(service(&broken.state).restarts, 1, "the service keeps running with what it had");
}

#[test]
fn a_failed_hook_changes_no_stored_state() {
    let mut state = with_greeting(unit());
    state.relations.push(db(Some("10.0.0.5")));
    // Another unit on the machine holds the port: Juju refuses open-port, the hook fails, and
    // what the reconcile changed in memory is not saved.
    state.machine_ports.push(MachinePort {
        unit: "other/0".to_owned(),
        port: OpenedPort { protocol: "tcp".to_owned(), from: 8080, to: 8080, endpoints: Vec::new() },
    });
    let out = harness().run(On::config_changed(), &state).expect("a consistent test");
    assert!(matches!(out.end, End::HookFailed(_)), "{out:?}");
    assert_eq!(service(&out.state), Service::default());
    assert!(out.state.opened_ports.is_empty());
}

#[test]
fn the_binary_under_goops_sim_run_ends_the_same() {
    let process = harness().process(env!("CARGO_BIN_EXE_greeter"));
    let mut state = with_greeting(unit());
    state.relations.push(db(Some("10.0.0.5")));
    let in_process = run(On::config_changed(), &state);
    let as_process = process.run(On::config_changed(), &state).expect("goops-sim runs the charm");
    assert_eq!(as_process.end, End::Completed, "{as_process:?}");
    assert_eq!(service(&as_process.state), service(&in_process.state));
    assert_eq!(status(&as_process), status(&in_process));
    let again = process.run(On::config_changed(), &as_process.state).expect("goops-sim runs the charm");
    assert_eq!(service(&again.state).restarts, 1, "the stored value survived the process boundary");
    assert!(again.calls_of("state-set").is_empty());
}
