//! The agent alone: controllers built by hand, driven by next_ops/begin/finish with every op
//! succeeding (no charm runs), and the hook sequences checked against the orders Juju's
//! uniter produces (its `resolver.go`, `relation/resolver.go`, `secrets/resolver.go`,
//! `leadership/resolver.go` and the startup sequences of its `uniter_test.go`).

use std::collections::BTreeMap;

use super::super::controller::{
    Application, ConsumerRecord, EndpointRef, RelationDoc, SecretDoc, SecretOwnerRef, Unit,
};
use super::*;
use crate::state::{SecretGrant, SecretRevision, Storage};

#[path = "agent_secret_tests.rs"]
mod secrets;
use secrets::{app_secret, first_read, new_revision};

/// A machine model.
fn machine() -> Controller {
    Controller::default()
}

/// A Kubernetes model.
fn kubernetes() -> Controller {
    let mut ctrl = Controller::default();
    ctrl.model.model_type = ModelType::Kubernetes;
    ctrl
}

/// Deploy `app` with `n` units; the first unit holds the lease (Juju's agents claim it
/// before any hook).
fn deploy(ctrl: &mut Controller, app: &str, n: u32) {
    ctrl.applications.insert(
        app.to_owned(),
        Application {
            name: app.to_owned(),
            charm_name: app.to_owned(),
            leader: Some(format!("{app}/0")),
            ..Application::default()
        },
    );
    for _ in 0..n {
        add_unit(ctrl, app);
    }
}

/// Add a unit to `app`; returns its name.
fn add_unit(ctrl: &mut Controller, app: &str) -> String {
    let a = ctrl.applications.get_mut(app).expect("app deployed");
    let name = format!("{app}/{}", a.next_unit);
    a.next_unit += 1;
    ctrl.units.insert(name.clone(), Unit { name: name.clone(), app: app.to_owned(), ..Unit::default() });
    name
}

/// Relate `a:ea` with `b:eb`; returns the relation id.
fn relate(ctrl: &mut Controller, a: &str, ea: &str, b: &str, eb: &str) -> u32 {
    let id = ctrl.next_relation_id;
    ctrl.next_relation_id += 1;
    let endpoints = vec![
        EndpointRef { app: a.to_owned(), endpoint: ea.to_owned() },
        EndpointRef { app: b.to_owned(), endpoint: eb.to_owned() },
    ];
    ctrl.relations.push(RelationDoc { id, interface: "x".into(), endpoints, ..RelationDoc::default() });
    id
}

/// A peer relation of `app` on endpoint `ep`; returns its id.
fn peer(ctrl: &mut Controller, app: &str, ep: &str) -> u32 {
    let id = ctrl.next_relation_id;
    ctrl.next_relation_id += 1;
    let endpoints = vec![EndpointRef { app: app.to_owned(), endpoint: ep.to_owned() }];
    ctrl.relations.push(RelationDoc { id, interface: "p".into(), endpoints, ..RelationDoc::default() });
    id
}

/// One op as a trace line: `unit hook [remote] [departing=..] [secret/rev] [storage] [container]`.
fn line(unit: &str, op: &Op) -> String {
    let mut s = format!("{unit} {}", op.hook);
    if let Some(r) = &op.remote_unit {
        s += &format!(" {r}");
    }
    if let Some(d) = &op.departing_unit {
        s += &format!(" departing={d}");
    }
    if let Some(rev) = op.secret_revision {
        s += &format!(" rev={rev}");
    }
    if let Some(st) = &op.storage {
        s += &format!(" {st}");
    }
    s
}

/// Run one op on `unit` (the first alternative), succeeding; returns its trace line.
fn step(ctrl: &mut Controller, unit: &str) -> Option<String> {
    let op = next_ops(ctrl, unit).into_iter().next()?;
    begin(ctrl, unit, &op);
    finish(ctrl, unit, &op, true, None);
    Some(line(unit, &op))
}

/// Run `unit` alone until it is idle.
fn run_unit(ctrl: &mut Controller, unit: &str) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(l) = step(ctrl, unit) {
        out.push(l);
        assert!(out.len() < 1000, "{unit} does not settle: {out:#?}");
    }
    out
}

