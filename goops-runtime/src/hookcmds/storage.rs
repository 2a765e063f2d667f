//! `storage-list`, `storage-get`, `storage-add`.

use std::path::PathBuf;

pub use goops_juju::StorageKind;
use serde::Deserialize;

use super::{args, run, run_json};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// What `storage-get` prints for one storage instance.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct StorageInfo {
    /// Block device or filesystem.
    pub kind: StorageKind,
    /// The mount point or device path.
    pub location: PathBuf,
}

/// `storage-list --format=json [NAME]`: ids (`data/0`) of attached storage, optionally of one
/// storage name only.
pub fn storage_list(tools: &dyn HookTools, name: Option<&str>) -> Result<Vec<String>> {
    let mut argv = args(["--format=json"]);
    argv.extend(name.map(Into::into));
    let ids: Option<Vec<String>> = run_json(tools, "storage-list", &argv, "a JSON list of storage ids")?;
    Ok(ids.unwrap_or_default())
}

/// `storage-get --format=json [-s ID]`: kind and location of a storage instance (without an id,
/// the one of the current storage hook).
pub fn storage_get(tools: &dyn HookTools, id: Option<&str>) -> Result<StorageInfo> {
    let mut argv = args(["--format=json"]);
    if let Some(id) = id {
        argv.extend(args(["-s", id]));
    }
    run_json(tools, "storage-get", &argv, "a JSON object with kind and location")
}

/// `storage-add NAME=COUNT ...`: request more storage instances (deferred to the hook's end).
pub fn storage_add(tools: &dyn HookTools, requests: &[(&str, u32)]) -> Result<()> {
    if requests.is_empty() {
        return Err(Error::invalid("storage request", "name at least one storage"));
    }
    let mut argv = Vec::with_capacity(requests.len());
    for (name, count) in requests {
        if name.is_empty() || name.contains('=') || name.starts_with('-') {
            return Err(Error::invalid(
                format!("storage name {name:?}"),
                "expected a storage name from charmcraft.yaml",
            ));
        }
        if *count == 0 {
            return Err(Error::invalid(format!("storage count for {name:?}"), "must be at least 1"));
        }
        argv.push(format!("{name}={count}").into());
    }
    run(tools, "storage-add", &argv, None).map(drop)
}
