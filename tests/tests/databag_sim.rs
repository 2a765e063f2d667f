//! Typed databags on goops-sim's in-process engine: `relation_load` reads what an ops charm left
//! in the remote bags, `relation_save` changes only our keys in one `relation-set`, and what the
//! hook wrote is what the committed state holds.

use std::collections::BTreeMap;

use goops_runtime::{Bag, Databag, DatabagError, DatabagValue, Error, RelationId};
use goops_sim::state::Relation;
use goops_sim::{CharmMeta, Engine, EventOptions, State};
use serde::{Deserialize, Serialize};

const CHARMCRAFT: &str = r#"
name: app
type: charm
summary: Typed databags.
description: One requires endpoint and a peer relation.
requires:
  db: {interface: pgsql}
peers:
  peers: {interface: app-peers}
"#;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DatabagValue)]
#[serde(rename_all = "kebab-case")]
enum Role {
    Primary,
    Replica,
    #[serde(other)]
    Unknown,
}

/// What the database publishes in its app bag.
#[derive(Debug, Clone, PartialEq, Databag)]
struct DbOffer {
    #[databag(required)]
    endpoint: String,
    role: Option<Role>,
    #[databag(default)]
    replicas: Vec<String>,
}

/// What we publish in our unit bag.
#[derive(Debug, Clone, PartialEq, Databag)]
struct Request {
    database: Option<String>,
    #[databag(rename = "extra-user-roles", default)]
    roles: Vec<String>,
    #[databag(raw)]
    version: Option<String>,
}

fn bag(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn state(leader: bool, remote_app_data: BTreeMap<String, String>) -> State {
    State {
        leader,
        relations: vec![
            Relation {
                id: 7,
                endpoint: "db".into(),
                remote_app: "pg".into(),
                remote_units: [("pg/0".to_owned(), bag(&[]))].into(),
                remote_app_data,
                local_unit_data: bag(&[("private-address", "10.1.1.1"), ("database", "\"old\"")]),
                ..Relation::default()
            },
            Relation { id: 1, endpoint: "peers".into(), peer: true, ..Relation::default() },
        ],
        ..State::default()
    }
}

fn engine(state: State) -> Engine {
    let meta = CharmMeta::from_charmcraft_yaml(CHARMCRAFT).expect("charmcraft.yaml");
    Engine::for_event(state, meta, "update-status", &EventOptions::default()).expect("an engine")
}

fn db() -> RelationId {
    RelationId::new("db", 7)
}

#[test]
fn load_what_ops_wrote_and_save_only_our_changed_keys() {
    let engine = engine(state(
        false,
        bag(&[("endpoint", "\"pg:5432\""), ("role", "\"standby-leader\""), ("replicas", "[\"pg/1\", \"pg/2\"]")]),
    ));
    let ctx = engine.context().expect("a context");
    let offer: DbOffer = ctx.relation_load(&db(), "pg").expect("loads");
    assert_eq!(
        offer,
        DbOffer { endpoint: "pg:5432".into(), role: Some(Role::Unknown), replicas: vec!["pg/1".into(), "pg/2".into()] },
        "a role this version does not know loads as Unknown"
    );

    let request = Request { database: Some("old".into()), roles: vec!["admin".into()], version: Some("1.2".into()) };
    ctx.relation_save(&db(), Bag::Unit, &request).expect("saved");
    ctx.relation_save(&db(), Bag::Unit, &request).expect("nothing to save");
    assert_eq!(ctx.relation_load::<Request>(&db(), "app/0").expect("our own bag"), request);
    drop(ctx);
    let report = engine.finish(true).expect("finished");
    assert_eq!(report.calls_of("relation-set").len(), 1, "one call, and none for the unchanged save");
    assert_eq!(
        report.relation(7).expect("db:7").local_unit_data,
        bag(&[
            ("private-address", "10.1.1.1"),
            ("database", "\"old\""),
            ("extra-user-roles", "[\"admin\"]"),
            ("version", "1.2"),
        ]),
        "Juju's own keys are kept, the unchanged key not rewritten"
    );
}

#[test]
fn none_deletes_the_key_from_the_committed_bag() {
    let engine = engine(state(false, bag(&[])));
    let ctx = engine.context().expect("a context");
    ctx.relation_save(&db(), Bag::Unit, &Request { database: None, roles: vec![], version: None }).expect("saved");
    drop(ctx);
    let report = engine.finish(true).expect("finished");
    assert_eq!(
        report.relation(7).expect("db:7").local_unit_data,
        bag(&[("private-address", "10.1.1.1"), ("extra-user-roles", "[]")])
    );
}

#[test]
fn the_app_bag_is_the_leaders() {
    let offer = DbOffer { endpoint: "x".into(), role: Some(Role::Primary), replicas: vec![] };
    let peers = RelationId::new("peers", 1);

    let engine = engine(state(true, bag(&[])));
    let ctx = engine.context().expect("a context");
    ctx.relation_save(&peers, Bag::App, &offer).expect("the leader writes");
    drop(ctx);
    let report = engine.finish(true).expect("finished");
    assert_eq!(
        report.relation(1).expect("peers:1").local_app_data,
        bag(&[("endpoint", "\"x\""), ("role", "\"primary\""), ("replicas", "[]")])
    );

    let engine = self::engine(state(false, bag(&[])));
    let ctx = engine.context().expect("a context");
    let error = ctx.relation_save(&db(), Bag::App, &offer).expect_err("not the leader");
    assert!(error.is_not_leader(), "{error:?}");
    drop(ctx);
    assert!(engine.finish(true).expect("finished").calls_of("relation-set").is_empty());
}

#[test]
fn bad_remote_data_is_a_typed_error() {
    let engine = engine(state(false, bag(&[("role", "\"primary\"")])));
    let ctx = engine.context().expect("a context");
    let error = ctx.relation_load::<DbOffer>(&db(), "pg").expect_err("no endpoint");
    assert!(
        matches!(&error, Error::Databag { relation, entity, source: DatabagError::Missing { key } }
            if relation == "db:7" && entity == "pg" && key == "endpoint"),
        "{error:?}"
    );
    drop(ctx);

    let engine = self::engine(state(false, bag(&[("endpoint", "pg:5432")])));
    let ctx = engine.context().expect("a context");
    let error = ctx.relation_load::<DbOffer>(&db(), "pg").expect_err("a bare string");
    assert_eq!(
        error.to_string(),
        r#"relation db:7, databag of pg: key "endpoint" is not valid JSON: expected value at line 1 column 1"#
    );
}
