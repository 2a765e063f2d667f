//! Context caches: each fact read once, relation writes send only changed keys, is-leader
//! sticky false, secret cache invalidated by writes.

mod common;

use std::collections::BTreeMap;

use common::{Recorder, v};
use goops_runtime::{
    Context, Databag, Error, Event, JujuEnv, LogLevel, RelationId, SecretAddOptions, SecretContent, SecretReadMode,
    SecretSelector, SecretSetOptions, SecretString, Status,
};

fn ctx(rec: &Recorder) -> Context {
    let env = JujuEnv::from_vars([("JUJU_UNIT_NAME", "myapp/0"), ("JUJU_DISPATCH_PATH", "hooks/config-changed")]);
    Context::new(env, Event::ConfigChanged, rec.clone()).expect("a unit")
}

#[test]
fn config_is_read_once_and_typed() {
    let rec = Recorder::new();
    rec.ok("config-get", r#"{"port": 8080, "name": "web", "debug": true, "ratio": 0.5}"#);
    let ctx = ctx(&rec);
    assert_eq!(ctx.config_get::<u16>("port").expect("typed"), Some(8080));
    assert_eq!(ctx.config_get::<String>("name").expect("typed").as_deref(), Some("web"));
    assert_eq!(ctx.config_get::<bool>("debug").expect("typed"), Some(true));
    assert_eq!(ctx.config_get::<f64>("ratio").expect("typed"), Some(0.5));
    assert_eq!(ctx.config_get::<String>("missing").expect("typed"), None);
    assert_eq!(ctx.config().expect("config").len(), 4);
    let err = ctx.config_get::<u16>("name").expect_err("wrong type");
    assert!(matches!(err, Error::Parse { .. }));
    assert!(err.to_string().contains("\"name\"") && !err.to_string().contains("web"), "{err}");
    assert_eq!(rec.argvs(), vec![v(&["config-get", "--format=json"])]);
}

#[test]
fn config_error_is_not_cached() {
    let rec = Recorder::new();
    rec.fail("config-get", 1, "boom").ok("config-get", "{}");
    let ctx = ctx(&rec);
    assert!(ctx.config().is_err());
    assert!(ctx.config().expect("second try").is_empty());
    assert_eq!(rec.count("config-get"), 2);
}

#[test]
fn is_leader_read_once_and_sticky_false() {
    let rec = Recorder::new();
    rec.ok("is-leader", "false\n").ok("is-leader", "true\n");
    let ctx = ctx(&rec);
    assert!(!ctx.is_leader().expect("leader"));
    assert!(!ctx.is_leader().expect("leader"), "false sticks even though Juju would now say true");
    assert_eq!(rec.count("is-leader"), 1);
    assert_eq!(rec.last().args, v(&["--format=json"]));

    let rec = Recorder::new();
    rec.ok("is-leader", "true\n");
    let ctx = self::ctx(&rec);
    assert!(ctx.is_leader().expect("leader"));
    assert!(ctx.is_leader().expect("leader"));
    assert_eq!(rec.count("is-leader"), 1, "a true is trusted for the lease");

    let rec = Recorder::new();
    rec.ok("is-leader", "True\n");
    assert!(matches!(self::ctx(&rec).is_leader(), Err(Error::Parse { .. })));
}

#[test]
fn relation_data_read_once_per_entity() {
    let rec = Recorder::new();
    rec.ok("relation-get", r#"{"host":"10.0.0.1"}"#).ok("relation-get", r#"{"ca":"PEM"}"#);
    let ctx = ctx(&rec);
    let rel = RelationId::new("db", 3);
    assert_eq!(ctx.relation_data(&rel, "pg/0").expect("bag")["host"], "10.0.0.1");
    assert_eq!(ctx.relation_data(&rel, "pg/0").expect("bag")["host"], "10.0.0.1");
    assert_eq!(ctx.relation_data(&rel, "pg").expect("bag")["ca"], "PEM");
    ctx.relation_data(&rel, "pg").expect("bag");
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["relation-get", "--format=json", "-r", "db:3", "-", "pg/0"]),
            v(&["relation-get", "--format=json", "-r", "db:3", "--app", "-", "pg"]),
        ]
    );
}

