//! `secret-add`, `secret-set`, `secret-get`, `secret-info-get`, `secret-ids`, `secret-grant`,
//! `secret-revoke`, `secret-remove`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, Utc};

use super::{Call, Formats, Out, ToolDef, ToolError, ToolResult, expand_home, fail, is_leader, relation_id, usage};
use crate::flags::FlagSpec;
use crate::format::Val;
use crate::session::{RevokeTarget, SecretUpdate, Session};
use crate::state::{Secret, SecretGrant, SecretOwner, SecretRevision, bare_secret_id};

pub(super) const TOOLS: &[&ToolDef] = &[
    &SECRET_ADD,
    &SECRET_SET,
    &SECRET_GET,
    &SECRET_INFO_GET,
    &SECRET_IDS,
    &SECRET_GRANT,
    &SECRET_REVOKE,
    &SECRET_REMOVE,
];

const UPSERT_FLAGS: &[FlagSpec] = &[
    FlagSpec::value(&["owner"], "OWNER", "the owner of the secret, either the application or unit"),
    FlagSpec::value(&["rotate"], "POLICY", "the secret rotation policy"),
    FlagSpec::value(&["expire"], "TIME", "either a duration or time when the secret should expire"),
    FlagSpec::value(&["label"], "LABEL", "a label used to identify the secret in hooks"),
    FlagSpec::value(&["description"], "TEXT", "the secret description"),
    FlagSpec::value(&["file"], "PATH", "a YAML file containing secret key values"),
];

const SECRET_ADD: ToolDef = ToolDef {
    name: "secret-add",
    args: "[key[#base64|#file]=value...]",
    purpose: "add a new secret",
    flags: UPSERT_FLAGS,
    formats: Formats::None,
    run: secret_add,
};

const SECRET_SET: ToolDef = ToolDef {
    name: "secret-set",
    args: "<ID> [key[#base64]=value...]",
    purpose: "update an existing secret",
    flags: UPSERT_FLAGS,
    formats: Formats::None,
    run: secret_set,
};

const SECRET_GET: ToolDef = ToolDef {
    name: "secret-get",
    args: "<ID> [key[#base64]]",
    purpose: "get the content of a secret",
    flags: &[
        FlagSpec::value(&["label"], "LABEL", "a label used to identify the secret in hooks"),
        FlagSpec::boolean(&["peek"], "get the latest revision just this time"),
        FlagSpec::boolean(&["refresh"], "get the latest revision and also get this same revision for subsequent calls"),
    ],
    formats: Formats::YamlJson,
    run: secret_get,
};

const SECRET_INFO_GET: ToolDef = ToolDef {
    name: "secret-info-get",
    args: "<ID>",
    purpose: "get a secret's metadata info",
    flags: &[FlagSpec::value(&["label"], "LABEL", "a label used to identify the secret")],
    formats: Formats::YamlJson,
    run: secret_info_get,
};

const SECRET_IDS: ToolDef = ToolDef {
    name: "secret-ids",
    args: "",
    purpose: "print secret ids",
    flags: &[],
    formats: Formats::All,
    run: secret_ids,
};

const SECRET_GRANT: ToolDef = ToolDef {
    name: "secret-grant",
    args: "<ID>",
    purpose: "grant access to a secret",
    flags: &[
        FlagSpec::value(&["r", "relation"], "ID", "the relation with which to associate the grant"),
        FlagSpec::value(&["unit"], "UNIT", "the unit to grant access"),
    ],
    formats: Formats::None,
    run: secret_grant,
};

const SECRET_REVOKE: ToolDef = ToolDef {
    name: "secret-revoke",
    args: "<ID>",
    purpose: "revoke access to a secret",
    flags: &[
        FlagSpec::value(&["r", "relation"], "ID", "the relation for which to revoke the grant"),
        FlagSpec::value(&["app", "application"], "APP", "the application to revoke access"),
        FlagSpec::value(&["unit"], "UNIT", "the unit to revoke access"),
    ],
    formats: Formats::None,
    run: secret_revoke,
};

const SECRET_REMOVE: ToolDef = ToolDef {
    name: "secret-remove",
    args: "<ID>",
    purpose: "remove an existing secret",
    flags: &[FlagSpec::value(&["revision"], "REVISION", "remove the specified revision")],
    formats: Formats::None,
    run: secret_remove,
};

