//! The `goops-sim` binary with real processes: tiny shell-script charms that call the tools.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::temp_dir;
use goops_sim::State;

const BIN: &str = env!("CARGO_BIN_EXE_goops-sim");

const METADATA: &str = "name: demo\nrequires:\n  db: {interface: pgsql}\nactions:\n  backup:\n    params:\n      target: {type: string, default: /tmp}\n";

/// A charm dir with charmcraft.yaml and an executable `dispatch` script.
fn charm(tag: &str, script: &str) -> PathBuf {
    let dir = temp_dir(tag);
    std::fs::write(dir.join("charmcraft.yaml"), METADATA).unwrap();
    write_exec(&dir.join("dispatch"), &format!("#!/bin/sh\n{script}\n"));
    dir
}

fn write_exec(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

const STATE: &str = r#"{"unit": "demo/0", "leader": true,
  "relations": [{"id": 4, "endpoint": "db", "remote_app": "pg", "remote_units": {"pg/0": {"host": "h"}}}]}"#;

fn sim(dir: &Path, args: &[&str]) -> Output {
    let state = dir.join("state.json");
    if !state.exists() {
        std::fs::write(&state, STATE).unwrap();
    }
    Command::new(BIN).arg("run").arg(dir).args(args).arg("--state").arg(&state).output().unwrap()
}

