//! goops-juju's hook table, walked through every crate: each `HookKind` is a name `#[hook(...)]`
//! accepts (goops-macros), a hook name the runtime parses into an event of that kind and
//! dispatches to its handler (goops-runtime), an environment goops-sim builds with exactly the
//! variables Juju sets for that kind, and an event the harness runs (goops-sim's testing).
//!
//! A new kind in goops-juju fails this test until every crate handles it: the handler below
//! lists every kind, and `event_for` matches on `HookKind` without a wildcard.

use std::collections::BTreeSet;

use goops_juju::hooks::{
    COMMON_VARS, HookKind, RelationEventKind, Scope, SecretEventKind, StorageEventKind, WorkloadEventKind,
};
use goops_runtime::prelude::*;
use goops_runtime::{Charm, HandlerKey};
use goops_sim::state::{Relation, Secret, SecretGrant, SecretOwner, SecretRevision, Storage};
use goops_sim::testing::{End, Harness, On};
use goops_sim::{Engine, State};

/// Handles every hook Juju fires, on the endpoint, storage and container its charmcraft.yaml declares.
#[derive(Default)]
struct EveryHook;

#[charm(metadata = "hook-table/charmcraft.yaml")]
impl EveryHook {
    #[hook(
        install,
        start,
        stop,
        remove,
        config_changed,
        update_status,
        upgrade_charm,
        leader_elected,
        leader_deposed,
        leader_settings_changed,
        pre_series_upgrade,
        post_series_upgrade,
        collect_metrics,
        meter_status_changed,
        secret_changed,
        secret_rotate,
        secret_expired,
        secret_remove,
        relation_created("db"),
        relation_joined("db"),
        relation_changed("db"),
        relation_departed("db"),
        relation_broken("db"),
        storage_attached("data"),
        storage_detaching("data"),
        pebble_ready("web"),
        pebble_custom_notice("web"),
        pebble_check_failed("web"),
        pebble_check_recovered("web")
    )]
    fn every(ctx: &Context, event: &Event) -> HookResult {
        // What the runtime made of the hook name and its variables.
        let (kind, scope) = event.hook_kind().ok_or("not a hook")?;
        ctx.log_info(format!("{kind:?} {scope:?}"));
        Ok(())
    }
}

/// The scope `#[hook]` above uses for each kind of scope.
fn scope_of(kind: HookKind) -> Option<&'static str> {
    kind.scope().map(|scope| match scope {
        Scope::Endpoint => "db",
        Scope::Storage => "data",
        Scope::Container => "web",
    })
}

#[test]
fn the_macros_accept_every_kind_in_the_table() {
    let keys: BTreeSet<String> = EveryHook::HANDLERS
        .iter()
        .filter_map(|h| match h.key {
            HandlerKey::Hook(name) => Some(name.to_owned()),
            _ => None,
        })
        .collect();
    let table: BTreeSet<String> = HookKind::ALL.iter().map(|k| k.hook_name(scope_of(*k))).collect();
    assert_eq!(keys, table, "the dispatch table #[charm] built is the hook table");
}

/// A leader unit with what every kind of hook refers to: a relation on `db` with a remote unit,
/// storage `data/0`, a secret it owns and one it consumes, and the `web` container.
fn state() -> State {
    let revision = SecretRevision {
        revision: 1,
        content: [("token".to_owned(), "t0ken".to_owned())].into(),
        ..SecretRevision::default()
    };
    State {
        unit: "every-hook/0".to_owned(),
        leader: true,
        relations: vec![Relation {
            id: 4,
            endpoint: "db".to_owned(),
            interface: "pgsql".to_owned(),
            remote_app: "pg".to_owned(),
            remote_units: [("pg/0".to_owned(), Default::default())].into(),
            ..Relation::default()
        }],
        storage: vec![Storage {
            name: "data".to_owned(),
            index: 0,
            location: "/srv/data".to_owned(),
            ..Storage::default()
        }],
        secrets: vec![
            Secret {
                id: "secret:d1aaaaaaaaaaaaaaaaaa".to_owned(),
                owner: Some(SecretOwner::Application),
                label: Some("mine".to_owned()),
                revisions: vec![revision.clone()],
                ..Secret::default()
            },
            Secret {
                id: "secret:d2aaaaaaaaaaaaaaaaaa".to_owned(),
                owner: None,
                revisions: vec![revision],
                tracked: Some(1),
                grants: vec![SecretGrant { relation_id: 4, target: "every-hook".to_owned() }],
                ..Secret::default()
            },
        ],
        // The workload events need the container, with the notice and the check they name.
        containers: [(
            "web".to_owned(),
            serde_json::from_value(serde_json::json!({
                "notices": [{"id": "7", "type": "custom", "key": "example.com/done",
                             "first_occurred": "2025-01-01T00:00:00Z", "last_occurred": "2025-01-01T00:00:00Z",
                             "last_repeated": "2025-01-01T00:00:00Z", "occurrences": 1}],
                "checks": {"alive": {"status": "down", "failures": 3}},
            }))
            .expect("a container state"),
        )]
        .into(),
        ..State::default()
    }
}

