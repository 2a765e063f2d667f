//! `cargo goops pack` on every example: the .charm holds what charmcraft would put in it,
//! charmcraft's own analyser (from PyPI) accepts it, and its `dispatch`, unzipped, runs install
//! under `goops-sim run`.
//!
//! Needs PyPI (the charmcraft venv, built once under target/) and builds each example in release.

mod common;

use std::path::Path;

use common::*;
use goops_sim::State;
use goops_sim::state::StatusName;
use yaml_rust2::{Yaml, YamlLoader};

/// Packs `example` into a temp dir, checks the charm, runs install from it; returns the state
/// install left.
fn pack_check_and_install(example: &str, name: &str) -> State {
    let src = workspace_root().join("examples").join(example);
    let out_dir = TempDir::new("cargo-goops-pack");
    let out =
        run_ok(cargo_goops().args(["goops", "pack", "--charm-dir"]).arg(&src).arg("--output-dir").arg(out_dir.path()));
    let stdout = String::from_utf8_lossy(&out.stdout);

    // charmcraft names it after the platform label (`amd64`, with `base: ubuntu@24.04`).
    let charm = out_dir.path().join(format!("{name}_amd64.charm"));
    assert!(charm.is_file(), "no {} in:\n{stdout}", charm.display());
    let size = std::fs::metadata(&charm).unwrap().len();
    assert!(stdout.contains(&charm.display().to_string()), "the path is printed:\n{stdout}");
    assert!(stdout.contains("KiB") || stdout.contains("MiB"), "the size ({size} bytes) is printed:\n{stdout}");
    assert!(stdout.contains("on ubuntu@24.04: dispatch needs glibc 2."), "{stdout}");

    // What charmcraft writes: dispatch, metadata.yaml, config.yaml and actions.yaml only when
    // charmcraft.yaml declares them, manifest.yaml; nothing else (no charmcraft.yaml, no source).
    let project =
        YamlLoader::load_from_str(&std::fs::read_to_string(src.join("charmcraft.yaml")).unwrap()).unwrap().remove(0);
    let mut expected = vec!["dispatch", "metadata.yaml"];
    for section in ["config", "actions"] {
        if !matches!(project[section], Yaml::BadValue) {
            expected.push(if section == "config" { "config.yaml" } else { "actions.yaml" });
        }
    }
    expected.push("manifest.yaml");
    for file in &expected {
        assert!(stdout.contains(&format!("  {file}\n")), "{file} is listed:\n{stdout}");
    }
    let unzipped = TempDir::new("cargo-goops-unzipped");
    let mut names = unzip_charm(&charm, unzipped.path());
    names.sort();
    expected.sort();
    assert_eq!(names, expected);

    // The metadata keeps what charmcraft.yaml says (the title as display-name).
    let metadata = read_yaml(&unzipped.path().join("metadata.yaml"));
    assert_eq!(metadata["name"].as_str(), Some(name));
    assert_eq!(metadata["display-name"], project["title"]);
    assert_eq!(metadata["summary"], project["summary"]);
    assert_eq!(metadata["description"], project["description"]);
    for key in ["provides", "requires", "peers"] {
        assert_eq!(sorted(&metadata[key]), sorted(&project[key]), "{key}");
    }
    if expected.contains(&"config.yaml") {
        assert_eq!(sorted(&read_yaml(&unzipped.path().join("config.yaml"))), sorted(&project["config"]));
    }
    if expected.contains(&"actions.yaml") {
        assert_eq!(sorted(&read_yaml(&unzipped.path().join("actions.yaml"))), sorted(&project["actions"]));
    }
    let manifest = read_yaml(&unzipped.path().join("manifest.yaml"));
    assert_eq!(manifest["bases"][0]["channel"].as_str(), Some("24.04"));

    assert_analyser_accepts(&charm);

    // The unzipped dispatch runs install under goops-sim, as Juju would run it.
    let state_dir = TempDir::new("cargo-goops-state");
    let start = state_dir.path().join("start.json");
    let end = state_dir.path().join("end.json");
    std::fs::write(&start, format!(r#"{{"unit": "{name}/0", "leader": true}}"#)).unwrap();
    run_ok(
        std::process::Command::new(goops_sim_binary())
            .arg("run")
            .arg(unzipped.path())
            .arg("install")
            .arg("--state")
            .arg(&start)
            .arg("--out")
            .arg(&end)
            .arg("--quiet"),
    );
    State::from_json(&std::fs::read_to_string(&end).unwrap()).expect("goops-sim wrote a state")
}

/// `value` with its maps' keys in order, so two documents compare by content.
fn sorted(value: &Yaml) -> Yaml {
    match value {
        Yaml::Hash(map) => {
            let mut entries: Vec<_> = map.iter().map(|(k, v)| (k.clone(), sorted(v))).collect();
            entries.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
            Yaml::Hash(entries.into_iter().collect())
        }
        Yaml::Array(items) => Yaml::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn read_yaml(path: &Path) -> Yaml {
    YamlLoader::load_from_str(&std::fs::read_to_string(path).unwrap()).unwrap().remove(0)
}

#[test]
fn certificates_packs_and_its_dispatch_creates_the_ca() {
    let state = pack_check_and_install("certificates", "certificates");
    assert!(state.secrets.iter().any(|s| s.label.as_deref() == Some("active-ca-certificates")), "{state:?}");
    assert_eq!(state.unit_status.status, StatusName::Active);
}

#[test]
fn manage_secrets_packs_and_its_dispatch_adds_the_secret() {
    let state = pack_check_and_install("manage-secrets", "manage-secrets");
    assert!(state.secrets.iter().any(|s| s.label.as_deref() == Some("active-ca-certificates")), "{state:?}");
}

#[test]
fn greeter_packs_and_its_dispatch_asks_for_the_greeting() {
    let state = pack_check_and_install("reconcile", "greeter");
    assert_eq!(state.unit_status.status, StatusName::Blocked);
    assert_eq!(state.unit_status.message, "set the greeting option");
}

/// The analyser check can fail: a charm whose metadata.yaml lacks a description is an error.
#[test]
fn the_analyser_refuses_a_charm_without_a_description() {
    let dir = TempDir::new("cargo-goops-bad-charm");
    let charm = dir.path().join("bad_amd64.charm");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&charm).unwrap());
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o644);
    zip.start_file("metadata.yaml", options).unwrap();
    std::io::Write::write_all(&mut zip, b"name: bad\nsummary: s\n").unwrap();
    zip.finish().unwrap();
    let (lints, code) = charmcraft_analyse(&charm);
    let metadata = lints.iter().find(|l| l.name == "metadata").expect("the metadata lint ran");
    assert_eq!(metadata.result, "error", "{metadata:?}");
    assert!(metadata.text.contains("description"), "{metadata:?}");
    assert_eq!(code, 2, "charmcraft's exit code for an error");
}
