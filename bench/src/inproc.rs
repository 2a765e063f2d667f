//! The in-process rows: the example charm's install and update-status through the harness and
//! through the bare engine, timed in rounds, with heap allocations counted.

use std::time::Instant;

use goops_bench::{Summary, format_ns, markdown_table};

use crate::{STATE, workspace_root};

/// Counts heap allocations, so the in-process rows (and the certificates side-by-side) can report allocations per run: a count
/// that does not move with the host's noise, unlike time.
pub(crate) mod counting {
    #![allow(unsafe_code)] // `GlobalAlloc` is an unsafe trait; this only counts and forwards to `System`.

    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Calls to `alloc`, `alloc_zeroed` and `realloc` so far.
    pub static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

    /// The system allocator, counted.
    pub struct Counting;

    // SAFETY: every method forwards to `System` with the caller's arguments unchanged.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
            unsafe { System.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: as for `alloc`.
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` came from `System` through this allocator, with this layout.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: `ptr` came from `System` through this allocator, with this layout.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

/// The in-process cases: install and update-status on the example charm, each through
/// `goops_sim::testing::Harness::run` (what a test calls: consistency checks, session, dispatch,
/// report) and through the bare `Engine` + `goops_runtime::dispatch` (session to finish).
const INPROC_CASES: [(&str, &str); 4] = [
    ("install", "`Harness::run`"),
    ("install", "`Engine` + `dispatch`"),
    ("update-status", "`Harness::run`"),
    ("update-status", "`Engine` + `dispatch`"),
];

/// The in-process measurements, taken in rounds: every round runs each case in turn, and the
/// rounds are spread over a few seconds after the process runs (a pause before each, so the
/// processes those left behind are gone), so the host's slow spells — seen here as ~2× on
/// allocation-heavy code, for a second or more at a time — weigh on every case alike and on
/// the medians as often as they happen. Each round's install median is kept to show them.
struct Inproc {
    harness: goops_sim::testing::Harness<manage_secrets::ManageSecrets>,
    meta: goops_sim::CharmMeta,
    state: goops_sim::State,
    options: goops_sim::EventOptions,
    per_round: usize,
    times: [Vec<f64>; 4],
    round_medians: Vec<f64>,
    allocations: [f64; 4],
    calls: Vec<String>,
}

/// One in-process row: the event, the API, the time per run and the heap allocations per run.
struct InprocRow {
    event: &'static str,
    api: &'static str,
    time: Summary,
    allocations: f64,
}

impl Inproc {
    /// Check that the harness does the job, count each case's allocations and warm up; `n` runs
    /// per case will be taken over `rounds` rounds.
    fn new(n: usize, rounds: usize) -> Result<Inproc, String> {
        use goops_sim::testing::{End, Harness, On};
        let charm_dir = workspace_root().join("examples/manage-secrets");
        let harness = Harness::<manage_secrets::ManageSecrets>::for_charm(&charm_dir).map_err(|e| e.to_string())?;
        let meta = goops_sim::CharmMeta::from_dir(&charm_dir).map_err(|e| e.to_string())?;
        let state = goops_sim::State::from_json(STATE).map_err(|e| e.to_string())?;
        let first = harness.run(On::install(), &state).map_err(|e| e.to_string())?;
        if first.end != End::Completed || first.state.secrets.is_empty() {
            return Err(format!("in-process install did not do the job: {first:?}"));
        }
        let calls = first.tool_calls.iter().map(|c| format!("{} {}", c.tool, c.args.join(" "))).collect();
        let per_round = n.div_ceil(rounds.max(1));
        let mut inproc = Inproc {
            harness,
            meta,
            state,
            options: goops_sim::EventOptions::default(),
            per_round,
            times: std::array::from_fn(|_| Vec::with_capacity(per_round * rounds)),
            round_medians: Vec::with_capacity(rounds),
            allocations: [0.0; 4],
            calls,
        };
        for case in 0..INPROC_CASES.len() {
            for _ in 0..n / 10 {
                inproc.run(case)?;
            }
            let before = counting::ALLOCATIONS.load(std::sync::atomic::Ordering::Relaxed);
            for _ in 0..100 {
                inproc.run(case)?;
            }
            let after = counting::ALLOCATIONS.load(std::sync::atomic::Ordering::Relaxed);
            #[allow(clippy::cast_precision_loss)] // a few thousand allocations.
            let per_run = (after - before) as f64 / 100.0;
            inproc.allocations[case] = per_run;
        }
        Ok(inproc)
    }

    /// One run of case `case` (an index into `INPROC_CASES`).
    fn run(&self, case: usize) -> Result<(), String> {
        use goops_sim::testing::{End, On};
        let (event, _) = INPROC_CASES[case];
        let install = event == "install";
        // Even cases go through the harness, odd ones through the bare engine.
        if case.is_multiple_of(2) {
            let report = self
                .harness
                .run(if install { On::install() } else { On::update_status() }, &self.state)
                .map_err(|e| e.to_string())?;
            let expected = if install { End::Completed } else { End::Skipped };
            if report.end != expected {
                return Err(format!("in-process {event} ended {:?}", report.end));
            }
            std::hint::black_box(report);
        } else {
            let engine = goops_sim::Engine::for_event(self.state.clone(), self.meta.clone(), event, &self.options)
                .map_err(|e| e.to_string())?;
            let ctx = engine.context().map_err(|e| e.to_string())?;
            let outcome = goops_runtime::dispatch::<manage_secrets::ManageSecrets>(&ctx);
            drop(ctx);
            let report = engine.finish(outcome.exit_code() == 0).ok_or("finished twice")?;
            if !report.committed {
                return Err(format!("in-process {event} failed"));
            }
            std::hint::black_box(report);
        }
        Ok(())
    }

    /// One round: a pause, then `per_round` timed runs of each case in turn.
    fn round(&mut self) -> Result<(), String> {
        std::thread::sleep(INPROC_PAUSE);
        for case in 0..INPROC_CASES.len() {
            let start = self.times[case].len();
            for _ in 0..self.per_round {
                let started = Instant::now();
                self.run(case)?;
                self.times[case].push(started.elapsed().as_secs_f64() * 1e9);
            }
            if case == 0 {
                let median = Summary::of(&self.times[case][start..]).map(|s| s.median);
                self.round_medians.extend(median);
            }
        }
        Ok(())
    }

    /// The table, the install row through the harness and the tool calls of one harness install.
    fn table(self) -> Result<(String, Summary, Vec<String>), String> {
        let rows = INPROC_CASES
            .iter()
            .zip(self.times.iter().zip(self.allocations))
            .map(|(&(event, api), (times, allocations))| {
                let time = Summary::of(times).ok_or_else(|| "no in-process samples".to_owned())?;
                Ok(InprocRow { event, api, time, allocations })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let harness_install = rows.first().map(|r| r.time).ok_or("no in-process rows")?;
        let fastest = self.round_medians.iter().copied().fold(f64::INFINITY, f64::min);
        let slowest = self.round_medians.iter().copied().fold(0.0, f64::max);
        let slow = self.round_medians.iter().filter(|m| **m >= 1.5 * fastest).count();
        let mut out = String::from("\n### In-process, per run (the example charm's own code)\n\n");
        out.push_str(&markdown_table(
            &["event", "API", "median", "p90", "min", "heap allocations", "runs"],
            &rows
                .iter()
                .map(|r| {
                    vec![
                        r.event.to_owned(),
                        r.api.to_owned(),
                        format_ns(r.time.median),
                        format_ns(r.time.p90),
                        format_ns(r.time.min),
                        format!("{:.0}", r.allocations),
                        r.time.n.to_string(),
                    ]
                })
                .collect::<Vec<_>>(),
        ));
        out.push_str(&format!(
            "\nInstall through `Harness::run`, median of each round: fastest {}, slowest {}; {slow} of {} \
             rounds at ≥ 1.5× the fastest (the host's slow spells).\n",
            format_ns(fastest),
            format_ns(slowest),
            self.round_medians.len()
        ));
        Ok((out, harness_install, self.calls))
    }
}

/// Rounds of in-process runs.
const INPROC_ROUNDS: usize = 40;

/// The pause before each round of in-process runs.
const INPROC_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

/// The in-process table: `n` runs per case in [`INPROC_ROUNDS`] rounds.
pub(crate) fn inproc_table(n: usize) -> Result<(String, Summary, Vec<String>), String> {
    let mut inproc = Inproc::new(n, INPROC_ROUNDS)?;
    for _ in 0..INPROC_ROUNDS {
        inproc.round()?;
    }
    inproc.table()
}
