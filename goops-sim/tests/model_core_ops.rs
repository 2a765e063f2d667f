//! The model's operations beyond deploy: storage and containers at deploy, pod and container
//! restarts, upgrade, leadership moves, the clock, relation and application removal, and the
//! seeded scheduler's inserted events (lease moves, update-status, transient failures). The
//! expected sequences come from Juju's uniter as docs/model.md describes it.

use goops_runtime::prelude::*;
use goops_sim::model::{Chaos, Life, Model, ModelError, ModelEvent, Outcome, explore_with};
use goops_sim::state::{FileRecord, LayerRecord, ServiceRecord, ServiceStatus};
use goops_sim::testing::Harness;

/// Storage and a container, no handlers: the trace still records every hook Juju would run.
#[derive(Default)]
struct Store;

#[charm(metadata = "tests/model-charms/core-k8s/charmcraft.yaml")]
impl Store {
    #[hook(install)]
    fn install(&self, ctx: &Context) -> HookResult {
        Ok(ctx.set_unit_status(Status::Maintenance("installed".into()))?)
    }
}

/// A peer relation and both sides of one interface, no handlers.
#[derive(Default)]
struct Peer;

#[charm(metadata = "tests/model-charms/core-demo/charmcraft.yaml")]
impl Peer {
    #[hook(start)]
    fn start(&self, ctx: &Context) -> HookResult {
        Ok(ctx.set_unit_status(Status::Active(String::new()))?)
    }
}

fn store() -> Harness<Store> {
    Harness::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/model-charms/core-k8s")).unwrap()
}

fn peer() -> Harness<Peer> {
    Harness::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/model-charms/core-demo")).unwrap()
}

/// The hooks `unit` ran after trace entry `from`.
fn hooks_since(model: &Model, unit: &str, from: usize) -> Vec<String> {
    model.trace().entries[from..]
        .iter()
        .filter(|e| e.event.is_none() && e.unit == unit)
        .map(|e| e.op.hook.clone())
        .collect()
}

fn position(hooks: &[String], hook: &str) -> usize {
    hooks.iter().position(|h| h == hook).unwrap_or_else(|| panic!("no {hook} in {hooks:?}"))
}

#[test]
fn machine_storage_is_attached_before_install() {
    let mut model = Model::new();
    model.deploy("store", store(), 2).unwrap();
    model.settle().unwrap();
    // juju-model.md §1.1: deploy-time storage first, then install, leader hook,
    // config-changed, start. No containers on a machine.
    assert_eq!(
        model.hooks_of("store/0"),
        ["data-storage-attached", "install", "leader-elected", "config-changed", "start"]
    );
    assert_eq!(
        model.hooks_of("store/1"),
        ["data-storage-attached", "install", "leader-settings-changed", "config-changed", "start"]
    );
    // Storage ids are numbered model-wide; each instance has its own location.
    let s0 = &model.unit("store/0").unwrap().storage;
    let s1 = &model.unit("store/1").unwrap().storage;
    assert_eq!((s0.len(), s1.len()), (1, 1));
    assert_ne!(s0[0].id(), s1[0].id());
    assert_eq!(s1[0].location, format!("/var/lib/juju/storage/data/{}", s1[0].index));
    assert!(model.unit("store/0").unwrap().containers.is_empty());
}

#[test]
fn kubernetes_units_install_first_and_see_their_containers_boot() {
    let mut model = Model::kubernetes();
    model.deploy("store", store(), 1).unwrap();
    model.settle().unwrap();
    let hooks = model.hooks_of("store/0");
    // §1.2: install first; storage-attached and pebble-ready anywhere after it; the leader
    // hook before config-changed, which is immediately followed by start.
    assert_eq!(hooks[0], "install", "{hooks:?}");
    assert_eq!(hooks.len(), 6, "{hooks:?}");
    for once in ["data-storage-attached", "web-pebble-ready", "leader-elected"] {
        assert_eq!(hooks.iter().filter(|h| *h == once).count(), 1, "{hooks:?}");
    }
    let config = position(&hooks, "config-changed");
    assert_eq!(hooks[config + 1], "start");
    assert!(position(&hooks, "leader-elected") < config);
    let unit = model.unit("store/0").unwrap();
    assert_eq!(unit.container_boots.get("web"), Some(&1));
    assert!(unit.containers.contains_key("web"));
    assert_eq!(unit.machine, "");
}

