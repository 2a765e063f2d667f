//! Outside the workspace: `cargo goops new` makes a project that builds, passes its tests,
//! runs an event and packs; and charmcraft's rust plugin's own build commands succeed on a copy
//! of the scaffold and of each example, each taken alone.
//!
//! Needs crates.io (the projects resolve their dependencies) and PyPI (craft-parts, for the
//! plugin's commands, and charmcraft's analyser).

mod common;

use std::path::Path;

use common::*;
use goops_sim::State;

/// The goops crates come from this checkout, as `cargo goops new --goops-path` arranges.
fn patch_to_checkout(project: &Path) {
    let mut config = cargo_goops::scaffold::patch_config(&workspace_root()).expect("the checkout");
    // The examples that use the tls-certificates interface crate need it from the checkout too.
    let tls = workspace_root().join("interfaces").join("tls-certificates");
    config.push_str(&format!("goops-tls-certificates = {{ path = {:?} }}\n", tls.to_str().expect("UTF-8 path")));
    std::fs::create_dir_all(project.join(".cargo")).unwrap();
    std::fs::write(project.join(".cargo").join("config.toml"), config).unwrap();
}

/// The rust plugin's build of `project` yields its binary as `dispatch`, a binary this
/// machine's glibc check accepts for ubuntu@24.04.
fn assert_plugin_builds(project: &Path) {
    let work = TempDir::new("cargo-goops-plugin");
    let install = rust_plugin_build(project, work.path());
    let dispatch = install.join("dispatch");
    assert!(dispatch.is_file(), "the plugin's install dir has no dispatch: {}", install.display());
    assert!(!install.join(".crates.toml").exists() && !install.join(".crates2.json").exists());
    let linking = cargo_goops::glibc::check_binary(&dispatch, "amd64", "ubuntu@24.04", "amd64").unwrap();
    assert!(matches!(linking, cargo_goops::glibc::Linking::Dynamic { .. }), "{linking:?}");
}

#[test]
fn a_new_project_builds_tests_runs_and_packs_on_its_own() {
    let root = TempDir::new("cargo-goops-new");
    let dir = root.path().join("hello-charm");
    let out = run_ok(cargo_goops().args(["goops", "new"]).arg(&dir).arg("--goops-path").arg(workspace_root()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for file in ["Cargo.toml", "charmcraft.yaml", "src/lib.rs", "src/main.rs", "tests/harness.rs", "README.md"] {
        assert!(dir.join(file).is_file(), "{file} missing; cargo goops new said:\n{stdout}");
    }
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(!manifest.contains("workspace"), "standalone:\n{manifest}");
    assert!(manifest.contains("goops-runtime = \"0.1.0\""), "{manifest}");
    let config = std::fs::read_to_string(dir.join(".cargo/config.toml")).unwrap();
    assert!(config.contains(&workspace_root().join("goops-runtime").display().to_string()), "{config}");

    // Its own tests pass, outside any workspace (cargo would refuse a package that believes it
    // is in a workspace it is not a member of).
    run_ok(cargo(&dir).args(["test", "--quiet"]));

    // One event under goops-sim, through cargo goops run.
    let state = root.path().join("state.json");
    let out = run_ok(
        cargo_goops()
            .args(["goops", "run", "--charm-dir"])
            .arg(&dir)
            .args(["greet", "--param", "name=Ada", "--out"])
            .arg(&state)
            .env("CARGO_TARGET_DIR", outside_target_dir()),
    );
    State::from_json(&std::fs::read_to_string(&state).unwrap()).expect("goops-sim wrote the new state to --out");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("hello, Ada!"), "goops-sim's report shows the action's result:\n{report}");

    // charmcraft's rust plugin builds it (before `cargo goops pack`, from a clean copy).
    assert_plugin_builds(&dir);

    let out = run_ok(
        cargo_goops().args(["goops", "pack", "--charm-dir"]).arg(&dir).env("CARGO_TARGET_DIR", outside_target_dir()),
    );
    let charm = dir.join("hello-charm_amd64.charm");
    assert!(charm.is_file(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_analyser_accepts(&charm);
}

#[test]
fn a_new_kubernetes_project_builds_tests_and_runs_pebble_ready_on_its_own() {
    let root = TempDir::new("cargo-goops-new-k8s");
    let dir = root.path().join("web-k8s");
    run_ok(cargo_goops().args(["goops", "new", "--kubernetes"]).arg(&dir).arg("--goops-path").arg(workspace_root()));
    let meta = goops_juju::charmcraft::CharmMeta::from_dir(&dir).expect("the scaffold's charmcraft.yaml reads");
    assert_eq!(meta.containers["workload"].resource.as_deref(), Some("workload-image"));
    assert_eq!(meta.resources["workload-image"].kind, "oci-image");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains(r#"goops-runtime = { version = "0.1.0", features = ["pebble"] }"#), "{manifest}");
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains(r#"#[hook(pebble_ready("workload"), config_changed)]"#), "{lib}");

    // Its harness tests (pebble-ready, config-changed, an unreachable container) pass outside
    // any workspace.
    run_ok(cargo(&dir).args(["test", "--quiet"]));

    // pebble-ready under goops-sim run, with the simulated Pebble behind the container's socket.
    let state = root.path().join("state.json");
    std::fs::write(&state, r#"{"unit": "web-k8s/0", "containers": {"workload": {}}}"#).unwrap();
    let out = root.path().join("out.json");
    run_ok(
        cargo_goops()
            .args(["goops", "run", "--charm-dir"])
            .arg(&dir)
            .args(["workload-pebble-ready", "--state"])
            .arg(&state)
            .arg("--out")
            .arg(&out)
            .env("CARGO_TARGET_DIR", outside_target_dir()),
    );
    let after = State::from_json(&std::fs::read_to_string(&out).unwrap()).expect("goops-sim wrote the new state");
    assert_eq!(after.unit_status.status.as_str(), "active");
    assert_eq!(after.containers["workload"].layers.len(), 1, "{:?}", after.containers["workload"]);
}

#[test]
fn the_rust_plugin_builds_each_example_taken_alone() {
    for example in ["certificates", "manage-secrets", "reconcile", "tls-requirer", "hello-k8s"] {
        let copy = TempDir::new("cargo-goops-example");
        copy_project(&workspace_root().join("examples").join(example), copy.path());
        patch_to_checkout(copy.path());
        assert_plugin_builds(copy.path());
    }
}

#[test]
fn new_refuses_a_bad_name_and_a_checkout_that_is_not_one() {
    let root = TempDir::new("cargo-goops-new-bad");
    let out = run(cargo_goops().args(["goops", "new"]).arg(root.path().join("Bad_Name")));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("\"Bad_Name\" is not a valid charm name"), "{stderr}");
    assert!(!root.path().join("Bad_Name").exists(), "nothing written");

    let out =
        run(cargo_goops().args(["goops", "new"]).arg(root.path().join("ok")).arg("--goops-path").arg(root.path()));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a goops-rs checkout (no goops-runtime/Cargo.toml)"), "{stderr}");
}

#[test]
fn every_verb_has_help() {
    for verb in [&["--help"][..], &["new", "--help"], &["pack", "--help"], &["run", "--help"]] {
        let out = run_ok(cargo_goops().arg("goops").args(verb));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("Usage: cargo goops"), "{verb:?}:\n{stdout}");
    }
    let out = run_ok(cargo_goops().args(["goops", "pack", "--help"]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--static"));
}
