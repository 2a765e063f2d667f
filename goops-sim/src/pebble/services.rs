//! Services and signals (`internals/daemon/api_services.go`, `api_signals.go`,
//! `internals/overlord/servstate/`).
//!
//! Services are not really run: a start makes the service `active` at once (its start task
//! `Done`), a stop makes it `inactive`. The state records the config each service was started
//! with, so replan restarts exactly the services whose config changed.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::{Value, json};

use super::Inner;
use super::changes::{NewTask, new_change};
use super::checks;
use super::envelope::{Reply, async_change, bad_request, error, internal, sync};
use super::http::Request;
use super::layers::current_plan;
use super::plan::{Layer, order};
use super::time::now;
use crate::state::{ContainerState, ServiceRecord, ServiceStatus};

fn status_text(s: ServiceStatus) -> &'static str {
    match s {
        ServiceStatus::Active => "active",
        ServiceStatus::Inactive => "inactive",
        ServiceStatus::Backoff => "backoff",
        ServiceStatus::Error => "error",
    }
}

fn startup_of(plan: &Layer, name: &str) -> &'static str {
    match plan.services.get(name).and_then(|s| s.get("startup")).and_then(Value::as_str) {
        Some("enabled") => "enabled",
        _ => "disabled",
    }
}

/// GET /v1/services?names=: one entry per plan service, sorted; unknown names skipped.
pub(crate) fn get_services(inner: &Inner, req: &Request) -> Reply {
    let names: Vec<String> = req
        .query_all("names")
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let state = inner.lock();
    let plan = match current_plan(&state) {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    let list: Vec<Value> = plan
        .services
        .keys()
        .filter(|n| names.is_empty() || names.contains(n))
        .map(|name| {
            let rec = state.services.get(name);
            let mut v = json!({
                "name": name, "startup": startup_of(&plan, name),
                "current": status_text(rec.map_or(ServiceStatus::Inactive, |r| r.current)),
            });
            if let Some(since) = rec.and_then(|r| r.since.clone()) {
                v["current-since"] = Value::from(since);
            }
            v
        })
        .collect();
    sync(Value::Array(list))
}

/// Runs a start "task" now: the task's log says what happened.
fn start(state: &mut ContainerState, plan: &Layer, name: &str) -> NewTask {
    let mut task = NewTask::new("start", format!("Start service {name:?}"), "Done");
    let config = plan.services.get(name).map(|o| Value::Object(o.clone()));
    let rec = state.services.entry(name.to_owned()).or_insert(ServiceRecord {
        current: ServiceStatus::Inactive,
        since: None,
        started_with: None,
        starts: 0,
    });
    if rec.current == ServiceStatus::Active {
        task.log.push(format!("Service {name:?} already started."));
    } else {
        rec.current = ServiceStatus::Active;
        rec.since = Some(now());
        rec.started_with = config;
        rec.starts += 1;
    }
    task
}

/// Runs a stop "task" now (`servstate/handlers.go` `doStop` notes the already-stopped cases).
fn stop(state: &mut ContainerState, name: &str) -> NewTask {
    let mut task = NewTask::new("stop", format!("Stop service {name:?}"), "Done");
    match state.services.get_mut(name) {
        None => task.log.push(format!("Service {name:?} has never been started.")),
        Some(rec) => match rec.current {
            ServiceStatus::Active | ServiceStatus::Backoff => {
                rec.current = ServiceStatus::Inactive;
                rec.since = Some(now());
            }
            ServiceStatus::Error => task.log.push(format!("Service {name:?} had already exited.")),
            ServiceStatus::Inactive => task.log.push(format!("Service {name:?} already stopped.")),
        },
    }
    task
}

/// POST /v1/services `{"action": A, "services": [..]}`.
pub(crate) fn post_services(inner: &Inner, req: &Request) -> Reply {
    #[derive(Deserialize)]
    struct Body {
        action: Option<String>,
        services: Option<Vec<String>>,
    }
    let body: Body = match serde_json::from_slice(&req.body) {
        Ok(b) => b,
        Err(e) => return bad_request(format!("cannot decode data from request body: {e}")),
    };
    let action = body.action.unwrap_or_default();
    let mut requested = body.services.unwrap_or_default();
    let mut state = inner.lock();
    let plan = match current_plan(&state) {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    match action.as_str() {
        "replan" | "autostart" if !requested.is_empty() => {
            return bad_request(format!("{action} accepts no service names"));
        }
        "replan" => {}
        "autostart" => {
            requested = plan.services.keys().filter(|n| startup_of(&plan, n) == "enabled").cloned().collect();
            if requested.is_empty() {
                return error(400, "no default services", Some("no-default-services"));
            }
        }
        _ if requested.is_empty() => return bad_request(format!("must specify services for {action} action")),
        _ => {}
    }
    let fail = |e: String| bad_request(format!("cannot {action} services: {e}"));
    let (stop_names, start_names, mut summary_names) = match action.as_str() {
        "start" | "autostart" => match order(&plan.services, &requested, false) {
            Ok(s) => (vec![], s.clone(), s),
            Err(e) => return fail(e),
        },
        "stop" => match order(&plan.services, &requested, true) {
            Ok(s) => (s.clone(), vec![], s),
            Err(e) => return fail(e),
        },
        "restart" => {
            let stops = match order(&plan.services, &requested, true) {
                Ok(s) => s.into_iter().filter(|n| requested.contains(n)).collect::<Vec<_>>(),
                Err(e) => return fail(e),
            };
            match order(&plan.services, &requested, false) {
                Ok(s) => (stops, s.clone(), s),
                Err(e) => return fail(e),
            }
        }
        "replan" => match replan_sets(&state, &plan) {
            Ok((stops, starts)) => {
                let all: BTreeSet<String> = stops.iter().chain(starts.iter()).cloned().collect();
                requested = all.iter().cloned().collect();
                (stops, starts, requested.clone())
            }
            Err(e) => return fail(e),
        },
        _ => return bad_request(format!("invalid action {action:?}")),
    };
    let mut tasks = Vec::new();
    for name in &stop_names {
        tasks.push(stop(&mut state, name));
    }
    for name in &start_names {
        tasks.push(start(&mut state, &plan, name));
    }
    if action == "replan" {
        // Services that left the plan are forgotten once stopped.
        state.services.retain(|n, r| plan.services.contains_key(n) || r.current == ServiceStatus::Active);
        checks::replan(&mut state, &plan);
    }
    summary_names.dedup();
    let title = title_case(&action);
    let summary = match (tasks.len(), summary_names.len()) {
        (0, _) => format!("{title} - no services"),
        (_, 1) => format!("{title} service {:?}", requested[0]),
        (_, n) => format!("{title} service {:?} and {} more", requested[0], n - 1),
    };
    let names = if tasks.is_empty() { vec![] } else { requested };
    let id = new_change(&mut state, &action, summary, tasks, names);
    drop(state);
    inner.moved.notify_all();
    async_change(&id, Value::Null)
}

/// `ServiceManager.Replan`: stop services started before whose config changed (or that left
/// the plan), then start those and every `startup: enabled` service.
fn replan_sets(state: &ContainerState, plan: &Layer) -> Result<(Vec<String>, Vec<String>), String> {
    let mut restart = Vec::new();
    for (name, rec) in &state.services {
        let Some(started_with) = &rec.started_with else { continue };
        match plan.services.get(name) {
            Some(config) if *started_with == Value::Object(config.clone()) => {}
            Some(_) => restart.push(name.clone()),
            // Left the plan: stopped, not restarted.
            None => {}
        }
    }
    let starts: Vec<String> =
        plan.services.keys().filter(|n| restart.contains(n) || startup_of(plan, n) == "enabled").cloned().collect();
    let stops = order(&plan.services, &restart, true)?;
    let starts = order(&plan.services, &starts, false)?;
    Ok((stops, starts))
}

/// Go's `strings.Title` for one lower-case word.
fn title_case(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Signal names `unix.SignalNum` accepts (Linux).
const SIGNALS: [&str; 31] = [
    "SIGABRT",
    "SIGALRM",
    "SIGBUS",
    "SIGCHLD",
    "SIGCONT",
    "SIGFPE",
    "SIGHUP",
    "SIGILL",
    "SIGINT",
    "SIGIO",
    "SIGIOT",
    "SIGKILL",
    "SIGPIPE",
    "SIGPOLL",
    "SIGPROF",
    "SIGPWR",
    "SIGQUIT",
    "SIGSEGV",
    "SIGSTKFLT",
    "SIGSTOP",
    "SIGSYS",
    "SIGTERM",
    "SIGTRAP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGUSR1",
    "SIGUSR2",
    "SIGVTALRM",
    "SIGWINCH",
];

/// POST /v1/signals `{"signal":"SIGHUP","services":[…]}`: only running services can be
/// signalled; the signals sent are kept in the request history.
pub(crate) fn post_signals(inner: &Inner, req: &Request) -> Reply {
    #[derive(Deserialize)]
    struct Body {
        signal: Option<String>,
        services: Option<Vec<String>>,
    }
    let body: Body = match serde_json::from_slice(&req.body) {
        Ok(b) => b,
        Err(e) => return bad_request(format!("cannot decode request body: {e}")),
    };
    let services = body.services.unwrap_or_default();
    if services.is_empty() {
        return bad_request("must specify one or more services");
    }
    let signal = body.signal.unwrap_or_default();
    let state = inner.lock();
    let errors: Vec<String> = services
        .iter()
        .filter_map(|name| match state.services.get(name) {
            Some(r) if r.current == ServiceStatus::Active => (!SIGNALS.contains(&signal.as_str()))
                .then(|| format!("cannot send signal to {name:?}: invalid signal name {signal:?}")),
            _ => Some(format!("cannot send signal to {name:?}: service is not running")),
        })
        .collect();
    if errors.is_empty() { sync(Value::Bool(true)) } else { internal(errors.join("; ")) }
}

#[cfg(test)]
#[path = "services_tests.rs"]
mod tests;
