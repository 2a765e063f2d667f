//! Juju's ordering invariants (docs/model.md, I1–I13) checked over a model's trace: an
//! independent reading of the rules, so the resolver cannot certify its own orders.
//!
//! The checker replays the trace entry by entry and keeps only what the trace itself shows:
//! per unit, the hooks it ran and how they ended; per application, who holds the lease (from
//! [`ModelEvent::Leader`]) and whether it is dying; per relation, its applications and life.
//! It never asks the agent's resolver (`agent.rs`) what should run: each rule is written from
//! Juju's uniter as docs/model.md describes it, and says which source it comes from.
//!
//! What a trace cannot show is not checked: the machine lock (I1: the model runs one operation
//! at a time by construction), who read a secret (I8's secret-changed rule) and which secrets an
//! application owns (I8's leader-only rule), and "nothing else was runnable" (I10).

use std::collections::{BTreeMap, BTreeSet};

use goops_juju::{HookKind, RelationEventKind, SecretEventKind, StorageEventKind};

use super::controller::Op;
use super::trace::{ModelEvent, Outcome, Trace, TraceEntry};
use crate::state::ModelType;

/// A rule a trace broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trace entry {seq} ({unit}): rule {rule}: {message}")]
pub struct Violation {
    /// The entry.
    pub seq: u64,
    /// The unit.
    pub unit: String,
    /// The rule (`I5`).
    pub rule: &'static str,
    /// What was wrong.
    pub message: String,
}

/// Check `trace` against the invariants; the first entry that breaks one is reported.
pub fn check_trace(trace: &Trace, model_type: ModelType) -> Result<(), Violation> {
    let mut checker = Checker { model_type, ..Checker::default() };
    for (index, entry) in trace.entries.iter().enumerate() {
        checker.entry(index + 1, entry)?;
    }
    Ok(())
}

/// What the trace has shown of an application.
#[derive(Debug, Default)]
struct AppSeen {
    /// The lease holder per the last [`ModelEvent::Leader`]; `None` inside: nobody.
    holder: Option<Option<String>>,
    /// remove-application ran.
    dying: bool,
    /// How many refreshes ([`ModelEvent::Upgrade`]) it had.
    upgrades: u32,
}

/// What the trace has shown of a relation.
#[derive(Debug, Default)]
struct RelationSeen {
    /// The applications of its endpoints (one for a peer relation), if integrate was traced.
    apps: Option<Vec<String>>,
    /// remove-relation ran.
    dying: bool,
    /// It is gone: no unit may run a hook for it again.
    removed: bool,
    /// Units whose relation-created began (they entered scope, whatever the hook's end).
    scope_entered: BTreeSet<String>,
}

/// One unit's view of one relation, as its hooks so far have built it.
#[derive(Debug, Default)]
struct UnitRelation {
    created: bool,
    broken: bool,
    /// Remote units joined and not departed, each with the trace position from which a new
    /// write of theirs may be delivered (the unit's last joined or changed for them).
    members: BTreeMap<String, usize>,
    /// The unit whose relation-changed must be this relation's next hook.
    changed_owed: Option<String>,
    /// The position of the last application-level relation-changed.
    app_window: usize,
    /// A remote unit of the unit's own application joined: a peer relation.
    peer_seen: bool,
}

