//! Tests of a unit's view ([`project`]) and of the commit of a hook's writes ([`commit`]), on a
//! controller built by hand: `db` (2 units, a peer relation, an app-owned secret granted to `web`
//! and a unit-owned one) related to `web` (2 units).

use std::collections::BTreeMap;
use std::path::PathBuf;

use goops_juju::RotatePolicy;
use goops_juju::charmcraft::CharmMeta;
use goops_runtime::prelude::*;

use super::{commit, project};
use crate::Engine;
use crate::model::controller::{
    ActionRequest, Application, ConsumerRecord, Controller, EndpointRef, Life, Op, RelationDoc, RelationSeen,
    SecretDoc, SecretOwnerRef, Unit, Versioned,
};
use crate::model::{DispatchCharm, ModelCharm};
use crate::state::{
    Bag, ContainerState, SecretGrant, SecretOwner, SecretRevision, State, StatusName, StatusRecord, Storage,
};
use crate::testing::{End, Harness, On, RunReport};

const S1: &str = "secret:d1fa9k3vrgbs7e2q5m10";
const S2: &str = "secret:d1fa9k3vrgbs7e2q5m20";
const PEERS: u32 = 0;
const DB: u32 = 1;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/model-charms").join(name)
}

fn meta(app: &str) -> CharmMeta {
    CharmMeta::from_dir(&fixture(&format!("view-{app}"))).expect("fixture metadata")
}

