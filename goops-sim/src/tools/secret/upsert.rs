//! `secret-add` and `secret-set`: content (arguments, `#base64`, `#file`, `--file`) and
//! metadata (owner, label, description, expiry, rotation).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};
use goops_juju::secret::{bare_secret_id, is_valid_content_key};
use goops_juju::{RotatePolicy, SecretOwner};

use super::{Call, Out, ToolError, ToolResult, check_manage, fail, is_leader, parse_uri, usage};
use crate::format::go_duration::parse_go_duration;
use crate::session::{SecretUpdate, Session};
use crate::state::{Secret, SecretContent, SecretRevision};

/// Juju's limit on one base64-encoded value and on the whole content (3.6.x late 2025, 4.0).
const MAX_CONTENT: usize = 1_000_000;

/// One content value as given: raw bytes, or base64 text (`key#base64=…`).
enum Given {
    Raw(Vec<u8>),
    Base64(String),
}

/// Parsed `secret-add`/`secret-set` options.
struct Upsert {
    content: SecretContent,
    label: Option<String>,
    description: Option<String>,
    expire: Option<DateTime<Utc>>,
    rotate: Option<RotatePolicy>,
    owner: SecretOwner,
}

/// The working directory of the simulated unit agent: the Kubernetes charm container's agent
/// runs in `/var/lib/juju` (a machine agent's is not documented; it is not the hook's either).
const AGENT_DIR: &str = "/var/lib/juju";

/// Where the agent opens a `key#file=` or `--file` path of secret-add/secret-set. The agent
/// itself reads these files (not the tool client), with the path as given: a relative path is
/// relative to the agent's working directory, not the hook's (docs/hook-tools.md §4.7). So a
/// charm must pass absolute paths, and one that passes a relative path fails here as in Juju.
fn agent_path(path: &str) -> std::path::PathBuf {
    Path::new(AGENT_DIR).join(crate::tools::expand_home(path))
}

fn read_agent_file(path: &str) -> Result<Vec<u8>, ToolError> {
    crate::agent_file::read(&agent_path(path)).map_err(|e| crate::tools::fail(e.with_path(path)))
}