/// What the trace has shown of a unit.
#[derive(Debug, Default)]
struct UnitSeen {
    app: String,
    dying: bool,
    dead: bool,
    installed: bool,
    /// start ran and no stop since.
    started: bool,
    /// start has ever run.
    start_ever: bool,
    /// config-changed has ever run.
    configured: bool,
    /// remove ran.
    removed: bool,
    /// leader-elected or leader-settings-changed ran since install.
    leadership_hooks: u32,
    /// It ran leader-elected and no leader-settings-changed since.
    local_leader: bool,
    /// The lease left it after its last leader-elected.
    lease_moved: bool,
    /// Refreshes of its application it has run upgrade-charm for.
    upgrades_seen: u32,
    /// A pod restart happened (Kubernetes): the new pod runs upgrade-charm and start again.
    pod_restarted: bool,
    /// Departed, broken or stop ran while dying.
    teardown_started: bool,
    /// The hook a committed hook queued, and the rule that says it runs next.
    expect_next: Option<(HookKind, &'static str)>,
    /// The hook in error: only its retry and actions may run.
    failed: Option<Op>,
    relations: BTreeMap<u32, UnitRelation>,
    /// `(secret, revision)` pairs secret-remove committed for.
    removes: BTreeSet<(String, u32)>,
    /// Per secret: the position of the last secret-changed.
    secret_windows: BTreeMap<String, usize>,
}

#[derive(Debug, Default)]
struct Checker {
    model_type: ModelType,
    apps: BTreeMap<String, AppSeen>,
    units: BTreeMap<String, UnitSeen>,
    relations: BTreeMap<u32, RelationSeen>,
    /// Per unit: the trace position of its last operation that committed.
    last_commit: BTreeMap<String, usize>,
}

/// The application of a unit name (`app/3` → `app`).
fn app_of(unit: &str) -> &str {
    unit.rsplit_once('/').map_or(unit, |(app, _)| app)
}

/// Whether an entry's writes were committed (an action that called `action-fail` commits too).
fn committed(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Completed | Outcome::Skipped | Outcome::ActionFailed(_))
}

impl Checker {
    fn entry(&mut self, pos: usize, entry: &TraceEntry) -> Result<(), Violation> {
        if let Some(event) = &entry.event {
            return self.event(entry.seq, event);
        }
        if entry.unit.is_empty() {
            return Ok(());
        }
        let fail =
            |rule: &'static str, message: String| Violation { seq: entry.seq, unit: entry.unit.clone(), rule, message };
        self.ensure_unit(&entry.unit);
        self.check_op(pos, entry).map_err(|(rule, message)| fail(rule, message))?;
        if committed(&entry.outcome) {
            self.last_commit.insert(entry.unit.clone(), pos);
        }
        Ok(())
    }

    fn ensure_unit(&mut self, unit: &str) {
        if !self.units.contains_key(unit) {
            let app = app_of(unit).to_owned();
            let upgrades = self.apps.entry(app.clone()).or_default().upgrades;
            self.units.insert(unit.to_owned(), UnitSeen { app, upgrades_seen: upgrades, ..UnitSeen::default() });
        }
    }

    fn unit_dying(&self, unit: &str) -> bool {
        self.units.get(unit).is_some_and(|u| u.dying) || self.apps.get(app_of(unit)).is_some_and(|a| a.dying)
    }

    /// A model-level event: it changes what the following hooks may do.
    fn event(&mut self, seq: u64, event: &ModelEvent) -> Result<(), Violation> {
        match event {
            ModelEvent::Deploy { app, units } => {
                self.apps.entry(app.clone()).or_default();
                units.iter().for_each(|u| self.ensure_unit(u));
            }
            ModelEvent::AddUnit { unit } => self.ensure_unit(unit),
            ModelEvent::RemoveUnit { unit } => {
                self.ensure_unit(unit);
                if let Some(u) = self.units.get_mut(unit) {
                    u.dying = true;
                }
            }
            ModelEvent::RemoveApplication { app } => self.apps.entry(app.clone()).or_default().dying = true,
            ModelEvent::UnitDead { unit } => {
                self.ensure_unit(unit);
                if let Some(u) = self.units.get_mut(unit) {
                    // Juju: a unit becomes Dead after its remove hook (if it was installed);
                    // resolver.go nextOp.
                    if u.installed && !u.removed {
                        return Err(Violation {
                            seq,
                            unit: unit.clone(),
                            rule: "I7",
                            message: "the unit became dead before its remove hook ran".into(),
                        });
                    }
                    u.dead = true;
                }
            }
            ModelEvent::Integrate { id, endpoints } => {
                let apps = endpoints.iter().map(|e| e.split_once(':').map_or(e.as_str(), |(a, _)| a).to_owned());
                self.relations.entry(*id).or_default().apps = Some(apps.collect());
            }
            ModelEvent::RemoveRelation { id } => self.relations.entry(*id).or_default().dying = true,
            ModelEvent::RelationRemoved { id } => self.relations.entry(*id).or_default().removed = true,
            ModelEvent::Leader { app, unit } => self.lease(seq, app, unit.as_deref())?,
            ModelEvent::Upgrade { app, .. } => self.apps.entry(app.clone()).or_default().upgrades += 1,
            ModelEvent::PodRestart { unit } => {
                self.ensure_unit(unit);
                // The new pod runs upgrade-charm → config-changed → start (resolver/loop.go
                // checkCharmInstallUpgrade; the old pod's start is gone with it).
                if let Some(u) = self.units.get_mut(unit) {
                    u.pod_restarted = true;
                    u.started = false;
                }
            }
            ModelEvent::Config { .. }
            | ModelEvent::Clock { .. }
            | ModelEvent::ActionQueued { .. }
            | ModelEvent::ContainerRestart { .. } => {}
        }
        Ok(())
    }

