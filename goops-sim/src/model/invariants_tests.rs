//! Hand-built traces: for each rule one legal order that passes and broken orders that fail
//! with that rule's id. The legal orders are Juju's (docs/model.md's sequences), written out
//! here rather than produced by the model, so the checker is tested against the reference.

use super::{Violation, check_trace};
use crate::model::controller::{ActionRequest, Op};
use crate::model::trace::{ModelEvent, Outcome, Trace, TraceEntry};
use crate::state::ModelType;

/// A trace under construction.
#[derive(Default, Clone)]
struct T {
    entries: Vec<TraceEntry>,
}

fn op(hook: &str) -> Op {
    Op::hook(hook)
}

fn rel_op(hook: &str, id: u32, remote: Option<&str>) -> Op {
    Op { relation_id: Some(id), remote_unit: remote.map(str::to_owned), ..Op::hook(hook) }
}

impl T {
    fn push(mut self, unit: &str, op: Op, outcome: Outcome) -> T {
        let seq = self.entries.len() as u64 + 1;
        self.entries.push(TraceEntry { seq, unit: unit.to_owned(), op, outcome, changes: vec![], event: None });
        self
    }

    fn ev(mut self, event: ModelEvent) -> T {
        let seq = self.entries.len() as u64 + 1;
        self.entries.push(TraceEntry {
            seq,
            unit: String::new(),
            op: Op::default(),
            outcome: Outcome::Completed,
            changes: vec![],
            event: Some(event),
        });
        self
    }

    fn hook(self, unit: &str, hook: &str) -> T {
        self.push(unit, op(hook), Outcome::Completed)
    }

    fn failed(self, unit: &str, hook: &str) -> T {
        self.push(unit, op(hook), Outcome::Failed("boom".into()))
    }

    fn rel(self, unit: &str, hook: &str, id: u32, remote: Option<&str>) -> T {
        self.push(unit, rel_op(hook, id, remote), Outcome::Completed)
    }

    fn storage(self, unit: &str, hook: &str) -> T {
        self.push(unit, Op { storage: Some("data/0".into()), ..Op::hook(hook) }, Outcome::Completed)
    }

    fn action(self, unit: &str, name: &str) -> T {
        let action = Some(ActionRequest { id: "1".into(), params: serde_json::Map::new() });
        self.push(unit, Op { action, ..Op::hook(name) }, Outcome::Completed)
    }

    fn deploy(self, app: &str, units: &[&str]) -> T {
        let units = units.iter().map(|u| (*u).to_owned()).collect();
        self.ev(ModelEvent::Deploy { app: app.into(), units })
    }

    fn leader(self, app: &str, unit: Option<&str>) -> T {
        self.ev(ModelEvent::Leader { app: app.into(), unit: unit.map(str::to_owned) })
    }

    /// install, relation-created for each of `rels` (`endpoint`, id), the leadership hook,
    /// config-changed, start: Juju's first setup on a machine (uniter_test.go startupHooks).
    fn setup(self, unit: &str, rels: &[(&str, u32)], leader: bool) -> T {
        let mut t = self.hook(unit, "install");
        for (ep, id) in rels {
            t = t.rel(unit, &format!("{ep}-relation-created"), *id, None);
        }
        let lead = if leader { "leader-elected" } else { "leader-settings-changed" };
        t.hook(unit, lead).hook(unit, "config-changed").hook(unit, "start")
    }

    fn check(&self) -> Result<(), Violation> {
        check_trace(&Trace { seed: None, entries: self.entries.clone() }, ModelType::Machine)
    }

    fn check_k8s(&self) -> Result<(), Violation> {
        check_trace(&Trace { seed: None, entries: self.entries.clone() }, ModelType::Kubernetes)
    }
}

#[track_caller]
fn fails(result: Result<(), Violation>, rule: &str) -> Violation {
    match result {
        Err(v) if v.rule == rule => v,
        other => panic!("expected a violation of {rule}, got {other:?}"),
    }
}

