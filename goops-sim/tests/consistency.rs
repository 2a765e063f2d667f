//! A state that cannot happen for the charm, or an event that does not fit it, is a clear error.

mod common;

use common::*;
use goops_sim::{Engine, EngineError, EventOptions};

fn error(state: goops_sim::State, event: &str, options: &EventOptions) -> String {
    match Engine::for_event(state, meta(), event, options) {
        Ok(_) => panic!("{event} should be rejected"),
        Err(EngineError::State(m)) => format!("state: {m}"),
        Err(EngineError::Event(m)) => format!("event: {m}"),
    }
}

#[test]
fn state_must_fit_the_charm() {
    let none = EventOptions::default();
    let mut state = base();
    state.relations[0].endpoint = "nosuch".into();
    assert_eq!(error(state, "install", &none), "state: relation 1: endpoint \"nosuch\" is not declared by the charm");
    let mut state = base();
    state.relations[0].remote_units.insert("other/0".into(), Default::default());
    assert_eq!(error(state, "install", &none), "state: relation 1: remote unit \"other/0\" is not a unit of \"pg\"");
    let mut state = base();
    state.relations[1].remote_units.insert("demo/0".into(), Default::default());
    assert_eq!(
        error(state, "install", &none),
        "state: relation 2: the unit under test \"demo/0\" cannot be its own remote unit"
    );
    let mut state = base();
    state.config.insert("port".into(), serde_json::json!("eighty"));
    assert_eq!(error(state, "install", &none), "state: config option \"port\" must be of type int, got \"eighty\"");
    let mut state = base();
    state.config.insert("colour".into(), serde_json::json!("red"));
    assert_eq!(error(state, "install", &none), "state: config option \"colour\" is not declared by the charm");
    let mut state = base();
    state.relations[1].id = 1;
    assert_eq!(error(state, "install", &none), "state: relation id 1 is used twice");
}

#[test]
fn events_must_fit_the_state() {
    let none = EventOptions::default();
    assert_eq!(
        error(base(), "website-relation-changed", &none),
        "event: no relation on endpoint \"website\" in the state"
    );
    assert_eq!(
        error(non_leader(), "leader-elected", &none),
        "event: leader-elected goes to the new leader: set \"leader\": true"
    );
    assert_eq!(
        error(base(), "secret-changed", &none),
        "event: secret-changed needs a secret (--secret <uri or label>)"
    );
    let mine = EventOptions { secret: Some("mine".into()), ..Default::default() };
    assert!(error(base(), "secret-changed", &mine).contains("goes to a secret's consumers"));
    // An owner unit that has read its own secret tracks a revision, and so hears secret-changed
    // (Juju >= 3.1.7, juju/juju#16598).
    let mut read_by_owner = base();
    let owned = read_by_owner.secrets.iter_mut().find(|s| s.label.as_deref() == Some("mine")).expect("fixture");
    owned.tracked = Some(owned.latest());
    assert!(Engine::for_event(read_by_owner, meta(), "secret-changed", &mine).is_ok());
    assert_eq!(
        error(non_leader(), "secret-rotate", &mine),
        "event: secret-rotate of an application-owned secret goes to the leader"
    );
    assert_eq!(error(base(), "action:explode", &none), "event: action \"explode\" is not declared by the charm");
    assert_eq!(error(base(), "logs-storage-attached", &none), "event: storage \"logs\" is not declared by the charm");
    let wrong_unit = EventOptions { remote_unit: Some("web/0".into()), ..Default::default() };
    assert_eq!(
        error(base(), "db-relation-joined", &wrong_unit),
        "event: remote unit \"web/0\" is not a unit of \"pg\""
    );
    let absent = EventOptions { remote_unit: Some("pg/9".into()), ..Default::default() };
    assert_eq!(
        error(base(), "db-relation-joined", &absent),
        "event: remote unit \"pg/9\" is not in relation db:1: add it to remote_units"
    );
}

#[test]
fn the_readme_state_example_is_a_valid_state() {
    let readme = include_str!("../README.md");
    let section = readme.split("## The state file (JSON)").nth(1).expect("README has the state section");
    let json = section.split("```json").nth(1).and_then(|rest| rest.split("```").next()).expect("a json block");
    let state = goops_sim::State::from_json(json).unwrap_or_else(|e| panic!("README state example: {e}"));
    assert!(state.validate().is_ok(), "{:?}", state.validate());
    assert_eq!(state.unit, "demo/0");
    assert_eq!(state.relations.len(), 2);
}