    /// The lease moved (I13: a new holder only once the old one is dead or its lease lapsed,
    /// which is what this event records; the lease is never given to a dead unit or another
    /// application's unit).
    fn lease(&mut self, seq: u64, app: &str, unit: Option<&str>) -> Result<(), Violation> {
        if let Some(holder) = unit {
            let bad = if app_of(holder) != app {
                Some(format!("the lease of {app} was given to {holder}, a unit of another application"))
            } else if self.units.get(holder).is_some_and(|u| u.dead) {
                Some(format!("the lease of {app} was given to {holder}, which is dead"))
            } else {
                None
            };
            if let Some(message) = bad {
                return Err(Violation { seq, unit: holder.to_owned(), rule: "I13", message });
            }
        }
        for (name, u) in self.units.iter_mut().filter(|(_, u)| u.app == app) {
            if Some(name.as_str()) == unit {
                continue;
            }
            u.lease_moved |= u.local_leader;
            // A leader-only hook in error is skipped at its retry once the unit has lost the
            // lease (operation/runhook.go Prepare): the error ends without a run. Whether a
            // secret is app-owned is not in the trace, so every secret rotate/expired/remove
            // in error is let go here.
            let leader_only = u.failed.as_ref().and_then(|op| HookKind::parse(&op.hook)).is_some_and(|(k, _)| {
                matches!(
                    k,
                    HookKind::LeaderElected
                        | HookKind::Secret(
                            SecretEventKind::Rotate | SecretEventKind::Expired | SecretEventKind::Remove
                        )
                )
            });
            if leader_only {
                u.failed = None;
            }
        }
        self.apps.entry(app.to_owned()).or_default().holder = Some(unit.map(str::to_owned));
        Ok(())
    }

    /// Check one unit operation and record what it did.
    fn check_op(&mut self, pos: usize, entry: &TraceEntry) -> Result<(), (&'static str, String)> {
        let name = entry.unit.as_str();
        let op = &entry.op;
        let model_type = self.model_type;
        let dying = self.unit_dying(name);
        let u = self.units.get_mut(name).ok_or(("I2", "unknown unit".to_owned()))?;
        if u.dead || u.removed {
            return Err(("I7", format!("{} ran after the unit's remove hook / death", op.hook)));
        }
        // I9: a hook in error blocks everything but its retry and actions (resolver.go
        // nextOpHookError; actions/resolver.go runs actions in error).
        if let Some(failed) = &u.failed
            && !op.is_action()
            && failed != op
        {
            return Err(("I9", format!("{} ran while {} was in error", op.hook, failed.hook)));
        }
        let kind = if op.is_action() {
            None
        } else {
            Some(HookKind::parse(&op.hook).ok_or(("hook", format!("{:?} is not a hook Juju fires", op.hook)))?.0)
        };
        // A committed hook's queued hook runs next, with nothing in between (operation/runhook.go
        // Commit); on Kubernetes storage hooks may come between upgrade-charm and config-changed.
        if let Some((next, rule)) = u.expect_next.take() {
            let k8s_storage = model_type == ModelType::Kubernetes && matches!(kind, Some(HookKind::Storage(_)));
            if kind != Some(next) && !(rule == "I4" && k8s_storage) {
                return Err((rule, format!("{} ran where {} was queued", op.hook, next.hook_name(Some("<scope>")))));
            }
            if k8s_storage {
                u.expect_next = Some((next, rule));
            }
        }
        let Some(kind) = kind else {
            // I2: actions cannot run before install (actions/resolver.go needs an installed charm).
            if !u.installed {
                return Err(("I2", format!("action {} ran before install", op.hook)));
            }
            return Ok(());
        };
        let ok = committed(&entry.outcome);
        // A committed hook ends an error (it was the retry, I9 above); a failed one starts one.
        u.failed = if ok { None } else { Some(op.clone()) };
        self.check_hook(pos, entry, kind, dying, ok)
    }

