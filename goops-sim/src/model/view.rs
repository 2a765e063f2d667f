//! A unit's view of the model as a single-unit [`State`] for one hook, and the commit of the
//! hook's writes back into the controller, as Juju's controller applies a hook's changes.
//!
//! The view is what Juju's uniter builds a hook context from: the unit, its application's
//! config and leader settings, the relations it has created and not broken (remote units = the
//! members the agent has run joined for, with their current bags), the secrets it owns or may
//! read. The commit follows Juju's hook context (`internal/worker/uniter/runner/context/
//! context.go`): `status-set`, `application-version-set` and `leader-set` are API calls made
//! as the tool runs (`SetUnitStatus`, `SetApplicationStatus`, `SetUnitWorkloadVersion`), as
//! are a consumer's first read and its label (the secrets backend saves the consumer record on
//! read), so they stand whatever the end; relation settings, unit state, ports and secret
//! writes go in one `CommitHookChanges` call made by `doFlush`, which `Flush` runs only when
//! the hook succeeded.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use goops_juju::hooks::{HookKind, RelationEventKind, SecretEventKind};
use goops_juju::secret::bare_secret_id;

use super::ModelError;
use super::controller::{
    Application, ConsumerRecord, Controller, Life, Op, SecretDoc, SecretOwnerRef, Unit, Versioned,
};
use crate::event::EventOptions;
use crate::state::{Bag, MachinePort, Network, Relation, Secret, SecretGrant, SecretOwner, State, StatusRecord};
use crate::testing::{On, RunReport};

/// The most `juju-log` records the controller keeps per unit (the newest).
pub const MAX_UNIT_LOG: usize = 1000;

/// How long Juju waits before running secret-rotate again when the hook made no new revision
/// (`core/secrets/rotate.go` `RotateRetryDelay`).
const ROTATE_RETRY: chrono::Duration = chrono::Duration::minutes(5);

/// The state `unit` sees when running `op`, and the harness event for it.
pub(crate) fn project(ctrl: &Controller, unit: &str, op: &Op) -> Result<(State, On), ModelError> {
    let u = ctrl.units.get(unit).ok_or_else(|| ModelError::UnknownUnit(unit.to_owned()))?;
    let app = ctrl.applications.get(&u.app).ok_or_else(|| ModelError::UnknownApplication(u.app.clone()))?;
    if let Some(id) = op.relation_id
        && ctrl.relation(id).is_none()
    {
        return Err(ModelError::UnknownRelation(id));
    }
    let relations = project_relations(ctrl, u, app, op);
    let secrets = project_secrets(ctrl, u, &relations);
    let state = State {
        model: ctrl.model.clone(),
        unit: unit.to_owned(),
        machine_id: if u.machine.is_empty() { State::default().machine_id } else { u.machine.clone() },
        leader: app.leader.as_deref() == Some(unit),
        unit_status: u.status.clone(),
        app_status: app.status.clone(),
        peer_unit_statuses: ctrl
            .units_of(&u.app)
            .into_iter()
            .filter(|peer| peer != unit)
            .filter_map(|peer| ctrl.units.get(&peer))
            // `status-get --application` lists the application's units; a dead one is gone.
            .filter(|peer| peer.life != Life::Dead)
            .map(|peer| (peer.name.clone(), peer.status.clone()))
            .collect(),
        workload_version: u.workload_version.clone(),
        config: app.config.clone(),
        relations,
        secrets,
        opened_ports: u.opened_ports.clone(),
        machine_ports: machine_ports(ctrl, u),
        unit_state: u.unit_state.clone(),
        leader_settings: app.leader_settings.clone(),
        storage: u.storage.clone(),
        trusted: app.trusted,
        containers: u.containers.clone(),
        // The controller keeps the unit's log; a hook's report carries only its own lines.
        juju_log: Vec::new(),
        ..State::default()
    };
    Ok((state, event(op)))
}

/// The harness event for `op`: an action with its params and id, or the hook with its context.
fn event(op: &Op) -> On {
    if let Some(action) = &op.action {
        let mut on = On::action(&op.hook).action_id(action.id.clone());
        for (key, value) in &action.params {
            on = on.param(key, value.clone());
        }
        return on;
    }
    let relation_hook = matches!(HookKind::parse(&op.hook), Some((HookKind::Relation(_), _)));
    let options = EventOptions {
        relation_id: op.relation_id,
        // An application-level relation-changed has no remote unit: the empty string says so.
        remote_unit: op.remote_unit.clone().or_else(|| relation_hook.then(String::new)),
        departing_unit: op.departing_unit.clone(),
        secret: op.secret.clone(),
        secret_revision: op.secret_revision,
        storage: op.storage.clone(),
        notice: op.notice.clone(),
        check: op.check.clone(),
        ..EventOptions::default()
    };
    On::hook(&op.hook, options)
}

