//! The order a model runs things in: Juju's typical order, or one drawn with a seed among the
//! legal orders (docs/model.md, "free choices").

/// How much a seeded model varies the order. Probabilities are per choice point.
#[derive(Debug, Clone, PartialEq)]
pub struct Chaos {
    /// Chance that an idle unit runs update-status at a choice point.
    pub update_status: f64,
    /// Chance that the lease moves to another unit between two hooks.
    pub leader_change: f64,
    /// Chance that a hook fails transiently after running (writes discarded, retried).
    pub transient_failure: f64,
}

impl Default for Chaos {
    fn default() -> Self {
        Chaos { update_status: 0.05, leader_change: 0.01, transient_failure: 0.02 }
    }
}
