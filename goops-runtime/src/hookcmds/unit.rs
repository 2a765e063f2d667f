//! `unit-get`, `application-version-set`.

use super::{args, run, run_json};
use crate::error::Result;
use crate::tools::HookTools;

/// Which address `unit-get` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitAddress {
    /// `private-address`
    Private,
    /// `public-address`
    Public,
}

impl UnitAddress {
    /// The setting name.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitAddress::Private => "private-address",
            UnitAddress::Public => "public-address",
        }
    }
}

/// `unit-get --format=json SETTING`: the unit's private or public address.
pub fn unit_get(tools: &dyn HookTools, address: UnitAddress) -> Result<String> {
    run_json(tools, "unit-get", &args(["--format=json", address.as_str()]), "a JSON string")
}

/// `application-version-set -- VERSION`: the workload version shown in `juju status`.
pub fn application_version_set(tools: &dyn HookTools, version: &str) -> Result<()> {
    run(tools, "application-version-set", &args(["--", version]), None).map(drop)
}
