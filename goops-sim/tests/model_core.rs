//! The model's core: operations, settle in Juju's typical order and in seeded orders, errors,
//! the JSON round trip and explore, with a small in-process charm
//! (`tests/model-charms/core-demo`). Expected hook orders come from Juju's uniter as
//! docs/model.md describes it (startup: install, relation-created, leader-elected or
//! leader-settings-changed, config-changed, start; teardown: departed, stop, remove).

use goops_runtime::prelude::*;
use goops_sim::model::{Model, ModelError, ModelEvent, Outcome, explore};
use goops_sim::testing::Harness;

#[derive(Default)]
struct Demo;

/// Fail `hook` when the config's `fail-on` names it.
fn fail_if(ctx: &Context, hook: &str) -> HookResult {
    let fail_on: String = ctx.config_get("fail-on")?.unwrap_or_default();
    if fail_on == hook {
        return Err(format!("{hook} refused by fail-on").into());
    }
    Ok(())
}

/// With `ping-pong` set, answer the remote unit's `n` with `n + 1`: two such units never settle.
fn ping_pong(ctx: &Context, relation: &RelationId, remote: &str) -> HookResult {
    if !ctx.config_get::<bool>("ping-pong")?.unwrap_or_default() {
        return Ok(());
    }
    let n: u64 = ctx.relation_data(relation, remote)?.get("n").and_then(|n| n.parse().ok()).unwrap_or_default();
    Ok(ctx.set_relation_data(relation, Bag::Unit, [("n", (n + 1).to_string())])?)
}

#[charm(metadata = "tests/model-charms/core-demo/charmcraft.yaml")]
impl Demo {
    #[hook(install)]
    fn install(&self, ctx: &Context) -> HookResult {
        fail_if(ctx, "install")?;
        Ok(ctx.set_unit_status(Status::Maintenance("installed".into()))?)
    }

    #[hook(leader_elected)]
    fn leader_elected(&self, ctx: &Context) -> HookResult {
        fail_if(ctx, "leader-elected")
    }

    #[hook(config_changed)]
    fn config_changed(&self, ctx: &Context) -> HookResult {
        fail_if(ctx, "config-changed")
    }

    #[hook(start)]
    fn start(&self, ctx: &Context) -> HookResult {
        fail_if(ctx, "start")?;
        Ok(ctx.set_unit_status(Status::Active(String::new()))?)
    }

    /// The provider publishes its unit name as `host`, then maybe fails (its write is then
    /// discarded).
    #[hook(relation_joined("db"))]
    fn db_joined(&self, ctx: &Context, event: &RelationEvent) -> HookResult {
        let relation = RelationId::new(event.endpoint.clone(), event.id);
        ctx.set_relation_data(&relation, Bag::Unit, [("host", ctx.unit_name().to_owned())])?;
        if ctx.config_get::<bool>("share-secret")?.unwrap_or_default() && ctx.is_leader()? {
            let content: SecretContent = [("token".to_owned(), SecretString::from("s3cr3t".to_owned()))].into();
            let id = ctx.secret_add(&content, &SecretAddOptions::default())?;
            ctx.secret_grant(&id, &relation, None)?;
            ctx.set_relation_data(&relation, Bag::Unit, [("secret-id", id)])?;
        }
        fail_if(ctx, "db-relation-joined")
    }

    #[hook(relation_changed("db"))]
    fn db_changed(&self, ctx: &Context, event: &RelationEvent) -> HookResult {
        let relation = RelationId::new(event.endpoint.clone(), event.id);
        ping_pong(ctx, &relation, event.remote_unit.as_deref().unwrap_or_default())
    }

    /// The requirer copies the provider's `host` into its own bag as `seen-host`.
    #[hook(relation_changed("backend"))]
    fn backend_changed(&self, ctx: &Context, event: &RelationEvent) -> HookResult {
        let relation = RelationId::new(event.endpoint.clone(), event.id);
        let remote = event.remote_unit.clone().unwrap_or_default();
        let host = ctx.relation_data(&relation, &remote)?.get("host").cloned().unwrap_or_default();
        if !host.is_empty() {
            ctx.set_relation_data(&relation, Bag::Unit, [("seen-host", host)])?;
        }
        ping_pong(ctx, &relation, &remote)
    }

