//! `action-get`, `action-set`, `action-fail`, `action-log`.

use goops_juju::action::{RESULT_KEY_EXPECTED, is_valid_result_key};
use serde_json::{Map, Value};

use super::{args, run, run_json, run_redacted};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// `action-get --format=json`: all of the running action's parameters, name → value (with the
/// defaults from charmcraft.yaml applied by Juju).
pub fn action_get(tools: &dyn HookTools) -> Result<Map<String, Value>> {
    let params: Option<Map<String, Value>> = run_json(tools, "action-get", &args(["--format=json"]), "a JSON object")?;
    Ok(params.unwrap_or_default())
}

/// `action-get --format=json KEY[.KEY...]`: one parameter (`None` when absent).
pub fn action_get_key(tools: &dyn HookTools, key: &str) -> Result<Option<Value>> {
    if key.is_empty() || key.starts_with('-') {
        return Err(Error::invalid(format!("action parameter name {key:?}"), "expected a parameter name"));
    }
    let value: Value = run_json(tools, "action-get", &args(["--format=json", key]), "a JSON value")?;
    Ok(if value.is_null() { None } else { Some(value) })
}

/// `action-fail -- MESSAGE`: mark the running action as failed.
pub fn action_fail(tools: &dyn HookTools, message: &str) -> Result<()> {
    run(tools, "action-fail", &args(["--", message]), None).map(drop)
}

/// `action-log -- MESSAGE`: report progress to whoever runs the action.
pub fn action_log(tools: &dyn HookTools, message: &str) -> Result<()> {
    // The message may describe results; keep it out of any error text.
    run_redacted(tools, "action-log", &args(["--", message]), None, &[message]).map(drop)
}

/// `action-set key=value ...`: record results (keys already flattened with `.`).
///
/// Keys are checked against Juju's result-key rule before anything runs; values never appear
/// in an error.
pub fn action_set<'a>(tools: &dyn HookTools, results: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<()> {
    let results: Vec<(&str, &str)> = results.into_iter().collect();
    if results.is_empty() {
        return Ok(());
    }
    for (key, _) in &results {
        if !is_valid_result_key(key) {
            return Err(Error::invalid(format!("action result key {key:?}"), RESULT_KEY_EXPECTED));
        }
    }
    let argv = args(results.iter().map(|(k, v)| format!("{k}={v}")));
    let sensitive: Vec<&str> = results.iter().map(|(_, v)| *v).collect();
    run_redacted(tools, "action-set", &argv, None, &sensitive).map(drop)
}
