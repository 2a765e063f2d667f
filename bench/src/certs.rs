//! The certificates side-by-side: `examples/certificates` in-process through
//! `goops_sim::testing::Harness::run`, against its Python twin (`bench/scenario-certificates`)
//! under Scenario's `ctx.run`, in rounds that interleave the two so a slow spell of the host
//! hits both alike; and the two costly parts of a fresh install timed alone (CA generation,
//! secret staging), in the same rounds.

use std::time::Instant;

use certificates::Certificates;
use certificates::tls::{self, CaMaterial};
use goops_bench::{Summary, format_ns, format_ratio, markdown_table};
use goops_sim::state::{RotatePolicy, Secret, SecretOwner, SecretRevision, State, StatusName};
use goops_sim::testing::{End, Harness, On, RunReport};

use crate::inproc::counting;
use crate::scenario::Scenario;
use crate::workspace_root;

/// The CA secret's label.
const LABEL: &str = "active-ca-certificates";
/// Its description.
const DESCRIPTION: &str = "ca certificate and private key for the certificates charm";
/// The config default for `ca-common-name`.
const DEFAULT_CN: &str = "goops-rs self-signed CA";

/// The cases both frameworks run, by `bench_scenario.py`'s names: install on a fresh leader
/// (creates the CA), install with the CA secret present, update-status (no handler).
pub(crate) const CASES: [&str; 3] = ["install-fresh", "install-ca-present", "update-status"];

/// The parts of install-fresh timed alone (goops-rs only), after the cases.
const PARTS: [&str; 2] = ["generate-ca", "stage-secret"];

/// Rounds of the side-by-side.
const ROUNDS: usize = 40;

/// The pause before each round (lets what the previous round freed settle, and spreads the
/// rounds over more of the host's spells).
const PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

/// The goops-rs side: the harness, each case's input state, and a CA for the parts.
pub(crate) struct Cases {
    harness: Harness<Certificates>,
    fresh: State,
    ca_present: State,
    ca: CaMaterial,
}

/// A leader unit of the certificates application.
fn leader() -> State {
    State { unit: "certificates/0".to_owned(), leader: true, ..State::default() }
}

impl Cases {
    /// Build the cases and check, once each, that they do the job (as `bench_scenario.py`
    /// checks its own), so a broken charm cannot be timed silently.
    pub(crate) fn new() -> Result<Cases, String> {
        let harness = Harness::<Certificates>::for_charm(workspace_root().join("examples/certificates"))
            .map_err(|e| e.to_string())?;
        let ca = tls::generate_ca(DEFAULT_CN).map_err(|e| e.to_string())?;
        let secret = Secret {
            id: "secret:d0aaaaaaaaaaaaaaaaaa".to_owned(),
            owner: Some(SecretOwner::Application),
            label: Some(LABEL.to_owned()),
            description: Some(DESCRIPTION.to_owned()),
            expire: Some(chrono::Utc::now() + chrono::Duration::days(365)),
            rotate: Some(RotatePolicy::Never),
            revisions: vec![SecretRevision {
                revision: 1,
                content: [
                    ("private-key".to_owned(), ca.private_key_pem.clone()),
                    ("ca-certificate".to_owned(), ca.certificate_pem.clone()),
                ]
                .into(),
                ..SecretRevision::default()
            }],
            ..Secret::default()
        };
        let ca_present = State { secrets: vec![secret], ..leader() };
        let cases = Cases { harness, fresh: leader(), ca_present, ca };
        for (case, name) in CASES.iter().enumerate() {
            let (on, state) = cases.input(case);
            let report = cases.harness.run(on, state).map_err(|e| format!("{name}: {e}"))?;
            cases.check(case, &report).map_err(|e| format!("goops-rs {name} did not do the job: {e}"))?;
        }
        Ok(cases)
    }

    fn input(&self, case: usize) -> (On, &State) {
        match case {
            0 => (On::install(), &self.fresh),
            1 => (On::install(), &self.ca_present),
            _ => (On::update_status(), &self.fresh),
        }
    }

