//! `unit-get`, `application-version-set` (docs/hook-tools.md §4.2, rule 40).

use goops_runtime::hookcmds::unit::{self, UnitAddress};
use goops_sim::State;
use goops_sim::state::{Addresses, Network};

use crate::Coverage;
use crate::support::{Kind, assert_juju_error, err, finish, hook, v};

pub(crate) const COVERAGE: Coverage = &[
    ("unit_get", &[addresses_come_from_the_state_or_the_default_network, a_unit_without_an_address]),
    ("application_version_set", &[the_workload_version_is_set_at_once, the_context_sets_the_workload_version]),
];

#[test]
pub(crate) fn addresses_come_from_the_state_or_the_default_network() {
    let engine = hook(State::default(), "install");
    // Without addresses of its own the unit has its default network's ingress address (§4.2).
    assert_eq!(unit::unit_get(&engine, UnitAddress::Private).expect("address"), "192.0.2.0");
    assert_eq!(unit::unit_get(&engine, UnitAddress::Public).expect("address"), "192.0.2.0");
    let report = finish(&engine, true);
    assert_eq!(
        crate::support::argvs(&report, "unit-get"),
        [v(&["--format=json", "private-address"]), v(&["--format=json", "public-address"])]
    );

    // Juju prints the default binding's first address; the unit's private address only when
    // that binding has none (jujuc/unit-get.go).
    let addresses = Addresses { private: Some("10.0.0.5".into()), public: Some("203.0.113.5".into()) };
    let engine = hook(State { addresses: addresses.clone(), ..State::default() }, "install");
    assert_eq!(unit::unit_get(&engine, UnitAddress::Private).expect("address"), "192.0.2.0");
    assert_eq!(unit::unit_get(&engine, UnitAddress::Public).expect("address"), "203.0.113.5");
    finish(&engine, true);
    let unbound = Network { bind_addresses: vec![], ingress_addresses: vec![], egress_subnets: vec![] };
    let engine = hook(State { addresses, networks: [(String::new(), unbound)].into(), ..State::default() }, "install");
    assert_eq!(unit::unit_get(&engine, UnitAddress::Private).expect("address"), "10.0.0.5");
    finish(&engine, true);
}

#[test]
pub(crate) fn a_unit_without_an_address() {
    let nowhere = Network { bind_addresses: vec![], ingress_addresses: vec![], egress_subnets: vec![] };
    let engine = hook(State { networks: [("juju-info".to_owned(), nowhere)].into(), ..State::default() }, "install");
    let error = err(unit::unit_get(&engine, UnitAddress::Private));
    assert_juju_error(&error, Kind::NotFound, "unit-get", "private address not found");
    let error = err(unit::unit_get(&engine, UnitAddress::Public));
    assert_juju_error(&error, Kind::NotFound, "unit-get", "public address not found");
    finish(&engine, true);
}

#[test]
pub(crate) fn the_workload_version_is_set_at_once() {
    let engine = hook(State::default(), "upgrade-charm");
    // A version starting with '-' is not an option (`--` comes first).
    unit::application_version_set(&engine, "-1.2.3+build.4").expect("set");
    // Immediate (rule 13): it stands although the hook fails.
    let report = finish(&engine, false);
    assert_eq!(report.state.workload_version, "-1.2.3+build.4");
    assert_eq!(crate::support::argvs(&report, "application-version-set"), [v(&["--", "-1.2.3+build.4"])]);
}

#[test]
pub(crate) fn the_context_sets_the_workload_version() {
    let engine = hook(State::default(), "upgrade-charm");
    engine.context().expect("a context").set_workload_version("16.4").expect("set");
    assert_eq!(finish(&engine, true).state.workload_version, "16.4");
}