#[test]
fn a_pod_restart_reruns_the_charm_setup_and_pebble_ready() {
    let mut model = Model::kubernetes();
    model.deploy("store", store(), 2).unwrap();
    model.settle().unwrap();
    let from = model.trace().entries.len();
    model.restart_pod("store/1").unwrap();
    model.settle().unwrap();
    // §1.4: upgrade-charm → config-changed → start → leader-settings-changed (non-leader) →
    // pebble-ready for every container. No install, no leader-elected.
    assert_eq!(
        hooks_since(&model, "store/1", from),
        ["upgrade-charm", "config-changed", "start", "leader-settings-changed", "web-pebble-ready"]
    );
    assert!(hooks_since(&model, "store/0", from).is_empty());
    assert_eq!(model.unit("store/1").unwrap().container_boots.get("web"), Some(&2));
    // A workload container restart: pebble-ready for that container only.
    let from = model.trace().entries.len();
    // What the charm had set up in Pebble is gone with the old boot; files stay.
    let web = model.container_mut("store/0", "web").unwrap();
    web.layers.push(LayerRecord { label: "base".into(), order: 1, layer: serde_json::json!({"summary": "x"}) });
    let running = ServiceRecord { current: ServiceStatus::Active, since: None, started_with: None, starts: 1 };
    web.services.insert("srv".into(), running);
    web.files.insert("/etc/app.conf".into(), FileRecord::default());
    model.restart_container("store/0", "web").unwrap();
    let web = &model.unit("store/0").unwrap().containers["web"];
    assert!(web.layers.is_empty() && web.services.is_empty(), "{web:?}");
    assert!(web.files.contains_key("/etc/app.conf"));
    model.settle().unwrap();
    assert_eq!(hooks_since(&model, "store/0", from), ["web-pebble-ready"]);
    assert!(
        matches!(model.restart_container("store/0", "db"), Err(ModelError::Invalid(m)) if m.contains("no container"))
    );
    // Pods exist only on Kubernetes.
    let mut machines = Model::new();
    machines.deploy("store", store(), 1).unwrap();
    assert!(matches!(machines.restart_pod("store/0"), Err(ModelError::Invalid(_))));
}

#[test]
fn upgrade_runs_upgrade_charm_then_config_changed_and_followers_reread_leader_settings() {
    let mut model = Model::new();
    model.deploy("demo", peer(), 2).unwrap();
    model.settle().unwrap();
    let from = model.trace().entries.len();
    model.upgrade("demo").unwrap();
    model.settle().unwrap();
    // §1.3 (machine): upgrade-charm → config-changed → leader-settings-changed on
    // non-leaders; no stop/start, no relation hooks, no leader-elected.
    assert_eq!(hooks_since(&model, "demo/0", from), ["upgrade-charm", "config-changed"]);
    assert_eq!(hooks_since(&model, "demo/1", from), ["upgrade-charm", "config-changed", "leader-settings-changed"]);
    assert_eq!(model.controller().applications["demo"].charm_revision, 1);
}

#[test]
fn moving_the_lease_elects_the_new_holder_and_deposes_the_old() {
    let mut model = Model::new();
    model.deploy("demo", peer(), 3).unwrap();
    model.settle().unwrap();
    let from = model.trace().entries.len();
    model.set_leader("demo/2").unwrap();
    model.settle().unwrap();
    assert_eq!(hooks_since(&model, "demo/2", from), ["leader-elected"]);
    // §3: the deposed unit runs leader-settings-changed; the other follower nothing.
    assert_eq!(hooks_since(&model, "demo/0", from), ["leader-settings-changed"]);
    assert!(hooks_since(&model, "demo/1", from).is_empty());
    assert_eq!(model.leader("demo"), Some("demo/2"));
    assert!(matches!(model.set_leader("demo/9"), Err(ModelError::UnknownUnit(_))));
}

#[test]
fn the_clock_fires_update_status_once_per_unit_per_tick_coalesced() {
    let mut model = Model::new();
    model.deploy("demo", peer(), 2).unwrap();
    model.settle().unwrap();
    // The default interval is 5 minutes (§1.6): 299 s crosses no tick.
    model.advance_clock(std::time::Duration::from_secs(299));
    assert_eq!(model.settle().unwrap().hooks, 0);
    let from = model.trace().entries.len();
    model.advance_clock(std::time::Duration::from_secs(1));
    model.settle().unwrap();
    for unit in ["demo/0", "demo/1"] {
        assert_eq!(hooks_since(&model, unit, from), ["update-status"], "{unit}");
    }
    // Three ticks at once coalesce into one run.
    let from = model.trace().entries.len();
    model.advance_clock(std::time::Duration::from_secs(900));
    model.settle().unwrap();
    assert_eq!(hooks_since(&model, "demo/0", from), ["update-status"]);
    assert!(model.trace().entries.iter().any(|e| matches!(&e.event, Some(ModelEvent::Clock { .. }))));
}