/// Simulate the agents alone: round-robin over the units, one op each per round, until no
/// unit has anything to do.
fn settle(ctrl: &mut Controller) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let mut any = false;
        for unit in ctrl.unit_names() {
            if let Some(l) = step(ctrl, &unit) {
                out.push(l);
                any = true;
            }
        }
        if !any {
            return out;
        }
        assert!(out.len() < 10_000, "no settle: {out:#?}");
    }
}

/// The lines of `trace` for `unit`, without the unit name.
fn of(trace: &[String], unit: &str) -> Vec<String> {
    let prefix = format!("{unit} ");
    trace.iter().filter_map(|l| l.strip_prefix(&prefix).map(str::to_owned)).collect()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// Machine startup, leader and non-leader (Juju's uniter_test startupHooks): storage first,
/// install, relation-created per relation, the leader hook, config-changed, start, then the
/// relation hooks for units already there.
#[test]
fn machine_startup_for_leader_and_follower() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "db", 2);
    let cluster = peer(&mut ctrl, "db", "cluster");
    ctrl.units.get_mut("db/0").unwrap().storage.push(Storage { name: "data".into(), ..Storage::default() });
    let trace = settle(&mut ctrl);
    assert_eq!(
        of(&trace, "db/0"),
        strs(&[
            "data-storage-attached data/0",
            "install",
            "cluster-relation-created",
            "leader-elected",
            "config-changed",
            "start",
            "cluster-relation-joined db/1",
            "cluster-relation-changed db/1",
        ])
    );
    assert_eq!(
        of(&trace, "db/1"),
        strs(&[
            "install",
            "cluster-relation-created",
            "leader-settings-changed",
            "config-changed",
            "start",
            "cluster-relation-joined db/0",
            "cluster-relation-changed db/0",
        ])
    );
    // Scope entry pre-filled each unit's bag with the address keys, at version 0.
    let rel = ctrl.relation(cluster).unwrap();
    assert_eq!(rel.scope.len(), 2);
    let bag = &rel.unit_data["db/1"];
    assert_eq!(bag.version, 0);
    assert!(bag.data.contains_key("private-address") && bag.data.contains_key("ingress-address"));
    assert!(ctrl.units["db/0"].agent.leader && !ctrl.units["db/1"].agent.leader);
    // Nothing more to do: settled.
    assert!(ctrl.unit_names().iter().all(|u| next_ops(&ctrl, u).is_empty()));
}

/// Kubernetes startup: install first (no storage before it), relation-created, the leader
/// hook, then pebble-ready and storage-attached (their resolvers outrank config-changed),
/// then config-changed and start.
#[test]
fn kubernetes_startup() {
    let mut ctrl = kubernetes();
    deploy(&mut ctrl, "web", 1);
    peer(&mut ctrl, "web", "peers");
    let u = ctrl.units.get_mut("web/0").unwrap();
    u.storage.push(Storage { name: "cache".into(), ..Storage::default() });
    u.containers.insert("nginx".into(), crate::state::ContainerState { can_connect: true, ..Default::default() });
    u.container_boots.insert("nginx".into(), 1);
    let trace = settle(&mut ctrl);
    assert_eq!(
        of(&trace, "web/0"),
        strs(&[
            "install",
            "peers-relation-created",
            "leader-elected",
            "nginx-pebble-ready",
            "cache-storage-attached cache/0",
            "config-changed",
            "start",
        ])
    );
    // A workload container restart (a new Pebble boot) gives pebble-ready again, once.
    ctrl.units.get_mut("web/0").unwrap().container_boots.insert("nginx".into(), 2);
    assert_eq!(run_unit(&mut ctrl, "web/0"), strs(&["web/0 nginx-pebble-ready"]));
}

/// A container whose Pebble the charm cannot reach gets no pebble-ready until it can.
#[test]
fn pebble_ready_waits_for_can_connect() {
    let mut ctrl = kubernetes();
    deploy(&mut ctrl, "web", 1);
    let u = ctrl.units.get_mut("web/0").unwrap();
    u.containers.insert("nginx".into(), crate::state::ContainerState { can_connect: false, ..Default::default() });
    u.container_boots.insert("nginx".into(), 1);
    let trace = settle(&mut ctrl);
    assert!(!trace.iter().any(|l| l.contains("pebble-ready")), "{trace:#?}");
    ctrl.units.get_mut("web/0").unwrap().containers.get_mut("nginx").unwrap().can_connect = true;
    assert_eq!(settle(&mut ctrl), strs(&["web/0 nginx-pebble-ready"]));
}