/// The harness event for `kind`, on what `state` holds. No wildcard: a new kind must be added.
fn event_for(kind: HookKind, state: &State) -> On {
    let relation = &state.relations[0];
    let (owned, consumed) = (&state.secrets[0], &state.secrets[1]);
    let storage = &state.storage[0];
    match kind {
        HookKind::Install
        | HookKind::Start
        | HookKind::Stop
        | HookKind::Remove
        | HookKind::ConfigChanged
        | HookKind::UpdateStatus
        | HookKind::UpgradeCharm
        | HookKind::LeaderElected
        | HookKind::LeaderDeposed
        | HookKind::LeaderSettingsChanged
        | HookKind::PreSeriesUpgrade
        | HookKind::PostSeriesUpgrade
        | HookKind::CollectMetrics
        | HookKind::MeterStatusChanged => On::unit_hook(kind),
        HookKind::Relation(RelationEventKind::Created) => On::relation_created(relation),
        HookKind::Relation(RelationEventKind::Joined) => On::relation_joined(relation),
        HookKind::Relation(RelationEventKind::Changed) => On::relation_changed(relation),
        HookKind::Relation(RelationEventKind::Departed) => On::relation_departed(relation),
        HookKind::Relation(RelationEventKind::Broken) => On::relation_broken(relation),
        HookKind::Secret(SecretEventKind::Changed) => On::secret_changed(consumed),
        HookKind::Secret(SecretEventKind::Rotate) => On::secret_rotate(owned),
        HookKind::Secret(SecretEventKind::Expired) => On::secret_expired(owned, 1),
        HookKind::Secret(SecretEventKind::Remove) => On::secret_remove(owned, 1),
        HookKind::Storage(StorageEventKind::Attached) => On::storage_attached(storage),
        HookKind::Storage(StorageEventKind::Detaching) => On::storage_detaching(storage),
        HookKind::Workload(WorkloadEventKind::PebbleReady) => On::pebble_ready("web"),
        HookKind::Workload(WorkloadEventKind::PebbleCustomNotice) => {
            On::pebble_custom_notice("web", "7", "custom", "example.com/done")
        }
        HookKind::Workload(WorkloadEventKind::PebbleCheckFailed) => On::pebble_check_failed("web", "alive"),
        HookKind::Workload(WorkloadEventKind::PebbleCheckRecovered) => On::pebble_check_recovered("web", "alive"),
    }
}

#[test]
fn every_kind_runs_through_the_simulator_and_the_runtime() {
    let harness = Harness::<EveryHook>::new(concat!(env!("CARGO_MANIFEST_DIR"), "/hook-table")).expect("metadata");
    let state = state();
    for kind in HookKind::ALL {
        let scope = scope_of(kind);
        let event = event_for(kind, &state);
        assert_eq!(event.name(), kind.hook_name(scope), "the harness names the hook as Juju does");

        // goops-sim sets the variables Juju sets for this kind, and no other JUJU_ variable of a hook.
        let engine = Engine::for_event(state.clone(), harness.meta().clone(), event.name(), event.options())
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let env = engine.env();
        for var in COMMON_VARS.iter().chain(kind.context_vars()) {
            assert!(env.contains_key(*var), "{kind:?}: {var} is not set");
        }
        let every_context_var: BTreeSet<&str> =
            HookKind::ALL.iter().flat_map(|k| k.context_vars().iter().copied()).collect();
        for var in env.keys().filter(|v| every_context_var.contains(v.as_str())) {
            assert!(kind.context_vars().contains(&var.as_str()), "{kind:?}: {var} is set but belongs to other hooks");
        }
        assert_eq!(env["JUJU_HOOK_NAME"], kind.hook_name(scope));
        assert_eq!(env["JUJU_DISPATCH_PATH"], format!("hooks/{}", kind.hook_name(scope)));

        // The runtime parses it back to the same kind and scope, and the handler runs.
        let out = harness.run(event, &state).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(out.end, End::Completed, "{kind:?}: {out:?}");
        let logged: Vec<&str> = out.log_messages().into_iter().map(strip_relation_prefix).collect();
        assert_eq!(logged, [format!("{kind:?} {scope:?}")], "{kind:?}");
    }
}

/// Juju prefixes log lines in relation hooks with `<endpoint>:<id>: `.
fn strip_relation_prefix(line: &str) -> &str {
    line.strip_prefix("db:4: ").unwrap_or(line)
}