/// ca (1 unit) and req (2 units) integrated on relation 0, every unit set up, and the
/// relation hooks of the typical order: each side joins and reads the other's units.
fn related() -> T {
    T::default()
        .deploy("ca", &["ca/0"])
        .deploy("req", &["req/0", "req/1"])
        .ev(ModelEvent::Integrate { id: 0, endpoints: vec!["ca:certificates".into(), "req:certificates".into()] })
        .leader("ca", Some("ca/0"))
        .leader("req", Some("req/0"))
        .setup("ca/0", &[("certificates", 0)], true)
        .setup("req/0", &[("certificates", 0)], true)
        .setup("req/1", &[("certificates", 0)], false)
        .rel("ca/0", "certificates-relation-joined", 0, Some("req/0"))
        .rel("ca/0", "certificates-relation-changed", 0, Some("req/0"))
        .rel("req/0", "certificates-relation-joined", 0, Some("ca/0"))
        .rel("ca/0", "certificates-relation-joined", 0, Some("req/1"))
        .rel("req/0", "certificates-relation-changed", 0, Some("ca/0"))
        .rel("ca/0", "certificates-relation-changed", 0, Some("req/1"))
        .rel("req/1", "certificates-relation-joined", 0, Some("ca/0"))
        .rel("req/1", "certificates-relation-changed", 0, Some("ca/0"))
}

#[test]
fn typical_deploy_and_relate_passes() {
    related().check().unwrap();
    related().check_k8s().unwrap();
}

#[test]
fn i2_storage_before_install_on_machines_only() {
    let t = T::default().deploy("db", &["db/0"]).leader("db", Some("db/0"));
    let legal = t.clone().storage("db/0", "data-storage-attached").setup("db/0", &[], true);
    legal.check().unwrap();
    assert_eq!(fails(legal.check_k8s(), "I2").seq, 3);
    fails(t.clone().hook("db/0", "config-changed").check(), "I2");
    fails(t.clone().action("db/0", "backup").check(), "I2");
    fails(t.setup("db/0", &[], true).hook("db/0", "install").check(), "I2");
}

#[test]
fn i2_a_failed_install_is_retried_once() {
    let t = T::default().deploy("db", &["db/0"]).leader("db", Some("db/0"));
    t.failed("db/0", "install").setup("db/0", &[], true).check().unwrap();
}

#[test]
fn i3_startup_order() {
    let t = T::default().deploy("db", &["db/0"]).leader("db", Some("db/0"));
    // config-changed before the leadership hook.
    fails(t.clone().hook("db/0", "install").hook("db/0", "config-changed").check(), "I3");
    // start before config-changed.
    fails(t.clone().hook("db/0", "install").hook("db/0", "leader-elected").hook("db/0", "start").check(), "I3");
    // something between config-changed and the start it queued (an action included).
    let configured = t.hook("db/0", "install").hook("db/0", "leader-elected").hook("db/0", "config-changed");
    fails(configured.clone().hook("db/0", "update-status").check(), "I3");
    fails(configured.clone().action("db/0", "backup").check(), "I3");
    configured.hook("db/0", "start").action("db/0", "backup").check().unwrap();
}

#[test]
fn i3_relation_created_before_the_leadership_hook() {
    let t = T::default()
        .deploy("db", &["db/0"])
        .ev(ModelEvent::Integrate { id: 4, endpoints: vec!["db:peers".into()] })
        .leader("db", Some("db/0"));
    t.clone().setup("db/0", &[("peers", 4)], true).check().unwrap();
    let v = fails(t.hook("db/0", "install").hook("db/0", "leader-elected").check(), "I3");
    assert!(v.message.contains("relation-created for relation 4"), "{v}");
}

#[test]
fn i3_no_relation_hooks_before_start() {
    let t = T::default()
        .deploy("a", &["a/0", "a/1"])
        .ev(ModelEvent::Integrate { id: 1, endpoints: vec!["a:peers".into()] })
        .leader("a", Some("a/0"))
        .setup("a/0", &[("peers", 1)], true)
        .hook("a/1", "install")
        .rel("a/1", "peers-relation-created", 1, None)
        .hook("a/1", "leader-settings-changed");
    fails(t.clone().rel("a/1", "peers-relation-joined", 1, Some("a/0")).check(), "I3");
    fails(t.clone().rel("a/1", "peers-relation-changed", 1, None).check(), "I3");
    t.hook("a/1", "config-changed")
        .hook("a/1", "start")
        .rel("a/1", "peers-relation-joined", 1, Some("a/0"))
        .check()
        .unwrap();
}