/// Two applications set up, then related: every unit of both sides runs relation-created;
/// then, per relation and in Juju's order inside it, the remote app bag's changed (once a
/// remote leader wrote it), joined(X) immediately followed by changed(X), sorted by name.
#[test]
fn relation_order_inside_one_relation() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 2);
    deploy(&mut ctrl, "b", 1);
    settle(&mut ctrl);
    let id = relate(&mut ctrl, "a", "db", "b", "backend");
    // Each unit enters scope when it chooses relation-created; run the a units' first.
    assert_eq!(run_unit(&mut ctrl, "a/0"), strs(&["a/0 db-relation-created"]));
    assert_eq!(run_unit(&mut ctrl, "a/1"), strs(&["a/1 db-relation-created"]));
    // The a leader's app bag write, committed by a hook.
    ctrl.relation_mut(id).unwrap().app_data.insert("a".into(), Versioned { version: 1, ..Versioned::default() });
    let b = run_unit(&mut ctrl, "b/0");
    assert_eq!(
        b,
        strs(&[
            "b/0 backend-relation-created",
            "b/0 backend-relation-changed",
            "b/0 backend-relation-joined a/0",
            "b/0 backend-relation-changed a/0",
            "b/0 backend-relation-joined a/1",
            "b/0 backend-relation-changed a/1",
        ])
    );
    let a0 = run_unit(&mut ctrl, "a/0");
    // b never wrote its app bag: no app-level changed on the a side.
    assert_eq!(a0, strs(&["a/0 db-relation-joined b/0", "a/0 db-relation-changed b/0"]));
    let seen = &ctrl.units["b/0"].agent.relations[&id];
    assert_eq!(seen.app_version_seen, 1);
    assert_eq!(seen.members.keys().cloned().collect::<Vec<_>>(), strs(&["a/0", "a/1"]));
}

/// A remote unit enters scope while choosing its relation-created, so a started unit may run
/// joined for it before that relation-created has committed (its bag then holds only the
/// address keys).
#[test]
fn joined_may_precede_the_remote_relation_created() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 1);
    deploy(&mut ctrl, "b", 1);
    settle(&mut ctrl);
    let id = relate(&mut ctrl, "a", "db", "b", "backend");
    run_unit(&mut ctrl, "b/0");
    let op = next_ops(&ctrl, "a/0").remove(0);
    assert_eq!(op.hook, "db-relation-created");
    begin(&mut ctrl, "a/0", &op);
    // a/0 has not finished relation-created, yet b/0 sees it in scope.
    assert_eq!(next_ops(&ctrl, "b/0")[0].remote_unit.as_deref(), Some("a/0"));
    assert_eq!(ctrl.relation(id).unwrap().unit_data["a/0"].version, 0);
}

/// joined(X) is followed by changed(X) before any other hook of that relation, while other
/// relations stay alternatives (one candidate per relation).
#[test]
fn changed_follows_joined_per_relation() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 2);
    deploy(&mut ctrl, "b", 1);
    deploy(&mut ctrl, "c", 1);
    settle(&mut ctrl);
    let ab = relate(&mut ctrl, "a", "db", "b", "backend");
    let cb = relate(&mut ctrl, "c", "db", "b", "other");
    for u in ["a/0", "a/1", "c/0"] {
        run_unit(&mut ctrl, u);
    }
    // relation-created for both relations are alternatives.
    let ops = next_ops(&ctrl, "b/0");
    assert_eq!(ops.iter().map(|o| o.relation_id).collect::<Vec<_>>(), vec![Some(ab), Some(cb)]);
    step(&mut ctrl, "b/0");
    step(&mut ctrl, "b/0");
    let joined = next_ops(&ctrl, "b/0").remove(0);
    assert_eq!((joined.hook.as_str(), joined.remote_unit.as_deref()), ("backend-relation-joined", Some("a/0")));
    begin(&mut ctrl, "b/0", &joined);
    finish(&mut ctrl, "b/0", &joined, true, None);
    let ops = next_ops(&ctrl, "b/0");
    let lines: Vec<String> = ops.iter().map(|o| line("b/0", o)).collect();
    assert_eq!(lines, strs(&["b/0 backend-relation-changed a/0", "b/0 other-relation-joined c/0"]));
}

