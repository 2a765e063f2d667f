//! `goops-bench`: runs the manage-secrets install hook (and a no-handler `update-status`) as the
//! Rust example, a do-nothing static binary, a static "floor" binary making the same hook-tool
//! calls, and the equivalent Python ops charm, all under `goops-sim run`; times the in-process
//! harness on the same charm; times the certificates example in-process side by side with its
//! Python twin under Scenario; prints Markdown tables of medians, spreads and ratios.
//!
//! ```sh
//! cargo run --release -p goops-bench -- [--runs N] [--rss-runs N] [--inproc N] [--scenario-runs N]
//!     [--profiles] [--no-ops] [--no-scenario] [--inproc-only] [--sim-cost-only [--sim PATH]] [--k8s-only] [--keep]
//!     [--repeat CASE N] [--model-only] [--model-runs N] [--model-seeds N]
//! ```
//!
//! bench/README.md says what each table measures and how.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use goops_bench::{
    Measurement, Summary, format_bytes, format_ns, format_ratio, markdown_table, parse_measurements, parse_trace,
    tool_names,
};

const SECRET_LABEL: &str = "active-ca-certificates";

mod certs;
mod inproc;
mod k8s;
mod machine;
mod model;
mod opts;
mod scenario;
mod simcost;

use machine::{load_average, machine};

use inproc::inproc_table;
use opts::{Opts, parse_args};

/// The input state of every manage-secrets hook: a fresh leader unit (the secret is owned by
/// the application).
const STATE: &str = "{\"leader\": true}\n";

fn main() -> std::process::ExitCode {
    let opts = match parse_args() {
        Ok(opts) => opts,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
    };
    match bench(&opts) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("goops-bench: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A charm dir under test: `dispatch` is `hookrun`, which runs `real`.
struct Variant {
    name: String,
    dir: PathBuf,
    real: PathBuf,
    events: &'static [&'static str],
    /// The dispatch artefact's size in bytes.
    size: u64,
}

/// Alternative release profiles (`--profiles`): name and `--config` overrides.
const PROFILES: &[(&str, &[&str])] = &[
    ("O3 unwind", &["profile.release.opt-level=3", "profile.release.panic=\"unwind\""]),
    ("Oz unwind", &["profile.release.opt-level=\"z\"", "profile.release.panic=\"unwind\""]),
    ("Os abort", &["profile.release.opt-level=\"s\"", "profile.release.panic=\"abort\""]),
    ("Oz abort", &["profile.release.opt-level=\"z\"", "profile.release.panic=\"abort\""]),
];

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn cargo_build(root: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--release", "--quiet"])
        .args(args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("cargo build {} failed", args.join(" "))) }
}

fn copy_executable(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    Ok(())
}

fn file_size(path: &Path) -> Result<u64, String> {
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| format!("{}: {e}", path.display()))
}

/// Total size of the files under `dir`, skipping `__pycache__` and top-level entries `skip`
/// says to.
fn tree_size(dir: &Path, skip: &dyn Fn(&str) -> bool) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut total = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "__pycache__" || skip(&name) {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => total += tree_size(&entry.path(), &|_| false),
            Ok(t) if t.is_file() => total += entry.metadata().map(|m| m.len()).unwrap_or(0),
            _ => {}
        }
    }
    total
}