#[test]
fn i4_upgrade_charm_then_config_changed() {
    let t = T::default().deploy("db", &["db/0"]).leader("db", Some("db/0")).setup("db/0", &[], true);
    fails(t.clone().hook("db/0", "upgrade-charm").check(), "I4");
    let upgraded = t.ev(ModelEvent::Upgrade { app: "db".into(), revision: 2 }).hook("db/0", "upgrade-charm");
    upgraded.clone().hook("db/0", "config-changed").hook("db/0", "update-status").check().unwrap();
    fails(upgraded.clone().hook("db/0", "update-status").check(), "I4");
    // Kubernetes: storage hooks may come between.
    let k8s = upgraded.storage("db/0", "data-storage-attached");
    k8s.clone().hook("db/0", "config-changed").check_k8s().unwrap();
    fails(k8s.check(), "I4");
}

#[test]
fn i5_joined_then_changed_per_remote_unit() {
    let t = related();
    // Another hook of relation 0 on ca/0 between joined(req/2) and changed(req/2).
    let t = t
        .ev(ModelEvent::AddUnit { unit: "req/2".into() })
        .hook("req/2", "install")
        .rel("req/2", "certificates-relation-created", 0, None)
        .rel("ca/0", "certificates-relation-joined", 0, Some("req/2"));
    // Other hooks of the unit may come between; the relation's own may not.
    t.clone()
        .hook("ca/0", "update-status")
        .rel("ca/0", "certificates-relation-changed", 0, Some("req/2"))
        .check()
        .unwrap();
    let v = fails(t.rel("ca/0", "certificates-relation-changed", 0, None).check(), "I5");
    assert!(v.message.contains("owed"), "{v}");
}

#[test]
fn i5_per_relation_rules() {
    let t = related();
    fails(t.clone().rel("ca/0", "certificates-relation-joined", 0, Some("req/0")).check(), "I5");
    fails(t.clone().rel("ca/0", "other-relation-changed", 7, Some("req/0")).check(), "I5");
    let base = T::default().deploy("ca", &["ca/0"]).leader("ca", Some("ca/0"));
    fails(
        base.setup("ca/0", &[], true)
            .rel("ca/0", "x-relation-created", 3, None)
            .rel("ca/0", "x-relation-changed", 3, Some("req/9"))
            .check(),
        "I5",
    );
    // departed twice; broken before every departed; anything after broken.
    let dying = t.ev(ModelEvent::RemoveRelation { id: 0 });
    let departed = dying.clone().rel("ca/0", "certificates-relation-departed", 0, Some("req/0"));
    fails(departed.clone().rel("ca/0", "certificates-relation-departed", 0, Some("req/0")).check(), "I5");
    fails(departed.clone().rel("ca/0", "certificates-relation-broken", 0, None).check(), "I5");
    let broken = departed.rel("ca/0", "certificates-relation-departed", 0, Some("req/1")).rel(
        "ca/0",
        "certificates-relation-broken",
        0,
        None,
    );
    broken.clone().check().unwrap();
    fails(broken.clone().rel("ca/0", "certificates-relation-changed", 0, None).check(), "I5");
    fails(
        broken.ev(ModelEvent::RelationRemoved { id: 0 }).rel("req/0", "certificates-relation-broken", 0, None).check(),
        "I5",
    );
}

#[test]
fn i5_never_broken_on_a_peer_relation() {
    let t = T::default()
        .deploy("a", &["a/0", "a/1"])
        .ev(ModelEvent::Integrate { id: 1, endpoints: vec!["a:peers".into()] })
        .leader("a", Some("a/0"))
        .setup("a/0", &[("peers", 1)], true)
        .setup("a/1", &[("peers", 1)], false)
        .rel("a/0", "peers-relation-joined", 1, Some("a/1"))
        .rel("a/0", "peers-relation-changed", 1, Some("a/1"))
        .ev(ModelEvent::RemoveUnit { unit: "a/0".into() })
        .rel("a/0", "peers-relation-departed", 1, Some("a/1"));
    t.clone().hook("a/0", "stop").hook("a/0", "remove").check().unwrap();
    fails(t.rel("a/0", "peers-relation-broken", 1, None).check(), "I5");
}

#[test]
fn i6_leader_elected_only_on_the_lease_holder() {
    let t = T::default().deploy("a", &["a/0", "a/1"]).leader("a", Some("a/0")).setup("a/0", &[], true).setup(
        "a/1",
        &[],
        false,
    );
    fails(t.clone().hook("a/1", "leader-elected").check(), "I6");
    fails(t.clone().hook("a/0", "leader-settings-changed").check(), "I6");
    fails(t.clone().hook("a/0", "leader-elected").check(), "I6");
    // The lease moves: the new holder is elected, the old one is deposed.
    let moved = t.leader("a", Some("a/1")).hook("a/1", "leader-elected").hook("a/0", "leader-settings-changed");
    moved.clone().check().unwrap();
    // And back: a/0 may be elected again.
    moved.leader("a", Some("a/0")).hook("a/0", "leader-elected").check().unwrap();
}

