//! `secret-add`, `secret-get`, `secret-set`, `secret-info-get`, `secret-ids`, `secret-grant`,
//! `secret-revoke`, `secret-remove`.
//!
//! Secret content never travels on argv: [`crate::secret_files`] writes each value to its own
//! 0600 file in a private directory and the tool gets `key#file=<absolute path>`; the files are
//! overwritten and removed when the call returns, on error too. Content read back is held in
//! [`SecretString`]s.

use std::collections::BTreeMap;
use std::ffi::OsString;

use chrono::{DateTime, SecondsFormat, Utc};
pub use goops_juju::{RotatePolicy, SecretOwner};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::relation::RelationId;
use super::{args, parse_json, run, run_json, run_redacted};
use crate::error::{Error, Result};
pub use crate::secret::SecretContent;
use crate::secret::SecretString;
use crate::secret_files;
use crate::tools::HookTools;

/// When a secret revision expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// At this time.
    At(DateTime<Utc>),
    /// This long after the call (must be positive).
    In(std::time::Duration),
}

impl From<DateTime<Utc>> for Expiry {
    fn from(at: DateTime<Utc>) -> Self {
        Expiry::At(at)
    }
}

impl TryFrom<chrono::TimeDelta> for Expiry {
    type Error = Error;

    /// A positive `chrono` duration from now.
    fn try_from(delta: chrono::TimeDelta) -> Result<Self> {
        delta
            .to_std()
            .ok()
            .filter(|d| d.as_secs() > 0)
            .map(Expiry::In)
            .ok_or_else(|| Error::invalid("secret expiry", "a duration must be at least one second"))
    }
}

impl Expiry {
    /// The `--expire` value: RFC 3339 in UTC, or a Go duration in whole seconds.
    fn to_arg(self) -> Result<String> {
        match self {
            Expiry::At(at) => Ok(at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            Expiry::In(d) if d.as_secs() == 0 => {
                Err(Error::invalid("secret expiry", "a duration must be at least one second"))
            }
            Expiry::In(d) => Ok(format!("{}s", d.as_secs())),
        }
    }
}

/// The builder methods both option types share (their metadata fields have the same names).
macro_rules! metadata_setters {
    () => {
        /// Set the label.
        pub fn label(mut self, label: impl Into<String>) -> Self {
            self.label = Some(label.into());
            self
        }
        /// Set the description.
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.description = Some(description.into());
            self
        }
        /// Set the expiry.
        pub fn expire(mut self, expire: Expiry) -> Self {
            self.expire = Some(expire);
            self
        }
        /// Set the rotation policy.
        pub fn rotate(mut self, rotate: RotatePolicy) -> Self {
            self.rotate = Some(rotate);
            self
        }
    };
}

/// Options for [`secret_add`]: a builder.
///
/// ```
/// use goops_runtime::hookcmds::secret::{RotatePolicy, SecretAddOptions, SecretOwner};
/// let opts = SecretAddOptions::new().label("ca").owner(SecretOwner::Unit).rotate(RotatePolicy::Monthly);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretAddOptions {
    /// `--owner` (default application).
    pub owner: SecretOwner,
    /// `--label`.
    pub label: Option<String>,
    /// `--description`.
    pub description: Option<String>,
    /// `--expire`.
    pub expire: Option<Expiry>,
    /// `--rotate`.
    pub rotate: Option<RotatePolicy>,
}

impl SecretAddOptions {
    /// No options: an application-owned secret with no label.
    pub fn new() -> Self {
        Self::default()
    }
    /// Set the owner.
    pub fn owner(mut self, owner: SecretOwner) -> Self {
        self.owner = owner;
        self
    }
    metadata_setters!();
}

/// Options for [`secret_set`]: metadata to change along with (or instead of) the content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretSetOptions {
    /// `--label`.
    pub label: Option<String>,
    /// `--description`.
    pub description: Option<String>,
    /// `--expire`.
    pub expire: Option<Expiry>,
    /// `--rotate`.
    pub rotate: Option<RotatePolicy>,
}

impl SecretSetOptions {
    /// No metadata changes.
    pub fn new() -> Self {
        Self::default()
    }
    metadata_setters!();
}

