//! `status-get`, `status-set`, `is-leader`, `application-version-set`.

use chrono::Utc;

use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty, fail, is_leader, usage};
use crate::flags::FlagSpec;
use crate::format::Val;
use crate::session::Session;
use crate::state::Status;

pub(super) const TOOLS: &[&ToolDef] =
    &[&STATUS_GET, &STATUS_SET, &IS_LEADER, &APPLICATION_VERSION_SET, &LEADER_GET, &LEADER_SET];

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

const IS_LEADER: ToolDef = ToolDef {
    name: "is-leader",
    args: "",
    purpose: "print application leadership status",
    flags: &[],
    formats: Formats::All,
    run: is_leader_tool,
};

const APPLICATION_VERSION_SET: ToolDef = ToolDef {
    name: "application-version-set",
    args: "<new-version>",
    purpose: "specify which version of the application is deployed",
    flags: &[],
    formats: Formats::None,
    run: application_version_set,
};

const SETTABLE: [&str; 4] = ["maintenance", "blocked", "waiting", "active"];

fn status_val(status: &Status, include_data: bool, smart_word: bool) -> Val {
    if smart_word && !include_data {
        return Val::str(status.status.clone());
    }
    let mut fields = vec![("status", Val::str(status.status.clone()))];
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
            return Ok(Out::Value(Val::str(state.app_status.status.clone())));
        }
        let mut app = match status_val(&state.app_status, include_data, false) {
            Val::Map(entries, kind) => (entries, kind),
            _ => (Vec::new(), crate::format::MapKind::Sorted),
        };
        // Every unit of the application: this one, the ones given in the state, and peers
        // (whose status is unknown unless the state says otherwise).
        let mut units: std::collections::BTreeMap<String, Status> = state.peer_unit_statuses.clone();
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
    if !SETTABLE.contains(&args[0]) {
        return Err(usage(format!("invalid status {:?}, expected one of [{}]", args[0], SETTABLE.join(" "))));
    }
    if args.len() > 2 {
        return Err(super::unrecognized(&args[2..]));
    }
    let new = Status {
        status: args[0].to_owned(),
        message: args.get(1).map(|m| (*m).to_owned()).unwrap_or_default(),
        data: Default::default(),
        since: Some(Utc::now()),
    };
    if call.parsed.flag("application") {
        if !is_leader(session) {
            return Err(fail("this unit is not the leader"));
        }
        let old = std::mem::replace(&mut session.state.app_status, new);
        session.state.app_status_history.push(old);
    } else {
        let old = std::mem::replace(&mut session.state.unit_status, new);
        session.state.unit_status_history.push(old);
    }
    session.records.status_set = true;
    Ok(Out::None)
}

fn is_leader_tool(session: &mut Session, call: &Call<'_>) -> ToolResult {
    check_empty(call.args())?;
    Ok(Out::Value(Val::Bool(is_leader(session))))
}

fn application_version_set(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    let Some(version) = args.first() else {
        return Err(usage("no version specified"));
    };
    check_empty(&args[1..])?;
    session.state.workload_version = (*version).to_owned();
    Ok(Out::None)
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
    let pairs = super::parse_key_values(call.args())?;
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
