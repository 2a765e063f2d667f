//! `goal-state`.

use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty};
use crate::format::Val;
use crate::session::Session;
use crate::state::GoalStatus;

pub(super) const TOOLS: &[&ToolDef] = &[&GOAL_STATE];

const GOAL_STATE: ToolDef = ToolDef {
    name: "goal-state",
    args: "",
    purpose: "print the status of the charm's peers and related units",
    flags: &[],
    formats: Formats::YamlJson,
    run: goal_state,
};

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
            // unit and its peers under `units`, each with its workload status (`unit.Status()`);
            // per non-peer endpoint the remote application with the relation's status
            // (`joined`) and its units. Peer relations are not listed under `relations`.
            // A unit whose status the state does not give has Juju's initial workload status,
            // `unknown`, the same status-get --application shows for it.
            let workload = |record: &crate::state::StatusRecord| GoalStatus {
                status: record.status.to_string(),
                since: record.since,
            };
            let unknown = crate::state::StatusRecord::default();
            let mut goal = crate::state::GoalState::default();
            goal.units.insert(state.unit.clone(), workload(&state.unit_status));
            for (unit, record) in &state.peer_unit_statuses {
                goal.units.insert(unit.clone(), workload(record));
            }
            for relation in &state.relations {
                if relation.peer {
                    for unit in relation.remote_units.keys() {
                        goal.units.entry(unit.clone()).or_insert_with(|| workload(&unknown));
                    }
                    continue;
                }
                let entry = goal.relations.entry(relation.endpoint.clone()).or_default();
                entry.insert(relation.remote_app.clone(), GoalStatus { status: "joined".to_owned(), since: None });
                for unit in relation.remote_units.keys() {
                    entry.insert(unit.clone(), workload(&unknown));
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
