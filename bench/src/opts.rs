//! The command line: options and their defaults.

use std::path::PathBuf;

/// The usage line `--help` and a bad argument print.
pub(crate) const USAGE: &str = "usage: goops-bench [--runs N] [--rss-runs N] [--inproc N] [--scenario-runs N] [--profiles] \
                     [--no-ops] [--no-scenario] [--inproc-only] [--sim-cost-only [--sim PATH]] [--k8s-only] [--keep] \
                     [--repeat CASE N] [--model-only] [--model-runs N] [--model-seeds N]";

/// What the command line asked for.
#[allow(clippy::struct_excessive_bools)] // one per command-line switch.
pub(crate) struct Opts {
    pub(crate) runs: usize,
    pub(crate) rss_runs: usize,
    pub(crate) inproc: usize,
    pub(crate) scenario_runs: usize,
    pub(crate) profiles: bool,
    pub(crate) ops: bool,
    pub(crate) scenario: bool,
    pub(crate) keep: bool,
    pub(crate) inproc_only: bool,
    /// `--sim-cost-only`: only `goops-sim run`'s own cost per hook.
    pub(crate) sim_cost_only: bool,
    /// `--k8s-only`: only the Kubernetes row (hello-k8s pebble-ready, Rust vs ops).
    pub(crate) k8s_only: bool,
    /// `--sim PATH`: the goops-sim binary `--sim-cost-only` measures (default: the release build).
    pub(crate) sim: Option<PathBuf>,
    /// `--repeat CASE N`: only run goops-rs's certificates CASE N times (for a profiler).
    pub(crate) repeat: Option<(String, usize)>,
    /// `--model-only`: only the model row (certificates + 3 tls-requirer, in-process).
    pub(crate) model_only: bool,
    /// `--model-runs N`: timed settles (and as many baseline runs) of the model row.
    pub(crate) model_runs: usize,
    /// `--model-seeds N`: seeds of the model row's explore.
    pub(crate) model_seeds: usize,
}

/// The options from the process's arguments, or the usage error to print.
pub(crate) fn parse_args() -> Result<Opts, String> {
    let mut opts = Opts {
        runs: 30,
        rss_runs: 5,
        inproc: 5000,
        scenario_runs: 400,
        profiles: false,
        ops: true,
        scenario: true,
        keep: false,
        inproc_only: false,
        sim_cost_only: false,
        k8s_only: false,
        sim: None,
        repeat: None,
        model_only: false,
        model_runs: 200,
        model_seeds: 200,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let number = |what: &str, v: Option<String>| -> Result<usize, String> {
            let v = v.ok_or_else(|| format!("{what} needs a value"))?;
            v.parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("{what}: {v:?} is not a positive number"))
        };
        match arg.as_str() {
            "--runs" => opts.runs = number("--runs", args.next())?,
            "--rss-runs" => opts.rss_runs = number("--rss-runs", args.next())?,
            "--inproc" => opts.inproc = number("--inproc", args.next())?,
            "--scenario-runs" => opts.scenario_runs = number("--scenario-runs", args.next())?,
            "--profiles" => opts.profiles = true,
            "--no-ops" => opts.ops = false,
            "--no-scenario" => opts.scenario = false,
            "--keep" => opts.keep = true,
            "--inproc-only" => opts.inproc_only = true,
            "--sim-cost-only" => opts.sim_cost_only = true,
            "--k8s-only" => opts.k8s_only = true,
            "--model-only" => opts.model_only = true,
            "--model-runs" => opts.model_runs = number("--model-runs", args.next())?,
            "--model-seeds" => opts.model_seeds = number("--model-seeds", args.next())?,
            "--sim" => opts.sim = Some(PathBuf::from(args.next().ok_or("--sim needs a path")?)),
            "--repeat" => {
                let case = args.next().ok_or("--repeat needs a case and a count")?;
                opts.repeat = Some((case, number("--repeat", args.next())?));
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(opts)
}
