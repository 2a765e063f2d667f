//! `resource-get`.

use std::path::PathBuf;

use super::{args, run};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// `resource-get NAME`: the local path of the resource (downloaded on first use).
pub fn resource_get(tools: &dyn HookTools, name: &str) -> Result<PathBuf> {
    if name.is_empty() || name.starts_with('-') {
        return Err(Error::invalid(format!("resource name {name:?}"), "expected a resource name"));
    }
    let output = run(tools, "resource-get", &args([name]), None)?;
    // Juju prints the path without a newline; trim anyway, as ops does.
    let path = String::from_utf8(output.stdout)
        .map_err(|_| Error::parse("resource-get", "a UTF-8 path", "invalid UTF-8"))?
        .trim()
        .to_owned();
    if path.is_empty() {
        return Err(Error::parse("resource-get", "a path", "empty output"));
    }
    Ok(PathBuf::from(path))
}
