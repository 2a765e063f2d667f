//! `/v1/exec` and the exec websockets (`internals/daemon/api_exec.go`, `api_tasks.go`,
//! `internals/overlord/cmdstate/handlers.go`, `internals/wsutil/wsutil.go`).
//!
//! Commands are not run: the first [`ExecRule`] whose `command` is a prefix of the argv gives
//! the exit code, output and file changes; no rule means no such executable, which Pebble
//! refuses up front (`cannot find executable "x"`). The I/O follows Pebble's protocol: the
//! "process" starts once `stdio` (and `stderr` when split) are connected; output goes as
//! binary frames and every output stream ends with the text frame `{"command":"end"}`; the
//! exit code is the exec task's data `exit-code`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};
use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};

use super::Inner;
use super::changes::{NewTask, finish_task, new_change};
use super::envelope::{Reply, async_change, bad_request, internal, not_found};
use super::fs::host_path;
use super::http::{Conn, Request};
use super::layers::current_plan;
use super::time::parse_go_duration;
use crate::state::{ExecRecord, ExecRule};

/// How long Pebble waits for the I/O websockets before failing the task (`cmdstate`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// One exec call's I/O state.
#[derive(Debug)]
pub(crate) struct Session {
    rule: ExecRule,
    /// `timed out after …` when the rule runs longer than the call's timeout.
    timed_out: Option<String>,
    split_stderr: bool,
    /// Index of its record in `exec_history`.
    record: usize,
    connected: Vec<String>,
    /// The simulated process has produced its output (stderr may be sent).
    output_ready: bool,
    /// The stderr stream has been sent and ended.
    stderr_sent: bool,
    /// The task has finished (or failed to start).
    finished: bool,
}

/// Exec sessions by task id.
pub(crate) type Sessions = BTreeMap<String, Session>;

/// A websocket upgrade to serve.
#[derive(Debug)]
pub(crate) struct Upgrade {
    task: String,
    ws: String,
}

#[derive(Deserialize)]
struct Body {
    command: Option<Vec<String>>,
    #[serde(rename = "service-context")]
    service_context: Option<String>,
    environment: Option<BTreeMap<String, String>>,
    #[serde(rename = "working-dir")]
    working_dir: Option<String>,
    timeout: Option<String>,
    #[serde(rename = "user-id")]
    user_id: Option<u32>,
    user: Option<String>,
    #[serde(rename = "group-id")]
    group_id: Option<u32>,
    group: Option<String>,
    #[serde(rename = "split-stderr")]
    split_stderr: Option<bool>,
}

