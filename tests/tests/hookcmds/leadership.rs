//! `is-leader` (docs/hook-tools.md §4.2, rule 18), and `Context`'s cached leadership. Its one
//! failure, `leadership status unknown: <err>`, needs a failing controller: the error mapping
//! is in goops-runtime's tests.

use goops_runtime::hookcmds::leadership;
use goops_sim::State;

use crate::Coverage;
use crate::support::{finish, hook, v};

pub(crate) const COVERAGE: Coverage =
    &[("is_leader", &[the_unit_knows_whether_it_leads, the_context_asks_once_per_hook])];

#[test]
pub(crate) fn the_unit_knows_whether_it_leads() {
    for leader in [true, false] {
        let engine = hook(State { leader, ..State::default() }, "update-status");
        assert_eq!(leadership::is_leader(&engine).expect("is-leader"), leader);
        assert_eq!(leadership::is_leader(&engine).expect("is-leader"), leader, "the same answer again");
        let report = finish(&engine, true);
        assert_eq!(crate::support::argvs(&report, "is-leader"), [v(&["--format=json"]), v(&["--format=json"])]);
    }
}

#[test]
pub(crate) fn the_context_asks_once_per_hook() {
    for leader in [true, false] {
        let engine = hook(State { leader, ..State::default() }, "update-status");
        let ctx = engine.context().expect("a context");
        for _ in 0..3 {
            assert_eq!(ctx.is_leader().expect("is-leader"), leader);
        }
        let report = finish(&engine, true);
        assert_eq!(report.calls_of("is-leader").len(), 1, "leader={leader}: {:?}", report.tool_calls);
    }
}
