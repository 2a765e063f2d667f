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
    /// The content: key → value (decoded), for values that are UTF-8 text.
    pub content: BTreeMap<String, String>,
    /// The content values that are not UTF-8 text (Juju stores bytes: `key#base64=…` may decode
    /// to anything). A key is in `content` or here, never both. In JSON: key → standard base64.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", with = "base64_map")]
    pub binary: BTreeMap<String, Vec<u8>>,
}

// Secret values never appear in Debug output, even in a failing test's assertion message.
impl std::fmt::Debug for SecretRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: BTreeMap<&str, &str> = self.keys().map(|k| (k, "[REDACTED]")).collect();
        f.debug_struct("SecretRevision").field("revision", &self.revision).field("content", &keys).finish()
    }
}

impl Default for SecretRevision {
    fn default() -> Self {
        SecretRevision { revision: 1, content: BTreeMap::new(), binary: BTreeMap::new() }
    }
}

impl SecretRevision {
    /// A revision holding `content`: UTF-8 values go to [`SecretRevision::content`], the others
    /// to [`SecretRevision::binary`].
    pub fn from_bytes(revision: u32, content: SecretContent) -> Self {
        let mut out = SecretRevision { revision, ..SecretRevision::default() };
        for (key, value) in content {
            match String::from_utf8(value) {
                Ok(text) => {
                    out.content.insert(key, text);
                }
                Err(e) => {
                    out.binary.insert(key, e.into_bytes());
                }
            }
        }
        out
    }

    /// Every key, text or binary.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.content.keys().chain(self.binary.keys()).map(String::as_str)
    }

    /// One value as bytes, text or binary.
    pub fn value(&self, key: &str) -> Option<&[u8]> {
        self.content.get(key).map(String::as_bytes).or_else(|| self.binary.get(key).map(Vec::as_slice))
    }

    /// The whole content as bytes.
    pub fn bytes(&self) -> SecretContent {
        self.keys().filter_map(|k| Some((k.to_owned(), self.value(k)?.to_vec()))).collect()
    }

    /// Refuse a revision number of 0, a key both in `content` and `binary`, or binary content
    /// that is UTF-8 text after all (it would compare unequal to the same text in `content`).
    fn validate(&self, id: &str) -> Result<(), String> {
        if self.revision == 0 {
            return Err(format!("secret {id}: revision 0 is not valid (revisions start at 1)"));
        }
        for (key, value) in &self.binary {
            if self.content.contains_key(key) {
                return Err(format!(
                    "secret {id} revision {}: key {key:?} is both in content and binary",
                    self.revision
                ));
            }
            if std::str::from_utf8(value).is_ok() {
                return Err(format!(
                    "secret {id} revision {}: binary value of key {key:?} is UTF-8 text: put it in content",
                    self.revision
                ));
            }
        }
        Ok(())
    }
}

