//! `action-get`, `action-set`, `action-fail`, `action-log`.

use crate::error::{Error, Result};
use crate::tools::{HookTools, argv};

/// `action-fail -- MESSAGE`: mark the running action as failed.
pub fn action_fail(tools: &dyn HookTools, message: &str) -> Result<()> {
    let output = tools.call("action-fail", &argv(["--", message]), None)?;
    Error::check("action-fail", &output)
}

/// `action-set key=value ...`: record results (keys already flattened with `.`).
pub fn action_set<'a>(tools: &dyn HookTools, results: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<()> {
    let args = argv(results.into_iter().map(|(k, v)| format!("{k}={v}")));
    if args.is_empty() {
        return Ok(());
    }
    let output = tools.call("action-set", &args, None)?;
    Error::check("action-set", &output)
}
