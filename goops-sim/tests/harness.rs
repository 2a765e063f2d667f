//! The harness itself: events, outcomes, how hooks end, the consistency checks.

use goops_runtime::prelude::*;
use goops_sim::state::{Relation, Secret, SecretOwner, SecretRevision, State, StatusName, Storage};
use goops_sim::testing::{End, Harness, HarnessError, HookKind, Inconsistency, On};

#[derive(Default)]
struct Demo;

#[derive(serde::Serialize)]
struct Saved {
    saved: String,
    compressed: bool,
}

#[charm(metadata = "tests/harness-charm/charmcraft.yaml")]
impl Demo {
    #[hook(install)]
    fn install(&self, ctx: &Context) -> HookResult {
        let port: i64 = ctx.config_get("port")?.unwrap_or_default();
        ctx.log_info(format!("port {port}"));
        ctx.set_unit_status(Status::Maintenance("installing".into()))?;
        Ok(ctx.set_unit_status(Status::Active(format!("listening on {port}")))?)
    }

    #[hook(config_changed)]
    fn config_changed(&self, ctx: &Context) -> Result<(), String> {
        ctx.state_set([("seen", "yes")]).map_err(|e| e.to_string())?;
        Err("mode is not set".to_owned())
    }

    #[hook(update_status)]
    fn update_status(&self) {
        panic!("boom");
    }

    #[hook(relation_changed("db"))]
    fn db_changed(&self, ctx: &Context, event: &RelationEvent) -> HookResult {
        let unit = event.remote_unit.clone().unwrap_or_default();
        let relation = RelationId::new(event.endpoint.clone(), event.id);
        let host = ctx.relation_data(&relation, &unit)?.get("host").cloned().unwrap_or_default();
        Ok(ctx.set_relation_data(&relation, Databag::Unit, [("seen-host", host)])?)
    }

    #[hook(secret_changed)]
    fn secret_changed(&self, ctx: &Context, event: &SecretEvent) -> HookResult {
        ctx.log_info(format!("changed {}", event.id));
        Ok(())
    }

    #[hook(storage_attached("data"))]
    fn data_attached(&self, ctx: &Context, event: &StorageEvent) -> HookResult {
        ctx.log_info(format!("attached {}", event.id()));
        Ok(())
    }

    #[action("backup")]
    fn backup(&self, ctx: &Context) -> ActionResult<Saved> {
        let params = ctx.action_params()?;
        ctx.action_log("backing up")?;
        let target = params.get("target").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let compressed = params.get("compress").and_then(serde_json::Value::as_bool).unwrap_or(false);
        Ok(Saved { saved: target, compressed })
    }

    #[action("explode")]
    fn explode(&self) -> ActionResult<()> {
        panic!("action boom")
    }

    #[action("refuse")]
    fn refuse(&self) -> Result<(), String> {
        Err("not today".to_owned())
    }
}

fn harness() -> Harness<Demo> {
    Harness::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/harness-charm")).unwrap()
}

fn db() -> Relation {
    Relation {
        id: 3,
        endpoint: "db".into(),
        remote_app: "pg".into(),
        remote_units: [("pg/0".to_owned(), [("host".to_owned(), "10.0.0.9".to_owned())].into())].into(),
        ..Relation::default()
    }
}

fn token() -> Secret {
    Secret {
        id: "secret:d1aaaaaaaaaaaaaaaaaa".into(),
        owner: None,
        revisions: vec![SecretRevision {
            revision: 1,
            content: [("token".to_owned(), "hunter2".to_owned())].into(),
            ..SecretRevision::default()
        }],
        ..Secret::default()
    }
}

