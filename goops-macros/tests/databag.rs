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

#[derive(Debug, PartialEq, Databag)]
#[databag(rename_all = "kebab-case")]
struct Kebab {
    private_address: Option<String>,
    #[databag(rename = "egress_subnets")]
    egress: Option<String>,
}

/// serde's struct-level rename is read too, so a struct that also derives serde keeps one key set.
#[derive(Debug, PartialEq, Databag, Serialize)]
#[serde(rename_all = "camelCase")]
struct Camel {
    max_size: Option<u32>,
}

#[test]
fn rename_all_follows_serdes_rules_and_field_renames_win() {
    assert_eq!(Kebab::KEYS, ["private-address", "egress_subnets"]);
    assert_eq!(Camel::KEYS, ["maxSize"]);
    let camel = Camel { max_size: Some(1) };
    assert_eq!(camel.to_bag().unwrap(), bag(&[("maxSize", "1")]));
    assert_eq!(serde_json::to_value(&camel).unwrap(), serde_json::json!({"maxSize": 1}), "the same key as serde's");
}

/// `default` on a field whose type has a `Default` other than empty, and raw fields.
#[derive(Debug, PartialEq, Databag)]
struct Raws {
    #[databag(raw, default)]
    mode: String,
    #[databag(raw, required)]
    name: String,
    #[databag(default)]
    count: u8,
}

#[test]
fn raw_fields_are_bare_strings_and_empty_means_absent() {
    let value = Raws { mode: String::new(), name: "n".into(), count: 0 };
    assert_eq!(value.to_bag().unwrap(), bag(&[("name", "n"), ("count", "0")]), "an empty raw value is no key");
    assert_eq!(Raws::from_bag(&bag(&[("name", "{not json")])).unwrap(), Raws { name: "{not json".into(), ..value });
    assert_eq!(Raws::from_bag(&bag(&[])).unwrap_err(), DatabagError::Missing { key: "name".into() });
    assert_eq!(
        Raws::from_bag(&bag(&[("name", "n"), ("count", "300")])).unwrap_err().key(),
        "count",
        "300 does not fit a u8"
    );
}
