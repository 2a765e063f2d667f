//! `goops-sim` as a process under bad input and faults: its own command line, `exec`, action
//! params, deadlines, signals, write errors, and what its report and records show.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::temp_dir;
use goops_sim::State;

const BIN: &str = env!("CARGO_BIN_EXE_goops-sim");

const METADATA: &str = "name: demo\nactions:\n  backup:\n    params:\n      target: {type: string, default: /tmp}\n";

const STATE: &str = r#"{"unit": "demo/0", "leader": true,
  "secrets": [{"id": "secret:cr2a1s7mp25c7bu8o1ig", "owner": "application", "label": "db",
               "revisions": [{"revision": 1, "content": {"password": "hunter2-very-secret"}}]}]}"#;

/// A charm dir with charmcraft.yaml, a state file and an executable `dispatch` script.
fn charm(tag: &str, script: &str) -> PathBuf {
    let dir = temp_dir(tag);
    std::fs::write(dir.join("charmcraft.yaml"), METADATA).unwrap();
    std::fs::write(dir.join("state.json"), STATE).unwrap();
    write_exec(&dir.join("dispatch"), &format!("#!/bin/sh\n{script}\n"));
    dir
}

fn write_exec(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn sim_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.arg("run").arg(dir).args(args).arg("--state").arg(dir.join("state.json"));
    command
}

fn sim(dir: &Path, args: &[&str]) -> Output {
    sim_command(dir, args).output().unwrap()
}