/// The relations `u` has created and not broken, plus the op's own relation.
fn project_relations(ctrl: &Controller, u: &Unit, app: &Application, op: &Op) -> Vec<Relation> {
    let mut out = Vec::new();
    for doc in &ctrl.relations {
        let Some(endpoint) = doc.endpoint_of(&app.name) else { continue };
        let seen = u.agent.relations.get(&doc.id);
        let active = seen.is_some_and(|s| s.created && !s.broken);
        if !active && op.relation_id != Some(doc.id) {
            continue;
        }
        let remote_app = doc.remote_app_of(&app.name).unwrap_or(&app.name).to_owned();
        // relation-list shows the units the agent has run joined for (departed: the session
        // hides the departing one; broken: none), plus the unit joining now.
        let mut members: BTreeSet<&str> =
            seen.map(|s| s.members.keys().map(String::as_str).collect()).unwrap_or_default();
        if op.relation_id == Some(doc.id)
            && let Some(joining) = &op.remote_unit
            && relation_kind(op) == Some(RelationEventKind::Joined)
        {
            members.insert(joining);
        }
        let bag = |name: &str| doc.unit_data.get(name).map(|v| v.data.clone()).unwrap_or_default();
        let app_bag = |name: &str| doc.app_data.get(name).map(|v| v.data.clone()).unwrap_or_default();
        out.push(Relation {
            id: doc.id,
            endpoint: endpoint.endpoint.clone(),
            interface: doc.interface.clone(),
            peer: doc.is_peer(),
            remote_units: members.into_iter().map(|m| (m.to_owned(), bag(m))).collect(),
            remote_app_data: app_bag(&remote_app),
            local_unit_data: doc
                .unit_data
                .get(&u.name)
                .map(|v| v.data.clone())
                .unwrap_or_else(|| Network::default().enter_scope_settings()),
            local_app_data: app_bag(&app.name),
            remote_app,
            remote_model_uuid: None,
        });
    }
    out
}

/// The kind of a relation op.
fn relation_kind(op: &Op) -> Option<RelationEventKind> {
    match HookKind::parse(&op.hook) {
        Some((HookKind::Relation(kind), _)) => Some(kind),
        _ => None,
    }
}

/// The secrets `u` owns (its application's, or its own) or may read (a grant covering it on a
/// relation of its view, or a consumer record), each as the single-unit state holds them.
fn project_secrets(ctrl: &Controller, u: &Unit, relations: &[Relation]) -> Vec<Secret> {
    let in_view = |g: &SecretGrant| relations.iter().any(|r| r.id == g.relation_id);
    let mut out = Vec::new();
    for doc in &ctrl.secrets {
        let record = doc.consumers.get(&u.name);
        let owner = match &doc.owner {
            SecretOwnerRef::Application(a) if *a == u.app => Some(SecretOwner::Application),
            SecretOwnerRef::Unit(o) if *o == u.name => Some(SecretOwner::Unit),
            _ => None,
        };
        let secret = match owner {
            Some(owner) => Secret {
                id: doc.id.clone(),
                owner: Some(owner),
                label: doc.label.clone(),
                consumer_label: None,
                description: doc.description.clone(),
                expire: doc.expire,
                rotate: doc.rotate,
                rotates: doc.next_rotate,
                revisions: doc.revisions.clone(),
                tracked: record.map(|r| r.tracked),
                consumers: doc
                    .consumers
                    .iter()
                    .filter(|(name, _)| **name != u.name)
                    .map(|(name, r)| (name.clone(), r.tracked))
                    .collect(),
                grants: doc.grants.iter().filter(|g| in_view(g)).cloned().collect(),
            },
            None => {
                // Another owner's secret: only the grants naming this unit or its application.
                let grants: Vec<SecretGrant> = doc
                    .grants
                    .iter()
                    .filter(|g| (g.target == u.name || g.target == u.app) && in_view(g))
                    .cloned()
                    .collect();
                if grants.is_empty() && record.is_none() {
                    continue;
                }
                Secret {
                    id: doc.id.clone(),
                    owner: None,
                    consumer_label: record.and_then(|r| r.label.clone()),
                    revisions: doc.revisions.clone(),
                    tracked: record.map(|r| r.tracked),
                    grants,
                    ..Secret::default()
                }
            }
        };
        out.push(secret);
    }
    out
}

