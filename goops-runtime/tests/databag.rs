//! `Context::relation_load` / `relation_save` with `#[derive(Databag)]` types, against recorded
//! hook tools: what is read, what reaches `relation-set`'s stdin, and the typed errors.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::{Recorder, v};
use goops_runtime::{Bag, Context, Databag, DatabagError, Error, Event, JujuEnv, RelationId};

#[derive(Debug, Clone, PartialEq, Databag)]
struct Offer {
    #[databag(required)]
    host: String,
    port: Option<u16>,
    #[databag(rename = "ca-chain", default)]
    chain: Vec<String>,
    #[databag(raw)]
    version: Option<String>,
}

fn ctx(rec: &Recorder) -> Context {
    let env = JujuEnv::from_vars([("JUJU_UNIT_NAME", "myapp/0"), ("JUJU_DISPATCH_PATH", "hooks/update-status")]);
    Context::new(env, Event::UpdateStatus, rec.clone()).expect("a unit")
}

fn rel() -> RelationId {
    RelationId::new("db", 3)
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// What the `relation-set` call at `index` sent.
fn sent(rec: &Recorder, index: usize) -> BTreeMap<String, String> {
    let call = &rec.calls()[index];
    assert_eq!(call.tool, "relation-set");
    serde_json::from_str(&call.stdin_text()).expect("a JSON map on stdin")
}

#[test]
fn load_reads_the_bag_through_relation_get() {
    let rec = Recorder::new();
    rec.ok(
        "relation-get",
        r#"{"host":"\"db.internal\"","port":"5432","ca-chain":"[\"A\", \"B\"]","version":"14.2","other":"not ours"}"#,
    );
    let ctx = ctx(&rec);
    let offer: Offer = ctx.relation_load(&rel(), "pg").expect("loads");
    assert_eq!(
        offer,
        Offer {
            host: "db.internal".into(),
            port: Some(5432),
            chain: vec!["A".into(), "B".into()],
            version: Some("14.2".into())
        }
    );
    assert_eq!(rec.calls()[0].args, v(&["--format=json", "-r", "db:3", "--app", "-", "pg"]));
    // The second load is served from the context's cache.
    let again: Offer = ctx.relation_load(&rel(), "pg").expect("loads");
    assert_eq!(again, offer);
    assert_eq!(rec.count("relation-get"), 1);
}

#[test]
fn absent_optional_and_default_keys_load_as_none_and_default() {
    let rec = Recorder::new();
    rec.ok("relation-get", r#"{"host":"\"h\"","port":"null"}"#);
    let offer: Offer = ctx(&rec).relation_load(&rel(), "pg/1").expect("loads");
    assert_eq!(offer, Offer { host: "h".into(), port: None, chain: vec![], version: None });
}

/// Load `bag` (JSON object of strings, as relation-get prints it) and return the error.
fn load_error(bag: &str) -> Error {
    let rec = Recorder::new();
    rec.ok("relation-get", bag);
    ctx(&rec).relation_load::<Offer>(&rel(), "pg/0").expect_err("does not load")
}

#[test]
fn load_errors_name_the_relation_the_bag_and_the_key() {
    let error = load_error(r#"{"port":"1"}"#);
    let Error::Databag { relation, entity, source } = &error else { panic!("{error:?}") };
    assert_eq!((relation.as_str(), entity.as_str()), ("db:3", "pg/0"));
    assert_eq!(source, &DatabagError::Missing { key: "host".into() });
    assert_eq!(error.to_string(), r#"relation db:3, databag of pg/0: key "host" is missing"#);

    // A bare string where JSON is expected (what a charm writing without json.dumps leaves).
    let error = load_error(r#"{"host":"db.internal"}"#);
    let Error::Databag { source: DatabagError::InvalidJson { key, reason }, .. } = &error else { panic!("{error:?}") };
    assert_eq!(key, "host");
    assert!(reason.starts_with("expected value at line 1 column 1"), "{reason}");

    let error = load_error(r#"{"host":"\"h\"","port":"\"5432\""}"#);
    let Error::Databag { source: DatabagError::WrongType { key, reason }, .. } = &error else { panic!("{error:?}") };
    assert_eq!(key, "port");
    assert!(reason.starts_with(r#"invalid type: string "5432", expected u16"#), "{reason}");
    assert_eq!(
        error.to_string(),
        format!(r#"relation db:3, databag of pg/0: key "port" has the wrong type: {reason}"#)
    );

    let error = load_error(r#"{"host":"\"h\"","port":"70000"}"#);
    assert!(matches!(&error, Error::Databag { source: DatabagError::WrongType { key, .. }, .. } if key == "port"));
    let error = load_error(r#"{"host":"\"h\"","ca-chain":"{\"a\": 1}"}"#);
    assert!(matches!(&error, Error::Databag { source: DatabagError::WrongType { key, .. }, .. } if key == "ca-chain"));
    let error = load_error(r#"{"host":"\"h\"","ca-chain":"[\"a\""}"#);
    assert!(
        matches!(&error, Error::Databag { source: DatabagError::InvalidJson { key, .. }, .. } if key == "ca-chain")
    );

    // relation-get's own failures are passed through as they are.
    let rec = Recorder::new();
    rec.fail("relation-get", 2, r#"invalid value "db:3" for option -r: relation not found"#);
    assert!(ctx(&rec).relation_load::<Offer>(&rel(), "pg/0").expect_err("gone").is_not_found());
}

#[test]
fn save_writes_only_changed_keys_in_one_call() {
    let rec = Recorder::new();
    // "port" unchanged (as Python's json.dumps wrote it), "ca-chain" to be deleted, "other" not ours.
    rec.ok("relation-get", r#"{"host":"\"old\"","port":"5432","ca-chain":"[\"A\"]","other":"x"}"#);
    let ctx = ctx(&rec);
    let offer = Offer { host: "new".into(), port: Some(5432), chain: vec!["A".into(), "\u{e9}".into()], version: None };
    ctx.relation_save(&rel(), Bag::Unit, &offer).expect("saved");
    assert_eq!(rec.count("relation-set"), 1);
    assert_eq!(rec.calls()[0].args, v(&["--format=json", "-r", "db:3", "-", "myapp/0"]));
    assert_eq!(rec.calls()[1].args, v(&["-r", "db:3", "--file", "-"]));
    assert_eq!(sent(&rec, 1), map(&[("host", r#""new""#), ("ca-chain", r#"["A", "\u00e9"]"#)]));

    // The same value again: nothing to write, no call at all.
    ctx.relation_save(&rel(), Bag::Unit, &offer).expect("saved");
    assert_eq!(rec.calls().len(), 2);
    // The cache has the write; keys that are not ours are untouched.
    assert_eq!(
        ctx.relation_data(&rel(), "myapp/0").expect("bag"),
        map(&[("host", r#""new""#), ("port", "5432"), ("ca-chain", r#"["A", "\u00e9"]"#), ("other", "x")])
    );
    let loaded: Offer = ctx.relation_load(&rel(), "myapp/0").expect("loads");
    assert_eq!(loaded, offer);

    // None deletes: an empty value is how relation-set deletes a key.
    let cleared = Offer { port: None, version: None, ..offer.clone() };
    ctx.relation_save(&rel(), Bag::Unit, &cleared).expect("saved");
    assert_eq!(sent(&rec, 2), map(&[("port", "")]));
    let raw = Offer { version: Some("14".into()), ..cleared };
    ctx.relation_save(&rel(), Bag::Unit, &raw).expect("saved");
    assert_eq!(sent(&rec, 3), map(&[("version", "14")]), "a raw field is stored as it is");
}

#[test]
fn app_saves_go_to_the_app_bag_and_need_leadership() {
    let rec = Recorder::new();
    rec.ok("relation-get", "{}");
    let ctx = ctx(&rec);
    let offer = Offer { host: "h".into(), port: None, chain: vec![], version: None };
    ctx.relation_save(&rel(), Bag::App, &offer).expect("saved");
    assert_eq!(rec.calls()[0].args, v(&["--format=json", "-r", "db:3", "--app", "-", "myapp"]));
    assert_eq!(rec.calls()[1].args, v(&["-r", "db:3", "--app", "--file", "-"]));
    // A default value is written, as ops's Relation.save writes every field.
    assert_eq!(sent(&rec, 1), map(&[("host", r#""h""#), ("ca-chain", "[]")]));

    // A non-leader may not read its app bag on a non-peer relation: "not the leader", no write.
    let rec = Recorder::new();
    rec.fail("relation-get", 1, "permission denied");
    let error = self::ctx(&rec).relation_save(&rel(), Bag::App, &offer).expect_err("refused");
    assert!(error.is_not_leader(), "{error:?}");
    assert_eq!(rec.count("relation-set"), 0);
}

/// A map with non-string keys has no JSON form.
#[derive(Debug, Databag)]
struct Unencodable {
    ok: Option<String>,
    #[databag(unchecked)]
    bad: Option<HashMap<Vec<u8>, String>>,
}

#[test]
fn an_encoding_failure_writes_nothing() {
    let rec = Recorder::new();
    rec.ok("relation-get", "{}");
    let ctx = ctx(&rec);
    let value = Unencodable { ok: Some("fine".into()), bad: Some([(vec![1], "x".to_owned())].into()) };
    let error = ctx.relation_save(&rel(), Bag::Unit, &value).expect_err("cannot encode");
    let Error::Databag { relation, entity, source: DatabagError::Encode { key, reason } } = &error else {
        panic!("{error:?}")
    };
    assert_eq!((relation.as_str(), entity.as_str(), key.as_str()), ("db:3", "myapp/0", "bad"));
    assert_eq!(reason, "key must be a string");
    assert!(rec.calls().is_empty(), "nothing read, nothing written: {:?}", rec.calls());
}