fn out_state(output: &Output) -> State {
    State::from_json(&String::from_utf8_lossy(&output.stdout))
        .unwrap_or_else(|e| panic!("bad state on stdout ({e}); stderr: {}", String::from_utf8_lossy(&output.stderr)))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Wait for `child` at most `limit`; kill it and fail if it is still running.
fn wait_bounded(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("goops-sim still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether `pid` is a live process (a zombie is not).
fn is_running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit(')').next().and_then(|rest| rest.split_whitespace().next()) != Some("Z"),
        Err(_) => false,
    }
}

/// Wait until `path` exists (written by the hook), at most 10 s.
fn wait_for_file(path: &Path) -> String {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{} never appeared", path.display());
}

#[test]
fn run_and_exec_have_help_and_clear_usage_errors() {
    for sub in ["run", "exec"] {
        let output = Command::new(BIN).args([sub, "--help"]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains(&format!("Usage: goops-sim {sub}")), "{text}");
        assert!(text.contains("--timeout <SECONDS>"), "{text}");
    }
    let output = Command::new(BIN).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("exec"));
    let output = Command::new(BIN).args(["run", "dir"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("<EVENT>"), "{}", stderr(&output));
}

#[test]
fn timeout_1e20_is_a_clear_error() {
    let dir = charm("bigtimeout", "exit 0");
    let output = sim(&dir, &["install", "--timeout", "1e20"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("the timeout is too long") && !err.contains("panicked"), "{err}");
}

#[test]
fn exec_runs_a_command_in_a_juju_exec_context_and_commits_whatever_its_exit_code() {
    let dir = charm("exec", "exit 0");
    let output = Command::new(BIN)
        .arg("exec")
        .arg(&dir)
        .arg("--state")
        .arg(dir.join("state.json"))
        .args(["--", "secret-add", "--label", "seeded", "token=abc;", "env", ">", "env.txt;", "exit", "3"])
        .output()
        .unwrap();
    // The command's exit status is not 0, but juju exec commits the context (runner.go).
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let state = out_state(&output);
    assert!(state.secrets.iter().any(|s| s.label.as_deref() == Some("seeded")), "{}", stderr(&output));
    let action = state.action.expect("the juju-exec action is recorded");
    assert_eq!(action.name, "juju-exec");
    assert_eq!(action.results["return-code"], "3");
    let env = std::fs::read_to_string(dir.join("env.txt")).unwrap();
    assert!(env.lines().any(|l| l == "JUJU_ACTION_NAME=juju-exec"), "{env}");
    assert!(env.lines().any(|l| l == "JUJU_HOOK_NAME="), "{env}");
    assert!(!env.contains("JUJU_DISPATCH_PATH"), "{env}");
    assert!(stderr(&output).contains("juju-exec on demo/0: exit 3; changes committed"), "{}", stderr(&output));

    // Killed at the deadline: rolled back.
    let output = Command::new(BIN)
        .arg("exec")
        .arg(&dir)
        .args(["--timeout", "0.5", "--", "state-set a=1; sleep 30"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(out_state(&output).unit_state.is_empty());
}

#[test]
fn param_values_are_yaml_as_juju_run_reads_them() {
    let dir = charm("params", "action-get --format=json > params.json");
    let output = sim(&dir, &["backup", "--param", "n=010", "--param", "flag=yes", "--param", "file.kind=xz"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let params: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("params.json")).unwrap()).unwrap();
    assert_eq!(params["n"], 8);
    assert_eq!(params["flag"], true);
    assert_eq!(params["file"]["kind"], "xz");
    let output = sim(&dir, &["backup", "--string-args", "--param", "flag=yes"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let params: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("params.json")).unwrap()).unwrap();
    assert_eq!(params["flag"], "yes");
    let output = sim(&dir, &["backup", "--param", "Bad=1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("key \"Bad\" must start and end with lowercase alphanumeric"));
}

#[test]
fn a_tool_blocked_on_a_fifo_never_keeps_goops_sim_past_its_deadline() {
    // The simulated agent refuses a FIFO given as `--file` (agent_file.rs), so the tool blocks on
    // its own side here: its stdin is a FIFO nobody writes. The deadline must still hold.
    let dir = charm(
        "fifo",
        "status-set maintenance before-the-fifo\nstate-set a=1\nmkfifo pipe\nstate-set --file - < pipe\nstate-set b=2",
    );
    let mut child = sim_command(&dir, &["install", "--timeout", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_bounded(&mut child, Duration::from_secs(20));
    let output = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(1), "{}", stderr(&output));
    let state = out_state(&output);
    // Rolled back; what took effect at once before the blocked call stays.
    assert!(state.unit_state.is_empty());
    assert_eq!(state.unit_status.message, "before-the-fifo");
    assert!(stderr(&output).contains("timed out after 1s"), "{}", stderr(&output));
}

#[test]
fn a_write_error_on_stdout_fails_the_run_and_claims_nothing() {
    let dir = charm("devfull", "state-set a=1");
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let output = sim_command(&dir, &["install", "--out", "-"]).stdout(full).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("cannot write the new state to stdout"), "{err}");
    assert!(!err.contains("changes committed") && err.contains("changes lost"), "{err}");
}

#[test]
fn non_utf8_tool_arguments_are_refused_not_replaced() {
    let dir = charm("utf8", "juju-log \"$(printf 'bad\\377byte')\" 2> err.txt; echo $? > code.txt");
    let output = sim(&dir, &["install"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(dir.join("code.txt")).unwrap().trim(), "2");
    let err = std::fs::read_to_string(dir.join("err.txt")).unwrap();
    assert_eq!(
        err,
        "ERROR argument 1 of juju-log is not valid UTF-8: goops-sim refuses it rather than store altered bytes\n"
    );
    assert!(!out_state(&output).juju_log.iter().any(|l| l.message.contains('\u{fffd}')));
}

#[test]
fn sigterm_kills_the_hook_group_and_goops_sim_exits() {
    let dir = charm("sigterm", "echo $$ > hook.pid\nsleep 30 &\necho $! > child.pid\nwait");
    let mut child = sim_command(&dir, &["install"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let hook: u32 = wait_for_file(&dir.join("hook.pid")).trim().parse().unwrap();
    let background: u32 = wait_for_file(&dir.join("child.pid")).trim().parse().unwrap();
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = wait_bounded(&mut child, Duration::from_secs(10));
    assert_eq!(status.code(), Some(143));
    let output = child.wait_with_output().unwrap();
    assert!(stderr(&output).contains("interrupted by SIGTERM"), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "nothing is written");
    std::thread::sleep(Duration::from_millis(100));
    assert!(!is_running(hook) && !is_running(background), "the hook's group was killed");
}

#[test]
fn a_hook_left_by_a_killed_goops_sim_is_killed_by_the_next_run() {
    // A private runtime dir, so only this test's runs are involved.
    let runtime = temp_dir("runtime");
    let dir = charm("sigkill", "echo $$ > hook.pid\nexec sleep 60");
    let mut child = sim_command(&dir, &["install"])
        .env("TMPDIR", &runtime)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let hook: u32 = wait_for_file(&dir.join("hook.pid")).trim().parse().unwrap();
    // goops-sim writes its run marker just after spawning the hook (the marker needs the hook's
    // pid), so the hook may write its pid first: kill only once the marker is there. A SIGKILL
    // in that window of a few microseconds leaves the hook for the user to reap.
    let marker = runtime.join(format!("goops-sim-{}", uid())).join(format!("run-{}", child.id()));
    let started = Instant::now();
    while !marker.exists() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(marker.exists(), "goops-sim wrote its run marker {}", marker.display());
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(is_running(hook), "SIGKILL cannot be forwarded: the hook outlives goops-sim");
    // A stale temp file of a dead writer next to the output.
    let dead = {
        let mut p = Command::new("true").spawn().unwrap();
        let id = p.id();
        p.wait().unwrap();
        id
    };
    let out = dir.join("out.json");
    let stale = dir.join(format!(".out.json.tmp-{dead}"));
    std::fs::write(&stale, "partial").unwrap();
    let quick = charm("next", "exit 0");
    let output =
        sim_command(&quick, &["install", "--out", out.to_str().unwrap()]).env("TMPDIR", &runtime).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    std::thread::sleep(Duration::from_millis(100));
    assert!(!is_running(hook), "the next run killed the left-behind hook");
    assert!(!stale.exists(), "the dead writer's temp file is removed");
    let markers: Vec<_> = std::fs::read_dir(runtime.join(format!("goops-sim-{}", uid())))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("run-"))
        .collect();
    assert!(markers.is_empty(), "no run markers left: {markers:?}");
}

fn uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    let probe = temp_dir("uid");
    std::fs::metadata(probe).unwrap().uid()
}

#[test]
fn the_state_file_is_private_and_records_cannot_replace_it() {
    let dir = charm("private", "state-set a=1");
    let out = dir.join("out.json");
    let output = sim(&dir, &["install", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let before = std::fs::read_to_string(dir.join("state.json")).unwrap();
    let records = dir.join("state.json");
    let output = sim(&dir, &["install", "--records", records.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("is the --state file"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(dir.join("state.json")).unwrap(), before);
    let output = sim(&dir, &["install", "--out", out.to_str().unwrap(), "--records", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("is the --out file"), "{}", stderr(&output));
}

#[test]
fn the_report_escapes_terminal_codes_and_names_signals() {
    let dir = charm("escapes", "printf 'red \\033[31mtext\\n' >&2\nkill -SEGV $$");
    let output = sim(&dir, &["install"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("red \\x1b[31mtext"), "{err}");
    assert!(err.contains("killed by SIGSEGV"), "{err}");
    let dir = charm("signalled-action", "kill -KILL $$");
    let output = sim(&dir, &["backup"]);
    let action = out_state(&output).action.unwrap();
    assert_eq!(action.failure.as_deref(), Some("signal: killed"));
}

#[test]
fn a_missing_interpreter_is_named() {
    let dir = charm("interp", "exit 0");
    write_exec(&dir.join("dispatch"), "#!/nonexistent/bin/python3\nprint('hi')\n");
    let output = sim(&dir, &["install"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("its interpreter /nonexistent/bin/python3 (from its #! line) does not exist"), "{err}");
}

#[test]
fn records_keep_each_tool_calls_stderr_with_secret_content_redacted() {
    let dir = charm("records", "status-set hunter2-very-secret || true\nrelation-get -r 99 x || true");
    let records = dir.join("records.json");
    let output = sim(&dir, &["install", "--records", records.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&records).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let calls = report["tool_calls"].as_array().unwrap();
    let status = calls[0]["stderr"].as_str().unwrap();
    assert!(!status.contains("hunter2-very-secret"), "{status}");
    assert!(status.starts_with("ERROR ") && status.contains("[REDACTED]"), "{status}");
    let relation = calls[1]["stderr"].as_str().unwrap();
    assert!(relation.starts_with("ERROR "), "{relation}");
}

#[test]
fn the_hooks_own_stderr_is_in_the_records_with_secret_content_redacted() {
    let dir =
        charm("records-stderr", "echo 'connecting with hunter2-very-secret' >&2\necho 'cannot connect' >&2\nexit 1");
    let records = dir.join("records.json");
    let output = sim(&dir, &["install", "--records", records.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&records).unwrap()).unwrap();
    let text = report["stderr"].as_str().unwrap();
    assert_eq!(text, "connecting with [REDACTED]\ncannot connect\n");
    // The printed report shows the same redacted tail.
    assert!(!stderr(&output).contains("hunter2-very-secret"), "{}", stderr(&output));
    assert!(stderr(&output).contains("connecting with [REDACTED]"), "{}", stderr(&output));
}