    #[action("hello")]
    fn hello(&self, ctx: &Context) -> ActionResult {
        let name = ctx.action_params()?.get("name").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        Ok([("greeting".to_owned(), format!("hello {name}"))].into())
    }

    #[action("refuse")]
    fn refuse(&self) -> Result<(), String> {
        Err("not today".to_owned())
    }
}

fn harness() -> Harness<Demo> {
    Harness::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/model-charms/core-demo")).unwrap()
}

/// juju-model.md §1.1: install, relation-created per relation (here the peer relation), the
/// leader hook, config-changed, start.
fn startup(leader: bool) -> Vec<String> {
    let leader_hook = if leader { "leader-elected" } else { "leader-settings-changed" };
    ["install", "cluster-relation-created", leader_hook, "config-changed", "start"].map(str::to_owned).to_vec()
}

/// `(hook, remote unit)` of every op `unit` ran after trace entry `from`.
fn ran_since(model: &Model, unit: &str, from: usize) -> Vec<(String, Option<String>)> {
    model.trace().entries[from..]
        .iter()
        .filter(|e| e.event.is_none() && e.unit == unit)
        .map(|e| (e.op.hook.clone(), e.op.remote_unit.clone()))
        .collect()
}

fn config(pairs: &[(&str, serde_json::Value)]) -> Vec<(String, serde_json::Value)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

#[test]
fn one_unit_runs_jujus_startup_order() {
    let mut model = Model::new();
    model.deploy("demo", harness(), 1).unwrap();
    let settled = model.settle().unwrap();
    assert_eq!(model.hooks_of("demo/0"), startup(true), "{}", model.trace().render());
    assert_eq!(settled.hooks, 5);
    assert_eq!(model.leader("demo"), Some("demo/0"));
    assert!(model.agent("demo/0").unwrap().started);
    // A settled model has nothing left to run.
    assert_eq!(model.settle().unwrap().hooks, 0);
}

#[test]
fn three_units_start_then_meet_their_peers() {
    let mut model = Model::new();
    model.deploy("demo", harness(), 3).unwrap();
    model.settle().unwrap();
    let units = ["demo/0", "demo/1", "demo/2"];
    for unit in units {
        let hooks = ran_since(&model, unit, 0);
        let names: Vec<String> = hooks.iter().map(|(h, _)| h.clone()).collect();
        assert_eq!(names[..5], startup(unit == "demo/0"), "{unit}: {}", model.trace().render());
        // Then, per peer: joined(X) immediately followed by changed(X) (§2.2), nothing else.
        let rest = &hooks[5..];
        assert_eq!(rest.len(), 4, "{unit}: {rest:?}");
        let mut peers: Vec<String> = Vec::new();
        for pair in rest.chunks(2) {
            assert_eq!(pair[0].0, "cluster-relation-joined", "{unit}: {rest:?}");
            assert_eq!(pair[1].0, "cluster-relation-changed", "{unit}: {rest:?}");
            assert_eq!(pair[0].1, pair[1].1, "{unit}: {rest:?}");
            peers.push(pair[0].1.clone().unwrap());
        }
        peers.sort();
        let others: Vec<String> = units.iter().filter(|u| **u != unit).map(|u| (*u).to_owned()).collect();
        assert_eq!(peers, others);
    }
    // Every unit got its own machine.
    let machines: std::collections::BTreeSet<&str> =
        units.iter().map(|u| model.unit(u).unwrap().machine.as_str()).collect();
    assert_eq!(machines.len(), 3);
}

