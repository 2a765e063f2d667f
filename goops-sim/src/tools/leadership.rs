//! `is-leader`, `leader-get`, `leader-set` (the last two Juju 3.x only).

use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty, fail, is_leader, usage};
use crate::format::Val;
use crate::session::Session;

pub(super) const TOOLS: &[&ToolDef] = &[&IS_LEADER, &LEADER_GET, &LEADER_SET];

const IS_LEADER: ToolDef = ToolDef {
    name: "is-leader",
    args: "",
    purpose: "print application leadership status",
    flags: &[],
    formats: Formats::All,
    run: is_leader_tool,
};

const LEADER_GET: ToolDef = ToolDef {
    name: "leader-get",
    args: "[<key>]",
    purpose: "print application leadership settings",
    flags: &[],
    formats: Formats::All,
    run: leader_get,
};

const LEADER_SET: ToolDef = ToolDef {
    name: "leader-set",
    args: "<key>=<value> [...]",
    purpose: "write application leadership settings",
    flags: &[],
    formats: Formats::None,
    run: leader_set,
};

fn is_leader_tool(session: &mut Session, call: &Call<'_>) -> ToolResult {
    check_empty(call.args())?;
    Ok(Out::Value(Val::Bool(is_leader(session))))
}

fn leader_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    if args.len() > 1 {
        return Err(super::unrecognized(&args[1..]));
    }
    let settings = &session.state.leader_settings;
    match args.first().copied().filter(|k| *k != "-") {
        Some(key) if key.contains('=') => Err(usage(format!("invalid key {key:?}"))),
        Some(key) => Ok(Out::Value(settings.get(key).map(|v| Val::str(v.clone())).unwrap_or(Val::Nil))),
        None => Ok(Out::Value(super::bag_val(settings))),
    }
}

/// Juju 3.x writes leader settings at once, not at the end of the hook.
fn leader_set(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let pairs = super::parse_key_values(call.args(), true).map_err(super::usage)?;
    if !is_leader(session) {
        return Err(fail("cannot write leadership settings: cannot write settings: not the leader"));
    }
    for (k, v) in pairs {
        if v.is_empty() {
            session.state.leader_settings.remove(&k);
        } else {
            session.state.leader_settings.insert(k, v);
        }
    }
    Ok(Out::None)
}
