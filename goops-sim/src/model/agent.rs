//! One unit agent's resolver: compare the controller's state with what the unit has seen
//! ([`AgentState`]) and answer "what runs next?", in the priority order of Juju's uniter
//! (`worker/uniter/resolver.go`). No event queue: hooks follow from the difference, so
//! coalescing (several writes, one relation-changed) comes for free.

use super::controller::{Controller, Op};

/// The ops `unit` may run next: the highest-priority tier that has anything, every entry a
/// legal alternative at that priority (Juju picks among relations, or among secrets, in map
/// order: a free choice). Empty when the unit is idle (or dead). update-status is offered only
/// when the clock has passed a tick the unit has not seen.
pub(crate) fn next_ops(_ctrl: &Controller, _unit: &str) -> Vec<Op> {
    Vec::new()
}

/// Bookkeeping when `op` is chosen, before it runs: entering the relation's scope for
/// relation-created (the unit bag pre-filled with the address keys), as Juju does while
/// choosing the op.
pub(crate) fn begin(_ctrl: &mut Controller, _unit: &str, _op: &Op) {}

/// Bookkeeping after `op` ran and its writes were committed (`ok`) or discarded: mark what it
/// saw, queue the hook it chains to (config-changed → start, …), or hold the unit in error
/// with `failure`.
pub(crate) fn finish(_ctrl: &mut Controller, _unit: &str, _op: &Op, _ok: bool, _failure: Option<String>) {}