const ROTATE_POLICIES: [&str; 7] = ["never", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"];

/// Juju's limit on one base64-encoded value and on the whole content (3.6.x late 2025, 4.0).
const MAX_CONTENT: usize = 1_000_000;

/// A new secret id: 20 chars of base32hex like an xid.
fn new_secret_id() -> String {
    const CHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuv";
    let mut x = crate::event::seed();
    (0..20)
        .map(|_| {
            x = crate::event::xorshift(x);
            CHARS[(x % 32) as usize] as char
        })
        .collect()
}

/// Parse a secret URI (`secret:<id>`, `secret://<uuid>/<id>`, `<id>`), returning the bare id.
pub(crate) fn parse_uri(uri: &str) -> Result<String, ToolError> {
    let bare = bare_secret_id(uri);
    let valid = bare.len() == 20 && bare.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase());
    if valid && (uri == bare || uri.starts_with("secret:")) {
        Ok(bare.to_owned())
    } else {
        Err(usage(format!("secret URI {uri:?} not valid")))
    }
}

// Deliberately not goops-runtime's `is_valid_content_key`: the simulator is the oracle the
// runtime is tested against, so it keeps its own reading of Juju's rule.
fn valid_key(key: &str) -> bool {
    // ^([a-z](?:-?[a-z0-9]){2,})$
    let b = key.as_bytes();
    if b.is_empty() || !b[0].is_ascii_lowercase() {
        return false;
    }
    let mut groups = 0;
    let mut i = 1;
    while i < b.len() {
        if b[i] == b'-' {
            i += 1;
        }
        match b.get(i) {
            Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() => groups += 1,
            _ => return false,
        }
        i += 1;
    }
    groups >= 2
}

/// One content value as given: raw bytes, or base64 text (`key#base64=…`).
enum Given {
    Raw(Vec<u8>),
    Base64(String),
}

/// Parsed `secret-add`/`secret-set` options.
struct Upsert {
    content: BTreeMap<String, String>,
    label: Option<String>,
    description: Option<String>,
    expire: Option<DateTime<Utc>>,
    rotate: Option<String>,
    owner: SecretOwner,
}

fn parse_upsert(_session: &Session, call: &Call<'_>, content_args: &[&str]) -> Result<Upsert, ToolError> {
    // Juju's order of checks: expire, rotate, owner, content, file. Empty values mean "not given".
    let given = |name: &str| call.parsed.value(name).filter(|v| !v.is_empty()).map(str::to_owned);
    let expire = given("expire").as_deref().map(parse_expire).transpose()?;
    let rotate = match given("rotate") {
        Some(p) if !ROTATE_POLICIES.contains(&p.as_str()) => {
            return Err(usage(format!("rotate policy {p:?} not valid")));
        }
        p => p,
    };
    let owner = match call.parsed.value("owner") {
        None | Some("application") => SecretOwner::App,
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
            let data = std::fs::read(call.cwd.join(expand_home(value)))
                .map_err(|e| usage(format!("open {value}: {}", super::io_reason(&e))))?;
            if crate::base64::encoded_len(data.len()) > MAX_CONTENT {
                return Err(usage(format!("secret content in file {value:?} too large: {} bytes", data.len())));
            }
            (k, Given::Raw(data))
        } else {
            (key, Given::Raw(value.as_bytes().to_vec()))
        };
        if !valid_key(key) {
            return Err(usage(format!("key {key:?} not valid")));
        }
        encoded.insert(key.to_owned(), given);
    }
    if let Some(path) = call.parsed.value("file") {
        // File keys are applied after the arguments and win.
        let bytes = call.read_input(path).map_err(|e| match e {
            ToolError::Run(m) => ToolError::Usage(m),
            other => other,
        })?;
        for (key, value) in
            super::parse_string_map(&bytes).map_err(|_| usage(format!("invalid secret file {path:?}")))?
        {
            let (key, given) = match key.strip_suffix("#base64") {
                Some(k) => (k.to_owned(), Given::Base64(value)),
                None => (key, Given::Raw(value.into_bytes())),
            };
            if !valid_key(&key) {
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
            Given::Raw(bytes) => crate::base64::encoded_len(bytes.len()),
            Given::Base64(b64) => b64.len(),
        };
        if len > MAX_CONTENT {
            return Err(usage(format!("base64 encoded secret content for key {key:?} too large: {len} bytes")));
        }
        total += len;
        let raw = match given {
            Given::Raw(bytes) => bytes,
            Given::Base64(b64) => crate::base64::decode(&b64)
                .ok_or_else(|| usage(format!("key value \"{key}#base64={b64}\" not valid")))?,
        };
        // The state keeps content as text; refuse rather than silently corrupt binary content.
        let text = String::from_utf8(raw).map_err(|_| {
            fail(format!("secret content for key {key:?} is not UTF-8 text, which goops-sim cannot store yet"))
        })?;
        content.insert(key, text);
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
    match parse_go_duration(spec) {
        Some(nanos) if nanos <= 0 => Err(usage(format!("negative expire duration {spec:?} not valid"))),
        Some(nanos) => Ok(Utc::now() + chrono::Duration::nanoseconds(nanos)),
        None => Err(usage(format!("expire time or duration {spec:?} not valid"))),
    }
}

/// Go's `time.ParseDuration`, in nanoseconds.
fn parse_go_duration(s: &str) -> Option<i64> {
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let number: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += number * scale;
    }
    let nanos = total as i64;
    Some(if negative { -nanos } else { nanos })
}