    /// What `bench_scenario.py` checks of its own run of the same case.
    fn check(&self, case: usize, out: &RunReport) -> Result<(), String> {
        let fail = |what: &str| Err(format!("{what}: {out:?}"));
        match case {
            0 => {
                let Some(secret) = out.secret_by_label(LABEL) else { return fail("no CA secret") };
                let Some(content) = secret.content(secret.latest()) else { return fail("no content") };
                let keys: Vec<&str> = content.keys().map(String::as_str).collect();
                if out.end != End::Completed
                    || secret.owner != Some(SecretOwner::Application)
                    || secret.description.as_deref() != Some(DESCRIPTION)
                    || secret.rotate != Some(RotatePolicy::Never)
                    || secret.expire.is_none()
                    || keys != ["ca-certificate", "private-key"]
                    || !content["private-key"].starts_with("-----BEGIN PRIVATE KEY-----")
                    || !out.log_messages().contains(&format!("Created new secret with ID: {}", secret.id).as_str())
                    || !out.logs_at("INFO").iter().any(|m| m.contains("revision 1, expires"))
                    || out.state.unit_status.status != StatusName::Active
                    || !self.fresh.secrets.is_empty()
                {
                    return fail("not the fresh install's job");
                }
            }
            1 => {
                // Reading the secret may record the revision this unit has seen (`tracked`);
                // anything else changed would be a new revision or a new secret.
                let untracked = |secrets: &[Secret]| -> Vec<Secret> {
                    secrets.iter().cloned().map(|s| Secret { tracked: None, ..s }).collect()
                };
                if out.end != End::Completed
                    || untracked(&out.state.secrets) != untracked(&self.ca_present.secrets)
                    || !out.calls_of("secret-add").is_empty()
                    || out.state.unit_status.status != StatusName::Active
                {
                    return fail("not the install with the CA present");
                }
            }
            _ => {
                if out.end != End::Skipped || !out.state.secrets.is_empty() || !out.tool_calls.is_empty() {
                    return fail("update-status did something");
                }
            }
        }
        Ok(())
    }

    /// One run of a case (an index into [`CASES`]), or of a part (past them).
    fn run(&self, case: usize) -> Result<(), String> {
        if case >= CASES.len() {
            return self.part(case - CASES.len());
        }
        let (on, state) = self.input(case);
        let report = self.harness.run(on, state).map_err(|e| format!("{}: {e}", CASES[case]))?;
        let expected = if case == 2 { End::Skipped } else { End::Completed };
        if report.end != expected {
            return Err(format!("goops-rs {} ended {:?}", CASES[case], report.end));
        }
        std::hint::black_box(report);
        Ok(())
    }

    /// One run of a part of install-fresh: the CA generated (what `configure` calls), or the
    /// two PEMs staged in private files and removed again (what the runtime does for the
    /// `secret-add`, through the same `secret_files::stage`).
    fn part(&self, part: usize) -> Result<(), String> {
        if part == 0 {
            let ca = tls::generate_ca(DEFAULT_CN).map_err(|e| e.to_string())?;
            std::hint::black_box(ca);
        } else {
            let content: goops_runtime::SecretContent = [
                ("private-key".to_owned(), self.ca.private_key_pem.as_str().into()),
                ("ca-certificate".to_owned(), self.ca.certificate_pem.as_str().into()),
            ]
            .into();
            let files = goops_runtime::secret_files::stage(&content).map_err(|e| e.to_string())?;
            std::hint::black_box(files.args());
            drop(files);
        }
        Ok(())
    }
}

/// `n` runs of `case` (a name of [`CASES`] or [`PARTS`]) on goops-rs alone, for a profiler:
/// `valgrind --tool=callgrind --toggle-collect='*callgrind_loop*' goops-bench --repeat CASE N`
/// counts only the loop. Prints the mean wall time per run (one number, no rounds: a quick
/// look, e.g. at a debug build).
pub(crate) fn repeat(case: &str, n: usize) -> Result<(), String> {
    let index = CASES
        .iter()
        .chain(&PARTS)
        .position(|c| *c == case)
        .ok_or_else(|| format!("--repeat: no case {case:?} (one of {CASES:?} or {PARTS:?})"))?;
    let cases = Cases::new()?;
    let started = Instant::now();
    callgrind_loop(&cases, index, n)?;
    #[allow(clippy::cast_precision_loss)] // a count of runs.
    let mean = started.elapsed().as_secs_f64() * 1e9 / n as f64;
    eprintln!("{n} runs of {case}: {} per run (mean)", format_ns(mean));
    Ok(())
}

#[inline(never)]
fn callgrind_loop(cases: &Cases, index: usize, n: usize) -> Result<(), String> {
    for _ in 0..n {
        cases.run(index)?;
    }
    Ok(())
}

