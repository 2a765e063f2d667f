//! One unit agent's resolver: compare the controller's state with what the unit has seen
//! ([`AgentState`]) and answer "what runs next?", in the priority order of Juju's uniter
//! (`internal/worker/uniter/resolver.go`). No event queue: hooks follow from the difference,
//! so coalescing (several writes, one relation-changed) comes for free.
//!
//! The tiers, highest first (each tier's ops are legal alternatives: Juju walks relations,
//! secrets and storage in Go map order, so the choice among them is free):
//! 0. dead or removed: nothing; in error: only the retry of an injected failure, and actions;
//! 1. a hook queued by the previous hook's commit;
//! 2. not installed: machines run storage-attached for deploy-time storage, then install;
//!    Kubernetes runs install first;
//! 3. relation-created; 4. leadership; 5. Pebble readiness and storage attached after install;
//! 6. secrets; 7. actions; 8. dying: teardown; 9. upgrade-charm; 10. config-changed;
//! 11. relation hooks; 12. update-status.

use std::collections::BTreeSet;

use chrono::Duration;
use goops_juju::hooks::{HookKind, RelationEventKind, SecretEventKind, StorageEventKind, WorkloadEventKind};

use super::controller::{
    AgentState, Controller, HookError, Life, Op, RelationDoc, SecretDoc, SecretOwnerRef, Unit, Versioned,
};
use crate::state::ModelType;

#[cfg(test)]
#[path = "agent_tests.rs"]
mod agent_tests;

/// How long after a secret-rotate that made no new revision Juju tries again
/// (`RotateRetryDelay` in Juju's `core/secrets/rotate.go`).
const ROTATE_RETRY_DELAY_MINUTES: i64 = 5;

/// The ops `unit` may run next: the highest-priority tier that has anything, every entry a
/// legal alternative at that priority (Juju picks among relations, or among secrets, in map
/// order: a free choice). Empty when the unit is idle (or dead). update-status is offered only
/// when the clock has passed a tick the unit has not seen.
pub(crate) fn next_ops(ctrl: &Controller, unit: &str) -> Vec<Op> {
    let Some(u) = ctrl.units.get(unit) else { return Vec::new() };
    let agent = &u.agent;
    // Tier 0: Juju's resolver answers "unit dead" before anything else.
    if u.life == Life::Dead || agent.removed {
        return Vec::new();
    }
    let action = agent.actions.front().filter(|_| agent.installed).cloned();
    // A hook in error blocks every other hook; actions still run (Juju's actions resolver sits
    // above the hook-error state). An injected failure is retried on its own, as Juju's retry
    // timer does; a real one waits for `Model::resolve`.
    // A leader-only hook whose unit lost the lease before its retry is skipped by Juju
    // (`operation/runhook.go` Prepare): the unit carries on as if idle, and its next commit
    // clears the error.
    if let Some(error) = &agent.error
        && !(error.injected && stale(ctrl, u, &error.op))
    {
        let mut ops: Vec<Op> = action.into_iter().collect();
        if error.injected {
            ops.push(error.op.clone());
        }
        return ops;
    }
    let alive = u.life == Life::Alive;
    // Tier 1: a queued hook runs next, with nothing (not even an action) in between; a queued
    // install waits for the idle path, so a dying unit never installs.
    if let Some(queued) = &agent.queued
        && (alive || !is_kind(queued, HookKind::Install))
        && !stale(ctrl, u, queued)
    {
        return vec![queued.clone()];
    }
    let kubernetes = ctrl.model.model_type == ModelType::Kubernetes;
    // Tier 2: install (machines attach deploy-time storage first; a dying unit that never
    // installed runs nothing).
    if !agent.installed {
        if !alive {
            return Vec::new();
        }
        if !kubernetes {
            let storage = storage_attached_ops(u);
            if !storage.is_empty() {
                return storage;
            }
        }
        return vec![Op::hook(HookKind::Install.juju_name())];
    }
    let tiers: [fn(&Controller, &Unit) -> Vec<Op>; 4] = [created_ops, leadership_ops, workload_ops, secret_ops];
    for tier in tiers {
        let ops = tier(ctrl, u);
        if !ops.is_empty() {
            return ops;
        }
    }
    // Tier 7: actions, oldest first, whenever the unit is idle.
    if let Some(action) = action {
        return vec![action];
    }
    // Tier 8: a dying unit tears down and does nothing else.
    if !alive {
        return dying_ops(ctrl, u);
    }
    let Some(app) = ctrl.applications.get(&u.app) else { return Vec::new() };
    // Tier 9: the charm changed (Juju's `charmModified`).
    if app.charm_revision != agent.charm_revision {
        return vec![Op::hook(HookKind::UpgradeCharm.juju_name())];
    }
    // Tier 10: the config hash changed (it starts empty, so every unit runs it once).
    if agent.config_seen != Some(app.config_version) {
        return vec![Op::hook(HookKind::ConfigChanged.juju_name())];
    }
    // Tier 11: relation hooks, only once started (before start, config-changed's queued start
    // always runs first in Juju; the check keeps that true for any hand-built state).
    if agent.started {
        let ops = relation_ops(ctrl, u);
        if !ops.is_empty() {
            return ops;
        }
        // Tier 12: update-status when a tick passed and nothing else is runnable.
        if ctrl.update_status_tick > agent.update_status_tick_seen {
            return vec![Op::hook(HookKind::UpdateStatus.juju_name())];
        }
    }
    Vec::new()
}