#[test]
fn removing_a_relation_tears_it_down_on_both_sides_then_drops_it() {
    let mut model = Model::new();
    model.deploy("prov", peer(), 1).unwrap();
    model.deploy("req", peer(), 2).unwrap();
    let id = model.integrate("prov:db", "req:backend").unwrap();
    model.settle().unwrap();
    let from = model.trace().entries.len();
    model.remove_relation(id).unwrap();
    model.settle().unwrap();
    // §2.5 remove-relation: departed for every remote unit it knows, then broken.
    assert_eq!(
        hooks_since(&model, "prov/0", from),
        ["db-relation-departed", "db-relation-departed", "db-relation-broken"]
    );
    for unit in ["req/0", "req/1"] {
        assert_eq!(hooks_since(&model, unit, from), ["backend-relation-departed", "backend-relation-broken"], "{unit}");
    }
    assert!(model.controller().relation(id).is_none());
    assert!(model.trace().entries.iter().any(|e| e.event == Some(ModelEvent::RelationRemoved { id })));
    // Peer relations cannot be removed.
    let peer_id = model.controller().relations.iter().find(|r| r.is_peer()).unwrap().id;
    assert!(matches!(model.remove_relation(peer_id), Err(ModelError::Invalid(_))));
    assert!(matches!(model.remove_relation(99), Err(ModelError::UnknownRelation(99))));
}

#[test]
fn removing_an_application_tears_down_its_units_and_its_relations() {
    let mut model = Model::new();
    model.deploy("prov", peer(), 1).unwrap();
    model.deploy("req", peer(), 2).unwrap();
    let id = model.integrate("prov:db", "req:backend").unwrap();
    model.settle().unwrap();
    let from = model.trace().entries.len();
    model.remove_application("req").unwrap();
    model.settle().unwrap();
    for unit in ["req/0", "req/1"] {
        let hooks = hooks_since(&model, unit, from);
        // §1.5: per relation departed…, broken (not on peers), then stop, remove last.
        assert_eq!(hooks[hooks.len() - 2..], ["stop", "remove"], "{unit}: {hooks:?}");
        assert!(hooks.contains(&"backend-relation-broken".to_owned()), "{hooks:?}");
        assert!(!hooks.contains(&"cluster-relation-broken".to_owned()), "{hooks:?}");
        assert_eq!(model.unit(unit).unwrap().life, Life::Dead);
    }
    assert_eq!(
        hooks_since(&model, "prov/0", from),
        ["db-relation-departed", "db-relation-departed", "db-relation-broken"]
    );
    assert!(model.controller().relation(id).is_none());
    assert_eq!(model.controller().applications["req"].life, Life::Dead);
    assert_eq!(model.leader("req"), None);
    assert!(model.units("req").is_empty());
}

#[test]
fn a_unit_added_later_runs_the_startup_and_meets_its_peers() {
    let mut model = Model::new();
    model.deploy("demo", peer(), 1).unwrap();
    model.settle().unwrap();
    let from = model.trace().entries.len();
    let unit = model.add_unit("demo").unwrap();
    assert_eq!(unit, "demo/1");
    model.settle().unwrap();
    let hooks = hooks_since(&model, "demo/1", from);
    assert_eq!(
        hooks[..5],
        ["install", "cluster-relation-created", "leader-settings-changed", "config-changed", "start"]
    );
    assert_eq!(hooks[5..], ["cluster-relation-joined", "cluster-relation-changed"]);
    assert_eq!(hooks_since(&model, "demo/0", from), ["cluster-relation-joined", "cluster-relation-changed"]);
}

#[test]
fn seeded_chaos_inserts_legal_events_and_every_run_still_settles() {
    let chaos = Chaos { update_status: 0.3, leader_change: 0.3, transient_failure: 0.3 };
    let make = move |seed| Model::seeded(seed).with_chaos(chaos.clone());
    let scenario = |model: &mut Model| -> Result<(), ModelError> {
        model.deploy("prov", peer(), 2)?;
        model.deploy("req", peer(), 2)?;
        model.integrate("prov:db", "req:backend")?;
        model.settle()?;
        Ok(())
    };
    let healthy = |model: &Model| -> Result<(), String> {
        for unit in model.units("prov").into_iter().chain(model.units("req")) {
            let agent = model.agent(&unit).ok_or("no agent")?;
            if agent.error.is_some() || !agent.started {
                return Err(format!("{unit}: {:?}", agent.error));
            }
        }
        Ok(())
    };
    // explore also checks Juju's ordering invariants over each trace.
    explore_with(0..12, &make, scenario, healthy).unwrap_or_else(|f| panic!("{f}"));
    // Over those seeds the scheduler did inject failures and move leases, each failure retried.
    let (mut injected, mut moves) = (0, 0);
    for seed in 0..12 {
        let mut model = make(seed);
        scenario(&mut model).unwrap();
        let entries = &model.trace().entries;
        for (i, e) in entries.iter().enumerate() {
            if e.outcome == Outcome::InjectedFailure {
                injected += 1;
                let retried = entries[i + 1..]
                    .iter()
                    .find(|r| r.unit == e.unit && r.event.is_none())
                    .is_some_and(|r| r.op == e.op || r.op.is_action());
                assert!(retried, "seed {seed}: {} not retried next", e.op.hook);
            }
        }
        moves += entries.iter().filter(|e| matches!(e.event, Some(ModelEvent::Leader { .. }))).count() - 2;
        assert_eq!(model.trace().seed, Some(seed));
    }
    assert!(injected > 0 && moves > 0, "injected {injected}, moves {moves}");
}
