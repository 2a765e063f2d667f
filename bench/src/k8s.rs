//! The Kubernetes row (issue 12): hello-k8s's `hello-pebble-ready` — push a config file, add a
//! layer, replan, exec `hello-server --version`, set the workload version and the status — done
//! by the Rust example (`examples/hello-k8s`) and by the Python ops charm it ports
//! (`tests/ops-k8s-charm`), both as real processes under `goops-sim run` with its simulated
//! Pebble, interleaved in the same run. Also the example's stripped release `dispatch` size.
//!
//! Per variant: the dispatch's wall time (`hookrun`), the Pebble requests of the hook (the
//! container's request history in the output state) and its hook-tool calls (`hookrun`'s trace).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use goops_bench::{Summary, format_bytes, format_ns, format_ratio, markdown_table, parse_measurements, parse_trace};

/// The pebble-ready's input: a leader unit whose `hello` container answers `--version`.
const STATE: &str = r#"{
  "unit": "hello-k8s/0",
  "leader": true,
  "containers": {
    "hello": {
      "can_connect": true,
      "exec_rules": [
        {"command": ["/usr/bin/hello-server", "--version"], "exit_code": 0, "stdout": "hello-server 1.4.2\n"}
      ]
    }
  }
}
"#;
const EVENT: &str = "hello-pebble-ready";
/// The `dispatch` size budget of a K8s charm (issue 12).
const SIZE_BUDGET: u64 = 1536 * 1024;
/// The speed goal: Rust at least this many times faster than ops.
const SPEED_GOAL: f64 = 25.0;

/// One staged charm dir: `dispatch` is `hookrun`, which runs `real`.
struct Variant {
    name: &'static str,
    dir: PathBuf,
    real: PathBuf,
}

/// The K8s tables (Markdown) and their target rows.
pub struct K8s {
    /// The tables.
    pub markdown: String,
    /// Rows for the runner's targets table.
    pub targets: Vec<Vec<String>>,
}

/// Stage both charms under `temp`, run each pebble-ready once traced and `runs` times timed
/// (interleaved, the order alternating), and report.
pub fn measure(sim: &Path, hookrun: &Path, release: &Path, temp: &Path, runs: usize) -> Result<K8s, String> {
    let temp = temp.join("k8s");
    std::fs::create_dir_all(temp.join("results")).map_err(|e| format!("cannot create {}: {e}", temp.display()))?;
    std::fs::write(temp.join("state.json"), STATE).map_err(|e| format!("state.json: {e}"))?;
    let root = goops_tests::workspace_root();

    let rust = temp.join("rust");
    std::fs::create_dir_all(&rust).map_err(|e| format!("{}: {e}", rust.display()))?;
    copy(hookrun, &rust.join("dispatch"))?;
    copy(&root.join("examples/hello-k8s/charmcraft.yaml"), &rust.join("charmcraft.yaml"))?;
    let rust_real = release.join("hello-k8s");
    let size = std::fs::metadata(&rust_real).map_err(|e| format!("{}: {e}", rust_real.display()))?.len();

    let ops = temp.join("ops");
    let python = goops_tests::ops_python();
    let staged = goops_tests::stage_python_charm(&goops_tests::ops_k8s_charm_src(), &ops, &python);
    let ops_real = ops.join("dispatch.real");
    std::fs::rename(&staged, &ops_real).map_err(|e| format!("{}: {e}", staged.display()))?;
    copy(hookrun, &ops.join("dispatch"))?;

    let variants =
        [Variant { name: "goops", dir: rust, real: rust_real }, Variant { name: "ops", dir: ops, real: ops_real }];
    let mut requests = [Vec::new(), Vec::new()];
    let mut outer = [Vec::new(), Vec::new()];
    for (i, v) in variants.iter().enumerate() {
        requests[i] = run(sim, &temp, v, "trace")?.0;
    }
    for pass in 0..runs {
        for k in 0..variants.len() {
            let i = (k + pass) % variants.len();
            let (asked, ns) = run(sim, &temp, &variants[i], "time")?;
            if asked != requests[i] {
                return Err(format!("{}: the Pebble requests changed between runs: {asked:?}", variants[i].name));
            }
            outer[i].push(ns);
        }
    }

    let mut walls = Vec::new();
    let mut calls = Vec::new();
    for v in &variants {
        let result = result_file(&temp, v, "time");
        let text = std::fs::read_to_string(&result).map_err(|e| format!("{}: {e}", result.display()))?;
        let measured = parse_measurements(&text)?;
        #[allow(clippy::cast_precision_loss)] // ns far below 2^52.
        let wall = Summary::of(&measured.iter().map(|m| m.wall_ns as f64).collect::<Vec<_>>())
            .ok_or_else(|| format!("no samples for {}", v.name))?;
        walls.push(wall);
        let mut trace = result_file(&temp, v, "trace").into_os_string();
        trace.push(".trace");
        calls.push(match std::fs::read_to_string(&trace) {
            Ok(text) => parse_trace(&text)?,
            Err(_) => Vec::new(),
        });
    }

    let mut rows = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        let outer = Summary::of(&outer[i]).ok_or("no samples")?;
        rows.push(vec![
            v.name.to_owned(),
            format!("{} / {}", format_ns(walls[i].median), format_ns(walls[i].p90)),
            format_ratio(walls[1].median, walls[i].median),
            requests[i].len().to_string(),
            calls[i].len().to_string(),
            format_ns(outer.median),
        ]);
    }
    let mut markdown = format!(
        "\n### Kubernetes: hello-k8s `{EVENT}` under `goops-sim run` (simulated Pebble)\n\n\
         {runs} timed runs per variant, interleaved; wall time of the dispatch process.\n\n"
    );
    markdown.push_str(&markdown_table(
        &[
            "variant",
            "wall median / p90",
            "ops / variant",
            "Pebble requests",
            "hook-tool calls",
            "`goops-sim run` median",
        ],
        &rows,
    ));
    markdown.push_str("\nPebble requests (method and path, in order):\n\n");
    for (i, v) in variants.iter().enumerate() {
        markdown.push_str(&format!("- {}: {}\n", v.name, requests[i].join(", ")));
    }
    markdown.push_str("\nHook-tool calls:\n\n");
    for (i, v) in variants.iter().enumerate() {
        markdown.push_str(&format!("- {}: {}\n", v.name, goops_bench::tool_names(&calls[i]).join(", ")));
    }
    markdown.push_str(&format!("\nhello-k8s `dispatch` (stripped release binary): {}\n", format_bytes(size)));

    let met = |ok: bool| if ok { "met" } else { "**not met**" }.to_owned();
    let targets = vec![
        vec![
            format!("K8s pebble-ready ≥ {SPEED_GOAL:.0}× faster than ops"),
            format!("ops = {}", format_ratio(walls[1].median, walls[0].median)),
            met(walls[1].median >= SPEED_GOAL * walls[0].median),
        ],
        vec!["K8s charm `dispatch` ≤ 1.5 MiB".to_owned(), format_bytes(size), met(size <= SIZE_BUDGET)],
    ];
    Ok(K8s { markdown, targets })
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to).map(drop).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

