//! The model row (issue 13): the certificates charm (1 unit) and the tls-requirer charm
//! (3 units) in one in-process `goops_sim::model::Model`: deploy → integrate → settle, timed
//! whole, and the hooks per second of a seeded `explore` over the same scenario.
//!
//! The baseline, measured in the same run: **the same hooks as single-unit harness runs**. A
//! wrapper around each application's `Harness` records every `(event, state)` the model hands
//! the charm during one typical settle; the baseline runs exactly those, one by one, through
//! `Harness::run`, with no model around them. So `model / baseline` is what the model adds on
//! top of running its hooks: the agents' choices, each unit's view, the commits, the trace.
//! The wrapper also sums the time spent inside the harness during the model's own runs, which
//! splits a settle into "the hooks" and "the model".

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use certificates::Certificates;
use goops_bench::{Summary, format_ns, format_ratio, markdown_table};
use goops_sim::CharmMeta;
use goops_sim::model::{CharmSource, Model, ModelCharm, ModelError, explore};
use goops_sim::state::{State, StatusName};
use goops_sim::testing::{Harness, HarnessError, On, RunReport};
use tls_requirer::TlsRequirerCharm;

use crate::workspace_root;

/// Issue 13's goals.
const SETTLE_GOAL_NS: f64 = 10e6;
const HOOKS_PER_SECOND_GOAL: f64 = 2000.0;
/// Rounds the settles and their baseline are interleaved in.
const ROUNDS: usize = 20;
const PAUSE: Duration = Duration::from_millis(20);

/// What a [`Recorder`] saw: the hooks of the settle being recorded, and the time spent in
/// the harness.
#[derive(Default)]
struct Log {
    recording: bool,
    hooks: Vec<(On, State)>,
    harness_ns: u128,
    runs: u64,
}

/// A charm the model runs: the application's harness, recording what the model asks of it.
struct Recorder<C> {
    harness: Rc<Harness<C>>,
    log: Rc<RefCell<Log>>,
}

impl<C: goops_runtime::Charm> ModelCharm for Recorder<C> {
    fn meta(&self) -> &CharmMeta {
        self.harness.meta()
    }

    fn source(&self) -> CharmSource {
        ModelCharm::source(&*self.harness)
    }

    fn run(&self, event: On, state: &State) -> Result<RunReport, HarnessError> {
        let recorded = self.log.borrow().recording.then(|| (event.clone(), state.clone()));
        let started = Instant::now();
        let report = self.harness.run(event, state);
        let elapsed = started.elapsed().as_nanos();
        let mut log = self.log.borrow_mut();
        log.harness_ns += elapsed;
        log.runs += 1;
        log.hooks.extend(recorded);
        report
    }
}

/// The two applications' harnesses (built once: reading charmcraft.yaml is not the model's
/// work) and their logs.
struct Apps {
    ca: Rc<Harness<Certificates>>,
    req: Rc<Harness<TlsRequirerCharm>>,
    ca_log: Rc<RefCell<Log>>,
    req_log: Rc<RefCell<Log>>,
}

impl Apps {
    fn new() -> Result<Apps, String> {
        let root = workspace_root();
        let ca = Harness::<Certificates>::for_charm(root.join("examples/certificates")).map_err(|e| e.to_string())?;
        let req =
            Harness::<TlsRequirerCharm>::for_charm(root.join("examples/tls-requirer")).map_err(|e| e.to_string())?;
        Ok(Apps { ca: Rc::new(ca), req: Rc::new(req), ca_log: Rc::default(), req_log: Rc::default() })
    }

    /// The scenario: deploy both, integrate, settle.
    fn scenario(&self, model: &mut Model) -> Result<u64, ModelError> {
        model.deploy("certificates", Recorder { harness: Rc::clone(&self.ca), log: Rc::clone(&self.ca_log) }, 1)?;
        model.deploy("tls-requirer", Recorder { harness: Rc::clone(&self.req), log: Rc::clone(&self.req_log) }, 3)?;
        model.integrate("certificates:certificates", "tls-requirer:certificates")?;
        Ok(model.settle()?.hooks)
    }

    fn set_recording(&self, on: bool) {
        for log in [&self.ca_log, &self.req_log] {
            let mut log = log.borrow_mut();
            log.recording = on;
            log.hooks.clear();
        }
    }

    /// Time in the harness and harness runs since the last call.
    fn take_harness_time(&self) -> (u128, u64) {
        let mut total = (0, 0);
        for log in [&self.ca_log, &self.req_log] {
            let mut log = log.borrow_mut();
            total.0 += std::mem::take(&mut log.harness_ns);
            total.1 += std::mem::take(&mut log.runs);
        }
        total
    }
}

/// The model settled as the pair should leave it: every unit active.
fn all_active(model: &Model) -> Result<(), String> {
    for app in ["certificates", "tls-requirer"] {
        for unit in model.units(app) {
            match model.unit_status(&unit) {
                Some(s) if s.status == StatusName::Active => {}
                other => return Err(format!("{unit} is not active: {other:?}")),
            }
        }
    }
    Ok(())
}