    fn check_hook(
        &mut self,
        pos: usize,
        entry: &TraceEntry,
        kind: HookKind,
        dying: bool,
        ok: bool,
    ) -> Result<(), (&'static str, String)> {
        let name = entry.unit.as_str();
        let op = &entry.op;
        let machine = self.model_type == ModelType::Machine;
        let holder = self.apps.get(app_of(name)).and_then(|a| a.holder.clone());
        let upgrades = self.apps.get(app_of(name)).map_or(0, |a| a.upgrades);
        let other_local_leader = self
            .units
            .iter()
            .any(|(n, u)| n != name && u.app == app_of(name) && u.local_leader && !u.dead && !u.removed);
        let u = self.units.get_mut(name).ok_or(("I2", "unknown unit".to_owned()))?;
        // I2: nothing before install but deploy-time storage on machines (storage/resolver.go
        // outranks install there; on Kubernetes install is first).
        if kind == HookKind::Install {
            if u.installed {
                return Err(("I2", "install ran a second time".into()));
            }
            u.installed = ok;
            return Ok(());
        }
        let deploy_storage = machine && kind == HookKind::Storage(StorageEventKind::Attached);
        if !u.installed && !deploy_storage {
            return Err(("I2", format!("{} ran before install", op.hook)));
        }
        // I7: a dying unit runs no setup, leadership or secret hooks (resolver.go: nextOp
        // tears down first; leadership and secret resolvers skip dying units).
        let setup = matches!(
            kind,
            HookKind::Relation(RelationEventKind::Created)
                | HookKind::LeaderElected
                | HookKind::LeaderSettingsChanged
                | HookKind::Secret(_)
        );
        if dying && setup {
            return Err(("I7", format!("{} ran on a dying unit", op.hook)));
        }
        match kind {
            HookKind::Relation(rel_kind) => return self.relation_hook(pos, entry, rel_kind, dying, ok),
            HookKind::LeaderElected => {
                // I6: only on the lease holder at run time (runhook.go Prepare skips it
                // otherwise), once per acquisition (leadership/resolver.go).
                match &holder {
                    Some(h) if h.as_deref() != Some(name) => {
                        let who = h.as_deref().unwrap_or("nobody");
                        return Err(("I6", format!("leader-elected ran while the lease was {who}'s")));
                    }
                    None if other_local_leader => {
                        return Err(("I6", "leader-elected ran while another unit was leader".into()));
                    }
                    _ => {}
                }
                if u.local_leader && !u.lease_moved {
                    return Err(("I6", "leader-elected ran twice for one acquisition of the lease".into()));
                }
                self.check_created_all(name)?;
                let u = self.units.get_mut(name).ok_or(("I2", "unknown unit".to_owned()))?;
                if ok {
                    u.local_leader = true;
                    u.lease_moved = false;
                    u.leadership_hooks += 1;
                }
                if holder.is_none() {
                    let app = u.app.clone();
                    self.apps.entry(app).or_default().holder = Some(Some(name.to_owned()));
                }
            }
            HookKind::LeaderSettingsChanged => {
                // I6: never on the holder (leadership/resolver.go: a holder accepts the lease).
                if holder.as_ref().is_some_and(|h| h.as_deref() == Some(name)) {
                    return Err(("I6", "leader-settings-changed ran on the lease holder".into()));
                }
                self.check_created_all(name)?;
                let u = self.units.get_mut(name).ok_or(("I2", "unknown unit".to_owned()))?;
                if ok {
                    u.local_leader = false;
                    u.leadership_hooks += 1;
                }
            }
            HookKind::LeaderDeposed => return Err(("I6", "leader-deposed is never run by Juju 3.x".into())),
            HookKind::ConfigChanged => {
                // I3: the first config-changed comes after the leadership hook (resolver.go
                // priority: leadership before nextOp's config-changed).
                if !u.configured && !dying && u.leadership_hooks == 0 {
                    return Err((
                        "I3",
                        "the first config-changed ran before leader-elected/leader-settings-changed".into(),
                    ));
                }
                if ok {
                    u.configured = true;
                    if !u.started {
                        u.expect_next = Some((HookKind::Start, "I3"));
                    }
                }
            }
            HookKind::Start => {
                if !u.configured && !u.pod_restarted {
                    return Err(("I3", "start ran before the first config-changed".into()));
                }
                if ok {
                    u.started = true;
                    u.start_ever = true;
                }
            }
            HookKind::UpgradeCharm => {
                // I4: only after a refresh (or a new pod), then config-changed is queued.
                if u.upgrades_seen >= upgrades && !u.pod_restarted {
                    return Err(("I4", "upgrade-charm ran without a refresh of the application".into()));
                }
                if ok {
                    u.upgrades_seen = upgrades;
                    u.pod_restarted = false;
                    u.expect_next = Some((HookKind::ConfigChanged, "I4"));
                }
            }
            HookKind::Stop | HookKind::Remove => return self.teardown_hook(kind, name, dying, ok),
            HookKind::Storage(StorageEventKind::Detaching) if dying && u.teardown_started => {
                return Err(("I7", format!("{} ran after the relation teardown or stop", op.hook)));
            }
            HookKind::Storage(_) => {}
            // I10: update-status is nextOp's last choice: never before the first start
            // (config-changed outranks it and queues start) nor while teardown is due.
            HookKind::UpdateStatus if !u.start_ever || dying => {
                return Err(("I10", "update-status ran while another hook was due (before start, or dying)".into()));
            }
            HookKind::Workload(_) if machine => {
                return Err(("I10", format!("{} ran in a machine model", op.hook)));
            }
            HookKind::Workload(_) => {}
            HookKind::Secret(secret_kind) => return self.secret_hook(pos, entry, secret_kind, ok),
            _ => {}
        }
        Ok(())
    }