#[test]
fn a_hook_runs_and_records_logs_statuses_and_tool_calls() {
    let state = State { unit: "demo/0".into(), ..State::default() };
    let out = harness().run(On::install(), &state).unwrap();
    assert_eq!(out.end, End::Completed);
    assert!(out.committed);
    assert_eq!(out.log_messages(), ["port 8080"], "config defaults come from charmcraft.yaml");
    let statuses: Vec<_> = out.unit_statuses.iter().map(|s| (s.status, s.message.as_str())).collect();
    assert_eq!(statuses, [(StatusName::Maintenance, "installing"), (StatusName::Active, "listening on 8080")]);
    let tools: Vec<_> = out.tool_calls.iter().map(|c| c.tool.as_str()).collect();
    assert_eq!(tools, ["config-get", "juju-log", "status-set", "status-set"]);
    assert_eq!(state, State { unit: "demo/0".into(), ..State::default() }, "input unchanged");

    // Chained runs see the previous run's records but report only their own.
    let again = harness().run(On::install(), &out.state).unwrap();
    assert_eq!(again.logs.len(), 1);
    assert_eq!(again.state.juju_log.len(), 2);
    assert_eq!(again.unit_statuses.len(), 2);
}

#[test]
fn a_hook_error_rolls_back_and_carries_its_message() {
    let out = harness().run(On::config_changed(), &State::default()).unwrap();
    assert_eq!(out.end, End::HookFailed("mode is not set".into()));
    assert!(!out.committed);
    assert!(out.state.unit_state.is_empty(), "state-set rolled back");
    assert_eq!(out.logs_at("ERROR"), ["mode is not set"]);
}

#[test]
fn a_panic_is_reported_with_its_message() {
    let out = harness().run(On::update_status(), &State::default()).unwrap();
    assert_eq!(out.end, End::Panicked("boom".into()));
    let out = harness().run(On::action("explode"), &State::default()).unwrap();
    assert_eq!(out.end, End::Panicked("action boom".into()));
    assert_eq!(out.action.unwrap().status, "failed");
}

#[test]
fn a_hook_without_handler_is_skipped() {
    let out = harness().run(On::start(), &State::default()).unwrap();
    assert_eq!(out.end, End::Skipped);
    assert!(out.tool_calls.is_empty() && out.committed);
}

#[test]
fn actions_record_results_logs_and_failures() {
    let out = harness().run(On::action("backup").param("target", "/srv/backup"), &State::default()).unwrap();
    assert_eq!(out.end, End::Completed);
    let action = out.action.unwrap();
    assert_eq!(action.result("saved"), Some("/srv/backup"));
    assert_eq!(action.result("compressed"), Some("true"), "the schema default applies");
    assert_eq!(action.result("return-code"), Some("0"), "as Juju records it");
    assert_eq!(action.logs, ["backing up"]);

    let out = harness().run(On::action("refuse"), &State::default()).unwrap();
    assert_eq!(out.end, End::ActionFailed("not today".into()));
    assert_eq!(out.action.unwrap().failure.as_deref(), Some("not today"));
}

#[test]
fn relation_secret_and_storage_events_carry_their_context() {
    let state = State { relations: vec![db()], secrets: vec![token()], ..State::default() };
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert_eq!(out.end, End::Completed);
    assert_eq!(out.relation(3).unwrap().local_unit_data["seen-host"], "10.0.0.9");
    // Beside what the charm wrote, the settings Juju wrote when the unit entered the scope.
    let own = &out.relation(3).unwrap().local_unit_data;
    assert_eq!(own.get("private-address").map(String::as_str), Some("192.0.2.0"));
    assert_eq!(own.get("egress-subnets").map(String::as_str), Some("192.0.2.0/24"));

    let out = harness().run(On::secret_changed(&state.secrets[0]), &state).unwrap();
    assert_eq!(out.log_messages(), ["changed secret:d1aaaaaaaaaaaaaaaaaa"]);
    assert!(!format!("{out:?}").contains("hunter2"), "Debug redacts secret content");

    let storage = Storage { name: "data".into(), index: 1, location: "/srv/data".into(), ..Storage::default() };
    let state = State { storage: vec![storage.clone()], ..State::default() };
    let out = harness().run(On::storage_attached(&storage), &state).unwrap();
    assert_eq!(out.log_messages(), ["attached data/1"]);
}

