//! `juju-reboot` (docs/hook-tools.md §4.2, §1.5, rule 23).

use goops_runtime::hookcmds::reboot;
use goops_sim::State;
use goops_sim::state::Reboot;

use crate::Coverage;
use crate::support::{Kind, assert_juju_error, err, finish, hook, v};

pub(crate) const COVERAGE: Coverage = &[(
    "juju_reboot",
    &[a_reboot_happens_after_a_successful_hook, a_reboot_now_happens_at_once, actions_cannot_reboot],
)];

#[test]
pub(crate) fn a_reboot_happens_after_a_successful_hook() {
    let engine = hook(State::default(), "upgrade-charm");
    reboot::juju_reboot(&engine, false).expect("requested");
    let report = finish(&engine, true);
    assert_eq!(report.state.reboot, Some(Reboot { now: false }));
    assert_eq!(crate::support::argvs(&report, "juju-reboot"), [Vec::<String>::new()]);

    // Without --now the machine reboots once the hook has completed successfully (§4.2).
    let engine = hook(State::default(), "upgrade-charm");
    reboot::juju_reboot(&engine, false).expect("requested");
    assert_eq!(finish(&engine, false).state.reboot, None);
}

#[test]
pub(crate) fn a_reboot_now_happens_at_once() {
    let engine = hook(State::default(), "upgrade-charm");
    reboot::juju_reboot(&engine, true).expect("requested");
    // Juju kills the hook process at once: the hook does not succeed, the reboot happens anyway.
    let report = finish(&engine, false);
    assert_eq!(report.state.reboot, Some(Reboot { now: true }));
    assert_eq!(crate::support::argvs(&report, "juju-reboot"), [v(&["--now"])]);
}

#[test]
pub(crate) fn actions_cannot_reboot() {
    let engine = crate::support::action(State::default(), "restore", serde_json::json!({}));
    for now in [false, true] {
        let error = err(reboot::juju_reboot(&engine, now));
        // Note the final full stop: Juju's text (§4.2).
        assert_juju_error(
            &error,
            Kind::ToolFailed(1),
            "juju-reboot",
            "juju-reboot is not supported when running an action.",
        );
    }
    assert_eq!(finish(&engine, true).state.reboot, None);
}
