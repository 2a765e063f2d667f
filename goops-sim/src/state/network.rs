//! Ports, networks and the cloud: what `open-port`, `network-get`, `unit-get` and
//! `credential-get` read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::is_false;

/// A port range this unit opened.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenedPort {
    /// `tcp`, `udp` or `icmp`.
    pub protocol: String,
    /// First port (0 for icmp).
    #[serde(default)]
    pub from: u16,
    /// Last port (equal to `from` for one port).
    #[serde(default)]
    pub to: u16,
    /// Endpoints the range is open on; empty means all endpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
}

impl std::fmt::Display for OpenedPort {
    /// As Juju writes a range: `80/tcp`, `8000-8010/udp`, `icmp`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.protocol == "icmp" {
            f.write_str("icmp")
        } else if self.from == self.to {
            write!(f, "{}/{}", self.from, self.protocol)
        } else {
            write!(f, "{}-{}/{}", self.from, self.to, self.protocol)
        }
    }
}

/// A port range another unit on this machine has open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachinePort {
    /// The unit that opened it.
    pub unit: String,
    /// The range.
    #[serde(flatten)]
    pub port: OpenedPort,
}

/// Network information for one binding (`network-get`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Network {
    /// Bind addresses per interface.
    pub bind_addresses: Vec<BindAddress>,
    /// Ingress addresses.
    pub ingress_addresses: Vec<String>,
    /// Egress subnets.
    pub egress_subnets: Vec<String>,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            bind_addresses: vec![BindAddress {
                mac_address: String::new(),
                interface_name: "eth0".to_owned(),
                addresses: vec![Address {
                    hostname: String::new(),
                    value: "192.0.2.0".to_owned(),
                    cidr: "192.0.2.0/24".to_owned(),
                }],
            }],
            ingress_addresses: vec!["192.0.2.0".to_owned()],
            egress_subnets: vec!["192.0.2.0/24".to_owned()],
        }
    }
}

impl Network {
    /// The settings Juju writes into the unit's own bag when it enters a relation's scope
    /// (apiserver uniter `EnterScope`): `private-address` and `ingress-address` are the
    /// binding's first ingress address, `egress-subnets` its egress subnets joined by commas.
    pub fn enter_scope_settings(&self) -> BTreeMap<String, String> {
        let mut settings = BTreeMap::new();
        let ingress = self
            .ingress_addresses
            .first()
            .or_else(|| self.bind_addresses.first().and_then(|b| b.addresses.first()).map(|a| &a.value));
        if let Some(address) = ingress {
            settings.insert("private-address".to_owned(), address.clone());
            settings.insert("ingress-address".to_owned(), address.clone());
        }
        if !self.egress_subnets.is_empty() {
            settings.insert("egress-subnets".to_owned(), self.egress_subnets.join(","));
        }
        settings
    }
}

/// One interface's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BindAddress {
    /// MAC address.
    pub mac_address: String,
    /// Interface name.
    pub interface_name: String,
    /// Addresses on it.
    pub addresses: Vec<Address>,
}

/// One address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Address {
    /// Hostname, if resolved.
    pub hostname: String,
    /// The address.
    pub value: String,
    /// Its CIDR.
    pub cidr: String,
}

/// The unit's addresses for `unit-get`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Addresses {
    /// The unit's private address: what `unit-get private-address` prints when the default
    /// binding (`networks[""]`, else `juju-info`, else the default network) has no address.
    pub private: Option<String>,
    /// `unit-get public-address` (default: the private address, else the default binding's).
    pub public: Option<String>,
}

/// The cloud spec `credential-get` prints (Juju's `params.CloudSpec`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CloudSpec {
    /// Cloud type (`ec2`, `openstack`, `kubernetes`, …).
    #[serde(rename = "type")]
    pub cloud_type: String,
    /// Cloud name.
    pub name: String,
    /// Region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Identity endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_endpoint: Option<String>,
    /// Storage endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_endpoint: Option<String>,
    /// The credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<CloudCredential>,
    /// CA certificates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cacertificates: Vec<String>,
    /// Skip TLS verification.
    #[serde(skip_serializing_if = "is_false")]
    pub skip_tls_verify: bool,
    /// Whether this is the controller's cloud.
    #[serde(skip_serializing_if = "is_false")]
    pub is_controller_cloud: bool,
}

/// A cloud credential. Its `Debug` output names the attributes but never shows their values
/// (they are passwords and keys).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CloudCredential {
    /// Auth type (`userpass`, `access-key`, …).
    pub auth_type: String,
    /// Attributes.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
    /// Redacted attribute names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redacted: Vec<String>,
}

impl std::fmt::Debug for CloudCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let attrs: BTreeMap<&str, &str> = self.attrs.keys().map(|k| (k.as_str(), "[REDACTED]")).collect();
        f.debug_struct("CloudCredential")
            .field("auth_type", &self.auth_type)
            .field("attrs", &attrs)
            .field("redacted", &self.redacted)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_values_never_appear_in_debug_output() {
        let credential = CloudCredential {
            auth_type: "userpass".to_owned(),
            attrs: [("password".to_owned(), "hunter2-very-secret".to_owned())].into(),
            redacted: Vec::new(),
        };
        let debug = format!("{:?}", CloudSpec { credential: Some(credential), ..CloudSpec::default() });
        assert!(!debug.contains("hunter2") && debug.contains("password"), "{debug}");
    }
}
