//! `network-get` (docs/hook-tools.md §4.3).

use goops_runtime::RelationId;
use goops_runtime::hookcmds::network;
use goops_sim::State;
use goops_sim::state::{Address, BindAddress, Network, Relation};

use crate::Coverage;
use crate::support::{Kind, assert_invalid_input, assert_juju_error, err, finish, hook, v};

pub(crate) const COVERAGE: Coverage = &[(
    "network_get",
    &[
        a_binding_comes_back_as_the_state_has_it,
        undeclared_bindings_and_unknown_relations_fail,
        the_context_reads_each_network_once,
    ],
)];

fn state() -> State {
    let network = Network {
        bind_addresses: vec![
            BindAddress {
                mac_address: "00:16:3e:aa:bb:cc".into(),
                interface_name: "eth0".into(),
                addresses: vec![Address {
                    hostname: "app-0.lan".into(),
                    value: "10.0.0.5".into(),
                    cidr: "10.0.0.0/24".into(),
                }],
            },
            BindAddress { mac_address: String::new(), interface_name: "eth1".into(), addresses: vec![] },
        ],
        ingress_addresses: vec!["10.0.0.5".into(), "fe80::1".into()],
        egress_subnets: vec!["10.0.0.5/32".into()],
    };
    State {
        networks: [("db".to_owned(), network)].into(),
        relations: vec![Relation { id: 3, endpoint: "db".into(), remote_app: "pg".into(), ..Relation::default() }],
        ..State::default()
    }
}

#[test]
pub(crate) fn a_binding_comes_back_as_the_state_has_it() {
    let engine = hook(state(), "update-status");
    for relation in [None, Some(RelationId::new("db", 3))] {
        let info = network::network_get(&engine, "db", relation.as_ref()).expect("network");
        assert_eq!(info.bind_addresses.len(), 2);
        let eth0 = &info.bind_addresses[0];
        assert_eq!((eth0.mac_address.as_str(), eth0.interface_name.as_str()), ("00:16:3e:aa:bb:cc", "eth0"));
        assert_eq!(eth0.addresses.len(), 1);
        let address = &eth0.addresses[0];
        assert_eq!(
            (address.hostname.as_str(), address.value.as_str(), address.cidr.as_str()),
            ("app-0.lan", "10.0.0.5", "10.0.0.0/24")
        );
        assert!(info.bind_addresses[1].addresses.is_empty());
        assert_eq!(info.bind_address(), Some("10.0.0.5"));
        assert_eq!(info.ingress_addresses, ["10.0.0.5", "fe80::1"]);
        assert_eq!(info.ingress_address(), Some("10.0.0.5"));
        assert_eq!(info.egress_subnets, ["10.0.0.5/32"]);
    }
    // A declared binding the state says nothing about (an extra binding here) has the default
    // network.
    let info = network::network_get(&engine, "admin-api", None).expect("an extra binding");
    assert_eq!(info.bind_address(), Some("192.0.2.0"));
    assert_eq!(info.ingress_address(), Some("192.0.2.0"));
    let report = finish(&engine, true);
    assert_eq!(
        crate::support::argvs(&report, "network-get"),
        [v(&["--format=json", "db"]), v(&["--format=json", "-r", "db:3", "db"]), v(&["--format=json", "admin-api"])]
    );
}

#[test]
pub(crate) fn undeclared_bindings_and_unknown_relations_fail() {
    let engine = hook(state(), "update-status");
    let error = err(network::network_get(&engine, "nope", None));
    assert_juju_error(&error, Kind::NotFound, "network-get", "no network config found for binding \"nope\"");
    let error = err(network::network_get(&engine, "db", Some(&RelationId::new("db", 9))));
    assert_juju_error(
        &error,
        Kind::NotFound,
        "network-get",
        "invalid value \"db:9\" for option -r: relation not found",
    );
    for bad in ["", "-r"] {
        assert_invalid_input(&err(network::network_get(&engine, bad, None)), &format!("binding name {bad:?}"));
    }
    let report = finish(&engine, true);
    assert_eq!(report.calls_of("network-get").len(), 2, "invalid names never reach the tool");
}

#[test]
pub(crate) fn the_context_reads_each_network_once() {
    let engine = hook(state(), "update-status");
    let ctx = engine.context().expect("a context");
    let rel = RelationId::new("db", 3);
    for _ in 0..2 {
        assert_eq!(ctx.network("db", None).expect("network").ingress_address(), Some("10.0.0.5"));
        assert_eq!(ctx.network("db", Some(&rel)).expect("network").bind_address(), Some("10.0.0.5"));
    }
    drop(ctx);
    let report = finish(&engine, true);
    assert_eq!(
        crate::support::argvs(&report, "network-get"),
        [v(&["--format=json", "db"]), v(&["--format=json", "-r", "db:3", "db"])],
        "once per binding and relation"
    );
}
