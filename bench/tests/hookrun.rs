//! `hookrun` as the runner uses it: the real dispatch runs with its argv, its exit code comes
//! back, and each mode writes the measurements it promises (no timing assertions).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use goops_bench::{parse_measurements, parse_trace};

struct Temp(PathBuf);

impl Temp {
    fn new(name: &str) -> Temp {
        let dir = std::env::temp_dir().join(format!("goops-bench-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tools")).expect("temp dir");
        Temp(dir)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Stage a fake hook tool and a dispatch that calls it (then a child process) and exits 3;
/// run hookrun in `mode`; return hookrun's exit code and the result file's path.
fn run(temp: &Temp, mode: &str) -> (Option<i32>, PathBuf) {
    let tools = temp.0.join("tools");
    script(&tools.join("juju-log"), "echo \"logged $*\" >> \"$(dirname \"$0\")/../tool-saw\"");
    let dispatch = temp.0.join("dispatch.real");
    script(&dispatch, "juju-log --log-level INFO -- \"hello there\" \"$1\"\n/bin/true\nexit 3");
    let result = temp.0.join(format!("result-{mode}"));
    let status = Command::new(env!("CARGO_BIN_EXE_hookrun"))
        .arg("arg-one")
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", tools.display()))
        .env("GOOPS_BENCH_REAL", &dispatch)
        .env("GOOPS_BENCH_RESULT", &result)
        .env("GOOPS_BENCH_MODE", mode)
        .status()
        .expect("hookrun runs");
    (status.code(), result)
}

#[test]
fn time_mode_reports_wall_time_rusage_and_the_exit_code() {
    let temp = Temp::new("time");
    let (code, result) = run(&temp, "time");
    assert_eq!(code, Some(3), "hookrun exits with the dispatch's code");
    let m = parse_measurements(&std::fs::read_to_string(&result).expect("result written")).expect("valid");
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].mode.as_str(), m[0].code, m[0].hwm_kib), ("time", Some(3), None));
    assert!(m[0].wall_ns > 0 && m[0].maxrss_kib > 0, "{m:?}");
    let saw = std::fs::read_to_string(temp.0.join("tool-saw")).expect("the tool ran");
    assert_eq!(saw, "logged --log-level INFO -- hello there arg-one\n");
}

#[test]
fn rss_mode_reads_the_dispatch_peak_rss_at_its_exit() {
    let temp = Temp::new("rss");
    let (code, result) = run(&temp, "rss");
    assert_eq!(code, Some(3), "signals (SIGCHLD) reach the traced dispatch; it runs to the end");
    let m = parse_measurements(&std::fs::read_to_string(&result).expect("result written")).expect("valid");
    assert_eq!((m[0].mode.as_str(), m[0].code), ("rss", Some(3)));
    let hwm = m[0].hwm_kib.expect("VmHWM read at the exit stop");
    // Not compared with `maxrss_kib`: the kernel's RSS counters are batched per CPU, so the two
    // readings of one process can differ by some pages either way.
    assert!(hwm > 0, "{m:?}");
    assert!(temp.0.join("tool-saw").exists(), "the tool ran");
}

#[test]
fn trace_mode_records_every_tool_call_and_still_runs_the_tool() {
    let temp = Temp::new("trace");
    let (code, result) = run(&temp, "trace");
    assert_eq!(code, Some(3));
    let mut trace = result.into_os_string();
    trace.push(".trace");
    let calls = parse_trace(&std::fs::read_to_string(&trace).expect("trace written")).expect("valid");
    assert_eq!(calls, ["juju-log --log-level INFO -- \"hello there\" arg-one"]);
    let saw = std::fs::read_to_string(temp.0.join("tool-saw")).expect("the real tool ran");
    assert_eq!(saw, "logged --log-level INFO -- hello there arg-one\n");
    let leftovers: Vec<_> = std::fs::read_dir(&temp.0)
        .expect("list")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".shims-"))
        .collect();
    assert!(leftovers.is_empty(), "the shim dir is removed");
}
