//! A Rust charm in-process and a Python ops charm as a process in one model: the manage-secrets
//! example (`examples/manage-secrets`, `Harness<ManageSecrets>`) and the ops 3.9.0 compat charm
//! (`tests/ops-charm`, its charmcraft-style `dispatch` under `goops-sim run`).
//!
//! Their metadata gives them no relation to share (manage-secrets declares no endpoint; the ops
//! charm provides `db` and has a `cluster` peer relation), so each keeps its own
//! application-owned secret; the model drives the ops charm's config and actions, its two
//! units meet over the peer relation, and the test reads what both apps left in the model.
//!
//! Needs Python 3.10+ with `venv` and PyPI access (the ops venv of `goops_tests::ops_python`).

mod model_support;

use goops_sim::model::controller::SecretOwnerRef;
use goops_sim::model::{DispatchCharm, Model, ModelError};
use goops_sim::state::StatusName;
use goops_sim::testing::Harness;
use goops_tests::{TempDir, ops_python, stage_ops_charm};
use manage_secrets::{CA_CERTIFICATE_SECRET_LABEL, ManageSecrets};
use model_support::{example_dir, secret_content, unit_status};
use serde_json::json;

/// The ops charm staged in a temp dir (kept alive with the model).
fn ops_charm() -> (TempDir, DispatchCharm) {
    let dir = TempDir::new("goops-model-ops");
    let charm = dir.path().join("charm");
    stage_ops_charm(&charm, &ops_python());
    let charm = DispatchCharm::new(&charm).expect("the staged ops charm loads");
    (dir, charm)
}

fn manage_secrets() -> Harness<ManageSecrets> {
    Harness::for_charm(example_dir("manage-secrets")).expect("manage-secrets' metadata reads")
}

fn params(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    value.as_object().cloned().expect("an object")
}

#[test]
fn manage_secrets_in_process_and_the_ops_charm_as_a_process_settle_in_one_model() {
    let (_dir, ops) = ops_charm();
    let mut model = Model::new();
    model.deploy("secrets", manage_secrets(), 1).unwrap();
    model.deploy("ops", ops, 2).unwrap();
    model.settle().unwrap_or_else(|e| panic!("the model settles: {e}"));

    // manage-secrets: its leader created the application-owned secret, as the how-to does.
    let secret = model
        .controller()
        .secrets
        .iter()
        .find(|s| s.owner == SecretOwnerRef::Application("secrets".into()))
        .expect("manage-secrets' secret");
    assert_eq!(secret.label.as_deref(), Some(CA_CERTIFICATE_SECRET_LABEL));
    assert_eq!(secret.description.as_deref(), Some("ca certificate and private key for the certificates charm"));
    assert_eq!(secret.latest(), 1, "config-changed read it back and created nothing");
    let hooks = model.hooks_of("secrets/0");
    assert_eq!(hooks.first().map(String::as_str), Some("install"), "{hooks:?}");
    assert!(hooks.contains(&"config-changed".to_owned()) && hooks.contains(&"start".to_owned()), "{hooks:?}");
    assert!(model.controller().units["secrets/0"].agent.error.is_none());

    // ops: the leader created its token (generation 1); both units report the config.
    let owner = SecretOwnerRef::Application("ops".into());
    let token = secret_content(&model, &owner, |l| l == "compat-token").unwrap();
    assert_eq!(token["generation"], "1");
    for unit in ["ops/0", "ops/1"] {
        assert_eq!(unit_status(&model, unit).unwrap(), (StatusName::Active, "hello; token generation 1".to_owned()));
    }
    assert_eq!(model.controller().units["ops/0"].workload_version, "1.0.0");
    // The two ops units met over the peer relation.
    let peers = model.controller().relations.iter().find(|r| r.is_peer()).expect("the cluster peer relation");
    assert_eq!(peers.endpoints[0].endpoint, "cluster");
    assert_eq!(peers.scope.iter().map(String::as_str).collect::<Vec<_>>(), ["ops/0", "ops/1"]);
    assert!(model.hooks_of("ops/1").contains(&"cluster-relation-joined".to_owned()));
    // Each app's secrets are its own: two applications, two owners, no cross-app grant.
    assert_eq!(model.controller().secrets.len(), 2, "{:?}", model.controller().secrets);
    assert!(model.controller().secrets.iter().all(|s| s.grants.is_empty()));

    // Config through the model: the ops leader writes generation 2 as a new revision.
    model
        .config("ops", [("greeting".to_owned(), json!("bonjour")), ("token-generation".to_owned(), json!(2))])
        .unwrap();
    let before = model.hooks_of("ops/0").len();
    model.settle().unwrap_or_else(|e| panic!("settles after config: {e}"));
    let token = secret_content(&model, &owner, |l| l == "compat-token").unwrap();
    assert_eq!(token["generation"], "2");
    assert_eq!(unit_status(&model, "ops/1").unwrap(), (StatusName::Active, "bonjour; token generation 2".to_owned()));
    // The leader ran config-changed and shows generation 2 (what it runs after that, as the
    // owner of a secret it read, is `an_owner_unit_that_read_its_secret_hears_secret_changed`).
    assert_eq!(model.hooks_of("ops/0").get(before).map(String::as_str), Some("config-changed"));
    let (status, message) = unit_status(&model, "ops/0").unwrap();
    assert!(status == StatusName::Active && message.ends_with("generation 2"), "{message:?}");
    assert!(!model.hooks_of("ops/1").contains(&"secret-changed".to_owned()), "ops/1 never read the token");
    // manage-secrets' config did not change: it ran no second config-changed.
    let configs = model.hooks_of("secrets/0").iter().filter(|h| *h == "config-changed").count();
    assert_eq!(configs, 1);

    // Actions through the model, on the leader and on the other unit.
    let info = model.run_action("ops/0", "get-info", params(json!({"verbose": true}))).unwrap();
    assert_eq!(info.status, "completed", "{info:?}");
    assert_eq!(info.result("unit"), Some("ops/0"));
    assert_eq!(info.result("leader"), Some("true"));
    assert_eq!(info.result("config.greeting"), Some("bonjour"));
    // The leader reads the token (the revision it tracks: see the owner test below).
    assert!(info.result("token-generation").is_some(), "{info:?}");
    let ops_secret = model.controller().secrets.iter().find(|s| s.owner == owner).unwrap();
    assert_eq!(
        info.result("token-secret-id").map(goops_juju::secret::bare_secret_id),
        Some(goops_juju::secret::bare_secret_id(&ops_secret.id))
    );
    assert_eq!(info.logs, ["collecting info"]);
    let info = model.run_action("ops/1", "get-info", serde_json::Map::new()).unwrap();
    assert_eq!(info.result("leader"), Some("false"));
    assert_eq!(info.result("token-generation"), None, "only the leader reads the token");

    let failed = model.run_action("ops/1", "fail-always", params(json!({"reason": "testing"}))).unwrap();
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.failure.as_deref(), Some("failed as requested: testing"));
    assert_eq!(failed.result("partial"), Some("yes"));
    // A failed action does not put the unit in error.
    assert!(model.controller().units["ops/1"].agent.error.is_none());
    model.settle().unwrap();
}

