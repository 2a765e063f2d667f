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

/// The recorded hooks of one settle, run one by one through the harnesses; returns the time.
fn replay(apps: &Apps, ca: &[(On, State)], req: &[(On, State)]) -> Result<f64, String> {
    let ca_batch = ca.to_vec();
    let req_batch = req.to_vec();
    let started = Instant::now();
    for (on, state) in ca_batch {
        apps.ca.run(on, &state).map_err(|e| e.to_string())?;
    }
    for (on, state) in req_batch {
        apps.req.run(on, &state).map_err(|e| e.to_string())?;
    }
    Ok(started.elapsed().as_nanos() as f64)
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
    replay(&apps, &ca_hooks, &req_hooks)?;
    apps.take_harness_time();

    let per_round = runs.div_ceil(ROUNDS).max(1);
    let (mut settle, mut base) = (Vec::new(), Vec::new());
    let mut in_harness = 0u128;
    for round in 0..ROUNDS {
        std::thread::sleep(PAUSE);
        for turn in 0..2 {
            if (round + turn) % 2 == 0 {
                for _ in 0..per_round {
                    let mut model = Model::new();
                    let started = Instant::now();
                    apps.scenario(&mut model).map_err(|e| e.to_string())?;
                    settle.push(started.elapsed().as_nanos() as f64);
                    in_harness += apps.take_harness_time().0;
                }
            } else {
                for _ in 0..per_round {
                    base.push(replay(&apps, &ca_hooks, &req_hooks)?);
                }
                apps.take_harness_time();
            }
        }
    }
    let settle = Summary::of(&settle).ok_or("no settle samples")?;
    let base = Summary::of(&base).ok_or("no baseline samples")?;
    let harness_share = in_harness as f64 / (settle.n as f64) / settle.median;

    // Seeded explore: all seeds timed as one, hooks counted by explore itself.
    let started = Instant::now();
    let report = explore(0..seeds, |m| apps.scenario(m).map(drop), all_active).map_err(|e| e.to_string())?;
    let explore_ns = started.elapsed().as_nanos() as f64;
    let (explore_harness_ns, explore_runs) = apps.take_harness_time();
    let hooks_per_s = report.hooks as f64 / (explore_ns / 1e9);
    let base_hooks_per_s = hooks as f64 / (base.median / 1e9);

    let mut md = format!(
        "\n### Model: certificates (1 unit) + tls-requirer (3 units), in-process (issue 13)\n\n\
         Baseline: the {hooks} hooks of one typical settle, recorded as the model handed them to each \
         charm (event and single-unit state), run one by one through `Harness::run` with no model \
         around them. {} settles and {} baseline runs, interleaved in {ROUNDS} rounds.\n\n",
        settle.n, base.n
    );
    md.push_str(&markdown_table(
        &["case", "model median (p10–p90)", "baseline median (p10–p90)", "model / baseline"],
        &[
            vec![
                format!("deploy → integrate → settle ({hooks} hooks)"),
                format!("{} ({}–{})", format_ns(settle.median), format_ns(settle.p10), format_ns(settle.p90)),
                format!("{} ({}–{})", format_ns(base.median), format_ns(base.p10), format_ns(base.p90)),
                format_ratio(settle.median, base.median),
            ],
            vec![
                format!("seeded explore, {} seeds ({} hooks, {})", report.seeds, report.hooks, format_ns(explore_ns)),
                format!("{hooks_per_s:.0} hooks/s"),
                format!("{base_hooks_per_s:.0} hooks/s"),
                format_ratio(base_hooks_per_s, hooks_per_s),
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
    let met = |ok: bool| if ok { "met" } else { "**not met**" }.to_owned();
    let targets = vec![
        vec![
            "model: deploy → settle ≤ 10 ms (certificates + 3 tls-requirer, in-process)".to_owned(),
            format_ns(settle.median),
            met(settle.median <= SETTLE_GOAL_NS),
        ],
        vec![
            "model: ≥ 2,000 hooks/s per core during explore".to_owned(),
            format!("{hooks_per_s:.0} hooks/s"),
            met(hooks_per_s >= HOOKS_PER_SECOND_GOAL),
        ],
    ];
    Ok(ModelBench { markdown: md, targets })
}
