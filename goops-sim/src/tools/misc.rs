//! `juju-log`, `juju-reboot`, `goal-state`, `credential-get`, `resource-get`.

use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty, fail, usage};
use crate::flags::FlagSpec;
use crate::format::Val;
use crate::session::Session;
use crate::state::{GoalStatus, LogRecord};

pub(super) const TOOLS: &[&ToolDef] = &[&JUJU_LOG, &JUJU_REBOOT, &GOAL_STATE, &CREDENTIAL_GET, &RESOURCE_GET];

const JUJU_LOG: ToolDef = ToolDef {
    name: "juju-log",
    args: "<message>",
    purpose: "write a message to the juju log",
    flags: &[
        FlagSpec::boolean(&["debug"], "log at debug level"),
        FlagSpec::value(&["l", "log-level"], "LEVEL", "Send log message at the given level"),
    ],
    formats: Formats::Deprecated,
    run: juju_log,
};

const JUJU_REBOOT: ToolDef = ToolDef {
    name: "juju-reboot",
    args: "",
    purpose: "Reboot the host machine",
    flags: &[FlagSpec::boolean(&["now"], "reboot immediately, killing the invoking process")],
    formats: Formats::None,
    run: juju_reboot,
};

const GOAL_STATE: ToolDef = ToolDef {
    name: "goal-state",
    args: "",
    purpose: "print the status of the charm's peers and related units",
    flags: &[],
    formats: Formats::YamlJson,
    run: goal_state,
};

const CREDENTIAL_GET: ToolDef = ToolDef {
    name: "credential-get",
    args: "",
    purpose: "access cloud credentials",
    flags: &[],
    formats: Formats::All,
    run: credential_get,
};

const RESOURCE_GET: ToolDef = ToolDef {
    name: "resource-get",
    args: "<resource name>",
    purpose: "get the path to the locally cached resource file",
    flags: &[],
    formats: Formats::None,
    run: resource_get,
};

const LEVELS: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

fn juju_log(session: &mut Session, call: &Call<'_>) -> ToolResult {
    if call.args().is_empty() {
        return Err(usage("no message specified"));
    }
    let given = call.parsed.value("log-level").unwrap_or("INFO");
    // loggo.ParseLevel: case-insensitive (Unicode upper-casing, as Go's strings.ToUpper), WARN is WARNING.
    let named = |upper: &str| match upper {
        "WARN" => Some("WARNING"),
        other => LEVELS.iter().copied().find(|l| *l == other),
    };
    let known = LEVELS
        .iter()
        .copied()
        .find(|l| l.eq_ignore_ascii_case(given))
        .or_else(|| given.eq_ignore_ascii_case("WARN").then_some("WARNING"))
        .or_else(|| named(&given.to_uppercase()));
    let level = match known {
        _ if call.parsed.flag("debug") => "DEBUG",
        Some(level) => level,
        None => {
            // Juju logs a warning about the bad level and uses INFO.
            session.state.juju_log.push(LogRecord {
                level: "WARNING".to_owned(),
                message: format!("Specified log level of {given:?} is not valid"),
            });
            "INFO"
        }
    };
    let message = match &session.event {
        crate::event::Event::Relation { endpoint, id, .. } => format!("{endpoint}:{id}: {}", call.args().join(" ")),
        _ => call.args().join(" "),
    };
    session.state.juju_log.push(LogRecord { level: level.to_owned(), message });
    Ok(Out::None)
}

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

/// One entry. Juju takes `since` from a status document, which always carries its update
/// time, so `since` is always printed (ops' `GoalState` parser requires it); an entry given
/// without one reads as updated at `now`.
fn goal_val(status: &GoalStatus, now: chrono::DateTime<chrono::Utc>) -> Val {
    let since = status.since.unwrap_or(now);
    Val::object([
        ("status", Val::str(status.status.clone())),
        ("since", Val::str(since.format("%Y-%m-%d %H:%M:%SZ").to_string())),
    ])
}