fn parse_upsert(call: &Call<'_>, content_args: &[&str]) -> Result<Upsert, ToolError> {
    // Juju's order of checks: expire, rotate, owner, content, file. Empty values mean "not given".
    let given = |name: &str| call.parsed.value(name).filter(|v| !v.is_empty()).map(str::to_owned);
    let expire = given("expire").as_deref().map(parse_expire).transpose()?;
    let rotate = match given("rotate") {
        Some(p) => Some(p.parse::<RotatePolicy>().map_err(|_| usage(format!("rotate policy {p:?} not valid")))?),
        None => None,
    };
    // The simulator's own reading, not `SecretOwner`'s parser: that one also takes `app`, which
    // Juju's `--owner` refuses.
    let owner = match call.parsed.value("owner") {
        None | Some("application") => SecretOwner::Application,
        Some("unit") => SecretOwner::Unit,
        Some(other) => return Err(usage(format!("secret owner {other:?} not valid"))),
    };
    let mut encoded: BTreeMap<String, Given> = BTreeMap::new();
    for arg in content_args {
        let trimmed = arg.trim_end_matches('=');
        let idx = match trimmed.find('=') {
            Some(i) if i > 0 => i,
            _ => return Err(usage(format!("key value {arg:?} not valid"))),
        };
        let (key, value) = (&arg[..idx], &arg[idx + 1..]);
        let (key, given) = if let Some(k) = key.strip_suffix("#base64") {
            (k, Given::Base64(value.to_owned()))
        } else if let Some(k) = key.strip_suffix("#file") {
            let data = crate::agent_file::read(&agent_path(value)).map_err(|e| usage(e.with_path(value)))?;
            if crate::b64::encoded_len(data.len()) > MAX_CONTENT {
                return Err(usage(format!("secret content in file {value:?} too large: {} bytes", data.len())));
            }
            (k, Given::Raw(data))
        } else {
            (key, Given::Raw(value.as_bytes().to_vec()))
        };
        if !is_valid_content_key(key) {
            return Err(usage(format!("key {key:?} not valid")));
        }
        encoded.insert(key.to_owned(), given);
    }
    if let Some(path) = call.parsed.value("file") {
        // File keys are applied after the arguments and win.
        let read = if path == "-" { call.read_input(path) } else { read_agent_file(path) };
        let bytes = read.map_err(|e| match e {
            ToolError::Run(m) => ToolError::Usage(m),
            other => other,
        })?;
        // Values keep their bytes (a `!!binary` value that is not UTF-8 included): Juju's
        // `ReadSecretData` (core/secrets/createsecret.go) reads them into Go strings, and its
        // yaml.v2 error is Init's error as it is (exit 2).
        for (key, value) in crate::format::yaml_read::bytes_map(&bytes).map_err(usage)? {
            let (key, given) = match key.strip_suffix("#base64") {
                // Base64 text is ASCII; other bytes fail to decode below and are reported.
                Some(k) => (k.to_owned(), Given::Base64(String::from_utf8_lossy(&value).into_owned())),
                None => (key, Given::Raw(value)),
            };
            if !is_valid_content_key(&key) {
                return Err(usage(format!("key {key:?} not valid")));
            }
            encoded.insert(key, given);
        }
    }
    let mut total = 0;
    let mut content = BTreeMap::new();
    for (key, given) in encoded {
        // Juju checks sizes on the base64 form; raw values are not encoded just to be measured.
        let len = match &given {
            Given::Raw(bytes) => crate::b64::encoded_len(bytes.len()),
            Given::Base64(b64) => b64.len(),
        };
        if len > MAX_CONTENT {
            return Err(usage(format!("base64 encoded secret content for key {key:?} too large: {len} bytes")));
        }
        total += len;
        let raw = match given {
            Given::Raw(bytes) => bytes,
            Given::Base64(b64) => {
                crate::b64::decode(&b64).ok_or_else(|| usage(format!("key value \"{key}#base64={b64}\" not valid")))?
            }
        };
        // Juju stores bytes: values that are not UTF-8 are kept as they are (the state writes them
        // as base64, `SecretRevision::binary`).
        content.insert(key, raw);
    }
    if total > MAX_CONTENT {
        return Err(usage(format!("base64 encoded secret content too large: {total} bytes")));
    }
    Ok(Upsert { content, label: given("label"), description: given("description"), expire, rotate, owner })
}

/// `--expire`: RFC 3339, a timestamp without zone (UTC), or a positive Go duration from now.
fn parse_expire(spec: &str) -> Result<DateTime<Utc>, ToolError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(spec) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(spec, "%Y-%m-%dT%H:%M:%S") {
        return Ok(t.and_utc());
    }
    match parse_go_duration(spec).ok() {
        Some(nanos) if nanos <= 0 => Err(usage(format!("negative expire duration {spec:?} not valid"))),
        // Beyond i64 nanoseconds (~292 years) chrono cannot add it: refuse rather than wrap.
        Some(nanos) => i64::try_from(nanos)
            .ok()
            .and_then(|n| Utc::now().checked_add_signed(chrono::Duration::nanoseconds(n)))
            .ok_or_else(|| usage(format!("expire time or duration {spec:?} not valid"))),
        None => Err(usage(format!("expire time or duration {spec:?} not valid"))),
    }
}