/// Several writes to one bag between two looks give one relation-changed; no write gives
/// none (relation-changed is level-triggered on the bag version).
#[test]
fn bag_writes_coalesce_into_one_changed() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 1);
    deploy(&mut ctrl, "b", 1);
    let id = relate(&mut ctrl, "a", "db", "b", "backend");
    settle(&mut ctrl);
    assert!(settle(&mut ctrl).is_empty());
    let bag = ctrl.relation_mut(id).unwrap().unit_data.get_mut("a/0").unwrap();
    bag.version += 1;
    bag.version += 1;
    assert_eq!(settle(&mut ctrl), strs(&["b/0 backend-relation-changed a/0"]));
    assert_eq!(ctrl.units["b/0"].agent.relations[&id].members["a/0"], 2);
}

/// remove-unit: the dying unit detaches its storage, departs every member (DEPARTING is
/// itself), breaks the non-peer relation (never the peer one), stops and is removed; the
/// others depart it with DEPARTING = it and break nothing.
#[test]
fn remove_unit_teardown() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 2);
    deploy(&mut ctrl, "b", 1);
    let cluster = peer(&mut ctrl, "a", "cluster");
    let db = relate(&mut ctrl, "a", "db", "b", "backend");
    ctrl.units.get_mut("a/1").unwrap().storage.push(Storage { name: "data".into(), index: 3, ..Storage::default() });
    settle(&mut ctrl);
    ctrl.units.get_mut("a/1").unwrap().life = Life::Dying;
    let trace = settle(&mut ctrl);
    let a1 = of(&trace, "a/1");
    // The two relations' teardowns are alternatives; this run takes them in id order.
    assert_eq!(
        a1,
        strs(&[
            "data-storage-detaching data/3",
            "cluster-relation-departed a/0 departing=a/1",
            "db-relation-departed b/0 departing=a/1",
            "db-relation-broken",
            "stop",
            "remove",
        ])
    );
    assert_eq!(of(&trace, "a/0"), strs(&["cluster-relation-departed a/1 departing=a/1"]));
    assert_eq!(of(&trace, "b/0"), strs(&["backend-relation-departed a/1 departing=a/1"]));
    assert!(ctrl.units["a/1"].agent.removed);
    assert!(next_ops(&ctrl, "a/1").is_empty());
    assert!(ctrl.relations.iter().all(|r| !r.scope.contains("a/1")));
    assert!(!ctrl.units["a/1"].agent.relations[&cluster].broken);
    assert!(ctrl.units["a/1"].agent.relations[&db].broken);
}

/// remove-relation: every unit on both sides departs each remote unit it knew (DEPARTING =
/// the remote unit: the local side is alive), then runs broken, and leaves scope.
#[test]
fn remove_relation_departs_then_breaks() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 1);
    deploy(&mut ctrl, "b", 2);
    let id = relate(&mut ctrl, "a", "db", "b", "backend");
    settle(&mut ctrl);
    ctrl.relation_mut(id).unwrap().life = Life::Dying;
    let trace = settle(&mut ctrl);
    assert_eq!(
        of(&trace, "a/0"),
        strs(&[
            "db-relation-departed b/0 departing=b/0",
            "db-relation-departed b/1 departing=b/1",
            "db-relation-broken",
        ])
    );
    assert_eq!(of(&trace, "b/1"), strs(&["backend-relation-departed a/0 departing=a/0", "backend-relation-broken"]));
    let rel = ctrl.relation(id).unwrap();
    assert!(rel.scope.is_empty());
    assert!(ctrl.units.values().all(|u| u.agent.relations[&id].broken));
    // Nothing more for that relation id.
    assert!(settle(&mut ctrl).is_empty());
}

/// A relation removed before a unit created it gives that unit no hook at all.
#[test]
fn dying_relation_gets_no_created() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 1);
    deploy(&mut ctrl, "b", 1);
    settle(&mut ctrl);
    let id = relate(&mut ctrl, "a", "db", "b", "backend");
    ctrl.relation_mut(id).unwrap().life = Life::Dying;
    assert!(settle(&mut ctrl).is_empty());
}