fn bag(pairs: &[(&str, &str)]) -> Bag {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn versioned(version: u64, pairs: &[(&str, &str)]) -> Versioned {
    Versioned { version, data: bag(pairs) }
}

fn revision(n: u32, value: &str) -> SecretRevision {
    SecretRevision { revision: n, content: [("password".to_owned(), value.to_owned())].into(), ..Default::default() }
}

fn seen(members: &[(&str, u64)]) -> RelationSeen {
    RelationSeen {
        created: true,
        members: members.iter().map(|(m, v)| ((*m).to_owned(), *v)).collect(),
        ..RelationSeen::default()
    }
}

fn unit(name: &str, relations: &[(u32, RelationSeen)]) -> Unit {
    let mut u = Unit {
        name: name.to_owned(),
        app: name.split('/').next().unwrap_or_default().to_owned(),
        machine: name.replace('/', "-"),
        ..Unit::default()
    };
    u.agent.installed = true;
    u.agent.started = true;
    u.agent.relations = relations.iter().cloned().collect();
    u
}

/// The model: db/0 (leader) and db/1 in peers (relation 0); relation 1 between db:database and
/// web:database, where web/0 has seen only db/0 so far; S1 owned by db, granted to web on
/// relation 1, read by web/0 at revision 1 under the label "db-creds"; S2 owned by db/1.
fn ctrl() -> Controller {
    let mut ctrl = Controller::default();
    let app = |name: &str, leader: &str| Application {
        name: name.to_owned(),
        charm_name: format!("view-{name}"),
        leader: Some(leader.to_owned()),
        ..Application::default()
    };
    let mut db = app("db", "db/0");
    db.config.insert("mode".into(), "safe".into());
    db.leader_settings = bag(&[("epoch", "1")]);
    db.leader_settings_version = 1;
    ctrl.applications.insert("db".into(), db);
    ctrl.applications.insert("web".into(), app("web", "web/0"));
    for u in [
        unit("db/0", &[(PEERS, seen(&[("db/1", 1)])), (DB, seen(&[("web/0", 1), ("web/1", 1)]))]),
        unit("db/1", &[(PEERS, seen(&[("db/0", 1)])), (DB, seen(&[("web/0", 1), ("web/1", 1)]))]),
        unit("web/0", &[(DB, seen(&[("db/0", 2)]))]),
        unit("web/1", &[(DB, seen(&[("db/0", 2), ("db/1", 1)]))]),
    ] {
        ctrl.units.insert(u.name.clone(), u);
    }
    let ep = |app: &str, endpoint: &str| EndpointRef { app: app.into(), endpoint: endpoint.into() };
    ctrl.relations.push(RelationDoc {
        id: PEERS,
        interface: "view-db-peers".into(),
        endpoints: vec![ep("db", "cluster")],
        app_data: [("db".to_owned(), versioned(1, &[("primary", "db/0")]))].into(),
        unit_data: [("db/0".to_owned(), versioned(1, &[("role", "primary")])), ("db/1".into(), versioned(1, &[]))]
            .into(),
        scope: ["db/0".to_owned(), "db/1".to_owned()].into(),
        ..RelationDoc::default()
    });
    ctrl.relations.push(RelationDoc {
        id: DB,
        interface: "pgsql".into(),
        endpoints: vec![ep("db", "database"), ep("web", "database")],
        app_data: [
            ("db".to_owned(), versioned(2, &[("secret-id", S1)])),
            ("web".to_owned(), versioned(1, &[("database", "shop")])),
        ]
        .into(),
        unit_data: [
            ("db/0".to_owned(), versioned(2, &[("host", "10.0.0.1")])),
            ("db/1".to_owned(), versioned(1, &[("host", "10.0.0.2")])),
            ("web/0".to_owned(), versioned(1, &[("ingress-address", "10.0.1.1")])),
            ("web/1".to_owned(), versioned(1, &[])),
        ]
        .into(),
        scope: ["db/0", "db/1", "web/0", "web/1"].iter().map(|s| (*s).to_owned()).collect(),
        ..RelationDoc::default()
    });
    ctrl.next_relation_id = 2;
    ctrl.secrets.push(SecretDoc {
        id: S1.into(),
        owner: SecretOwnerRef::Application("db".into()),
        label: Some("creds".into()),
        description: None,
        expire: None,
        rotate: None,
        next_rotate: None,
        revisions: vec![revision(1, "one"), revision(2, "two")],
        grants: vec![SecretGrant { relation_id: DB, target: "web".into() }],
        consumers: [("web/0".to_owned(), ConsumerRecord { tracked: 1, label: Some("db-creds".into()) })].into(),
    });
    ctrl.secrets.push(SecretDoc {
        id: S2.into(),
        owner: SecretOwnerRef::Unit("db/1".into()),
        label: Some("mine".into()),
        description: None,
        expire: None,
        rotate: None,
        next_rotate: None,
        revisions: vec![revision(1, "x")],
        grants: Vec::new(),
        consumers: BTreeMap::new(),
    });
    ctrl
}

fn relation_op(hook: &str, id: u32, remote: Option<&str>) -> Op {
    Op { relation_id: Some(id), remote_unit: remote.map(str::to_owned), ..Op::hook(hook) }
}

/// A harness for the fixture charm of `app`, whose only use here is its consistency check.
#[derive(Default)]
struct NoHandlers;

impl goops_runtime::Charm for NoHandlers {
    const HANDLERS: &'static [goops_runtime::Handler<Self>] = &[];
}

/// Project `op` on `unit` and check that the harness's consistency checks and goops-sim's own
/// rules accept the result; returns the state, the event and an engine on it.
fn view(ctrl: &Controller, unit: &str, op: &Op) -> (State, On, Engine) {
    let (state, on) = project(ctrl, unit, op).expect("projected");
    let app = unit.split('/').next().unwrap_or_default();
    let harness = Harness::<NoHandlers>::new(fixture(&format!("view-{app}"))).expect("fixture");
    harness.check(&on, &state).unwrap_or_else(|e| panic!("{unit} {}: {e}", op.hook));
    let engine = Engine::for_event(state.clone(), meta(app), on.name(), on.options())
        .unwrap_or_else(|e| panic!("{unit} {}: {e}", op.hook));
    (state, on, engine)
}

/// A tool's stdout, asserting it succeeded.
fn tool(engine: &Engine, name: &str, args: &[&str]) -> String {
    let out = engine.run(name, args, None);
    assert_eq!(out.code, 0, "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Run `op` on `unit` with `body` as the hook, end it with `exit_ok`, and commit it.
fn hook(ctrl: &mut Controller, unit: &str, op: &Op, exit_ok: bool, body: impl FnOnce(&Engine)) -> Vec<String> {
    let (state, _, engine) = view(ctrl, unit, op);
    body(&engine);
    let report = engine.finish(exit_ok).expect("finished once");
    commit(ctrl, unit, op, &state, &report, exit_ok)
}

#[test]
fn leader_sees_its_relations_peers_app_bags_and_owned_secrets() {
    let ctrl = ctrl();
    let (state, _, engine) = view(&ctrl, "db/0", &Op::hook("config-changed"));
    assert!(state.leader);
    assert_eq!(state.config["mode"], "safe");
    assert_eq!(state.leader_settings, bag(&[("epoch", "1")]));
    assert_eq!(state.peer_unit_statuses.keys().collect::<Vec<_>>(), ["db/1"]);
    let peers = state.relation(PEERS).unwrap();
    assert!(peers.peer);
    assert_eq!(peers.remote_units.keys().collect::<Vec<_>>(), ["db/1"]);
    assert_eq!(peers.local_app_data, bag(&[("primary", "db/0")]));
    let db = state.relation(DB).unwrap();
    assert_eq!((db.endpoint.as_str(), db.remote_app.as_str()), ("database", "web"));
    assert_eq!(db.local_unit_data, bag(&[("host", "10.0.0.1")]));
    assert_eq!(db.remote_app_data, bag(&[("database", "shop")]));
    assert_eq!(db.remote_units["web/0"], bag(&[("ingress-address", "10.0.1.1")]));
    // The app-owned secret with its grant and its consumers' pins; db/1's own secret is not here.
    let s1 = state.secret(S1).unwrap();
    assert_eq!(s1.owner, Some(SecretOwner::Application));
    assert_eq!(s1.grants, [SecretGrant { relation_id: DB, target: "web".into() }]);
    assert_eq!(s1.consumers, [("web/0".to_owned(), 1)].into());
    assert_eq!(s1.tracked, None);
    assert!(state.secret(S2).is_none());
    // What the tools show.
    assert_eq!(tool(&engine, "is-leader", &["--format=json"]), "true");
    assert_eq!(
        tool(&engine, "relation-get", &["--format=json", "-r", "1", "--app", "-", "web"]),
        r#"{"database":"shop"}"#
    );
    assert_eq!(tool(&engine, "relation-list", &["--format=json", "-r", "0"]), r#"["db/1"]"#);
    assert_eq!(tool(&engine, "secret-ids", &["--format=json"]), r#"["d1fa9k3vrgbs7e2q5m10"]"#);
}

#[test]
fn a_minion_owns_its_unit_secret_and_sees_the_app_secret() {
    let ctrl = ctrl();
    let (state, _, engine) = view(&ctrl, "db/1", &Op::hook("update-status"));
    assert!(!state.leader);
    assert_eq!(state.secret(S2).unwrap().owner, Some(SecretOwner::Unit));
    assert_eq!(state.secret(S1).unwrap().owner, Some(SecretOwner::Application));
    // A non-leader reads the peer app bag, not its own app bag of a non-peer relation.
    assert_eq!(tool(&engine, "relation-get", &["--format=json", "-r", "0", "--app", "primary", "db"]), r#""db/0""#);
    let out = engine.run("relation-get", &["-r", "1", "--app", "-", "db"], None);
    assert_eq!((out.code, String::from_utf8_lossy(&out.stderr).trim()), (1, "ERROR permission denied"));
    // secret-ids lists the metadata this unit manages: its own secret only.
    assert_eq!(tool(&engine, "secret-ids", &["--format=json"]), r#"["d1fa9k3vrgbs7e2q5m20"]"#);
}

#[test]
fn joined_adds_the_joining_unit_and_the_consumer_sees_its_grant_and_pin() {
    let ctrl = ctrl();
    let op = relation_op("database-relation-joined", DB, Some("db/1"));
    let (state, on, engine) = view(&ctrl, "web/0", &op);
    assert_eq!(on.name(), "database-relation-joined");
    let db = state.relation(DB).unwrap();
    assert_eq!(db.remote_units.keys().collect::<Vec<_>>(), ["db/0", "db/1"]);
    assert_eq!(db.remote_units["db/1"], bag(&[("host", "10.0.0.2")]));
    assert_eq!(db.remote_app_data, bag(&[("secret-id", S1)]));
    let s1 = state.secret(S1).unwrap();
    assert_eq!(s1.owner, None);
    assert_eq!((s1.tracked, s1.consumer_label.as_deref()), (Some(1), Some("db-creds")));
    assert_eq!(s1.grants, [SecretGrant { relation_id: DB, target: "web".into() }]);
    assert!(state.secret(S2).is_none(), "another unit's secret is not readable");
    let env = engine.env();
    assert_eq!((env["JUJU_REMOTE_UNIT"].as_str(), env["JUJU_REMOTE_APP"].as_str()), ("db/1", "db"));
    assert_eq!(tool(&engine, "relation-list", &["--format=json"]), r#"["db/0","db/1"]"#);
    // The pinned revision, then the latest with --peek.
    assert_eq!(tool(&engine, "secret-get", &[S1, "password"]), "one");
    assert_eq!(tool(&engine, "secret-get", &["--peek", S1, "password"]), "two");
}

#[test]
fn app_level_changed_has_no_remote_unit() {
    let ctrl = ctrl();
    let (_, _, engine) = view(&ctrl, "web/0", &relation_op("database-relation-changed", DB, None));
    let env = engine.env();
    assert_eq!((env["JUJU_REMOTE_UNIT"].as_str(), env["JUJU_REMOTE_APP"].as_str()), ("", "db"));
    assert_eq!(tool(&engine, "relation-get", &["--app", "secret-id"]), S1);
    let (_, _, engine) = view(&ctrl, "web/0", &relation_op("database-relation-changed", DB, Some("db/0")));
    assert_eq!(engine.env()["JUJU_REMOTE_UNIT"], "db/0");
    assert_eq!(tool(&engine, "relation-get", &["host"]), "10.0.0.1");
}

#[test]
fn departed_hides_the_departing_unit_and_broken_shows_nobody() {
    let mut ctrl = ctrl();
    let op = Op { departing_unit: Some("db/0".into()), ..relation_op("database-relation-departed", DB, Some("db/0")) };
    let (_, _, engine) = view(&ctrl, "web/1", &op);
    assert_eq!(engine.env()["JUJU_DEPARTING_UNIT"], "db/0");
    assert_eq!(tool(&engine, "relation-list", &["--format=json"]), r#"["db/1"]"#);
    // The departed unit's bag is still readable.
    assert_eq!(tool(&engine, "relation-get", &["host", "db/0"]), "10.0.0.1");
    // After every departed, the relation dying: broken has no remote unit and lists nobody.
    ctrl.units.get_mut("web/1").unwrap().agent.relations.get_mut(&DB).unwrap().members.clear();
    let (state, _, engine) = view(&ctrl, "web/1", &relation_op("database-relation-broken", DB, None));
    assert!(state.relation(DB).unwrap().remote_units.is_empty());
    assert_eq!(tool(&engine, "relation-list", &["--format=json", "-r", "1"]), "[]");
    assert_eq!(tool(&engine, "relation-ids", &["--format=json", "database"]), "[]");
    // Once broken, the relation leaves the unit's view (and the grant on it with it).
    ctrl.units.get_mut("web/1").unwrap().agent.relations.get_mut(&DB).unwrap().broken = true;
    let (state, _, _) = view(&ctrl, "web/1", &Op::hook("update-status"));
    assert!(state.relations.is_empty());
    assert!(state.secrets.is_empty(), "no grant in view, no consumer record: not readable");
}

#[test]
fn relation_created_shows_the_relation_before_the_agent_marks_it() {
    let mut ctrl = ctrl();
    ctrl.units.get_mut("web/0").unwrap().agent.relations.clear();
    let (state, _, _) = view(&ctrl, "web/0", &Op::hook("install"));
    assert!(state.relations.is_empty());
    // A consumer record keeps the secret in view; without a grant in view it is unreadable.
    let s1 = state.secret(S1).unwrap();
    assert!(s1.grants.is_empty());
    let (state, _, engine) = view(&ctrl, "web/0", &relation_op("database-relation-created", DB, None));
    assert!(state.relation(DB).unwrap().remote_units.is_empty());
    assert_eq!(engine.env()["JUJU_REMOTE_UNIT"], "");
    assert_eq!(state.secret(S1).unwrap().grants.len(), 1);
}

#[test]
fn secret_hooks_and_actions_get_their_context() {
    let ctrl = ctrl();
    let changed = Op { secret: Some(S1.into()), ..Op::hook("secret-changed") };
    let (_, _, engine) = view(&ctrl, "web/0", &changed);
    let env = engine.env();
    assert_eq!((env["JUJU_SECRET_ID"].as_str(), env["JUJU_SECRET_LABEL"].as_str()), (S1, "db-creds"));
    assert_eq!(tool(&engine, "secret-get", &["--refresh", S1, "password"]), "two");
    let remove = Op { secret: Some(S1.into()), secret_revision: Some(1), ..Op::hook("secret-remove") };
    let (_, _, engine) = view(&ctrl, "db/0", &remove);
    assert_eq!(
        (engine.env()["JUJU_SECRET_REVISION"].as_str(), engine.env()["JUJU_SECRET_LABEL"].as_str()),
        ("1", "creds")
    );
    // An app-owned secret's rotate goes to the leader: goops-sim refuses it on a minion.
    let rotate = Op { secret: Some(S1.into()), ..Op::hook("secret-rotate") };
    let (state, on) = project(&ctrl, "db/1", &rotate).unwrap();
    let refused = Engine::for_event(state, meta("db"), on.name(), on.options()).unwrap_err();
    assert!(refused.to_string().contains("goes to the leader"), "{refused}");
    let mut params = serde_json::Map::new();
    params.insert("reason".into(), "scheduled".into());
    let action = Op { action: Some(ActionRequest { id: "7".into(), params }), ..Op::hook("rotate") };
    let (state, on, engine) = view(&ctrl, "db/1", &action);
    assert_eq!(on.name(), "action:rotate");
    assert!(state.action.is_none(), "the session builds the action from the event");
    let env = engine.env();
    assert_eq!((env["JUJU_ACTION_NAME"].as_str(), env["JUJU_ACTION_UUID"].as_str()), ("rotate", "7"));
    assert_eq!(tool(&engine, "action-get", &["reason"]), "scheduled");
}

#[test]
fn effective_writes_bump_versions_and_no_op_writes_do_not() {
    let mut ctrl = ctrl();
    let op = Op::hook("config-changed");
    // The same values: nothing to commit, no version moves, no line.
    let lines = hook(&mut ctrl, "db/0", &op, true, |e| {
        tool(e, "relation-set", &["-r", "1", "host=10.0.0.1"]);
        tool(e, "relation-set", &["-r", "1", "--app", "secret-id=".to_owned().as_str()]);
        tool(e, "relation-set", &["-r", "1", "--app", &format!("secret-id={S1}")]);
        tool(e, "leader-set", &["epoch=1"]);
    });
    assert!(lines.is_empty(), "{lines:?}");
    let doc = ctrl.relation(DB).unwrap();
    assert_eq!((doc.unit_data["db/0"].version, doc.app_data["db"].version), (2, 2));
    assert_eq!(ctrl.applications["db"].leader_settings_version, 1);
    // New values: one bump per bag, whatever the number of writes.
    let lines = hook(&mut ctrl, "db/0", &op, true, |e| {
        tool(e, "relation-set", &["-r", "1", "host=10.0.0.9", "port=5432"]);
        tool(e, "relation-set", &["-r", "1", "port=5433"]);
        tool(e, "relation-set", &["-r", "1", "--app", "secret-id=", "ready=yes"]);
        tool(e, "relation-set", &["-r", "0", "role=leader"]);
        tool(e, "leader-set", &["epoch=2"]);
        tool(e, "state-set", &["k=v"]);
        tool(e, "open-port", &["5432/tcp"]);
    });
    let doc = ctrl.relation(DB).unwrap();
    assert_eq!(doc.unit_data["db/0"], versioned(3, &[("host", "10.0.0.9"), ("port", "5433")]));
    assert_eq!(doc.app_data["db"], versioned(3, &[("ready", "yes")]));
    assert_eq!(ctrl.relation(PEERS).unwrap().unit_data["db/0"], versioned(2, &[("role", "leader")]));
    assert_eq!(ctrl.applications["db"].leader_settings, bag(&[("epoch", "2")]));
    assert_eq!(ctrl.applications["db"].leader_settings_version, 2);
    assert_eq!(ctrl.units["db/0"].unit_state, bag(&[("k", "v")]));
    assert_eq!(ctrl.units["db/0"].opened_ports.len(), 1);
    assert_eq!(
        lines,
        [
            "leader settings: ~epoch",
            "unit bag: ~role (cluster:0)",
            "unit bag: ~host +port (database:1)",
            "app bag: +ready -secret-id (database:1)",
            "unit state: +k",
            "ports: +5432/tcp",
        ]
    );
}

#[test]
fn a_failed_hook_commits_nothing_deferred_but_its_immediate_effects_stand() {
    let mut ctrl = ctrl();
    let before = ctrl.clone();
    let lines = hook(&mut ctrl, "db/0", &Op::hook("config-changed"), false, |e| {
        tool(e, "relation-set", &["-r", "1", "host=10.0.0.9"]);
        tool(e, "state-set", &["k=v"]);
        tool(e, "secret-add", &["--label", "new", "password=p"]);
        tool(e, "secret-set", &[S1, "password=three"]);
        tool(e, "secret-grant", &[S1, "-r", "1", "--unit", "web/1"]);
        tool(e, "juju-log", &["about to fail"]);
        // Juju's status-set, application-version-set and leader-set are API calls made at once.
        tool(e, "status-set", &["blocked", "no luck"]);
        tool(e, "status-set", &["--application", "waiting", "units"]);
        tool(e, "application-version-set", &["15.2"]);
        tool(e, "leader-set", &["epoch=5"]);
    });
    assert_eq!(ctrl.relations, before.relations);
    assert_eq!(ctrl.secrets, before.secrets);
    assert!(ctrl.units["db/0"].unit_state.is_empty());
    let u = &ctrl.units["db/0"];
    assert_eq!((u.status.status, u.status.message.as_str()), (StatusName::Blocked, "no luck"));
    assert_eq!(u.status.since, Some(ctrl.clock), "status times are the model clock's");
    assert_eq!(u.workload_version, "15.2");
    assert_eq!(u.juju_log.last().map(|l| l.message.as_str()), Some("about to fail"));
    assert_eq!(ctrl.applications["db"].status.status, StatusName::Waiting);
    assert_eq!(ctrl.applications["db"].leader_settings_version, 2);
    assert_eq!(
        lines,
        [
            "status: blocked \"no luck\"",
            "workload version: \"15.2\"",
            "app status: waiting \"units\"",
            "leader settings: ~epoch"
        ]
    );
    // A hook that succeeded but whose end the scheduler injected as a failure commits the same.
    let mut injected = before.clone();
    let (state, _, engine) = view(&injected, "db/0", &Op::hook("config-changed"));
    tool(&engine, "relation-set", &["-r", "1", "host=10.0.0.9"]);
    let report = engine.finish(true).unwrap();
    assert!(report.committed);
    assert!(commit(&mut injected, "db/0", &Op::hook("config-changed"), &state, &report, false).is_empty());
    assert_eq!(injected.relations, before.relations);
}

#[test]
fn logs_and_containers_stand_and_logs_are_bounded() {
    let mut ctrl = ctrl();
    let u = ctrl.units.get_mut("web/0").unwrap();
    u.juju_log = (0..super::MAX_UNIT_LOG)
        .map(|i| crate::state::LogRecord { level: "INFO".into(), message: format!("old {i}") })
        .collect();
    let (state, _, _) = view(&ctrl, "web/0", &Op::hook("update-status"));
    assert!(state.juju_log.is_empty(), "the view carries no old log");
    let mut after = state.clone();
    after.containers.insert("web".into(), ContainerState::default());
    after.juju_log.push(crate::state::LogRecord { level: "ERROR".into(), message: "boom".into() });
    let report = RunReport {
        logs: after.juju_log.clone(),
        ..serde_json::from_str::<RunReport>(
            r#"{"end":{"hook_failed":"boom"},"committed":false,"logs":[],"unit_statuses":[],"app_statuses":[],"action":null,"tool_calls":[],"hook":"update-status"}"#,
        )
        .unwrap()
    };
    let report = RunReport { state: after, ..report };
    assert_eq!(report.end, End::HookFailed("boom".into()));
    commit(&mut ctrl, "web/0", &Op::hook("update-status"), &state, &report, false);
    let u = &ctrl.units["web/0"];
    assert_eq!(u.juju_log.len(), super::MAX_UNIT_LOG);
    assert_eq!((u.juju_log[0].message.as_str(), u.juju_log.last().unwrap().message.as_str()), ("old 1", "boom"));
    assert!(u.containers.contains_key("web"));
}

#[test]
fn new_secrets_grants_and_revisions_land_where_juju_puts_them() {
    let mut ctrl = ctrl();
    let mut created = (String::new(), String::new());
    let lines = hook(&mut ctrl, "db/0", &Op::hook("config-changed"), true, |e| {
        created.0 = tool(e, "secret-add", &["--label", "admin", "--rotate", "daily", "password=a"]);
        created.1 = tool(e, "secret-add", &["--owner", "unit", "token=t"]);
        tool(e, "secret-grant", &[&created.0, "-r", "1"]);
        tool(e, "secret-set", &[S1, "password=three"]);
        tool(e, "secret-grant", &[S1, "-r", "0", "--unit", "db/1"]);
        tool(e, "secret-revoke", &[S1, "-r", "1"]);
    });
    let (app_secret, unit_secret) = created;
    assert_eq!(ctrl.secrets.len(), 4);
    // Appended in creation order, owned by the application (leader) and by the unit.
    let doc = &ctrl.secrets[2];
    assert_eq!((doc.id.as_str(), &doc.owner), (app_secret.as_str(), &SecretOwnerRef::Application("db".into())));
    assert_eq!((doc.label.as_deref(), doc.rotate), (Some("admin"), Some(RotatePolicy::Daily)));
    assert_eq!(doc.next_rotate, Some(ctrl.clock + chrono::Duration::days(1)));
    assert_eq!(doc.grants, [SecretGrant { relation_id: DB, target: "web".into() }]);
    assert_eq!(ctrl.secrets[3].owner, SecretOwnerRef::Unit("db/0".into()));
    assert_eq!(ctrl.secrets[3].id, unit_secret);
    let s1 = ctrl.secret(S1).unwrap();
    assert_eq!(s1.latest(), 3);
    assert_eq!(s1.grants, [SecretGrant { relation_id: PEERS, target: "db/1".into() }]);
    assert_eq!(
        lines,
        [
            format!("secret-add {app_secret}"),
            format!("secret-grant {app_secret} to web"),
            format!("secret-add {unit_secret}"),
            format!("secret-set {S1}: revision 3"),
            format!("secret-grant {S1} to db/1"),
            format!("secret-revoke {S1} from web"),
        ]
    );
    assert!(lines.iter().all(|l| !l.contains("three") && !l.contains("password")), "no values in the trace");
    // web/1 sees the new secret through its app's grant; the unit-owned one stays db/0's.
    let (state, _, _) = view(&ctrl, "web/1", &Op::hook("update-status"));
    assert!(state.secret(&app_secret).is_some_and(|s| s.owner.is_none()));
    assert!(state.secret(&unit_secret).is_none());
    // Removing a revision and then the whole secret.
    let lines = hook(&mut ctrl, "db/0", &Op::hook("update-status"), true, |e| {
        tool(e, "secret-remove", &[S1, "--revision", "1"]);
        tool(e, "secret-remove", &[&app_secret]);
    });
    assert_eq!(lines, [format!("secret-remove {S1}: revision 1"), format!("secret-remove {app_secret}")]);
    assert_eq!(ctrl.secret(S1).unwrap().revisions.iter().map(|r| r.revision).collect::<Vec<_>>(), [2, 3]);
    assert!(ctrl.secret(&app_secret).is_none());
}

#[test]
fn consumer_records_follow_reads_labels_and_refreshes() {
    let mut ctrl = ctrl();
    // A first read pins the latest revision at once: it stands even though the hook fails.
    let lines = hook(&mut ctrl, "web/1", &Op::hook("update-status"), false, |e| {
        assert_eq!(tool(e, "secret-get", &[S1, "--label", "the-db", "password"]), "two");
    });
    assert_eq!(
        ctrl.secret(S1).unwrap().consumers["web/1"],
        ConsumerRecord { tracked: 2, label: Some("the-db".into()) }
    );
    assert_eq!(
        lines,
        [format!("secret-get {S1}: tracks revision 2"), format!("secret-get {S1}: consumer label \"the-db\"")]
    );
    // --refresh moves the pin with the hook's commit only.
    let changed = Op { secret: Some(S1.into()), ..Op::hook("secret-changed") };
    hook(&mut ctrl, "web/0", &changed, false, |e| {
        tool(e, "secret-get", &["--refresh", S1]);
    });
    assert_eq!(ctrl.secret(S1).unwrap().consumers["web/0"].tracked, 1);
    let lines = hook(&mut ctrl, "web/0", &changed, true, |e| {
        tool(e, "secret-get", &["--refresh", S1]);
    });
    assert_eq!(
        ctrl.secret(S1).unwrap().consumers["web/0"],
        ConsumerRecord { tracked: 2, label: Some("db-creds".into()) }
    );
    assert_eq!(lines, [format!("secret-get {S1}: tracks revision 2")]);
    // An owner that reads its secret holds a record too.
    hook(&mut ctrl, "db/1", &Op::hook("update-status"), true, |e| {
        tool(e, "secret-get", &[S1]);
    });
    assert_eq!(ctrl.secret(S1).unwrap().consumers["db/1"].tracked, 2);
}

#[test]
fn rotation_is_rescheduled_from_the_model_clock() {
    let mut ctrl = ctrl();
    let lines = hook(&mut ctrl, "db/0", &Op::hook("config-changed"), true, |e| {
        tool(e, "secret-set", &[S1, "--rotate", "hourly"]);
    });
    assert_eq!(lines, [format!("secret-set {S1}: rotate")]);
    assert_eq!(ctrl.secret(S1).unwrap().next_rotate, Some(ctrl.clock + chrono::Duration::hours(1)));
    ctrl.clock += chrono::Duration::hours(2);
    let rotate = Op { secret: Some(S1.into()), ..Op::hook("secret-rotate") };
    // No new revision: Juju tries again 5 minutes later (`SecretsRotated`, `RotateRetryDelay`).
    hook(&mut ctrl, "db/0", &rotate, true, |_| {});
    assert_eq!(ctrl.secret(S1).unwrap().next_rotate, Some(ctrl.clock + chrono::Duration::minutes(5)));
    // A new revision: one interval on.
    hook(&mut ctrl, "db/0", &rotate, true, |e| {
        tool(e, "secret-set", &[S1, "password=rotated"]);
    });
    assert_eq!(ctrl.secret(S1).unwrap().next_rotate, Some(ctrl.clock + chrono::Duration::hours(1)));
}

#[test]
fn broken_does_not_revoke_grants_and_minions_cannot_write_the_app_bag() {
    let mut ctrl = ctrl();
    ctrl.units.get_mut("db/1").unwrap().agent.relations.get_mut(&DB).unwrap().members.clear();
    let lines = hook(&mut ctrl, "db/1", &relation_op("database-relation-broken", DB, None), true, |e| {
        let out = e.run("relation-set", &["-r", "1", "--app", "x=y"], None);
        assert_eq!(out.code, 1);
        tool(e, "relation-set", &["-r", "1", "bye=now"]);
    });
    assert!(lines.is_empty(), "the broken relation left the view: {lines:?}");
    assert_eq!(ctrl.secret(S1).unwrap().grants.len(), 1, "the grant goes with the relation, not with broken");
    assert_eq!(ctrl.relation(DB).unwrap().app_data["db"].version, 2);
}

#[test]
fn a_detached_storage_instance_leaves_the_unit_with_the_hook_and_a_dead_peer_leaves_the_list() {
    let mut ctrl = ctrl();
    let data = Storage { name: "data".into(), index: 0, location: "/srv/data".into(), ..Storage::default() };
    ctrl.units.get_mut("db/1").unwrap().storage.push(data.clone());
    let op = Op { storage: Some("data/0".into()), ..Op::hook("data-storage-detaching") };
    let (state, _, engine) = view(&ctrl, "db/1", &op);
    assert_eq!(state.storage, std::slice::from_ref(&data));
    assert_eq!(engine.env()["JUJU_STORAGE_ID"], "data/0");
    assert!(hook(&mut ctrl, "db/1", &op, false, |_| {}).is_empty());
    assert_eq!(ctrl.units["db/1"].storage, [data]);
    assert_eq!(hook(&mut ctrl, "db/1", &op, true, |_| {}), ["storage: -data/0"]);
    assert!(ctrl.units["db/1"].storage.is_empty());
    ctrl.units.get_mut("db/1").unwrap().life = Life::Dead;
    let (state, _, _) = view(&ctrl, "db/0", &Op::hook("update-status"));
    assert!(state.peer_unit_statuses.is_empty());
}

/// A real in-process charm run through the harness as the model runs it.
#[derive(Default)]
struct Db;

#[charm(metadata = "tests/model-charms/view-db/charmcraft.yaml")]
impl Db {
    #[hook(config_changed)]
    fn config_changed(&self, ctx: &Context) -> HookResult {
        let mode: String = ctx.config_get("mode")?.unwrap_or_default();
        for relation in ctx.relation_ids("database")? {
            ctx.set_relation_data(&relation, goops_runtime::Bag::Unit, [("mode", mode.clone())])?;
        }
        Ok(ctx.set_unit_status(Status::Active(format!("mode {mode}")))?)
    }
}

#[test]
fn an_in_process_harness_runs_as_a_model_charm() {
    let mut ctrl = ctrl();
    let harness = Harness::<Db>::for_charm(fixture("view-db")).unwrap();
    let source = ModelCharm::source(&harness);
    assert!(source.in_process && source.dispatch.is_none());
    assert!(source.dir.ends_with("tests/model-charms/view-db"), "{}", source.dir);
    let charm: Box<dyn ModelCharm> = Box::new(harness);
    assert_eq!(charm.meta().name, "view-db");
    let op = Op::hook("config-changed");
    let (state, on) = project(&ctrl, "db/1", &op).unwrap();
    let report = charm.run(on, &state).unwrap();
    assert_eq!(report.end, End::Completed);
    let lines = commit(&mut ctrl, "db/1", &op, &state, &report, true);
    assert_eq!(lines, ["status: active \"mode safe\"", "unit bag: +mode (database:1)"]);
    assert_eq!(ctrl.relation(DB).unwrap().unit_data["db/1"], versioned(2, &[("host", "10.0.0.2"), ("mode", "safe")]));
    assert_eq!(ctrl.units["db/1"].status.status, StatusName::Active);
}

#[test]
fn a_shell_dispatch_runs_as_a_model_charm() {
    let mut ctrl = ctrl();
    let charm = DispatchCharm::new(fixture("view-sh")).unwrap();
    let source = charm.source();
    assert!(!source.in_process && source.dispatch.is_none());
    // The shell charm stands in for web's charm: same endpoint and interface.
    let op = relation_op("database-relation-changed", DB, Some("db/0"));
    let (state, on) = project(&ctrl, "web/0", &op).unwrap();
    let report = charm.run(on, &state).unwrap();
    assert_eq!(report.end, End::Completed, "{:?}", report.logs);
    let lines = commit(&mut ctrl, "web/0", &op, &state, &report, true);
    assert_eq!(lines, ["status: active \"ready\""]);
    assert_eq!(
        ctrl.units["web/0"].status,
        StatusRecord { since: Some(ctrl.clock), ..ctrl.units["web/0"].status.clone() }
    );
    assert_eq!(ctrl.units["web/0"].status.message, "ready");
    assert_eq!(
        ctrl.units["web/0"].juju_log.last().map(|l| l.message.as_str()),
        Some("database:1: ran hooks/database-relation-changed")
    );
}
