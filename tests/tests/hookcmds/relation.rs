//! `relation-ids`, `relation-list`, `relation-get`, `relation-set`, `relation-model-get`
//! (docs/hook-tools.md §4.4, rules 7–15), and `Context`'s cached databags.

use std::collections::BTreeMap;

use goops_runtime::hookcmds::relation;
use goops_runtime::{Bag, RelationId};
use goops_sim::state::Relation;
use goops_sim::{EventOptions, State};

use crate::Coverage;
use crate::support::{Kind, assert_invalid_input, assert_juju_error, bag, err, finish, hook, hook_with, v};

pub(crate) const COVERAGE: Coverage = &[
    ("relation_ids", &[relation_ids_are_sorted_as_strings, the_context_reads_ids_units_and_apps_once]),
    (
        "relation_list",
        &[
            members_and_the_remote_application,
            unknown_relations_are_not_found,
            the_context_reads_ids_units_and_apps_once,
        ],
    ),
    ("relation_list_app", &[members_and_the_remote_application, the_context_reads_ids_units_and_apps_once]),
    (
        "relation_get",
        &[
            databags_are_read_by_entity,
            a_non_leader_reads_its_app_bag_only_on_a_peer_relation,
            unknown_relations_are_not_found,
            the_context_reads_each_databag_once,
        ],
    ),
    ("relation_get_key", &[databags_are_read_by_entity, unknown_relations_are_not_found]),
    (
        "relation_set",
        &[
            writes_are_seen_in_the_hook_and_committed_at_its_end,
            a_failed_hook_writes_nothing,
            only_the_leader_writes_the_app_bag,
            unknown_relations_are_not_found,
            the_context_reads_each_databag_once,
        ],
    ),
    ("relation_model_get", &[the_remote_model, unknown_relations_are_not_found]),
];

fn db(id: u32) -> RelationId {
    RelationId::new("db", id)
}

/// `db:2` (mysql), `db:10` (pg, two units), `peers:1` (app/1) and `website:4` (a cross-model
/// relation to web).
fn state(leader: bool) -> State {
    State {
        leader,
        relations: vec![
            Relation { id: 2, endpoint: "db".into(), remote_app: "mysql".into(), ..Relation::default() },
            Relation {
                id: 10,
                endpoint: "db".into(),
                remote_app: "pg".into(),
                remote_units: [
                    ("pg/0".to_owned(), bag(&[("host", "10.0.0.1"), ("port", "5432")])),
                    ("pg/1".to_owned(), bag(&[("host", "10.0.0.2")])),
                ]
                .into(),
                remote_app_data: bag(&[("ca", "PEM")]),
                local_unit_data: bag(&[("a", "1"), ("b", "2"), ("c", "3")]),
                local_app_data: bag(&[("schema", "v1")]),
                ..Relation::default()
            },
            Relation {
                id: 1,
                endpoint: "peers".into(),
                remote_units: [("app/1".to_owned(), bag(&[("peer-key", "p")]))].into(),
                local_app_data: bag(&[("shared", "x")]),
                ..Relation::default()
            },
            Relation {
                id: 4,
                endpoint: "website".into(),
                remote_app: "web".into(),
                remote_model_uuid: Some("7c3f9a1e-0000-4000-8000-000000000001".into()),
                ..Relation::default()
            },
        ],
        ..State::default()
    }
}

#[test]
pub(crate) fn relation_ids_are_sorted_as_strings() {
    let engine = hook(state(false), "update-status");
    // Sorted as strings, so db:10 comes before db:2 (rule 14).
    assert_eq!(relation::relation_ids(&engine, "db").expect("ids"), [db(10), db(2)]);
    assert_eq!(relation::relation_ids(&engine, "peers").expect("ids"), [RelationId::new("peers", 1)]);
    assert!(relation::relation_ids(&engine, "no-such-endpoint").expect("an empty list, exit 0").is_empty());
    finish(&engine, true);
}

