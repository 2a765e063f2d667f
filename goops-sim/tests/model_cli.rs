//! `goops-sim model`: the built binary over model files of tiny shell-dispatch charms
//! (tests/model-charms/sh-*), resumed between commands from a state file.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::temp_dir;
use goops_sim::model::ModelStatus;
use goops_sim::state::StatusName;

const BIN: &str = env!("CARGO_BIN_EXE_goops-sim");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/model-charms")
}

/// `goops-sim model <file> <args…> --state <state>`.
fn model(file: &Path, state: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("model").arg(file).args(args).arg("--state").arg(state).output().unwrap()
}

fn out(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn err(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn ok(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", out(output), err(output));
    out(output)
}

fn status_of(file: &Path, state: &Path) -> ModelStatus {
    let text = ok(&model(file, state, &["status", "--format", "json"]));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("status JSON: {e}\n{text}"))
}

/// A fresh state path and the good model (provider db/0, requirer app/0 and app/1), up.
fn good_model_up(tag: &str) -> (PathBuf, PathBuf, String) {
    let file = fixtures().join("sh-good.yaml");
    let state = temp_dir(tag).join("state.json");
    let text = ok(&model(&file, &state, &["up"]));
    (file, state, text)
}

#[test]
fn up_settles_provider_and_requirer_active_and_says_so_in_text_and_json() {
    let (file, state, text) = good_model_up("up");
    // The trace: the requirer saw the provider's data after the provider's hook committed.
    assert!(text.contains("---- integrate db:db app:db"), "{text}");
    let joined = text.lines().find(|l| l.contains("app/0") && l.contains("db-relation-joined (remote db/0"));
    assert!(joined.is_some_and(|l| l.contains("completed")), "{text}");
    assert!(text.contains("unit bag: +host +port"), "{text}");
    // The status tables: leaders starred, everyone active and idle.
    let row = |unit: &str| text.lines().find(|l| l.starts_with(unit)).unwrap_or_default().to_owned();
    let words = |line: String| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(words(row("db/0*"))[..3], ["db/0*", "active", "idle"], "{text}");
    assert_eq!(words(row("app/0*"))[..3], ["app/0*", "active", "idle"], "{text}");
    assert_eq!(words(row("app/1 "))[..3], ["app/1", "active", "idle"], "{text}");
    assert!(row("app/1 ").ends_with("db at db/0.example:5432"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("sh-demo ") && l.contains("goops-sim")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("db:db") && l.contains("app:db") && l.contains("regular")), "{text}");
    // The JSON says the same, read back as a ModelStatus.
    let status = status_of(&file, &state);
    assert!(status.all_active(), "{status:?}");
    assert!(status.all_agents_idle() && !status.any_error(), "{status:?}");
    assert_eq!(status.app("app").and_then(|a| a.leader.as_deref()), Some("app/0"));
    assert_eq!(status.unit("app/1").map(|u| u.workload.message.as_str()), Some("db at db/0.example:5432"));
    assert_eq!(status.model, "sh-demo");
}

#[test]
fn the_state_file_resumes_the_model_for_run_config_remove_unit_and_trace() {
    let (file, state, _) = good_model_up("resume");
    // run: the action's results, as YAML.
    let text = ok(&model(&file, &state, &["run", "db/0", "get-port", "word=hi"]));
    assert!(text.contains("port: \"5432\"\n") && text.contains("word: hi\n"), "{text}");
    // The unit's charm dir outlived `up`: the marker its install wrote is still there.
    assert!(text.contains("installed: db/0\n"), "{text}");
    assert!(text.contains("db/0  action get-port (id 1, params word)  completed"), "{text}");
    // config: the provider republishes, the requirers see the new port.
    let text = ok(&model(&file, &state, &["config", "db", "port=6000"]));
    assert!(text.contains("unit bag: ~port"), "{text}");
    let status = status_of(&file, &state);
    assert_eq!(status.unit("app/0").map(|u| u.workload.message.as_str()), Some("db at db/0.example:6000"));
    // remove-unit: the leader goes, app/1 leads.
    let text = ok(&model(&file, &state, &["remove-unit", "app/0"]));
    assert!(text.contains("---- remove-unit app/0"), "{text}");
    let ran = |unit: &str, hook: &str| {
        text.lines().any(|l| l.split_whitespace().skip(1).take(3).eq([unit, hook, "completed"]))
    };
    assert!(ran("app/0", "stop") && ran("app/0", "remove") && ran("app/1", "leader-elected"), "{text}");
    let status = status_of(&file, &state);
    assert!(status.unit("app/0").is_none(), "{status:?}");
    assert_eq!(status.app("app").and_then(|a| a.leader.as_deref()), Some("app/1"));
    assert!(status.all_active(), "{status:?}");
    // trace: everything since up, numbered.
    let text = ok(&model(&file, &state, &["trace"]));
    assert!(text.starts_with("   1 ---- deploy db (db/0)\n"), "{text}");
    assert!(text.contains("---- run db/0 get-port (id 1)") && text.contains("---- config db"), "{text}");
    assert!(text.contains("---- app/0 is dead") && text.contains("---- leader of app: app/1"), "{text}");
    let output = model(&file, &state, &["trace", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert!(err(&output).contains("keeps Juju's ordering rules"));
    // A trace where db/0 "ran" start before install breaks rule I2.
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let entries = json["trace"]["entries"].as_array_mut().unwrap();
    let install = entries.iter_mut().find(|e| e["unit"] == "db/0" && e["op"]["hook"] == "install").unwrap();
    install["op"]["hook"] = "start".into();
    std::fs::write(&state, json.to_string()).unwrap();
    let output = model(&file, &state, &["trace", "--check"]);
    assert_eq!(output.status.code(), Some(1), "{}", err(&output));
    assert!(err(&output).contains("(db/0): rule I2: start ran before install"), "{}", err(&output));
}

#[test]
fn a_failing_hook_exits_1_naming_unit_and_hook_and_resolve_retries_it() {
    let file = fixtures().join("sh-failing.yaml");
    let state = temp_dir("failing").join("state.json");
    let output = model(&file, &state, &["up"]);
    assert_eq!(output.status.code(), Some(1), "{}\n{}", out(&output), err(&output));
    assert!(err(&output).contains("hook \"start\" failed on bad/0"), "{}", err(&output));
    // The charm logged nothing: its stderr's last line says why.
    assert!(err(&output).contains("exit status 1; stderr: cannot start: the disk is on fire"), "{}", err(&output));
    assert!(err(&output).contains("resolve bad/0"), "{}", err(&output));
    assert!(out(&output).lines().any(|l| l.contains("bad/0") && l.contains("start") && l.contains("FAILED")));
    // The state was saved: status shows the error as juju status does.
    let status = status_of(&file, &state);
    let bad = status.unit("bad/0").cloned().unwrap_or_default();
    assert_eq!((bad.workload.status, bad.workload.message.as_str()), (StatusName::Error, "hook failed: \"start\""));
    assert_eq!(bad.agent, "idle");
    assert!(status.any_error());
    // Fix the cause, then resolve: start is retried and the model settles active.
    ok(&model(&file, &state, &["config", "bad", "fail-on="]));
    let text = ok(&model(&file, &state, &["resolve", "bad/0"]));
    assert!(text.lines().any(|l| l.contains("bad/0") && l.contains("start") && l.contains("completed")), "{text}");
    let status = status_of(&file, &state);
    assert!(status.all_active() && !status.any_error(), "{status:?}");
}

#[test]
fn a_bad_model_file_exits_2_naming_the_problem() {
    let dir = temp_dir("bad-file");
    let charms = fixtures();
    let provider = charms.join("sh-provider").display().to_string();
    let requirer = charms.join("sh-requirer").display().to_string();
    let failing = charms.join("sh-failing").display().to_string();
    for (text, expected) in [
        (
            format!("applications:\n  db:\n    charm: {provider}\n    unit: 2\n"),
            "line 4: applications.db.unit: unknown key",
        ),
        (
            format!("applications:\n  db: {{charm: {provider}, config: {{nope: 1}}}}\n"),
            "applications.db.config.nope: unknown option \"nope\"",
        ),
        (
            format!("applications:\n  db: {{charm: {provider}, config: {{port: x}}}}\n"),
            "line 2: applications.db.config.port: option \"port\" expected int, got \"x\"",
        ),
        (
            format!("applications:\n  bad: {{charm: {failing}, config: {{fail-on: 3}}}}\n"),
            "applications.bad.config.fail-on: option \"fail-on\" expected string, got 3",
        ),
        (
            format!(
                "applications:\n  db: {{charm: {provider}}}\n  app: {{charm: {requirer}}}\nrelations:\n  - [db:nope, app:db]\n"
            ),
            "line 5: relations[0]: application \"db\" has no endpoint \"nope\"",
        ),
        ("applications:\n  db: {charm: ./missing}\n".to_owned(), "applications.db.charm: "),
        ("applications: [\n".to_owned(), "line 2:"),
    ] {
        let file = dir.join("model.yaml");
        std::fs::write(&file, &text).unwrap();
        let output = model(&file, &dir.join("state.json"), &["up"]);
        assert_eq!(output.status.code(), Some(2), "{text}: {}", err(&output));
        assert!(err(&output).contains(expected), "{text}: {} lacks {expected:?}", err(&output));
        assert!(!dir.join("state.json").exists(), "a bad file must not write a state");
    }
    // Resuming with no state, or asking for what does not exist, is a usage error too.
    let file = fixtures().join("sh-good.yaml");
    let output = model(&file, &dir.join("none.json"), &["status"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(err(&output).contains("no model state at") && err(&output).contains("up` first"), "{}", err(&output));
    // A state file that cannot be written is named, after the run.
    let output = model(&file, &dir.join("no-such-dir/state.json"), &["up"]);
    assert_eq!(output.status.code(), Some(2), "{}", err(&output));
    assert!(err(&output).contains("cannot write the model state"), "{}", err(&output));
    let output = model(&fixtures().join("sh-failing.yaml"), &dir.join("no-such-dir/state.json"), &["up"]);
    assert_eq!(output.status.code(), Some(1), "{}", err(&output));
    assert!(err(&output).contains("hook \"start\" failed") && err(&output).contains("cannot write the model state"));
    let (file, state, _) = good_model_up("bad-verbs");
    for (args, expected) in [
        (&["run", "db/0", "nope"][..], "action \"nope\" not defined on unit \"db/0\""),
        (&["remove-unit", "db/7"][..], "no unit \"db/7\""),
        (&["config", "db", "port=many"][..], "option \"port\" expected int, got \"many\""),
        (&["config", "db", "colour=red"][..], "unknown option \"colour\""),
        (&["status", "--seed", "3"][..], "--seed applies to up and explore"),
    ] {
        let output = model(&file, &state, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", err(&output));
        assert!(err(&output).contains(expected), "{args:?}: {} lacks {expected:?}", err(&output));
    }
}

#[test]
fn explore_passes_on_the_good_model_and_names_the_seed_on_a_bad_one() {
    let file = fixtures().join("sh-good.yaml");
    let state = temp_dir("explore").join("state.json");
    let text = ok(&model(&file, &state, &["explore", "--seeds", "5"]));
    assert!(text.starts_with("explored seeds 0..5: "), "{text}");
    let output = model(&fixtures().join("sh-failing.yaml"), &state, &["explore", "--seeds", "3", "--seed", "7"]);
    assert_eq!(output.status.code(), Some(1), "{}", err(&output));
    assert!(err(&output).contains("seed 7 failed: hook \"start\" failed on bad/"), "{}", err(&output));
    assert!(err(&output).contains("replay: goops-sim model"), "{}", err(&output));
    assert!(err(&output).contains("up --seed 7"), "{}", err(&output));
    // The failing seed's trace is printed.
    assert!(out(&output).contains("---- deploy bad (bad/0, bad/1)"), "{}", out(&output));
}

#[test]
fn a_staged_dispatch_binary_runs_and_integrate_and_add_unit_resume_it() {
    let dir = temp_dir("staged");
    // The provider's script, copied elsewhere and staged as dispatch next to its metadata.
    let binary = dir.join("provider-bin");
    let script = std::fs::read_to_string(fixtures().join("sh-provider/dispatch")).unwrap();
    std::fs::write(&binary, script.replace("serving on", "staged, serving on")).unwrap();
    std::fs::set_permissions(&binary, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let charms = fixtures();
    let file = dir.join("model.yaml");
    let text = format!(
        "applications:\n  db: {{charm: {}, dispatch: provider-bin}}\n  app: {{charm: {}}}\n",
        charms.join("sh-provider").display(),
        charms.join("sh-requirer").display()
    );
    std::fs::write(&file, text).unwrap();
    let state = dir.join("state.json");
    ok(&model(&file, &state, &["up"]));
    let status = status_of(&file, &state);
    assert_eq!(status.unit("db/0").map(|u| u.workload.message.as_str()), Some("staged, serving on 5432"));
    assert_eq!(status.unit("app/0").map(|u| u.workload.status), Some(StatusName::Waiting));
    // The default state file sits next to the model file.
    assert!(!dir.join(".goops-model.json").exists());
    let text = ok(&model(&file, &state, &["integrate", "db", "app"]));
    assert!(text.contains("---- integrate db:db app:db"), "{text}");
    assert!(status_of(&file, &state).all_active());
    let text = ok(&model(&file, &state, &["add-unit", "app"]));
    assert!(text.contains("---- add-unit app/1"), "{text}");
    let status = status_of(&file, &state);
    assert_eq!(status.unit("app/1").map(|u| u.workload.message.as_str()), Some("db at db/0.example:5432"));
    // Without --state, the state lives next to the model file.
    let output = Command::new(BIN).arg("model").arg(&file).arg("up").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert!(dir.join(".goops-model.json").is_file());
}

#[test]
fn a_seeded_up_replays_the_same_trace() {
    let file = fixtures().join("sh-good.yaml");
    let dir = temp_dir("replay");
    let first = ok(&model(&file, &dir.join("a.json"), &["up", "--seed", "11"]));
    let second = ok(&model(&file, &dir.join("b.json"), &["up", "--seed", "11"]));
    assert_eq!(first, second);
    assert!(first.ends_with("up --seed 11`\n"), "{first}");
    // The state file holds secret content: only its owner may read it.
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(dir.join("a.json")).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn each_verb_has_help() {
    let output = Command::new(BIN).args(["model", "--help"]).output().unwrap();
    let text = out(&output);
    for verb in ["up", "status", "run", "remove-unit", "config", "integrate", "resolve", "trace", "explore"] {
        assert!(text.lines().any(|l| l.trim_start().starts_with(verb)), "{verb} missing from:\n{text}");
    }
    assert!(text.contains("Exit status: 0"), "{text}");
    let output = Command::new(BIN).args(["model", "m.yaml", "run", "--help"]).output().unwrap();
    assert!(out(&output).contains("juju run"), "{}", out(&output));
}
