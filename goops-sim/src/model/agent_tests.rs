//! The agent alone: controllers built by hand, driven by next_ops/begin/finish with every op
//! succeeding (no charm runs), and the hook sequences checked against the orders Juju's
//! uniter produces (its `resolver.go`, `relation/resolver.go`, `secrets/resolver.go`,
//! `leadership/resolver.go` and the startup sequences of its `uniter_test.go`).

use super::super::controller::{
    Application, ConsumerRecord, EndpointRef, RelationDoc, SecretDoc, SecretOwnerRef, Unit,
};
use super::*;
use crate::state::{SecretGrant, SecretRevision, Storage};

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
