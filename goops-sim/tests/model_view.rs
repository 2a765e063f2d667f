//! The seam between the model and the single-unit simulator, through the public API: an
//! in-process Rust charm (a `Harness`) and charms run as processes (`DispatchCharm`) in one
//! model, each unit with its own charm dir.

use std::path::PathBuf;
use std::time::Duration;

use goops_runtime::prelude::*;
use goops_sim::model::{DispatchCharm, Model, ModelCharm};
use goops_sim::state::{State, StatusName};
use goops_sim::testing::{End, Harness, HarnessError, On};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/model-charms").join(name)
}

/// The database side, in-process: publishes its mode in its unit bag and goes active.
#[derive(Default)]
struct Db;

#[charm(metadata = "tests/model-charms/view-db/charmcraft.yaml")]
impl Db {
    #[hook(config_changed)]
    fn config_changed(&self, ctx: &Context) -> HookResult {
        let mode: String = ctx.config_get("mode")?.unwrap_or_default();
        for relation in ctx.relation_ids("database")? {
            ctx.set_relation_data(&relation, Bag::Unit, [("mode", mode.clone())])?;
        }
        Ok(ctx.set_unit_status(Status::Active(format!("mode {mode}")))?)
    }

    #[hook(relation_joined("database"))]
    fn joined(&self, ctx: &Context, event: &RelationEvent) -> HookResult {
        let mode: String = ctx.config_get("mode")?.unwrap_or_default();
        let relation = RelationId::new(event.endpoint.clone(), event.id);
        Ok(ctx.set_relation_data(&relation, Bag::Unit, [("mode", mode)])?)
    }
}

#[test]
fn dispatch_charms_are_checked_when_made() {
    let no_dispatch = DispatchCharm::new(fixture("view-db")).unwrap_err();
    assert!(matches!(no_dispatch, HarnessError::Process(_)), "{no_dispatch:?}");
    assert!(no_dispatch.to_string().contains("no executable dispatch"), "{no_dispatch}");
    let missing = DispatchCharm::new(fixture("nowhere")).unwrap_err();
    assert!(missing.to_string().contains("nowhere"), "{missing}");
    let not_a_binary = DispatchCharm::staged(fixture("view-sh"), fixture("view-sh/charmcraft.yaml")).unwrap_err();
    assert!(not_a_binary.to_string().contains("is not an executable"), "{not_a_binary}");
    let no_metadata = DispatchCharm::staged(fixture("."), fixture("view-sh/dispatch")).unwrap_err();
    assert!(matches!(no_metadata, HarnessError::Metadata(_)), "{no_metadata:?}");
}

#[test]
fn a_dispatch_charm_runs_a_hook_on_a_state() {
    let charm = DispatchCharm::staged(fixture("view-sh"), fixture("view-sh/dispatch")).unwrap();
    assert_eq!(charm.meta().name, "view-sh");
    let source = charm.source();
    assert_eq!(source.dispatch.as_deref(), fixture("view-sh/dispatch").to_str());
    assert!(!source.in_process);
    let state = State { unit: "sh/0".into(), ..State::default() };
    let report = charm.run(On::install(), &state).unwrap();
    assert_eq!(report.end, End::Completed);
    assert_eq!(
        (report.state.unit_status.status, report.state.unit_status.message.as_str()),
        (StatusName::Active, "ready")
    );
    assert_eq!(report.logs.last().map(|l| l.message.as_str()), Some("ran hooks/install"));
}

#[test]
fn a_dispatch_charm_takes_its_goops_sim_and_timeout() {
    let state = State { unit: "slow/0".into(), ..State::default() };
    let slow = DispatchCharm::new(fixture("view-slow")).unwrap().timeout(Duration::from_millis(300));
    let report = slow.run(On::install(), &state).unwrap();
    assert!(matches!(&report.end, End::HookFailed(m) if m.contains("timed out")), "{:?}", report.end);
    let elsewhere = DispatchCharm::new(fixture("view-sh")).unwrap().goops_sim_binary("/nonexistent/goops-sim");
    let err = elsewhere.run(On::install(), &state).unwrap_err();
    assert!(matches!(&err, HarnessError::Process(m) if m.contains("/nonexistent/goops-sim")), "{err:?}");
}