/// The secrets whose metadata this unit sees (Juju's `SecretMetadata()`): unit-owned, app-owned
/// when the unit was leader as the hook started (the metadata is loaded once), plus this hook's
/// creates, minus this hook's removals (rule 32).
fn owned_visible(session: &Session) -> Vec<Secret> {
    let leader = session.metadata_leader;
    let removed: BTreeSet<&String> =
        session.pending.secret_removes.iter().filter(|(_, r)| r.is_none()).map(|(id, _)| id).collect();
    session
        .state
        .secrets
        .iter()
        .filter(|s| s.owner == SecretOwner::Unit || (s.owner == SecretOwner::App && leader))
        .chain(session.pending.secret_creates.iter())
        .filter(|s| !removed.contains(&bare_secret_id(&s.id).to_owned()))
        .cloned()
        .collect()
}

/// Juju's check for secret-set, secret-remove and secret-revoke (rule 24): an app-owned secret
/// in the metadata loaded at hook start needs leadership now. Anything else is accepted here and
/// checked when the hook's changes are committed (a non-leader or a consumer then fails the hook).
fn check_manage(session: &mut Session, bare: &str) -> Result<(), ToolError> {
    let loaded_app_secret =
        session.metadata_leader && session.state.secret(bare).is_some_and(|s| s.owner == SecretOwner::App);
    if loaded_app_secret && !is_leader(session) {
        return Err(fail("this unit is not the leader"));
    }
    Ok(())
}

fn secret_add(session: &mut Session, call: &Call<'_>) -> ToolResult {
    if call.args().is_empty() && call.parsed.value("file").is_none() {
        return Err(usage("missing secret value or filename"));
    }
    let upsert = parse_upsert(session, call, call.args())?;
    if upsert.content.is_empty() {
        return Err(fail("empty secret value not valid"));
    }
    if upsert.owner == SecretOwner::App && !is_leader(session) {
        return Err(fail("this unit is not the leader"));
    }
    // Juju rejects a label already used by this hook's creates (and, at commit, by the owner's
    // other secrets); both are reported here, when the charm can still see which call caused it.
    if let Some(label) = &upsert.label
        && session
            .pending
            .secret_creates
            .iter()
            .chain(session.state.secrets.iter().filter(|s| s.owner == upsert.owner))
            .any(|s| s.label.as_ref() == Some(label))
    {
        return Err(fail(format!("secret with label {label:?} already exists")));
    }
    let uri = format!("secret:{}", new_secret_id());
    let mut printed = String::with_capacity(uri.len() + 1);
    printed.push_str(&uri);
    printed.push('\n');
    session.pending.secret_creates.push(Secret {
        id: uri,
        owner: upsert.owner,
        label: upsert.label,
        description: upsert.description,
        expire: upsert.expire,
        rotates: upsert.rotate.as_deref().and_then(crate::session::next_rotation),
        rotate: upsert.rotate,
        revisions: vec![SecretRevision { revision: 1, content: upsert.content }],
        ..Secret::default()
    });
    Ok(Out::Raw(printed.into_bytes()))
}

