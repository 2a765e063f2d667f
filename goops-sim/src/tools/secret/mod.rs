//! `secret-add`, `secret-set`, `secret-get`, `secret-info-get`, `secret-ids`, `secret-grant`,
//! `secret-revoke`, `secret-remove`: the reads here, content writes in [`upsert`], access and
//! removal in [`access`].

mod access;
mod upsert;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use goops_juju::secret::bare_secret_id;

use super::{Call, Formats, Out, ToolDef, ToolError, ToolResult, fail, is_leader, usage};
use crate::flags::FlagSpec;
use crate::format::Val;
use crate::session::{SecretUpdate, Session};
use crate::state::{LabelHolder, Secret, SecretGrant, SecretOwner, SecretRevision, label_clash};

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
    run: upsert::secret_add,
};

const SECRET_SET: ToolDef = ToolDef {
    name: "secret-set",
    args: "<ID> [key[#base64]=value...]",
    purpose: "update an existing secret",
    flags: UPSERT_FLAGS,
    formats: Formats::None,
    run: upsert::secret_set,
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
    run: access::secret_grant,
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
    run: access::secret_revoke,
};

const SECRET_REMOVE: ToolDef = ToolDef {
    name: "secret-remove",
    args: "<ID>",
    purpose: "remove an existing secret",
    flags: &[FlagSpec::value(&["revision"], "REVISION", "remove the specified revision")],
    formats: Formats::None,
    run: access::secret_remove,
};

/// Parse a secret URI (`secret:<id>`, `secret://<uuid>/<id>`, `<id>`) as Juju does, returning
/// the bare id.
fn parse_uri(uri: &str) -> Result<String, ToolError> {
    goops_juju::secret::check_secret_uri(uri)
        .map(|uri| bare_secret_id(uri).to_owned())
        .map_err(|_| usage(format!("secret URI {uri:?} not valid")))
}

/// The secrets whose metadata this unit sees (Juju's `SecretMetadata()`): unit-owned, app-owned
/// when the unit was leader as the hook started (the metadata is loaded once), plus this hook's
/// creates, minus this hook's removals (rule 32).
pub(super) fn owned_visible(session: &Session) -> Vec<Secret> {
    let leader = session.metadata_leader;
    let removed: BTreeSet<&String> =
        session.pending.secret_removes.iter().filter(|(_, r)| r.is_none()).map(|(id, _)| id).collect();
    session
        .state
        .secrets
        .iter()
        .filter(|s| s.owner == Some(SecretOwner::Unit) || (s.is_app_owned() && leader))
        .chain(session.pending.secret_creates.iter())
        .filter(|s| !removed.contains(&bare_secret_id(&s.id).to_owned()))
        .cloned()
        .collect()
}

/// Juju's check for secret-set, secret-remove and secret-revoke (rule 24): an app-owned secret
/// in the metadata loaded at hook start needs leadership now. Anything else is accepted here and
/// checked when the hook's changes are committed (a non-leader or a consumer then fails the hook).
pub(super) fn check_manage(session: &mut Session, bare: &str) -> Result<(), ToolError> {
    let loaded_app_secret = session.metadata_leader && session.state.secret(bare).is_some_and(Secret::is_app_owned);
    if loaded_app_secret && !is_leader(session) {
        return Err(fail("this unit is not the leader"));
    }
    Ok(())
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
    // A consumer reads only what it was granted (the controller's `canRead`; Juju's
    // apiserver/errors ErrPerm is "permission denied"). The grants are in the state.
    let state = &session.state;
    if !secret.granted_to(&state.unit, state.app(), |rid| state.relation(rid).is_some()) {
        return Err(fail("permission denied"));
    }

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
        } else if secret.consumer_label.as_ref() != Some(label) {
            // The controller saves a consumer label at once, and refuses one already in use in
            // this unit's view (state `SaveSecretConsumer` → `uniqueSecretConsumerLabelOps`).
            let others = session.state.secrets.iter().filter(|s| bare_secret_id(&s.id) != id).filter_map(|s| {
                let other = if s.is_owned() { s.label.clone() } else { s.consumer_label.clone() };
                Some((LabelHolder::of(s), other?))
            });
            if let Some(refusal) = label_clash(&session.state.unit, LabelHolder::Consumer, label, others) {
                return Err(fail(refusal));
            }
            if let Some(s) = session.state.secret_mut(&id) {
                s.consumer_label = Some(label.clone());
            }
        }
    }

    // Rule 30 (Juju >= 3.1.7): owners and consumers alike read the revision they track, pinned
    // by their first read; --peek reads the latest once; --refresh reads the latest and tracks it
    // from the commit on. Content an owner updated earlier in this hook is the latest for --peek
    // and --refresh only.
    let revision_bytes = |rev: u32| secret.revision(rev).map(SecretRevision::bytes);
    let latest = |session: &Session| {
        let pending = if peek || refresh {
            session.pending.secret_updates.get(&id).and_then(|u| u.content.clone())
        } else {
            None
        };
        pending.or_else(|| revision_bytes(secret.latest()))
    };
    let content = if peek {
        latest(session)
    } else if refresh || session.pending.secret_track_latest.contains(&id) {
        session.pending.secret_track_latest.insert(id.clone());
        latest(session)
    } else {
        let revision = match secret.tracked {
            Some(rev) => rev,
            None => {
                // The first read pins the latest revision, for owners and consumers alike.
                let latest = secret.latest();
                if let Some(s) = session.state.secret_mut(&id) {
                    s.tracked = Some(latest);
                }
                latest
            }
        };
        revision_bytes(revision)
    }
    .ok_or_else(|| fail(format!("secret \"secret:{id}\" not found")))?;

    match key {
        Some(key) => {
            let (name, b64) = match key.strip_suffix("#base64") {
                Some(k) => (k, true),
                None => (key, false),
            };
            let value = content.get(name).ok_or_else(|| fail(format!("secret key value {name:?} not found")))?;
            if b64 {
                return Ok(Out::Value(Val::str(crate::b64::encode(value))));
            }
            Ok(Out::Value(bytes_val(value)))
        }
        None => Ok(Out::Value(Val::map(content.iter().map(|(k, v)| (k.clone(), bytes_val(v)))))),
    }
}

