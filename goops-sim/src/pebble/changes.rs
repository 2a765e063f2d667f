//! Changes and tasks (`internals/daemon/api_changes.go`, `internals/overlord/state/change.go`):
//! creation with a `change-update` notice, the JSON views, `GET /v1/changes[/{id}[/wait]]` and
//! abort.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

use super::Inner;
use super::envelope::{Reply, bad_request, error, not_found, sync};
use super::notices;
use super::time::{go_duration_string, now, parse_go_duration};
use crate::state::{ChangeRecord, ContainerState, TaskRecord};

/// A task to add to a new change.
pub(crate) struct NewTask {
    /// `start`, `stop`, `exec`, …
    pub kind: &'static str,
    /// `Start service "x"`, …
    pub summary: String,
    /// `Done`, `Doing`, `Error`, …
    pub status: &'static str,
    /// Log lines (without the time and level prefix; all INFO).
    pub log: Vec<String>,
    /// Task data.
    pub data: BTreeMap<String, Value>,
}

impl NewTask {
    /// A task with no log and no data.
    pub fn new(kind: &'static str, summary: String, status: &'static str) -> Self {
        NewTask { kind, summary, status, log: Vec::new(), data: BTreeMap::new() }
    }
}

fn next_id<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    (ids.filter_map(|id| id.parse::<u64>().ok()).max().unwrap_or(0) + 1).to_string()
}

/// Whether `status` is a ready status (`Status.Ready`).
pub(crate) fn is_ready(status: &str) -> bool {
    matches!(status, "Done" | "Undone" | "Hold" | "Error")
}

/// A change's status from its tasks (`Change.Status`: the highest-priority task status).
fn derive_status(tasks: &[TaskRecord], default: &str) -> String {
    const PRIORITY: [&str; 10] = ["Abort", "Undoing", "Undo", "Doing", "Do", "Wait", "Error", "Undone", "Done", "Hold"];
    if tasks.is_empty() {
        return default.to_owned();
    }
    PRIORITY
        .iter()
        .find(|p| tasks.iter().any(|t| t.status == **p))
        .map(|p| (*p).to_owned())
        .unwrap_or_else(|| "Hold".into())
}

/// Adds a change; returns its id. A change with no tasks is `Done` (the API marks such
/// changes Done itself).
pub(crate) fn new_change(
    state: &mut ContainerState,
    kind: &str,
    summary: String,
    tasks: Vec<NewTask>,
    service_names: Vec<String>,
) -> String {
    new_change_with(state, kind, summary, tasks, service_names, BTreeMap::new())
}

/// [`new_change`] whose `change-update` notices carry `notice_data` besides the kind
/// (`NewChangeWithNoticeData`: check changes add `check-name`).
pub(crate) fn new_change_with(
    state: &mut ContainerState,
    kind: &str,
    summary: String,
    tasks: Vec<NewTask>,
    service_names: Vec<String>,
    notice_data: BTreeMap<String, String>,
) -> String {
    let id = next_id(state.changes.iter().map(|c| c.id.as_str()));
    let mut task_id: u64 =
        next_id(state.changes.iter().flat_map(|c| c.tasks.iter().map(|t| t.id.as_str()))).parse().unwrap_or(1);
    let t = now();
    let tasks: Vec<TaskRecord> = tasks
        .into_iter()
        .map(|nt| {
            let rec = TaskRecord {
                id: task_id.to_string(),
                kind: nt.kind.into(),
                summary: nt.summary,
                status: nt.status.into(),
                log: nt.log.iter().map(|l| format!("{t} INFO {l}")).collect(),
                data: nt.data,
                spawn_time: t.clone(),
                ready_time: is_ready(nt.status).then(|| t.clone()),
            };
            task_id += 1;
            rec
        })
        .collect();
    let status = derive_status(&tasks, "Done");
    let mut change = ChangeRecord {
        id: id.clone(),
        kind: kind.into(),
        summary,
        status: status.clone(),
        tasks,
        err: None,
        spawn_time: t.clone(),
        ready_time: is_ready(&status).then(|| t.clone()),
        notice_data,
        service_names,
    };
    change.err = change_err(&change);
    let data = notice_data_of(&change);
    state.changes.push(change);
    notices::add(state, None, "change-update", &id, data, None);
    id
}

