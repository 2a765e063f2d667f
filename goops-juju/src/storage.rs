//! Storage kinds (charmcraft.yaml `storage.<name>.type`, `JUJU_STORAGE_KIND`, `storage-get kind`).

use crate::error::juju_names;

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
