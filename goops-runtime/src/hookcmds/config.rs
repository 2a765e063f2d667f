//! `config-get`.

use super::{args, run_json};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// The charm's configuration: option name → value (string, integer, float or boolean).
/// Options that are unset and have no default are absent.
pub type ConfigMap = serde_json::Map<String, serde_json::Value>;

/// `config-get --format=json`: every option that has a value.
pub fn config_get(tools: &dyn HookTools) -> Result<ConfigMap> {
    let map: Option<ConfigMap> = run_json(tools, "config-get", &args(["--format=json"]), "a JSON object")?;
    Ok(map.unwrap_or_default())
}

/// `config-get --format=json KEY`: one option's value (`None` when unset or unknown).
pub fn config_get_key(tools: &dyn HookTools, key: &str) -> Result<Option<serde_json::Value>> {
    if key.is_empty() || key.starts_with('-') {
        return Err(Error::invalid(format!("config option name {key:?}"), "expected an option name"));
    }
    let value: serde_json::Value = run_json(tools, "config-get", &args(["--format=json", key]), "a JSON value")?;
    Ok(if value.is_null() { None } else { Some(value) })
}
