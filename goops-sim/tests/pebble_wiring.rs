//! `goops-sim run` with workload containers, as a process: each container's simulated Pebble on
//! a unix socket, reached by the hook at `GOOPS_PEBBLE_DIR` and, in a private mount namespace,
//! at Juju's `/charm/containers/<name>/pebble.socket` (what Python ops hard-codes). The hooks
//! here are shell scripts with a few lines of Python's `http.client` over AF_UNIX: a client
//! that knows nothing of goops-sim.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::temp_dir;
use goops_sim::State;

const BIN: &str = env!("CARGO_BIN_EXE_goops-sim");

const METADATA: &str = "name: web\ncontainers:\n  web:\n    resource: web-image\n  db:\n    resource: db-image\nresources:\n  web-image:\n    type: oci-image\n  db-image:\n    type: oci-image\n";

/// `GET <path>` on a Pebble socket, printing `<status> <body>`: Python's own HTTP client.
const PEBBLE_GET: &str = r#"import http.client, socket, sys
class Unix(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(sys.argv[1])
conn = Unix("localhost")
conn.request("GET", sys.argv[2])
reply = conn.getresponse()
print(reply.status, reply.read().decode())
"#;

fn python() -> Option<&'static str> {
    let found = Command::new("python3").arg("-c").arg("pass").status().is_ok_and(|s| s.success());
    if !found {
        eprintln!("python3 not found: this test needs it to play a foreign Pebble client");
    }
    found.then_some("python3")
}