#[test]
fn the_consistency_checks_name_what_is_wrong() {
    let h = harness();
    let check = |event: On, state: &State| h.check(&event, state).unwrap_err();
    let with = |f: fn(&mut State)| {
        let mut state = State::default();
        f(&mut state);
        state
    };
    assert_eq!(
        check(On::install(), &with(|s| drop(s.config.insert("colour".into(), "red".into())))),
        Inconsistency::ConfigUndeclared { key: "colour".into() }
    );
    assert_eq!(
        check(On::install(), &with(|s| drop(s.config.insert("port".into(), "80".into())))),
        Inconsistency::ConfigType { key: "port".into(), expected: "int".into(), got: "string" }
    );
    assert_eq!(
        check(On::install(), &with(|s| drop(s.config.insert("token".into(), "hunter2".into())))),
        Inconsistency::ConfigSecretUri { key: "token".into() }
    );
    let undeclared = Relation { id: 1, endpoint: "cache".into(), ..Relation::default() };
    assert!(matches!(
        check(On::install(), &State { relations: vec![undeclared], ..State::default() }),
        Inconsistency::RelationUndeclared { id: 1, .. }
    ));
    assert_eq!(
        check(On::relation_changed(&db()), &State::default()),
        Inconsistency::EventRelationMissing { event: "db-relation-changed".into(), id: 3 }
    );
    let lonely = Relation { remote_units: Default::default(), ..db() };
    assert!(matches!(
        check(On::relation_changed(&lonely), &State { relations: vec![lonely.clone()], ..State::default() }),
        Inconsistency::NoRemoteUnit { id: 3, .. }
    ));
    assert!(matches!(
        check(On::relation_changed(&db()).remote_unit("pg/9"), &State { relations: vec![db()], ..State::default() }),
        Inconsistency::RemoteUnitNotInRelation { .. }
    ));
    assert!(matches!(check(On::secret_changed(&token()), &State::default()), Inconsistency::EventSecretMissing { .. }));
    let storage = Storage { name: "data".into(), ..Storage::default() };
    assert!(matches!(
        check(On::storage_attached(&storage), &State::default()),
        Inconsistency::EventStorageMissing { .. }
    ));
    assert!(matches!(check(On::pebble_ready("sidecar"), &State::default()), Inconsistency::ContainerUndeclared { .. }));
    let with_workload = State { containers: [("workload".to_owned(), Default::default())].into(), ..State::default() };
    assert!(h.check(&On::pebble_ready("workload"), &with_workload).is_ok());
    assert_eq!(
        check(On::action("backup"), &State::default()),
        Inconsistency::ActionParamMissing { action: "backup".into(), param: "target".into() }
    );
    assert!(matches!(
        check(On::action("backup").param("target", 3), &State::default()),
        Inconsistency::ActionParamType { got: "integer", .. }
    ));
    // Undeclared parameters: Juju 3 accepts them unless the action says otherwise, Juju 4
    // refuses them.
    let extra = || On::action("backup").param("target", "/x").param("level", 9);
    assert!(h.check(&extra(), &State::default()).is_ok());
    let juju4 = with(|s| s.model.juju_version = "4.0.1".into());
    assert_eq!(
        check(extra(), &juju4),
        Inconsistency::ActionParamUnknown { action: "backup".into(), param: "level".into() }
    );
    assert!(matches!(check(On::action("restore"), &State::default()), Inconsistency::ActionUndeclared { .. }));
}

