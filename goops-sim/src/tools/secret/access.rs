//! `secret-grant`, `secret-revoke`, `secret-remove`.

use std::collections::BTreeSet;

use goops_juju::secret::bare_secret_id;
use goops_juju::unit::{is_valid_app_name, is_valid_unit_name};

use super::{Call, Out, ToolResult, check_manage, fail, is_leader, owned_visible, parse_uri, revoked_in_hook, usage};
use crate::session::{RevokeTarget, Session};
use crate::state::SecretGrant;
use crate::tools::relation_id;

pub(super) fn secret_grant(session: &mut Session, call: &Call<'_>) -> ToolResult {
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
        if !is_valid_unit_name(unit) {
            return Err(usage(format!("unit {unit:?} not valid")));
        }
        if !unit.starts_with(&format!("{remote_app}/")) {
            return Err(usage(format!("cannot specify unit {unit:?} in relation to application {remote_app:?}")));
        }
    }
    crate::tools::check_empty(&call.args()[1..])?;
    // Grants need the secret in the metadata; an app secret then needs leadership.
    let secret = owned_visible(session)
        .into_iter()
        .find(|s| bare_secret_id(&s.id) == bare)
        .ok_or_else(|| fail(format!("secret {bare:?} not found")))?;
    if secret.is_app_owned() && !is_leader(session) {
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

pub(super) fn secret_revoke(session: &mut Session, call: &Call<'_>) -> ToolResult {
    // Juju's order of checks: URI, app, unit, app xor unit, relation (explicit or the hook's),
    // something to revoke, extra args.
    let Some(uri) = call.args().first() else {
        return Err(usage("missing secret URI"));
    };
    let bare = parse_uri(uri)?;
    let mut app = call.parsed.value("app").filter(|a| !a.is_empty()).map(str::to_owned);
    let unit = call.parsed.value("unit").filter(|u| !u.is_empty()).map(str::to_owned);
    if let Some(app) = &app
        && !is_valid_app_name(app)
    {
        return Err(usage(format!("application {app:?} not valid")));
    }
    if let Some(unit) = &unit
        && !is_valid_unit_name(unit)
    {
        return Err(usage(format!("unit {unit:?} not valid")));
    }
    if app.is_some() && unit.is_some() {
        return Err(usage("specify only one of application or unit"));
    }
    // In a relation hook the hook's relation applies even without -r, as in Juju.
    if let Some(rid) = crate::tools::relation_id_opt(session, call)? {
        if app.is_some() {
            return Err(usage("do not specify both relation and app"));
        }
        app = session
            .state
            .relation(rid)
            .map(|r| if r.peer { session.state.app().to_owned() } else { r.remote_app.clone() });
    }
    // The agent sends one subject: the unit when one is given, else the application (the
    // uniter's `SecretGrantRevokeArgs.ToParams`). So a relation (`-r`, or the hook's) with
    // `--unit` revokes that unit only, not the relation's application.
    let target = match (unit, app) {
        (Some(unit), _) => RevokeTarget::Unit(unit),
        (None, Some(app)) => RevokeTarget::App(app),
        (None, None) => return Err(usage("missing relation or application or unit")),
    };
    crate::tools::check_empty(&call.args()[1..])?;
    check_manage(session, &bare)?;
    // A revoke cancels matching grants from this hook.
    session.pending.secret_grants.retain(|(id, g)| *id != bare || !target.covers(g));
    session.pending.secret_revokes.push((bare, target));
    Ok(Out::None)
}

pub(super) fn secret_remove(session: &mut Session, call: &Call<'_>) -> ToolResult {
    // --revision is a gnuflag int: it is parsed (strconv.ParseInt) before the arguments are checked.
    let revision = match call.parsed.value_with_spelling("revision") {
        Some((spelled, value)) => Some(crate::tools::go_parse_int(value).map_err(|reason| {
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
    crate::tools::check_empty(&call.args()[1..])?;
    let revision = revision.filter(|r| *r > 0).map(|r| u32::try_from(r).unwrap_or(u32::MAX));
    check_manage(session, &bare)?;
    let pending = &mut session.pending;
    // Juju's `secretsChangeRecorder.remove`: any remove, of a revision or of the whole secret,
    // drops this hook's create of the secret and its other pending changes; the removes then
    // accumulate (a whole-secret remove wins over revisions).
    pending.secret_updates.remove(&bare);
    pending.secret_grants.retain(|(id, _)| *id != bare);
    pending.secret_revokes.retain(|(id, _)| *id != bare);
    pending.secret_track_latest.remove(&bare);
    let before = pending.secret_creates.len();
    pending.secret_creates.retain(|s| bare_secret_id(&s.id) != bare);
    if pending.secret_creates.len() != before {
        pending.secret_cancelled.insert(bare.clone());
    }
    match revision {
        Some(rev) => {
            let entry = pending.secret_removes.entry(bare).or_insert_with(|| Some(BTreeSet::new()));
            if let Some(revs) = entry {
                revs.insert(rev);
            }
        }
        None => {
            pending.secret_removes.insert(bare, None);
        }
    }
    Ok(Out::None)
}
