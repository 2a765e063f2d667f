//! Checks and health (`internals/daemon/api_checks.go`, `api_health.go`,
//! `internals/overlord/checkstate/manager.go`).
//!
//! Checks are not really performed: their status is the state's, so a test sets a check
//! `down` (with its failures) and the charm sees what Pebble would report.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::Inner;
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

/// After a plan change: new checks start (unless `startup: disabled`), removed ones go.
pub(crate) fn plan_changed(state: &mut ContainerState, plan: &Layer) {
    state.checks.retain(|name, _| plan.checks.contains_key(name));
    for (name, check) in &plan.checks {
        state.checks.entry(name.clone()).or_insert_with(|| CheckRecord {
            status: if startup(check) == "disabled" { CheckStatus::Inactive } else { CheckStatus::Up },
            failures: 0,
            successes: 0,
        });
    }
}

/// Replan starts enabled checks that are not running.
pub(crate) fn replan(state: &mut ContainerState, plan: &Layer) {
    plan_changed(state, plan);
    for (name, check) in &plan.checks {
        if startup(check) == "enabled" {
            if let Some(rec) = state.checks.get_mut(name).filter(|r| r.status == CheckStatus::Inactive) {
                rec.status = CheckStatus::Up;
            }
        }
    }
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
        let rec = state.checks.entry(name.clone()).or_insert(CheckRecord {
            status: CheckStatus::Inactive,
            failures: 0,
            successes: 0,
        });
        let running = rec.status != CheckStatus::Inactive;
        if action == "start" && !running {
            *rec = CheckRecord { status: CheckStatus::Up, failures: 0, successes: 0 };
            changed.push(name.clone());
        } else if action == "stop" && running {
            *rec = CheckRecord { status: CheckStatus::Inactive, failures: 0, successes: 0 };
            changed.push(name.clone());
        }
    }
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