/// POST /v1/exec.
pub(crate) fn post_exec(inner: &std::sync::Arc<Inner>, req: &Request) -> Reply {
    let body: Body = match serde_json::from_slice(&req.body) {
        Ok(b) => b,
        Err(e) => return bad_request(format!("cannot decode request body: {e}")),
    };
    let command = body.command.unwrap_or_default();
    if command.is_empty() {
        return bad_request("must specify command");
    }
    let timeout = body.timeout.filter(|t| !t.is_empty());
    let timeout_nanos = match timeout.as_deref().map(parse_go_duration) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(e)) => return bad_request(format!("invalid timeout: {e}")),
    };
    let mut state = inner.lock();
    let rule = state.exec_rules.iter().find(|r| !r.command.is_empty() && command.starts_with(&r.command)).cloned();
    let mut record = ExecRecord {
        command: command.clone(),
        environment: body.environment.clone().unwrap_or_default(),
        working_dir: body.working_dir.clone().filter(|w| !w.is_empty()),
        user: body.user.clone().filter(|u| !u.is_empty()),
        user_id: body.user_id,
        group: body.group.clone().filter(|g| !g.is_empty()),
        group_id: body.group_id,
        timeout: timeout.clone(),
        signals: Vec::new(),
        stdin_bytes: 0,
        exit_code: None,
    };
    let Some(rule) = rule else {
        state.exec_history.push(record);
        return bad_request(format!("cannot find executable {:?}", command[0]));
    };
    let runs_for = match rule.runs_for.as_str() {
        "" => 0,
        d => match parse_go_duration(d) {
            Ok(n) => n,
            Err(e) => return internal(format!("exec rule {:?} has a bad runs_for: {e}", rule.command)),
        },
    };
    // cmdstate/handlers.go: `timed out after %v: %w` with ctx.Err().
    let timed_out = (timeout_nanos > 0 && runs_for > timeout_nanos).then(|| {
        format!("timed out after {}: context deadline exceeded", super::time::go_duration_string(timeout_nanos))
    });
    // plan.MergeServiceContext: the service's environment, user, group and working dir, the
    // request's own values winning.
    let mut env: BTreeMap<String, String> = BTreeMap::from([
        ("PATH".into(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()),
        ("LANG".into(), "C.UTF-8".into()),
        ("HOME".into(), "/root".into()),
        ("USER".into(), "root".into()),
    ]);
    let mut working_dir = record.working_dir.clone();
    if let Some(ctx) = body.service_context.filter(|c| !c.is_empty()) {
        let plan = match current_plan(&state) {
            Ok(p) => p,
            Err(e) => return internal(e),
        };
        let Some(svc) = plan.services.get(&ctx) else {
            return bad_request(format!("context service {ctx:?} not found"));
        };
        if let Some(Value::Object(senv)) = svc.get("environment") {
            env.extend(senv.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned())));
        }
        if working_dir.is_none() {
            working_dir = svc.get("working-dir").and_then(Value::as_str).map(str::to_owned);
        }
    }
    if (record.group.is_some() || record.group_id.is_some()) && record.user.is_none() && record.user_id.is_none() {
        return bad_request("must specify user, not just group");
    }
    env.extend(record.environment.clone());
    let home = env.get("HOME").cloned().unwrap_or_default();
    let working_dir = match working_dir {
        Some(dir) => match std::fs::metadata(host_path(&inner.root, &dir)) {
            Ok(m) if m.is_dir() => dir,
            Ok(_) => return internal(format!("cannot call exec: working directory {dir:?} not a directory")),
            Err(_) => return internal(format!("cannot call exec: working directory {dir:?} does not exist")),
        },
        None if host_path(&inner.root, &home).is_dir() => home,
        None => "/".into(),
    };
    record.working_dir = Some(working_dir.clone());
    state.exec_history.push(record);
    let index = state.exec_history.len() - 1;
    let summary = format!("Execute command {:?}", command[0]);
    let change = new_change(&mut state, "exec", summary.clone(), vec![NewTask::new("exec", summary, "Doing")], vec![]);
    let task = state.changes.last().map(|c| c.tasks[0].id.clone()).unwrap_or_default();
    drop(state);
    let split_stderr = body.split_stderr.unwrap_or(false);
    inner.exec_lock().insert(
        task.clone(),
        Session {
            rule,
            timed_out,
            split_stderr,
            record: index,
            connected: Vec::new(),
            output_ready: false,
            stderr_sent: false,
            finished: false,
        },
    );
    spawn_connect_watchdog(inner.clone(), task.clone());
    async_change(&change, json!({"task-id": task, "environment": env, "working-dir": working_dir}))
}