fn validate_content(content: &SecretContent) -> Result<()> {
    for (key, value) in content {
        goops_juju::secret::check_content_key(key)?;
        if value.is_empty() {
            return Err(Error::invalid(format!("secret content for key {key:?}"), "values must not be empty"));
        }
    }
    Ok(())
}

fn push_metadata(
    argv: &mut Vec<OsString>,
    label: Option<&str>,
    description: Option<&str>,
    expire: Option<Expiry>,
    rotate: Option<RotatePolicy>,
) -> Result<()> {
    if let Some(label) = label {
        argv.extend(args(["--label", label]));
    }
    if let Some(description) = description {
        argv.extend(args(["--description", description]));
    }
    if let Some(expire) = expire {
        argv.extend(args(["--expire".to_owned(), expire.to_arg()?]));
    }
    if let Some(rotate) = rotate {
        argv.extend(args(["--rotate", rotate.as_str()]));
    }
    Ok(())
}

fn sensitive(content: &SecretContent) -> Vec<&str> {
    content.values().map(SecretString::expose_secret).collect()
}

/// `secret-add [--label L] [--description D] [--expire E] [--rotate R] --owner O key#file=PATH ...`:
/// create a secret; returns its URI (`secret:<id>`).
pub fn secret_add(tools: &dyn HookTools, content: &SecretContent, options: &SecretAddOptions) -> Result<String> {
    if content.is_empty() {
        return Err(Error::invalid("secret content", "a secret needs at least one key"));
    }
    validate_content(content)?;
    // Four metadata options, --owner, one argument per key.
    let mut argv = Vec::with_capacity(10 + content.len());
    push_metadata(&mut argv, options.label.as_deref(), options.description.as_deref(), options.expire, options.rotate)?;
    argv.extend(args(["--owner", options.owner.as_str()]));
    let staged = secret_files::stage(content)?;
    argv.extend_from_slice(staged.args());
    let output = run_redacted(tools, "secret-add", &argv, None, &sensitive(content));
    // The content must stay readable until the tool has run; then it goes at once.
    drop(staged);
    let output = output?;
    let uri = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if uri.is_empty() || uri.contains(char::is_whitespace) {
        return Err(Error::parse("secret-add", "the new secret's URI on one line", "no single URI was printed"));
    }
    Ok(uri)
}

/// `secret-set [--label L] [--description D] [--expire E] [--rotate R] ID [key#file=PATH ...]`:
/// update a secret's content (a new revision) and/or metadata.
///
/// `--owner` is not sent: Juju ignores it for `secret-set`.
pub fn secret_set(
    tools: &dyn HookTools,
    id: &str,
    content: Option<&SecretContent>,
    options: &SecretSetOptions,
) -> Result<()> {
    check_id(id)?;
    if let Some(content) = content {
        validate_content(content)?;
    }
    let empty = SecretContent::new();
    let content = content.unwrap_or(&empty);
    let mut argv = Vec::with_capacity(9 + content.len());
    push_metadata(&mut argv, options.label.as_deref(), options.description.as_deref(), options.expire, options.rotate)?;
    argv.push(id.into());
    // A metadata-only update stages nothing.
    let staged = if content.is_empty() { None } else { Some(secret_files::stage(content)?) };
    if let Some(staged) = &staged {
        argv.extend_from_slice(staged.args());
    }
    let result = run_redacted(tools, "secret-set", &argv, None, &sensitive(content));
    drop(staged);
    result.map(drop)
}

fn check_id(id: &str) -> Result<()> {
    if id.is_empty() || id.starts_with('-') || id.contains(char::is_whitespace) {
        return Err(Error::invalid(format!("secret id {id:?}"), "expected secret:<id> or a bare id"));
    }
    Ok(())
}

/// Which secret: by id, by label, or by id while setting a (consumer) label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretSelector {
    /// The secret's URI or bare id.
    pub id: Option<String>,
    /// The secret's label. With an id, the label is assigned to the secret.
    pub label: Option<String>,
}