/// The measurements of the side-by-side.
struct Samples {
    /// goops-rs: the cases, then the parts.
    rust: [Vec<f64>; 5],
    /// Scenario: the cases.
    python: [Vec<f64>; 3],
    /// Per case, Scenario's median over goops-rs's in each round.
    round_ratios: [Vec<f64>; 3],
    /// goops-rs heap allocations per run (cases, then parts).
    allocations: [f64; 5],
}

/// What the side-by-side gives the report: its Markdown and its rows of the targets table.
pub(crate) struct SideBySide {
    pub(crate) markdown: String,
    pub(crate) targets: Vec<Vec<String>>,
}

/// Run the side-by-side: `rust_runs` goops-rs runs of each case and part, and, with
/// `scenario`, `python_runs` Scenario runs of each case, over [`ROUNDS`] rounds. In a round
/// each case takes its turn (the order rotating from round to round), its goops-rs batch and
/// its Scenario batch back to back (which goes first alternating), then the parts.
pub(crate) fn side_by_side(
    rust_runs: usize,
    python_runs: usize,
    mut scenario: Option<Scenario>,
) -> Result<SideBySide, String> {
    let cases = Cases::new()?;
    let total = CASES.len() + PARTS.len();
    let mut samples = Samples {
        rust: std::array::from_fn(|_| Vec::with_capacity(rust_runs + ROUNDS)),
        python: std::array::from_fn(|_| Vec::with_capacity(python_runs + ROUNDS)),
        round_ratios: std::array::from_fn(|_| Vec::with_capacity(ROUNDS)),
        allocations: [0.0; 5],
    };
    // Warm up, and count allocations (over 20 runs: a fresh install is ~0.1 ms).
    for case in 0..total {
        for _ in 0..(rust_runs / 20).max(5) {
            cases.run(case)?;
        }
        let before = counting::ALLOCATIONS.load(std::sync::atomic::Ordering::Relaxed);
        for _ in 0..20 {
            cases.run(case)?;
        }
        let after = counting::ALLOCATIONS.load(std::sync::atomic::Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss)] // a few thousand allocations.
        let per_run = (after - before) as f64 / 20.0;
        samples.allocations[case] = per_run;
    }
    let rust_per_round = rust_runs.div_ceil(ROUNDS);
    let python_per_round = python_runs.div_ceil(ROUNDS);
    let time_rust = |case: usize, into: &mut Vec<f64>| -> Result<(), String> {
        for _ in 0..rust_per_round {
            let started = Instant::now();
            cases.run(case)?;
            into.push(started.elapsed().as_secs_f64() * 1e9);
        }
        Ok(())
    };
    for round in 0..ROUNDS {
        std::thread::sleep(PAUSE);
        for k in 0..CASES.len() {
            let case = (k + round) % CASES.len();
            let rust_start = samples.rust[case].len();
            let python_start = samples.python[case].len();
            let mut python_batch = |samples: &mut Samples| -> Result<(), String> {
                if let Some(scenario) = scenario.as_mut() {
                    samples.python[case].extend(scenario.time(CASES[case], python_per_round)?);
                }
                Ok(())
            };
            if (round + k) % 2 == 0 {
                time_rust(case, &mut samples.rust[case])?;
                python_batch(&mut samples)?;
            } else {
                python_batch(&mut samples)?;
                time_rust(case, &mut samples.rust[case])?;
            }
            let rust = Summary::of(&samples.rust[case][rust_start..]);
            let python = Summary::of(&samples.python[case][python_start..]);
            if let (Some(rust), Some(python)) = (rust, python) {
                samples.round_ratios[case].push(python.median / rust.median);
            }
        }
        for part in CASES.len()..total {
            time_rust(part, &mut samples.rust[part])?;
        }
    }
    let versions = scenario.as_ref().map(|s| s.versions.clone());
    report(&samples, versions.as_deref())
}

/// `median (p10–p90)`.
fn spread(s: &Summary) -> String {
    format!("{} ({}–{})", format_ns(s.median), format_ns(s.p10), format_ns(s.p90))
}

