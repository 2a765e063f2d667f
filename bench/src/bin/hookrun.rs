//! `hookrun`: the benchmark's measuring `dispatch`. The runner stages it as a charm's `dispatch`
//! and passes, through `goops-sim run --env`:
//!
//! - `GOOPS_BENCH_REAL`: the real dispatch program to run (with the same argv and environment,
//!   minus these variables);
//! - `GOOPS_BENCH_RESULT`: a file to append one JSON line of measurements to;
//! - `GOOPS_BENCH_MODE`: `time` (default), `rss` or `trace`.
//!
//! `time`: wall time from just before `fork` to `wait4`'s return, and `wait4`'s rusage of the
//! child. Its `ru_maxrss` is the peak RSS of dispatch *or any descendant it waited for* (the
//! hook tools), as the kernel merges reaped children into it.
//!
//! `rss`: the child runs under `ptrace` with `PTRACE_O_TRACEEXIT`, stopping it when it exits but
//! before its memory is released, so `VmHWM` in `/proc/<pid>/status` is the peak RSS of the
//! dispatch process alone. The stops cost time, so `rss` runs are not timed.
//!
//! `trace`: every hook tool on `PATH` is shadowed by a symlink to this binary, which appends
//! its name and arguments to `<result>.trace` (one JSON array a line) and then `exec`s the real
//! tool. Used once per variant to list the hook-tool calls.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus};
use std::time::Instant;

const SHIM_BIN: &str = "GOOPS_BENCH_SHIM_BIN";
const SHIM_TRACE: &str = "GOOPS_BENCH_SHIM_TRACE";

fn main() -> ExitCode {
    if let Some(real_bin) = std::env::var_os(SHIM_BIN) {
        return shim(Path::new(&real_bin));
    }
    match wrapper() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("hookrun: {message}");
            ExitCode::from(2)
        }
    }
}

/// Stand in for one hook tool: record the call, then become the real tool.
fn shim(real_bin: &Path) -> ExitCode {
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    let name = Path::new(&argv0).file_name().unwrap_or_default().to_owned();
    let rest: Vec<OsString> = args.collect();
    if let Some(trace) = std::env::var_os(SHIM_TRACE) {
        let mut line: Vec<String> = vec![name.to_string_lossy().into_owned()];
        line.extend(rest.iter().map(|a| a.to_string_lossy().into_owned()));
        let json = serde_json::to_string(&line).unwrap_or_default();
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(trace) {
            let _ = writeln!(f, "{json}");
        }
    }
    let err =
        Command::new(real_bin.join(&name)).arg0(&name).args(&rest).env_remove(SHIM_BIN).env_remove(SHIM_TRACE).exec();
    eprintln!("hookrun shim: cannot exec {}: {err}", name.to_string_lossy());
    ExitCode::from(127)
}

fn wrapper() -> Result<ExitCode, String> {
    let real = std::env::var_os("GOOPS_BENCH_REAL").ok_or("GOOPS_BENCH_REAL is not set")?;
    let result = PathBuf::from(std::env::var_os("GOOPS_BENCH_RESULT").ok_or("GOOPS_BENCH_RESULT is not set")?);
    let mode = std::env::var("GOOPS_BENCH_MODE").unwrap_or_else(|_| "time".to_owned());
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    let mut cmd = Command::new(&real);
    cmd.arg0(&argv0).args(args);
    for var in ["GOOPS_BENCH_REAL", "GOOPS_BENCH_RESULT", "GOOPS_BENCH_MODE"] {
        cmd.env_remove(var);
    }
    let mut shim_dir = None;
    match mode.as_str() {
        "time" => {}
        "rss" => sys::trace_me(&mut cmd),
        "trace" => {
            let dir = stage_shims(&result)?;
            let path = std::env::var_os("PATH").unwrap_or_default();
            let real_bin = std::env::split_paths(&path).next().ok_or("PATH is empty")?;
            let mut joined = OsString::from(dir.as_os_str());
            joined.push(":");
            joined.push(&path);
            cmd.env("PATH", joined).env(SHIM_BIN, real_bin).env(SHIM_TRACE, trace_path(&result));
            shim_dir = Some(dir);
        }
        other => return Err(format!("unknown GOOPS_BENCH_MODE {other:?}")),
    }
    let started = Instant::now();
    let child = cmd.spawn().map_err(|e| format!("cannot run {}: {e}", Path::new(&real).display()))?;
    let end = if mode == "rss" { sys::wait_traced(child.id()) } else { sys::wait(child.id()) }
        .map_err(|e| format!("wait4: {e}"))?;
    let wall = started.elapsed();
    if let Some(dir) = shim_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    let status = ExitStatus::from_raw(end.status);
    let code = status.code();
    let line = serde_json::json!({
        "mode": mode,
        "wall_ns": u64::try_from(wall.as_nanos()).unwrap_or(u64::MAX),
        "maxrss_kib": end.maxrss_kib,
        "utime_us": end.utime_us,
        "stime_us": end.stime_us,
        "hwm_kib": end.hwm_kib,
        "code": code,
    });
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&result)
        .map_err(|e| format!("cannot open {}: {e}", result.display()))?;
    writeln!(f, "{line}").map_err(|e| format!("cannot write {}: {e}", result.display()))?;
    Ok(match code {
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
        None => ExitCode::from(1),
    })
}

