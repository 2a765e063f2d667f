//! Python ops 3.9's own `ops.pebble.Client` against goops-sim's simulated Pebble: the client
//! of record talks to `PebbleServer::listen` unchanged (pebble_ops_client.py runs the calls and
//! checks what ops raises), and what ops returned is compared here with the server's state.

use std::collections::BTreeMap;
use std::process::Command;

use goops_sim::pebble::PebbleServer;
use goops_sim::state::{CheckStatus, ContainerState, ExecRule, ServiceStatus};
use goops_tests::{TempDir, ops_python, workspace_root};
use serde_json::{Value, json};

fn rule(command: &[&str], exit_code: i32, stdout: &str, stderr: &str) -> ExecRule {
    ExecRule {
        command: command.iter().map(|s| s.to_string()).collect(),
        exit_code,
        stdout: stdout.into(),
        stderr: stderr.into(),
        ..Default::default()
    }
}

fn container() -> ContainerState {
    let mut cat = rule(&["cat"], 0, "read it\n", "");
    cat.reads_stdin = true;
    let mut echo = rule(&["echo", "hello"], 0, "hello\n", "");
    echo.write_files = BTreeMap::from([("/tmp/echoed".to_owned(), "yes".to_owned())]);
    let mut sleep = rule(&["sleep"], 0, "", "");
    sleep.runs_for = "10s".into();
    ContainerState {
        exec_rules: vec![echo, cat, rule(&["false"], 1, "partial\n", "boom\n"), sleep, rule(&["echo"], 0, "", "")],
        ..Default::default()
    }
}