fn notice_data_of(change: &ChangeRecord) -> BTreeMap<String, String> {
    let mut data = change.notice_data.clone();
    data.insert("kind".into(), change.kind.clone());
    data
}

/// `cannot perform the following tasks:` with one line per failed task.
fn change_err(change: &ChangeRecord) -> Option<String> {
    let failed: Vec<String> = change
        .tasks
        .iter()
        .filter(|t| t.status == "Error")
        .map(|t| {
            let why =
                t.log.iter().rev().find_map(|l| l.split_once(" ERROR ").map(|(_, m)| m.to_owned())).unwrap_or_default();
            format!("- {} ({why})", t.summary)
        })
        .collect();
    (!failed.is_empty()).then(|| format!("cannot perform the following tasks:\n{}", failed.join("\n")))
}

/// Finishes task `task_id` with `status` (an ERROR log line `error` when given), updating
/// its change and recording a `change-update` notice when the change moves.
pub(crate) fn finish_task(
    state: &mut ContainerState,
    task_id: &str,
    status: &str,
    error: Option<&str>,
    data: BTreeMap<String, Value>,
) {
    let t = now();
    let Some(change) = state.changes.iter_mut().find(|c| c.tasks.iter().any(|task| task.id == task_id)) else { return };
    let before = change.status.clone();
    if let Some(task) = change.tasks.iter_mut().find(|task| task.id == task_id) {
        if is_ready(&task.status) {
            return;
        }
        task.status = status.into();
        task.data.extend(data);
        if let Some(e) = error {
            task.log.push(format!("{t} ERROR {e}"));
        }
        task.ready_time = Some(t.clone());
    }
    change.status = derive_status(&change.tasks, "Done");
    change.err = change_err(change);
    if is_ready(&change.status) && change.ready_time.is_none() {
        change.ready_time = Some(t);
    }
    if change.status != before {
        let (id, data) = (change.id.clone(), notice_data_of(change));
        notices::add(state, None, "change-update", &id, data, None);
    }
}

/// `change2changeInfo`.
pub(crate) fn change_json(c: &ChangeRecord) -> Value {
    let mut v = json!({
        "id": c.id, "kind": c.kind, "summary": c.summary, "status": c.status,
        "ready": is_ready(&c.status), "spawn-time": c.spawn_time,
    });
    if !c.tasks.is_empty() {
        v["tasks"] = Value::Array(c.tasks.iter().map(task_json).collect());
    }
    if let Some(err) = &c.err {
        v["err"] = Value::from(err.clone());
    }
    if let Some(t) = &c.ready_time {
        v["ready-time"] = Value::from(t.clone());
    }
    v
}

fn task_json(t: &TaskRecord) -> Value {
    let done = u32::from(t.status == "Done");
    let mut v = json!({
        "id": t.id, "kind": t.kind, "summary": t.summary, "status": t.status,
        "progress": {"label": "", "done": done, "total": 1}, "spawn-time": t.spawn_time,
    });
    if !t.log.is_empty() {
        v["log"] = json!(t.log);
    }
    if let Some(r) = &t.ready_time {
        v["ready-time"] = Value::from(r.clone());
    }
    if !t.data.is_empty() {
        v["data"] = json!(t.data);
    }
    v
}

/// GET /v1/changes?select=&for=.
pub(crate) fn get_changes(inner: &Inner, req: &super::http::Request) -> Reply {
    let select = match req.query_get("select") {
        "" | "in-progress" => "in-progress",
        "all" => "all",
        "ready" => "ready",
        _ => return bad_request("select should be one of: all,in-progress,ready"),
    };
    let service = req.query_get("for");
    let state = inner.lock();
    let list: Vec<Value> = state
        .changes
        .iter()
        .filter(|c| match select {
            "all" => true,
            "ready" => is_ready(&c.status),
            _ => !is_ready(&c.status),
        })
        .filter(|c| service.is_empty() || c.service_names.iter().any(|s| s == service))
        .map(change_json)
        .collect();
    sync(Value::Array(list))
}

