//! `juju-reboot`.

use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty, fail};
use crate::flags::FlagSpec;
use crate::session::Session;

pub(super) const TOOLS: &[&ToolDef] = &[&JUJU_REBOOT];

const JUJU_REBOOT: ToolDef = ToolDef {
    name: "juju-reboot",
    args: "",
    purpose: "Reboot the host machine",
    flags: &[FlagSpec::boolean(&["now"], "reboot immediately, killing the invoking process")],
    formats: Formats::None,
    run: juju_reboot,
};

fn juju_reboot(session: &mut Session, call: &Call<'_>) -> ToolResult {
    check_empty(call.args())?;
    if session.event.is_action() {
        return Err(fail("juju-reboot is not supported when running an action."));
    }
    if call.parsed.flag("now") {
        session.reboot_now = true;
    } else {
        session.pending.reboot = true;
    }
    Ok(Out::None)
}
