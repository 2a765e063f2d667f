//! `#[derive(Databag)]` and `#[derive(DatabagValue)]`: the generated conversions, key for key.

use std::collections::BTreeMap;

use goops_runtime::{Databag, DatabagError, DatabagValue};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DatabagValue)]
#[serde(rename_all = "lowercase")]
enum Mode {
    Fast,
    Safe,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, PartialEq, Databag)]
struct Requirer {
    #[databag(required)]
    name: String,
    #[databag(rename = "max-size")]
    max_size: Option<u32>,
    #[serde(rename = "ca-chain")]
    #[databag(default)]
    chain: Vec<String>,
    mode: Option<Mode>,
    #[databag(raw)]
    url: Option<String>,
}

fn bag(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn keys_in_declaration_order() {
    assert_eq!(Requirer::KEYS, ["name", "max-size", "ca-chain", "mode", "url"]);
}

#[test]
fn round_trip() {
    let value = Requirer {
        name: "a".into(),
        max_size: Some(3),
        chain: vec!["x".into()],
        mode: Some(Mode::Safe),
        url: Some("http://h".into()),
    };
    let encoded = value.to_bag().unwrap();
    assert_eq!(
        encoded,
        bag(&[
            ("name", "\"a\""),
            ("max-size", "3"),
            ("ca-chain", "[\"x\"]"),
            ("mode", "\"safe\""),
            ("url", "http://h")
        ])
    );
    assert_eq!(Requirer::from_bag(&encoded).unwrap(), value);
}

#[test]
fn unknown_enum_value_and_absent_keys() {
    let loaded = Requirer::from_bag(&bag(&[("name", "\"a\""), ("mode", "\"turbo\""), ("max-size", "null")])).unwrap();
    assert_eq!(
        loaded,
        Requirer { name: "a".into(), max_size: None, chain: vec![], mode: Some(Mode::Unknown), url: None }
    );
    assert_eq!(Requirer::from_bag(&bag(&[])).unwrap_err(), DatabagError::Missing { key: "name".into() });
}