/// Ports other units on `u`'s machine have open (machine models; each unit names its machine).
fn machine_ports(ctrl: &Controller, u: &Unit) -> Vec<MachinePort> {
    if u.machine.is_empty() {
        return Vec::new();
    }
    ctrl.units
        .values()
        .filter(|other| other.name != u.name && other.machine == u.machine)
        .flat_map(|other| other.opened_ports.iter().map(|p| MachinePort { unit: other.name.clone(), port: p.clone() }))
        .collect()
}

/// Apply a run of `op` on `unit`: what Juju makes effective at once (statuses, workload
/// version, leader settings, a consumer's first read and label) and, with `ok` and the run's
/// writes committed, its deferred writes (relation bags, unit state, ports, secrets), with bag
/// and leader-settings versions bumped on effective change only. Containers and the newest logs
/// stand whatever the end. `before` is the projected state. Returns one short line per change,
/// for the trace (never a secret value).
pub(crate) fn commit(
    ctrl: &mut Controller,
    unit: &str,
    op: &Op,
    before: &State,
    after: &RunReport,
    ok: bool,
) -> Vec<String> {
    let mut lines = Vec::new();
    let Some(u) = ctrl.units.get(unit) else { return lines };
    let app_name = u.app.clone();
    let new = &after.state;
    let clock = ctrl.clock;
    // Deferred writes reach the controller only when the hook succeeded (`Flush` → `doFlush`)
    // and the run's own commit went through.
    let deferred = ok && after.committed;

    // What stands whatever the end.
    if let Some(u) = ctrl.units.get_mut(unit) {
        u.containers.clone_from(&new.containers);
        u.juju_log.extend(after.logs.iter().cloned());
        if u.juju_log.len() > MAX_UNIT_LOG {
            u.juju_log.drain(..u.juju_log.len() - MAX_UNIT_LOG);
        }
        if differs(&before.unit_status, &new.unit_status) {
            lines.push(format!("status: {}", status_text(&new.unit_status)));
        }
        if before.unit_status != new.unit_status {
            u.status = StatusRecord { since: Some(clock), ..new.unit_status.clone() };
        }
        if before.workload_version != new.workload_version {
            u.workload_version.clone_from(&new.workload_version);
            lines.push(format!("workload version: {:?}", new.workload_version));
        }
    }
    if let Some(app) = ctrl.applications.get_mut(&app_name)
        && before.leader
    {
        if differs(&before.app_status, &new.app_status) {
            lines.push(format!("app status: {}", status_text(&new.app_status)));
        }
        if before.app_status != new.app_status {
            app.status = StatusRecord { since: Some(clock), ..new.app_status.clone() };
        }
        if let Some(line) = bag_line("leader settings", &before.leader_settings, &new.leader_settings) {
            app.leader_settings.clone_from(&new.leader_settings);
            app.leader_settings_version += 1;
            lines.push(line);
        }
    }
    commit_consumer_records(ctrl, unit, before, new, deferred, &mut lines);
    if !deferred {
        return lines;
    }

    commit_relations(ctrl, unit, &app_name, before, new, &mut lines);
    if let Some(u) = ctrl.units.get_mut(unit) {
        if let Some(line) = bag_line("unit state", &before.unit_state, &new.unit_state) {
            u.unit_state.clone_from(&new.unit_state);
            lines.push(line);
        }
        if before.opened_ports != new.opened_ports {
            let shown =
                |ports: &[crate::state::OpenedPort]| ports.iter().map(|p| p.to_string()).collect::<BTreeSet<_>>();
            let (old, now) = (shown(&before.opened_ports), shown(&new.opened_ports));
            let mut parts: Vec<String> = now.difference(&old).map(|p| format!("+{p}")).collect();
            parts.extend(old.difference(&now).map(|p| format!("-{p}")));
            u.opened_ports.clone_from(&new.opened_ports);
            lines.push(format!("ports: {}", parts.join(" ")).trim_end().to_owned());
        }
    }
    // A storage instance gone from the view was detached (storage-detaching succeeded).
    if let Some(u) = ctrl.units.get_mut(unit) {
        let gone: Vec<String> =
            before.storage.iter().filter(|s| !new.storage.contains(s)).map(crate::state::Storage::id).collect();
        if !gone.is_empty() {
            u.storage.retain(|s| !gone.contains(&s.id()));
            lines.push(format!("storage: -{}", gone.join(" -")));
        }
    }
    commit_secrets(ctrl, unit, &app_name, op, before, new, &mut lines);
    lines
}