/// Whether `unit` will never run another op: removed, dead, or dying before it ever installed
/// (Juju's resolver then answers "unit dead" without running remove). The caller marks such a
/// unit Dead.
pub(crate) fn is_finished(ctrl: &Controller, unit: &str) -> bool {
    ctrl.units.get(unit).is_none_or(|u| {
        u.life == Life::Dead
            || u.agent.removed
            || (u.life == Life::Dying && !u.agent.installed && u.agent.error.is_none())
    })
}

/// Bookkeeping when `op` is chosen, before it runs: entering the relation's scope for
/// relation-created (the unit bag pre-filled with the address keys), as Juju does while
/// choosing the op (the relation state tracker enters scope, then the hook runs).
pub(crate) fn begin(ctrl: &mut Controller, unit: &str, op: &Op) {
    if !is_kind(op, HookKind::Relation(RelationEventKind::Created)) {
        return;
    }
    let Some(rel) = op.relation_id.and_then(|id| ctrl.relation_mut(id)) else { return };
    rel.scope.insert(unit.to_owned());
    // The apiserver's EnterScope writes the addresses into a bag that does not exist yet; a
    // bag already there (a retry, or state built by hand) is left alone.
    rel.unit_data
        .entry(unit.to_owned())
        .or_insert_with(|| Versioned { version: 0, data: crate::state::Network::default().enter_scope_settings() });
}

/// Bookkeeping after `op` ran and its writes were committed (`ok`) or discarded: mark what it
/// saw, queue the hook it chains to (config-changed → start, upgrade-charm → config-changed),
/// or hold the unit in error with `failure`: the failure's message, and whether the seeded
/// scheduler injected it (then the agent retries it on its own).
pub(crate) fn finish(ctrl: &mut Controller, unit: &str, op: &Op, ok: bool, failure: Option<(String, bool)>) {
    let tick = ctrl.update_status_tick;
    // A queued leader-only hook the unit can no longer run is dropped (Juju skips it).
    let stale_queued = ctrl.units.get(unit).and_then(|u| u.agent.queued.as_ref().map(|q| stale(ctrl, u, q)));
    let Some(u) = ctrl.units.get_mut(unit) else { return };
    let agent = &mut u.agent;
    if !ok && !op.is_action() {
        let (message, injected) = failure.unwrap_or_else(|| (format!("hook {:?} failed", op.hook), false));
        // The failed hook is held in `error` (a resolve puts it back in `queued`).
        if agent.queued.as_ref() == Some(op) {
            agent.queued = None;
        }
        agent.error = Some(HookError { op: op.clone(), message, injected });
        return;
    }
    if op.is_action() {
        // An action never holds the unit in error; it is done either way (Juju fails an
        // action whose process died, and does not re-run it).
        let id = op.action.as_ref().map(|a| &a.id);
        if let Some(at) = agent.actions.iter().position(|a| a.action.as_ref().map(|a| &a.id) == id) {
            agent.actions.remove(at);
        }
        if !ok {
            return;
        }
    } else {
        if agent.queued.as_ref() == Some(op) || stale_queued == Some(true) {
            agent.queued = None;
        }
        agent.error = None;
    }
    // Every commit records the current update-status tick, so ticks coalesce (Juju's
    // `resolver/opfactory.go`).
    agent.update_status_tick_seen = tick;
    if !op.is_action() {
        mark_seen(ctrl, unit, op);
    }
    record_first_reads(ctrl, unit);
}

