//! `status-get`, `status-set`.

use chrono::Utc;

use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty, fail, is_leader, usage};
use crate::flags::FlagSpec;
use crate::format::Val;
use crate::session::Session;
use crate::state::{StatusName, StatusRecord};

pub(super) const TOOLS: &[&ToolDef] = &[&STATUS_GET, &STATUS_SET];

const STATUS_GET: ToolDef = ToolDef {
    name: "status-get",
    args: "[--include-data] [--application]",
    purpose: "print status information",
    flags: &[
        FlagSpec::boolean(&["include-data"], "print all status data"),
        FlagSpec::boolean(
            &["application"],
            "print status for all units of this application if this unit is the leader",
        ),
    ],
    formats: Formats::All,
    run: status_get,
};

const STATUS_SET: ToolDef = ToolDef {
    name: "status-set",
    args: "<maintenance | blocked | waiting | active> [message]",
    purpose: "set status information",
    flags: &[FlagSpec::boolean(
        &["application"],
        "set this status for the application to which the unit belongs if the unit is the leader",
    )],
    formats: Formats::None,
    run: status_set,
};

/// The statuses a charm may set (goops-juju's `StatusName::is_settable`), in the order Juju's
/// error message lists them.
const SETTABLE: [&str; 4] = ["maintenance", "blocked", "waiting", "active"];

fn status_val(status: &StatusRecord, include_data: bool, smart_word: bool) -> Val {
    if smart_word && !include_data {
        return Val::str(status.status.as_str());
    }
    let mut fields = vec![("status", Val::str(status.status.as_str()))];
    if include_data {
        fields.push(("message", Val::str(status.message.clone())));
        fields.push(("status-data", Val::map(status.data.iter().map(|(k, v)| (k.clone(), Val::from_json(v))))));
    }
    Val::map(fields)
}

fn status_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    check_empty(call.args())?;
    let include_data = call.parsed.flag("include-data");
    let smart = call.parsed.value("format").is_none_or(|f| f == "smart");
    if call.parsed.flag("application") {
        if !is_leader(session) {
            return Err(fail("finding application status: this unit is not the leader"));
        }
        let state = &session.state;
        if smart && !include_data {
            return Ok(Out::Value(Val::str(state.app_status.status.as_str())));
        }
        let mut app = match status_val(&state.app_status, include_data, false) {
            Val::Map(entries, kind) => (entries, kind),
            _ => (Vec::new(), crate::format::MapKind::Sorted),
        };
        // Every unit of the application: this one, the ones given in the state, and peers
        // (whose status is unknown unless the state says otherwise).
        let mut units: std::collections::BTreeMap<String, StatusRecord> = state.peer_unit_statuses.clone();
        for relation in state.relations.iter().filter(|r| r.peer) {
            for unit in relation.remote_units.keys() {
                units.entry(unit.clone()).or_default();
            }
        }
        units.insert(state.unit.clone(), state.unit_status.clone());
        let units = units.iter().map(|(name, status)| (name.clone(), status_val(status, include_data, false)));
        app.0.push(("units".to_owned(), Val::map(units)));
        return Ok(Out::Value(Val::map([("application-status", Val::Map(app.0, app.1))])));
    }
    Ok(Out::Value(status_val(&session.state.unit_status, include_data, smart)))
}

fn status_set(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    if args.is_empty() {
        return Err(usage("invalid args, require <status> [message]"));
    }
    let Some(status) = args[0].parse::<StatusName>().ok().filter(|s| s.is_settable()) else {
        return Err(usage(format!("invalid status {:?}, expected one of [{}]", args[0], SETTABLE.join(" "))));
    };
    if args.len() > 2 {
        return Err(super::unrecognized(&args[2..]));
    }
    let new = StatusRecord {
        status,
        message: args.get(1).map(|m| (*m).to_owned()).unwrap_or_default(),
        data: Default::default(),
        since: Some(Utc::now()),
    };
    if call.parsed.flag("application") {
        if !is_leader(session) {
            return Err(fail("this unit is not the leader"));
        }
        let old = std::mem::replace(&mut session.state.app_status, new);
        session.push_status_history(true, old);
    } else {
        let old = std::mem::replace(&mut session.state.unit_status, new);
        session.push_status_history(false, old);
    }
    Ok(Out::None)
}