#[test]
fn an_owner_unit_that_read_its_secret_hears_secret_changed() {
    let (_dir, ops) = ops_charm();
    let mut model = Model::new();
    model.deploy("ops", ops, 1).unwrap();
    model.settle().unwrap_or_else(|e| panic!("the model settles: {e}"));
    let before = model.hooks_of("ops/0").len();
    model.config("ops", [("token-generation".to_owned(), json!(2))]).unwrap();
    model.settle().unwrap_or_else(|e| panic!("settles after config: {e}"));

    // The leader read its own secret (install, config-changed), so it tracks it like any reader
    // and hears secret-changed for revision 2 (juju/juju#19035: "the same for secret owners").
    // Its refresh left revision 1 pinned by nobody: the owner hears secret-remove for it.
    assert_eq!(model.hooks_of("ops/0")[before..], ["config-changed", "secret-changed", "secret-remove"]);
    assert_eq!(
        unit_status(&model, "ops/0").unwrap(),
        (StatusName::Active, "secret compat-token generation 2".to_owned())
    );
    // It now tracks revision 2, so reading the token gives generation 2.
    let info = model.run_action("ops/0", "get-info", serde_json::Map::new()).unwrap();
    assert_eq!(info.result("token-generation"), Some("2"));
}

#[test]
fn a_second_manage_secrets_unit_fails_its_install_as_the_how_to_does_in_juju() {
    // The how-to reads the secret's info, which Juju shows only to the leader: a second unit's
    // install fails. The model reports the failed hook with its unit and message.
    let (_dir, ops) = ops_charm();
    let mut model = Model::new();
    model.deploy("ops", ops, 1).unwrap();
    model.deploy("secrets", manage_secrets(), 2).unwrap();
    match model.settle() {
        Err(ModelError::HookFailed { unit, hook, message, .. }) => {
            assert_eq!((unit.as_str(), hook.as_str()), ("secrets/1", "install"));
            assert!(message.contains("could not generate and store root certificate"), "{message}");
        }
        other => panic!("expected secrets/1's install to fail, got {other:?}"),
    }
    let status = model.status();
    let failed = &status.applications["secrets"].units["secrets/1"];
    // `juju status` shows a hook error on the workload, the agent idle (state/unit.go).
    assert_eq!(failed.agent, "idle");
    assert_eq!(failed.workload.status, StatusName::Error);
    assert_eq!(failed.workload.message, "hook failed: \"install\"");
    // The unit stays in error; the leader and the ops charm are fine.
    assert!(model.controller().units["secrets/0"].agent.error.is_none());
    assert!(model.controller().units["secrets/1"].agent.error.is_some());
}