/// Whether a status changed as `juju status` shows it (the time alone does not count).
fn differs(a: &StatusRecord, b: &StatusRecord) -> bool {
    a.status != b.status || a.message != b.message || a.data != b.data
}

fn status_text(s: &StatusRecord) -> String {
    format!("{} {:?}", s.status, s.message)
}

/// `<what>: +added ~changed -removed` (keys only), or `None` when the bags are equal.
fn bag_line(what: &str, old: &Bag, new: &Bag) -> Option<String> {
    if old == new {
        return None;
    }
    let mut parts = Vec::new();
    for (key, value) in new {
        match old.get(key) {
            None => parts.push(format!("+{key}")),
            Some(v) if v != value => parts.push(format!("~{key}")),
            Some(_) => {}
        }
    }
    parts.extend(old.keys().filter(|k| !new.contains_key(*k)).map(|k| format!("-{k}")));
    Some(format!("{what}: {}", parts.join(" ")))
}

/// Store `data` in `bag`, bumping its version, when it differs (Juju's settings `$inc` only on
/// change, so a no-op write fires no relation-changed).
fn write_bag(bag: &mut Versioned, data: &Bag) -> bool {
    if bag.data == *data {
        return false;
    }
    bag.data.clone_from(data);
    bag.version += 1;
    true
}

/// The unit's (and, for the leader, the application's) relation bags.
fn commit_relations(
    ctrl: &mut Controller,
    unit: &str,
    app: &str,
    before: &State,
    new: &State,
    lines: &mut Vec<String>,
) {
    for old in &before.relations {
        // A broken relation leaves the unit's view with the hook: nothing of it to write.
        let Some(now) = new.relation(old.id) else { continue };
        let Some(doc) = ctrl.relation_mut(old.id) else { continue };
        let place = format!("({}:{})", old.endpoint, old.id);
        if let Some(line) = bag_line("unit bag", &old.local_unit_data, &now.local_unit_data) {
            write_bag(doc.unit_data.entry(unit.to_owned()).or_default(), &now.local_unit_data);
            lines.push(format!("{line} {place}"));
        }
        // Only the leader writes its application's bag (the commit is leadership-checked).
        if before.leader
            && let Some(line) = bag_line("app bag", &old.local_app_data, &now.local_app_data)
        {
            write_bag(doc.app_data.entry(app.to_owned()).or_default(), &now.local_app_data);
            lines.push(format!("{line} {place}"));
        }
    }
}

/// Consumer records from the unit's view: a first read and a consumer label at once (the
/// controller saves them as the tool runs), a `--refresh` only with the deferred writes.
fn commit_consumer_records(
    ctrl: &mut Controller,
    unit: &str,
    before: &State,
    new: &State,
    deferred: bool,
    lines: &mut Vec<String>,
) {
    for old in &before.secrets {
        let Some(now) = new.secret(&old.id) else { continue };
        let Some(doc) = ctrl.secret_mut(&old.id) else { continue };
        let tracked = match (old.tracked, now.tracked) {
            (None, Some(rev)) => Some(rev),
            (Some(a), Some(b)) if a != b && deferred => Some(b),
            _ => None,
        };
        if let Some(rev) = tracked {
            doc.consumers.entry(unit.to_owned()).or_default().tracked = rev;
            lines.push(format!("secret-get {}: tracks revision {rev}", doc.id));
        }
        if !now.is_owned() && old.consumer_label != now.consumer_label {
            let record = doc.consumers.entry(unit.to_owned()).or_insert_with(|| ConsumerRecord {
                tracked: now.tracked.unwrap_or_else(|| now.latest()),
                label: None,
            });
            record.label.clone_from(&now.consumer_label);
            lines.push(format!(
                "secret-get {}: consumer label {:?}",
                doc.id,
                now.consumer_label.as_deref().unwrap_or("")
            ));
        }
    }
}

/// When a rotation is next due: one interval from now under a policy.
fn next_rotate(clock: DateTime<Utc>, policy: Option<goops_juju::RotatePolicy>) -> Option<DateTime<Utc>> {
    let interval = chrono::Duration::from_std(policy?.interval()?).ok()?;
    Some(clock + interval)
}

