//! `goops-sim run`'s own cost per hook: the same do-nothing dispatch (`noop`) run through
//! `goops-sim run` and spawned directly with the hook's environment, interleaved in one run.
//! The difference of the medians is what goops-sim adds to every hook: its own process start,
//! reading the state and the charm's metadata, the tool directory, the agent socket, waiting
//! for the hook, the report, and writing the new state.
//!
//! Three ways of writing the new state are timed, as they cost very different amounts:
//! `--out -` (to stdout, here `/dev/null`), `--out FILE` (the default: a 0600 temp file, fsync,
//! rename, fsync of the directory) and `--out FILE --no-fsync` (what the harness's process mode
//! uses for its throwaway outputs).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use goops_bench::{Summary, format_ns, format_ratio, markdown_table};

/// The cases, by name and the `--out` arguments they add.
const CASES: &[(&str, &[&str])] = &[
    ("`--out -` (stdout)", &["--out", "-"]),
    ("`--out FILE --no-fsync`", &["--out", "OUT", "--no-fsync"]),
    ("`--out FILE` (fsync, the default)", &["--out", "OUT"]),
];

/// The state every run starts from.
const STATE: &str = "{\"unit\": \"demo/0\", \"leader\": true}\n";

/// The measured medians: the direct spawn, and each case.
pub(crate) struct SimCost {
    pub(crate) markdown: String,
    /// `goops-sim run --out -`'s own cost (median, ns).
    pub(crate) own_stdout_ns: f64,
}

/// Time `runs` rounds; each round spawns `noop` directly and runs every case once, rotating
/// the order.
pub(crate) fn measure(sim: &Path, noop: &Path, temp: &Path, runs: usize) -> Result<SimCost, String> {
    let charm = temp.join("simcost-charm");
    std::fs::create_dir_all(&charm).map_err(|e| format!("{}: {e}", charm.display()))?;
    std::fs::write(charm.join("metadata.yaml"), "name: demo\n").map_err(|e| format!("metadata.yaml: {e}"))?;
    let dispatch = charm.join("dispatch");
    let _ = std::fs::remove_file(&dispatch);
    std::fs::copy(noop, &dispatch).map_err(|e| format!("cannot stage {}: {e}", noop.display()))?;
    let state = temp.join("simcost-state.json");
    std::fs::write(&state, STATE).map_err(|e| format!("{}: {e}", state.display()))?;
    let out = temp.join("simcost-out.json");

    // The environment goops-sim gives the hook, for the direct spawn.
    let meta = goops_sim::CharmMeta::from_charmcraft_yaml("name: demo\n").map_err(|e| e.to_string())?;
    let engine = goops_sim::Engine::for_event(
        goops_sim::State::from_json(STATE).map_err(|e| e.to_string())?,
        meta,
        "update-status",
        &goops_sim::EventOptions::default(),
    )
    .map_err(|e| e.to_string())?;
    let env = engine.env();

    let direct = || -> Result<f64, String> {
        let started = Instant::now();
        let status = Command::new(&dispatch)
            .env_clear()
            .envs(&env)
            .current_dir(&charm)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run {}: {e}", dispatch.display()))?;
        let ns = started.elapsed().as_secs_f64() * 1e9;
        if status.success() { Ok(ns) } else { Err(format!("noop (direct) failed: {status}")) }
    };
    let through_sim = |args: &[&str]| -> Result<f64, String> {
        let args: Vec<&std::ffi::OsStr> =
            args.iter().map(|a| if *a == "OUT" { out.as_os_str() } else { std::ffi::OsStr::new(*a) }).collect();
        let started = Instant::now();
        let output = Command::new(sim)
            .arg("run")
            .arg(&charm)
            .arg("update-status")
            .arg("--state")
            .arg(&state)
            .args(&args)
            .arg("--quiet")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("cannot run goops-sim: {e}"))?;
        let ns = started.elapsed().as_secs_f64() * 1e9;
        if output.status.success() {
            Ok(ns)
        } else {
            Err(format!("goops-sim run failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr)))
        }
    };

    // Warm-up (the first run makes goops-sim's tool directory); a case the binary does not
    // support (an older goops-sim measured with `--sim`, without `--no-fsync`) is left out.
    through_sim(CASES[0].1)?;
    let supported: Vec<bool> = CASES.iter().map(|(_, args)| through_sim(args).is_ok()).collect();
    let mut direct_ns = Vec::with_capacity(runs);
    let mut case_ns: Vec<Vec<f64>> = vec![Vec::with_capacity(runs); CASES.len()];
    for round in 0..runs {
        direct_ns.push(direct()?);
        for k in 0..CASES.len() {
            let i = (k + round) % CASES.len();
            if supported[i] {
                case_ns[i].push(through_sim(CASES[i].1)?);
            }
        }
    }
    let direct = Summary::of(&direct_ns).ok_or("no direct samples")?;
    let mut rows = vec![vec![
        "`noop` spawned directly (hook environment)".to_owned(),
        format!("{} / {}", format_ns(direct.median), format_ns(direct.p90)),
        "–".to_owned(),
        "1.0×".to_owned(),
    ]];
    let mut own_stdout_ns = f64::NAN;
    for (i, (name, _)) in CASES.iter().enumerate() {
        let Some(s) = Summary::of(&case_ns[i]) else {
            rows.push(vec![
                format!("`goops-sim run` {name}"),
                "not supported by this binary".to_owned(),
                "–".to_owned(),
                "–".to_owned(),
            ]);
            continue;
        };
        let own = s.median - direct.median;
        if i == 0 {
            own_stdout_ns = own;
        }
        rows.push(vec![
            format!("`goops-sim run` {name}"),
            format!("{} / {}", format_ns(s.median), format_ns(s.p90)),
            format_ns(own),
            format_ratio(s.median, direct.median),
        ]);
    }
    let mut markdown = format!(
        "\n### goops-sim run's own cost per hook\n\n`noop` as the dispatch of an `update-status` hook, {runs} interleaved rounds (each: \
         one direct spawn, then each `goops-sim run` case in rotating order); wall time from spawn to exit.\n\n"
    );
    markdown.push_str(&markdown_table(&["how", "median / p90", "own cost (median − direct)", "vs direct"], &rows));
    Ok(SimCost { markdown, own_stdout_ns })
}