    /// I3: at its leadership hooks of first setup a unit has run relation-created for every
    /// live relation of its application (relation-created outranks leadership in resolver.go).
    fn check_created_all(&self, name: &str) -> Result<(), (&'static str, String)> {
        let Some(u) = self.units.get(name) else { return Ok(()) };
        if u.configured {
            return Ok(());
        }
        for (id, rel) in &self.relations {
            let Some(apps) = &rel.apps else { continue };
            let app_dying = apps.iter().any(|a| self.apps.get(a).is_some_and(|s| s.dying));
            if rel.dying || rel.removed || app_dying || !apps.contains(&u.app) {
                continue;
            }
            if !u.relations.get(id).is_some_and(|r| r.created) {
                return Err(("I3", format!("a leadership hook ran before relation-created for relation {id}")));
            }
        }
        Ok(())
    }

    /// stop and remove (I7: teardown order storage → relations → stop → remove; resolver.go
    /// nextOp, uniter_test.go TestUniterRelations).
    fn teardown_hook(
        &mut self,
        kind: HookKind,
        name: &str,
        dying: bool,
        ok: bool,
    ) -> Result<(), (&'static str, String)> {
        let peers: BTreeSet<u32> = self
            .relations
            .iter()
            .filter(|(_, r)| r.apps.as_ref().is_some_and(|a| a.len() == 1))
            .map(|(id, _)| *id)
            .collect();
        let u = self.units.get_mut(name).ok_or(("I2", "unknown unit".to_owned()))?;
        let hook = kind.hook_name(None);
        if dying {
            for (id, r) in &u.relations {
                let peer = r.peer_seen || peers.contains(id);
                let torn_down = if peer { r.members.is_empty() } else { !r.created || r.broken };
                if !torn_down {
                    return Err(("I7", format!("{hook} ran before relation {id} was torn down")));
                }
            }
        }
        if kind == HookKind::Stop {
            if !u.started {
                return Err(("I7", "stop ran without a start before it".into()));
            }
            if ok {
                u.started = false;
                u.teardown_started |= dying;
            }
            return Ok(());
        }
        if !dying {
            return Err(("I7", "remove ran on a unit that is not dying".into()));
        }
        if u.started {
            return Err(("I7", "remove ran before stop".into()));
        }
        u.removed = ok;
        Ok(())
    }

