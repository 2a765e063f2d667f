//! `juju-reboot`.

use super::{args, run};
use crate::error::Result;
use crate::tools::HookTools;

/// `juju-reboot [--now]`: reboot the machine after the hook (or, with `now`, at once: Juju then
/// kills this process and re-runs the hook after the reboot, so the caller should exit).
pub fn juju_reboot(tools: &dyn HookTools, now: bool) -> Result<()> {
    let argv = if now { args(["--now"]) } else { Vec::new() };
    run(tools, "juju-reboot", &argv, None).map(drop)
}