#[test]
fn relation_writes_send_only_changed_keys() {
    let rec = Recorder::new();
    rec.ok("relation-get", r#"{"a":"1","b":"2","c":"3"}"#);
    let ctx = ctx(&rec);
    let rel = RelationId::new("db", 3);
    ctx.set_relation_data(&rel, Databag::Unit, [("a", "1"), ("b", "20"), ("c", ""), ("d", "4"), ("e", "")])
        .expect("written");
    let calls = rec.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].args, v(&["--format=json", "-r", "db:3", "-", "myapp/0"]));
    assert_eq!(calls[1].tool, "relation-set");
    assert_eq!(calls[1].args, v(&["-r", "db:3", "--file", "-"]));
    let sent: BTreeMap<String, String> = serde_json::from_str(&calls[1].stdin_text()).expect("JSON map");
    assert_eq!(sent, [("b", "20"), ("c", ""), ("d", "4")].map(|(k, v)| (k.to_owned(), v.to_owned())).into());

    // The cache reflects the write: writing the same again runs nothing, and reads see it.
    ctx.set_relation_data(&rel, Databag::Unit, [("b", "20"), ("d", "4"), ("c", "")]).expect("no-op");
    assert_eq!(rec.calls().len(), 2);
    let bag = ctx.relation_data(&rel, "myapp/0").expect("bag");
    assert_eq!(bag, [("a", "1"), ("b", "20"), ("d", "4")].map(|(k, v)| (k.to_owned(), v.to_owned())).into());
    assert_eq!(rec.calls().len(), 2);
}

#[test]
fn app_relation_writes_use_app_bag() {
    let rec = Recorder::new();
    rec.ok("relation-get", "{}");
    let ctx = ctx(&rec);
    let rel = RelationId::new("peers", 1);
    rec.fail("relation-set", 1, "cannot write relation settings");
    let err = ctx.set_relation_data(&rel, Databag::App, [("k", "secretish")]).expect_err("not leader");
    assert!(err.is_not_leader());
    let calls = rec.calls();
    assert_eq!(calls[0].args, v(&["--format=json", "-r", "peers:1", "--app", "-", "myapp"]));
    assert_eq!(calls[1].args, v(&["-r", "peers:1", "--app", "--file", "-"]));
    // A failed write leaves the cache alone, so retrying sends the key again.
    ctx.set_relation_data(&rel, Databag::App, [("k", "secretish")]).expect("written");
    assert_eq!(rec.count("relation-set"), 2);
}