/// Whether `op` is a leader-only hook (leader-elected; rotate, expired or remove of an
/// application-owned secret) that `u` may no longer run because it lost the lease.
fn stale(ctrl: &Controller, u: &Unit, op: &Op) -> bool {
    let holder = ctrl.applications.get(&u.app).is_some_and(|a| a.leader.as_deref() == Some(u.name.as_str()));
    if holder || op.is_action() {
        return false;
    }
    match HookKind::parse(&op.hook) {
        Some((HookKind::LeaderElected, _)) => true,
        Some((HookKind::Secret(kind), _)) if kind != SecretEventKind::Changed => op
            .secret
            .as_deref()
            .and_then(|id| ctrl.secret(id))
            .is_some_and(|s| matches!(s.owner, SecretOwnerRef::Application(_))),
        _ => false,
    }
}

/// Whether `op` is a hook of `kind`.
fn is_kind(op: &Op, kind: HookKind) -> bool {
    !op.is_action() && HookKind::parse(&op.hook).is_some_and(|(k, _)| k == kind)
}

/// A hook op scoped to `scope` (an endpoint, a storage or a container name).
fn scoped(kind: HookKind, scope: &str) -> Op {
    Op::hook(&kind.hook_name(Some(scope)))
}

/// storage-attached for each storage instance of `u` not attached yet, in the unit's order.
fn storage_attached_ops(u: &Unit) -> Vec<Op> {
    u.storage
        .iter()
        .filter(|s| !u.agent.storage_attached.contains(&s.id()))
        .map(|s| Op { storage: Some(s.id()), ..scoped(HookKind::Storage(StorageEventKind::Attached), &s.name) })
        .collect()
}

/// Tier 3: relation-created for every alive relation of the unit's application not created
/// yet; only for an alive, installed unit (Juju's createdRelationsResolver).
fn created_ops(ctrl: &Controller, u: &Unit) -> Vec<Op> {
    if u.life != Life::Alive {
        return Vec::new();
    }
    ctrl.relations
        .iter()
        .filter(|r| r.life == Life::Alive)
        .filter(|r| !u.agent.relations.get(&r.id).is_some_and(|s| s.created))
        .filter_map(|r| {
            let ep = r.endpoint_of(&u.app)?;
            let op = scoped(HookKind::Relation(RelationEventKind::Created), &ep.endpoint);
            Some(Op { relation_id: Some(r.id), ..op })
        })
        .collect()
}

/// Tier 4: leadership (Juju's leadership resolver plus the leader-settings watcher). A lease
/// holder that has not accepted runs leader-elected; a unit that lost the lease runs
/// leader-settings-changed once (deposed); a follower runs it when the leader settings'
/// version differs from the one it last saw (`None` after every agent start, so once at setup
/// and after upgrade-charm). A dying unit resigns silently and runs none of these.
fn leadership_ops(ctrl: &Controller, u: &Unit) -> Vec<Op> {
    let Some(app) = ctrl.applications.get(&u.app) else { return Vec::new() };
    if u.life != Life::Alive {
        return Vec::new();
    }
    let holder = app.leader.as_deref() == Some(u.name.as_str());
    let agent = &u.agent;
    let op = if holder && !agent.leader {
        HookKind::LeaderElected
    } else if !holder && (agent.leader || agent.leader_settings_seen != Some(app.leader_settings_version)) {
        HookKind::LeaderSettingsChanged
    } else {
        return Vec::new();
    };
    vec![Op::hook(op.juju_name())]
}