fn out_state(output: &Output) -> State {
    State::from_json(&String::from_utf8_lossy(&output.stdout))
        .unwrap_or_else(|e| panic!("bad state on stdout ({e}); stderr: {}", String::from_utf8_lossy(&output.stderr)))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_hook_calls_tools_and_its_writes_are_committed() {
    let dir = charm(
        "commit",
        r#"set -e
status-set active "ready"
echo '{"from-stdin": "yes"}' | relation-set --file -
relation-set -r db:4 --app shared=1
state-set counter=1
juju-log -l WARNING -- "-dashed message"
[ "$(relation-get host pg/0)" = h ] || exit 7
[ "$(is-leader)" = True ] || exit 8"#,
    );
    let output = sim(&dir, &["db-relation-changed"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let state = out_state(&output);
    let relation = state.relation(4).unwrap();
    assert_eq!(relation.local_unit_data["from-stdin"], "yes");
    assert_eq!(relation.local_app_data["shared"], "1");
    assert_eq!(state.unit_state["counter"], "1");
    assert_eq!(state.juju_log.last().unwrap().message, "db:4: -dashed message");
    let report = stderr(&output);
    assert!(report.contains("db-relation-changed on demo/0: exit 0; changes committed"), "{report}");
    assert!(report.contains("unit status: active (\"ready\")"), "{report}");
    assert!(report.contains("relation db:4 unit data: +from-stdin=\"yes\""), "{report}");
}

#[test]
fn a_failing_hook_rolls_back_but_keeps_immediate_effects() {
    let dir = charm("rollback", "state-set a=1\nstatus-set blocked broken\necho oops >&2\nexit 3");
    let output = sim(&dir, &["install"]);
    assert_eq!(output.status.code(), Some(1));
    let state = out_state(&output);
    assert!(state.unit_state.is_empty());
    assert_eq!(state.unit_status.status, goops_sim::state::StatusName::Blocked);
    let report = stderr(&output);
    assert!(report.contains("exit 3; changes rolled back") && report.contains("oops"), "{report}");
}

#[test]
fn env_cwd_and_path_are_set_as_juju_does() {
    let dir = charm("env", "env > env.txt\npwd > pwd.txt\ncommand -v secret-get > which.txt");
    let output = sim(&dir, &["db-relation-departed", "--remote-unit", "pg/0"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let env = std::fs::read_to_string(dir.join("env.txt")).unwrap();
    let canonical = dir.canonicalize().unwrap();
    for expected in [
        "JUJU_DISPATCH_PATH=hooks/db-relation-departed".to_owned(),
        "JUJU_HOOK_NAME=db-relation-departed".to_owned(),
        "JUJU_RELATION=db".to_owned(),
        "JUJU_RELATION_ID=db:4".to_owned(),
        "JUJU_REMOTE_UNIT=pg/0".to_owned(),
        "JUJU_REMOTE_APP=pg".to_owned(),
        "JUJU_DEPARTING_UNIT=pg/0".to_owned(),
        "JUJU_UNIT_NAME=demo/0".to_owned(),
        "JUJU_AGENT_SOCKET_NETWORK=unix".to_owned(),
        format!("JUJU_CHARM_DIR={}", canonical.display()),
        format!("CHARM_DIR={}", canonical.display()),
    ] {
        assert!(env.lines().any(|l| l == expected), "missing {expected} in\n{env}");
    }
    assert!(env.lines().any(|l| l.starts_with("JUJU_CONTEXT_ID=demo/0-db-relation-departed-")));
    assert!(!env.contains("JUJU_SECRET_REVISION"));
    assert_eq!(std::fs::read_to_string(dir.join("pwd.txt")).unwrap().trim(), canonical.display().to_string());
    let which = std::fs::read_to_string(dir.join("which.txt")).unwrap();
    // The tools are symlinks to this goops-sim, in a directory made once and reused.
    assert!(which.trim().ends_with("/secret-get"), "{which}");
    assert_eq!(std::fs::canonicalize(which.trim()).unwrap(), std::fs::canonicalize(BIN).unwrap());
    // The departed unit leaves the relation once the hook succeeded.
    assert!(out_state(&output).relation(4).unwrap().remote_units.is_empty());
}

#[test]
fn rule_43_dispatch_preferred_missing_hook_skipped_missing_action_failed() {
    // dispatch wins over hooks/<name>.
    let dir = charm("rule43", "status-set active from-dispatch");
    std::fs::create_dir(dir.join("hooks")).unwrap();
    write_exec(&dir.join("hooks/install"), "#!/bin/sh\nstatus-set active from-hook\n");
    let output = sim(&dir, &["install"]);
    assert_eq!(out_state(&output).unit_status.message, "from-dispatch");
    // Without dispatch: hooks/<name> runs; a missing hook is skipped; a missing action fails.
    std::fs::remove_file(dir.join("dispatch")).unwrap();
    let output = sim(&dir, &["install"]);
    assert_eq!(out_state(&output).unit_status.message, "from-hook");
    let output = sim(&dir, &["start"]);
    assert!(output.status.success());
    assert!(stderr(&output).contains("no handler: skipped"));
    let output = sim(&dir, &["action:backup"]);
    let action = out_state(&output).action.unwrap();
    assert_eq!(action.status, "failed");
    assert_eq!(action.failure.as_deref(), Some("action not implemented on unit \"demo/0\""));
}

#[test]
fn rule_44_action_output_is_injected_into_results() {
    let dir = charm("rule44", "action-set path=\"$(action-get target)\"\naction-log working\necho out\necho err >&2");
    let output = sim(&dir, &["backup", "--param", "extra=1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let action = out_state(&output).action.unwrap();
    assert_eq!(
        serde_json::Value::Object(action.results),
        serde_json::json!({"path": "/tmp", "stdout": "out\n", "stderr": "err\n", "return-code": "0"})
    );
    assert_eq!(action.logs, vec!["working".to_owned()]);
    assert_eq!(action.params["extra"], 1);
    assert_eq!(action.status, "completed");
}

#[test]
fn tools_outside_a_hook_fail_like_jujus_client() {
    let dir = temp_dir("outside");
    let link = dir.join("secret-get");
    std::os::unix::fs::symlink(BIN, &link).unwrap();
    let output = Command::new(&link).arg("x").env_remove("JUJU_CONTEXT_ID").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "ERROR JUJU_CONTEXT_ID not set\n");
    let output =
        Command::new(&link).env("JUJU_CONTEXT_ID", "x").env_remove("JUJU_AGENT_SOCKET_ADDRESS").output().unwrap();
    assert_eq!(
        (output.status.code(), stderr(&output).as_str()),
        (Some(1), "ERROR JUJU_AGENT_SOCKET_ADDRESS not set\n")
    );
}

#[test]
fn tool_errors_and_exit_codes_cross_the_process_boundary() {
    let dir = charm(
        "codes",
        "relation-get --bogus 2> e1.txt; echo $? > c1.txt\naction-get 2> e2.txt; echo $? > c2.txt\nsecret-get --help > h.txt; echo $? > c3.txt",
    );
    let output = sim(&dir, &["install"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    assert_eq!(
        (read("c1.txt").trim(), read("e1.txt").as_str()),
        ("2", "ERROR option provided but not defined: --bogus\n")
    );
    assert_eq!((read("c2.txt").trim(), read("e2.txt").as_str()), ("1", "ERROR not running an action\n"));
    assert_eq!(read("c3.txt").trim(), "0");
    assert!(read("h.txt").starts_with("Usage: secret-get"));
}

#[test]
fn a_hanging_charm_is_killed_at_the_timeout() {
    let dir = charm("hang", "state-set a=1\nsleep 30");
    let started = std::time::Instant::now();
    let output = sim(&dir, &["install", "--timeout", "0.5"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("timed out after 0.5s"), "{}", stderr(&output));
    assert!(out_state(&output).unit_state.is_empty());
}

#[test]
fn bad_inputs_are_clear_errors() {
    let dir = charm("bad", "exit 0");
    std::fs::write(dir.join("state.json"), "{\"leader\": maybe}").unwrap();
    let output = sim(&dir, &["install"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("invalid state"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(dir.join("state.json")).unwrap(), "{\"leader\": maybe}");

    let dir = charm("unknown-event", "exit 0");
    let output = sim(&dir, &["make-coffee"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown event \"make-coffee\""), "{}", stderr(&output));

    let dir = charm("no-dispatch", "exit 0");
    std::fs::remove_file(dir.join("dispatch")).unwrap();
    let output = sim(&dir, &["install"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no executable dispatch"), "{}", stderr(&output));

    let dir = charm("not-exec", "exit 0");
    std::fs::set_permissions(dir.join("dispatch"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = sim(&dir, &["install"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("dispatch is not executable"), "{}", stderr(&output));

    let dir = temp_dir("no-metadata");
    let output = Command::new(BIN).args(["run"]).arg(&dir).arg("install").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no charmcraft.yaml or metadata.yaml"), "{}", stderr(&output));
}

#[test]
fn out_file_is_written_atomically_and_may_be_the_input() {
    let dir = charm("atomic", "state-set n=1");
    let state = dir.join("state.json");
    std::fs::write(&state, STATE).unwrap();
    let output = Command::new(BIN)
        .arg("run")
        .arg(&dir)
        .arg("install")
        .arg("--state")
        .arg(&state)
        .arg("--out")
        .arg(&state)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
    let state = State::from_json(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(state.unit_state["n"], "1");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn out_to_a_fifo_or_device_is_written_in_place_not_renamed_over() {
    use std::os::unix::fs::FileTypeExt;
    let dir = charm("fifo-out", "state-set n=2");
    let state = dir.join("state.json");
    std::fs::write(&state, STATE).unwrap();
    let fifo = dir.join("out.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // The reader blocks until goops-sim opens the FIFO for writing.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let output = Command::new(BIN)
        .arg("run")
        .arg(&dir)
        .arg("install")
        .arg("--state")
        .arg(&state)
        .arg("--out")
        .arg(&fifo)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    // A rename would have replaced the FIFO (or /dev/null) with a plain file.
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    let written = State::from_json(&reader.join().unwrap()).unwrap();
    assert_eq!(written.unit_state["n"], "2");
}

#[test]
fn secret_content_from_files_and_secret_events() {
    let dir = charm(
        "secrets",
        r#"set -e
case "$JUJU_DISPATCH_PATH" in
hooks/install)
  printf 'sekrit' > "$JUJU_CHARM_DIR/pw"
  secret-add --label db-pass "password#file=$JUJU_CHARM_DIR/pw" > uri.txt ;;
hooks/secret-changed)
  secret-get "$JUJU_SECRET_ID" token --refresh > token.txt ;;
esac"#,
    );
    let output = sim(&dir, &["install"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let state = out_state(&output);
    let uri = std::fs::read_to_string(dir.join("uri.txt")).unwrap();
    let secret = state.secret(uri.trim()).unwrap();
    assert_eq!(secret.content(1).unwrap()["password"], "sekrit");
    assert_eq!(secret.label.as_deref(), Some("db-pass"));

    std::fs::write(
        dir.join("state.json"),
        r#"{"relations": [{"id": 4, "endpoint": "db", "remote_app": "pg"}],
            "secrets": [{"id": "secret:dddddddddddddddddddd", "owner": "none", "consumer_label": "tok",
            "revisions": [{"revision": 1, "content": {"token": "a"}}, {"revision": 2, "content": {"token": "b"}}],
            "tracked": 1, "grants": [{"relation_id": 4, "target": "app"}]}]}"#,
    )
    .unwrap();
    let output = sim(&dir, &["secret-changed", "--secret", "tok"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(dir.join("token.txt")).unwrap(), "b\n");
    assert_eq!(out_state(&output).secrets[0].tracked, Some(2));
}

#[test]
fn juju_reboot_now_kills_the_hook_and_it_will_run_again() {
    let dir = charm("reboot", "state-set a=1\njuju-reboot --now\nsleep 20\nstate-set b=2");
    let started = std::time::Instant::now();
    let output = sim(&dir, &["install"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(output.status.code(), Some(1));
    let state = out_state(&output);
    assert_eq!(state.reboot, Some(goops_sim::state::Reboot { now: true }));
    assert!(state.unit_state.is_empty());
    assert!(stderr(&output).contains("juju-reboot --now"), "{}", stderr(&output));
}

#[test]
fn the_written_state_is_small_for_a_small_input() {
    let dir = charm("small", "exit 0");
    std::fs::write(dir.join("state.json"), "{}").unwrap();
    let output = sim(&dir, &["install"]);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(!text.contains("relations") && !text.contains("secrets") && !text.contains("juju_log"), "{text}");
    assert_eq!(State::from_json(&text).unwrap(), State::default());
}

#[test]
fn changes_refused_at_commit_fail_the_hook() {
    let dir = charm("commit-refused", "state-set a=1\nsecret-set secret:aaaaaaaaaaaaaaaaaaaa key=v");
    std::fs::write(
        dir.join("state.json"),
        r#"{"secrets": [{"id": "secret:aaaaaaaaaaaaaaaaaaaa", "owner": "app",
            "revisions": [{"revision": 1, "content": {"k": "old"}}]}]}"#,
    )
    .unwrap();
    let output = sim(&dir, &["install"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("exit 0; the hook's changes were refused at commit: permission denied"),
        "{}",
        stderr(&output)
    );
    assert!(out_state(&output).unit_state.is_empty());
}

#[test]
fn state_can_come_from_stdin() {
    use std::io::Write;
    let dir = charm("stdin-state", "[ \"$(is-leader)\" = True ] || exit 9");
    let mut child = Command::new(BIN)
        .arg("run")
        .arg(&dir)
        .args(["install", "--state", "-", "--out", "-", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(br#"{"leader": true}"#).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(out_state(&output).leader);
}

#[test]
fn the_example_shell_charm_runs() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shell-charm");
    let out = temp_dir("example").join("state.json");
    let run = |event: &str, state: &Path| {
        Command::new(BIN)
            .arg("run")
            .arg(&example)
            .arg(event)
            .arg("--state")
            .arg(state)
            .arg("--out")
            .arg(&out)
            .arg("--quiet")
            .output()
            .unwrap()
    };
    let output = run("db-relation-changed", &example.join("state.json"));
    assert!(output.status.success(), "{}", stderr(&output));
    let state = State::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let uri = &state.relation(1).unwrap().local_app_data["creds-secret"];
    let secret = state.secret(uri).unwrap();
    assert_eq!(secret.grants, vec![goops_sim::state::SecretGrant { relation_id: 1, target: "postgresql".into() }]);
    assert_eq!(state.unit_status.message, "using database at 10.0.0.5");
    let output = run("greet", &out);
    assert!(output.status.success(), "{}", stderr(&output));
    let state = State::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(state.action.unwrap().results["message"], "hi world");
}
