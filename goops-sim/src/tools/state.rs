//! `state-get`, `state-set`, `state-delete`: server-side unit state.

use super::{Call, Formats, Out, ToolDef, ToolResult, bag_val, check_empty, fail, file_and_arg_settings};
use crate::flags::FlagSpec;
use crate::format::Val;
use crate::session::Session;
use crate::state::Bag;

pub(super) const TOOLS: &[&ToolDef] = &[&STATE_GET, &STATE_SET, &STATE_DELETE];

const STATE_GET: ToolDef = ToolDef {
    name: "state-get",
    args: "[<key>]",
    purpose: "print server-side-state value",
    flags: &[FlagSpec::boolean(&["strict"], "Return an error if the requested key does not exist")],
    formats: Formats::All,
    run: state_get,
};

const STATE_SET: ToolDef = ToolDef {
    name: "state-set",
    args: "key=value [key=value ...]",
    purpose: "set server-side-state values",
    flags: &[FlagSpec::value(&["file"], "FILE", "file containing key-value pairs")],
    formats: Formats::None,
    run: state_set,
};

const STATE_DELETE: ToolDef = ToolDef {
    name: "state-delete",
    args: "<key>",
    purpose: "delete server-side-state key value pairs",
    flags: &[],
    formats: Formats::None,
    run: state_delete,
};

fn current(session: &Session) -> Bag {
    session.pending.unit_state.clone().unwrap_or_else(|| session.state.unit_state.clone())
}

fn state_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    if args.len() > 1 {
        return Err(super::unrecognized(&args[1..]));
    }
    let bag = current(session);
    match args.first().copied().filter(|k| *k != "-") {
        None if bag.is_empty() => Ok(Out::Value(Val::NilMap)),
        None => Ok(Out::Value(bag_val(&bag))),
        Some(key) => match bag.get(key) {
            Some(v) => Ok(Out::Value(Val::str(v.clone()))),
            None if call.parsed.flag("strict") => Err(fail(format!("{key:?} not found"))),
            None => Ok(Out::Value(Val::str(""))),
        },
    }
}

fn state_set(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let settings = file_and_arg_settings(call)?;
    for (k, v) in &settings {
        crate::state::check_charm_state_entry(k, v).map_err(fail)?;
    }
    let mut bag = current(session);
    for (k, v) in settings {
        bag.insert(k, v);
    }
    session.pending.unit_state = Some(bag);
    Ok(Out::None)
}

fn state_delete(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    let Some(key) = args.first() else { return Ok(Out::None) };
    check_empty(&args[1..])?;
    let mut bag = current(session);
    if bag.remove(*key).is_some() {
        session.pending.unit_state = Some(bag);
    }
    Ok(Out::None)
}