fn result_file(temp: &Path, variant: &Variant, mode: &str) -> PathBuf {
    temp.join("results").join(format!("{}.{EVENT}.{mode}", variant.name))
}

/// One pebble-ready through `goops-sim run`; checks the outcome and returns the Pebble requests
/// it made and `goops-sim run`'s outer wall time (ns).
fn run(sim: &Path, temp: &Path, variant: &Variant, mode: &str) -> Result<(Vec<String>, f64), String> {
    // A fresh unit each time: ops keeps its state in the charm dir.
    let _ = std::fs::remove_file(variant.dir.join(".unit-state.db"));
    let out = temp.join("out.json");
    let started = std::time::Instant::now();
    let output = Command::new(sim)
        .arg("run")
        .arg(&variant.dir)
        .arg(EVENT)
        .arg("--state")
        .arg(temp.join("state.json"))
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--no-fsync", "--env"])
        .arg(format!("GOOPS_BENCH_REAL={}", variant.real.display()))
        .arg("--env")
        .arg(format!("GOOPS_BENCH_RESULT={}", result_file(temp, variant, mode).display()))
        .arg("--env")
        .arg(format!("GOOPS_BENCH_MODE={mode}"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run goops-sim: {e}"))?;
    #[allow(clippy::cast_precision_loss)] // ns far below 2^52.
    let ns = started.elapsed().as_nanos() as f64;
    if !output.status.success() {
        return Err(format!(
            "{} {EVENT} failed ({}):\n{}",
            variant.name,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = std::fs::read_to_string(&out).map_err(|e| format!("out.json: {e}"))?;
    let state: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("out.json: {e}"))?;
    // A run that did not do the job is not timed silently.
    if state["workload_version"] != "1.4.2" || state["unit_status"]["status"] != "active" {
        return Err(format!("{} {EVENT} did not end active with version 1.4.2:\n{text}", variant.name));
    }
    let history = state["containers"]["hello"]["history"].as_array().cloned().unwrap_or_default();
    let requests = history
        .iter()
        .map(|r| format!("{} {}", r["method"].as_str().unwrap_or("?"), r["path"].as_str().unwrap_or("?")))
        .collect();
    Ok((requests, ns))
}