fn secret_set(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let Some(uri) = call.args().first() else {
        return Err(usage("missing secret URI"));
    };
    let bare = parse_uri(uri)?;
    let upsert = parse_upsert(session, call, &call.args()[1..])?;
    check_manage(session, &bare)?;
    let content = if upsert.content.is_empty() { None } else { Some(upsert.content) };
    if let Some(created) = session.pending.secret_creates.iter_mut().find(|s| bare_secret_id(&s.id) == bare) {
        // Updating a secret created in this hook amends the create.
        if let Some(content) = content {
            created.revisions = vec![SecretRevision { revision: 1, content }];
        }
        let update = SecretUpdate {
            content: None,
            ..upsert_meta(upsert.label, upsert.description, upsert.expire, upsert.rotate)
        };
        crate::session::apply_update(created, &update);
        return Ok(Out::None);
    }
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
    rotate: Option<String>,
) -> SecretUpdate {
    SecretUpdate { content: None, label, description, expire, rotate }
}

fn secret_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    // Juju's order of checks: URI, URI or label, peek xor refresh, extra args.
    let args = call.args();
    let label = call.parsed.value("label").filter(|l| !l.is_empty()).map(str::to_owned);
    let bare = args.first().map(|u| parse_uri(u)).transpose()?;
    if bare.is_none() && label.is_none() {
        return Err(usage("require either a secret URI or label"));
    }
    let (peek, refresh) = (call.parsed.flag("peek"), call.parsed.flag("refresh"));
    if peek && refresh {
        return Err(usage("specify one of --peek or --refresh but not both"));
    }
    if args.len() > 2 {
        return Err(super::unrecognized(&args[2..]));
    }
    let key = args.get(1).cloned();

    let created = |session: &Session, id: &str| {
        session.pending.secret_creates.iter().find(|s| bare_secret_id(&s.id) == id).cloned()
    };
    let secret = match (&bare, &label) {
        (Some(id), _) => session
            .state
            .secret(id)
            .cloned()
            .or_else(|| created(session, id))
            .ok_or_else(|| fail(format!("secret \"secret:{id}\" not found")))?,
        (None, Some(label)) => {
            let pending_label =
                |s: &Secret| session.pending.secret_updates.get(bare_secret_id(&s.id)).and_then(|u| u.label.clone());
            let by_owner_label = session
                .state
                .secrets
                .iter()
                .chain(session.pending.secret_creates.iter())
                .find(|s| s.is_owned() && (s.label.as_ref() == Some(label) || pending_label(s).as_ref() == Some(label)))
                .cloned();
            match by_owner_label {
                Some(s) => s,
                None => session
                    .state
                    .secrets
                    .iter()
                    .find(|s| !s.is_owned() && s.consumer_label.as_ref() == Some(label))
                    .cloned()
                    .ok_or_else(|| fail(format!("consumer label {label:?} not found")))?,
            }
        }
        (None, None) => return Err(usage("require either a secret URI or label")),
    };
    let id = bare_secret_id(&secret.id).to_owned();
    let is_create = created(session, &id).is_some();

    // URI + --label sets the label: owner label (deferred) or consumer label (immediate).
    if let (Some(_), Some(label)) = (&bare, &label) {
        if secret.is_owned() {
            if is_create {
                if let Some(c) = session.pending.secret_creates.iter_mut().find(|s| bare_secret_id(&s.id) == id) {
                    c.label = Some(label.clone());
                }
            } else {
                session.pending.secret_updates.entry(id.clone()).or_default().label = Some(label.clone());
            }
        } else if let Some(s) = session.state.secret_mut(&id) {
            s.consumer_label = Some(label.clone());
        }
    }

    let content = if secret.is_owned() {
        let pending_content = if peek || refresh {
            session.pending.secret_updates.get(&id).and_then(|u| u.content.clone())
        } else {
            None
        };
        pending_content.or_else(|| secret.content(secret.latest()).cloned())
    } else if peek {
        secret.content(secret.latest()).cloned()
    } else if refresh || session.pending.secret_track_latest.contains(&id) {
        session.pending.secret_track_latest.insert(id.clone());
        secret.content(secret.latest()).cloned()
    } else {
        let revision = match secret.tracked {
            Some(rev) => rev,
            None => {
                // The first read pins the consumer to the latest revision.
                let latest = secret.latest();
                if let Some(s) = session.state.secret_mut(&id) {
                    s.tracked = Some(latest);
                }
                latest
            }
        };
        secret.content(revision).cloned()
    }
    .ok_or_else(|| fail(format!("secret \"secret:{id}\" not found")))?;

    match key {
        Some(key) => {
            let (name, b64) = match key.strip_suffix("#base64") {
                Some(k) => (k, true),
                None => (key, false),
            };
            let value = content.get(name).ok_or_else(|| fail(format!("secret key value {name:?} not found")))?;
            let value = if b64 { crate::base64::encode(value.as_bytes()) } else { value.clone() };
            Ok(Out::Value(Val::str(value)))
        }
        None => Ok(Out::Value(super::bag_val(&content))),
    }
}

fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn secret_info_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    let label = call.parsed.value("label").map(str::to_owned);
    if args.len() > 1 {
        return Err(super::unrecognized(&args[1..]));
    }
    let bare = match (args.first(), &label) {
        (None, None) => return Err(usage("require either a secret URI or label")),
        (Some(_), Some(_)) => return Err(usage("specify either a secret URI or label but not both")),
        (Some(uri), None) => Some(parse_uri(uri)?),
        (None, Some(_)) => None,
    };
    let visible = owned_visible(session);
    let wanted = bare.clone().or(label.clone()).unwrap_or_default();
    let secret = visible
        .into_iter()
        .find(|s| match (&bare, &label) {
            (Some(id), _) => bare_secret_id(&s.id) == id,
            (None, Some(l)) => s.label.as_ref() == Some(l),
            _ => false,
        })
        .ok_or_else(|| fail(format!("secret {wanted:?} not found")))?;
    let id = bare_secret_id(&secret.id).to_owned();
    let mut secret = secret;
    if let Some(update) = session.pending.secret_updates.get(&id) {
        let meta = SecretUpdate { content: None, ..update.clone() };
        crate::session::apply_update(&mut secret, &meta);
    }
    let grants: Vec<SecretGrant> = secret
        .grants
        .iter()
        .filter(|g| !revoked_in_hook(session, &id, g))
        .cloned()
        .chain(session.pending.secret_grants.iter().filter(|(g, _)| *g == id).map(|(_, g)| g.clone()))
        .collect();
    let access: Vec<Val> = grants
        .iter()
        .map(|g| {
            let target = if g.target.contains('/') {
                format!("unit-{}", g.target.replace('/', "-"))
            } else {
                format!("application-{}", g.target)
            };
            let scope = session
                .state
                .relation(g.relation_id)
                .map(|r| format!("relation-{}.{}#{}.{}", session.state.app(), r.endpoint, r.remote_app, r.endpoint))
                .unwrap_or_else(|| format!("relation-{}", g.relation_id));
            Val::object([("target", Val::str(target)), ("scope", Val::str(scope)), ("role", Val::str("view"))])
        })
        .collect();
    let owner = if secret.owner == SecretOwner::Unit { "unit" } else { "application" };
    let info = Val::object([
        ("revision", Val::Int(i64::from(secret.latest()))),
        ("label", Val::str(secret.label.clone().unwrap_or_default())),
        ("owner", Val::str(owner)),
        ("description", secret.description.clone().filter(|d| !d.is_empty()).map(Val::Str).unwrap_or(Val::Nil)),
        ("rotation", secret.rotate.clone().filter(|r| !r.is_empty()).map(Val::Str).unwrap_or(Val::Nil)),
        ("expiry", secret.expire.as_ref().map(|t| Val::str(rfc3339(t))).unwrap_or(Val::Nil)),
        ("rotates", secret.rotates.as_ref().map(|t| Val::str(rfc3339(t))).unwrap_or(Val::Nil)),
        ("access", if access.is_empty() { Val::Nil } else { Val::List(access) }),
    ])
    .omit_nil();
    Ok(Out::Value(Val::map([(id, info)])))
}

