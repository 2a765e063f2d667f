//! `state-get`, `state-set`, `state-delete`: the unit's server-side key-value state.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::{args, parse_json, run, run_redacted, yaml_safe_json};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// Longest key Juju stores (bytes).
pub const MAX_STATE_KEY_LEN: usize = 256;
/// Longest value Juju stores (bytes).
pub const MAX_STATE_VALUE_LEN: usize = 65_536;

/// `state-get --format=json`: every key (Juju 4 prints `null` for none: that is an empty map).
pub fn state_get(tools: &dyn HookTools) -> Result<BTreeMap<String, String>> {
    let output = run(tools, "state-get", &args(["--format=json"]), None)?;
    let stdout = Zeroizing::new(output.stdout);
    let map: Option<BTreeMap<String, String>> = parse_json("state-get", &stdout, "a JSON object of strings")?;
    Ok(map.unwrap_or_default())
}

/// `state-get --format=json --strict KEY`: one value, `None` when the key is not set.
pub fn state_get_key(tools: &dyn HookTools, key: &str) -> Result<Option<String>> {
    check_key(key)?;
    let output = match run(tools, "state-get", &args(["--format=json", "--strict", key]), None) {
        Ok(output) => output,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let stdout = Zeroizing::new(output.stdout);
    parse_json("state-get", &stdout, "a JSON string")
}

fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || key == "-" || key.starts_with('-') {
        return Err(Error::invalid(format!("state key {key:?}"), "expected a non-empty key not starting with '-'"));
    }
    if key.len() > MAX_STATE_KEY_LEN {
        return Err(Error::invalid("state key", format!("longer than {MAX_STATE_KEY_LEN} bytes")));
    }
    Ok(())
}

/// `state-set --file -` with `data` as a JSON map on stdin (values never on argv).
pub fn state_set(tools: &dyn HookTools, data: &BTreeMap<String, String>) -> Result<()> {
    for (key, value) in data {
        check_key(key)?;
        if key.contains('=') {
            return Err(Error::invalid(format!("state key {key:?}"), "keys must not contain '='"));
        }
        if value.len() > MAX_STATE_VALUE_LEN {
            return Err(Error::invalid(
                format!("state value for {key:?}"),
                format!("longer than {MAX_STATE_VALUE_LEN} bytes"),
            ));
        }
    }
    if data.is_empty() {
        return Ok(());
    }
    let stdin = Zeroizing::new(yaml_safe_json(data)?);
    let stdin_text = Zeroizing::new(String::from_utf8_lossy(&stdin).into_owned());
    let mut sensitive: Vec<&str> = data.values().map(String::as_str).collect();
    sensitive.push(stdin_text.as_str());
    run_redacted(tools, "state-set", &args(["--file", "-"]), Some(&stdin), &sensitive).map(drop)
}

/// `state-delete KEY`: remove a key (no error when it is not set).
pub fn state_delete(tools: &dyn HookTools, key: &str) -> Result<()> {
    check_key(key)?;
    run(tools, "state-delete", &args([key]), None).map(drop)
}
