//! The order a model runs things in: Juju's typical order, or one drawn with a seed among the
//! legal orders (docs/model.md, "free choices").
//!
//! The seeded order comes from a small generator of our own (splitmix64): its whole state is
//! one `u64`, so a model's JSON can carry it and a resumed run draws what the original would
//! have drawn, and no dependency's algorithm change can alter what a seed replays.

use serde::{Deserialize, Serialize};

use super::controller::{self, Life, Op};
use super::{Budget, Model, agent};

/// How much a seeded model varies the order. Probabilities are per choice point.
///
/// Interleaving units and picking among the legal alternatives of one priority (two relations,
/// two secrets) are always drawn in a seeded model; these knobs add the events Juju may insert.
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

impl Chaos {
    /// No inserted events: a seeded model then varies only interleaving and the choice among
    /// legal alternatives.
    pub fn none() -> Chaos {
        Chaos { update_status: 0.0, leader_change: 0.0, transient_failure: 0.0 }
    }
}

/// Lease moves the scheduler may make in one settle (Juju can move it at any time; a bound
/// keeps every settle finite).
pub(crate) const MAX_LEASE_MOVES_PER_SETTLE: u32 = 2;
/// Injected failures per unit in one settle (each is retried, so a bound keeps it finite).
pub(crate) const MAX_INJECTED_FAILURES_PER_UNIT: u32 = 2;
/// Extra update-status runs the scheduler may insert in one settle, per unit of the model.
pub(crate) const MAX_UPDATE_STATUS_PER_UNIT: u32 = 2;

/// splitmix64 (Steele, Lea, Flood 2014): a 64-bit state, one add and a mix per draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    /// A generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0; 0 when `n` is 0). Multiply-shift: unbiased enough for
    /// choosing among a handful of units.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `p`. A knob at 0 draws nothing, so turning it off costs nothing
    /// (and changes which orders the other draws of a seed give).
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        // 53 random bits as a float in [0, 1).
        let x = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        x < p
    }

    /// One element of `items`, by index.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.below(items.len()))
    }
}

/// The scheduler's choices inside [`Model::settle`].
impl Model {
    /// Choose the unit and the op: typical order = round-robin over the units with work and
    /// the first op of the tier; seeded = any unit with work and any op of its tier.
    pub(super) fn pick(&mut self, mut with_work: Vec<(String, Vec<Op>)>) -> (String, Op) {
        let index = match &mut self.rng {
            Some(rng) => rng.below(with_work.len()),
            None => {
                let after = self.cursor.as_deref().map(controller::unit_sort_key);
                with_work
                    .iter()
                    .position(|(u, _)| after.as_ref().is_none_or(|a| controller::unit_sort_key(u) > *a))
                    .unwrap_or(0)
            }
        };
        let (unit, mut ops) = with_work.swap_remove(index);
        let op = match &mut self.rng {
            Some(rng) => ops.swap_remove(rng.below(ops.len())),
            None => ops.swap_remove(0),
        };
        (unit, op)
    }

    /// Seeded: maybe move an application's lease to another alive unit between two hooks
    /// (juju-model.md §8.2 F4). The deposed unit runs leader-settings-changed, the new holder
    /// leader-elected.
    pub(super) fn maybe_move_lease(&mut self, budget: &mut Budget) {
        if budget.lease_moves >= MAX_LEASE_MOVES_PER_SETTLE {
            return;
        }
        let Some(rng) = &mut self.rng else { return };
        if !rng.chance(self.chaos.leader_change) {
            return;
        }
        // A unit in error may resign but not accept leadership (§6): only healthy units claim.
        // Nor does the lease leave a holder in error: its retry may be leader-elected, which
        // Juju would then skip, and the trace cannot show a skip (the invariants would read the
        // error as never cleared).
        let holder_in_error = |a: &controller::Application| {
            a.leader.as_ref().and_then(|l| self.ctrl.units.get(l)).is_some_and(|u| u.agent.error.is_some())
        };
        let moves: Vec<(String, String)> = self
            .ctrl
            .applications
            .values()
            .filter(|a| a.life == Life::Alive && !holder_in_error(a))
            .flat_map(|a| {
                self.ctrl
                    .units_of(&a.name)
                    .into_iter()
                    .filter(|u| {
                        Some(u) != a.leader.as_ref()
                            && self.ctrl.units.get(u).is_some_and(|x| x.life == Life::Alive && x.agent.error.is_none())
                    })
                    .map(|u| (a.name.clone(), u))
                    .collect::<Vec<_>>()
            })
            .collect();
        let Some((app, unit)) = rng.pick(&moves).cloned() else { return };
        budget.lease_moves += 1;
        self.set_lease(&app, Some(unit));
    }

    /// Seeded: maybe let one idle started unit's update-status timer fire (§8.2 F8).
    pub(super) fn maybe_update_status(&mut self, budget: &mut Budget) {
        let units = self.ctrl.units.len() as u32;
        if budget.update_status >= MAX_UPDATE_STATUS_PER_UNIT.saturating_mul(units) {
            return;
        }
        let Some(rng) = &mut self.rng else { return };
        if !rng.chance(self.chaos.update_status) {
            return;
        }
        let idle: Vec<String> = self
            .ctrl
            .unit_names()
            .into_iter()
            .filter(|u| {
                self.ctrl
                    .units
                    .get(u)
                    .is_some_and(|x| x.life == Life::Alive && x.agent.started && x.agent.error.is_none())
                    && agent::next_ops(&self.ctrl, u).is_empty()
            })
            .collect();
        let Some(unit) = rng.pick(&idle).cloned() else { return };
        budget.update_status += 1;
        // One unit's timer fires: the tick moves on, and every other unit that had seen the
        // old tick is taken to have seen this one too (their timers have not fired).
        let old = self.ctrl.update_status_tick;
        self.ctrl.update_status_tick += 1;
        for (name, u) in &mut self.ctrl.units {
            if *name != unit && u.agent.update_status_tick_seen == old {
                u.agent.update_status_tick_seen = old + 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs of splitmix64 seeded with 1234567 (the reference C implementation's
        // sequence, as printed by Vigna's splitmix64.c).
        let mut rng = Rng::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn below_stays_in_range_and_reaches_every_value() {
        let mut rng = Rng::new(7);
        let mut seen = [false; 5];
        for _ in 0..200 {
            let i = rng.below(5);
            assert!(i < 5);
            seen[i] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(rng.below(0), 0);
    }

    #[test]
    fn chance_follows_its_probability() {
        let mut rng = Rng::new(42);
        assert!(!(0..100).any(|_| rng.chance(0.0)));
        assert!((0..100).all(|_| rng.chance(1.0)));
        let hits = (0..10_000).filter(|_| rng.chance(0.25)).count();
        assert!((2_000..3_000).contains(&hits), "{hits}");
    }
}
