//! One typed function per Juju hook tool, one module per tool family.
//!
//! These are thin and uncached: each call runs the tool once, builds argv exactly as Juju's
//! tools accept it (`--format=json` wherever the tool has it, free text after `--`, relation
//! ids as `-r endpoint:id`, large or sensitive data on stdin or in files) and parses the output
//! into typed values. [`crate::Context`] builds the cached, higher-level API on top of them.

use std::ffi::OsString;

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::tools::{HookTools, ToolOutput};

pub mod action;
pub mod config;
pub mod credential;
pub mod goal_state;
pub mod leadership;
pub mod log;
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
    Error::check(tool, &output)?;
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
    Error::check(tool, &output).map_err(|e| e.redact(sensitive))?;
    Ok(output)
}

/// Parse `stdout` of `tool` as JSON; `expected` says what shape was wanted, for the error.
pub(crate) fn parse_json<T: DeserializeOwned>(tool: &str, stdout: &[u8], expected: &str) -> Result<T> {
    serde_json::from_slice(stdout).map_err(|e| Error::json(tool, expected, &e))
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

/// Build an argv from string-like pieces.
pub(crate) fn args<I, S>(items: I) -> Vec<OsString>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    items.into_iter().map(Into::into).collect()
}
