//! `network-get`.

use serde::Deserialize;

use super::relation::RelationId;
use super::{args, run_json};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// One address on an interface.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "RawAddress")]
#[non_exhaustive]
pub struct InterfaceAddress {
    /// The host name, when Juju resolved one.
    pub hostname: String,
    /// The IP address.
    pub value: String,
    /// The subnet in CIDR form.
    pub cidr: String,
}

// Juju may print the legacy `address` beside (or, before 2.9, instead of) `value`; serde
// aliases reject both at once, so read both and prefer `value`.
#[derive(Deserialize)]
struct RawAddress {
    #[serde(default)]
    hostname: String,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    cidr: String,
}

impl From<RawAddress> for InterfaceAddress {
    fn from(raw: RawAddress) -> Self {
        InterfaceAddress {
            hostname: raw.hostname,
            value: raw.value.or(raw.address).unwrap_or_default(),
            cidr: raw.cidr,
        }
    }
}

/// A network interface a binding is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "RawBind")]
#[non_exhaustive]
pub struct BindAddress {
    /// The MAC address.
    pub mac_address: String,
    /// The interface name, e.g. `eth0`.
    pub interface_name: String,
    /// Its addresses.
    pub addresses: Vec<InterfaceAddress>,
}

// As for addresses: legacy `macaddress`/`interfacename` may appear beside the new names.
#[derive(Deserialize)]
struct RawBind {
    #[serde(default, rename = "mac-address")]
    mac_address: Option<String>,
    #[serde(default)]
    macaddress: Option<String>,
    #[serde(default, rename = "interface-name")]
    interface_name: Option<String>,
    #[serde(default)]
    interfacename: Option<String>,
    // `params.NetworkInfo.Addresses` has no `omitempty`: no addresses prints `null`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    addresses: Vec<InterfaceAddress>,
}

impl From<RawBind> for BindAddress {
    fn from(raw: RawBind) -> Self {
        BindAddress {
            mac_address: raw.mac_address.or(raw.macaddress).unwrap_or_default(),
            interface_name: raw.interface_name.or(raw.interfacename).unwrap_or_default(),
            addresses: raw.addresses,
        }
    }
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