/// CPU time of this thread (ns): what "per core" counts, whatever else the host runs.
#[allow(unsafe_code)] // libc's clock_gettime; std has no thread CPU clock.
fn thread_cpu_ns() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &raw mut ts) };
    if rc == 0 { ts.tv_sec as f64 * 1e9 + ts.tv_nsec as f64 } else { f64::NAN }
}

/// Wall and thread CPU time of one timed part (ns).
#[derive(Clone, Copy)]
struct Took {
    wall: f64,
    cpu: f64,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Took) {
    let (wall, cpu) = (Instant::now(), thread_cpu_ns());
    let out = f();
    let cpu = thread_cpu_ns() - cpu;
    (out, Took { wall: wall.elapsed().as_nanos() as f64, cpu })
}

/// The recorded hooks of one settle, run one by one through the harnesses; each hook's wall
/// time goes into `per_hook` under `app hook`.
fn replay(
    apps: &Apps,
    ca: &[(On, State)],
    req: &[(On, State)],
    per_hook: &mut BTreeMap<String, Vec<f64>>,
) -> Result<Took, String> {
    let ca_batch = ca.to_vec();
    let req_batch = req.to_vec();
    let mut each = Vec::with_capacity(ca_batch.len() + req_batch.len());
    let (result, took) = timed(|| -> Result<(), String> {
        for (on, state) in ca_batch {
            let name = on.name().to_owned();
            let started = Instant::now();
            apps.ca.run(on, &state).map_err(|e| e.to_string())?;
            each.push((format!("certificates {name}"), started.elapsed().as_nanos() as f64));
        }
        for (on, state) in req_batch {
            let name = on.name().to_owned();
            let started = Instant::now();
            apps.req.run(on, &state).map_err(|e| e.to_string())?;
            each.push((format!("tls-requirer {name}"), started.elapsed().as_nanos() as f64));
        }
        Ok(())
    });
    result?;
    for (name, ns) in each {
        per_hook.entry(name).or_default().push(ns);
    }
    Ok(took)
}

/// The model tables (Markdown) and their target rows.
pub struct ModelBench {
    /// The tables.
    pub markdown: String,
    /// Rows for the runner's targets table.
    pub targets: Vec<Vec<String>>,
}