    /// Relation hooks (I3, I5, I11, I12; relation/resolver.go nextHookForRelation,
    /// relation/state.go Validate).
    fn relation_hook(
        &mut self,
        pos: usize,
        entry: &TraceEntry,
        kind: RelationEventKind,
        dying: bool,
        ok: bool,
    ) -> Result<(), (&'static str, String)> {
        use RelationEventKind as K;
        let name = entry.unit.as_str();
        let hook = entry.op.hook.as_str();
        let id = entry.op.relation_id.ok_or(("I5", format!("{hook} ran without a relation id")))?;
        let own_app = app_of(name).to_owned();
        let remote = entry.op.remote_unit.clone();
        let remote_dying = remote.as_deref().is_some_and(|x| self.unit_dying(x));
        let remote_commit = remote.as_ref().and_then(|x| self.last_commit.get(x)).copied().unwrap_or(0);
        let rel = self.relations.entry(id).or_default();
        if rel.removed {
            return Err(("I5", format!("{hook} ran after relation {id} was removed")));
        }
        // Juju enters scope while choosing relation-created, before it runs
        // (relation/statetracker.go joinRelation): remote units may then join it.
        if kind == K::Created {
            rel.scope_entered.insert(name.to_owned());
        }
        let remote_entered = remote.as_ref().is_some_and(|x| rel.scope_entered.contains(x));
        let rel_dying = rel.dying;
        let rel_peer = rel.apps.as_ref().is_some_and(|a| a.len() == 1);
        let remote_apps: Option<Vec<String>> = rel.apps.as_ref().map(|apps| {
            if apps.len() == 1 { apps.clone() } else { apps.iter().filter(|a| **a != own_app).cloned().collect() }
        });
        // The last commit of a unit of the remote application (unknown relation: of any unit).
        let app_commit = self
            .last_commit
            .iter()
            .filter(|(unit, _)| remote_apps.as_ref().is_none_or(|apps| apps.iter().any(|a| a == app_of(unit))))
            .map(|(_, &p)| p)
            .max()
            .unwrap_or(0);
        let u = self.units.get_mut(name).ok_or(("I2", "unknown unit".to_owned()))?;
        let started = u.start_ever;
        let r = u.relations.entry(id).or_default();
        if kind == K::Created {
            if r.created || r.broken {
                return Err(("I5", format!("relation-created ran again for relation {id}")));
            }
            r.created = ok;
            return Ok(());
        }
        // I5: relation-created first, nothing after broken.
        if !r.created {
            return Err(("I5", format!("{hook} ran before relation-created of relation {id}")));
        }
        if r.broken {
            return Err(("I5", format!("{hook} ran after relation-broken of relation {id}")));
        }
        // I5: after joined(X) the relation's next hook is changed(X) (ChangedPending).
        if let Some(owed) = &r.changed_owed
            && (kind != K::Changed || remote.as_ref() != Some(owed))
        {
            return Err(("I5", format!("{hook} ran where relation-changed for {owed} was owed after its joined")));
        }
        // I3: no joined/changed/departed before the first start (the relation resolver comes
        // after install and config-changed, and start is queued by config-changed).
        if !started && matches!(kind, K::Joined | K::Changed | K::Departed) {
            return Err(("I3", format!("{hook} ran before the unit's first start")));
        }
        match kind {
            K::Joined => {
                let x = remote.ok_or(("I5", format!("{hook} ran without a remote unit")))?;
                if r.members.contains_key(&x) {
                    return Err(("I5", format!("{hook} ran twice for {x}")));
                }
                // I12: X joins on Y only once X has entered the relation's scope.
                if !remote_entered {
                    return Err(("I12", format!("{hook} for {x} ran before {x} entered relation {id}")));
                }
                r.peer_seen |= app_of(&x) == own_app;
                if ok {
                    r.members.insert(x.clone(), pos);
                    r.changed_owed = Some(x);
                }
            }
            K::Changed => match remote {
                Some(x) => {
                    let Some(&window) = r.members.get(&x) else {
                        return Err(("I5", format!("{hook} for {x} ran before its relation-joined")));
                    };
                    if r.changed_owed.as_ref() == Some(&x) {
                        if ok {
                            r.changed_owed = None;
                        }
                    } else {
                        // I11: a later changed(X) reports a write X committed since.
                        if remote_commit <= window {
                            return Err(("I11", format!("{hook} for {x} with no commit of {x} since its last one")));
                        }
                        if ok {
                            r.members.insert(x, pos);
                        }
                    }
                }
                None => {
                    // I11: an application-level changed reports a commit by the remote app.
                    if app_commit <= r.app_window {
                        return Err(("I11", format!("application {hook} with no commit by the remote application")));
                    }
                    if ok {
                        r.app_window = pos;
                    }
                }
            },
            K::Departed => {
                let x = remote.ok_or(("I5", format!("{hook} ran without a remote unit")))?;
                if !r.members.contains_key(&x) {
                    return Err(("I5", format!("{hook} for {x} without a relation-joined before it")));
                }
                // I12: departed(X) only once X or the relation is dying (or this unit is).
                if !(remote_dying || rel_dying || dying) {
                    return Err(("I12", format!("{hook} for {x} while {x}, the relation and the unit are alive")));
                }
                if ok {
                    r.members.remove(&x);
                    u.teardown_started |= dying;
                }
            }
            K::Broken => {
                if rel_peer || r.peer_seen {
                    return Err(("I5", format!("{hook} ran on a peer relation")));
                }
                if let Some(x) = r.members.keys().next() {
                    return Err(("I5", format!("{hook} ran before relation-departed for {x}")));
                }
                if !(rel_dying || dying) {
                    return Err(("I5", format!("{hook} ran while the relation and the unit are alive")));
                }
                if ok {
                    r.broken = true;
                    u.teardown_started |= dying;
                }
            }
            K::Created => {}
        }
        Ok(())
    }