#[test]
fn relation_ids_and_units_read_once() {
    let rec = Recorder::new();
    rec.ok("relation-ids", r#"["db:3","db:10"]"#).ok("relation-list", r#"["pg/0","pg/1"]"#);
    let ctx = ctx(&rec);
    let ids = ctx.relation_ids("db").expect("ids");
    assert_eq!(ids, vec![RelationId::new("db", 3), RelationId::new("db", 10)]);
    ctx.relation_ids("db").expect("ids");
    assert_eq!(ctx.relation_units(&ids[0]).expect("units"), v(&["pg/0", "pg/1"]));
    ctx.relation_units(&ids[0]).expect("units");
    assert_eq!(
        rec.argvs(),
        vec![v(&["relation-ids", "--format=json", "db"]), v(&["relation-list", "--format=json", "-r", "db:3"])]
    );
}

#[test]
fn secret_content_read_once_per_selector_and_mode() {
    let rec = Recorder::new();
    rec.respond("secret-get", |_| goops_runtime::ToolOutput::ok(r#"{"password":"hunter2"}"#));
    let ctx = ctx(&rec);
    let by_label = SecretSelector::label("db-pass");
    for _ in 0..3 {
        let got = ctx.secret_get(&by_label, SecretReadMode::Tracked).expect("read").expect("exists");
        assert_eq!(got["password"].expose_secret(), "hunter2");
    }
    assert_eq!(rec.count("secret-get"), 1);
    ctx.secret_get(&by_label, SecretReadMode::Peek).expect("read");
    ctx.secret_get(&by_label, SecretReadMode::Peek).expect("read");
    assert_eq!(rec.count("secret-get"), 2);

    // Refresh also answers later tracked reads; id+label answers reads by id and by label.
    let both = SecretSelector::id_with_label("secret:abc", "consumer");
    ctx.secret_get(&both, SecretReadMode::Refresh).expect("read");
    ctx.secret_get(&both, SecretReadMode::Tracked).expect("read");
    ctx.secret_get(&SecretSelector::id("secret:abc"), SecretReadMode::Tracked).expect("read");
    ctx.secret_get(&SecretSelector::label("consumer"), SecretReadMode::Refresh).expect("read");
    assert_eq!(rec.count("secret-get"), 3);

    // A write invalidates.
    ctx.secret_set("secret:abc", None, &SecretSetOptions::new().description("d")).expect("set");
    ctx.secret_get(&by_label, SecretReadMode::Tracked).expect("read");
    assert_eq!(rec.count("secret-get"), 4);
}

#[test]
fn missing_secret_is_none_until_added() {
    let rec = Recorder::new();
    rec.fail("secret-get", 1, "consumer label \"ca\" not found").ok("secret-add", "secret:new\n");
    rec.ok("secret-get", r#"{"private-key":"k"}"#);
    let ctx = ctx(&rec);
    let sel = SecretSelector::label("ca");
    assert!(ctx.secret_get(&sel, SecretReadMode::Tracked).expect("read").is_none());
    assert!(ctx.secret_get(&sel, SecretReadMode::Tracked).expect("read").is_none());
    assert_eq!(rec.count("secret-get"), 1);
    let content: SecretContent = [("private-key".to_owned(), SecretString::from("k"))].into();
    let id = ctx.secret_add(&content, &SecretAddOptions::new().label("ca")).expect("added");
    assert_eq!(id, "secret:new");
    assert!(ctx.secret_get(&sel, SecretReadMode::Tracked).expect("read").is_some());
    rec.fail("secret-get", 1, "permission denied");
    assert!(
        ctx.secret_get(&SecretSelector::id("x1"), SecretReadMode::Tracked).expect_err("perm").is_permission_denied()
    );
}

#[test]
fn secret_info_and_other_secret_ops() {
    let rec = Recorder::new();
    rec.fail("secret-info-get", 1, "secret \"ca\" not found");
    let ctx = ctx(&rec);
    assert!(ctx.secret_info(&SecretSelector::label("ca")).expect("ok").is_none());
    let rel = RelationId::new("certs", 2);
    ctx.secret_grant("secret:a", &rel, Some("c/0")).expect("grant");
    ctx.secret_revoke("secret:a", &rel, None).expect("revoke");
    ctx.secret_remove("secret:a", Some(2)).expect("remove");
    rec.ok("secret-ids", r#"["a"]"#);
    assert_eq!(ctx.secret_ids().expect("ids"), v(&["a"]));
    assert_eq!(
        rec.argvs()[1..4],
        vec![
            v(&["secret-grant", "-r", "certs:2", "--unit", "c/0", "secret:a"]),
            v(&["secret-revoke", "-r", "certs:2", "secret:a"]),
            v(&["secret-remove", "secret:a", "--revision", "2"]),
        ][..]
    );
}

#[test]
fn network_and_goal_state_read_once() {
    let rec = Recorder::new();
    rec.ok("network-get", r#"{"ingress-addresses":["10.1.1.1"]}"#)
        .ok("network-get", r#"{"ingress-addresses":["10.2.2.2"]}"#)
        .ok("goal-state", r#"{"units":{"myapp/0":{"status":"active"}}}"#);
    let ctx = ctx(&rec);
    let rel = RelationId::new("db", 3);
    for _ in 0..2 {
        assert_eq!(ctx.network("db", None).expect("net").ingress_address(), Some("10.1.1.1"));
        assert_eq!(ctx.network("db", Some(&rel)).expect("net").ingress_address(), Some("10.2.2.2"));
        assert_eq!(ctx.goal_state().expect("goal").planned_units(), 1);
    }
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["network-get", "--format=json", "db"]),
            v(&["network-get", "--format=json", "-r", "db:3", "db"]),
            v(&["goal-state", "--format=json"]),
        ]
    );
}

#[test]
fn status_and_log_helpers() {
    let rec = Recorder::new();
    let ctx = ctx(&rec);
    ctx.set_unit_status(Status::active()).expect("set");
    ctx.set_app_status(Status::Blocked("-needs db".into())).expect("set");
    ctx.log_info("hello");
    ctx.log_debug("d");
    ctx.log_warning("w");
    ctx.log_error("e");
    ctx.log(LogLevel::Critical, "c");
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["status-set", "active", "--", ""]),
            v(&["status-set", "--application", "blocked", "--", "-needs db"]),
            v(&["juju-log", "--log-level", "INFO", "--", "hello"]),
            v(&["juju-log", "--log-level", "DEBUG", "--", "d"]),
            v(&["juju-log", "--log-level", "WARNING", "--", "w"]),
            v(&["juju-log", "--log-level", "ERROR", "--", "e"]),
            v(&["juju-log", "--log-level", "CRITICAL", "--", "c"]),
        ]
    );
}

#[test]
fn state_and_relation_app_helpers() {
    let rec = Recorder::new();
    rec.ok("state-get", "\"v\"").ok("relation-list", "\"pg\"");
    let ctx = ctx(&rec);
    assert_eq!(ctx.state_get("k").expect("v").as_deref(), Some("v"));
    ctx.state_set([("k", "v2")]).expect("set");
    ctx.state_delete("k").expect("delete");
    assert_eq!(ctx.relation_app(&RelationId::new("db", 1)).expect("app").as_deref(), Some("pg"));
    let calls = rec.calls();
    assert_eq!(calls[1].stdin_text(), r#"{"k":"v2"}"#);
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["state-get", "--format=json", "--strict", "k"]),
            v(&["state-set", "--file", "-"]),
            v(&["state-delete", "k"]),
            v(&["relation-list", "--format=json", "--app", "-r", "db:1"]),
        ]
    );
}