impl SecretSelector {
    /// The secret with this URI or id.
    pub fn id(id: impl Into<String>) -> Self {
        SecretSelector { id: Some(id.into()), label: None }
    }
    /// The secret with this label (owner label first, then consumer label).
    pub fn label(label: impl Into<String>) -> Self {
        SecretSelector { id: None, label: Some(label.into()) }
    }
    /// The secret with this id, labelling it `label` (how a consumer names a secret it was given).
    pub fn id_with_label(id: impl Into<String>, label: impl Into<String>) -> Self {
        SecretSelector { id: Some(id.into()), label: Some(label.into()) }
    }

    fn validate(&self) -> Result<()> {
        match (&self.id, &self.label) {
            (None, None) => Err(Error::invalid("secret selector", "give a secret id or a label")),
            (Some(id), _) => check_id(id),
            (None, Some(label)) if label.is_empty() => Err(Error::invalid("secret label", "must not be empty")),
            _ => Ok(()),
        }
    }
}

impl From<&crate::event::SecretEvent> for SecretSelector {
    /// The secret a `secret-*` hook is about, by its id (Juju always sets `JUJU_SECRET_ID`).
    fn from(event: &crate::event::SecretEvent) -> Self {
        SecretSelector::id(event.id.clone())
    }
}

/// Which revision `secret-get` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SecretReadMode {
    /// The revision this unit tracks, pinned by its first read. Owners track revisions too
    /// (Juju >= 3.1.7, docs/hook-tools.md rule 30): a revision an owner added is read with
    /// `Peek` or `Refresh`.
    #[default]
    Tracked,
    /// The latest revision, without moving tracking to it (`--peek`).
    Peek,
    /// The latest revision, and track it from now on (`--refresh`).
    Refresh,
}

fn get_args(selector: &SecretSelector, mode: SecretReadMode) -> Result<Vec<OsString>> {
    selector.validate()?;
    let mut argv = args(["--format=json"]);
    if let Some(id) = &selector.id {
        argv.push(id.into());
    }
    if let Some(label) = &selector.label {
        argv.extend(args(["--label", label.as_str()]));
    }
    match mode {
        SecretReadMode::Tracked => {}
        SecretReadMode::Peek => argv.push("--peek".into()),
        SecretReadMode::Refresh => argv.push("--refresh".into()),
    }
    Ok(argv)
}

/// `secret-get --format=json [ID] [--label L] [--peek|--refresh]`: the secret's content.
///
/// The raw output is zeroized after parsing; the values come back as [`SecretString`]s. Juju
/// stores bytes, and prints a value that is not UTF-8 in JSON with each bad byte as U+FFFD; such
/// a value is never handed back changed: a value holding U+FFFD is read again as base64, and
/// if its bytes are not UTF-8 the call fails with [`Error::Parse`] naming the key (read it
/// with [`secret_get_key_bytes`]). A consumer without a grant gets [`Error::PermissionDenied`],
/// a missing secret [`Error::NotFound`].
pub fn secret_get(tools: &dyn HookTools, selector: &SecretSelector, mode: SecretReadMode) -> Result<SecretContent> {
    let argv = get_args(selector, mode)?;
    let output = run(tools, "secret-get", &argv, None)?;
    let stdout = Zeroizing::new(output.stdout);
    let content: Option<SecretContent> = parse_json("secret-get", &stdout, "a JSON object of strings")?;
    let content = content.unwrap_or_default();
    for (key, value) in &content {
        check_text(tools, selector, key, value, mode)?;
    }
    Ok(content)
}

/// A value that holds U+FFFD may be binary content JSON could not carry: read its bytes
/// (`KEY#base64`, the same revision: the first read pinned it) and refuse it if they are not
/// UTF-8. A value that really holds U+FFFD reads back the same and is kept.
fn check_text(
    tools: &dyn HookTools,
    selector: &SecretSelector,
    key: &str,
    value: &SecretString,
    mode: SecretReadMode,
) -> Result<()> {
    if !value.expose_secret().contains('\u{FFFD}') {
        return Ok(());
    }
    let bytes = secret_get_key_bytes(tools, selector, key, mode)?;
    if std::str::from_utf8(bytes.expose_secret()).is_err() {
        return Err(Error::parse(
            "secret-get",
            "UTF-8 text values",
            format!("the value of key {key:?} is binary; read it with secret_get_key_bytes"),
        ));
    }
    Ok(())
}