/// Leadership moves: the new holder runs leader-elected, the deposed one
/// leader-settings-changed; then a leader-set reaches the followers once, not the leader.
#[test]
fn leader_change_and_leader_settings() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 3);
    settle(&mut ctrl);
    ctrl.applications.get_mut("a").unwrap().leader = Some("a/2".into());
    let trace = settle(&mut ctrl);
    assert_eq!(trace, strs(&["a/0 leader-settings-changed", "a/2 leader-elected"]));
    assert!(!ctrl.units["a/0"].agent.leader && ctrl.units["a/2"].agent.leader);
    ctrl.applications.get_mut("a").unwrap().leader_settings_version += 1;
    let trace = settle(&mut ctrl);
    assert_eq!(trace, strs(&["a/0 leader-settings-changed", "a/1 leader-settings-changed"]));
}

/// The leader goes: a dying leader resigns without a hook and tears down; once the caller
/// moves the lease, the new leader runs leader-elected.
#[test]
fn leader_removed() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 2);
    settle(&mut ctrl);
    ctrl.units.get_mut("a/0").unwrap().life = Life::Dying;
    assert_eq!(settle(&mut ctrl), strs(&["a/0 stop", "a/0 remove"]));
    ctrl.applications.get_mut("a").unwrap().leader = Some("a/1".into());
    assert_eq!(settle(&mut ctrl), strs(&["a/1 leader-elected"]));
}

/// upgrade-charm is followed by config-changed (queued by its commit), then, on a follower,
/// leader-settings-changed (the restarted resolver forgot the version). No start, no
/// leader-elected.
#[test]
fn upgrade_charm_then_config_changed() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 2);
    settle(&mut ctrl);
    ctrl.applications.get_mut("a").unwrap().charm_revision += 1;
    let trace = settle(&mut ctrl);
    assert_eq!(of(&trace, "a/0"), strs(&["upgrade-charm", "config-changed"]));
    assert_eq!(of(&trace, "a/1"), strs(&["upgrade-charm", "config-changed", "leader-settings-changed"]));
}

/// A config change gives config-changed once per unit; update-status runs once per unseen
/// tick (ticks coalesce), only when nothing else is runnable.
#[test]
fn config_changed_and_update_status() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 1);
    settle(&mut ctrl);
    ctrl.applications.get_mut("a").unwrap().config_version += 1;
    ctrl.update_status_tick += 2;
    assert_eq!(settle(&mut ctrl), strs(&["a/0 config-changed"]));
    // config-changed's commit recorded the tick.
    ctrl.update_status_tick += 1;
    assert_eq!(settle(&mut ctrl), strs(&["a/0 update-status"]));
    assert!(settle(&mut ctrl).is_empty());
}

/// A failed hook holds the unit: nothing but actions runs; an injected failure is retried
/// on its own, and the hook it chains to still follows; a real one is offered no retry.
#[test]
fn error_blocks_everything_but_actions() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 1);
    let id = peer(&mut ctrl, "a", "cluster");
    // Run up to config-changed, and fail it for real.
    while next_ops(&ctrl, "a/0")[0].hook != "config-changed" {
        step(&mut ctrl, "a/0");
    }
    let op = next_ops(&ctrl, "a/0").remove(0);
    finish(&mut ctrl, "a/0", &op, false, Some(("boom".into(), false)));
    let error = ctrl.units["a/0"].agent.error.clone().unwrap();
    assert_eq!((error.op.hook.as_str(), error.message.as_str(), error.injected), ("config-changed", "boom", false));
    // Much to do, yet nothing offered.
    ctrl.update_status_tick += 1;
    ctrl.applications.get_mut("a").unwrap().leader = None;
    ctrl.relation_mut(id).unwrap().app_data.insert("a".into(), Versioned { version: 1, ..Versioned::default() });
    assert!(next_ops(&ctrl, "a/0").is_empty());
    // An action still runs, and leaves the error in place.
    let action = Op {
        action: Some(super::super::controller::ActionRequest { id: "1".into(), ..Default::default() }),
        ..Op::hook("backup")
    };
    ctrl.units.get_mut("a/0").unwrap().agent.actions.push_back(action.clone());
    assert_eq!(next_ops(&ctrl, "a/0"), vec![action.clone()]);
    finish(&mut ctrl, "a/0", &action, true, None);
    assert!(ctrl.units["a/0"].agent.actions.is_empty() && ctrl.units["a/0"].agent.error.is_some());
    // Injected: the retry is offered; once it succeeds, start (queued by it) follows.
    ctrl.units.get_mut("a/0").unwrap().agent.error.as_mut().unwrap().injected = true;
    assert_eq!(next_ops(&ctrl, "a/0"), vec![op.clone()]);
    finish(&mut ctrl, "a/0", &op, true, None);
    assert_eq!(next_ops(&ctrl, "a/0"), vec![Op::hook("start")]);
}