#[test]
fn relation_data_crosses_only_after_the_writers_hook_commits() {
    let mut model = Model::new();
    model.deploy("prov", harness(), 1).unwrap();
    model.deploy("req", harness(), 1).unwrap();
    model.settle().unwrap();
    let from = model.trace().entries.len();
    let id = model.integrate("prov:db", "req:backend").unwrap();
    model.settle().unwrap();
    assert_eq!(model.relation_data(id, "prov/0").unwrap().get("host").map(String::as_str), Some("prov/0"));
    assert_eq!(model.relation_data(id, "req/0").unwrap().get("seen-host").map(String::as_str), Some("prov/0"));
    // The requirer's relation-changed for prov/0 that saw `host` ran after prov/0's joined.
    let entries = &model.trace().entries[from..];
    let joined = entries.iter().position(|e| e.unit == "prov/0" && e.op.hook == "db-relation-joined").unwrap();
    let saw = entries
        .iter()
        .position(|e| {
            e.unit == "req/0"
                && e.op.hook == "backend-relation-changed"
                && e.changes.iter().any(|c| c.contains("seen-host"))
        })
        .unwrap();
    assert!(joined < saw, "{}", model.trace().render());
}

#[test]
fn a_failed_hooks_writes_never_reach_the_other_side_until_it_is_resolved() {
    let mut model = Model::new();
    let mut options = goops_sim::model::Deploy::default();
    options.config.insert("fail-on".into(), "db-relation-joined".into());
    model.deploy_with("prov", harness(), options).unwrap();
    model.deploy("req", harness(), 1).unwrap();
    model.settle().unwrap();
    let id = model.integrate("prov:db", "req:backend").unwrap();
    match model.settle() {
        Err(ModelError::HookFailed { unit, hook, message, .. }) => {
            assert_eq!((unit.as_str(), hook.as_str()), ("prov/0", "db-relation-joined"));
            assert!(message.contains("refused by fail-on"), "{message}");
        }
        other => panic!("expected HookFailed, got {other:?}"),
    }
    let error = model.agent("prov/0").unwrap().error.clone().expect("prov/0 is in error");
    assert_eq!(error.op.hook, "db-relation-joined");
    assert!(!error.injected);
    // The discarded write is nowhere: not in the controller, not in what req/0 sees.
    assert_eq!(model.relation_data(id, "prov/0").and_then(|b| b.get("host")), None);
    let seen = model.unit_state("req/0").unwrap();
    assert!(seen.relations.iter().all(|r| r.remote_units.values().all(|bag| !bag.contains_key("host"))));
    // Nothing but the retry runs on prov/0: settle again stops nothing new on it.
    let before = model.hooks_of("prov/0").len();
    let _ = model.settle();
    assert_eq!(model.hooks_of("prov/0").len(), before);
    // Fixed and resolved: the retry commits and req/0 reads the value.
    model.config("prov", config(&[("fail-on", serde_json::Value::Null)])).unwrap();
    model.resolve("prov/0").unwrap();
    model.settle().unwrap();
    assert_eq!(model.relation_data(id, "req/0").unwrap().get("seen-host").map(String::as_str), Some("prov/0"));
    assert!(matches!(model.resolve("prov/0"), Err(ModelError::Invalid(m)) if m.contains("not in an error state")));
}

#[test]
fn removing_the_leader_elects_a_new_one_after_it_is_dead() {
    let mut model = Model::new();
    model.deploy("demo", harness(), 3).unwrap();
    model.settle().unwrap();
    let from = model.trace().entries.len();
    model.remove_unit("demo/0").unwrap();
    model.settle().unwrap();
    // The dying unit departs from each peer (sorted), then stop, remove (§1.5).
    let gone = ran_since(&model, "demo/0", from);
    let names: Vec<&str> = gone.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(names, ["cluster-relation-departed", "cluster-relation-departed", "stop", "remove"]);
    assert_eq!(model.leader("demo"), Some("demo/1"));
    assert_eq!(model.unit("demo/0").unwrap().life, goops_sim::model::Life::Dead);
    let entries = &model.trace().entries[from..];
    let dead = entries
        .iter()
        .position(|e| matches!(&e.event, Some(ModelEvent::UnitDead { unit }) if unit == "demo/0"))
        .unwrap();
    let elected =
        entries.iter().position(|e| e.unit == "demo/1" && e.op.hook == "leader-elected").expect("demo/1 elected");
    assert!(dead < elected, "{}", model.trace().render());
    // demo/2 sees demo/0 depart and is not elected.
    let others = ran_since(&model, "demo/2", from);
    assert!(others.contains(&("cluster-relation-departed".to_owned(), Some("demo/0".to_owned()))), "{others:?}");
    assert!(!others.iter().any(|(h, _)| h == "leader-elected"));
    assert_eq!(model.units("demo"), ["demo/1", "demo/2"]);
}

