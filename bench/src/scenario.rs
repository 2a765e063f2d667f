//! The Python side of the certificates side-by-side: a venv with
//! `bench/scenario-certificates/requirements.txt` (ops, Scenario, cryptography) under the target
//! dir, and `bench_scenario.py --serve` as a child process that times Scenario runs on request,
//! so the runner can interleave them with goops-rs's runs.

use std::fs::File;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Chooses the Python that creates the venv (default `python3`).
const PYTHON_ENV: &str = "GOOPS_BENCH_PYTHON";

/// The venv's name under the target dir.
const VENV: &str = "scenario-venv";

/// Written in the venv, holding requirements.txt, once the install and the import check passed.
const MARKER: &str = ".goops-bench-ready";

/// What to add to every setup error.
const HINT: &str = "the certificates side-by-side needs Python 3.10+ with venv, and PyPI for \
                    bench/scenario-certificates/requirements.txt (or --no-scenario to leave Scenario out)";

/// The venv's python, the venv created and `requirements.txt` installed first if missing or
/// different. Guarded by an exclusive lock on `<target>/scenario-venv.lock`.
///
/// # Errors
/// What could not be done, and what the command printed.
pub(crate) fn venv_python(root: &Path, target: &Path) -> Result<PathBuf, String> {
    let requirements = root.join("bench/scenario-certificates/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).map_err(|e| format!("{}: {e}", requirements.display()))?;
    let venv = target.join(VENV);
    std::fs::create_dir_all(target).map_err(|e| format!("cannot create {}: {e}", target.display()))?;
    let lock_path = target.join(format!("{VENV}.lock"));
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("{}: {e}", lock_path.display()))?;
    lock.lock().map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?; // Until `lock` drops.

    let python = venv.join("bin/python");
    let marker = venv.join(MARKER);
    if std::fs::read_to_string(&marker).is_ok_and(|have| have == wanted) && python.exists() {
        return Ok(python);
    }
    eprintln!("setting up the Scenario venv at {} (pip install -r {})…", venv.display(), requirements.display());
    if venv.exists() {
        // A partial venv, or one for other requirements.
        std::fs::remove_dir_all(&venv).map_err(|e| format!("cannot remove {}: {e}", venv.display()))?;
    }
    let base = std::env::var_os(PYTHON_ENV).filter(|p| !p.is_empty()).unwrap_or_else(|| "python3".into());
    let version_check = "import sys; print('%d.%d' % sys.version_info[:2]); sys.exit(sys.version_info < (3, 10))";
    run(Command::new(&base).args(["-c", version_check]), "check the Python version (3.10+)")?;
    run(Command::new(&base).args(["-m", "venv"]).arg(&venv), "create the venv (python3 -m venv)")?;
    run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet", "-r"])
            .arg(&requirements),
        "pip install -r requirements.txt",
    )?;
    run(Command::new(&python).args(["-c", "import ops, scenario, cryptography, yaml"]), "import the packages")?;
    std::fs::write(&marker, wanted).map_err(|e| format!("{}: {e}", marker.display()))?;
    Ok(python)
}

/// Run `cmd` to completion; an error naming `what`, the command and its output if it fails.
fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| {
        format!("cannot {what}: failed to start {shown}: {e} (set {PYTHON_ENV} to choose a Python)\n{HINT}")
    })?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "cannot {what}: {shown} exited with {}\n--- stdout ---\n{}--- stderr ---\n{}\n{HINT}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// `bench_scenario.py --serve`, running: every case checked once and warmed up, then timing
/// the runs asked for, one request at a time.
pub(crate) struct Scenario {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// Python, ops, ops-scenario and cryptography versions, as `name version` pairs.
    pub(crate) versions: String,
}

impl Scenario {
    /// Start the script with `python` and wait until it is ready (its own checks passed). Its
    /// stderr is the runner's, so a failed check shows its traceback.
    pub(crate) fn start(python: &Path, root: &Path) -> Result<Scenario, String> {
        let script = root.join("bench/scenario-certificates/bench_scenario.py");
        let mut child = Command::new(python)
            .arg(&script)
            .arg("--serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {} {}: {e}", python.display(), script.display()))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout pipe")?);
        let mut scenario = Scenario { child, stdin, stdout, versions: String::new() };
        let ready = scenario.line().map_err(|e| format!("{} did not get ready: {e}", script.display()))?;
        if ready.get("ready") != Some(&serde_json::Value::Bool(true)) {
            return Err(format!("{} did not say it was ready: {ready}", script.display()));
        }
        scenario.versions = ["python", "ops", "ops_scenario", "cryptography"]
            .iter()
            .map(|k| format!("{} {}", k.replace('_', "-"), ready.get(*k).and_then(|v| v.as_str()).unwrap_or("?")))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(scenario)
    }

    /// One JSON line from the script.
    fn line(&mut self) -> Result<serde_json::Value, String> {
        let mut line = String::new();
        let read = self.stdout.read_line(&mut line).map_err(|e| format!("reading its output: {e}"))?;
        if read == 0 {
            let status = self.child.wait().map_err(|e| e.to_string())?;
            return Err(format!("it exited ({status}) — see its stderr above"));
        }
        serde_json::from_str(&line).map_err(|e| format!("{e} in {line:?}"))
    }

    /// Time `runs` runs of `case` (`install-fresh`, `install-ca-present`, `update-status`):
    /// nanoseconds around each `ctx.run`.
    pub(crate) fn time(&mut self, case: &str, runs: usize) -> Result<Vec<f64>, String> {
        let stdin = self.stdin.as_mut().ok_or("the Scenario script's stdin is closed")?;
        writeln!(stdin, "{case} {runs}").and_then(|()| stdin.flush()).map_err(|e| format!("Scenario: {e}"))?;
        let answer = self.line().map_err(|e| format!("Scenario {case}: {e}"))?;
        let samples = answer
            .get("ns")
            .and_then(|v| v.as_array())
            .ok_or_else(|| format!("Scenario {case}: no samples in {answer}"))?;
        samples.iter().map(|v| v.as_f64().ok_or_else(|| format!("Scenario {case}: bad sample {v}"))).collect()
    }
}

impl Drop for Scenario {
    fn drop(&mut self) {
        drop(self.stdin.take()); // End of input: the script returns.
        let _ = self.child.wait();
    }
}