fn secret_ids(session: &mut Session, call: &Call<'_>) -> ToolResult {
    super::check_empty(call.args())?;
    let mut ids: Vec<String> = owned_visible(session).iter().map(|s| bare_secret_id(&s.id).to_owned()).collect();
    ids.sort();
    Ok(Out::Value(Val::strings(ids)))
}

/// `names.IsValidApplication`: `^[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*$`.
pub(crate) fn valid_app(name: &str) -> bool {
    let mut parts = name.split('-');
    let first = parts.next().unwrap_or_default();
    let first_ok = first.starts_with(|c: char| c.is_ascii_lowercase())
        && first.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    first_ok
        && parts.all(|p| {
            p.chars().any(|c| c.is_ascii_lowercase()) && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn valid_unit(name: &str) -> bool {
    match name.split_once('/') {
        Some((app, n)) => valid_app(app) && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()),
        None => false,
    }
}

fn secret_grant(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let Some(uri) = call.args().first() else {
        return Err(usage("missing secret URI"));
    };
    let bare = parse_uri(uri)?;
    let rid = relation_id(session, call)?;
    let remote_app = match session.state.relation(rid) {
        Some(r) if r.peer => session.state.app().to_owned(),
        Some(r) => r.remote_app.clone(),
        None => return Err(usage("relation not found")),
    };
    let unit = call.parsed.value("unit").map(str::to_owned);
    if let Some(unit) = &unit {
        if !valid_unit(unit) {
            return Err(usage(format!("unit {unit:?} not valid")));
        }
        if !unit.starts_with(&format!("{remote_app}/")) {
            return Err(usage(format!("cannot specify unit {unit:?} in relation to application {remote_app:?}")));
        }
    }
    super::check_empty(&call.args()[1..])?;
    // Grants need the secret in the metadata; an app secret then needs leadership.
    let secret = owned_visible(session)
        .into_iter()
        .find(|s| bare_secret_id(&s.id) == bare)
        .ok_or_else(|| fail(format!("secret {bare:?} not found")))?;
    if secret.owner == SecretOwner::App && !is_leader(session) {
        return Err(fail("this unit is not the leader"));
    }
    let existing: Vec<SecretGrant> = secret
        .grants
        .iter()
        .cloned()
        .chain(session.pending.secret_grants.iter().filter(|(g, _)| *g == bare).map(|(_, g)| g.clone()))
        .filter(|g| g.relation_id == rid)
        .filter(|g| !revoked_in_hook(session, &bare, g))
        .collect();
    let app_granted = existing.iter().any(|g| g.target == remote_app);
    let grant = match unit {
        Some(unit) => {
            if app_granted || existing.iter().any(|g| g.target == unit) {
                return Ok(Out::None);
            }
            SecretGrant { relation_id: rid, target: unit }
        }
        None => {
            if app_granted {
                return Ok(Out::None);
            }
            if existing.iter().any(|g| g.target.starts_with(&format!("{remote_app}/"))) {
                return Err(fail(
                    "any unit level grants need to be revoked before granting access to the corresponding application",
                ));
            }
            SecretGrant { relation_id: rid, target: remote_app }
        }
    };
    session.pending.secret_grants.push((bare, grant));
    Ok(Out::None)
}

/// Whether a revoke in this hook covers `grant`.
fn revoked_in_hook(session: &Session, bare: &str, grant: &SecretGrant) -> bool {
    session.pending.secret_revokes.iter().any(|(id, target)| id == bare && target.covers(grant))
}

fn secret_revoke(session: &mut Session, call: &Call<'_>) -> ToolResult {
    // Juju's order of checks: URI, app, unit, app xor unit, relation (explicit or the hook's),
    // something to revoke, extra args.
    let Some(uri) = call.args().first() else {
        return Err(usage("missing secret URI"));
    };
    let bare = parse_uri(uri)?;
    let mut app = call.parsed.value("app").filter(|a| !a.is_empty()).map(str::to_owned);
    let unit = call.parsed.value("unit").filter(|u| !u.is_empty()).map(str::to_owned);
    if let Some(app) = &app
        && !valid_app(app)
    {
        return Err(usage(format!("application {app:?} not valid")));
    }
    if let Some(unit) = &unit
        && !valid_unit(unit)
    {
        return Err(usage(format!("unit {unit:?} not valid")));
    }
    if app.is_some() && unit.is_some() {
        return Err(usage("specify only one of application or unit"));
    }
    // In a relation hook the hook's relation applies even without -r, as in Juju.
    if let Some(rid) = super::relation_id_opt(session, call)? {
        if app.is_some() {
            return Err(usage("do not specify both relation and app"));
        }
        app = session
            .state
            .relation(rid)
            .map(|r| if r.peer { session.state.app().to_owned() } else { r.remote_app.clone() });
    }
    if app.is_none() && unit.is_none() {
        return Err(usage("missing relation or application or unit"));
    }
    super::check_empty(&call.args()[1..])?;
    check_manage(session, &bare)?;
    let targets: Vec<RevokeTarget> =
        app.map(RevokeTarget::App).into_iter().chain(unit.map(RevokeTarget::Unit)).collect();
    for target in targets {
        // A revoke cancels matching grants from this hook.
        session.pending.secret_grants.retain(|(id, g)| *id != bare || !target.covers(g));
        session.pending.secret_revokes.push((bare.clone(), target));
    }
    Ok(Out::None)
}

fn secret_remove(session: &mut Session, call: &Call<'_>) -> ToolResult {
    // --revision is a gnuflag int: it is parsed (strconv.ParseInt) before the arguments are checked.
    let revision = match call.parsed.value_with_spelling("revision") {
        Some((spelled, value)) => Some(super::go_parse_int(value).map_err(|reason| {
            usage(format!(
                "invalid value {value:?} for option {spelled}: strconv.ParseInt: parsing {value:?}: {reason}"
            ))
        })?),
        None => None,
    };
    let Some(uri) = call.args().first() else {
        return Err(usage("missing secret URI"));
    };
    let bare = parse_uri(uri)?;
    super::check_empty(&call.args()[1..])?;
    let revision = revision.filter(|r| *r > 0).map(|r| u32::try_from(r).unwrap_or(u32::MAX));
    check_manage(session, &bare)?;
    let pending = &mut session.pending;
    match revision {
        Some(rev) => {
            let entry = pending.secret_removes.entry(bare).or_insert_with(|| Some(BTreeSet::new()));
            if let Some(revs) = entry {
                revs.insert(rev);
            }
        }
        None => {
            // Removing the whole secret cancels this hook's other changes to it.
            pending.secret_updates.remove(&bare);
            pending.secret_grants.retain(|(id, _)| *id != bare);
            pending.secret_revokes.retain(|(id, _)| *id != bare);
            pending.secret_track_latest.remove(&bare);
            let before = pending.secret_creates.len();
            pending.secret_creates.retain(|s| bare_secret_id(&s.id) != bare);
            if pending.secret_creates.len() == before {
                pending.secret_removes.insert(bare, None);
            }
        }
    }
    Ok(Out::None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_rule() {
        for ok in ["abc", "a-b-c", "private-key", "a1b", "abc-def0"] {
            assert!(valid_key(ok), "{ok}");
        }
        for bad in ["ab", "Abc", "a--bc", "abc-", "-abc", "1abc", "a_bc"] {
            assert!(!valid_key(bad), "{bad}");
        }
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("24h"), Some(24 * 3600 * 1_000_000_000));
        assert_eq!(parse_go_duration("1h30m"), Some(5400 * 1_000_000_000));
        assert_eq!(parse_go_duration("-1h"), Some(-3600 * 1_000_000_000));
        assert_eq!(parse_go_duration("soon"), None);
    }

    #[test]
    fn uris() {
        assert_eq!(parse_uri("secret:cn0s4cu5gdbs7e2q5l4g").unwrap(), "cn0s4cu5gdbs7e2q5l4g");
        assert_eq!(parse_uri("cn0s4cu5gdbs7e2q5l4g").unwrap(), "cn0s4cu5gdbs7e2q5l4g");
        assert!(parse_uri("secret:nope").is_err());
    }
}
