//! Behaviours that Python `ops` relies on and Juju really has, found by running the `ops`
//! charm in tests/ops-charm (and probe charms) under `goops-sim run`.

mod common;

use common::*;

/// Juju's uniter facade fills `since` from the status documents, which always carry their
/// update time, and ops 3.9's `GoalState` parser requires it (`Unit.planned_units()` raised
/// `KeyError: 'since'`). Peer relations are not listed under `relations`; a related
/// application's entry carries the relation's status, `joined`.
#[test]
fn goal_state_entries_always_have_since_and_peers_are_not_relations() {
    let e = engine(base(), "install");
    let out = ok(&e, "goal-state", &["--format=json"]);
    let goal: serde_json::Value = serde_json::from_str(&out).unwrap();
    let units = goal["units"].as_object().unwrap();
    assert_eq!(units.keys().collect::<Vec<_>>(), ["demo/0", "demo/1"], "{goal}");
    let relations = goal["relations"].as_object().unwrap();
    assert_eq!(relations.keys().collect::<Vec<_>>(), ["db"], "no peer relation: {goal}");
    assert_eq!(relations["db"]["pg"]["status"], "joined", "{goal}");
    let entries = units.values().chain(relations["db"].as_object().unwrap().values());
    for entry in entries {
        let since = entry["since"].as_str().unwrap_or_else(|| panic!("no since in {entry}: {goal}"));
        // Juju's FormatTime(t, true): "2006-01-02 15:04:05Z" (ops parses this form).
        assert!(chrono::NaiveDateTime::parse_from_str(since, "%Y-%m-%d %H:%M:%SZ").is_ok(), "{since:?}");
    }
    assert_eq!(
        relations["db"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["pg", "pg/0", "pg/1"],
        "the related application and its units"
    );
}

/// An entry given in the state without `since` is printed with one too; one with `since`
/// keeps it; this unit's entry takes the time of its workload status.
#[test]
fn goal_state_since_comes_from_the_state_when_given() {
    let mut state = base();
    state.unit_status.since = Some("2025-01-02T03:04:05Z".parse().unwrap());
    let e = engine(state.clone(), "install");
    let out = ok(&e, "goal-state", &["--format=json"]);
    let goal: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(goal["units"]["demo/0"]["since"], "2025-01-02 03:04:05Z", "{goal}");

    state.goal_state = Some(
        serde_json::from_value(serde_json::json!({
            "units": {"demo/0": {"status": "active", "since": "2024-06-01T00:00:00Z"}, "demo/1": {"status": "dying"}}
        }))
        .unwrap(),
    );
    let e = engine(state, "install");
    let yaml = ok(&e, "goal-state", &[]);
    assert!(yaml.starts_with("units:\n  demo/0:\n    status: active\n    since: 2024-06-01 00:00:00Z\n"), "{yaml}");
    assert!(yaml.contains("  demo/1:\n    status: dying\n    since: "), "{yaml}");
}

/// goalStateUnits reports each unit's workload status (or `dying`): this unit's entry follows
/// what the charm set, within the same hook too.
#[test]
fn goal_state_reports_this_units_workload_status() {
    let e = engine(base(), "install");
    let status = |e: &goops_sim::Engine| {
        let goal: serde_json::Value = serde_json::from_str(&ok(e, "goal-state", &["--format=json"])).unwrap();
        goal["units"]["demo/0"]["status"].as_str().unwrap().to_owned()
    };
    assert_eq!(status(&e), "unknown");
    ok(&e, "status-set", &["maintenance", "installing"]);
    assert_eq!(status(&e), "maintenance");
}

/// Juju queues relation-broken only after a departed hook for every member, so the broken
/// relation has no members left (ops' `RelationBrokenEvent.relation.units` is empty); the
/// remote application is still named. Other relations keep theirs.
#[test]
fn relation_broken_lists_no_members() {
    let mut state = base();
    let mut other = state.relation(1).unwrap().clone();
    other.id = 10;
    state.relations.push(other);
    let options = goops_sim::EventOptions { relation_id: Some(1), ..Default::default() };
    let e = engine_with(state, "db-relation-broken", &options);
    assert_eq!(ok(&e, "relation-list", &["--format=json"]), "[]\n");
    assert_eq!(ok(&e, "relation-list", &["-r", "1", "--app"]), "pg\n");
    assert_eq!(ok(&e, "relation-list", &["-r", "10", "--format=json"]), "[\"pg/0\",\"pg/1\"]\n");
}

const ACTION_CHARM: &str = r#"
name: demo
actions:
  probe:
    params:
      what: {type: string}
      count: {type: integer, default: 1}
      ratio: {type: number}
      flags: {type: [boolean, "null"]}
    required: [what]
  strict:
    params:
      only: {type: string}
    additionalProperties: false
"#;

fn action_event(action: &str, params: serde_json::Value) -> Result<(), String> {
    action_event_on("3.6.9", action, params)
}

fn action_event_on(juju_version: &str, action: &str, params: serde_json::Value) -> Result<(), String> {
    let meta = goops_sim::CharmMeta::from_charmcraft_yaml(ACTION_CHARM).unwrap();
    let options = goops_sim::EventOptions { params: params.as_object().unwrap().clone(), ..Default::default() };
    let mut state = goops_sim::State::default();
    state.model.juju_version = juju_version.to_owned();
    match goops_sim::Engine::for_event(state, meta, &format!("action:{action}"), &options) {
        Ok(_) => Ok(()),
        Err(goops_sim::EngineError::Event(why)) => Err(why),
        Err(other) => panic!("{other}"),
    }
}

/// Juju validates action parameters against the charm's schema when the action is enqueued
/// (`juju run` parses `what=3` as YAML, an integer, and refuses it for a string parameter):
/// such an action never runs, so goops-sim refuses the event instead of handing the charm a
/// value of the wrong type.
#[test]
fn action_params_are_checked_against_the_schema() {
    use serde_json::json;
    assert!(action_event("probe", json!({"what": "x"})).is_ok());
    assert!(action_event("probe", json!({"what": "x", "count": 3, "ratio": 2, "flags": null, "extra": 1})).is_ok());
    assert!(action_event("probe", json!({"what": "x", "count": 3.0, "ratio": 0.5, "flags": true})).is_ok());
    let refused = |params, why: &str| {
        let err = action_event("probe", params).unwrap_err();
        assert_eq!(err, format!("action \"probe\": parameters do not match the charm's schema: {why}"));
    };
    refused(json!({"what": 3}), "\"what\" must be of type string, given 3");
    refused(json!({"what": "x", "count": 1.5}), "\"count\" must be of type integer, given 1.5");
    refused(json!({"what": "x", "flags": "yes"}), "\"flags\" must be of type boolean or null, given \"yes\"");
    refused(json!({"count": 2}), "\"what\" is required");
    assert!(action_event("strict", json!({"only": "x"})).is_ok());
    let err = action_event("strict", json!({"other": "x"})).unwrap_err();
    assert!(err.ends_with("\"other\" is not a declared parameter"), "{err}");
    // Juju 4 writes `additionalProperties: false` into every action's schema.
    let err = action_event_on("4.0.1", "probe", json!({"what": "x", "extra": 1})).unwrap_err();
    assert!(err.ends_with("\"extra\" is not a declared parameter"), "{err}");
}