/// Tier 5: pebble-ready for each container whose Pebble booted since the unit last ran it for
/// that container (and that the charm can reach), and storage-attached for storage attached
/// after install. Juju's workload and storage resolvers outrank config-changed, so on
/// Kubernetes these may land before start. Dying units still get workload hooks, not storage.
fn workload_ops(ctrl: &Controller, u: &Unit) -> Vec<Op> {
    let mut ops: Vec<Op> = Vec::new();
    if ctrl.model.model_type == ModelType::Kubernetes {
        for (name, boot) in &u.container_boots {
            let reachable = u.containers.get(name).is_some_and(|c| c.can_connect);
            if reachable && u.agent.pebble_ready_seen.get(name) != Some(boot) {
                let op = scoped(HookKind::Workload(WorkloadEventKind::PebbleReady), name);
                ops.push(Op { container: Some(name.clone()), ..op });
            }
        }
    }
    if u.life == Life::Alive {
        ops.extend(storage_attached_ops(u));
    }
    ops
}

/// Whether `u` manages `secret`: the owning unit, or the leader of the owning application
/// (Juju runs rotate/expired/remove of app-owned secrets on the leader only).
fn manages(ctrl: &Controller, u: &Unit, secret: &SecretDoc) -> bool {
    match &secret.owner {
        SecretOwnerRef::Unit(owner) => owner == &u.name,
        SecretOwnerRef::Application(app) => {
            app == &u.app && ctrl.applications.get(app).is_some_and(|a| a.leader.as_deref() == Some(u.name.as_str()))
        }
    }
}

/// Whether `secret` is `u`'s own: its application's, or its own unit's (the single-unit
/// state shows it with an owner).
fn owns(u: &Unit, secret: &SecretDoc) -> bool {
    match &secret.owner {
        SecretOwnerRef::Unit(owner) => owner == &u.name,
        SecretOwnerRef::Application(app) => app == &u.app,
    }
}

/// Whether `u` may still read `secret`: its owner, a unit of the owning application, or a
/// grantee through a relation that still exists. A revoked reader gets no more
/// secret-changed (Juju's agent treats "unauthorized" like deletion).
fn can_read(ctrl: &Controller, u: &Unit, secret: &SecretDoc) -> bool {
    owns(u, secret)
        || secret
            .grants
            .iter()
            .any(|g| (g.target == u.name || g.target == u.app) && ctrl.relation(g.relation_id).is_some())
}