/// The owner's secret writes: creates (in creation order), new and removed revisions, metadata,
/// grants and revokes, removed secrets.
fn commit_secrets(
    ctrl: &mut Controller,
    unit: &str,
    app: &str,
    op: &Op,
    before: &State,
    new: &State,
    lines: &mut Vec<String>,
) {
    let clock = ctrl.clock;
    let rotating = (HookKind::parse(&op.hook).map(|(k, _)| k) == Some(HookKind::Secret(SecretEventKind::Rotate)))
        .then(|| op.secret.as_deref().map(bare_secret_id))
        .flatten();
    // Creates: secrets of the new view the old one did not have, in the order the hook made them.
    for s in new.secrets.iter().filter(|s| before.secret(&s.id).is_none()) {
        let owner = match s.owner {
            Some(SecretOwner::Application) => SecretOwnerRef::Application(app.to_owned()),
            Some(SecretOwner::Unit) => SecretOwnerRef::Unit(unit.to_owned()),
            None => continue,
        };
        let mut doc = SecretDoc {
            id: s.id.clone(),
            owner,
            label: s.label.clone(),
            description: s.description.clone(),
            expire: s.expire,
            rotate: s.rotate,
            next_rotate: next_rotate(clock, s.rotate),
            revisions: s.revisions.clone(),
            grants: s.grants.clone(),
            consumers: BTreeMap::new(),
        };
        if let Some(rev) = s.tracked {
            doc.consumers.insert(unit.to_owned(), ConsumerRecord { tracked: rev, label: None });
        }
        lines.push(format!("secret-add {}", doc.id));
        lines.extend(doc.grants.iter().map(|g| format!("secret-grant {} to {}", doc.id, g.target)));
        ctrl.secrets.push(doc);
    }
    for old in before.secrets.iter().filter(|s| s.is_owned()) {
        let Some(now) = new.secret(&old.id) else {
            let bare = bare_secret_id(&old.id);
            let count = ctrl.secrets.len();
            ctrl.secrets.retain(|d| bare_secret_id(&d.id) != bare);
            if ctrl.secrets.len() != count {
                lines.push(format!("secret-remove {}", old.id));
            }
            continue;
        };
        let Some(doc) = ctrl.secret_mut(&old.id) else { continue };
        let uri = doc.id.clone();
        let old_revs: BTreeSet<u32> = old.revisions.iter().map(|r| r.revision).collect();
        let new_revs: BTreeSet<u32> = now.revisions.iter().map(|r| r.revision).collect();
        let made: Vec<u32> = new_revs.difference(&old_revs).copied().collect();
        for rev in &made {
            if let Some(r) = now.revision(*rev) {
                doc.revisions.push(r.clone());
            }
            lines.push(format!("secret-set {uri}: revision {rev}"));
        }
        for rev in old_revs.difference(&new_revs) {
            doc.revisions.retain(|r| r.revision != *rev);
            lines.push(format!("secret-remove {uri}: revision {rev}"));
        }
        let mut changed = Vec::new();
        if old.label != now.label {
            doc.label.clone_from(&now.label);
            changed.push("label");
        }
        if old.description != now.description {
            doc.description.clone_from(&now.description);
            changed.push("description");
        }
        if old.expire != now.expire {
            doc.expire = now.expire;
            changed.push("expire");
        }
        if old.rotate != now.rotate {
            doc.rotate = now.rotate;
            doc.next_rotate = next_rotate(clock, now.rotate);
            changed.push("rotate");
        } else if !made.is_empty() && doc.rotate.is_some() {
            doc.next_rotate = next_rotate(clock, doc.rotate);
        } else if rotating == Some(bare_secret_id(&uri)) && doc.next_rotate.is_some() {
            // secret-rotate that made no revision: Juju runs it again shortly (`SecretsRotated`).
            doc.next_rotate = Some(clock + ROTATE_RETRY);
        }
        if !changed.is_empty() {
            lines.push(format!("secret-set {uri}: {}", changed.join(", ")));
        }
        // Grants: a grant gone from the view because its relation broke is not a revoke (the
        // controller drops it with the relation).
        for grant in now.grants.iter().filter(|g| !old.grants.contains(g)) {
            if !doc.grants.contains(grant) {
                doc.grants.push(grant.clone());
            }
            lines.push(format!("secret-grant {uri} to {}", grant.target));
        }
        for grant in old.grants.iter().filter(|g| !now.grants.contains(g) && new.relation(g.relation_id).is_some()) {
            doc.grants.retain(|g| g != grant);
            lines.push(format!("secret-revoke {uri} from {}", grant.target));
        }
        if doc.revisions.is_empty() {
            let bare = bare_secret_id(&uri).to_owned();
            ctrl.secrets.retain(|d| bare_secret_id(&d.id) != bare);
        }
    }
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod view_tests;
