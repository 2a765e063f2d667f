//! Context caches where goops-sim cannot show them: a failed read is not cached, `is-leader`
//! stays false once it said so even if Juju would now say true, only the changed keys of a
//! relation write reach `relation-set`'s stdin, a failed write leaves the cache alone, and
//! refusals goops-sim never gives. The round trips through goops-sim (tests/tests/hookcmds)
//! count the Context's reads of config, leadership, relation data, secrets, networks, the goal
//! state and action params.

mod common;

use std::collections::BTreeMap;

use common::{Recorder, v};
use goops_runtime::{Bag, Context, Error, Event, JujuEnv, RelationId, SecretReadMode, SecretSelector};

fn ctx(rec: &Recorder) -> Context {
    let env = JujuEnv::from_vars([("JUJU_UNIT_NAME", "myapp/0"), ("JUJU_DISPATCH_PATH", "hooks/config-changed")]);
    Context::new(env, Event::ConfigChanged, rec.clone()).expect("a unit")
}

#[test]
fn config_error_is_not_cached() {
    let rec = Recorder::new();
    rec.fail("config-get", 1, "JUJU_CONTEXT_ID not set").ok("config-get", "{}");
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
fn relation_writes_send_only_changed_keys() {
    let rec = Recorder::new();
    rec.ok("relation-get", r#"{"a":"1","b":"2","c":"3"}"#);
    let ctx = ctx(&rec);
    let rel = RelationId::new("db", 3);
    ctx.set_relation_data(&rel, Bag::Unit, [("a", "1"), ("b", "20"), ("c", ""), ("d", "4"), ("e", "")])
        .expect("written");
    let calls = rec.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].args, v(&["--format=json", "-r", "db:3", "-", "myapp/0"]));
    assert_eq!(calls[1].tool, "relation-set");
    assert_eq!(calls[1].args, v(&["-r", "db:3", "--file", "-"]));
    let sent: BTreeMap<String, String> = serde_json::from_str(&calls[1].stdin_text()).expect("JSON map");
    assert_eq!(sent, [("b", "20"), ("c", ""), ("d", "4")].map(|(k, v)| (k.to_owned(), v.to_owned())).into());

    // The cache reflects the write: writing the same again runs nothing, and reads see it.
    ctx.set_relation_data(&rel, Bag::Unit, [("b", "20"), ("d", "4"), ("c", "")]).expect("no-op");
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
    let err = ctx.set_relation_data(&rel, Bag::App, [("k", "secretish")]).expect_err("not leader");
    assert!(err.is_not_leader());
    let calls = rec.calls();
    assert_eq!(calls[0].args, v(&["--format=json", "-r", "peers:1", "--app", "-", "myapp"]));
    assert_eq!(calls[1].args, v(&["-r", "peers:1", "--app", "--file", "-"]));
    // A failed write leaves the cache alone, so retrying sends the key again.
    ctx.set_relation_data(&rel, Bag::App, [("k", "secretish")]).expect("written");
    assert_eq!(rec.count("relation-set"), 2);
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
    let err = ctx.set_relation_data(&RelationId::new("db", 3), Bag::App, [("k", "v")]).expect_err("refused");
    assert!(err.is_not_leader(), "{err:?}");
    assert_eq!(rec.count("relation-set"), 0);
    // A unit bag read refused is reported as it is.
    rec.fail("relation-get", 1, "permission denied");
    let err = ctx.set_relation_data(&RelationId::new("db", 3), Bag::Unit, [("k", "v")]).expect_err("refused");
    assert!(err.is_permission_denied(), "{err:?}");
}

#[test]
fn a_refused_secret_read_is_an_error_not_none() {
    // Only "not found" reads as None; Juju's `permission denied` (§4.7) is an error.
    let rec = Recorder::new();
    rec.fail("secret-get", 1, "permission denied");
    let err = ctx(&rec).secret_get(&SecretSelector::id("secret:cn0s4cu5gdbs7e2q5l4g"), SecretReadMode::Tracked);
    assert!(err.expect_err("refused").is_permission_denied());
}