#[test]
pub(crate) fn members_and_the_remote_application() {
    let engine = hook(state(false), "update-status");
    assert_eq!(relation::relation_list(&engine, &db(10)).expect("units"), ["pg/0", "pg/1"]);
    assert!(relation::relation_list(&engine, &db(2)).expect("no units yet").is_empty());
    assert_eq!(relation::relation_list_app(&engine, &db(10)).expect("app").as_deref(), Some("pg"));
    // A peer relation's remote application is this unit's own.
    let peers = RelationId::new("peers", 1);
    assert_eq!(relation::relation_list(&engine, &peers).expect("peers"), ["app/1"]);
    assert_eq!(relation::relation_list_app(&engine, &peers).expect("app").as_deref(), Some("app"));
    finish(&engine, true);

    // In relation-departed the departing unit is already gone (rule 15).
    let options = EventOptions { relation_id: Some(10), remote_unit: Some("pg/1".into()), ..EventOptions::default() };
    let engine = hook_with(state(false), "db-relation-departed", &options);
    assert_eq!(relation::relation_list(&engine, &db(10)).expect("units"), ["pg/0"]);
    finish(&engine, true);
}

#[test]
pub(crate) fn databags_are_read_by_entity() {
    let engine = hook(state(true), "update-status");
    let rel = db(10);
    assert_eq!(
        relation::relation_get(&engine, &rel, "pg/0").expect("a remote unit"),
        bag(&[("host", "10.0.0.1"), ("port", "5432")])
    );
    assert_eq!(relation::relation_get(&engine, &rel, "pg").expect("the remote app"), bag(&[("ca", "PEM")]));
    assert_eq!(
        relation::relation_get(&engine, &rel, "app/0").expect("this unit"),
        bag(&[("a", "1"), ("b", "2"), ("c", "3")])
    );
    assert_eq!(relation::relation_get(&engine, &rel, "app").expect("this app, as leader"), bag(&[("schema", "v1")]));
    assert!(relation::relation_get(&engine, &db(2), "mysql").expect("nothing yet").is_empty());
    assert_eq!(relation::relation_get_key(&engine, &rel, "port", "pg/0").expect("a key").as_deref(), Some("5432"));
    assert_eq!(relation::relation_get_key(&engine, &rel, "ca", "pg").expect("an app key").as_deref(), Some("PEM"));
    assert_eq!(relation::relation_get_key(&engine, &rel, "nope", "pg/0").expect("a missing key is nil"), None);
    for key in ["", "-"] {
        assert_invalid_input(&err(relation::relation_get_key(&engine, &rel, key, "pg/0")), "relation key");
    }
    // Juju gives no text for an unknown unit (§4.4: "an unknown unit is an error").
    assert!(relation::relation_get(&engine, &rel, "pg/7").is_err());
    let report = finish(&engine, true);
    assert_eq!(
        crate::support::argvs(&report, "relation-get")[..2],
        [v(&["--format=json", "-r", "db:10", "-", "pg/0"]), v(&["--format=json", "-r", "db:10", "--app", "-", "pg"])]
    );
}

#[test]
pub(crate) fn a_non_leader_reads_its_app_bag_only_on_a_peer_relation() {
    let engine = hook(state(false), "update-status");
    // Rule 10.
    let error = err(relation::relation_get(&engine, &db(10), "app"));
    assert_juju_error(&error, Kind::PermissionDenied, "relation-get", "permission denied");
    let peers = RelationId::new("peers", 1);
    assert_eq!(relation::relation_get(&engine, &peers, "app").expect("peers may"), bag(&[("shared", "x")]));
    assert_eq!(relation::relation_get(&engine, &peers, "app/1").expect("a peer"), bag(&[("peer-key", "p")]));
    finish(&engine, true);
}

/// Values that need care on their way through JSON on stdin and Go's YAML reader.
fn awkward() -> BTreeMap<String, String> {
    bag(&[
        ("multi", "line one\nline two"),
        ("quoted", "\"a\": 'b' # c"),
        ("unicode", "é 😀 a\u{85}b\u{2028}c"),
        ("dash", "-starts-with-a-dash"),
    ])
}

