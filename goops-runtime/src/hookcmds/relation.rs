//! `relation-ids`, `relation-list`, `relation-get`, `relation-set`, `relation-model-get`.

use std::collections::BTreeMap;

pub use goops_juju::RelationId;
use goops_juju::unit::is_app_name;
use serde::Deserialize;

use super::{args, parse_json, run, run_json, run_redacted, yaml_safe_json};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// `relation-ids --format=json ENDPOINT`: the relations on `endpoint` (empty for unknown ones).
pub fn relation_ids(tools: &dyn HookTools, endpoint: &str) -> Result<Vec<RelationId>> {
    let ids: Option<Vec<String>> =
        run_json(tools, "relation-ids", &args(["--format=json", endpoint]), "a JSON list of endpoint:id strings")?;
    ids.unwrap_or_default()
        .iter()
        .map(|s| {
            s.parse().map_err(|_| Error::parse("relation-ids", "a JSON list of endpoint:id strings", "a malformed id"))
        })
        .collect()
}

/// `relation-list --format=json -r EP:ID`: the remote units in the relation, sorted.
pub fn relation_list(tools: &dyn HookTools, relation: &RelationId) -> Result<Vec<String>> {
    let units: Option<Vec<String>> = run_json(
        tools,
        "relation-list",
        &args(["--format=json".to_owned(), "-r".to_owned(), relation.to_string()]),
        "a JSON list of unit names",
    )?;
    Ok(units.unwrap_or_default())
}

/// `relation-list --format=json --app -r EP:ID`: the remote application, if Juju knows it.
pub fn relation_list_app(tools: &dyn HookTools, relation: &RelationId) -> Result<Option<String>> {
    run_json(
        tools,
        "relation-list",
        &args(["--format=json".to_owned(), "--app".to_owned(), "-r".to_owned(), relation.to_string()]),
        "a JSON string (the application name) or null",
    )
}

fn get_args(relation: &RelationId, key: &str, entity: &str) -> Vec<std::ffi::OsString> {
    let mut argv = args(["--format=json".to_owned(), "-r".to_owned(), relation.to_string()]);
    if is_app_name(entity) {
        argv.push("--app".into());
    }
    argv.push(key.into());
    argv.push(entity.into());
    argv
}

/// `relation-get --format=json -r EP:ID [--app] - ENTITY`: the whole databag of `entity`, a
/// unit (`app/0`) or an application (`app`, read with `--app`).
pub fn relation_get(tools: &dyn HookTools, relation: &RelationId, entity: &str) -> Result<BTreeMap<String, String>> {
    let bag: Option<BTreeMap<String, String>> =
        run_json(tools, "relation-get", &get_args(relation, "-", entity), "a JSON object of strings")?;
    Ok(bag.unwrap_or_default())
}

/// `relation-get --format=json -r EP:ID [--app] KEY ENTITY`: one value (`None` when unset).
pub fn relation_get_key(
    tools: &dyn HookTools,
    relation: &RelationId,
    key: &str,
    entity: &str,
) -> Result<Option<String>> {
    if key.is_empty() || key == "-" {
        return Err(Error::invalid("relation key", "a key must be given; use relation_get for the whole databag"));
    }
    run_json(tools, "relation-get", &get_args(relation, key, entity), "a JSON string or null")
}

/// Which of this unit's databags to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bag {
    /// The unit's own databag.
    Unit,
    /// The application's databag (leader only).
    App,
}

/// `relation-set -r EP:ID [--app] --file -` with `data` as a JSON map on stdin. An empty value
/// deletes the key. Nothing is sent on argv, so values are neither visible in the process table
/// nor bound by the argument size limit.
pub fn relation_set(
    tools: &dyn HookTools,
    relation: &RelationId,
    bag: Bag,
    data: &BTreeMap<String, String>,
) -> Result<()> {
    for key in data.keys() {
        if key.is_empty() || key.contains('=') || key.trim() != key {
            return Err(Error::invalid(
                format!("relation data key {key:?}"),
                "keys must be non-empty, without '=' or surrounding spaces",
            ));
        }
    }
    let mut argv = args(["-r".to_owned(), relation.to_string()]);
    if bag == Bag::App {
        argv.push("--app".into());
    }
    argv.extend(args(["--file", "-"]));
    let stdin = zeroize::Zeroizing::new(yaml_safe_json(data)?);
    let stdin_text = zeroize::Zeroizing::new(String::from_utf8_lossy(&stdin).into_owned());
    let mut sensitive: Vec<&str> = data.values().map(String::as_str).collect();
    sensitive.push(stdin_text.as_str());
    run_redacted(tools, "relation-set", &argv, Some(&stdin), &sensitive)?;
    Ok(())
}

/// What `relation-model-get` says about the remote side of a relation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RelationModel {
    /// The UUID of the model the remote application is in.
    pub uuid: String,
}

/// `relation-model-get --format=json -r EP:ID` (Juju 3.6+).
pub fn relation_model_get(tools: &dyn HookTools, relation: &RelationId) -> Result<RelationModel> {
    let output = run(
        tools,
        "relation-model-get",
        &args(["--format=json".to_owned(), "-r".to_owned(), relation.to_string()]),
        None,
    )?;
    parse_json("relation-model-get", &output.stdout, "a JSON object with a uuid")
}