/// GET /v1/changes/{id}.
pub(crate) fn get_change(inner: &Inner, id: &str) -> Reply {
    let state = inner.lock();
    match state.changes.iter().find(|c| c.id == id) {
        Some(c) => sync(change_json(c)),
        None => not_found(format!("cannot find change with id {id:?}")),
    }
}

/// GET /v1/changes/{id}/wait?timeout=: blocks until the change is ready.
pub(crate) fn wait_change(inner: &Inner, id: &str, req: &super::http::Request) -> Reply {
    if !inner.lock().changes.iter().any(|c| c.id == id) {
        return not_found(format!("cannot find change with id {id:?}"));
    }
    let timeout = match req.query_get("timeout") {
        "" => None,
        t => match parse_go_duration(t) {
            Ok(n) if n > 0 => Some(n),
            Ok(_) => None,
            Err(e) => return bad_request(format!("invalid timeout: {e}")),
        },
    };
    let deadline = timeout.map(|n| Instant::now() + Duration::from_nanos(n as u64));
    let mut state = inner.lock();
    loop {
        if let Some(c) = state.changes.iter().find(|c| c.id == id).filter(|c| is_ready(&c.status)) {
            return sync(change_json(c));
        }
        let wait = match deadline {
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => left,
                _ => {
                    let dur = go_duration_string(timeout.unwrap_or_default());
                    return error(504, &format!("timed out waiting for change after {dur}"), None);
                }
            },
            None => Duration::from_secs(3600),
        };
        state = inner.moved.wait_timeout(state, wait).unwrap_or_else(|e| e.into_inner()).0;
    }
}

/// POST /v1/changes/{id} `{"action":"abort"}`.
pub(crate) fn post_change(inner: &Inner, id: &str, req: &super::http::Request) -> Reply {
    #[derive(Deserialize)]
    struct Body {
        action: Option<String>,
    }
    let mut state = inner.lock();
    let Some(idx) = state.changes.iter().position(|c| c.id == id) else {
        return not_found(format!("cannot find change with id {id:?}"));
    };
    let body: Body = match serde_json::from_slice(&req.body) {
        Ok(b) => b,
        Err(e) => return bad_request(format!("cannot decode data from request body: {e}")),
    };
    let action = body.action.unwrap_or_default();
    if action != "abort" {
        return bad_request(format!("invalid action {action:?}"));
    }
    if is_ready(&state.changes[idx].status) {
        return bad_request(format!("cannot abort change {id} with nothing pending"));
    }
    let pending: Vec<String> =
        state.changes[idx].tasks.iter().filter(|t| !is_ready(&t.status)).map(|t| t.id.clone()).collect();
    for task in pending {
        finish_task(&mut state, &task, "Hold", None, BTreeMap::new());
    }
    let reply = sync(change_json(&state.changes[idx]));
    drop(state);
    inner.moved.notify_all();
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_as_ready_as_its_tasks_and_lists_failures() {
        let mut state = ContainerState::default();
        let id = new_change(
            &mut state,
            "exec",
            "Execute command \"ls\"".into(),
            vec![NewTask::new("exec", "Execute command \"ls\"".into(), "Doing")],
            vec![],
        );
        assert_eq!((id.as_str(), state.changes[0].status.as_str()), ("1", "Doing"));
        assert!(state.changes[0].ready_time.is_none());
        let task = state.changes[0].tasks[0].id.clone();
        finish_task(&mut state, &task, "Error", Some("timed out after 1s"), BTreeMap::new());
        let c = &state.changes[0];
        assert_eq!(c.status, "Error");
        assert_eq!(
            c.err.as_deref(),
            Some("cannot perform the following tasks:\n- Execute command \"ls\" (timed out after 1s)")
        );
        // One notice per change, its occurrences counting the moves.
        assert_eq!(state.notices.len(), 1);
        assert_eq!((state.notices[0].kind.as_str(), state.notices[0].occurrences), ("change-update", 2));
        let empty = new_change(&mut state, "replan", "Replan - no services".into(), vec![], vec![]);
        assert_eq!(empty, "2");
        assert_eq!(change_json(&state.changes[1])["ready"], true);
        assert!(change_json(&state.changes[1]).get("tasks").is_none());
    }
}