/// Pebble fails an exec task whose I/O websockets do not connect in time.
fn spawn_connect_watchdog(inner: std::sync::Arc<Inner>, task: String) {
    let _ = std::thread::Builder::new().name("pebble-exec-watchdog".into()).spawn(move || {
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        let mut sessions = inner.exec_lock();
        loop {
            let Some(s) = sessions.get(&task) else { return };
            if s.output_ready || s.finished {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            sessions = inner.exec_moved.wait_timeout(sessions, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        if let Some(s) = sessions.get_mut(&task) {
            s.finished = true;
        }
        drop(sessions);
        let why = format!("exec {task}: timeout waiting for websocket connections: context deadline exceeded");
        finish_task(
            &mut inner.lock(),
            &task,
            "Error",
            Some(&why),
            BTreeMap::from([("exit-code".to_owned(), Value::from(-1))]),
        );
        inner.moved.notify_all();
        inner.exec_moved.notify_all();
    });
}

/// GET /v1/tasks/{task}/websocket/{ws}: checks, then an upgrade.
pub(crate) fn get_websocket(inner: &Inner, task: &str, ws: &str) -> Reply {
    let state = inner.lock();
    let Some(change) = state.changes.iter().find(|c| c.tasks.iter().any(|t| t.id == task)) else {
        return not_found(format!("cannot find task {task:?}"));
    };
    let kind = change.tasks.iter().find(|t| t.id == task).map(|t| t.kind.clone()).unwrap_or_default();
    if kind != "exec" {
        return bad_request(format!("{kind:?} tasks do not have websockets"));
    }
    let change_err = change.err.clone();
    drop(state);
    let mut sessions = inner.exec_lock();
    let Some(session) = sessions.get_mut(task) else {
        return internal(change_err.unwrap_or_else(|| format!("cannot find task {task:?}")));
    };
    let known = ws == "control" || ws == "stdio" || (ws == "stderr" && session.split_stderr);
    if !known {
        return not_found(format!("cannot find {ws} websocket for task {task:?}"));
    }
    if session.connected.iter().any(|c| c == ws) {
        return internal(format!("{ws} websocket already connected"));
    }
    if session.finished {
        return internal(change_err.unwrap_or_else(|| "exec already finished".into()));
    }
    session.connected.push(ws.to_owned());
    Reply::Upgrade(Upgrade { task: task.to_owned(), ws: ws.to_owned() })
}

impl Inner {
    /// Locks the exec sessions.
    pub(crate) fn exec_lock(&self) -> std::sync::MutexGuard<'_, Sessions> {
        self.exec.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Answers the upgrade and serves one websocket of an exec task until the client closes it.
pub(crate) fn serve_websocket<S: Read + Write>(inner: &Inner, mut conn: Conn<S>, req: &Request, up: Upgrade) {
    let key = req.header("sec-websocket-key").unwrap_or("");
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    if conn.stream.write_all(head.as_bytes()).and_then(|_| conn.stream.flush()).is_err() {
        return;
    }
    let mut ws = WebSocket::from_partially_read(conn.stream, conn.buf, Role::Server, None);
    inner.exec_moved.notify_all();
    match up.ws.as_str() {
        "stdio" => serve_stdio(inner, &mut ws, &up.task),
        "stderr" => serve_stderr(inner, &mut ws, &up.task),
        // control: signals are recorded (nothing runs to receive them), resizes dropped; it
        // ends when the client closes it.
        _ => serve_control(inner, &mut ws, &up.task),
    }
    let _ = ws.close(None);
    let _ = ws.flush();
}

fn serve_control<S: Read + Write>(inner: &Inner, ws: &mut WebSocket<S>, task: &str) {
    let Some(record) = inner.exec_lock().get(task).map(|s| s.record) else { return };
    loop {
        match ws.read() {
            Ok(Message::Text(t)) => {
                let v: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
                if let (Some("signal"), Some(name)) = (v["command"].as_str(), v["signal"]["name"].as_str())
                    && let Some(r) = inner.lock().exec_history.get_mut(record)
                {
                    r.signals.push(name.to_owned());
                }
            }
            Ok(Message::Close(_)) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Reads frames until the client closes or ends the stream, giving each binary payload to
/// `data`. Returns on `{"command":"end"}` too.
fn drain<S: Read + Write>(ws: &mut WebSocket<S>, mut data: impl FnMut(usize)) -> bool {
    loop {
        match ws.read() {
            Ok(Message::Binary(b)) => data(b.len()),
            Ok(Message::Text(t)) => {
                let end = serde_json::from_str::<Value>(t.as_str()).ok().is_some_and(|v| v["command"] == "end");
                if end {
                    return true;
                }
            }
            Ok(Message::Close(_)) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

fn send_output<S: Read + Write>(ws: &mut WebSocket<S>, bytes: &[u8]) {
    if !bytes.is_empty() {
        let _ = ws.send(Message::binary(bytes.to_vec()));
    }
    let _ = ws.send(Message::text(r#"{"command":"end"}"#));
}

fn serve_stdio<S: Read + Write>(inner: &Inner, ws: &mut WebSocket<S>, task: &str) {
    // Wait for stderr (when split): the process starts once its I/O is connected.
    let (rule, split, record, timed_out) = {
        let mut sessions = inner.exec_lock();
        loop {
            let Some(s) = sessions.get(task) else { return };
            if s.finished {
                return;
            }
            if !s.split_stderr || s.connected.iter().any(|c| c == "stderr") {
                break;
            }
            sessions = inner.exec_moved.wait_timeout(sessions, CONNECT_TIMEOUT).unwrap_or_else(|e| e.into_inner()).0;
        }
        let s = &sessions[task];
        (s.rule.clone(), s.split_stderr, s.record, s.timed_out.clone())
    };
    let count = |n: usize| {
        if let Some(r) = inner.lock().exec_history.get_mut(record) {
            r.stdin_bytes += n as u64;
        }
    };
    let mut ended = false;
    if rule.reads_stdin {
        ended = drain(ws, count);
    }
    // A command killed by its timeout never finished: no output, no file changes.
    let mut out = Vec::new();
    if timed_out.is_none() {
        apply_file_changes(inner, &rule);
        out = rule.stdout.clone().into_bytes();
        if !split {
            out.extend_from_slice(rule.stderr.as_bytes());
        }
    }
    send_output(ws, &out);
    {
        let mut sessions = inner.exec_lock();
        if let Some(s) = sessions.get_mut(task) {
            s.output_ready = true;
        }
        inner.exec_moved.notify_all();
        // The change is ready only once every output stream has ended.
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        while split && sessions.get(task).is_some_and(|s| !s.stderr_sent) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            sessions = inner.exec_moved.wait_timeout(sessions, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        if let Some(s) = sessions.get_mut(task) {
            s.finished = true;
        }
    }
    {
        let mut state = inner.lock();
        let (status, code) = if timed_out.is_some() { ("Error", -1) } else { ("Done", rule.exit_code) };
        if let Some(r) = state.exec_history.get_mut(record) {
            r.exit_code = Some(code);
        }
        let data = BTreeMap::from([("exit-code".to_owned(), Value::from(code))]);
        finish_task(&mut state, task, status, timed_out.as_deref(), data);
    }
    inner.moved.notify_all();
    inner.exec_moved.notify_all();
    if !ended {
        // Stdin the command did not read is still counted as the client sends it.
        drain(ws, count);
    }
}

fn serve_stderr<S: Read + Write>(inner: &Inner, ws: &mut WebSocket<S>, task: &str) {
    let stderr = {
        let mut sessions = inner.exec_lock();
        loop {
            let Some(s) = sessions.get(task) else { return };
            if s.output_ready || s.finished {
                break;
            }
            sessions =
                inner.exec_moved.wait_timeout(sessions, Duration::from_secs(3600)).unwrap_or_else(|e| e.into_inner()).0;
        }
        let s = &sessions[task];
        if s.timed_out.is_some() { String::new() } else { s.rule.stderr.clone() }
    };
    send_output(ws, stderr.as_bytes());
    if let Some(s) = inner.exec_lock().get_mut(task) {
        s.stderr_sent = true;
    }
    inner.exec_moved.notify_all();
    drain(ws, |_| {});
}

/// The rule's file changes, made when the command "runs".
fn apply_file_changes(inner: &Inner, rule: &ExecRule) {
    for (path, content) in &rule.write_files {
        let host = host_path(&inner.root, path);
        if let Some(parent) = host.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&host, content);
    }
    for path in &rule.remove_paths {
        let host = host_path(&inner.root, path);
        if host != inner.root {
            let _ = std::fs::remove_dir_all(&host).or_else(|_| std::fs::remove_file(&host));
        }
    }
}