pub(super) fn secret_add(session: &mut Session, call: &Call<'_>) -> ToolResult {
    if call.args().is_empty() && call.parsed.value("file").is_none() {
        return Err(usage("missing secret value or filename"));
    }
    let upsert = parse_upsert(call, call.args())?;
    if upsert.content.is_empty() {
        return Err(fail("empty secret value not valid"));
    }
    if upsert.owner == SecretOwner::Application && !is_leader(session) {
        return Err(fail("this unit is not the leader"));
    }
    // Juju's `secretsChangeRecorder.create` rejects a label already used by this hook's creates;
    // a clash with an existing secret's label is the controller's to refuse, at commit.
    if let Some(label) = &upsert.label
        && session.pending.secret_creates.iter().any(|s| s.label.as_ref() == Some(label))
    {
        return Err(fail(format!("secret with label {label:?} already exists")));
    }
    let uri = goops_juju::secret::secret_uri(&crate::ids::new_secret_id());
    let mut printed = String::with_capacity(uri.len() + 1);
    printed.push_str(&uri);
    printed.push('\n');
    session.pending.secret_creates.push(Secret {
        id: uri,
        owner: Some(upsert.owner),
        label: upsert.label,
        description: upsert.description,
        expire: upsert.expire,
        rotates: upsert.rotate.and_then(crate::session::next_rotation),
        rotate: upsert.rotate,
        revisions: vec![SecretRevision::from_bytes(1, upsert.content)],
        ..Secret::default()
    });
    Ok(Out::Raw(printed.into_bytes()))
}

pub(super) fn secret_set(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let Some(uri) = call.args().first() else {
        return Err(usage("missing secret URI"));
    };
    let bare = parse_uri(uri)?;
    let upsert = parse_upsert(call, &call.args()[1..])?;
    check_manage(session, &bare)?;
    let content = if upsert.content.is_empty() { None } else { Some(upsert.content) };
    if let Some(created) = session.pending.secret_creates.iter_mut().find(|s| bare_secret_id(&s.id) == bare) {
        // Updating a secret created in this hook amends the create.
        if let Some(content) = content {
            created.revisions = vec![SecretRevision::from_bytes(1, content)];
        }
        let update = SecretUpdate {
            content: None,
            ..upsert_meta(upsert.label, upsert.description, upsert.expire, upsert.rotate)
        };
        crate::session::apply_update(created, &update);
        return Ok(Out::None);
    }
    // A revision number is a u32 here (Juju's is an int): refuse content that would need one
    // past u32::MAX now, when the charm sees which call caused it (checked again at commit).
    if let (Some(content), Some(secret)) = (&content, session.state.secret(&bare))
        && secret.latest() == u32::MAX
        && secret.revision(u32::MAX).map(SecretRevision::bytes).as_ref() != Some(content)
    {
        return Err(fail(crate::session::last_revision_error(&bare)));
    }
    // Juju's `secretsChangeRecorder.update` cancels a pending remove of the secret.
    session.pending.secret_removes.remove(&bare);
    let entry = session.pending.secret_updates.entry(bare).or_default();
    if content.is_some() {
        entry.content = content;
    }
    let meta = upsert_meta(upsert.label, upsert.description, upsert.expire, upsert.rotate);
    entry.label = meta.label.or(entry.label.take());
    entry.description = meta.description.or(entry.description.take());
    entry.expire = meta.expire.or(entry.expire.take());
    entry.rotate = meta.rotate.or(entry.rotate.take());
    Ok(Out::None)
}

fn upsert_meta(
    label: Option<String>,
    description: Option<String>,
    expire: Option<DateTime<Utc>>,
    rotate: Option<RotatePolicy>,
) -> SecretUpdate {
    SecretUpdate { content: None, label, description, expire, rotate }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expire_takes_a_positive_go_duration_from_now() {
        let before = Utc::now();
        let at = parse_expire("24h").expect("a duration");
        assert!(at >= before + chrono::Duration::hours(24) && at <= Utc::now() + chrono::Duration::hours(24));
        assert!(parse_expire("-1h").is_err(), "a negative duration is refused");
        assert!(parse_expire("soon").is_err());
        assert!(parse_expire("9999999999h").is_err(), "beyond what a time can hold is refused, not wrapped");
        assert_eq!(parse_expire("2030-01-02T03:04:05Z").unwrap().to_rfc3339(), "2030-01-02T03:04:05+00:00");
    }
}
