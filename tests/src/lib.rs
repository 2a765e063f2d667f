//! Shared helpers for the cross-crate tests in `tests/tests/`.
//!
//! The Python `ops` compatibility tests need a real `ops` install: [`ops_python`] creates a venv
//! under the workspace's `target/` with `ops==`[`OPS_VERSION`] from PyPI (once, shared by all
//! test processes), and [`stage_ops_charm`] lays out `tests/ops-charm` as a deployable charm dir
//! whose `dispatch` runs that venv's Python. [`stage_stub_tools`] puts logging stand-ins for every
//! hook tool in a directory, for tests that run a charm without goops-sim.
//!
//! Failures panic with the command, its exit status and its output: these tests never skip.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The `ops` version the compatibility charm is written against (pinned in
/// `tests/ops-charm/requirements.txt`).
pub const OPS_VERSION: &str = "3.9.0";

/// Environment variable naming the Python used to create the venv (default `python3` on PATH).
pub const PYTHON_ENV: &str = "GOOPS_TEST_PYTHON3";

/// Every hook tool a Juju 3.6 unit agent serves (goops-juju's list).
pub use goops_juju::tools::HOOK_TOOLS;

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().expect("the tests crate lives inside the workspace").to_path_buf()
}

/// The workspace's target directory: `CARGO_TARGET_DIR` if set (relative to the workspace root
/// when relative), else `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace_root().join(dir),
        _ => workspace_root().join("target"),
    }
}

/// The source of the Python ops compatibility charm: `tests/ops-charm`.
pub fn ops_charm_src() -> PathBuf {
    workspace_root().join("tests").join("ops-charm")
}

/// The Python interpreter of a venv with `ops==`[`OPS_VERSION`] installed.
///
/// The venv lives at `<target>/ops-venv-<version>` and is created on first use with
/// `python3 -m venv` and `pip install ops==<version>` (PyPI must be reachable). Creation is
/// guarded by an exclusive lock on `<target>/ops-venv-<version>.lock`, so concurrent test
/// processes and threads wait for one another; a venv is only used once a marker file written
/// after a successful install and import check exists, so an interrupted install is redone.
///
/// # Panics
///
/// If Python 3.10+ with `venv` is missing, or the install or the check fails. The message says
/// what ran and what it printed.
pub fn ops_python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let venv = target_dir().join(format!("ops-venv-{OPS_VERSION}"));
            ensure_ops_venv(&venv).unwrap_or_else(|e| panic!("cannot prepare the ops venv at {}: {e}", venv.display()))
        })
        .clone()
}

fn ensure_ops_venv(venv: &Path) -> io::Result<PathBuf> {
    let bin = pip_venv(venv, &[format!("ops=={OPS_VERSION}")], &|bin| {
        let out =
            run(Command::new(bin.join("python")).args(["-c", "import ops; print(ops.__version__)"]), "import ops");
        let found = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert_eq!(found, OPS_VERSION, "the venv at {} imports ops {found}", venv.display());
    })?;
    Ok(bin.join("python"))
}

/// The `bin` directory of a Python venv at `venv` with `packages` (pip requirement specifiers)
/// installed from PyPI, for tests that run foreign clients (ops, charmcraft).
///
/// Created on first use with the Python named by [`PYTHON_ENV`] (3.10+, default `python3`),
/// under an exclusive lock on `<venv>.lock`, so concurrent test processes and threads wait for
/// one another. `verify` checks the install (it panics on failure); the venv is used only once a
/// marker naming `packages`, written after `verify`, exists, so an interrupted or outdated
/// install is redone.
///
/// # Errors
///
/// If the lock, the removal of a partial venv or the marker cannot be written. Commands that
/// fail panic with what ran and what it printed.
pub fn pip_venv(venv: &Path, packages: &[String], verify: &dyn Fn(&Path)) -> io::Result<PathBuf> {
    let parent = venv.parent().expect("the venv path has a parent");
    fs::create_dir_all(parent)?;
    let mut lock_name = venv.file_name().expect("the venv path has a name").to_owned();
    lock_name.push(".lock");
    let lock = File::options().create(true).truncate(false).write(true).open(parent.join(lock_name))?;
    lock.lock()?; // Released when `lock` is dropped (also on panic).

    let bin = venv.join("bin");
    let marker = venv.join(".goops-ready");
    let want = packages.join(" ");
    if fs::read_to_string(&marker).is_ok_and(|m| m == want) && bin.join("python").exists() {
        return Ok(bin);
    }
    if venv.exists() {
        fs::remove_dir_all(venv)?; // A partial venv from an interrupted run, or other packages.
    }

    let base = std::env::var_os(PYTHON_ENV).filter(|p| !p.is_empty()).unwrap_or_else(|| OsString::from("python3"));
    let version_check = "import sys; print('%d.%d' % sys.version_info[:2]); sys.exit(sys.version_info < (3, 10))";
    run(Command::new(&base).args(["-c", version_check]), "check the Python version (3.10+ is needed)");
    run(Command::new(&base).args(["-m", "venv"]).arg(venv), "create the venv (needs the python3-venv package)");
    run(
        Command::new(bin.join("python"))
            .args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet"])
            .args(packages),
        &format!("pip install {want} (needs PyPI)"),
    );
    verify(&bin);
    fs::write(&marker, want)?;
    Ok(bin)
}