#[test]
fn config_changes_run_config_changed_on_every_unit_only_when_effective() {
    let mut model = Model::new();
    model.deploy("demo", harness(), 3).unwrap();
    model.settle().unwrap();
    let from = model.trace().entries.len();
    model.config("demo", config(&[("mode", "b".into())])).unwrap();
    model.settle().unwrap();
    for unit in ["demo/0", "demo/1", "demo/2"] {
        assert_eq!(ran_since(&model, unit, from), [("config-changed".to_owned(), None)], "{unit}");
    }
    // The same value again is no change: no hook.
    model.config("demo", config(&[("mode", "b".into())])).unwrap();
    assert_eq!(model.settle().unwrap().hooks, 0);
    // Setting the default explicitly after a reset is no change either.
    model.config("demo", config(&[("mode", serde_json::Value::Null)])).unwrap();
    assert_eq!(model.settle().unwrap().hooks, 3);
    model.config("demo", config(&[("mode", "a".into())])).unwrap();
    assert_eq!(model.settle().unwrap().hooks, 0);
    // Typed errors name the key.
    match model.config("demo", config(&[("nope", "x".into())])) {
        Err(ModelError::Config { key, .. }) => assert_eq!(key, "nope"),
        other => panic!("{other:?}"),
    }
    match model.config("demo", config(&[("ping-pong", "yes".into())])) {
        Err(ModelError::Config { key, message, .. }) => {
            assert_eq!(key, "ping-pong");
            assert!(message.contains("boolean"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn actions_run_on_the_leader_and_a_failing_action_fails_only_itself() {
    let mut model = Model::new();
    model.deploy("demo", harness(), 2).unwrap();
    model.settle().unwrap();
    let mut params = serde_json::Map::new();
    params.insert("name".into(), "juju".into());
    let record = model.run_action("demo/leader", "hello", params).unwrap();
    assert_eq!(record.status, "completed");
    assert_eq!(record.result("greeting"), Some("hello juju"));
    assert_eq!(model.hooks_of("demo/0").last().map(String::as_str), Some("hello"));
    let refused = model.run_action("demo/1", "refuse", serde_json::Map::new()).unwrap();
    assert_eq!(refused.status, "failed");
    assert!(model.agent("demo/1").unwrap().error.is_none());
    let last = model.trace().entries.iter().rev().find(|e| e.unit == "demo/1").unwrap();
    assert!(matches!(last.outcome, Outcome::ActionFailed(_)), "{:?}", last.outcome);
    // Parameters are checked against the schema before anything is queued.
    assert!(
        matches!(model.run_action("demo/0", "hello", serde_json::Map::new()), Err(ModelError::Invalid(m)) if m.contains("required"))
    );
    assert!(
        matches!(model.run_action("demo/0", "nope", serde_json::Map::new()), Err(ModelError::Invalid(m)) if m.contains("not defined"))
    );
}

#[test]
fn integrate_infers_endpoints_as_juju_does() {
    let mut model = Model::new();
    model.deploy("prov", harness(), 1).unwrap();
    model.deploy("req", harness(), 1).unwrap();
    // Each side both provides and requires core-db: two candidates.
    match model.integrate("prov", "req") {
        Err(ModelError::Invalid(m)) => {
            assert_eq!(
                m,
                r#"ambiguous relation: "prov req" could refer to "prov:backend req:db"; "prov:db req:backend""#
            )
        }
        other => panic!("{other:?}"),
    }
    match model.integrate("prov:cluster", "req:cluster") {
        Err(ModelError::Invalid(m)) => assert!(m.ends_with("no relations found"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(model.integrate("prov", "nothing"), Err(ModelError::UnknownApplication(_))));
    let id = model.integrate("prov:db", "req").unwrap();
    assert!(
        matches!(model.integrate("req:backend", "prov:db"), Err(ModelError::Invalid(m)) if m.contains("already exists"))
    );
    // The peer relations came first, with their own ids.
    let peers: Vec<u32> = model.controller().relations.iter().filter(|r| r.is_peer()).map(|r| r.id).collect();
    assert_eq!(peers.len(), 2);
    assert!(!peers.contains(&id));
}

#[test]
fn the_same_seed_gives_the_same_order_and_seeds_differ() {
    fn run(seed: u64) -> Vec<(String, String, Option<String>)> {
        let mut model = Model::seeded(seed);
        model.deploy("prov", harness(), 2).unwrap();
        model.deploy("req", harness(), 2).unwrap();
        model.integrate("prov:db", "req:backend").unwrap();
        model.settle().unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        // Whatever the order, the model ends settled with every unit started and no error.
        for unit in ["prov/0", "prov/1", "req/0", "req/1"] {
            let agent = model.agent(unit).unwrap();
            assert!(agent.started && agent.error.is_none(), "seed {seed} {unit}");
        }
        model.trace().entries.iter().map(|e| (e.unit.clone(), e.op.hook.clone(), e.op.remote_unit.clone())).collect()
    }
    assert_eq!(run(7), run(7));
    let orders: std::collections::BTreeSet<_> = (0..8).map(run).collect();
    assert!(orders.len() > 1, "eight seeds gave one order");
}

#[test]
fn a_relation_changed_loop_does_not_settle() {
    let mut model = Model::new();
    let mut options = goops_sim::model::Deploy::default();
    options.config.insert("ping-pong".into(), true.into());
    model.deploy_with("prov", harness(), options.clone()).unwrap();
    model.deploy_with("req", harness(), options).unwrap();
    model.integrate("prov:db", "req:backend").unwrap();
    model.max_hooks(200);
    match model.settle() {
        Err(ModelError::NotSettled { hooks, seed, .. }) => {
            assert_eq!(hooks, 200);
            assert_eq!(seed, None);
        }
        other => panic!("expected NotSettled, got {other:?}"),
    }
}

#[test]
fn the_json_resumes_the_model() {
    let mut model = Model::new();
    model.deploy("demo", harness(), 2).unwrap();
    model.settle().unwrap();
    let text = model.to_json();
    let mut resumed = Model::from_json(&text, |app, source| {
        assert_eq!(app, "demo");
        assert!(source.in_process);
        Ok(Box::new(harness()))
    })
    .unwrap();
    assert_eq!(resumed.controller(), model.controller());
    assert_eq!(resumed.trace(), model.trace());
    assert_eq!(resumed.settle().unwrap().hooks, 0);
    let from = resumed.trace().entries.len();
    resumed.config("demo", config(&[("mode", "c".into())])).unwrap();
    resumed.settle().unwrap();
    assert_eq!(ran_since(&resumed, "demo/1", from), [("config-changed".to_owned(), None)]);
    assert!(matches!(Model::from_json("{", |_, _| Ok(Box::new(harness()))), Err(ModelError::State(_))));
}

#[test]
fn explore_runs_every_seed_and_reports_the_first_failing_one() {
    let scenario = |model: &mut Model| -> Result<(), ModelError> {
        model.deploy("prov", harness(), 1)?;
        model.deploy("req", harness(), 2)?;
        model.integrate("prov:db", "req:backend")?;
        model.settle()?;
        Ok(())
    };
    let all_started = |model: &Model| -> Result<(), String> {
        match model.units("req").iter().find(|u| !model.agent(u).is_some_and(|a| a.started)) {
            Some(u) => Err(format!("{u} not started")),
            None => Ok(()),
        }
    };
    let report = explore(0..10, scenario, all_started).unwrap();
    assert_eq!(report.seeds, 10);
    assert!(report.hooks >= 10 * 3 * 5, "{report:?}");
    // A check that fails once req has two units fails the first seed, with its trace.
    let failure =
        explore(
            5..9,
            scenario,
            |m: &Model| {
                if m.units("req").len() == 2 { Err("two requirers".to_owned()) } else { Ok(()) }
            },
        )
        .unwrap_err();
    assert_eq!(failure.seed, 5);
    assert!(
        matches!(*failure.error, ModelError::Check { ref message, seed: Some(5), .. } if message == "two requirers")
    );
}

#[test]
fn a_leader_elected_retried_after_the_lease_moved_is_skipped_as_juju_does() {
    let mut model = Model::new();
    let mut options = goops_sim::model::Deploy::default();
    options.config.insert("fail-on".into(), "leader-elected".into());
    options.units = 2;
    model.deploy_with("demo", harness(), options).unwrap();
    match model.settle() {
        Err(ModelError::HookFailed { unit, hook, .. }) => {
            assert_eq!((unit.as_str(), hook.as_str()), ("demo/0", "leader-elected"))
        }
        other => panic!("{other:?}"),
    }
    // The lease moves while demo/0 is in error; then demo/0 is resolved.
    model.set_leader("demo/1").unwrap();
    model.config("demo", config(&[("fail-on", serde_json::Value::Null)])).unwrap();
    model.resolve("demo/0").unwrap();
    model.settle().unwrap();
    // runhook.go Prepare: leader-elected is skipped when the unit no longer leads; demo/0
    // carries on as a follower.
    let demo0 = model.hooks_of("demo/0");
    assert_eq!(demo0.iter().filter(|h| *h == "leader-elected").count(), 1, "{demo0:?}");
    assert!(demo0.contains(&"leader-settings-changed".to_owned()), "{demo0:?}");
    assert!(!model.agent("demo/0").unwrap().leader);
    assert!(model.hooks_of("demo/1").contains(&"leader-elected".to_owned()));
    assert!(model.agent("demo/1").unwrap().leader);
}

#[test]
fn a_removed_relation_takes_the_secret_grants_scoped_to_it() {
    let mut model = Model::new();
    let mut options = goops_sim::model::Deploy::default();
    options.config.insert("share-secret".into(), true.into());
    model.deploy_with("prov", harness(), options).unwrap();
    model.deploy("req", harness(), 1).unwrap();
    let id = model.integrate("prov:db", "req:backend").unwrap();
    model.settle().unwrap();
    let secret = model.controller().secrets.first().expect("prov/0 created a secret").clone();
    assert!(secret.grants.iter().any(|g| g.relation_id == id), "{secret:?}");
    model.remove_relation(id).unwrap();
    model.settle().unwrap();
    // juju-model.md §4.6: the grant goes with the relation document, after the last unit left
    // it; the secret itself stays.
    assert!(model.controller().relation(id).is_none());
    let after = model.controller().secret(&secret.id).expect("the secret stays");
    assert!(after.grants.iter().all(|g| g.relation_id != id), "{after:?}");
}

#[test]
fn a_resumed_seeded_model_draws_what_the_original_would_have() {
    let build = || {
        let mut model = Model::seeded(9);
        model.deploy("prov", harness(), 2).unwrap();
        model.deploy("req", harness(), 2).unwrap();
        model.settle().unwrap();
        model
    };
    let more = |model: &mut Model| {
        model.integrate("prov:db", "req:backend").unwrap();
        model.config("req", config(&[("mode", "z".into())])).unwrap();
        model.settle().unwrap();
    };
    let mut straight = build();
    let text = straight.to_json();
    more(&mut straight);
    let mut resumed = Model::from_json(&text, |_, _| Ok(Box::new(harness()))).unwrap();
    assert_eq!(resumed.seed(), Some(9));
    more(&mut resumed);
    assert_eq!(resumed.trace(), straight.trace());
}

#[test]
fn a_seeded_loop_names_its_seed() {
    let mut model = Model::seeded(4);
    let mut options = goops_sim::model::Deploy::default();
    options.config.insert("ping-pong".into(), true.into());
    model.deploy_with("prov", harness(), options.clone()).unwrap();
    model.deploy_with("req", harness(), options).unwrap();
    model.integrate("prov:db", "req:backend").unwrap();
    model.max_hooks(150);
    let error = model.settle().unwrap_err();
    assert!(matches!(error, ModelError::NotSettled { hooks: 150, seed: Some(4), .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("replay with Model::seeded(4)"), "{text}");
    // The trace tail names the hooks of the loop.
    assert!(text.contains("relation-changed"), "{text}");
}