#[test]
fn i6_without_a_traced_lease_one_leader_at_a_time() {
    let t = T::default().deploy("a", &["a/0", "a/1"]).setup("a/0", &[], true);
    fails(t.clone().setup("a/1", &[], true).check(), "I6");
    t.setup("a/1", &[], false).check().unwrap();
}

/// ca/0 and req/0 (related, set up), then req/0 removed.
fn removing_req0() -> T {
    related().ev(ModelEvent::RemoveUnit { unit: "req/0".into() })
}

#[test]
fn i7_teardown_order() {
    let t = removing_req0()
        .storage("req/0", "data-storage-detaching")
        .rel("req/0", "certificates-relation-departed", 0, Some("ca/0"))
        .rel("req/0", "certificates-relation-broken", 0, None);
    let legal =
        t.clone().hook("req/0", "stop").hook("req/0", "remove").ev(ModelEvent::UnitDead { unit: "req/0".into() });
    legal.clone().check().unwrap();
    fails(legal.clone().hook("req/0", "update-status").check(), "I7");
    fails(t.clone().hook("req/0", "remove").check(), "I7");
    fails(t.clone().storage("req/0", "data-storage-detaching").check(), "I7");
    fails(t.clone().hook("req/0", "stop").ev(ModelEvent::UnitDead { unit: "req/0".into() }).check(), "I7");
    // stop before the relation is torn down; setup hooks while dying.
    fails(removing_req0().hook("req/0", "stop").check(), "I7");
    fails(removing_req0().rel("req/0", "other-relation-created", 5, None).check(), "I7");
    fails(removing_req0().hook("req/0", "leader-settings-changed").check(), "I7");
    // remove on a live unit.
    fails(related().hook("req/1", "stop").hook("req/1", "remove").check(), "I7");
}

#[test]
fn i8_secret_remove_once_per_revision() {
    let remove =
        |rev| Op { secret: Some("secret:abc".into()), secret_revision: Some(rev), ..Op::hook("secret-remove") };
    let t = T::default().deploy("a", &["a/0"]).leader("a", Some("a/0")).setup("a/0", &[], true);
    let t = t.push("a/0", remove(1), Outcome::Completed).push("a/0", remove(2), Outcome::Completed);
    t.clone().check().unwrap();
    fails(t.push("a/0", remove(1), Outcome::Completed).check(), "I8");
}

#[test]
fn i9_nothing_but_actions_until_the_retry_succeeds() {
    let t = T::default().deploy("a", &["a/0"]).leader("a", Some("a/0")).setup("a/0", &[], true);
    let failed = t.clone().failed("a/0", "update-status").action("a/0", "backup");
    failed.clone().failed("a/0", "update-status").hook("a/0", "update-status").check().unwrap();
    failed.clone().hook("a/0", "update-status").action("a/0", "backup").check().unwrap();
    fails(failed.hook("a/0", "config-changed").check(), "I9");
    let injected = t.push("a/0", op("config-changed"), Outcome::InjectedFailure);
    fails(injected.clone().hook("a/0", "update-status").check(), "I9");
    injected.hook("a/0", "config-changed").hook("a/0", "update-status").check().unwrap();
}

#[test]
fn i10_update_status_and_workload_hooks() {
    let t = T::default().deploy("a", &["a/0"]).leader("a", Some("a/0"));
    fails(t.clone().hook("a/0", "install").hook("a/0", "update-status").check(), "I10");
    let pebble = Op { container: Some("web".into()), ..Op::hook("web-pebble-ready") };
    let k8s = t.hook("a/0", "install").push("a/0", pebble, Outcome::Completed);
    k8s.clone().check_k8s().unwrap();
    fails(k8s.check(), "I10");
}

