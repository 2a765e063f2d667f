//! Checks and health (`internals/daemon/api_checks.go`, `api_health.go`,
//! `internals/overlord/checkstate/manager.go`).
//!
//! Checks are not really performed: their status is the state's, so a test sets a check
//! `down` (with its failures) and the charm sees what Pebble would report.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::Inner;
use super::changes::{NewTask, finish_task, new_change_with};
use super::envelope::{Reply, bad_request, internal, not_found, sync, sync_status};
use super::http::Request;
use super::layers::current_plan;
use super::plan::{Layer, Obj};
use crate::state::{CheckRecord, CheckStatus, ContainerState};

fn startup(check: &Obj) -> &str {
    match check.get("startup").and_then(Value::as_str) {
        Some("disabled") => "disabled",
        _ => "enabled",
    }
}

fn level(check: &Obj) -> &str {
    check.get("level").and_then(Value::as_str).unwrap_or("")
}

/// `checkType`: `HTTP`, `TCP` or `exec`.
fn check_type(check: &Obj) -> &'static str {
    if check.contains_key("http") {
        "HTTP"
    } else if check.contains_key("tcp") {
        "TCP"
    } else if check.contains_key("exec") {
        "exec"
    } else {
        "<unknown>"
    }
}

/// Starts driving check `name`: a `perform-check` change while it is up, a `recover-check`
/// one while it is down (`checkstate/request.go`), its one task running.
fn start_change(state: &mut ContainerState, name: &str, check: &Obj, status: CheckStatus) {
    let (kind, verb) =
        if status == CheckStatus::Down { ("recover-check", "Recover") } else { ("perform-check", "Perform") };
    let summary = format!("{verb} {} check {name:?}", check_type(check));
    let task = NewTask::new(kind, summary.clone(), "Doing");
    let data = BTreeMap::from([("check-name".to_owned(), name.to_owned())]);
    let id = new_change_with(state, kind, summary, vec![task], vec![], data);
    if let Some(rec) = state.checks.get_mut(name) {
        rec.change_id = Some(id);
    }
}

/// Stops driving check `name`: its change is aborted (its task held) and it is inactive.
fn stop_change(state: &mut ContainerState, name: &str) {
    let Some(id) = state.checks.get_mut(name).and_then(|r| r.change_id.take()) else { return };
    let tasks: Vec<String> =
        state.changes.iter().filter(|c| c.id == id).flat_map(|c| c.tasks.iter().map(|t| t.id.clone())).collect();
    for task in tasks {
        finish_task(state, &task, "Hold", None, BTreeMap::new());
    }
}

/// Makes the state's checks agree with `plan`: new checks start (unless `startup:
/// disabled`), removed ones stop and go, and a running check without a change (one given
/// in the state) gets its change.
pub(crate) fn plan_changed(state: &mut ContainerState, plan: &Layer) {
    let removed: Vec<String> = state.checks.keys().filter(|n| !plan.checks.contains_key(*n)).cloned().collect();
    for name in removed {
        stop_change(state, &name);
        state.checks.remove(&name);
    }
    for (name, check) in &plan.checks {
        let rec = state.checks.entry(name.clone()).or_insert_with(|| CheckRecord {
            status: if startup(check) == "disabled" { CheckStatus::Inactive } else { CheckStatus::Up },
            failures: 0,
            successes: 0,
            change_id: None,
        });
        if rec.status != CheckStatus::Inactive && rec.change_id.is_none() {
            let status = rec.status;
            start_change(state, name, check, status);
        }
    }
}

/// Replan starts enabled checks that are not running.
pub(crate) fn replan(state: &mut ContainerState, plan: &Layer) {
    plan_changed(state, plan);
    for (name, check) in &plan.checks {
        if startup(check) == "enabled" && state.checks.get(name).is_some_and(|r| r.status == CheckStatus::Inactive) {
            set_running(state, name, check, true);
        }
    }
}

/// Starts or stops check `name`; returns whether it changed.
fn set_running(state: &mut ContainerState, name: &str, check: &Obj, run: bool) -> bool {
    let running = state.checks.get(name).is_some_and(|r| r.status != CheckStatus::Inactive);
    if running == run {
        return false;
    }
    stop_change(state, name);
    let status = if run { CheckStatus::Up } else { CheckStatus::Inactive };
    state.checks.insert(name.to_owned(), CheckRecord { status, failures: 0, successes: 0, change_id: None });
    if run {
        start_change(state, name, check, status);
    }
    true
}

fn status_text(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Up => "up",
        CheckStatus::Down => "down",
        CheckStatus::Inactive => "inactive",
    }
}

/// The checks of the plan with their state (`checkInfo`), sorted by name.
fn infos(state: &ContainerState, plan: &Layer) -> Vec<(String, String, Value)> {
    plan.checks
        .iter()
        .map(|(name, check)| {
            let rec = state.checks.get(name);
            let status = rec
                .map_or(if startup(check) == "disabled" { CheckStatus::Inactive } else { CheckStatus::Up }, |r| {
                    r.status
                });
            let mut v = json!({
                "name": name, "startup": startup(check), "status": status_text(status),
                "successes": rec.map_or(0, |r| r.successes),
                "threshold": check.get("threshold").and_then(Value::as_i64).unwrap_or(3),
            });
            if !level(check).is_empty() {
                v["level"] = Value::from(level(check));
            }
            if let Some(f) = rec.map(|r| r.failures).filter(|f| *f > 0) {
                v["failures"] = Value::from(f);
            }
            if let Some(id) = rec.and_then(|r| r.change_id.clone()) {
                v["change-id"] = Value::from(id);
            }
            (name.clone(), level(check).to_owned(), v)
        })
        .collect()
}