fn stage_dir(temp: &Path, name: &str, hookrun: &Path, charmcraft: &Path) -> Result<PathBuf, String> {
    let dir = temp.join(name.replace(' ', "-"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    copy_executable(hookrun, &dir.join("dispatch"))?;
    std::fs::copy(charmcraft, dir.join("charmcraft.yaml")).map_err(|e| format!("charmcraft.yaml: {e}"))?;
    Ok(dir)
}

/// The Python ops charm staged as charmcraft would pack it (metadata.yaml, src/, a dispatch
/// script running the venv's python); returns the dir, the real dispatch, and the artefact size
/// (the venv's site-packages without pip/setuptools and byte-code caches, plus the charm files).
fn stage_ops(temp: &Path, root: &Path, hookrun: &Path) -> Result<(PathBuf, PathBuf, u64), String> {
    let python = goops_tests::ops_python();
    let dir = temp.join("ops");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    copy_executable(hookrun, &dir.join("dispatch"))?;
    let src = root.join("bench/ops-manage-secrets/src/charm.py");
    std::fs::copy(&src, dir.join("src/charm.py")).map_err(|e| format!("{}: {e}", src.display()))?;
    let metadata = "name: ops-manage-secrets\nsummary: The manage-secrets how-to as a Python ops charm.\n\
                    description: Benchmark baseline for goops-rs.\n";
    std::fs::write(dir.join("metadata.yaml"), metadata).map_err(|e| format!("metadata.yaml: {e}"))?;
    let python_str = python.to_str().ok_or("the venv's python path is not UTF-8")?;
    // The shape of charmcraft's generated dispatch (as tests/src/lib.rs stages it).
    let script = format!(
        "#!/bin/sh\n\
         dispatch_path=\"$(dirname \"$(realpath \"$0\")\")\"\n\
         export PYTHONPATH=\"${{dispatch_path}}/lib:${{dispatch_path}}/src\"\n\
         JUJU_DISPATCH_PATH=\"${{JUJU_DISPATCH_PATH:-$0}}\" exec {} \"${{dispatch_path}}/src/charm.py\"\n",
        goops_tests::sh_quote(python_str)
    );
    let real = dir.join("dispatch.real");
    std::fs::write(&real, &script).map_err(|e| format!("dispatch.real: {e}"))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o755)).map_err(|e| format!("chmod: {e}"))?;

    let venv = python.parent().and_then(Path::parent).ok_or("odd venv layout")?;
    let lib = venv.join("lib");
    let site = std::fs::read_dir(&lib)
        .map_err(|e| format!("{}: {e}", lib.display()))?
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .ok_or("no site-packages in the venv")?;
    let tooling = |name: &str| {
        ["pip", "setuptools", "_distutils_hack", "pkg_resources", "distutils-precedence.pth"]
            .iter()
            .any(|t| name == *t || name.starts_with(&format!("{t}-")))
    };
    let size = tree_size(&site, &tooling) + tree_size(&dir, &|name| name == "dispatch");
    Ok((dir, real, size))
}

/// Per (variant, event): where hookrun appends its measurements.
fn result_file(temp: &Path, variant: &Variant, event: &str, mode: &str) -> PathBuf {
    temp.join("results").join(format!("{}.{event}.{mode}", variant.name.replace(' ', "-")))
}