#[test]
fn the_checks_run_before_each_run_and_can_be_skipped() {
    let state = State { config: [("port".to_owned(), "80".into())].into(), ..State::default() };
    let err = harness().run(On::install(), &state).unwrap_err();
    assert!(matches!(err, HarnessError::Inconsistent(Inconsistency::ConfigType { .. })), "{err}");
    // Without the harness's checks goops-sim's own rules still refuse the state.
    let err = harness().skip_consistency_checks().run(On::install(), &state).unwrap_err();
    assert!(matches!(err, HarnessError::Refused(_)), "{err}");
    // Undeclared action params on Juju 4 pass the harness when the checks are off, and goops-sim
    // refuses them as Juju would (the action never runs).
    let juju4 = State {
        model: goops_sim::state::Model { juju_version: "4.0.1".into(), ..Default::default() },
        ..State::default()
    };
    let extra = On::action("backup").param("target", "/x").param("level", 9);
    let err = harness().skip_consistency_checks().run(extra.clone(), &juju4).unwrap_err();
    assert!(matches!(err, HarnessError::Refused(_)), "{err}");
    // On Juju 3 they reach the charm.
    let out = harness().skip_consistency_checks().run(extra, &State::default()).unwrap();
    assert_eq!(out.end, End::Completed);
}

#[test]
fn every_event_constructor_names_a_hook_goops_sim_runs() {
    let peer = Relation { id: 4, endpoint: "cluster".into(), peer: true, ..Relation::default() };
    let peer = Relation { remote_units: [("demo/1".to_owned(), Default::default())].into(), ..peer };
    let owned = Secret { id: "secret:d2aaaaaaaaaaaaaaaaaa".into(), owner: Some(SecretOwner::Application), ..token() };
    let storage = Storage { name: "data".into(), location: "/srv/data".into(), ..Storage::default() };
    let state = State {
        unit: "demo/0".into(),
        leader: true,
        relations: vec![db(), peer.clone()],
        secrets: vec![token(), owned.clone()],
        storage: vec![storage.clone()],
        // With the notice and the check the workload events name.
        containers: [(
            "workload".to_owned(),
            serde_json::from_value(serde_json::json!({
                "notices": [{"id": "1", "type": "custom", "key": "example.com/x", "first_occurred": "2025-01-01T00:00:00Z",
                             "last_occurred": "2025-01-01T00:00:00Z", "last_repeated": "2025-01-01T00:00:00Z",
                             "occurrences": 1}],
                "checks": {"alive": {"status": "down", "failures": 3}},
            }))
            .unwrap(),
        )]
        .into(),
        ..State::default()
    };
    let events = [
        (On::install(), "install"),
        (On::start(), "start"),
        (On::stop(), "stop"),
        (On::remove(), "remove"),
        (On::config_changed(), "config-changed"),
        (On::upgrade_charm(), "upgrade-charm"),
        (On::update_status(), "update-status"),
        (On::leader_elected(), "leader-elected"),
        (On::leader_deposed(), "leader-deposed"),
        (On::leader_settings_changed(), "leader-settings-changed"),
        (On::collect_metrics(), "collect-metrics"),
        (On::meter_status_changed(), "meter-status-changed"),
        (On::pre_series_upgrade(), "pre-series-upgrade"),
        (On::post_series_upgrade(), "post-series-upgrade"),
        (On::relation_created(&db()), "db-relation-created"),
        (On::relation_joined(&db()), "db-relation-joined"),
        (On::relation_changed(&peer), "cluster-relation-changed"),
        (On::relation_departed(&db()).departing_unit("pg/0"), "db-relation-departed"),
        (On::relation_broken(&db()), "db-relation-broken"),
        (On::secret_changed(&token()), "secret-changed"),
        (On::secret_rotate(&owned), "secret-rotate"),
        (On::secret_expired(&owned, 1), "secret-expired"),
        (On::secret_remove(&owned, 1), "secret-remove"),
        (On::storage_attached(&storage), "data-storage-attached"),
        (On::storage_detaching(&storage), "data-storage-detaching"),
        (On::pebble_ready("workload"), "workload-pebble-ready"),
        (On::pebble_custom_notice("workload", "1", "custom", "example.com/x"), "workload-pebble-custom-notice"),
        (On::pebble_check_failed("workload", "alive"), "workload-pebble-check-failed"),
        (On::pebble_check_recovered("workload", "alive"), "workload-pebble-check-recovered"),
        (On::action("backup").param("target", "/x").action_id("42"), "action:backup"),
    ];
    for (event, name) in events {
        assert_eq!(event.name(), name);
        // Accepted by the checks and by goops-sim; the demo's own handlers may fail or panic.
        let out = harness().run(event, &state).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!matches!(out.end, End::CommitRefused(_)), "{name}: {:?}", out.end);
    }
    // Every unit hook of goops-juju's table has its event, under the table's name.
    let unit_hooks = HookKind::ALL.into_iter().filter(|k| k.scope().is_none() && !matches!(k, HookKind::Secret(_)));
    for kind in unit_hooks {
        let event = On::unit_hook(kind);
        assert_eq!(event.name(), kind.juju_name());
        let out = harness().run(event, &state).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert!(!matches!(out.end, End::CommitRefused(_)), "{kind:?}: {:?}", out.end);
    }
    // A kind that needs what it refers to is refused without it.
    let bare = HookKind::Relation(goops_runtime::RelationEventKind::Changed);
    assert!(matches!(harness().run(On::unit_hook(bare), &state), Err(HarnessError::Refused(_))));
    // The departed unit leaves the relation, a broken relation leaves the state, on commit.
    let out = harness().run(On::relation_departed(&db()), &state).unwrap();
    assert!(out.relation(3).unwrap().remote_units.is_empty());
    let out = harness().run(On::relation_broken(&db()), &state).unwrap();
    assert!(out.relation(3).is_none());
}