/// A binary secret value (bytes that need not be UTF-8), from [`secret_get_key_bytes`].
///
/// Like [`SecretString`]: `Debug` prints `[REDACTED]`, there is no `Display`, and the bytes are
/// zeroized when it is dropped.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretBytes {
    inner: Vec<u8>,
}

impl SecretBytes {
    /// The secret bytes. Every read of a secret is visible in the code as this call.
    pub fn expose_secret(&self) -> &[u8] {
        &self.inner
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.inner);
    }
}

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// `secret-get --format=json [ID] [--label L] [--peek|--refresh] KEY#base64`: one value of the
/// secret as its bytes, which Juju stores as they were given (`key#base64=…` content need not
/// be UTF-8 text).
pub fn secret_get_key_bytes(
    tools: &dyn HookTools,
    selector: &SecretSelector,
    key: &str,
    mode: SecretReadMode,
) -> Result<SecretBytes> {
    use base64::Engine as _;
    goops_juju::secret::check_content_key(key)?;
    let mut argv = get_args(selector, mode)?;
    argv.push(format!("{key}#base64").into());
    let output = run(tools, "secret-get", &argv, None)?;
    let stdout = Zeroizing::new(output.stdout);
    let encoded: SecretString = parse_json("secret-get", &stdout, "a JSON string of base64")?;
    let inner = base64::engine::general_purpose::STANDARD
        .decode(encoded.expose_secret())
        // The decoder's complaint names a byte of the value: not repeated.
        .map_err(|_| Error::parse("secret-get", "a JSON string of base64", "invalid base64"))?;
    Ok(SecretBytes { inner })
}

/// `secret-get --format=json [ID] [--label L] [--peek|--refresh] KEY`: one value of the secret.
/// A binary value (not UTF-8) is refused as in [`secret_get`]; see [`secret_get_key_bytes`].
pub fn secret_get_key(
    tools: &dyn HookTools,
    selector: &SecretSelector,
    key: &str,
    mode: SecretReadMode,
) -> Result<SecretString> {
    goops_juju::secret::check_content_key(key)?;
    let mut argv = get_args(selector, mode)?;
    argv.push(key.into());
    let output = run(tools, "secret-get", &argv, None)?;
    let stdout = Zeroizing::new(output.stdout);
    let value: SecretString = parse_json("secret-get", &stdout, "a JSON string")?;
    check_text(tools, selector, key, &value, mode)?;
    Ok(value)
}

/// One grant of access to a secret, as `secret-info-get` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SecretAccess {
    /// Who was granted access: `application-<name>` or `unit-<name>-<n>`.
    pub target: String,
    /// What the grant is scoped to, a relation tag such as `relation-db.server#app.client`.
    pub scope: String,
    /// The role granted, e.g. `view`.
    pub role: String,
}

/// A secret's metadata from `secret-info-get`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SecretInfo {
    /// The bare secret id (Juju keys the output by it).
    #[serde(skip)]
    pub id: String,
    /// The latest revision.
    pub revision: u32,
    /// The owner's label (empty when none).
    #[serde(default)]
    pub label: String,
    /// Who owns the secret.
    pub owner: SecretOwner,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The rotation policy.
    #[serde(default)]
    pub rotation: Option<RotatePolicy>,
    /// When the latest revision expires.
    #[serde(default)]
    pub expiry: Option<DateTime<Utc>>,
    /// When the next rotation is due. `None` for a secret created in this hook: the controller
    /// schedules the rotation when the hook commits.
    #[serde(default)]
    pub rotates: Option<DateTime<Utc>>,
    /// Who has been granted access.
    #[serde(default)]
    pub access: Vec<SecretAccess>,
}

