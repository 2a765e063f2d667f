//! `network-get`.

use serde::Deserialize;

use super::relation::RelationId;
use super::{args, run_json};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// One address on an interface.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct InterfaceAddress {
    /// The host name, when Juju resolved one.
    #[serde(default)]
    pub hostname: String,
    /// The IP address (`address` in Juju before 2.9).
    #[serde(alias = "address")]
    pub value: String,
    /// The subnet in CIDR form.
    #[serde(default)]
    pub cidr: String,
}

/// A network interface a binding is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct BindAddress {
    /// The MAC address.
    #[serde(default, rename = "mac-address", alias = "macaddress")]
    pub mac_address: String,
    /// The interface name, e.g. `eth0`.
    #[serde(default, rename = "interface-name", alias = "interfacename")]
    pub interface_name: String,
    /// Its addresses.
    #[serde(default)]
    pub addresses: Vec<InterfaceAddress>,
}

/// What `network-get` prints for a binding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct NetworkInfo {
    /// The interfaces and addresses the binding is bound to.
    #[serde(default, rename = "bind-addresses")]
    pub bind_addresses: Vec<BindAddress>,
    /// Subnets traffic from this unit appears to come from.
    #[serde(default, rename = "egress-subnets")]
    pub egress_subnets: Vec<String>,
    /// Addresses other units should use to reach this one.
    #[serde(default, rename = "ingress-addresses")]
    pub ingress_addresses: Vec<String>,
}

impl NetworkInfo {
    /// The first ingress address, the one other units usually want.
    pub fn ingress_address(&self) -> Option<&str> {
        self.ingress_addresses.first().map(String::as_str)
    }

    /// The first bind address.
    pub fn bind_address(&self) -> Option<&str> {
        self.bind_addresses.iter().flat_map(|b| &b.addresses).map(|a| a.value.as_str()).next()
    }
}

/// `network-get --format=json [-r EP:ID] BINDING`: the network of an endpoint or extra binding,
/// as seen from `relation` when given.
pub fn network_get(tools: &dyn HookTools, binding: &str, relation: Option<&RelationId>) -> Result<NetworkInfo> {
    if binding.is_empty() || binding.starts_with('-') {
        return Err(Error::invalid(format!("binding name {binding:?}"), "expected an endpoint or binding name"));
    }
    let mut argv = args(["--format=json"]);
    if let Some(relation) = relation {
        argv.extend(args(["-r".to_owned(), relation.to_string()]));
    }
    argv.push(binding.into());
    let info: Option<NetworkInfo> = run_json(tools, "network-get", &argv, "a JSON network info object")?;
    Ok(info.unwrap_or_default())
}