/// A charm dir with the metadata, the Python client and an executable `dispatch`.
fn charm(tag: &str, script: &str) -> PathBuf {
    let dir = temp_dir(tag);
    std::fs::write(dir.join("charmcraft.yaml"), METADATA).unwrap();
    std::fs::write(dir.join("pebble_get.py"), PEBBLE_GET).unwrap();
    let dispatch = dir.join("dispatch");
    std::fs::write(&dispatch, format!("#!/bin/sh\nset -e\n{script}\n")).unwrap();
    std::fs::set_permissions(&dispatch, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

const WITH_WEB: &str = r#"{"unit": "web/0", "model": {"type": "kubernetes"}, "containers": {"web": {}}}"#;

fn run(dir: &Path, state: &str, args: &[&str]) -> Output {
    let state_file = dir.join("state.json");
    std::fs::write(&state_file, state).unwrap();
    Command::new(BIN)
        .arg("run")
        .arg(dir)
        .arg("update-status")
        .arg("--state")
        .arg(&state_file)
        .args(args)
        .output()
        .unwrap()
}

fn out_state(output: &Output) -> State {
    State::from_json(&String::from_utf8_lossy(&output.stdout))
        .unwrap_or_else(|e| panic!("bad state on stdout ({e}); stderr: {}", String::from_utf8_lossy(&output.stderr)))
}

fn logs(state: &State) -> Vec<String> {
    state.juju_log.iter().map(|l| l.message.clone()).collect()
}

/// The requests the container's Pebble recorded, as `METHOD path`.
fn requests(state: &State, container: &str) -> Vec<String> {
    let history = &state.containers[container].history;
    history.iter().map(|r| format!("{} {}", r.method, r.path)).collect()
}

#[test]
fn an_unmodified_client_reaches_pebble_at_the_juju_path_in_a_private_namespace() {
    let Some(python) = python() else { return };
    let dir = charm(
        "ns",
        &format!(
            r#"juju-log "juju path: $({python} pebble_get.py /charm/containers/web/pebble.socket /v1/system-info)"
juju-log "env path: $({python} pebble_get.py "$GOOPS_PEBBLE_DIR/web/pebble.socket" /v1/system-info)"
# The Juju path is this run's directory, bound in the hook's own mount namespace.
[ "$(stat -c %d:%i /charm/containers)" = "$(stat -c %d:%i "$GOOPS_PEBBLE_DIR")" ] || exit 7
[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/$PPID/ns/mnt)" ] || exit 8"#
        ),
    );
    let output = run(&dir, WITH_WEB, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let state = out_state(&output);
    let logs = logs(&state);
    assert!(logs[0].starts_with("juju path: 200 {\"type\":\"sync\""), "{logs:?}");
    assert!(logs[1].starts_with("env path: 200 {\"type\":\"sync\""), "{logs:?}");
    assert_eq!(requests(&state, "web"), ["GET /v1/system-info", "GET /v1/system-info"]);
}

#[test]
fn two_concurrent_runs_each_see_their_own_sockets() {
    let Some(python) = python() else { return };
    // Each hook asks its Pebble `n` times, with a pause between, while the other run runs.
    let hook = |n: u32| {
        format!(
            r#"for i in $(seq {n}); do {python} pebble_get.py /charm/containers/web/pebble.socket /v1/system-info >/dev/null; sleep 0.3; done
juju-log "dir $(stat -c %i /charm/containers)""#
        )
    };
    let (one, three) = (charm("iso1", &hook(1)), charm("iso3", &hook(3)));
    let spawn = |dir: &Path| {
        let state_file = dir.join("state.json");
        std::fs::write(&state_file, WITH_WEB).unwrap();
        Command::new(BIN)
            .arg("run")
            .arg(dir)
            .arg("update-status")
            .arg("--state")
            .arg(&state_file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(&one), spawn(&three));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for output in [&a, &b] {
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let (a, b) = (out_state(&a), out_state(&b));
    assert_eq!(requests(&a, "web").len(), 1, "run one's Pebble saw only run one's request");
    assert_eq!(requests(&b, "web").len(), 3, "run three's Pebble saw only run three's requests");
    assert_ne!(logs(&a), logs(&b), "each hook's /charm/containers is its own run's directory");
}

#[test]
fn a_container_that_cannot_connect_has_no_socket() {
    let Some(python) = python() else { return };
    let dir = charm(
        "down",
        &format!(
            r#"[ -d /charm/containers/db ] || exit 5
if {python} pebble_get.py /charm/containers/db/pebble.socket /v1/system-info 2>/dev/null; then exit 6; fi
juju-log "web: $({python} pebble_get.py /charm/containers/web/pebble.socket /v1/system-info | cut -c1-3)""#
        ),
    );
    let state = r#"{"unit": "web/0", "containers": {"web": {}, "db": {"can_connect": false}}}"#;
    let output = run(&dir, state, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let state = out_state(&output);
    assert_eq!(logs(&state), ["web: 200"]);
    assert!(!state.containers["db"].can_connect);
    assert!(requests(&state, "db").is_empty());
}

#[test]
fn env_only_leaves_the_juju_path_alone() {
    let Some(python) = python() else { return };
    let _one_at_a_time = REAL_PATH.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = charm(
        "envonly",
        &format!(
            r#"[ ! -e /charm/containers/web/pebble.socket ] || exit 5
juju-log "$({python} pebble_get.py "$GOOPS_PEBBLE_DIR/web/pebble.socket" /v1/system-info | cut -c1-3)"
[ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/$PPID/ns/mnt)" ] || exit 8"#
        ),
    );
    if Path::new("/charm/containers/web").exists() {
        eprintln!("/charm/containers/web exists on this machine: skipped");
        return;
    }
    let output = run(&dir, WITH_WEB, &["--charm-containers=env-only"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(logs(&out_state(&output)), ["200"]);
}

#[test]
fn a_machine_charm_runs_as_before() {
    // No containers: no GOOPS_PEBBLE_DIR, no launcher, the host's mount namespace.
    let dir = charm(
        "machine",
        r#"[ -z "${GOOPS_PEBBLE_DIR+set}" ] || exit 5
[ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/$PPID/ns/mnt)" ] || exit 6
juju-log ran"#,
    );
    let output = run(&dir, r#"{"unit": "web/0"}"#, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let state = out_state(&output);
    assert_eq!(logs(&state), ["ran"]);
    assert!(state.containers.is_empty());
}

#[test]
fn a_hook_that_cannot_be_executed_is_named_through_the_launcher() {
    let dir = temp_dir("noexec");
    std::fs::write(dir.join("charmcraft.yaml"), METADATA).unwrap();
    let dispatch = dir.join("dispatch");
    std::fs::write(&dispatch, "#!/nonexistent/interpreter\n").unwrap();
    std::fs::set_permissions(&dispatch, std::fs::Permissions::from_mode(0o755)).unwrap();
    let output = run(&dir, WITH_WEB, &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("its interpreter /nonexistent/interpreter (from its #! line) does not exist"), "{stderr}");
}

/// The tests that look at the host's real /charm/containers, one at a time.
static REAL_PATH: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn the_real_path_is_used_when_asked_and_refused_when_taken() {
    let Some(python) = python() else { return };
    let _one_at_a_time = REAL_PATH.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let base = Path::new("/charm/containers");
    let charm_existed = Path::new("/charm").exists();
    if base.join("web").exists() || std::fs::create_dir_all(base).and_then(|()| std::fs::remove_dir(base)).is_err() {
        eprintln!("cannot use /charm/containers on this machine: skipped");
        return;
    }
    if !charm_existed {
        let _ = std::fs::remove_dir("/charm");
    }
    let dir = charm(
        "realpath",
        &format!(
            r#"juju-log "$({python} pebble_get.py /charm/containers/web/pebble.socket /v1/system-info | cut -c1-3)""#
        ),
    );
    let output = run(&dir, WITH_WEB, &["--charm-containers=real-path"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(logs(&out_state(&output)), ["200"]);
    assert!(!base.join("web").exists(), "the run gives the path back");
    assert_eq!(Path::new("/charm").exists(), charm_existed, "and the directories it made");
    // Taken (by a real container, or another run): refused, naming it.
    std::fs::create_dir_all(base).unwrap();
    std::os::unix::fs::symlink("/nonexistent", base.join("web")).unwrap();
    let output = run(&dir, WITH_WEB, &["--charm-containers=real-path"]);
    let _ = std::fs::remove_file(base.join("web"));
    if !charm_existed {
        let _ = std::fs::remove_dir(base).and_then(|()| std::fs::remove_dir("/charm"));
    }
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "cannot give the hook its containers' Pebble sockets at /charm/containers: /charm/containers/web is taken"
        ),
        "{stderr}"
    );
}

#[test]
fn juju_exec_reaches_the_containers_too() {
    let Some(python) = python() else { return };
    let dir = charm("exec", "true");
    let state_file = dir.join("state.json");
    std::fs::write(&state_file, WITH_WEB).unwrap();
    let output = Command::new(BIN)
        .arg("exec")
        .arg(&dir)
        .arg("--state")
        .arg(&state_file)
        .arg("--")
        .arg(format!(
            "juju-log \"$({python} pebble_get.py /charm/containers/web/pebble.socket /v1/system-info | cut -c1-3)\""
        ))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let state = out_state(&output);
    assert_eq!(logs(&state), ["200"]);
    assert_eq!(requests(&state, "web"), ["GET /v1/system-info"]);
}

#[test]
fn a_hook_killed_at_the_timeout_leaves_no_run_dir() {
    let dir = charm("timeout", "echo \"$GOOPS_PEBBLE_DIR\" > pebble_dir\nsleep 30");
    let started = std::time::Instant::now();
    let output = run(&dir, WITH_WEB, &["--timeout=1"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "the namespaced hook was killed");
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let sockets = std::fs::read_to_string(dir.join("pebble_dir")).unwrap();
    let run_dir = Path::new(sockets.trim()).parent().unwrap();
    assert!(run_dir.file_name().unwrap().to_string_lossy().starts_with("pebble-"), "{run_dir:?}");
    assert!(!run_dir.exists(), "{run_dir:?} is removed after the run");
}