/// Secret content as the agent handles it: key → bytes.
pub type SecretContent = BTreeMap<String, Vec<u8>>;

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
    /// Grants. Of an owned secret: the grants its owner made. Of a consumed secret: the grants
    /// that cover this unit (its application or itself, on a relation in the state); without one
    /// this unit may not read the secret, as in Juju (`permission denied`).
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

    /// The text content of a revision (see [`Secret::revision`] for binary values).
    pub fn content(&self, revision: u32) -> Option<&BTreeMap<String, String>> {
        self.revision(revision).map(|r| &r.content)
    }

    /// A revision.
    pub fn revision(&self, revision: u32) -> Option<&SecretRevision> {
        self.revisions.iter().find(|r| r.revision == revision)
    }

    /// Whether `unit` (or its application `app`) holds a grant on this consumed secret over a
    /// relation for which `relation_exists` holds (a grant goes with its relation). Owners need
    /// no grant.
    pub fn granted_to(&self, unit: &str, app: &str, relation_exists: impl Fn(u32) -> bool) -> bool {
        self.is_owned()
            || self.grants.iter().any(|g| (g.target == unit || g.target == app) && relation_exists(g.relation_id))
    }

    /// This secret's own consistency: revisions unique and from 1, grants unique, content keys
    /// in one place.
    pub fn validate(&self) -> Result<(), String> {
        let id = &self.id;
        let mut seen = std::collections::BTreeSet::new();
        for revision in &self.revisions {
            if !seen.insert(revision.revision) {
                return Err(format!("secret {id}: revision {} is listed twice", revision.revision));
            }
            revision.validate(id)?;
        }
        let mut grants = std::collections::BTreeSet::new();
        for grant in &self.grants {
            if !grants.insert(grant) {
                return Err(format!(
                    "secret {id}: the grant to {:?} on relation {} is listed twice",
                    grant.target, grant.relation_id
                ));
            }
        }
        Ok(())
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

/// Each secret's own consistency ([`Secret::validate`]), and labels unique as the controller
/// keeps them ([`label_clash`]): in one unit's view, every owner label (its application's and
/// its own secrets') and every consumer label is different.
pub(crate) fn validate_all(secrets: &[Secret]) -> Result<(), String> {
    for secret in secrets {
        secret.validate()?;
    }
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for secret in secrets {
        let Some(label) = secret.label.as_deref().or(secret.consumer_label.as_deref()) else { continue };
        if let Some(other) = seen.insert(label, &secret.id) {
            return Err(format!("secrets {other} and {} both have the label {label:?}", secret.id));
        }
    }
    Ok(())
}

/// Who holds a label: the owner of an owned secret, or this unit as a consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelHolder {
    /// An owner label of an application- or unit-owned secret.
    Owner(SecretOwner),
    /// This unit's consumer label.
    Consumer,
}

impl LabelHolder {
    /// The holder of `secret`'s label.
    pub(crate) fn of(secret: &Secret) -> LabelHolder {
        secret.owner.map_or(LabelHolder::Consumer, LabelHolder::Owner)
    }

    /// The Juju tag that holds the label: the application, or this unit (consumer labels are
    /// the unit's).
    fn tag(self, unit: &str) -> String {
        match self {
            LabelHolder::Owner(SecretOwner::Application) => {
                format!("application-{}", goops_juju::unit::app_of(unit).unwrap_or(unit))
            }
            LabelHolder::Owner(SecretOwner::Unit) | LabelHolder::Consumer => format!("unit-{}", unit.replace('/', "-")),
        }
    }
}

/// The controller's refusal of `label` for `holder` when `others` (the other labels in this
/// unit's view, with their holders) already use it; Juju's state `uniqueSecretOwnerLabelOps` /
/// `uniqueSecretConsumerLabelOps`: first an application label against its units' labels (and a
/// unit's against its application's), then the same tag's consumer labels, then its owner labels.
pub(crate) fn label_clash(
    unit: &str,
    holder: LabelHolder,
    label: &str,
    others: impl IntoIterator<Item = (LabelHolder, String)>,
) -> Option<String> {
    let app_level = |h: LabelHolder| h == LabelHolder::Owner(SecretOwner::Application);
    let mut worst: Option<(u8, String)> = None;
    for (other, other_label) in others {
        if other_label != label {
            continue;
        }
        let tag = holder.tag(unit);
        let found = if app_level(holder) != app_level(other) {
            (0, format!("secret label {label:?} for {tag:?} already exists"))
        } else if other == LabelHolder::Consumer {
            (1, format!("secret label {label:?} for consumer {tag:?} already exists"))
        } else {
            (2, format!("secret label {label:?} for owner {tag:?} already exists"))
        };
        if worst.as_ref().is_none_or(|(rank, _)| found.0 < *rank) {
            worst = Some(found);
        }
    }
    worst.map(|(_, message)| message)
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

/// `binary` in a state file: key → standard base64 (padded on write, padding optional on read).
mod base64_map {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(map: &BTreeMap<String, Vec<u8>>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(map.iter().map(|(k, v)| (k, crate::b64::encode(v))))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, Vec<u8>>, D::Error> {
        BTreeMap::<String, String>::deserialize(deserializer)?
            .into_iter()
            .map(|(k, v)| match crate::b64::decode(&v) {
                Some(bytes) => Ok((k, bytes)),
                None => Err(serde::de::Error::custom(format!("binary value of key {k:?} is not base64"))),
            })
            .collect()
    }
}
