//! Secrets as one unit sees them: the ones its application or itself owns, and the ones it
//! consumes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use goops_juju::{RotatePolicy, SecretOwner};
use serde::{Deserialize, Serialize};

/// A secret revision.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretRevision {
    /// The revision number (from 1).
    pub revision: u32,
    /// The content: key → value (decoded).
    pub content: BTreeMap<String, String>,
}

// Secret values never appear in Debug output, even in a failing test's assertion message.
impl std::fmt::Debug for SecretRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: BTreeMap<&str, &str> = self.content.keys().map(|k| (k.as_str(), "[REDACTED]")).collect();
        f.debug_struct("SecretRevision").field("revision", &self.revision).field("content", &keys).finish()
    }
}

impl Default for SecretRevision {
    fn default() -> Self {
        SecretRevision { revision: 1, content: BTreeMap::new() }
    }
}

/// A grant of view access on a secret to a relation's remote application or one of its units.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretGrant {
    /// The relation the grant is scoped to.
    pub relation_id: u32,
    /// The grantee: an application name or a unit name.
    pub target: String,
}

/// A secret this unit owns or consumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Secret {
    /// The URI, `secret:<20 chars>`.
    pub id: String,
    /// Who owns it: this unit's application (managed by the leader) or this unit; `None` when
    /// another application owns it and this charm only consumes it. In JSON: `application`
    /// (the default; `app` is read too), `unit` or `none`.
    #[serde(with = "owner_json")]
    pub owner: Option<SecretOwner>,
    /// The owner's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// This unit's consumer label (consumed secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_label: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Expiry time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expire: Option<DateTime<Utc>>,
    /// Rotation policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotate: Option<RotatePolicy>,
    /// When the secret is next due for rotation (set from the policy when it changes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotates: Option<DateTime<Utc>>,
    /// Revisions with content; the latest is the highest number.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<SecretRevision>,
    /// The revision this unit tracks (`None`: not read yet). Owners track revisions as
    /// consumers do (Juju >= 3.1.7, docs/hook-tools.md rule 30): an owner's new revision is read
    /// only with `--peek` or `--refresh`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracked: Option<u32>,
    /// Revisions tracked by consumers of an owned secret: consumer → revision.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub consumers: BTreeMap<String, u32>,
    /// Grants of an owned secret.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<SecretGrant>,
}

impl Default for Secret {
    fn default() -> Self {
        Secret {
            id: String::new(),
            owner: Some(SecretOwner::Application),
            label: None,
            consumer_label: None,
            description: None,
            expire: None,
            rotate: None,
            rotates: None,
            revisions: Vec::new(),
            tracked: None,
            consumers: BTreeMap::new(),
            grants: Vec::new(),
        }
    }
}

impl Secret {
    /// The latest revision number.
    pub fn latest(&self) -> u32 {
        self.revisions.iter().map(|r| r.revision).max().unwrap_or(0)
    }

    /// The content of a revision.
    pub fn content(&self, revision: u32) -> Option<&BTreeMap<String, String>> {
        self.revisions.iter().find(|r| r.revision == revision).map(|r| &r.content)
    }

    /// Whether this charm owns the secret (its application or this unit).
    pub fn is_owned(&self) -> bool {
        self.owner.is_some()
    }

    /// Whether this unit's application owns the secret (so only the leader may manage it).
    pub fn is_app_owned(&self) -> bool {
        self.owner == Some(SecretOwner::Application)
    }
}

/// `owner` in a state file: goops-juju's owner names, plus `none` (or `null`) for a consumed
/// secret.
mod owner_json {
    use goops_juju::SecretOwner;
    use serde::{Deserialize, Deserializer, Serializer};

    const NONE: &str = "none";

    pub(super) fn serialize<S: Serializer>(owner: &Option<SecretOwner>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(owner.map_or(NONE, SecretOwner::as_str))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<SecretOwner>, D::Error> {
        match Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)?.as_deref() {
            None | Some(NONE) => Ok(None),
            Some(name) => name.parse().map(Some).map_err(serde::de::Error::custom),
        }
    }
}