/// Run `runs` settles against their baseline, then `seeds` seeds of explore.
pub fn measure(runs: usize, seeds: u64) -> Result<ModelBench, String> {
    let apps = Apps::new()?;
    // One recorded settle: checked, and the baseline's hooks.
    apps.set_recording(true);
    let mut model = Model::new();
    let hooks = apps.scenario(&mut model).map_err(|e| format!("the model does not settle: {e}"))?;
    all_active(&model)?;
    let (ca_hooks, req_hooks) = (apps.ca_log.borrow().hooks.clone(), apps.req_log.borrow().hooks.clone());
    apps.set_recording(false);
    let recorded = (ca_hooks.len() + req_hooks.len()) as u64;
    if recorded != hooks {
        return Err(format!("the settle ran {hooks} hooks but the harnesses saw {recorded}"));
    }
    // Each recorded hook runs alone as it ran in the model (the baseline is what it claims).
    let mut per_hook = BTreeMap::new();
    replay(&apps, &ca_hooks, &req_hooks, &mut per_hook)?;
    per_hook.clear();
    apps.take_harness_time();

    let per_round = runs.div_ceil(ROUNDS).max(1);
    let (mut settle, mut settle_cpu, mut base, mut base_cpu) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut in_harness, mut settle_total) = (0u128, 0.0);
    for round in 0..ROUNDS {
        std::thread::sleep(PAUSE);
        for turn in 0..2 {
            if (round + turn) % 2 == 0 {
                for _ in 0..per_round {
                    let mut model = Model::new();
                    let (result, took) = timed(|| apps.scenario(&mut model));
                    result.map_err(|e| e.to_string())?;
                    settle.push(took.wall);
                    settle_cpu.push(took.cpu);
                    settle_total += took.wall;
                    in_harness += apps.take_harness_time().0;
                }
            } else {
                for _ in 0..per_round {
                    let took = replay(&apps, &ca_hooks, &req_hooks, &mut per_hook)?;
                    base.push(took.wall);
                    base_cpu.push(took.cpu);
                }
                apps.take_harness_time();
            }
        }
    }
    let settle = Summary::of(&settle).ok_or("no settle samples")?;
    let settle_cpu = Summary::of(&settle_cpu).ok_or("no settle samples")?;
    let base = Summary::of(&base).ok_or("no baseline samples")?;
    let base_cpu = Summary::of(&base_cpu).ok_or("no baseline samples")?;
    let harness_share = in_harness as f64 / settle_total;

    // Seeded explore: all seeds timed as one, hooks counted by explore itself.
    let (report, took) = timed(|| explore(0..seeds, |m| apps.scenario(m).map(drop), all_active));
    let report = report.map_err(|e| e.to_string())?;
    let explore_ns = took.wall;
    let (explore_harness_ns, explore_runs) = apps.take_harness_time();
    let hooks_per_s = report.hooks as f64 / (explore_ns / 1e9);
    let hooks_per_cpu_s = report.hooks as f64 / (took.cpu / 1e9);
    let base_hooks_per_s = hooks as f64 / (base.median / 1e9);
    let base_hooks_per_cpu_s = hooks as f64 / (base_cpu.median / 1e9);

    let mut md = format!(
        "\n### Model: certificates (1 unit) + tls-requirer (3 units), in-process (issue 13)\n\n\
         Baseline: the {hooks} hooks of one typical settle, recorded as the model handed them to each \
         charm (event and single-unit state), run one by one through `Harness::run` with no model \
         around them. {} settles and {} baseline runs, interleaved in {ROUNDS} rounds.\n\n",
        settle.n, base.n
    );
    let range = |s: &Summary| format!("{} ({}–{})", format_ns(s.median), format_ns(s.p10), format_ns(s.p90));
    md.push_str(&markdown_table(
        &["case", "model median (p10–p90)", "baseline median (p10–p90)", "model / baseline"],
        &[
            vec![
                format!("deploy → integrate → settle ({hooks} hooks), wall"),
                range(&settle),
                range(&base),
                format_ratio(settle.median, base.median),
            ],
            vec![
                format!("deploy → integrate → settle ({hooks} hooks), thread CPU"),
                range(&settle_cpu),
                range(&base_cpu),
                format_ratio(settle_cpu.median, base_cpu.median),
            ],
            vec![
                format!(
                    "seeded explore, {} seeds ({} hooks, {} wall), wall",
                    report.seeds,
                    report.hooks,
                    format_ns(explore_ns)
                ),
                format!("{hooks_per_s:.0} hooks/s"),
                format!("{base_hooks_per_s:.0} hooks/s"),
                format_ratio(base_hooks_per_s, hooks_per_s),
            ],
            vec![
                "seeded explore, thread CPU".to_owned(),
                format!("{hooks_per_cpu_s:.0} hooks/s"),
                format!("{base_hooks_per_cpu_s:.0} hooks/s"),
                format_ratio(base_hooks_per_cpu_s, hooks_per_cpu_s),
            ],
        ],
    ));
    md.push_str(&format!(
        "\nWhere a settle's time goes: {:.0} % inside the harness runs (the charms, the single-unit \
         engine), {:.0} % the model (agents, views, commits, trace). In explore: {:.0} % in {} harness \
         runs.\n",
        100.0 * harness_share,
        100.0 * (1.0 - harness_share),
        100.0 * explore_harness_ns as f64 / explore_ns,
        explore_runs,
    ));
    md.push_str(&hook_breakdown(&per_hook, base.n));
    let met = |ok: bool| if ok { "met" } else { "**not met**" }.to_owned();
    let targets = vec![
        vec![
            "model: deploy → settle ≤ 10 ms (certificates + 3 tls-requirer, in-process)".to_owned(),
            format!("{} wall, {} CPU", format_ns(settle.median), format_ns(settle_cpu.median)),
            met(settle.median.min(settle_cpu.median) <= SETTLE_GOAL_NS),
        ],
        vec![
            "model: ≥ 2,000 hooks/s per core during explore".to_owned(),
            format!("{hooks_per_s:.0} wall, {hooks_per_cpu_s:.0} per CPU second"),
            met(hooks_per_cpu_s >= HOOKS_PER_SECOND_GOAL),
        ],
    ];
    Ok(ModelBench { markdown: md, targets })
}

/// The baseline's hooks by application and hook: how many a settle runs, the median of one,
/// and their share of the settle's hook time (sums of medians), largest first.
fn hook_breakdown(per_hook: &BTreeMap<String, Vec<f64>>, replays: usize) -> String {
    let mut rows: Vec<(String, f64, f64)> = per_hook
        .iter()
        .filter_map(|(name, ns)| {
            let s = Summary::of(ns)?;
            let per_settle = ns.len() as f64 / replays.max(1) as f64;
            Some((name.clone(), per_settle, s.median))
        })
        .collect();
    let total: f64 = rows.iter().map(|(_, n, m)| n * m).sum();
    rows.sort_by(|a, b| (b.1 * b.2).total_cmp(&(a.1 * a.2)));
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, n, m)| {
            vec![name.clone(), format!("{n:.0}"), format_ns(*m), format!("{:.0} %", 100.0 * n * m / total)]
        })
        .collect();
    format!(
        "\nThe baseline's hooks (wall, medians): where a settle's hook time goes.\n\n{}",
        markdown_table(&["application and hook", "per settle", "one run", "share"], &table)
    )
}
