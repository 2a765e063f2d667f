//! Process mode: a charm dir (or a charm's binary staged as `dispatch` next to its metadata)
//! run by the `goops-sim run` CLI, whose `--records` file is the run's [`RunReport`]. The
//! harness's process mode and the model's `DispatchCharm` share these functions.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use super::{HarnessError, On, RunReport};
use crate::runner::{TempDir, is_executable};
use crate::state::State;

/// The metadata files a charm dir may hold (charmcraft.yaml, or the older split files).
const METADATA_FILES: [&str; 4] = ["charmcraft.yaml", "metadata.yaml", "config.yaml", "actions.yaml"];

/// A file a charm writes into its own dir that must not be shared: ops keeps its stored state
/// and deferred events there (`ops/_main.py`, `.unit-state.db`).
const UNIT_LOCAL_FILES: [&str; 1] = [".unit-state.db"];

/// Stage a charm dir at `dest` (made if missing): with `binary`, the metadata files of `source`
/// and `binary` linked as `dispatch` (as charmcraft's `organize: {bin/<name>: dispatch}` does);
/// without, every entry of `source` linked in, so that files the charm writes into its charm dir
/// (ops' `.unit-state.db`) stay in `dest`, as each Juju unit has its own charm dir. Staging into
/// a dir staged before refreshes the links and metadata and keeps what the charm wrote there.
pub(crate) fn stage(source: &Path, binary: Option<&Path>, dest: &Path) -> Result<(), HarnessError> {
    let failed = |e: std::io::Error| HarnessError::Process(format!("cannot stage the charm {}: {e}", source.display()));
    std::fs::create_dir_all(dest).map_err(failed)?;
    match binary {
        Some(binary) => {
            let binary = binary
                .canonicalize()
                .map_err(|e| HarnessError::Process(format!("charm binary {}: {e}", binary.display())))?;
            for file in METADATA_FILES {
                let from = source.join(file);
                if from.exists() {
                    std::fs::copy(&from, dest.join(file)).map_err(failed)?;
                }
            }
            link(&binary, &dest.join("dispatch")).map_err(failed)?;
        }
        None => {
            let source = source.canonicalize().map_err(failed)?;
            for entry in std::fs::read_dir(&source).map_err(failed)? {
                let name = entry.map_err(failed)?.file_name();
                if UNIT_LOCAL_FILES.iter().any(|f| name == *f) {
                    continue;
                }
                link(&source.join(&name), &dest.join(&name)).map_err(failed)?;
            }
        }
    }
    Ok(())
}

