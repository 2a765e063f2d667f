//! `action-get`, `action-set`, `action-fail`, `action-log`.

use super::{args, run, run_json, run_redacted};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// The action's parameters: name → value (with the defaults from charmcraft.yaml applied).
pub type ActionParams = serde_json::Map<String, serde_json::Value>;

/// `action-get --format=json`: all of the running action's parameters.
pub fn action_get(tools: &dyn HookTools) -> Result<ActionParams> {
    let params: Option<ActionParams> = run_json(tools, "action-get", &args(["--format=json"]), "a JSON object")?;
    Ok(params.unwrap_or_default())
}

/// `action-get --format=json KEY[.KEY...]`: one parameter (`None` when absent).
pub fn action_get_key(tools: &dyn HookTools, key: &str) -> Result<Option<serde_json::Value>> {
    if key.is_empty() || key.starts_with('-') {
        return Err(Error::invalid(format!("action parameter name {key:?}"), "expected a parameter name"));
    }
    let value: serde_json::Value = run_json(tools, "action-get", &args(["--format=json", key]), "a JSON value")?;
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

/// Juju's rule for an action result key: every `.`-separated segment matches
/// `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$` and is not one of the keys Juju reserves for the
/// action's own output (`stdout`, `stderr` and their `-encoding`s).
pub fn is_valid_result_key(key: &str) -> bool {
    key.split('.').all(|seg| {
        let b = seg.as_bytes();
        let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        matches!((b.first(), b.last()), (Some(first), Some(last)) if alnum(first) && alnum(last))
            && b.iter().all(|c| alnum(c) || *c == b'-')
            && !matches!(seg, "stdout" | "stdout-encoding" | "stderr" | "stderr-encoding")
    })
}

/// `action-set key=value ...`: record results (keys already flattened with `.`).
///
/// Keys are checked before anything runs; values never appear in an error.
pub fn action_set<'a>(tools: &dyn HookTools, results: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<()> {
    let results: Vec<(&str, &str)> = results.into_iter().collect();
    if results.is_empty() {
        return Ok(());
    }
    for (key, _) in &results {
        if !is_valid_result_key(key) {
            return Err(Error::invalid(
                format!("action result key {key:?}"),
                "each dot-separated part must be lowercase letters, digits and hyphens, start and end with a \
                 letter or digit, and not be stdout, stderr or their -encoding",
            ));
        }
    }
    let argv = args(results.iter().map(|(k, v)| format!("{k}={v}")));
    let sensitive: Vec<&str> = results.iter().map(|(_, v)| *v).collect();
    run_redacted(tools, "action-set", &argv, None, &sensitive).map(drop)
}