#[test]
pub(crate) fn writes_are_seen_in_the_hook_and_committed_at_its_end() {
    let engine = hook(state(true), "update-status");
    let rel = db(10);
    let mut unit = awkward();
    unit.insert("a".into(), String::new()); // an empty value deletes the key (rule 11)
    unit.insert("b".into(), "20".into());
    relation::relation_set(&engine, &rel, Bag::Unit, &unit).expect("unit bag");
    relation::relation_set(&engine, &rel, Bag::App, &bag(&[("schema", "v2"), ("url", "https://x")])).expect("app bag");
    // This unit's and (as leader) this app's bags show the hook's own writes (rule 12).
    let mut expected_unit = awkward();
    expected_unit.extend(bag(&[("b", "20"), ("c", "3")]));
    assert_eq!(relation::relation_get(&engine, &rel, "app/0").expect("own bag"), expected_unit);
    assert_eq!(relation::relation_get_key(&engine, &rel, "schema", "app").expect("own app").as_deref(), Some("v2"));
    let report = finish(&engine, true);
    assert!(report.committed);
    let committed = report.relation(10).expect("db:10");
    assert_eq!(committed.local_unit_data, expected_unit);
    assert_eq!(committed.local_app_data, bag(&[("schema", "v2"), ("url", "https://x")]));
    // Nothing on argv but the relation: the data went on stdin.
    assert_eq!(
        crate::support::argvs(&report, "relation-set"),
        [v(&["-r", "db:10", "--file", "-"]), v(&["-r", "db:10", "--app", "--file", "-"])]
    );
}

#[test]
pub(crate) fn a_failed_hook_writes_nothing() {
    let engine = hook(state(true), "update-status");
    relation::relation_set(&engine, &db(10), Bag::Unit, &bag(&[("a", "changed")])).expect("unit bag");
    relation::relation_set(&engine, &db(10), Bag::App, &bag(&[("schema", "v9")])).expect("app bag");
    let report = finish(&engine, false);
    assert!(!report.committed);
    assert_eq!(report.relation(10).expect("db:10"), &state(true).relations[1], "rule 13: dropped with the hook");
}

#[test]
pub(crate) fn only_the_leader_writes_the_app_bag() {
    let engine = hook(state(false), "update-status");
    let error = err(relation::relation_set(&engine, &db(10), Bag::App, &bag(&[("schema", "v2")])));
    // Rule 9.
    assert_juju_error(&error, Kind::NotLeader, "relation-set", "cannot write relation settings");
    // The unit bag is any unit's own.
    relation::relation_set(&engine, &db(10), Bag::Unit, &bag(&[("a", "9")])).expect("unit bag");
    for key in ["", "a=b", " padded"] {
        assert_invalid_input(
            &err(relation::relation_set(&engine, &db(10), Bag::Unit, &bag(&[(key, "v")]))),
            &format!("relation data key {key:?}"),
        );
    }
    let report = finish(&engine, true);
    assert_eq!(report.relation(10).expect("db:10").local_app_data, bag(&[("schema", "v1")]));
    assert_eq!(report.relation(10).expect("db:10").local_unit_data["a"], "9");
    assert_eq!(report.calls_of("relation-set").len(), 2, "invalid keys never reach the tool");
}

#[test]
pub(crate) fn the_remote_model() {
    let engine = hook(state(false), "update-status");
    let website = RelationId::new("website", 4);
    assert_eq!(
        relation::relation_model_get(&engine, &website).expect("model").uuid,
        "7c3f9a1e-0000-4000-8000-000000000001"
    );
    // A relation within the model: this model's uuid.
    assert_eq!(relation::relation_model_get(&engine, &db(10)).expect("model").uuid, State::default().model.uuid);
    finish(&engine, true);
}

