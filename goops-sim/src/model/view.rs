//! A unit's view of the model as a single-unit [`State`] for one hook, and the commit of the
//! hook's writes back into the controller, as Juju's controller applies a hook's changes.

use super::ModelError;
use super::controller::{Controller, Op};
use crate::state::State;
use crate::testing::{On, RunReport};

/// The state `unit` sees when running `op`, and the harness event for it.
pub(crate) fn project(_ctrl: &Controller, unit: &str, op: &Op) -> Result<(State, On), ModelError> {
    Err(ModelError::Invalid(format!("cannot yet run {} on {unit}", op.hook)))
}

/// Apply a run of `op` on `unit`: when `ok`, its writes (relation bags, statuses, secrets,
/// leader settings, unit state, ports, workload version) move into the controller with
/// versions bumped on effective change; whatever the end, workload changes (containers) and
/// logs stand. `before` is the projected state. Returns one short line per change, for the
/// trace (never a secret value).
pub(crate) fn commit(
    _ctrl: &mut Controller,
    _unit: &str,
    _op: &Op,
    _before: &State,
    _after: &RunReport,
    _ok: bool,
) -> Vec<String> {
    Vec::new()
}