/// Tier 6: secret hooks, in the order of Juju's secrets resolver: expired, then rotate, then
/// changed, then remove. Each kind is a tier of its own over the secrets (Go map order in
/// Juju, so any of them may go first). None while dying.
fn secret_ops(ctrl: &Controller, u: &Unit) -> Vec<Op> {
    if u.life != Life::Alive {
        return Vec::new();
    }
    let agent = &u.agent;
    let secret_op = |kind: SecretEventKind, s: &SecretDoc, revision: Option<u32>| Op {
        secret: Some(s.id.clone()),
        secret_revision: revision,
        ..Op::hook(HookKind::Secret(kind).juju_name())
    };
    let managed: Vec<&SecretDoc> = ctrl.secrets.iter().filter(|s| manages(ctrl, u, s)).collect();
    // Expired: the latest revision's expiry has passed, once per (secret, revision).
    let expired: Vec<Op> = managed
        .iter()
        .filter(|s| s.expire.is_some_and(|at| at <= ctrl.clock))
        .filter(|s| !agent.expiries_notified.contains(&(s.id.clone(), s.latest())))
        .map(|s| secret_op(SecretEventKind::Expired, s, Some(s.latest())))
        .collect();
    if !expired.is_empty() {
        return expired;
    }
    let rotate: Vec<Op> = managed
        .iter()
        .filter(|s| s.next_rotate.is_some_and(|at| at <= ctrl.clock))
        .map(|s| secret_op(SecretEventKind::Rotate, s, None))
        .collect();
    if !rotate.is_empty() {
        return rotate;
    }
    // Changed: for units holding a consumer record, when the latest revision differs from the
    // one secret-changed last ran for. A record with no notified revision yet counts as
    // notified at its tracked revision (the first read).
    let changed: Vec<Op> = ctrl
        .secrets
        .iter()
        // Owner units that read their own secret hold a consumer record too (Juju >= 3.1.7), and the
        // consumed-secrets watcher (`state/secrets.go` `WatchConsumedSecretsChanges`) matches
        // any consumer: they get secret-changed as well.
        .filter(|s| can_read(ctrl, u, s))
        .filter(|s| {
            s.consumers.get(&u.name).is_some_and(|record| {
                let notified = agent.secrets_notified.get(&s.id).copied().unwrap_or(record.tracked);
                notified != s.latest()
            })
        })
        .map(|s| secret_op(SecretEventKind::Changed, s, None))
        .collect();
    if !changed.is_empty() {
        return changed;
    }
    // Remove: each revision older than the latest that no consumer pins, once.
    managed
        .iter()
        .flat_map(|s| {
            let pinned: BTreeSet<u32> = s.consumers.values().map(|c| c.tracked).collect();
            let latest = s.latest();
            s.revisions
                .iter()
                .map(|r| r.revision)
                .filter(move |rev| *rev < latest && !pinned.contains(rev))
                .filter(|rev| !agent.removes_notified.contains(&(s.id.clone(), *rev)))
                .map(|rev| secret_op(SecretEventKind::Remove, s, Some(rev)))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Tier 8: a dying unit's teardown: storage-detaching for each attached storage instance,
/// then per relation its departed hooks and broken, then stop, then remove (Juju's storage
/// resolver outranks `nextOp`, whose dying branch runs the relation resolver, then stop,
/// then remove).
fn dying_ops(ctrl: &Controller, u: &Unit) -> Vec<Op> {
    let detaching: Vec<Op> = u
        .agent
        .storage_attached
        .iter()
        .map(|id| {
            let name = id.rsplit_once('/').map_or(id.as_str(), |(name, _)| name);
            Op { storage: Some(id.clone()), ..scoped(HookKind::Storage(StorageEventKind::Detaching), name) }
        })
        .collect();
    if !detaching.is_empty() {
        return detaching;
    }
    let relations = relation_ops(ctrl, u);
    if !relations.is_empty() {
        return relations;
    }
    if u.agent.started {
        return vec![Op::hook(HookKind::Stop.juju_name())];
    }
    vec![Op::hook(HookKind::Remove.juju_name())]
}

/// Tier 11 (and the relation part of tier 8): one candidate per relation the unit created
/// and has not broken.
fn relation_ops(ctrl: &Controller, u: &Unit) -> Vec<Op> {
    ctrl.relations
        .iter()
        .filter_map(|rel| {
            let seen = u.agent.relations.get(&rel.id)?;
            if !seen.created || seen.broken {
                return None;
            }
            relation_candidate(ctrl, u, rel, seen)
        })
        .collect()
}

/// The remote units `u` should see as members of `rel` now: units of the other application
/// (for a peer relation, the other units of its own) in scope and alive. A dying unit's scope
/// is marked departing by the controller's cleanup soon after it starts dying, so watchers
/// report it gone.
fn remote_members(ctrl: &Controller, u: &Unit, rel: &RelationDoc) -> BTreeSet<String> {
    let Some(remote_app) = rel.remote_app_of(&u.app) else { return BTreeSet::new() };
    rel.scope
        .iter()
        .filter(|name| *name != &u.name)
        .filter(|name| ctrl.units.get(*name).is_some_and(|x| x.app == remote_app && x.life == Life::Alive))
        .cloned()
        .collect()
}

/// The next hook of one relation in Juju's order given one snapshot (`nextHookForRelation`
/// in Juju's `relation/resolver.go`): the changed owed after a joined; departed for members
/// gone (all of them when the relation or this unit is dying); broken; the remote
/// application bag's changed; joined; changed. Unit names go in sorted (string) order, as
/// Juju sorts them.
fn relation_candidate(
    ctrl: &Controller,
    u: &Unit,
    rel: &RelationDoc,
    seen: &super::controller::RelationSeen,
) -> Option<Op> {
    let ep = rel.endpoint_of(&u.app)?;
    let op = |kind: RelationEventKind, remote: Option<&String>| Op {
        relation_id: Some(rel.id),
        remote_unit: remote.cloned(),
        ..scoped(HookKind::Relation(kind), &ep.endpoint)
    };
    let version = |unit: &str| rel.unit_data.get(unit).map_or(0, |b| b.version);
    if let Some(pending) = &seen.changed_pending {
        return Some(op(RelationEventKind::Changed, Some(pending)));
    }
    let local_alive = u.life == Life::Alive && ctrl.applications.get(&u.app).is_some_and(|a| a.life == Life::Alive);
    // The unit or the relation dying: Juju empties the remote snapshot, so every member
    // departs and the relation breaks.
    let broken = !local_alive || rel.life != Life::Alive;
    let remote = if broken { BTreeSet::new() } else { remote_members(ctrl, u, rel) };
    if let Some(gone) = seen.members.keys().find(|m| !remote.contains(*m)) {
        // DEPARTING is this unit when it (or its application) is the one going away.
        let departing = if local_alive { gone.clone() } else { u.name.clone() };
        return Some(Op { departing_unit: Some(departing), ..op(RelationEventKind::Departed, Some(gone)) });
    }
    if broken {
        // Peer relations are never broken; their units just depart.
        return (!rel.is_peer()).then(|| op(RelationEventKind::Broken, None));
    }
    // The remote application's bag: a never-written bag (version 0) fires nothing. On a peer
    // relation the remote application is this one, so the leader sees its own writes.
    let remote_app = rel.remote_app_of(&u.app)?;
    let app_version = rel.app_data.get(remote_app).map_or(0, |b| b.version);
    if app_version != seen.app_version_seen {
        return Some(op(RelationEventKind::Changed, None));
    }
    if let Some(new) = remote.iter().find(|m| !seen.members.contains_key(*m)) {
        return Some(op(RelationEventKind::Joined, Some(new)));
    }
    // Juju compares with != (the settings version is a txn revision), not >.
    let changed = seen.members.iter().find(|(m, v)| version(m) != **v).map(|(m, _)| m);
    changed.map(|m| op(RelationEventKind::Changed, Some(m)))
}

/// Mark what a successful `op` saw and queue the hook its commit chains to (Juju's
/// `operation/runhook.go` Commit).
fn mark_seen(ctrl: &mut Controller, unit: &str, op: &Op) {
    let Some((kind, _)) = HookKind::parse(&op.hook) else { return };
    let Some(u) = ctrl.units.get(unit) else { return };
    let app = ctrl.applications.get(&u.app).cloned().unwrap_or_default();
    match kind {
        HookKind::Secret(SecretEventKind::Rotate) => {
            // A rotate that made no new revision is tried again 5 minutes later (Juju's
            // SecretsRotated); a new revision already moved `next_rotate` on.
            let clock = ctrl.clock;
            let due = op
                .secret
                .as_deref()
                .and_then(|id| ctrl.secret_mut(id))
                .filter(|s| s.next_rotate.is_some_and(|at| at <= clock));
            if let Some(s) = due {
                s.next_rotate = Some(clock + Duration::minutes(ROTATE_RETRY_DELAY_MINUTES));
            }
            return;
        }
        HookKind::Relation(RelationEventKind::Broken) => {
            // After broken the unit leaves the relation's scope.
            if let Some(rel) = op.relation_id.and_then(|id| ctrl.relation_mut(id)) {
                rel.scope.remove(unit);
            }
        }
        HookKind::Remove => {
            // A removed unit leaves every scope (peer relations have no broken).
            for rel in &mut ctrl.relations {
                rel.scope.remove(unit);
            }
        }
        _ => {}
    }
    let latest = op.secret.as_deref().and_then(|id| ctrl.secret(id)).map(SecretDoc::latest);
    let relation = op.relation_id.and_then(|id| ctrl.relation(id)).cloned();
    let boot = op.container.as_ref().and_then(|c| ctrl.units.get(unit)?.container_boots.get(c).copied());
    let Some(u) = ctrl.units.get_mut(unit) else { return };
    let agent = &mut u.agent;
    match kind {
        HookKind::Install => {
            agent.installed = true;
            // Install deploys the application's current charm.
            agent.charm_revision = app.charm_revision;
        }
        HookKind::Start => {
            agent.started = true;
            agent.stopped = false;
        }
        HookKind::Stop => {
            agent.started = false;
            agent.stopped = true;
        }
        HookKind::Remove => agent.removed = true,
        HookKind::ConfigChanged => {
            agent.config_seen = Some(app.config_version);
            // config-changed's commit queues start until the unit has started.
            if !agent.started {
                agent.queued = Some(Op::hook(HookKind::Start.juju_name()));
            }
        }
        HookKind::UpgradeCharm => {
            agent.charm_revision = app.charm_revision;
            agent.queued = Some(Op::hook(HookKind::ConfigChanged.juju_name()));
            // The resolver restarts after the deploy and forgets the leader-settings version.
            agent.leader_settings_seen = None;
        }
        HookKind::LeaderElected => {
            agent.leader = true;
            agent.leader_settings_seen = Some(app.leader_settings_version);
        }
        HookKind::LeaderSettingsChanged => {
            if app.leader.as_deref() != Some(unit) {
                agent.leader = false;
            }
            agent.leader_settings_seen = Some(app.leader_settings_version);
        }
        HookKind::Storage(StorageEventKind::Attached) => {
            agent.storage_attached.extend(op.storage.clone());
        }
        HookKind::Storage(StorageEventKind::Detaching) => {
            if let Some(id) = &op.storage {
                agent.storage_attached.remove(id);
            }
        }
        HookKind::Workload(WorkloadEventKind::PebbleReady) => {
            if let (Some(c), Some(boot)) = (&op.container, boot) {
                agent.pebble_ready_seen.insert(c.clone(), boot);
            }
        }
        HookKind::Secret(SecretEventKind::Changed) => {
            if let (Some(id), Some(latest)) = (&op.secret, latest) {
                agent.secrets_notified.insert(id.clone(), latest);
            }
        }
        HookKind::Secret(SecretEventKind::Expired) => {
            if let (Some(id), Some(rev)) = (&op.secret, op.secret_revision) {
                agent.expiries_notified.insert((id.clone(), rev));
            }
        }
        HookKind::Secret(SecretEventKind::Remove) => {
            if let (Some(id), Some(rev)) = (&op.secret, op.secret_revision) {
                agent.removes_notified.insert((id.clone(), rev));
            }
        }
        HookKind::Relation(kind) => {
            if let (Some(id), Some(rel)) = (op.relation_id, relation.as_ref()) {
                mark_relation(agent, &u.app, id, rel, kind, op);
            }
        }
        _ => {}
    }
}

/// Mark a relation hook as seen in the unit's relation state.
fn mark_relation(agent: &mut AgentState, app: &str, id: u32, rel: &RelationDoc, kind: RelationEventKind, op: &Op) {
    let seen = agent.relations.entry(id).or_default();
    let version = |unit: &str| rel.unit_data.get(unit).map_or(0, |b| b.version);
    match (kind, &op.remote_unit) {
        (RelationEventKind::Created, _) => seen.created = true,
        (RelationEventKind::Joined, Some(remote)) => {
            seen.members.insert(remote.clone(), version(remote));
            // The next hook of this relation must be changed for the same unit.
            seen.changed_pending = Some(remote.clone());
        }
        (RelationEventKind::Changed, Some(remote)) => {
            seen.members.insert(remote.clone(), version(remote));
            if seen.changed_pending.as_ref() == Some(remote) {
                seen.changed_pending = None;
            }
        }
        (RelationEventKind::Changed, None) => {
            let remote_app = rel.remote_app_of(app).unwrap_or(app);
            seen.app_version_seen = rel.app_data.get(remote_app).map_or(0, |b| b.version);
        }
        (RelationEventKind::Departed, Some(remote)) => {
            seen.members.remove(remote);
            if seen.changed_pending.as_ref() == Some(remote) {
                seen.changed_pending = None;
            }
        }
        (RelationEventKind::Broken, _) => {
            seen.broken = true;
            seen.members.clear();
            seen.changed_pending = None;
        }
        _ => {}
    }
}

/// The first read of a secret creates a consumer record; the agent starts tracking the
/// secret at that revision, so a unit is notified only of revisions made after it read one.
fn record_first_reads(ctrl: &mut Controller, unit: &str) {
    let firsts: Vec<(String, u32)> =
        ctrl.secrets.iter().filter_map(|s| s.consumers.get(unit).map(|c| (s.id.clone(), c.tracked))).collect();
    if let Some(u) = ctrl.units.get_mut(unit) {
        for (id, tracked) in firsts {
            u.agent.secrets_notified.entry(id).or_insert(tracked);
        }
    }
}
