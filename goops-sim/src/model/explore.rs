//! Seeded exploration: run one scenario under many seeds and check an invariant after each
//! settle, and Juju's ordering rules over each seed's whole trace.

use std::ops::Range;
use std::rc::Rc;

use super::{Model, ModelError, invariants};

/// What an exploration ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExploreReport {
    /// Seeds run.
    pub seeds: u64,
    /// Operations run, over all seeds.
    pub hooks: u64,
}

/// The first seed that failed, with its error (which carries the trace).
#[derive(Debug, thiserror::Error)]
#[error("seed {seed} failed: {error}")]
pub struct ExploreFailure {
    /// The seed: `Model::seeded(seed)` replays it.
    pub seed: u64,
    /// What failed (boxed: a model error is large).
    #[source]
    pub error: Box<ModelError>,
    /// The whole trace of the failing run, rendered.
    pub trace: String,
}

/// Run `scenario` on a fresh `Model::seeded(seed)` for each seed; `check` runs after every
/// settle the scenario makes, and Juju's ordering invariants are checked over the trace when
/// the scenario ends. The first failing seed is returned with its error and trace.
pub fn explore(
    seeds: Range<u64>,
    scenario: impl Fn(&mut Model) -> Result<(), ModelError>,
    check: impl Fn(&Model) -> Result<(), String> + 'static,
) -> Result<ExploreReport, ExploreFailure> {
    explore_with(seeds, Model::seeded, scenario, check)
}

/// [`explore`] on models made by `make` from each seed (e.g.
/// `|seed| Model::kubernetes().with_seed(seed)`, or other [`Chaos`](super::Chaos) knobs).
pub fn explore_with(
    seeds: Range<u64>,
    make: impl Fn(u64) -> Model,
    scenario: impl Fn(&mut Model) -> Result<(), ModelError>,
    check: impl Fn(&Model) -> Result<(), String> + 'static,
) -> Result<ExploreReport, ExploreFailure> {
    let check = Rc::new(check);
    let mut report = ExploreReport::default();
    for seed in seeds {
        let mut model = make(seed);
        let each = Rc::clone(&check);
        model.check_after_settle(move |m| each(m));
        let result =
            scenario(&mut model).and_then(|()| {
                invariants::check_trace(&model.trace, model.ctrl.model.model_type).map_err(|violation| {
                    ModelError::Check { message: violation.to_string(), seed: Some(seed), trace: model.trace_tail() }
                })
            });
        report.seeds += 1;
        report.hooks += model.trace.entries.iter().filter(|e| e.event.is_none()).count() as u64;
        if let Err(error) = result {
            return Err(ExploreFailure { seed, error: Box::new(error), trace: model.trace.render() });
        }
    }
    Ok(report)
}
