//! `open-port`, `close-port`, `opened-ports` (docs/hook-tools.md §4.3, rule 38).

use goops_runtime::hookcmds::port::{self, OpenedPort, Port, Protocol};
use goops_sim::State;
use goops_sim::state::{MachinePort, Model, ModelType};

use crate::Coverage;
use crate::support::{Kind, assert_invalid_input, assert_juju_error, err, finish, hook, v};

pub(crate) const COVERAGE: Coverage = &[
    ("open_port", &[ports_open_and_close_at_the_end_of_the_hook, a_failed_hook_opens_nothing, refused_ranges]),
    ("close_port", &[ports_open_and_close_at_the_end_of_the_hook, refused_ranges]),
    ("opened_ports", &[ports_open_and_close_at_the_end_of_the_hook, a_failed_hook_opens_nothing]),
    ("opened_ports_with_endpoints", &[ports_open_and_close_at_the_end_of_the_hook]),
];

fn sim_port(protocol: &str, from: u16, to: u16, endpoints: &[&str]) -> goops_sim::state::OpenedPort {
    goops_sim::state::OpenedPort {
        protocol: protocol.into(),
        from,
        to,
        endpoints: endpoints.iter().map(|e| (*e).to_owned()).collect(),
    }
}

fn udp_range() -> Port {
    Port::range(Protocol::Udp, 8000, 8010).expect("a range")
}

#[test]
pub(crate) fn ports_open_and_close_at_the_end_of_the_hook() {
    let state =
        State { opened_ports: vec![sim_port("tcp", 80, 80, &[]), sim_port("tcp", 443, 443, &[])], ..State::default() };
    let engine = hook(state, "config-changed");
    port::open_port(&engine, udp_range(), &["db", "website"]).expect("open a range on two endpoints");
    port::open_port(&engine, Port::Icmp, &[]).expect("open icmp");
    port::close_port(&engine, Port::tcp(443), &[]).expect("close");
    // opened-ports shows this hook's pending changes too (§4.3, goops follows the code).
    assert_eq!(port::opened_ports(&engine).expect("ports"), [Port::Icmp, Port::tcp(80), udp_range()]);
    assert_eq!(
        port::opened_ports_with_endpoints(&engine).expect("ports"),
        [
            OpenedPort { port: Port::Icmp, endpoints: vec![] },
            OpenedPort { port: Port::tcp(80), endpoints: vec![] },
            OpenedPort { port: udp_range(), endpoints: v(&["db", "website"]) },
        ]
    );
    let report = finish(&engine, true);
    assert_eq!(
        report.state.opened_ports,
        [sim_port("icmp", 0, 0, &[]), sim_port("tcp", 80, 80, &[]), sim_port("udp", 8000, 8010, &["db", "website"])]
    );
    assert_eq!(
        crate::support::argvs(&report, "open-port"),
        [v(&["--endpoints", "db,website", "8000-8010/udp"]), v(&["icmp"])]
    );
    assert_eq!(crate::support::argvs(&report, "close-port"), [v(&["443/tcp"])]);
}

#[test]
pub(crate) fn a_failed_hook_opens_nothing() {
    let engine = hook(State::default(), "install");
    port::open_port(&engine, Port::tcp(8080), &[]).expect("open");
    assert_eq!(port::opened_ports(&engine).expect("ports"), [Port::tcp(8080)]);
    // Deferred (§1.5): dropped with the failed hook.
    let report = finish(&engine, false);
    assert!(report.state.opened_ports.is_empty(), "{:?}", report.state.opened_ports);
    assert!(!report.committed);
}

#[test]
pub(crate) fn refused_ranges() {
    let state = State {
        machine_ports: vec![MachinePort { unit: "other/0".into(), port: sim_port("tcp", 85, 85, &[]) }],
        ..State::default()
    };
    let engine = hook(state, "install");
    let range = Port::range(Protocol::Tcp, 80, 90).expect("a range");
    let error = err(port::open_port(&engine, range, &[]));
    assert_juju_error(
        &error,
        Kind::ToolFailed(1),
        "open-port",
        "cannot open 80-90/tcp (unit \"app/0\"): port range conflicts with 85/tcp (unit \"other/0\")",
    );
    port::open_port(&engine, Port::range(Protocol::Tcp, 100, 110).expect("a range"), &[]).expect("no conflict");
    let error = err(port::open_port(&engine, Port::tcp(105), &[]));
    assert_juju_error(
        &error,
        Kind::ToolFailed(1),
        "open-port",
        "cannot open 105/tcp (unit \"app/0\"): port range conflicts with 100-110/tcp (unit \"app/0\") requested earlier",
    );
    for endpoints in [&[""][..], &["a,b"][..]] {
        assert_invalid_input(&err(port::open_port(&engine, Port::tcp(1), endpoints)), "endpoint list");
        assert_invalid_input(&err(port::close_port(&engine, Port::tcp(1), endpoints)), "endpoint list");
    }
    let report = finish(&engine, true);
    assert_eq!(report.calls_of("open-port").len(), 3);
    assert!(report.calls_of("close-port").is_empty());
    assert_eq!(report.state.opened_ports, [sim_port("tcp", 100, 110, &[])]);

    // Kubernetes refuses ranges, for opening and closing alike.
    let k8s = State { model: Model { model_type: ModelType::Kubernetes, ..Model::default() }, ..State::default() };
    let engine = hook(k8s, "install");
    let k8s_ranges = "port ranges are not supported for k8s applications, please specify a single port";
    assert_juju_error(&err(port::open_port(&engine, range, &[])), Kind::ToolFailed(1), "open-port", k8s_ranges);
    assert_juju_error(&err(port::close_port(&engine, range, &[])), Kind::ToolFailed(1), "close-port", k8s_ranges);
    port::open_port(&engine, Port::tcp(80), &[]).expect("a single port");
    assert_eq!(finish(&engine, true).state.opened_ports, [sim_port("tcp", 80, 80, &[])]);
}