fn trace_path(result: &Path) -> PathBuf {
    let mut name = result.as_os_str().to_owned();
    name.push(".trace");
    PathBuf::from(name)
}

/// A directory of symlinks to this binary, one per hook tool found in goops-sim's tool dir (the
/// first `PATH` entry of a hook).
fn stage_shims(result: &Path) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let tools = std::env::split_paths(&path).next().ok_or("PATH is empty")?;
    let me = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut name = result.as_os_str().to_owned();
    name.push(format!(".shims-{}", std::process::id()));
    let dir = PathBuf::from(name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let entries = std::fs::read_dir(&tools).map_err(|e| format!("cannot list {}: {e}", tools.display()))?;
    for entry in entries.flatten() {
        let tool: &OsStr = &entry.file_name();
        std::os::unix::fs::symlink(&me, dir.join(tool)).map_err(|e| format!("symlink: {e}"))?;
    }
    Ok(dir)
}

/// The few system calls std does not offer: `wait4` (rusage of one child) and `ptrace`.
mod sys {
    use std::process::Command;

    /// How a child ended and what it used.
    pub struct End {
        /// The raw wait status.
        pub status: i32,
        /// `ru_maxrss`: peak RSS of the child and its waited-for descendants (KiB).
        pub maxrss_kib: i64,
        /// User CPU time (µs), child and waited-for descendants.
        pub utime_us: i64,
        /// System CPU time (µs), child and waited-for descendants.
        pub stime_us: i64,
        /// `VmHWM` of the child alone at its exit (KiB), in `rss` mode.
        pub hwm_kib: Option<i64>,
    }

    fn micros(tv: libc::timeval) -> i64 {
        tv.tv_sec * 1_000_000 + tv.tv_usec
    }

    /// `wait4(pid, status, __WALL, &rusage)`, retried on EINTR.
    #[allow(unsafe_code)] // libc::wait4: std has no rusage of a child.
    fn wait4(pid: i32, status: &mut i32) -> std::io::Result<libc::rusage> {
        // SAFETY: rusage is plain data; all-zero is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: wait4 only writes through the two pointers, both to live locals.
            let r = unsafe { libc::wait4(pid, status, libc::__WALL, &mut usage) };
            if r == pid {
                return Ok(usage);
            }
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }

    fn end(status: i32, usage: &libc::rusage, hwm_kib: Option<i64>) -> End {
        End {
            status,
            maxrss_kib: usage.ru_maxrss,
            utime_us: micros(usage.ru_utime),
            stime_us: micros(usage.ru_stime),
            hwm_kib,
        }
    }

    /// Wait for `pid` to end.
    pub fn wait(pid: u32) -> std::io::Result<End> {
        let pid = i32::try_from(pid).map_err(std::io::Error::other)?;
        let mut status = 0;
        let usage = wait4(pid, &mut status)?;
        Ok(end(status, &usage, None))
    }

    /// Make the child traced by us (it stops at its `exec`).
    #[allow(unsafe_code)] // pre_exec and libc::ptrace: std has no ptrace.
    pub fn trace_me(cmd: &mut Command) {
        use std::os::unix::process::CommandExt;
        // SAFETY: ptrace(PTRACE_TRACEME) is async-signal-safe and touches no memory.
        unsafe {
            cmd.pre_exec(|| {
                if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }

    #[allow(unsafe_code)] // libc::ptrace.
    fn ptrace(request: libc::c_uint, pid: i32, data: libc::c_long) {
        // SAFETY: SETOPTIONS and CONT take no pointers.
        unsafe {
            libc::ptrace(request, pid, 0, data);
        }
    }

    fn vm_hwm(pid: i32) -> Option<i64> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Run a child started with [`trace_me`] to its end, reading its `VmHWM` at the exit stop.
    pub fn wait_traced(pid: u32) -> std::io::Result<End> {
        let pid = i32::try_from(pid).map_err(std::io::Error::other)?;
        let mut hwm = None;
        let mut first = true;
        loop {
            let mut status = 0;
            let usage = wait4(pid, &mut status)?;
            if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
                return Ok(end(status, &usage, hwm));
            }
            if !libc::WIFSTOPPED(status) {
                continue;
            }
            let signal = libc::WSTOPSIG(status);
            let event = status >> 16;
            if first {
                first = false;
                let options = libc::PTRACE_O_TRACEEXIT | libc::PTRACE_O_TRACEEXEC;
                ptrace(libc::PTRACE_SETOPTIONS, pid, libc::c_long::from(options));
                ptrace(libc::PTRACE_CONT, pid, 0);
            } else if event == libc::PTRACE_EVENT_EXIT {
                hwm = vm_hwm(pid);
                ptrace(libc::PTRACE_CONT, pid, 0);
            } else if event != 0 || signal == libc::SIGTRAP {
                ptrace(libc::PTRACE_CONT, pid, 0);
            } else {
                // A signal on its way to the child (SIGCHLD from a hook tool): deliver it.
                ptrace(libc::PTRACE_CONT, pid, libc::c_long::from(signal));
            }
        }
    }
}