#[test]
pub(crate) fn unknown_relations_are_not_found() {
    let engine = hook(state(true), "update-status");
    let gone = db(99);
    let not_found = |tool: &str, error: goops_runtime::Error| {
        // Rule 8: the `-r` option error, exit 2, read as "the relation is gone".
        assert_juju_error(&error, Kind::NotFound, tool, "invalid value \"db:99\" for option -r: relation not found");
    };
    not_found("relation-list", err(relation::relation_list(&engine, &gone)));
    not_found("relation-get", err(relation::relation_get(&engine, &gone, "pg/0")));
    not_found("relation-get", err(relation::relation_get_key(&engine, &gone, "host", "pg/0")));
    not_found("relation-set", err(relation::relation_set(&engine, &gone, Bag::Unit, &bag(&[("k", "v")]))));
    not_found("relation-model-get", err(relation::relation_model_get(&engine, &gone)));
    let report = finish(&engine, true);
    assert!(report.tool_calls.iter().all(|c| c.code == 2), "{:?}", report.tool_calls);
}

#[test]
pub(crate) fn the_context_reads_each_databag_once() {
    let engine = hook(state(false), "update-status");
    let ctx = engine.context().expect("a context");
    let rel = db(10);
    for _ in 0..2 {
        assert_eq!(ctx.relation_data(&rel, "pg/0").expect("bag")["host"], "10.0.0.1");
        assert_eq!(ctx.relation_data(&rel, "pg").expect("bag")["ca"], "PEM");
    }
    // Only changed keys are sent; an empty value deletes; nothing changed runs nothing.
    ctx.set_relation_data(&rel, Bag::Unit, [("a", "1"), ("b", "20"), ("c", ""), ("d", "4"), ("e", "")])
        .expect("written");
    ctx.set_relation_data(&rel, Bag::Unit, [("b", "20"), ("d", "4")]).expect("nothing to write");
    assert_eq!(ctx.relation_data(&rel, "app/0").expect("own bag"), bag(&[("a", "1"), ("b", "20"), ("d", "4")]));
    // A non-leader's app-bag write: refused as "not the leader" without running relation-set.
    let error = err(ctx.set_relation_data(&rel, Bag::App, [("schema", "v2")]));
    assert!(error.is_not_leader(), "{error:?}");
    assert!(error.to_string().contains("permission denied"), "Juju's reason is kept: {error}");
    drop(ctx);
    let report = finish(&engine, true);
    assert_eq!(report.relation(10).expect("db:10").local_unit_data, bag(&[("a", "1"), ("b", "20"), ("d", "4")]));
    assert_eq!(
        crate::support::argvs(&report, "relation-get"),
        [
            v(&["--format=json", "-r", "db:10", "-", "pg/0"]),
            v(&["--format=json", "-r", "db:10", "--app", "-", "pg"]),
            v(&["--format=json", "-r", "db:10", "-", "app/0"]),
            v(&["--format=json", "-r", "db:10", "--app", "-", "app"]),
        ],
        "each databag read once"
    );
    assert_eq!(report.calls_of("relation-set").len(), 1);
}

#[test]
pub(crate) fn the_context_reads_ids_units_and_apps_once() {
    let engine = hook(state(false), "update-status");
    let ctx = engine.context().expect("a context");
    for _ in 0..2 {
        assert_eq!(ctx.relation_ids("db").expect("ids"), [db(10), db(2)]);
        assert_eq!(ctx.relation_units(&db(10)).expect("units"), ["pg/0", "pg/1"]);
        assert_eq!(ctx.relation_app(&db(10)).expect("app").as_deref(), Some("pg"));
    }
    drop(ctx);
    let report = finish(&engine, true);
    assert_eq!(crate::support::argvs(&report, "relation-ids"), [v(&["--format=json", "db"])]);
    assert_eq!(
        crate::support::argvs(&report, "relation-list"),
        [v(&["--format=json", "-r", "db:10"]), v(&["--format=json", "--app", "-r", "db:10"])]
    );
}