/// A content value as Juju's formatters see it: a Go string, printed as text when it is UTF-8
/// and as bytes (`!!binary` in YAML) when not.
fn bytes_val(value: &[u8]) -> Val {
    match std::str::from_utf8(value) {
        Ok(text) => Val::str(text),
        Err(_) => Val::Bytes(value.to_vec()),
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
    // Juju's `SecretMetadata()`: this hook's creates and the loaded metadata with this hook's
    // updates applied, so a label set in this hook finds the secret and its old label does not.
    // A create has no next rotation time yet (the controller sets it on commit), and an update
    // of the policy keeps the loaded one.
    let visible = owned_visible(session).into_iter().map(|mut secret| {
        let id = bare_secret_id(&secret.id).to_owned();
        if session.pending.secret_creates.iter().any(|c| bare_secret_id(&c.id) == id) {
            secret.rotates = None;
        } else if let Some(update) = session.pending.secret_updates.get(&id) {
            let rotates = secret.rotates;
            crate::session::apply_update(&mut secret, &SecretUpdate { content: None, ..update.clone() });
            secret.rotates = rotates;
        }
        secret
    });
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
    let owner = secret.owner.unwrap_or_default().as_str();
    let info = Val::object([
        ("revision", Val::Int(i64::from(secret.latest()))),
        ("label", Val::str(secret.label.clone().unwrap_or_default())),
        ("owner", Val::str(owner)),
        ("description", secret.description.clone().filter(|d| !d.is_empty()).map(Val::Str).unwrap_or(Val::Nil)),
        ("rotation", secret.rotate.map(|r| Val::str(r.as_str())).unwrap_or(Val::Nil)),
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
    if ids.is_empty() {
        // secret-ids.go prints a nil `[]string` (`var out []string`): JSON `null`, YAML `[]`,
        // smart nothing.
        return Ok(Out::PerFormat { json: Val::Nil, yaml: Val::List(Vec::new()) });
    }
    Ok(Out::Value(Val::strings(ids)))
}

/// Whether a revoke in this hook covers `grant`.
pub(super) fn revoked_in_hook(session: &Session, bare: &str, grant: &SecretGrant) -> bool {
    session.pending.secret_revokes.iter().any(|(id, target)| id == bare && target.covers(grant))
}

/// The options of secret-add and secret-set that take a value (the next argument unless written
/// `--name=value`).
const VALUE_OPTIONS: &[&str] = &["--owner", "--rotate", "--expire", "--label", "--description", "--file"];

/// `args` of a secret-add or secret-set call as they may be recorded: each content argument's
/// value (`key=value`, `key#base64=value`) replaced by `<redacted>`. `key#file=path` is kept (the
/// path is not the content), and so are options and their values.
pub(crate) fn redact_content_args(args: Vec<String>) -> Vec<String> {
    let mut option_value_next = false;
    let mut after_dashes = false;
    args.into_iter()
        .map(|arg| {
            let is_option = !after_dashes && arg.starts_with('-') && arg != "-";
            if arg == "--" && !after_dashes {
                after_dashes = true;
                return arg;
            }
            if std::mem::take(&mut option_value_next) || is_option {
                option_value_next = is_option && !arg.contains('=') && VALUE_OPTIONS.contains(&arg.as_str());
                return arg;
            }
            match arg.split_once('=') {
                Some((key, _)) if !key.ends_with("#file") && !key.is_empty() => format!("{key}=<redacted>"),
                _ => arg,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn recorded_content_values_are_redacted() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let redacted = redact_content_args(args(&[
            "--label",
            "x=y",
            "--description=a=b",
            "password=hunter2",
            "token#base64=aHVudGVyMg==",
            "key#file=/dev/shm/k",
            "secret:cn0s4cu5gdbs7e2q5l4g",
        ]));
        assert_eq!(
            redacted,
            args(&[
                "--label",
                "x=y",
                "--description=a=b",
                "password=<redacted>",
                "token#base64=<redacted>",
                "key#file=/dev/shm/k",
                "secret:cn0s4cu5gdbs7e2q5l4g",
            ])
        );
        assert!(!redacted.iter().any(|a| a.contains("hunter2") || a.contains("aHVudGVy")));
    }

    use super::*;

    #[test]
    fn uris() {
        assert_eq!(parse_uri("secret:cn0s4cu5gdbs7e2q5l4g").unwrap(), "cn0s4cu5gdbs7e2q5l4g");
        assert_eq!(parse_uri("cn0s4cu5gdbs7e2q5l4g").unwrap(), "cn0s4cu5gdbs7e2q5l4g");
        assert!(parse_uri("secret:nope").is_err());
    }
}
