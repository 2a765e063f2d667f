//! Committing a hook's pending writes, as the controller does when the hook exits 0, and what
//! the controller refuses then.

use chrono::{DateTime, Utc};
use goops_juju::RotatePolicy;
use goops_juju::hooks::{RelationEventKind, StorageEventKind};
use goops_juju::secret::bare_secret_id;

use super::{Pending, SecretUpdate};
use crate::event::Event;
use crate::state::{LabelHolder, Secret, SecretContent, SecretRevision, State, label_clash};

/// What the controller would refuse when the hook's changes are committed.
pub(super) fn check_commit(state: &State, pending: &Pending) -> Result<(), String> {
    if let Some(unit_state) = &pending.unit_state {
        crate::state::check_charm_state_size(unit_state)?;
    }
    let created = |id: &str| pending.secret_creates.iter().any(|s| bare_secret_id(&s.id) == id);
    // A remove of a secret this hook created and removed reaches the controller for a secret
    // that never existed; Juju commits the hook (the create is simply not made).
    let removes = pending.secret_removes.keys().filter(|id| !pending.secret_cancelled.contains(*id));
    let ids = pending.secret_updates.keys().chain(removes).chain(pending.secret_revokes.iter().map(|(id, _)| id));
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
    check_labels(state, pending)?;
    for (id, update) in &pending.secret_updates {
        if let (Some(content), Some(secret)) = (&update.content, state.secret(id))
            && secret.latest() == u32::MAX
            && secret.revision(u32::MAX).map(SecretRevision::bytes).as_ref() != Some(content)
        {
            return Err(last_revision_error(id));
        }
    }
    Ok(())
}

/// The controller's label checks when it stores this hook's creates and label updates
/// ([`label_clash`]): a label must not be used by another secret in this unit's view (owner or
/// consumer label), once this hook's removes and other label changes are applied.
fn check_labels(state: &State, pending: &Pending) -> Result<(), String> {
    let removed = |id: &str| matches!(pending.secret_removes.get(id), Some(None));
    // Every secret's label after the hook: the state's (pending label updates applied) and the
    // creates'.
    let after: Vec<(&str, LabelHolder, String)> = state
        .secrets
        .iter()
        .filter(|s| !removed(bare_secret_id(&s.id)))
        .filter_map(|s| {
            let id = bare_secret_id(&s.id);
            let pending_label = pending.secret_updates.get(id).and_then(|u| u.label.clone());
            let label = if s.is_owned() { pending_label.or(s.label.clone()) } else { s.consumer_label.clone() };
            Some((id, LabelHolder::of(s), label?))
        })
        .chain(
            pending
                .secret_creates
                .iter()
                .filter_map(|s| Some((bare_secret_id(&s.id), LabelHolder::of(s), s.label.clone()?))),
        )
        .collect();
    let created = pending.secret_creates.iter().filter_map(|s| Some((bare_secret_id(&s.id), s.label.as_deref()?)));
    let relabelled = pending.secret_updates.iter().filter_map(|(id, u)| Some((id.as_str(), u.label.as_deref()?)));
    for (id, label) in created.chain(relabelled) {
        let Some(&(_, holder, _)) = after.iter().find(|(other, ..)| *other == id) else { continue };
        let others = after.iter().filter(|(other, ..)| *other != id).map(|(_, h, l)| (*h, l.clone()));
        if let Some(refusal) = label_clash(&state.unit, holder, label, others) {
            return Err(refusal);
        }
    }
    Ok(())
}

/// Why new content cannot be stored once a secret reached revision `u32::MAX`.
pub(crate) fn last_revision_error(id: &str) -> String {
    format!("secret {id:?} is at revision {}, the last one goops-sim can store: no new revision can be made", u32::MAX)
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
        // The remote unit leaves the members, whoever is departing (as relation-list shows).
        Event::Relation { kind: RelationEventKind::Departed, relation, remote_unit: Some(departed), .. } => {
            if let Some(relation) = state.relation_mut(relation.id) {
                relation.remote_units.remove(departed);
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
        // `check_commit` refused an update past the last revision number (`new_revision`).
        if let Some(next) = new_revision(secret, content) {
            secret.revisions.push(crate::state::SecretRevision::from_bytes(next, content.clone()));
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

/// The revision number new content makes: `None` when the content equals the latest revision's
/// (no new revision), or when the latest is already `u32::MAX` (there is no next number;
/// [`check_commit`] refuses that update with a clear error).
pub(crate) fn new_revision(secret: &Secret, content: &SecretContent) -> Option<u32> {
    let latest = secret.latest();
    if secret.revision(latest).map(SecretRevision::bytes).as_ref() == Some(content) {
        return None;
    }
    latest.checked_add(1)
}

/// The controller schedules the next rotation one policy interval from now.
pub(crate) fn next_rotation(policy: RotatePolicy) -> Option<DateTime<Utc>> {
    let interval = chrono::Duration::from_std(policy.interval()?).ok()?;
    Some(Utc::now() + interval)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::SecretOwner;

    /// `secret-set` refuses new content at the last revision first (tools/secret/upsert.rs);
    /// this is the controller-side guard behind it, reached here with a hand-built `Pending`.
    #[test]
    fn new_content_at_the_last_revision_is_refused_at_commit() {
        let id = "d1fa9k3vrgbs7e2q5m10";
        let last = SecretRevision { revision: u32::MAX, ..SecretRevision::default() };
        let secret = Secret {
            id: format!("secret:{id}"),
            owner: Some(SecretOwner::Unit),
            revisions: vec![last.clone()],
            ..Secret::default()
        };
        let state = State { secrets: vec![secret], ..State::default() };
        let update = |content: SecretContent| {
            let mut pending = Pending::default();
            pending.secret_updates.insert(id.to_owned(), SecretUpdate { content: Some(content), ..Default::default() });
            pending
        };
        let new: SecretContent = [("key".to_owned(), b"new".to_vec())].into();
        assert_eq!(check_commit(&state, &update(new)), Err(last_revision_error(id)));
        // The same content makes no revision, so it commits.
        assert_eq!(check_commit(&state, &update(last.bytes())), Ok(()));
    }
}
