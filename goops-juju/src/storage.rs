//! Storage kinds (charmcraft.yaml `storage.<name>.type`, `JUJU_STORAGE_KIND`, `storage-get kind`).

use crate::error::{InvalidName, juju_names};

juju_names! {
    /// What kind of storage an instance is.
    pub enum StorageKind ("storage kind", expected "filesystem or block") {
        /// A mounted filesystem.
        Filesystem = "filesystem",
        /// A block device.
        Block = "block",
    }
}

impl Default for StorageKind {
    /// charmcraft.yaml's storage type when none is given.
    fn default() -> Self {
        StorageKind::Filesystem
    }
}

/// A storage id, `<storage-name>/<number>` (`JUJU_STORAGE_ID`, `storage-get -s`), as its name
/// and instance number. As juju/names `storage.go`: the name is `StorageNameSnippet` (the same
/// pattern as an application name) and the number `NumberSnippet` (`0|[1-9][0-9]*`), so each
/// id has one spelling (`data/00` is not `data/0`).
pub fn parse_storage_id(id: &str) -> Result<(&str, u32), InvalidName> {
    id.rsplit_once('/')
        .filter(|(name, n)| {
            crate::unit::is_valid_app_name(name)
                && !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (n == &"0" || !n.starts_with('0'))
        })
        .and_then(|(name, n)| Some((name, n.parse().ok()?)))
        .ok_or_else(|| InvalidName::new("storage id", id, "<storage-name>/<number>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_ids() {
        assert_eq!(parse_storage_id("data/3"), Ok(("data", 3)));
        assert_eq!(parse_storage_id("my-data/0"), Ok(("my-data", 0)));
        for bad in ["data", "/0", "data/", "data/x", "data/-1", "data/+1", "data/00", "#/0", "Data/0", "a/b/0"] {
            assert!(parse_storage_id(bad).is_err(), "{bad}");
        }
    }
}