    fn secret_hook(
        &mut self,
        pos: usize,
        entry: &TraceEntry,
        kind: SecretEventKind,
        ok: bool,
    ) -> Result<(), (&'static str, String)> {
        let name = entry.unit.as_str();
        let secret = entry.op.secret.clone().unwrap_or_default();
        let u = self.units.get_mut(name).ok_or(("I2", "unknown unit".to_owned()))?;
        match kind {
            SecretEventKind::Remove => {
                // I8: once per (secret, revision, unit) (secrets/state.go persists it).
                let key = (secret, entry.op.secret_revision.unwrap_or(0));
                if u.removes.contains(&key) {
                    return Err(("I8", format!("secret-remove ran twice for {} revision {}", key.0, key.1)));
                }
                if ok {
                    u.removes.insert(key);
                }
            }
            SecretEventKind::Changed => {
                // I11: a new revision is visible only once some hook committed it.
                let since = u.secret_windows.get(&secret).copied().unwrap_or(0);
                if !self.last_commit.values().any(|&p| p > since) {
                    return Err(("I11", format!("secret-changed for {secret} with no commit since the last one")));
                }
                if ok && let Some(u) = self.units.get_mut(name) {
                    u.secret_windows.insert(secret, pos);
                }
            }
            SecretEventKind::Rotate | SecretEventKind::Expired => {}
        }
        Ok(())
    }
}
#[cfg(test)]
#[path = "invariants_tests.rs"]
mod tests;