/// An action waits for install, and never runs between a hook and the hook it queued
/// (config-changed → start); it runs as soon as the unit is idle.
#[test]
fn actions_not_between_a_hook_and_the_hook_it_queued() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 1);
    let action = Op {
        action: Some(super::super::controller::ActionRequest { id: "7".into(), ..Default::default() }),
        ..Op::hook("backup")
    };
    ctrl.units.get_mut("a/0").unwrap().agent.actions.push_back(action);
    let trace = settle(&mut ctrl);
    assert_eq!(of(&trace, "a/0"), strs(&["install", "leader-elected", "backup", "config-changed", "start"]));
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 1);
    while next_ops(&ctrl, "a/0")[0].hook != "start" {
        step(&mut ctrl, "a/0");
    }
    let action = Op {
        action: Some(super::super::controller::ActionRequest { id: "8".into(), ..Default::default() }),
        ..Op::hook("backup")
    };
    ctrl.units.get_mut("a/0").unwrap().agent.actions.push_back(action);
    assert_eq!(of(&settle(&mut ctrl), "a/0"), strs(&["start", "backup"]));
}

/// A unit removed before it installed runs nothing and is finished; one that installed is
/// finished only after remove.
#[test]
fn dying_before_install_is_finished_without_hooks() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 2);
    ctrl.units.get_mut("a/1").unwrap().life = Life::Dying;
    run_unit(&mut ctrl, "a/0");
    assert!(next_ops(&ctrl, "a/1").is_empty());
    assert!(is_finished(&ctrl, "a/1"));
    assert!(!is_finished(&ctrl, "a/0"));
    ctrl.units.get_mut("a/0").unwrap().life = Life::Dying;
    assert!(!is_finished(&ctrl, "a/0"));
    assert_eq!(run_unit(&mut ctrl, "a/0"), strs(&["a/0 stop", "a/0 remove"]));
    assert!(is_finished(&ctrl, "a/0"));
}

/// The relation-changed owed after a joined runs even when the remote unit went away in the
/// meantime; then the remote unit departs.
#[test]
fn owed_changed_runs_before_departed() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 1);
    deploy(&mut ctrl, "b", 1);
    relate(&mut ctrl, "a", "db", "b", "backend");
    settle(&mut ctrl);
    let a1 = add_unit(&mut ctrl, "a");
    run_unit(&mut ctrl, &a1);
    assert_eq!(step(&mut ctrl, "b/0").as_deref(), Some("b/0 backend-relation-joined a/1"));
    ctrl.units.get_mut(&a1).unwrap().life = Life::Dying;
    assert_eq!(
        run_unit(&mut ctrl, "b/0"),
        strs(&["b/0 backend-relation-changed a/1", "b/0 backend-relation-departed a/1 departing=a/1"])
    );
}

/// On a peer relation the remote application is the unit's own: the leader's app bag write
/// gives every unit, the leader included, an app-level relation-changed.
#[test]
fn peer_app_bag_change_reaches_every_unit() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 2);
    let id = peer(&mut ctrl, "a", "cluster");
    settle(&mut ctrl);
    ctrl.relation_mut(id).unwrap().app_data.insert("a".into(), Versioned { version: 1, ..Versioned::default() });
    assert_eq!(settle(&mut ctrl), strs(&["a/0 cluster-relation-changed", "a/1 cluster-relation-changed"]));
}

/// A failed install resolved while the unit is dying is not run again: a queued install
/// waits for the idle path, which a dying unit never takes.
#[test]
fn queued_install_does_not_run_on_a_dying_unit() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 1);
    let install = Op::hook("install");
    finish(&mut ctrl, "a/0", &install, false, Some(("boom".into(), false)));
    assert!(next_ops(&ctrl, "a/0").is_empty());
    let u = ctrl.units.get_mut("a/0").unwrap();
    u.life = Life::Dying;
    // What a resolve does: the failed hook back in `queued`.
    let error = u.agent.error.take().unwrap();
    u.agent.queued = Some(error.op);
    assert!(next_ops(&ctrl, "a/0").is_empty());
    assert!(is_finished(&ctrl, "a/0"));
    // Alive, the same queued install runs.
    ctrl.units.get_mut("a/0").unwrap().life = Life::Alive;
    assert_eq!(next_ops(&ctrl, "a/0"), vec![install]);
}

