//! One typed function per Juju hook tool, one module per tool family.
//!
//! These are thin and uncached: each call runs the tool once, builds argv exactly as Juju's
//! tools accept it (`--format=json` wherever the tool has it, free text after `--`, relation
//! ids as `-r endpoint:id`, large or sensitive data on stdin or in files) and parses the output
//! into typed values. [`crate::Context`] builds the cached, higher-level API on top of them.

use std::ffi::OsString;

use serde::Deserialize as _;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::tools::{HookTools, ToolOutput};

pub mod action;
pub mod config;
pub mod credential;
pub mod goal_state;
pub mod leadership;
pub mod log;
pub mod metric;
pub mod network;
pub mod port;
pub mod reboot;
pub mod relation;
pub mod resource;
pub mod secret;
pub mod state;
pub mod status;
pub mod storage;
pub mod unit;

/// Run `tool` and turn a non-zero exit into a typed error.
pub(crate) fn run(tools: &dyn HookTools, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> Result<ToolOutput> {
    let output = tools.call(tool, args, stdin)?;
    output.check(tool)?;
    Ok(output)
}

/// Like [`run`], but values that must not leak (secret content, stdin data, action results) are
/// scrubbed from the error in case the tool echoed them on stderr.
pub(crate) fn run_redacted(
    tools: &dyn HookTools,
    tool: &str,
    args: &[OsString],
    stdin: Option<&[u8]>,
    sensitive: &[&str],
) -> Result<ToolOutput> {
    let output = tools.call(tool, args, stdin)?;
    output.check(tool).map_err(|e| e.redact(sensitive))?;
    Ok(output)
}

/// Parse `stdout` of `tool` as JSON; `expected` says what shape was wanted, for the error.
pub(crate) fn parse_json<T: DeserializeOwned>(tool: &str, stdout: &[u8], expected: &str) -> Result<T> {
    serde_json::from_slice(stdout).map_err(|e| Error::json(tool, expected, &e))
}

/// For fields Go prints as `null` when empty (a nil slice or map without `omitempty`): `null` is
/// the empty value. Use with `#[serde(default, deserialize_with = "…")]`.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Run `tool` and parse its `--format=json` output.
pub(crate) fn run_json<T: DeserializeOwned>(
    tools: &dyn HookTools,
    tool: &str,
    args: &[OsString],
    expected: &str,
) -> Result<T> {
    let output = run(tools, tool, args, None)?;
    parse_json(tool, &output.stdout, expected)
}

/// `data` as JSON for a tool that reads it with Go's `gopkg.in/yaml.v2` (`relation-set` and
/// `state-set` with `--file -`). JSON is YAML, except that yaml.v2 refuses DEL, the C1 controls,
/// U+FFFE and U+FFFF anywhere in its input ("control characters are not allowed") and reads a raw
/// U+0085, U+2028 or U+2029 inside a quoted scalar as a line break, folding it into a space.
/// serde_json writes all of these raw; as `\uXXXX` escapes they are the same JSON and YAML
/// string. They can only occur inside strings, so replacing them in the text is safe.
pub(crate) fn yaml_safe_json(data: &std::collections::BTreeMap<String, String>) -> Result<Vec<u8>> {
    use std::fmt::Write as _;
    let json = zeroize::Zeroizing::new(
        serde_json::to_string(data).map_err(|e| Error::invalid("data", format!("cannot encode as JSON: {e}")))?,
    );
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if matches!(c, '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}') {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Ok(out.into_bytes())
}

/// Build an argv from string-like pieces.
pub(crate) fn args<I, S>(items: I) -> Vec<OsString>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    items.into_iter().map(Into::into).collect()
}