#[test]
fn secret_event_selects_by_id() {
    let env = JujuEnv::from_vars([
        ("JUJU_UNIT_NAME", "myapp/0"),
        ("JUJU_DISPATCH_PATH", "hooks/secret-changed"),
        ("JUJU_SECRET_ID", "secret:cn0s4cu5gdbs7e2q5l4g"),
        ("JUJU_SECRET_LABEL", "ca"),
    ]);
    let event = Event::from_env(&env, None).expect("secret event");
    let sel = SecretSelector::from(event.secret().expect("a secret event"));
    assert_eq!(sel, SecretSelector::id("secret:cn0s4cu5gdbs7e2q5l4g"));
}

#[test]
fn non_leader_app_bag_write_is_not_leader() {
    let rec = Recorder::new();
    rec.fail("relation-get", 1, "permission denied");
    let ctx = ctx(&rec);
    let err = ctx.set_relation_data(&RelationId::new("db", 3), Databag::App, [("k", "v")]).expect_err("refused");
    assert!(err.is_not_leader(), "{err:?}");
    assert_eq!(rec.count("relation-set"), 0);
    // A unit bag read refused is reported as it is.
    rec.fail("relation-get", 1, "permission denied");
    let err = ctx.set_relation_data(&RelationId::new("db", 3), Databag::Unit, [("k", "v")]).expect_err("refused");
    assert!(err.is_permission_denied(), "{err:?}");
}

#[test]
fn secret_id_by_label_is_looked_up_once() {
    let rec = Recorder::new();
    rec.ok("secret-info-get", r#"{"cn0s4cu5gdbs7e2q5l4g":{"revision":1,"label":"ca","owner":"application"}}"#);
    rec.fail("secret-info-get", 1, "secret \"nope\" not found");
    let ctx = ctx(&rec);
    assert_eq!(ctx.secret_id(&SecretSelector::id("secret:x")).expect("id").as_deref(), Some("secret:x"));
    assert_eq!(rec.calls().len(), 0, "an id needs no lookup");
    for _ in 0..2 {
        let id = ctx.secret_id(&SecretSelector::label("ca")).expect("id");
        assert_eq!(id.as_deref(), Some("cn0s4cu5gdbs7e2q5l4g"));
    }
    assert_eq!(ctx.secret_id(&SecretSelector::label("nope")).expect("absent"), None);
    assert_eq!(rec.count("secret-info-get"), 2);
    assert_eq!(rec.calls()[0].args, v(&["--format=json", "--label", "ca"]));

    // A secret added with a label is known by it without a lookup.
    rec.ok("secret-add", "secret:new1\n");
    let content: SecretContent = [("private-key".to_owned(), SecretString::from("k"))].into();
    ctx.secret_add(&content, &SecretAddOptions::new().label("fresh")).expect("added");
    assert_eq!(ctx.secret_id(&SecretSelector::label("fresh")).expect("id").as_deref(), Some("secret:new1"));
    assert_eq!(rec.count("secret-info-get"), 2);
}

#[test]
fn refresh_moves_tracking_for_every_selector_of_the_secret() {
    // A consumer reads by id (pinning revision 1), then refreshes by its label: Juju now tracks
    // the latest revision, so a tracked read by id must not answer with the old content.
    let rec = Recorder::new();
    rec.ok("secret-get", r#"{"password":"old"}"#).ok("secret-get", r#"{"password":"new"}"#);
    rec.ok("secret-get", r#"{"password":"new"}"#);
    let ctx = ctx(&rec);
    let by_id = SecretSelector::id("secret:abc");
    let got = ctx.secret_get(&by_id, SecretReadMode::Tracked).expect("read").expect("exists");
    assert_eq!(got["password"].expose_secret(), "old");
    let got =
        ctx.secret_get(&SecretSelector::label("consumer"), SecretReadMode::Refresh).expect("read").expect("exists");
    assert_eq!(got["password"].expose_secret(), "new");
    let got = ctx.secret_get(&by_id, SecretReadMode::Tracked).expect("read").expect("exists");
    assert_eq!(got["password"].expose_secret(), "new");
}

#[test]
fn action_params_and_remote_app_are_read_once() {
    // Neither changes during a dispatch: the action's parameters are fixed when it is queued,
    // and a relation's remote application never changes.
    let rec = Recorder::new();
    rec.ok("action-get", r#"{"target":"/srv"}"#).ok("relation-list", "\"pg\"");
    let ctx = ctx(&rec);
    for _ in 0..2 {
        assert_eq!(ctx.action_params().expect("params")["target"], "/srv");
        assert_eq!(ctx.relation_app(&RelationId::new("db", 1)).expect("app").as_deref(), Some("pg"));
    }
    assert_eq!((rec.count("action-get"), rec.count("relation-list")), (1, 1));
}