/// A failed action fails itself: the unit is not held in error, and the action is gone.
#[test]
fn failed_action_does_not_hold_the_unit() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 1);
    settle(&mut ctrl);
    let action = Op {
        action: Some(super::super::controller::ActionRequest { id: "3".into(), ..Default::default() }),
        ..Op::hook("backup")
    };
    ctrl.units.get_mut("a/0").unwrap().agent.actions.push_back(action.clone());
    finish(&mut ctrl, "a/0", &action, false, Some(("crashed".into(), false)));
    let agent = &ctrl.units["a/0"].agent;
    assert!(agent.error.is_none() && agent.actions.is_empty());
}

/// A small deterministic generator for the order tests (no dependency needed).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Settle choosing a random unit with work and a random op among its alternatives.
fn settle_shuffled(ctrl: &mut Controller, rng: &mut Lcg) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let busy: Vec<String> = ctrl.unit_names().into_iter().filter(|u| !next_ops(ctrl, u).is_empty()).collect();
        if busy.is_empty() {
            return out;
        }
        let unit = &busy[rng.below(busy.len())];
        let mut ops = next_ops(ctrl, unit);
        let op = ops.swap_remove(rng.below(ops.len()));
        begin(ctrl, unit, &op);
        finish(ctrl, unit, &op, true, None);
        out.push(line(unit, &op));
        assert!(out.len() < 10_000, "no settle: {out:#?}");
    }
}

/// A model with peers, a cross-app relation, storage and a secret read by a consumer, and a
/// second round of changes (a removed unit, a bag write, a new secret revision, a moved lease,
/// a removed relation).
fn scenario(ctrl: &mut Controller, settle: &mut dyn FnMut(&mut Controller) -> Vec<String>) -> Vec<String> {
    deploy(ctrl, "a", 3);
    deploy(ctrl, "b", 2);
    peer(ctrl, "a", "cluster");
    let ab = relate(ctrl, "a", "db", "b", "backend");
    ctrl.units.get_mut("a/2").unwrap().storage.push(Storage { name: "data".into(), ..Storage::default() });
    let mut trace = settle(ctrl);
    let id = app_secret(ctrl, "a", 1);
    ctrl.secret_mut(&id).unwrap().grants.push(SecretGrant { relation_id: ab, target: "b".into() });
    first_read(ctrl, &id, "b/1", 1);
    new_revision(ctrl, &id);
    ctrl.units.get_mut("a/2").unwrap().life = Life::Dying;
    ctrl.relation_mut(ab).unwrap().unit_data.get_mut("b/0").unwrap().version += 1;
    ctrl.applications.get_mut("a").unwrap().leader = Some("a/1".into());
    trace.extend(settle(ctrl));
    ctrl.relation_mut(ab).unwrap().life = Life::Dying;
    trace.extend(settle(ctrl));
    trace
}

/// Every order the agents may take (units interleaved, alternatives picked at random) ends in
/// the same controller: the resolver is level-triggered, so what is settled does not depend on
/// the order, and each unit runs the same multiset of hooks.
#[test]
fn any_order_settles_to_the_same_state() {
    let mut typical = machine();
    let mut reference = scenario(&mut typical, &mut settle);
    reference.sort();
    for seed in 0..40 {
        let mut rng = Lcg(seed);
        let mut ctrl = machine();
        let mut trace = scenario(&mut ctrl, &mut |c| settle_shuffled(c, &mut rng));
        trace.sort();
        assert_eq!(trace, reference, "seed {seed}");
        assert_eq!(ctrl, typical, "seed {seed}");
    }
    // The scenario did what it says.
    assert!(typical.units["a/2"].agent.removed);
    assert!(reference.contains(&"b/1 secret-changed".to_owned()));
    assert!(reference.contains(&"a/1 leader-elected".to_owned()));
    assert!(typical.units_of("a").iter().all(|u| typical.units[u].agent.relations.get(&0).is_some_and(|r| r.created)));
    assert!(typical.units.values().all(|u| u.agent.relations.get(&1).is_some_and(|r| r.broken)));
}