#[test]
fn i11_a_later_changed_needs_a_commit() {
    // req/0 commits, then ca/0 sees it.
    let t = related().hook("req/0", "update-status").rel("ca/0", "certificates-relation-changed", 0, Some("req/0"));
    t.clone().check().unwrap();
    // req/0's next hook failed: its writes were discarded, nothing to deliver.
    let v = fails(
        t.clone()
            .failed("req/0", "update-status")
            .rel("ca/0", "certificates-relation-changed", 0, Some("req/0"))
            .check(),
        "I11",
    );
    assert_eq!(v.unit, "ca/0");
    // Application level: a commit by any req unit counts, one by ca does not.
    let t = t.hook("req/1", "update-status").rel("ca/0", "certificates-relation-changed", 0, None);
    t.clone().check().unwrap();
    fails(t.clone().hook("ca/0", "update-status").rel("ca/0", "certificates-relation-changed", 0, None).check(), "I11");
    t.hook("req/0", "update-status").rel("ca/0", "certificates-relation-changed", 0, None).check().unwrap();
}

#[test]
fn i12_joined_after_scope_entry_departed_after_dying() {
    let t = related().ev(ModelEvent::AddUnit { unit: "req/2".into() });
    fails(t.clone().rel("ca/0", "certificates-relation-joined", 0, Some("req/2")).check(), "I12");
    // Scope is entered as relation-created begins: even a failed one counts.
    t.clone()
        .hook("req/2", "install")
        .push("req/2", rel_op("certificates-relation-created", 0, None), Outcome::InjectedFailure)
        .rel("ca/0", "certificates-relation-joined", 0, Some("req/2"))
        .check()
        .unwrap();
    fails(related().rel("ca/0", "certificates-relation-departed", 0, Some("req/0")).check(), "I12");
    removing_req0().rel("ca/0", "certificates-relation-departed", 0, Some("req/0")).check().unwrap();
}

#[test]
fn i13_the_lease_goes_to_a_live_unit_of_the_app() {
    let t = removing_req0()
        .rel("req/0", "certificates-relation-departed", 0, Some("ca/0"))
        .rel("req/0", "certificates-relation-broken", 0, None)
        .hook("req/0", "stop")
        .hook("req/0", "remove")
        .ev(ModelEvent::UnitDead { unit: "req/0".into() });
    t.clone().leader("req", Some("req/1")).hook("req/1", "leader-elected").check().unwrap();
    fails(t.clone().leader("req", Some("req/0")).check(), "I13");
    fails(t.clone().leader("req", Some("ca/0")).check(), "I13");
    // Until the lease moves, the dead leader keeps it: nobody else is elected.
    fails(t.hook("req/1", "leader-elected").check(), "I6");
}

#[test]
fn violation_names_entry_unit_and_rule() {
    let t = T::default().deploy("db", &["db/0"]).hook("db/0", "start");
    let v = fails(t.check(), "I2");
    assert_eq!((v.seq, v.unit.as_str()), (2, "db/0"));
    assert_eq!(v.to_string(), "trace entry 2 (db/0): rule I2: start ran before install");
    let v = check_trace(
        &Trace { seed: None, entries: T::default().hook("db/0", "frobnicate").entries },
        ModelType::Machine,
    );
    assert_eq!(v.unwrap_err().rule, "hook");
}

#[test]
fn i9_a_leader_elected_in_error_ends_when_the_lease_moves() {
    let t = T::default().deploy("a", &["a/0", "a/1"]).leader("a", Some("a/0")).hook("a/0", "install");
    let t = t.push("a/0", op("leader-elected"), Outcome::InjectedFailure);
    // Still the holder: only the retry may run.
    fails(t.clone().hook("a/0", "config-changed").check(), "I9");
    // The lease moved: Juju skips the retry, and the unit carries on as a follower.
    t.leader("a", Some("a/1"))
        .hook("a/0", "leader-settings-changed")
        .hook("a/0", "config-changed")
        .hook("a/0", "start")
        .check()
        .unwrap();
}

#[test]
fn i4_a_pod_restart_runs_upgrade_charm_config_changed_start() {
    let t = T::default().deploy("a", &["a/0"]).leader("a", Some("a/0")).setup("a/0", &[], true);
    let restarted = t.clone().ev(ModelEvent::PodRestart { unit: "a/0".into() }).hook("a/0", "upgrade-charm");
    restarted.clone().hook("a/0", "config-changed").hook("a/0", "start").check_k8s().unwrap();
    fails(restarted.hook("a/0", "config-changed").hook("a/0", "update-status").check_k8s(), "I3");
    // Without a restart (or a refresh) there is no upgrade-charm.
    fails(t.hook("a/0", "upgrade-charm").check_k8s(), "I4");
}
