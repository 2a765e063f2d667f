//! `credential-get`.

use std::collections::BTreeMap;

use serde::Deserialize;
use zeroize::Zeroizing;

use super::{args, parse_json, run};
use crate::error::Result;
use crate::secret::SecretString;
use crate::tools::HookTools;

/// A cloud credential. Attribute values (passwords, keys, tokens) are [`SecretString`]s.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CloudCredential {
    /// The authentication type, e.g. `userpass`, `access-key`.
    #[serde(rename = "auth-type")]
    pub auth_type: String,
    /// The credential's attributes.
    #[serde(default)]
    pub attrs: BTreeMap<String, SecretString>,
    /// Names of attributes Juju redacted.
    #[serde(default)]
    pub redacted: Vec<String>,
}

/// What `credential-get` prints: the cloud this model runs on and its credential.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CloudSpec {
    /// The cloud type, e.g. `lxd`, `openstack`, `kubernetes`.
    #[serde(rename = "type")]
    pub cloud_type: String,
    /// The cloud's name.
    pub name: String,
    /// The region.
    #[serde(default)]
    pub region: Option<String>,
    /// The API endpoint.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The identity endpoint.
    #[serde(default, rename = "identity-endpoint")]
    pub identity_endpoint: Option<String>,
    /// The storage endpoint.
    #[serde(default, rename = "storage-endpoint")]
    pub storage_endpoint: Option<String>,
    /// The credential.
    #[serde(default)]
    pub credential: Option<CloudCredential>,
    /// CA certificates (PEM) for the cloud's endpoints.
    #[serde(default)]
    pub cacertificates: Vec<String>,
    /// Whether TLS verification is skipped.
    #[serde(default, rename = "skip-tls-verify")]
    pub skip_tls_verify: bool,
    /// Whether this is the controller's cloud.
    #[serde(default, rename = "is-controller-cloud")]
    pub is_controller_cloud: bool,
}

/// `credential-get --format=json` (needs a trusted application).
pub fn credential_get(tools: &dyn HookTools) -> Result<CloudSpec> {
    let output = run(tools, "credential-get", &args(["--format=json"]), None)?;
    // The output holds the credential; zeroize the raw copy once parsed.
    let stdout = Zeroizing::new(output.stdout);
    parse_json("credential-get", &stdout, "a JSON cloud spec object")
}