#[test]
fn ops_pebble_client_round_trips_against_the_simulated_pebble() {
    let dir = TempDir::new("pebble-ops");
    let server = PebbleServer::new("workload", container(), dir.path().join("root"));
    let socket = dir.path().join("pebble.socket");
    let handle = server.listen(&socket).unwrap();
    let script = workspace_root().join("tests/tests/pebble_ops_client.py");
    let output = Command::new(ops_python()).arg(&script).arg(&socket).output().unwrap();
    handle.stop();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the ops script failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let out: Value = serde_json::from_str(stdout.lines().last().unwrap_or("")).unwrap();
    let state = server.state();

    assert_eq!(out["version"], "v1.32.1");

    // Plan: the combined layer (merge kept the first override, environments merged, the
    // later layer's command won); the check's default threshold is printed.
    let web = &out["plan_services"]["web"];
    assert_eq!(web["environment"], json!({"A": "1", "B": "2"}));
    assert_eq!(web["override"], "replace");
    assert_eq!(out["plan_checks"]["ready"]["threshold"], 3);
    assert_eq!(out["plan_checks"]["ready"]["level"], "ready");
    let labels: Vec<&str> = state.layers.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels, ["base", "port"], "refused layers are not stored");
    assert_eq!(state.layers[0].layer["services"]["web"]["environment"], json!({"A": "1", "B": "2"}));
    assert!(out["plan_yaml"].as_str().unwrap().contains("command: /bin/web --port 80"), "{}", out["plan_yaml"]);

    // Services: replan starts the enabled one; a changed config is restarted on replan, an
    // unchanged one is not.
    assert_eq!(
        out["replan_change"],
        json!({"kind": "replan", "summary": "Replan service \"web\"", "tasks": ["Start service \"web\""]})
    );
    assert_eq!(out["after_replan"], json!({"idle": "inactive", "web": "active"}));
    assert_eq!(out["idle_started"], true);
    assert_eq!(out["replan_changed"], json!(["Stop service \"web\"", "Start service \"web\""]));
    assert_eq!(out["replan_unchanged"], json!(["Start service \"web\""]));
    assert_eq!(out["services"]["web"], json!({"current": "active", "startup": "enabled"}));
    assert_eq!(out["services"]["idle"], json!({"current": "inactive", "startup": "disabled"}));
    assert_eq!(state.services["web"].current, ServiceStatus::Active);
    assert_eq!(state.services["idle"].current, ServiceStatus::Inactive);
    // replan, restart (stop+start) and the changed replan started web; the last replan did not.
    assert_eq!(state.services["web"].starts, 3);
    assert_eq!(state.services["web"].started_with.as_ref().unwrap()["command"], "/bin/web --port 81");
    let kinds: Vec<&str> = state
        .changes
        .iter()
        .filter(|c| !["exec", "perform-check"].contains(&c.kind.as_str()))
        .map(|c| c.kind.as_str())
        .collect();
    assert_eq!(kinds, ["replan", "start", "stop", "restart", "replan", "replan"], "the refused start made no change");
    assert_eq!(
        out["changes_all"].as_u64().unwrap() as usize,
        kinds.len() + 1,
        "with the check's, before the exec ones"
    );
    assert_eq!(out["changes_in_progress"], 1, "the check's perform-check change runs");

    // Files: what ops pulled and listed is what the container root holds, with the ownership
    // asked for recorded.
    assert_eq!(out["pulled"], "x: 1\n");
    let conf = &state.files["/etc/app/conf.yaml"];
    assert_eq!(conf.content.as_deref(), Some("x: 1\n"));
    assert_eq!(
        (conf.permissions.as_str(), conf.user.as_deref(), conf.group.as_deref()),
        ("600", Some("app"), Some("app"))
    );
    assert_eq!(state.files["/etc/app/bin.dat"].content_base64.as_deref(), Some("AP8="));
    assert_eq!(
        out["listing"],
        json!([
            {"path": "/etc/app/bin.dat", "type": "file", "permissions": 0o644, "user": state.files["/etc/app/bin.dat"].user.clone().unwrap_or_else(|| "root".into()), "size": 2},
            {"path": "/etc/app/conf.yaml", "type": "file", "permissions": 0o600, "user": "app", "size": 5},
        ])
    );
    assert_eq!(out["pattern"], json!(["conf.yaml"]));
    assert_eq!(out["itself"], json!([["/etc/app", "directory"]]));
    assert_eq!(out["made"], json!([["/data/sub", 0o750]]));
    assert!(!state.files.contains_key("/data"), "removed recursively");
    assert_eq!(out["pull_missing"], json!(["not-found", "stat /nope: no such file or directory"]));
    assert_eq!(out["list_missing"], json!([404, "stat /nope: no such file or directory"]));
    assert_eq!(out["remove_nonempty"], json!(["generic-file-error", "remove /etc/app: directory not empty"]));
    assert_eq!(
        out["push_missing_parent"],
        json!(["not-found", "createtemp /missing/dir/f.*~: no such file or directory"])
    );
    assert_eq!(out["mkdir_exists"], json!(["generic-file-error", "mkdir /data: file exists"]));

    // Exec: output, exit codes and errors as the rules say; each call recorded.
    assert_eq!(out["echo"], json!(["hello\n", ""]));
    assert_eq!(state.files["/tmp/echoed"].content.as_deref(), Some("yes"), "the rule's file change");
    assert_eq!(out["cat"], json!(["read it\n", ""]));
    assert_eq!(out["false"], json!([1, "partial\n", "boom\n", ["false", "-v"]]));
    assert_eq!(out["false_combined"], json!(["partial\nboom\n", null]));
    assert_eq!(out["exec_missing"], json!([400, "cannot find executable \"nonexistent\""]));
    assert_eq!(
        out["exec_timeout"],
        "cannot perform the following tasks:\n- Execute command \"sleep\" (timed out after 100ms: context deadline exceeded)"
    );
    let calls: Vec<(&[String], Option<i32>)> =
        state.exec_history.iter().map(|c| (c.command.as_slice(), c.exit_code)).collect();
    assert_eq!(calls.len(), 7, "{calls:?}");
    let echo = &state.exec_history[0];
    assert_eq!(echo.environment, BTreeMap::from([("GREETING".to_owned(), "hi".to_owned())]));
    assert_eq!(
        (echo.working_dir.as_deref(), echo.user.as_deref(), echo.exit_code),
        (Some("/etc"), Some("app"), Some(0))
    );
    assert_eq!(state.exec_history[1].stdin_bytes, "some input\n".len() as u64);
    assert_eq!(state.exec_history[2].exit_code, Some(1));
    assert_eq!((state.exec_history[4].command[0].as_str(), state.exec_history[4].exit_code), ("nonexistent", None));
    assert_eq!(state.exec_history[5].exit_code, Some(-1), "timed out");
    assert_eq!(out["aborted"], json!(["Hold", true]));
    assert_eq!(out["abort_twice"][0], 400);
    assert!(out["abort_twice"][1].as_str().unwrap().ends_with("with nothing pending"), "{}", out["abort_twice"]);

    // Checks.
    assert_eq!(out["checks"], json!([["ready", "ready", "up", 0, 3]]));
    assert_eq!(out["checks_ready"], json!(["ready"]));
    assert_eq!(out["checks_alive"], json!([]));
    assert_eq!(out["stopped_checks"], json!(["ready"]));
    assert_eq!(out["stopped_again"], json!([]));
    assert_eq!(out["started_checks"], json!(["ready"]));
    assert_eq!(out["check_missing"], json!([400, "cannot start checks: cannot find checks in plan: nope"]));
    assert_eq!(state.checks["ready"].status, CheckStatus::Up);
    // Each start of the check made a perform-check change; the stop held the first one's task.
    let performs: Vec<(&str, &str)> = state
        .changes
        .iter()
        .filter(|c| c.kind == "perform-check")
        .map(|c| (c.summary.as_str(), c.status.as_str()))
        .collect();
    assert_eq!(performs, [("Perform HTTP check \"ready\"", "Hold"), ("Perform HTTP check \"ready\"", "Doing")]);
    assert_eq!(
        state.checks["ready"].change_id.as_deref(),
        state.changes.iter().rev().find(|c| c.kind == "perform-check").map(|c| c.id.as_str())
    );

    // Notices: one per type and key, occurrences counted, data of the last occurrence.
    assert_eq!(out["custom_notices"], json!([["example.com/a", 2, {"k": "w"}], ["example.com/b", 1, {}]]));
    assert_eq!(out["keyed_notices"], json!(["example.com/b"]));
    let a = state.notices.iter().find(|n| n.key == "example.com/a").unwrap();
    assert_eq!(out["notice"], json!([a.id, "custom", "example.com/a", 2, {"k": "w"}]));
    let updates = state.notices.iter().filter(|n| n.kind == "change-update").count();
    assert_eq!(out["change_update_notices"].as_u64().unwrap() as usize, updates);
    assert_eq!(updates, state.changes.len(), "one change-update notice per change");
    assert_eq!(out["bad_key"], json!([400, "invalid key \"bad-key\" (must be in \"example.com/path\" format)"]));
    assert_eq!(out["notice_missing"], json!([404, "cannot find notice with ID \"999\""]));
    assert_eq!(
        state.notices.iter().find(|n| n.key == "example.com/b").unwrap().repeat_after.as_deref(),
        Some("1h0m0s")
    );

    // Signals.
    assert_eq!(out["signal_stopped"], json!([500, "cannot send signal to \"idle\": service is not running"]));

    // Every request is in the history, with its outcome.
    let signals: Vec<u16> = state.history.iter().filter(|r| r.path == "/v1/signals").map(|r| r.status).collect();
    assert_eq!(signals, [200, 500]);
    assert!(state.history.iter().any(|r| r.path.starts_with("/v1/tasks/") && r.status == 101));
}