/// `secret-info-get --format=json ID` or `secret-info-get --format=json --label L`: metadata of
/// a secret this unit owns (app-owned ones only when leader). Juju rejects id and label
/// together, so with both the id is used.
pub fn secret_info_get(tools: &dyn HookTools, selector: &SecretSelector) -> Result<SecretInfo> {
    selector.validate()?;
    let mut argv = args(["--format=json"]);
    match (&selector.id, &selector.label) {
        (Some(id), _) => argv.push(id.into()),
        (None, Some(label)) => argv.extend(args(["--label", label.as_str()])),
        (None, None) => return Err(Error::invalid("secret selector", "give a secret id or a label")),
    }
    let expected = "a JSON object with one secret id mapped to its metadata";
    let infos: BTreeMap<String, SecretInfo> = run_json(tools, "secret-info-get", &argv, expected)?;
    let mut infos = infos.into_iter();
    match (infos.next(), infos.next()) {
        (Some((id, mut info)), None) => {
            info.id = id;
            Ok(info)
        }
        _ => Err(Error::parse("secret-info-get", expected, "not exactly one secret in the output")),
    }
}

/// `secret-ids --format=json`: bare ids of the secrets this unit owns (and its app's, if leader).
pub fn secret_ids(tools: &dyn HookTools) -> Result<Vec<String>> {
    let ids: Option<Vec<String>> = run_json(tools, "secret-ids", &args(["--format=json"]), "a JSON list of ids")?;
    Ok(ids.unwrap_or_default())
}

/// `secret-grant -r EP:ID [--unit UNIT] ID`: let the remote application of `relation` (or one
/// of its units) read the secret.
pub fn secret_grant(tools: &dyn HookTools, id: &str, relation: &RelationId, unit: Option<&str>) -> Result<()> {
    check_id(id)?;
    let mut argv = args(["-r".to_owned(), relation.to_string()]);
    if let Some(unit) = unit {
        argv.extend(args(["--unit", unit]));
    }
    argv.push(id.into());
    run(tools, "secret-grant", &argv, None).map(drop)
}

/// Whose access [`secret_revoke`] removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokeTarget {
    /// The remote application of this relation.
    Relation(RelationId),
    /// One unit of the remote application of this relation.
    RelationUnit(RelationId, String),
    /// An application, by name.
    Application(String),
    /// A unit, by name.
    Unit(String),
}

/// `secret-revoke (-r EP:ID [--unit U] | --app APP | --unit U) ID`.
pub fn secret_revoke(tools: &dyn HookTools, id: &str, target: &RevokeTarget) -> Result<()> {
    check_id(id)?;
    let mut argv = match target {
        RevokeTarget::Relation(relation) => args(["-r".to_owned(), relation.to_string()]),
        RevokeTarget::RelationUnit(relation, unit) => {
            args(["-r".to_owned(), relation.to_string(), "--unit".to_owned(), unit.clone()])
        }
        RevokeTarget::Application(app) => args(["--app", app.as_str()]),
        RevokeTarget::Unit(unit) => args(["--unit", unit.as_str()]),
    };
    argv.push(id.into());
    run(tools, "secret-revoke", &argv, None).map(drop)
}

/// `secret-remove ID [--revision N]`: remove one revision, or (with `None`) the whole secret.
pub fn secret_remove(tools: &dyn HookTools, id: &str, revision: Option<u32>) -> Result<()> {
    check_id(id)?;
    let mut argv = args([id]);
    if let Some(revision) = revision {
        argv.extend(args(["--revision".to_owned(), revision.to_string()]));
    }
    run(tools, "secret-remove", &argv, None).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_from_chrono() {
        assert_eq!(
            Expiry::try_from(chrono::TimeDelta::hours(2)).expect("positive"),
            Expiry::In(std::time::Duration::from_secs(7200))
        );
        assert!(Expiry::try_from(chrono::TimeDelta::hours(-2)).is_err());
        assert!(Expiry::try_from(chrono::TimeDelta::zero()).is_err());
    }

    #[test]
    fn expiry_args() {
        let at = DateTime::parse_from_rfc3339("2030-01-02T03:04:05+02:00").expect("valid").with_timezone(&Utc);
        assert_eq!(Expiry::At(at).to_arg().expect("valid"), "2030-01-02T01:04:05Z");
        assert_eq!(Expiry::In(std::time::Duration::from_secs(86400)).to_arg().expect("valid"), "86400s");
        assert!(Expiry::In(std::time::Duration::from_millis(10)).to_arg().is_err());
    }
}