/// Link `at` to `target`, replacing a link made by an earlier staging; a file or dir the charm
/// made there itself is left alone.
fn link(target: &Path, at: &Path) -> std::io::Result<()> {
    match at.symlink_metadata() {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::remove_file(at)?,
        Ok(_) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::os::unix::fs::symlink(target, at)
}

/// Run `event` on a copy of `input`: `binary` staged with the metadata files of `charm_dir`,
/// under the `goops_sim` executable.
pub(super) fn run(
    charm_dir: &Path,
    binary: &Path,
    goops_sim: &Path,
    timeout: Duration,
    event: &On,
    input: &State,
) -> Result<RunReport, HarnessError> {
    let work =
        TempDir::new("goops-harness").map_err(|e| HarnessError::Process(format!("cannot create a temp dir: {e}")))?;
    let charm = work.0.join("charm");
    stage(charm_dir, Some(binary), &charm)?;
    run_charm_dir(&charm, goops_sim, timeout, event, input)
}

/// Run `event` on a copy of `input` with the charm dir `charm` (its `dispatch`) under the
/// `goops_sim` executable's `goops-sim run`; the state and report files live in a temp dir.
pub(crate) fn run_charm_dir(
    charm: &Path,
    goops_sim: &Path,
    timeout: Duration,
    event: &On,
    input: &State,
) -> Result<RunReport, HarnessError> {
    let work =
        TempDir::new("goops-run").map_err(|e| HarnessError::Process(format!("cannot create a temp dir: {e}")))?;
    let (state_in, state_out, records) =
        (work.0.join("state.json"), work.0.join("out.json"), work.0.join("records.json"));
    std::fs::write(&state_in, input.to_json())
        .map_err(|e| HarnessError::Process(format!("cannot write {}: {e}", state_in.display())))?;
    let output = Command::new(goops_sim)
        .arg("run")
        .arg(charm)
        .args(event.cli_args())
        .arg("--state")
        .arg(&state_in)
        .arg("--out")
        .arg(&state_out)
        .arg("--records")
        .arg(&records)
        .arg(format!("--timeout={}", timeout.as_secs_f64()))
        .arg("--quiet")
        // A goops-rs charm finds its containers' sockets through GOOPS_PEBBLE_DIR: no mount
        // namespace needed, and parallel tests never compete for the real /charm/containers.
        .arg("--charm-containers=env-only")
        // The outputs live in this temp dir, removed right after: no need to sync them to disk.
        .arg("--no-fsync")
        .output()
        .map_err(|e| HarnessError::Process(format!("cannot run {}: {e}", goops_sim.display())))?;
    if !matches!(output.status.code(), Some(0 | 1)) || !records.exists() {
        return Err(HarnessError::Process(format!(
            "goops-sim run failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| HarnessError::Process(format!("{}: {e}", path.display())))
    };
    let state = State::from_json(&read(&state_out)?)
        .map_err(|e| HarnessError::Process(format!("goops-sim wrote an unreadable state: {e}")))?;
    let mut report: RunReport = serde_json::from_str(&read(&records)?)
        .map_err(|e| HarnessError::Process(format!("goops-sim wrote an unreadable report: {e}")))?;
    report.state = state;
    Ok(report)
}

/// The `goops-sim` executable for process mode.
pub(crate) fn find_goops_sim() -> Result<PathBuf, HarnessError> {
    if let Some(path) = std::env::var_os("GOOPS_SIM_BIN") {
        let path = PathBuf::from(path);
        if !is_executable(&path) {
            return Err(HarnessError::Process(format!("GOOPS_SIM_BIN={} is not an executable", path.display())));
        }
        return Ok(path);
    }
    let exe =
        std::env::current_exe().map_err(|e| HarnessError::Process(format!("cannot find the test binary: {e}")))?;
    // cargo puts test binaries in target/<profile>/deps and package binaries in target/<profile>.
    if let Some(found) = exe.ancestors().skip(1).take(2).map(|d| d.join("goops-sim")).find(|p| is_executable(p)) {
        return Ok(found);
    }
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT.get_or_init(|| build_goops_sim(&exe)).clone().map_err(HarnessError::Process)
}

/// Build `goops-sim` into its own target dir: the outer `cargo test` may hold the lock on the
/// workspace's, and waiting for it from a test would deadlock.
fn build_goops_sim(exe: &Path) -> Result<PathBuf, String> {
    let profile_dir = exe.parent().filter(|d| d.ends_with("deps")).and_then(Path::parent);
    let target = profile_dir.and_then(Path::parent).map(|t| t.join("goops-sim-harness"));
    let target = target.unwrap_or_else(|| std::env::temp_dir().join("goops-sim-harness"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let output = Command::new(cargo)
        .args(["build", "--quiet", "--bin", "goops-sim", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .output()
        .map_err(|e| format!("cannot run cargo to build goops-sim: {e} (set GOOPS_SIM_BIN)"))?;
    if !output.status.success() {
        return Err(format!(
            "building goops-sim failed (set GOOPS_SIM_BIN to use a built one): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let built = target.join("debug").join("goops-sim");
    if is_executable(&built) { Ok(built) } else { Err(format!("cargo built no {}", built.display())) }
}
