//! How a model runs one application's charm: in-process (a [`Harness`] of a Rust charm) or as a
//! process (any `dispatch`, under `goops-sim run`).

use goops_juju::charmcraft::CharmMeta;

use super::controller::CharmSource;
use crate::state::State;
use crate::testing::{HarnessError, On, RunReport};

/// A charm a model can run: one hook on one unit's state at a time.
pub trait ModelCharm {
    /// The charm's metadata.
    fn meta(&self) -> &CharmMeta;
    /// Where it comes from, for the model's JSON.
    fn source(&self) -> CharmSource;
    /// Run `event` on `state` (the unit's view of the model).
    fn run(&self, event: On, state: &State) -> Result<RunReport, HarnessError>;
}