#[test]
fn a_harness_in_process_mode_runs_as_a_model_charm() {
    // The sh dispatch stands in for the charm's binary: process mode stages it as dispatch.
    let harness = Harness::<Db>::for_charm(fixture("view-db")).unwrap().process(fixture("view-sh/dispatch"));
    let source = ModelCharm::source(&harness);
    assert_eq!((source.in_process, source.dispatch.as_deref()), (false, fixture("view-sh/dispatch").to_str()));
    let mut model = Model::new();
    model.deploy("db", harness, 1).unwrap();
    model.settle().unwrap();
    assert_eq!(model.unit_status("db/0").map(|s| s.message.as_str()), Some("ready"));
    assert_eq!(model.controller().applications["db"].charm, source);
}

#[test]
fn each_unit_has_its_own_charm_dir() {
    let mut model = Model::new();
    model.deploy("counter", DispatchCharm::new(fixture("view-counter")).unwrap(), 2).unwrap();
    model.settle().unwrap();
    for unit in model.units("counter") {
        // The dispatch counts its hooks in a file of its charm dir: each unit counts its own.
        let hooks = model.hooks_of(&unit).len();
        let status = model.unit_status(&unit).unwrap();
        assert!(status.message.starts_with(&format!("hook {hooks} in ")), "{unit} ran {hooks}: {}", status.message);
    }
    let dirs: Vec<String> =
        model.units("counter").iter().map(|u| model.unit_status(u).unwrap().message.clone()).collect();
    assert_ne!(dirs[0].split(" in ").nth(1), dirs[1].split(" in ").nth(1));
    assert!(!fixture("view-counter/.unit-state.db").exists(), "nothing is written into the charm's own dir");
}

#[test]
fn unit_dirs_keep_what_a_charm_wrote_across_dispatch_charm_values() {
    let base = std::env::temp_dir().join(format!("goops-model-view-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let state = State { unit: "counter/3".into(), ..State::default() };
    let message = |charm: &DispatchCharm| charm.run(On::update_status(), &state).unwrap().state.unit_status.message;
    let first = DispatchCharm::new(fixture("view-counter")).unwrap().unit_dirs(&base);
    assert!(message(&first).starts_with("hook 1 in "));
    assert!(message(&first).starts_with("hook 2 in "));
    drop(first);
    // Another value (another process resuming the model) restages the dir and keeps the file.
    let again = DispatchCharm::new(fixture("view-counter")).unwrap().unit_dirs(&base);
    let dir = base.canonicalize().unwrap().join("counter-3");
    assert_eq!(message(&again), format!("hook 3 in {}", dir.display()));
    assert_eq!(std::fs::read_to_string(base.join("counter-3/.unit-state.db")).unwrap().trim(), "3");
    let odd = State { unit: "..".into(), ..State::default() };
    let err = again.run(On::update_status(), &odd).unwrap_err();
    assert!(err.to_string().contains("is not a unit name"), "{err}");
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn an_in_process_charm_and_a_process_charm_settle_in_one_model() {
    let mut model = Model::new();
    let db = Harness::<Db>::for_charm(fixture("view-db")).unwrap();
    model.deploy("db", db, 2).unwrap();
    model.deploy("web", DispatchCharm::staged(fixture("view-sh"), fixture("view-sh/dispatch")).unwrap(), 2).unwrap();
    model.settle().unwrap();
    let id = model.integrate("db", "web").unwrap();
    model.settle().unwrap();
    assert!(model.status().all_active(), "{}", model.status().render());
    for unit in model.units("db") {
        assert_eq!(model.relation_data(id, &unit).and_then(|b| b.get("mode")).map(String::as_str), Some("fast"));
    }
    // What web/1 sees now: both db units, with their bags, as members of the relation.
    let view = model.unit_state("web/1").unwrap();
    let relation = view.relation(id).unwrap();
    assert_eq!(relation.remote_units.keys().collect::<Vec<_>>(), ["db/0", "db/1"]);
    assert_eq!(relation.remote_units["db/1"].get("mode").map(String::as_str), Some("fast"));
    // The shell charm logged each hook it ran, through the controller's log of the unit.
    let logged: Vec<String> = model.unit("web/1").unwrap().juju_log.iter().map(|l| l.message.clone()).collect();
    assert!(logged.iter().any(|l| l == &format!("database:{id}: ran hooks/database-relation-changed")), "{logged:?}");
    // A config change reaches the in-process charm, and its bag change the other side.
    model.config("db", [("mode".to_owned(), "safe".into())]).unwrap();
    model.settle().unwrap();
    let view = model.unit_state("web/0").unwrap();
    assert_eq!(view.relation(id).unwrap().remote_units["db/0"].get("mode").map(String::as_str), Some("safe"));
    assert_eq!(model.unit_status("db/1").map(|s| s.message.as_str()), Some("mode safe"));
}
