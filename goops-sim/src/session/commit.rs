//! Committing a hook's pending writes, as the controller does when the hook exits 0, and what
//! the controller refuses then.

use chrono::{DateTime, Utc};
use goops_juju::RotatePolicy;
use goops_juju::hooks::{RelationEventKind, StorageEventKind};
use goops_juju::secret::bare_secret_id;

use super::{Pending, SecretUpdate};
use crate::event::Event;
use crate::state::{Secret, State};

/// What the controller would refuse when the hook's changes are committed.
pub(super) fn check_commit(state: &State, pending: &Pending) -> Result<(), String> {
    if let Some(unit_state) = &pending.unit_state {
        crate::state::check_charm_state_size(unit_state)?;
    }
    let created = |id: &str| pending.secret_creates.iter().any(|s| bare_secret_id(&s.id) == id);
    let ids = pending
        .secret_updates
        .keys()
        .chain(pending.secret_removes.keys())
        .chain(pending.secret_revokes.iter().map(|(id, _)| id));
    for id in ids {
        if created(id) {
            continue;
        }
        match state.secret(id) {
            None => return Err(format!("secret {id:?} not found")),
            Some(secret) if !secret.is_owned() => return Err("permission denied".to_owned()),
            Some(secret) if secret.is_app_owned() && !state.leader => return Err("permission denied".to_owned()),
            Some(_) => {}
        }
    }
    Ok(())
}

pub(super) fn commit(state: &mut State, pending: &mut Pending, event: &Event) {
    for (id, bag) in &pending.unit_bags {
        if let Some(relation) = state.relation_mut(*id) {
            relation.local_unit_data = bag.clone();
        }
    }
    for (id, bag) in &pending.app_bags {
        if let Some(relation) = state.relation_mut(*id) {
            relation.local_app_data = bag.clone();
        }
    }
    if let Some(bag) = &pending.unit_state {
        state.unit_state = bag.clone();
    }
    if let Some(ports) = &pending.ports {
        state.opened_ports = ports.clone();
    }
    for (name, count) in &pending.storage_adds {
        *state.storage_requests.entry(name.clone()).or_default() += count;
    }
    commit_secrets(state, pending);
    if pending.reboot {
        state.reboot = Some(crate::state::Reboot { now: false });
    }
    // The event itself changes the world once the hook succeeded.
    match event {
        Event::Relation { kind: RelationEventKind::Departed, relation, departing_unit: Some(departing), .. } => {
            if let Some(relation) = state.relation_mut(relation.id) {
                relation.remote_units.remove(departing);
            }
        }
        Event::Relation { kind: RelationEventKind::Broken, relation, .. } => {
            state.relations.retain(|r| r.id != relation.id);
            for secret in &mut state.secrets {
                secret.grants.retain(|g| g.relation_id != relation.id);
            }
        }
        Event::Storage { kind: StorageEventKind::Detaching, id, .. } => {
            state.storage.retain(|s| s.id() != *id);
        }
        _ => {}
    }
}

fn commit_secrets(state: &mut State, pending: &mut Pending) {
    state.secrets.append(&mut pending.secret_creates);
    for (id, update) in &pending.secret_updates {
        let Some(secret) = state.secret_mut(id) else { continue };
        apply_update(secret, update);
    }
    for (id, grant) in &pending.secret_grants {
        if let Some(secret) = state.secret_mut(id)
            && !secret.grants.contains(grant)
        {
            secret.grants.push(grant.clone());
        }
    }
    for (id, target) in &pending.secret_revokes {
        if let Some(secret) = state.secret_mut(id) {
            secret.grants.retain(|g| !target.covers(g));
        }
    }
    for id in &pending.secret_track_latest {
        if let Some(secret) = state.secret_mut(id) {
            secret.tracked = Some(secret.latest());
        }
    }
    for (id, revisions) in &pending.secret_removes {
        match revisions {
            None => state.secrets.retain(|s| bare_secret_id(&s.id) != id),
            Some(revs) => {
                if let Some(secret) = state.secret_mut(id) {
                    secret.revisions.retain(|r| !revs.contains(&r.revision));
                }
                // A secret without revisions is gone.
                state.secrets.retain(|s| !s.revisions.is_empty());
            }
        }
    }
}

/// Apply a secret update: new content makes a new revision only when it differs from the latest.
pub(crate) fn apply_update(secret: &mut Secret, update: &SecretUpdate) {
    if let Some(content) = &update.content {
        let latest = secret.latest();
        if secret.content(latest) != Some(content) {
            secret.revisions.push(crate::state::SecretRevision { revision: latest + 1, content: content.clone() });
        }
    }
    if let Some(label) = &update.label {
        secret.label = Some(label.clone());
    }
    if let Some(description) = &update.description {
        secret.description = Some(description.clone());
    }
    if let Some(expire) = update.expire {
        secret.expire = Some(expire);
    }
    if let Some(rotate) = update.rotate {
        if secret.rotate != Some(rotate) || secret.rotates.is_none() {
            secret.rotates = next_rotation(rotate);
        }
        secret.rotate = Some(rotate);
    }
}

/// The controller schedules the next rotation one policy interval from now.
pub(crate) fn next_rotation(policy: RotatePolicy) -> Option<DateTime<Utc>> {
    let interval = chrono::Duration::from_std(policy.interval()?).ok()?;
    Some(Utc::now() + interval)
}
