//! Typed databags against the real ops 3.9: a bag written by ops's `Relation.save` loads into the
//! `#[derive(Databag)]` mirror of the same dataclass and encodes back to the same bytes, and a
//! bag this crate writes loads with ops's `Relation.load` (tests/databag-ops/bags.py).
//!
//! Needs Python 3.10+ with `venv` and PyPI access (the ops venv, see `goops_tests::ops_python`).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use goops_runtime::{Databag, DatabagValue};
use goops_tests::{ops_python, workspace_root};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `Request` of bags.py.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DatabagValue)]
struct Request {
    csr: String,
    #[serde(default)]
    is_ca: bool,
}

/// `Offer` of bags.py, field for field.
#[derive(Debug, Clone, PartialEq, Databag)]
struct Offer {
    #[databag(required)]
    host: String,
    port: Option<u16>,
    #[databag(rename = "ca-chain", default)]
    chain: Vec<String>,
    #[databag(default)]
    ratio: f64,
    #[databag(default)]
    floats: Vec<f64>,
    #[databag(default)]
    enabled: bool,
    #[databag(default)]
    labels: BTreeMap<String, String>,
    #[databag(default)]
    requests: Vec<Request>,
    note: Option<String>,
}

/// bags.py's `full` case.
fn full() -> Offer {
    Offer {
        host: "db.internal".into(),
        port: Some(5432),
        chain: vec![
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----".into(),
            "caf\u{e9} \u{2603} \u{1f600}".into(),
        ],
        ratio: 0.1,
        floats: vec![1e16, 1e-5, 2.0, 123456789012345678.0],
        enabled: true,
        labels: [("a".to_owned(), "1".to_owned()), ("b".to_owned(), "two \"quoted\"".to_owned())].into(),
        requests: vec![Request { csr: "CSR-1".into(), is_ca: true }, Request { csr: "CSR-2".into(), is_ca: false }],
        note: Some("tab\there".into()),
    }
}

/// bags.py's `sparse` case: only the required field set.
fn sparse() -> Offer {
    Offer {
        host: "h".into(),
        port: None,
        chain: vec![],
        ratio: 0.0,
        floats: vec![],
        enabled: false,
        labels: BTreeMap::new(),
        requests: vec![],
        note: None,
    }
}

/// Run bags.py `mode` with `input` on stdin; its JSON output.
fn ops(mode: &str, input: &Value) -> Value {
    let script = workspace_root().join("tests/databag-ops/bags.py");
    let mut child = Command::new(ops_python())
        .arg(&script)
        .arg(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bags.py");
    child.stdin.take().expect("stdin").write_all(input.to_string().as_bytes()).expect("write stdin");
    let out = child.wait_with_output().expect("bags.py runs");
    assert!(out.status.success(), "bags.py {mode} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("bags.py prints JSON")
}

/// The bag ops's `Relation.save` wrote for `case` (unit and app bags are the same).
fn saved_by_ops(case: &str) -> BTreeMap<String, String> {
    let out = ops("save", &json!({ "case": case }));
    assert_eq!(out["unit"], out["app"]);
    serde_json::from_value(out["unit"].clone()).expect("a bag of strings")
}

#[test]
fn a_bag_saved_by_ops_loads_and_encodes_back_byte_for_byte() {
    let bag = saved_by_ops("full");
    assert_eq!(Offer::from_bag(&bag).expect("loads"), full());
    assert_eq!(full().to_bag().expect("encodes"), bag, "the same text, so a save over it writes nothing");
}

#[test]
fn nulls_written_by_ops_load_as_none_and_none_deletes_instead() {
    let bag = saved_by_ops("sparse");
    assert_eq!((bag["port"].as_str(), bag["note"].as_str()), ("null", "null"), "ops writes None as null");
    assert_eq!(Offer::from_bag(&bag).expect("loads"), sparse());
    let mut without_nulls = bag.clone();
    without_nulls.retain(|_, v| v != "null");
    assert_eq!(sparse().to_bag().expect("encodes"), without_nulls, "None fields are left out (deleted)");
}

#[test]
fn bags_saved_here_load_with_ops() {
    for (offer, expected) in [
        (
            full(),
            json!({
                "host": "db.internal", "port": 5432,
                "chain": ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "caf\u{e9} \u{2603} \u{1f600}"],
                "ratio": 0.1, "floats": [1e16, 1e-5, 2.0, 123456789012345678.0], "enabled": true,
                "labels": {"a": "1", "b": "two \"quoted\""},
                "requests": [{"csr": "CSR-1", "is_ca": true}, {"csr": "CSR-2", "is_ca": false}],
                "note": "tab\there",
            }),
        ),
        (
            // The absent keys of None fields take the dataclass defaults.
            sparse(),
            json!({
                "host": "h", "port": null, "chain": [], "ratio": 0.0, "floats": [], "enabled": false,
                "labels": {}, "requests": [], "note": null,
            }),
        ),
    ] {
        let bag = offer.to_bag().expect("encodes");
        assert_eq!(ops("load", &serde_json::to_value(&bag).unwrap()), expected);
    }
}