/// Runs `cmd` to completion and returns its output; panics with everything known if it cannot
/// start or exits non-zero.
fn run(cmd: &mut Command, what: &str) -> Output {
    let shown = format!("{cmd:?}");
    let out = cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| {
        panic!("cannot {what}: failed to start {shown}: {e} (set {PYTHON_ENV} to choose a Python)")
    });
    if !out.status.success() {
        panic!(
            "cannot {what}: {shown} exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

/// Quotes `s` for a POSIX shell (single quotes; embedded `'` as `'\''`).
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Lays out the Python ops charm as a deployable charm dir at `dest` (created if missing) and
/// returns the path of its `dispatch`.
///
/// Copies `tests/ops-charm` as `charmcraft pack` lays it out: the split `metadata.yaml`,
/// `config.yaml` and `actions.yaml` without their source `charmcraft.yaml` (goops-sim, like
/// charmcraft, refuses a section declared in both), and without the recording tools (`record/`,
/// `RECORDED_ARGV.md`) and byte-code caches. It writes an executable `dispatch` shaped like charmcraft's: it puts the
/// charm's `lib` and `src` on `PYTHONPATH`, keeps `JUJU_DISPATCH_PATH` (falling back to `$0`
/// like the older generated form), and runs `src/charm.py` with `python` (see [`ops_python`]).
///
/// # Panics
///
/// If copying or writing fails, or `python` is not valid UTF-8.
pub fn stage_ops_charm(dest: &Path, python: &Path) -> PathBuf {
    stage_python_charm(&ops_charm_src(), dest, python)
}

/// The source of the Python ops Kubernetes charm (hello-k8s, the original of
/// `examples/hello-k8s`): `tests/ops-k8s-charm`.
pub fn ops_k8s_charm_src() -> PathBuf {
    workspace_root().join("tests").join("ops-k8s-charm")
}

/// [`stage_ops_charm`] for the Python charm at `src` (laid out as `tests/ops-charm` is; its
/// `README.md` is left out too).
///
/// # Panics
///
/// If copying or writing fails, or `python` is not valid UTF-8.
pub fn stage_python_charm(src: &Path, dest: &Path, python: &Path) -> PathBuf {
    let packed = |name: &str| {
        !matches!(
            name,
            "charmcraft.yaml" | "record" | "RECORDED_ARGV.md" | "README.md" | "__pycache__" | ".unit-state.db"
        )
    };
    copy_dir(src, dest, &packed).unwrap_or_else(|e| panic!("cannot copy {} to {}: {e}", src.display(), dest.display()));
    let python = python.to_str().expect("the venv's python path is UTF-8");
    let script = format!(
        "#!/bin/sh\n\
         # Like charmcraft's generated dispatch, with the goops-tests venv's python.\n\
         dispatch_path=\"$(dirname \"$(realpath \"$0\")\")\"\n\
         export PYTHONPATH=\"${{dispatch_path}}/lib:${{dispatch_path}}/src\"\n\
         JUJU_DISPATCH_PATH=\"${{JUJU_DISPATCH_PATH:-$0}}\" exec {} \"${{dispatch_path}}/src/charm.py\"\n",
        sh_quote(python)
    );
    let dispatch = dest.join("dispatch");
    write_executable(&dispatch, &script).unwrap_or_else(|e| panic!("cannot write {}: {e}", dispatch.display()));
    dispatch
}

/// Writes one executable wrapper per [`HOOK_TOOLS`] entry into `bin_dir` (created if missing);
/// each runs `tests/ops-charm/record/stub_tool.py` with `python`.
///
/// The stubs log every call as a JSON line to the file named by `STUB_LOG` (argv, stdin read for
/// `--file -`, the content of `key#file=` arguments) and print canned Juju answers, overridable
/// with a rules file named by `STUB_RESPONSES` (see the script's docstring).
///
/// # Panics
///
/// If a wrapper cannot be written, or a path is not valid UTF-8.
pub fn stage_stub_tools(bin_dir: &Path, python: &Path) {
    fs::create_dir_all(bin_dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", bin_dir.display()));
    let stub = ops_charm_src().join("record").join("stub_tool.py");
    let stub = stub.to_str().expect("the workspace path is UTF-8");
    let python = python.to_str().expect("the venv's python path is UTF-8");
    for tool in HOOK_TOOLS {
        let script = format!("#!/bin/sh\nexec {} {} {tool} \"$@\"\n", sh_quote(python), sh_quote(stub));
        let path = bin_dir.join(tool);
        write_executable(&path, &script).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}

fn write_executable(path: &Path, content: &str) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::write(path, content)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
}

fn copy_dir(src: &Path, dest: &Path, keep: &dyn Fn(&str) -> bool) -> io::Result<()> {
    fs::create_dir_all(dest)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let name = entry.file_name();
        if !keep(&name.to_string_lossy()) {
            continue;
        }
        let (from, to) = (entry.path(), dest.join(&name));
        if entry.file_type()?.is_dir() {
            copy_dir(&from, &to, keep)?;
        } else {
            fs::copy(&from, &to)?;
        }
    }
    Ok(())
}

/// A directory under the system temp dir, removed (with its content) when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates a fresh, empty directory named `<prefix>-<pid>-<n>` under the system temp dir.
    ///
    /// # Panics
    ///
    /// If the directory cannot be created.
    pub fn new(prefix: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let base = std::env::temp_dir();
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("{prefix}-{}-{n}", std::process::id()));
            match fs::create_dir(&path) {
                Ok(()) => return Self(path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => panic!("cannot create a temp dir {}: {e}", path.display()),
            }
        }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The `goops-sim` executable (the CLI that runs a charm), built if needed.
///
/// Another package's binary is not handed to this crate's tests by Cargo, so this runs
/// `$CARGO build -p goops-sim --bin goops-sim` once per test process (a no-op when it is up to
/// date, so a stale binary is never used), with the profile of the running test executable, and
/// takes the executable's path from Cargo's JSON messages (this honours `CARGO_TARGET_DIR`,
/// `--target` defaults and profiles without guessing the layout).
///
/// # Panics
///
/// If the build fails or Cargo reports no `goops-sim` executable.
pub fn goops_sim_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| workspace_binary("goops-sim", "goops-sim")).clone()
}