/// The tables; `versions` of the Scenario side when it ran.
fn report(samples: &Samples, versions: Option<&str>) -> Result<SideBySide, String> {
    let with_scenario = versions.is_some();
    let summary = |v: &[f64]| Summary::of(v).ok_or_else(|| "no side-by-side samples".to_owned());
    let rust: Vec<Summary> = samples.rust.iter().map(|v| summary(v)).collect::<Result<_, _>>()?;
    let python: Vec<Option<Summary>> = samples.python.iter().map(|v| Summary::of(v)).collect();
    let mut out = String::from(
        "\n### In-process, certificates: goops-rs's `Harness::run` vs Scenario's `ctx.run`, interleaved\n\n",
    );
    out.push_str(&format!("{ROUNDS} rounds; Scenario side: {}.\n\n", versions.unwrap_or("not run (--no-scenario)")));
    let mut rows = Vec::new();
    for (case, name) in CASES.iter().enumerate() {
        let ratios = Summary::of(&samples.round_ratios[case]);
        rows.push(vec![
            (*name).to_owned(),
            spread(&rust[case]),
            python[case].as_ref().map_or_else(|| "not run".to_owned(), spread),
            python[case].map_or_else(|| "–".to_owned(), |p| format_ratio(p.median, rust[case].median)),
            ratios.map_or_else(
                || "–".to_owned(),
                |r| {
                    let max = samples.round_ratios[case].iter().copied().fold(0.0, f64::max);
                    format!("{} – {}", format_ratio(r.min, 1.0), format_ratio(max, 1.0))
                },
            ),
            format!("{:.0}", samples.allocations[case]),
            format!("{} / {}", rust[case].n, python[case].map_or(0, |p| p.n)),
        ]);
    }
    out.push_str(&markdown_table(
        &[
            "case",
            "goops-rs median (p10–p90)",
            "Scenario median (p10–p90)",
            "Scenario / goops-rs",
            "ratio per round, min – max",
            "goops-rs heap allocations",
            "runs (goops-rs / Scenario)",
        ],
        &rows,
    ));

    let fresh = rust[0].median;
    let part_rows: Vec<Vec<String>> = [
        (
            "`tls::generate_ca` alone: P-256 key pair (ring) and the self-signed certificate (rcgen), PEM",
            rust[3],
            samples.allocations[3],
        ),
        (
            "`secret_files::stage` + drop alone: the two PEMs in 0600 files on /dev/shm, zeroed and removed",
            rust[4],
            samples.allocations[4],
        ),
    ]
    .into_iter()
    .map(|(what, s, allocations)| {
        vec![what.to_owned(), spread(&s), format!("{:.0} %", 100.0 * s.median / fresh), format!("{allocations:.0}")]
    })
    .collect();
    out.push_str("\nThe two costly parts of goops-rs's install-fresh, timed alone in the same rounds:\n\n");
    out.push_str(&markdown_table(
        &["part", "median (p10–p90)", "of install-fresh's median", "heap allocations"],
        &part_rows,
    ));
    let rest = fresh - rust[3].median - rust[4].median;
    out.push_str(&format!(
        "\nThe rest of install-fresh (harness, simulator, runtime, the charm's other calls): ~{} \
         (install-ca-present, the same hook finding the CA instead, takes {}).\n",
        format_ns(rest.max(0.0)),
        format_ns(rust[1].median)
    ));
    if let Some(p) = python[0] {
        out.push_str(&format!(
            "Ceiling for install-fresh: with a harness, simulator and runtime that took no time at all, the \
             two parts alone would make it {} faster than Scenario (the key generation alone {}).\n",
            format_ratio(p.median, rust[3].median + rust[4].median),
            format_ratio(p.median, rust[3].median)
        ));
    }

    let mut targets = Vec::new();
    for (case, what) in [(0, "fresh leader, creates the CA"), (1, "CA secret present")] {
        let target = format!("certificates install ({what}) in-process ≥ 100× faster than Scenario");
        let row = match python[case] {
            Some(p) => {
                let ratio = p.median / rust[case].median;
                let measured = format!(
                    "{} ({} vs {}; 100× needs ≤ {})",
                    format_ratio(p.median, rust[case].median),
                    format_ns(rust[case].median),
                    format_ns(p.median),
                    format_ns(p.median / 100.0)
                );
                let verdict = if ratio >= 100.0 {
                    "met".to_owned()
                } else {
                    format!("**not met** ({:.2}× short)", 100.0 / ratio)
                };
                vec![target, measured, verdict]
            }
            None if with_scenario => vec![target, "no Scenario samples".to_owned(), "**not measured**".to_owned()],
            None => vec![target, format_ns(rust[case].median), "not measured (--no-scenario)".to_owned()],
        };
        targets.push(row);
    }
    Ok(SideBySide { markdown: out, targets })
}