#[test]
fn process_mode_reports_a_missing_binary_clearly() {
    let err = harness().process("/nonexistent/charm").run(On::install(), &State::default()).unwrap_err();
    assert!(matches!(&err, HarnessError::Process(m) if m.contains("/nonexistent/charm")), "{err}");
    assert!(harness().process("/x").is_process() && !harness().process("/x").in_process().is_process());
    assert!(harness().process("/x").timeout(std::time::Duration::from_secs(5)).is_process());
}

#[test]
fn for_charm_checks_the_dir_against_the_baked_metadata() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/harness-charm");
    assert!(Harness::<Demo>::for_charm(dir).is_ok());
    // Another charm's files: refused, naming what differs.
    let other = std::env::temp_dir().join(format!("goops-harness-other-{}", std::process::id()));
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("charmcraft.yaml"), "name: other\nrequires:\n  db: {interface: pgsql}\n").unwrap();
    let err = Harness::<Demo>::for_charm(&other).unwrap_err();
    let _ = std::fs::remove_dir_all(&other);
    assert!(matches!(&err, HarnessError::MetadataMismatch(m) if m.starts_with("relation endpoints")), "{err}");
}

/// A charm whose handlers use `self`: a value the test builds carries a test double.
struct Greeting {
    word: &'static str,
}

impl Default for Greeting {
    fn default() -> Self {
        Greeting { word: "hello" }
    }
}

#[charm(metadata = "tests/harness-charm/charmcraft.yaml")]
impl Greeting {
    #[hook(install)]
    fn install(&self, ctx: &Context) -> HookResult {
        ctx.log_info(self.word);
        Ok(())
    }
}

#[test]
fn run_with_dispatches_on_the_charm_value_the_test_built() {
    let harness = Harness::<Greeting>::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/harness-charm")).unwrap();
    let state = State::default();
    assert_eq!(harness.run(On::install(), &state).unwrap().log_messages(), ["hello"], "run builds C::default()");
    let out = harness.run_with(&Greeting { word: "bonjour" }, On::install(), &state).unwrap();
    assert_eq!(out.log_messages(), ["bonjour"]);
    let process = harness.process("/bin/true");
    let err = process.run_with(&Greeting { word: "x" }, On::install(), &state).unwrap_err();
    assert!(matches!(err, HarnessError::Process(ref m) if m.contains("in-process only")), "{err}");
}