/// `<sim> run <charm> <event> --state <state> --out <state>`: one event under `goops-sim run`,
/// the new state written over the old; the caller adds options and runs it.
pub fn sim_run(sim: &Path, charm: &Path, event: &str, state: &Path) -> Command {
    let mut cmd = Command::new(sim);
    cmd.arg("run").arg(charm).arg(event).arg("--state").arg(state).arg("--out").arg(state);
    cmd
}

/// The executable `bin` of the workspace package `package`, built as [`goops_sim_binary`]
/// builds goops-sim's (with the running test's profile; a no-op when up to date). Not cached:
/// call it once per test process.
///
/// # Panics
///
/// If the build fails or Cargo reports no such executable.
pub fn workspace_binary(package: &str, bin: &str) -> PathBuf {
    // `cargo test` sets CARGO for the processes it runs; it was also set at compile time.
    let cargo = std::env::var_os("CARGO").filter(|c| !c.is_empty()).unwrap_or_else(|| env!("CARGO").into());
    // The test executable lives in `<target>/<profile-dir>/deps/`; `debug` is the dev profile's.
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe.parent().and_then(Path::parent).and_then(Path::file_name);
    let profile = match profile_dir.and_then(|d| d.to_str()) {
        Some("debug") | None => "dev".to_owned(),
        Some(name) => name.to_owned(),
    };
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(workspace_root()).args([
        "build",
        "--package",
        package,
        "--bin",
        bin,
        "--profile",
        &profile,
        "--message-format=json-render-diagnostics",
    ]);
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot build {package}: failed to start {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "cannot build {package}: {cmd:?} exited with {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == bin)
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo built no {bin} executable:\n{stdout}"))
}