/// Run one hook through `goops-sim run`; returns the outer wall time of `goops-sim run` (ns).
fn run_hook(sim: &Path, temp: &Path, variant: &Variant, event: &str, mode: &str) -> Result<f64, String> {
    if event == "install" {
        // A fresh unit: ops keeps its state in the charm dir.
        let _ = std::fs::remove_file(variant.dir.join(".unit-state.db"));
    }
    let result = result_file(temp, variant, event, mode);
    let out = temp.join("out.json");
    let started = Instant::now();
    let output = Command::new(sim)
        .arg("run")
        .arg(&variant.dir)
        .arg(event)
        .arg("--state")
        .arg(temp.join("state.json"))
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        // Throwaway outputs: the disk sync is not part of what these rows compare.
        .arg("--no-fsync")
        .arg("--env")
        .arg(format!("GOOPS_BENCH_REAL={}", variant.real.display()))
        .arg("--env")
        .arg(format!("GOOPS_BENCH_RESULT={}", result.display()))
        .arg("--env")
        .arg(format!("GOOPS_BENCH_MODE={mode}"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run goops-sim: {e}"))?;
    let outer = started.elapsed();
    if !output.status.success() {
        return Err(format!(
            "{} {event} failed ({}):\n{}",
            variant.name,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    if event == "install" && mode != "time" && variant.name != "noop" {
        let state = std::fs::read_to_string(&out).map_err(|e| format!("out.json: {e}"))?;
        if !state.contains(SECRET_LABEL) {
            return Err(format!("{} install did not create the secret:\n{state}", variant.name));
        }
    }
    Ok(outer.as_secs_f64() * 1e9)
}

fn load(temp: &Path, variant: &Variant, event: &str, mode: &str) -> Result<Vec<Measurement>, String> {
    let path = result_file(temp, variant, event, mode);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_measurements(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[allow(clippy::cast_precision_loss)] // ns and KiB values far below 2^52.
fn summary(values: impl Iterator<Item = u64>) -> Option<Summary> {
    Summary::of(&values.map(|v| v as f64).collect::<Vec<_>>())
}

/// Exec each no-handler variant's real dispatch directly (no goops-sim, no hookrun) with the
/// environment of an `update-status` hook, `n` times interleaved; wall time from spawn to reaping
/// (ns) per variant index.
fn direct_exec(variants: &[Variant], n: usize) -> Result<BTreeMap<usize, Summary>, String> {
    let meta =
        goops_sim::CharmMeta::from_charmcraft_yaml(include_str!("../../examples/manage-secrets/charmcraft.yaml"))
            .map_err(|e| e.to_string())?;
    let state = goops_sim::State::from_json(STATE).map_err(|e| e.to_string())?;
    let engine = goops_sim::Engine::for_event(state, meta, "update-status", &goops_sim::EventOptions::default())
        .map_err(|e| e.to_string())?;
    let env = engine.env();
    let picked: Vec<usize> = variants
        .iter()
        .enumerate()
        .filter(|(_, v)| v.name != "ops" && v.events.contains(&"update-status"))
        .map(|(i, _)| i)
        .collect();
    let mut times: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for pass in 0..n {
        for k in 0..picked.len() {
            let i = picked[(k + pass) % picked.len()];
            let started = Instant::now();
            let status = Command::new(&variants[i].real)
                .env_clear()
                .envs(&env)
                .current_dir(&variants[i].dir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map_err(|e| format!("cannot run {}: {e}", variants[i].real.display()))?;
            let ns = started.elapsed().as_secs_f64() * 1e9;
            if !status.success() {
                return Err(format!("{} update-status (direct) failed: {status}", variants[i].name));
            }
            times.entry(i).or_default().push(ns);
        }
    }
    times.into_iter().map(|(i, t)| Ok((i, Summary::of(&t).ok_or("no samples")?))).collect()
}

/// The certificates side-by-side, with Scenario when `python` (the venv's) is given.
fn side_by_side(opts: &Opts, root: &Path, python: Option<&Path>) -> Result<certs::SideBySide, String> {
    let scenario = match python {
        Some(python) => {
            eprintln!("starting Scenario (bench_scenario.py --serve: its checks, then warm-up)…");
            Some(scenario::Scenario::start(python, root)?)
        }
        None => None,
    };
    eprintln!(
        "certificates side-by-side ({} goops-rs and {} Scenario runs per case)…",
        opts.inproc, opts.scenario_runs
    );
    certs::side_by_side(opts.inproc, opts.scenario_runs, scenario)
}

/// The earlier harness budget (manage-secrets install through `Harness::run`), kept for comparison.
fn harness_target(install: &Summary) -> Vec<String> {
    vec![
        "manage-secrets harness run (install, `Harness::run`) < 20 µs (the budget before issue 9's)".to_owned(),
        format_ns(install.median),
        if install.median < 20_000.0 { "met" } else { "**not met**" }.to_owned(),
    ]
}

#[allow(clippy::too_many_lines)]
/// The issue's target for `goops-sim run`'s own cost per hook (state to stdout: the file cases
/// add the cost of the disk).
fn sim_cost_row(cost: &simcost::SimCost) -> Vec<String> {
    let met = cost.own_stdout_ns <= 2e6;
    vec![
        "goops-sim run's own cost per hook ≤ 2 ms (`--out -`)".to_owned(),
        format_ns(cost.own_stdout_ns),
        if met { "met" } else { "**not met**" }.to_owned(),
    ]
}

fn sim_cost_target(cost: &simcost::SimCost) -> String {
    markdown_table(&["target", "measured (medians)", "verdict"], &[sim_cost_row(cost)])
}

fn bench(opts: &Opts) -> Result<(), String> {
    if let Some((case, n)) = &opts.repeat {
        return certs::repeat(case, *n);
    }
    if opts.model_only {
        let load_before = load_average();
        eprintln!("model: {} settles, {} explore seeds…", opts.model_runs, opts.model_seeds);
        let m = model::measure(opts.model_runs, opts.model_seeds as u64)?;
        println!(
            "Run: {} UTC, `--model-only`; {}; load average {load_before} before, {} after\n{}\n{}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M"),
            machine(),
            load_average(),
            m.markdown,
            markdown_table(&["target", "measured (medians)", "verdict"], &m.targets),
        );
        return Ok(());
    }
    let root = workspace_root();
    let target = goops_tests::target_dir();
    // First, so a Python or PyPI problem fails the run before the long part.
    let scenario_python = if opts.scenario && !opts.sim_cost_only && !opts.k8s_only {
        Some(scenario::venv_python(&root, &target)?)
    } else {
        None
    };
    if opts.inproc_only {
        let load_before = load_average();
        eprintln!("in-process runs…");
        let (harness_table, harness_install, _) = inproc_table(opts.inproc)?;
        let side = side_by_side(opts, &root, scenario_python.as_deref())?;
        let load_after = load_average();
        let mut out = format!(
            "Run: {} UTC, in-process only (`--inproc-only`); {}; load average {load_before} before, {load_after} after\n",
            chrono::Utc::now().format("%Y-%m-%d %H:%M"),
            machine()
        );
        out.push_str(&harness_table);
        out.push_str(&side.markdown);
        let mut targets = side.targets;
        targets.push(harness_target(&harness_install));
        out.push_str("\n### Targets\n\n");
        out.push_str(&markdown_table(&["target", "measured (medians)", "verdict"], &targets));
        println!("{out}");
        return Ok(());
    }
    let release = target.join("release");
    if opts.sim_cost_only {
        eprintln!("building (release)…");
        cargo_build(&root, &["-p", "goops-sim", "-p", "goops-bench", "--bins"])?;
        let temp = std::env::temp_dir().join(format!("goops-bench-{}", std::process::id()));
        std::fs::create_dir_all(&temp).map_err(|e| format!("cannot create {}: {e}", temp.display()))?;
        let load_before = load_average();
        eprintln!("{} rounds of goops-sim run's own cost…", opts.runs * 10);
        let sim = opts.sim.clone().unwrap_or_else(|| release.join("goops-sim"));
        let cost = simcost::measure(&sim, &release.join("noop"), &temp, opts.runs * 10)?;
        let _ = std::fs::remove_dir_all(&temp);
        println!(
            "Run: {} UTC, `--sim-cost-only` ({}); {}; load average {load_before} before, {} after\n{}\n{}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M"),
            sim.display(),
            machine(),
            load_average(),
            cost.markdown,
            sim_cost_target(&cost),
        );
        return Ok(());
    }
    eprintln!("building (release)…");
    let mut packages = vec!["-p", "goops-sim", "-p", "goops-bench", "-p", "hello-k8s"];
    if !opts.k8s_only {
        packages.extend(["-p", "manage-secrets", "-p", "certificates"]);
    }
    packages.push("--bins");
    cargo_build(&root, &packages)?;
    let sim = release.join("goops-sim");
    let hookrun = release.join("hookrun");
    if opts.k8s_only {
        let temp = std::env::temp_dir().join(format!("goops-bench-{}", std::process::id()));
        let load_before = load_average();
        eprintln!("hello-k8s pebble-ready, {} runs per variant…", opts.runs);
        let k8s = k8s::measure(&sim, &hookrun, &release, &temp, opts.runs)?;
        if !opts.keep {
            let _ = std::fs::remove_dir_all(&temp);
        }
        println!(
            "Run: {} UTC, `--k8s-only`; {}; load average {load_before} before, {} after\n{}\n{}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M"),
            machine(),
            load_average(),
            k8s.markdown,
            markdown_table(&["target", "measured (medians)", "verdict"], &k8s.targets),
        );
        return Ok(());
    }

    let temp = std::env::temp_dir().join(format!("goops-bench-{}", std::process::id()));
    std::fs::create_dir_all(temp.join("results")).map_err(|e| format!("cannot create {}: {e}", temp.display()))?;
    std::fs::write(temp.join("state.json"), STATE).map_err(|e| format!("state.json: {e}"))?;
    let charmcraft = root.join("examples/manage-secrets/charmcraft.yaml");

    let mut variants = Vec::new();
    for (name, binary, events) in [
        ("noop", "noop", &["update-status"][..]),
        ("floor", "floor", &["install"][..]),
        ("goops", "manage-secrets", &["update-status", "install"][..]),
    ] {
        let real = release.join(binary);
        variants.push(Variant {
            name: name.to_owned(),
            dir: stage_dir(&temp, name, &hookrun, &charmcraft)?,
            size: file_size(&real)?,
            real,
            events,
        });
    }
    if opts.profiles {
        for (name, config) in PROFILES {
            let dir_name = name.replace(' ', "-").to_lowercase();
            let profile_target = target.join("bench-profiles").join(&dir_name);
            eprintln!("building manage-secrets with {name}…");
            let mut args = vec!["-p", "manage-secrets", "--target-dir"];
            let target_str = profile_target.to_str().ok_or("target dir is not UTF-8")?;
            args.push(target_str);
            for c in *config {
                args.extend(["--config", c]);
            }
            cargo_build(&root, &args)?;
            let real = profile_target.join("release/manage-secrets");
            variants.push(Variant {
                name: format!("goops {name}"),
                dir: stage_dir(&temp, &format!("goops-{dir_name}"), &hookrun, &charmcraft)?,
                size: file_size(&real)?,
                real,
                events: &["update-status", "install"],
            });
        }
    }
    if opts.ops {
        eprintln!("preparing the ops venv…");
        let (dir, real, size) = stage_ops(&temp, &root, &hookrun)?;
        variants.push(Variant { name: "ops".to_owned(), dir, real, events: &["update-status", "install"], size });
    }

    let load_before = load_average();
    let cases: Vec<(usize, &str)> =
        variants.iter().enumerate().flat_map(|(i, v)| v.events.iter().map(move |e| (i, *e))).collect();

    // One traced run per case (the tool-call lists), then the dispatch-alone RSS runs, then the
    // timed runs; each pass interleaves all cases, rotating the order.
    eprintln!("tracing tool calls…");
    for &(i, event) in &cases {
        run_hook(&sim, &temp, &variants[i], event, "trace")?;
    }
    eprintln!("{} rss runs and {} timed runs per case, interleaved…", opts.rss_runs, opts.runs);
    for pass in 0..opts.rss_runs {
        for k in 0..cases.len() {
            let (i, event) = cases[(k + pass) % cases.len()];
            run_hook(&sim, &temp, &variants[i], event, "rss")?;
        }
    }
    let mut outer: BTreeMap<(usize, &str), Vec<f64>> = BTreeMap::new();
    for pass in 0..opts.runs {
        for k in 0..cases.len() {
            let (i, event) = cases[(k + pass) % cases.len()];
            let ns = run_hook(&sim, &temp, &variants[i], event, "time")?;
            outer.entry((i, event)).or_default().push(ns);
        }
    }

    // Collect.
    struct Row {
        wall: Summary,
        maxrss: Summary,
        hwm: Summary,
        outer: Summary,
        calls: Vec<String>,
    }
    let mut rows: BTreeMap<(usize, &str), Row> = BTreeMap::new();
    for &(i, event) in &cases {
        let v = &variants[i];
        let timed = load(&temp, v, event, "time")?;
        let rss = load(&temp, v, event, "rss")?;
        let trace_path = {
            let mut p = result_file(&temp, v, event, "trace").into_os_string();
            p.push(".trace");
            PathBuf::from(p)
        };
        let calls = match std::fs::read_to_string(&trace_path) {
            Ok(text) => parse_trace(&text).map_err(|e| format!("{}: {e}", trace_path.display()))?,
            Err(_) => Vec::new(), // No tool calls at all.
        };
        let none = || format!("no samples for {} {event}", v.name);
        rows.insert(
            (i, event),
            Row {
                wall: summary(timed.iter().map(|m| m.wall_ns)).ok_or_else(none)?,
                maxrss: summary(timed.iter().map(|m| m.maxrss_kib.unsigned_abs())).ok_or_else(none)?,
                hwm: summary(rss.iter().filter_map(|m| m.hwm_kib).map(i64::unsigned_abs)).ok_or_else(none)?,
                outer: Summary::of(&outer[&(i, event)]).ok_or_else(none)?,
                calls,
            },
        );
    }
    eprintln!("direct exec runs…");
    let direct = direct_exec(&variants, opts.runs * 10)?;
    eprintln!("goops-sim run's own cost…");
    let sim_cost = simcost::measure(&sim, &release.join("noop"), &temp, opts.runs * 10)?;
    eprintln!("in-process runs…");
    let (harness_table, harness_install, harness_calls) = inproc_table(opts.inproc)?;
    let side = side_by_side(opts, &root, scenario_python.as_deref())?;
    eprintln!("model…");
    let model = model::measure(opts.model_runs, opts.model_seeds as u64)?;
    let k8s = if opts.ops {
        eprintln!("hello-k8s pebble-ready…");
        Some(k8s::measure(&sim, &hookrun, &release, &temp, opts.runs)?)
    } else {
        None
    };
    let load_after = load_average();

    let find = |name: &str, event: &'static str| -> Option<&Row> {
        let i = variants.iter().position(|v| v.name == name)?;
        rows.get(&(i, event))
    };
    let noop_update = find("noop", "update-status").ok_or("no noop row")?;
    let floor_install = find("floor", "install").ok_or("no floor row")?;
    let goops_update = find("goops", "update-status").ok_or("no goops row")?;
    let goops_install = find("goops", "install").ok_or("no goops row")?;

    // Report.
    let mut out = String::new();
    out.push_str(&format!(
        "Run: {} UTC; {} runs per case (+{} ptrace RSS runs, 1 traced run); {}; \
         load average {load_before} before, {load_after} after\n\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M"),
        opts.runs,
        opts.rss_runs,
        machine(),
    ));
    out.push_str("### Per hook, dispatch process under `goops-sim run`\n\n");
    let mut table = Vec::new();
    for &(i, event) in &cases {
        let v = &variants[i];
        let r = &rows[&(i, event)];
        let (base_name, base) = if event == "install" { ("floor", floor_install) } else { ("noop", noop_update) };
        let vs_goops = if v.name.starts_with("ops") {
            let g = if event == "install" { goops_install } else { goops_update };
            format!(" ({} goops)", format_ratio(r.wall.median, g.wall.median))
        } else {
            String::new()
        };
        table.push(vec![
            v.name.clone(),
            event.to_owned(),
            format!("{} / {}", format_ns(r.wall.median), format_ns(r.wall.p90)),
            format!("{} {base_name}{vs_goops}", format_ratio(r.wall.median, base.wall.median)),
            format!("{:.1} MiB", r.hwm.median / 1024.0),
            format_ratio(r.hwm.median, base.hwm.median),
            format!("{:.1} MiB", r.maxrss.median / 1024.0),
            r.calls.len().to_string(),
            format_ns(r.outer.median),
        ]);
    }
    out.push_str(&markdown_table(
        &[
            "variant",
            "event",
            "wall median / p90",
            "wall ratio",
            "peak RSS (dispatch)",
            "RSS ratio",
            "peak RSS (incl. tools)",
            "tool calls",
            "`goops-sim run` median",
        ],
        &table,
    ));

    out.push_str("\n### update-status, dispatch executed directly (no goops-sim, no hook tools)\n\n");
    let noop_direct = direct.get(&0).ok_or("no direct noop row")?;
    let direct_rows: Vec<Vec<String>> = direct
        .iter()
        .map(|(i, s)| {
            vec![
                variants[*i].name.clone(),
                format!("{} / {}", format_ns(s.median), format_ns(s.p90)),
                format_ns(s.min),
                s.n.to_string(),
                format_ratio(s.median, noop_direct.median),
            ]
        })
        .collect();
    out.push_str(&markdown_table(&["variant", "median / p90", "min", "runs", "vs noop"], &direct_rows));
    out.push_str(&sim_cost.markdown);

    out.push_str("\n### Dispatch artefact size\n\n");
    let noop_size = variants[0].size;
    let goops_size = variants[2].size;
    let mut sizes = Vec::new();
    for v in &variants {
        if v.name == "floor" {
            continue;
        }
        let what = if v.name == "ops" {
            "venv site-packages (no pip/setuptools, no `__pycache__`) + charm"
        } else {
            "stripped release binary"
        };
        sizes.push(vec![
            v.name.clone(),
            what.to_owned(),
            format_bytes(v.size),
            format_ratio(v.size as f64, noop_size as f64),
            format_ratio(v.size as f64, goops_size as f64),
        ]);
    }
    let certificates = release.join("certificates");
    let cert_size = certificates.is_file().then(|| file_size(&certificates)).transpose()?;
    if let Some(size) = cert_size {
        sizes.push(vec![
            "certificates".into(),
            "stripped release binary".into(),
            format_bytes(size),
            format_ratio(size as f64, noop_size as f64),
            format_ratio(size as f64, goops_size as f64),
        ]);
    }
    out.push_str(&markdown_table(&["variant", "artefact", "size", "vs noop", "vs goops"], &sizes));

    out.push_str(&harness_table);
    out.push_str(&side.markdown);
    out.push_str(&model.markdown);
    if let Some(k8s) = &k8s {
        out.push_str(&k8s.markdown);
    }
    out.push_str("\n### Hook-tool calls (install)\n\n");
    for (i, event) in &cases {
        if *event == "install" {
            let r = &rows[&(*i, *event)];
            out.push_str(&format!("- {}: {}\n", variants[*i].name, tool_names(&r.calls).join(", ")));
        }
    }
    out.push_str(&format!("- goops in-process: {}\n", tool_names(&harness_calls).join(", ")));
    out.push_str("\n```text\n");
    for (i, event) in &cases {
        let r = &rows[&(*i, *event)];
        if matches!(variants[*i].name.as_str(), "floor" | "goops" | "ops") {
            out.push_str(&format!("# {} {event}\n", variants[*i].name));
            for c in &r.calls {
                out.push_str(&format!("{c}\n"));
            }
        }
    }
    out.push_str("```\n");

    let same_calls = goops_install.calls == floor_install.calls;
    let met = |ok: bool| if ok { "met" } else { "**not met**" }.to_owned();
    let goops_direct = direct.get(&2).ok_or("no direct goops row")?;
    let mut targets = vec![
        vec![
            "framework overhead: goops update-status ≤ 1.5× noop (under goops-sim)".to_owned(),
            format_ratio(goops_update.wall.median, noop_update.wall.median),
            met(goops_update.wall.median <= 1.5 * noop_update.wall.median),
        ],
        vec![
            "framework overhead: goops update-status ≤ 1.5× noop (direct exec)".to_owned(),
            format_ratio(goops_direct.median, noop_direct.median),
            met(goops_direct.median <= 1.5 * noop_direct.median),
        ],
        vec![
            "whole install hook ≤ 1.3× floor".to_owned(),
            format_ratio(goops_install.wall.median, floor_install.wall.median),
            met(goops_install.wall.median <= 1.3 * floor_install.wall.median),
        ],
        vec![
            "install makes exactly the floor's tool calls".to_owned(),
            format!("{} vs {} calls", goops_install.calls.len(), floor_install.calls.len()),
            met(same_calls),
        ],
        vec!["manage-secrets binary < 1 MiB".to_owned(), format_bytes(goops_size), met(goops_size < 1024 * 1024)],
        vec![
            "certificates binary < 2 MiB".to_owned(),
            cert_size.map_or_else(|| "no binary yet".to_owned(), format_bytes),
            cert_size.map_or_else(|| "pending".to_owned(), |s| met(s < 2 * 1024 * 1024)),
        ],
    ];
    targets.push(sim_cost_row(&sim_cost));
    targets.extend(side.targets);
    targets.push(harness_target(&harness_install));
    targets.extend(model.targets);
    targets.extend(k8s.map(|k| k.targets).unwrap_or_default());
    if let Some(ops_update) = find("ops", "update-status") {
        targets.insert(
            1,
            vec![
                "framework overhead: ≥ 100× below ops (update-status)".to_owned(),
                format!("ops = {}", format_ratio(ops_update.wall.median, goops_update.wall.median)),
                met(ops_update.wall.median >= 100.0 * goops_update.wall.median),
            ],
        );
    }
    out.push_str("\n### Targets\n\n");
    out.push_str(&markdown_table(&["target", "measured (medians)", "verdict"], &targets));
    println!("{out}");

    if opts.keep {
        eprintln!("kept {}", temp.display());
    } else {
        let _ = std::fs::remove_dir_all(&temp);
    }
    Ok(())
}