fn goal_state(session: &mut Session, call: &Call<'_>) -> ToolResult {
    check_empty(call.args())?;
    let state = &session.state;
    let goal = match &state.goal_state {
        Some(goal) => goal.clone(),
        None => {
            // Derived as Juju's uniter facade does (goalStateUnits, goalStateRelations): this
            // unit (with its workload status) and its peers under `units`; per non-peer
            // endpoint the remote application with the relation's status (`joined`) and its
            // units. Peer relations are not listed under `relations`.
            let mut goal = crate::state::GoalState::default();
            let own = GoalStatus { status: state.unit_status.status.clone(), since: state.unit_status.since };
            goal.units.insert(state.unit.clone(), own);
            for relation in &state.relations {
                if relation.peer {
                    for unit in relation.remote_units.keys() {
                        goal.units.insert(unit.clone(), GoalStatus::default());
                    }
                    continue;
                }
                let entry = goal.relations.entry(relation.endpoint.clone()).or_default();
                entry.insert(relation.remote_app.clone(), GoalStatus { status: "joined".to_owned(), since: None });
                for unit in relation.remote_units.keys() {
                    entry.insert(unit.clone(), GoalStatus::default());
                }
            }
            goal
        }
    };
    let now = chrono::Utc::now();
    let units = Val::map(goal.units.iter().map(|(k, v)| (k.clone(), goal_val(v, now))));
    let relations = Val::map(
        goal.relations
            .iter()
            .map(|(ep, m)| (ep.clone(), Val::map(m.iter().map(|(k, v)| (k.clone(), goal_val(v, now)))))),
    );
    Ok(Out::Value(Val::object([("units", units), ("relations", relations)])))
}

fn credential_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    check_empty(call.args())?;
    let state = &session.state;
    if !state.trusted {
        return Err(fail("cannot access cloud credentials: permission denied"));
    }
    let Some(spec) = &state.cloud_spec else {
        return Err(fail("cannot access cloud credentials: cloud spec not found"));
    };
    let opt = |v: &Option<String>| v.as_ref().map(|s| Val::str(s.clone())).unwrap_or(Val::Nil);
    let credential = spec
        .credential
        .as_ref()
        .map(|c| {
            Val::object([
                ("auth-type", Val::str(c.auth_type.clone())),
                ("attrs", if c.attrs.is_empty() { Val::Nil } else { super::bag_val(&c.attrs) }),
                ("redacted", if c.redacted.is_empty() { Val::Nil } else { Val::strings(c.redacted.clone()) }),
            ])
            .omit_nil()
        })
        .unwrap_or(Val::Nil);
    let mut fields = vec![
        ("type", Val::str(spec.cloud_type.clone())),
        ("name", Val::str(spec.name.clone())),
        ("region", opt(&spec.region)),
        ("endpoint", opt(&spec.endpoint)),
        ("identity-endpoint", opt(&spec.identity_endpoint)),
        ("storage-endpoint", opt(&spec.storage_endpoint)),
        ("credential", credential),
        (
            "cacertificates",
            if spec.cacertificates.is_empty() { Val::Nil } else { Val::strings(spec.cacertificates.clone()) },
        ),
    ];
    if spec.skip_tls_verify {
        fields.push(("skip-tls-verify", Val::Bool(true)));
    }
    if spec.is_controller_cloud {
        fields.push(("is-controller-cloud", Val::Bool(true)));
    }
    Ok(Out::Value(Val::object(fields).omit_nil()))
}

fn resource_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    let Some(name) = args.first() else {
        return Err(usage("missing required resource name"));
    };
    check_empty(&args[1..])?;
    match session.state.resources.get(*name) {
        Some(path) => Ok(Out::Raw(path.display().to_string().into_bytes())),
        None => Err(fail(format!("could not download resource: resource {name:?} not found"))),
    }
}