fn names_filter(req: &Request) -> Vec<String> {
    req.query_all("names")
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// GET /v1/checks?level=&names=.
pub(crate) fn get_checks(inner: &Inner, req: &Request) -> Reply {
    let want = req.query_get("level");
    if !matches!(want, "" | "alive" | "ready") {
        return bad_request(r#"level must be "alive" or "ready""#);
    }
    let names = names_filter(req);
    let state = inner.lock();
    let plan = match current_plan(&state) {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    let list: Vec<Value> = infos(&state, &plan)
        .into_iter()
        .filter(|(name, level, _)| (want.is_empty() || want == level) && (names.is_empty() || names.contains(name)))
        .map(|(_, _, v)| v)
        .collect();
    sync(Value::Array(list))
}

/// POST /v1/checks `{"action":"start|stop","checks":[…]}` → `{"changed":[…]}`.
pub(crate) fn post_checks(inner: &Inner, req: &Request) -> Reply {
    #[derive(Deserialize)]
    struct Body {
        action: Option<String>,
        checks: Option<Vec<String>>,
    }
    let body: Body = match serde_json::from_slice(&req.body) {
        Ok(b) => b,
        Err(e) => return bad_request(format!("cannot decode data from request body: {e}")),
    };
    let action = body.action.unwrap_or_default();
    let names = body.checks.unwrap_or_default();
    if names.is_empty() {
        return bad_request(format!("must specify checks for {action} action"));
    }
    if action != "start" && action != "stop" {
        return bad_request(format!("invalid action {action:?}"));
    }
    let mut state = inner.lock();
    let plan = match current_plan(&state) {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    let mut missing: Vec<&str> = names.iter().filter(|n| !plan.checks.contains_key(*n)).map(String::as_str).collect();
    if !missing.is_empty() {
        missing.sort_unstable();
        return bad_request(format!("cannot {action} checks: cannot find checks in plan: {}", missing.join(", ")));
    }
    let mut changed = Vec::new();
    for name in &names {
        if set_running(&mut state, name, &plan.checks[name], action == "start") {
            changed.push(name.clone());
        }
    }
    drop(state);
    inner.moved.notify_all();
    changed.sort();
    changed.dedup();
    sync(json!({"changed": changed}))
}

/// POST /v1/checks/refresh `{"name": n}`: the check's info now (no real check runs).
pub(crate) fn refresh(inner: &Inner, req: &Request) -> Reply {
    #[derive(Deserialize)]
    struct Body {
        name: Option<String>,
    }
    let body: Body = match serde_json::from_slice(&req.body) {
        Ok(b) => b,
        Err(e) => return bad_request(format!("cannot decode data from request body: {e}")),
    };
    let name = body.name.unwrap_or_default();
    if name.is_empty() {
        return bad_request("must specify check name");
    }
    let state = inner.lock();
    let plan = match current_plan(&state) {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    match infos(&state, &plan).into_iter().find(|(n, _, _)| *n == name) {
        Some((_, _, info)) => sync(json!({"info": info})),
        None => not_found(format!("cannot find check with name {name:?}")),
    }
}

/// GET /v1/health?level=&names=: unhealthy (502) when a counted check is down.
pub(crate) fn health(inner: &Inner, req: &Request) -> Reply {
    let want = req.query_get("level");
    if !matches!(want, "" | "alive" | "ready") {
        return bad_request(r#"level must be "alive" or "ready""#);
    }
    let names = names_filter(req);
    let state = inner.lock();
    let plan = match current_plan(&state) {
        Ok(p) => p,
        Err(_) => return internal("internal server error"),
    };
    let down: BTreeMap<_, _> = infos(&state, &plan)
        .into_iter()
        .filter(|(name, _, _)| names.is_empty() || names.contains(name))
        // `ready` also counts alive checks (api_health.go).
        .filter(|(_, level, _)| match want {
            "" => true,
            "alive" => level == "alive",
            _ => level == "alive" || level == "ready",
        })
        .filter(|(_, _, v)| v["status"] == "down")
        .map(|(n, l, _)| (n, l))
        .collect();
    if down.is_empty() { sync(json!({"healthy": true})) } else { sync_status(502, json!({"healthy": false})) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pebble::layers::add_layer;
    use crate::pebble::plan::parse_layer;

    fn state_with(yaml: &str) -> ContainerState {
        let mut state = ContainerState::default();
        add_layer(&mut state, "base", parse_layer("base", yaml).unwrap(), false, false).unwrap();
        state
    }

    #[test]
    fn adding_a_layer_starts_enabled_checks_and_leaves_disabled_ones_inactive() {
        let state = state_with(
            "checks:\n  up: {override: replace, level: ready, http: {url: 'http://x/'}}\n  off: {override: replace, startup: disabled, tcp: {port: 80}}\n",
        );
        assert_eq!(state.checks["up"].status, CheckStatus::Up);
        assert_eq!(state.checks["off"].status, CheckStatus::Inactive);
        let plan = current_plan(&state).unwrap();
        let list = infos(&state, &plan);
        assert_eq!(list[1].2["status"], "up");
        assert_eq!(list[1].2["threshold"], 3);
        assert_eq!(list[0].2["startup"], "disabled");
    }
}
