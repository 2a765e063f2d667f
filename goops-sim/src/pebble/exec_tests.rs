//! The exec protocol with a tungstenite client, as ops's client speaks it: POST, connect
//! control/stdio/stderr, stdin frames and `{"command":"end"}`, output frames, then the
//! change's `exit-code`.

use std::os::unix::net::UnixStream;

use serde_json::{Value, json};
use tungstenite::Message;

use crate::pebble::PebbleServer;
use crate::pebble::testutil::{call, message, server};
use crate::state::{ContainerState, ExecRule};

fn connect(s: &PebbleServer, task: &str, ws: &str) -> tungstenite::WebSocket<UnixStream> {
    let (mine, theirs) = UnixStream::pair().unwrap();
    let srv = s.clone();
    std::thread::spawn(move || srv.serve_connection(theirs));
    let url = format!("ws://localhost/v1/tasks/{task}/websocket/{ws}");
    tungstenite::client(url.as_str(), mine).unwrap().0
}

/// Reads binary frames until `{"command":"end"}`.
fn read_all(ws: &mut tungstenite::WebSocket<UnixStream>) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        match ws.read().unwrap() {
            Message::Binary(b) => out.extend_from_slice(&b),
            Message::Text(t) if t.as_str() == r#"{"command":"end"}"# => return out,
            _ => {}
        }
    }
}

fn state() -> ContainerState {
    let rule = |cmd: &[&str], code, out: &str, err: &str, stdin| ExecRule {
        command: cmd.iter().map(|s| s.to_string()).collect(),
        exit_code: code,
        stdout: out.into(),
        stderr: err.into(),
        reads_stdin: stdin,
        ..Default::default()
    };
    ContainerState { exec_rules: vec![rule(&["cat"], 3, "out", "err", true)], ..Default::default() }
}

#[test]
fn exec_streams_output_counts_stdin_and_reports_the_exit_code() {
    let (s, _root) = server(state());
    let body = json!({"command": ["cat", "-"], "environment": {"A": "1"}, "working-dir": null, "timeout": null,
        "user-id": null, "user": null, "group-id": null, "group": null, "split-stderr": true, "service-context": null});
    let (status, v) = call(&s, "POST", "/v1/exec", body);
    assert_eq!(status, 202, "{v}");
    let task = v["result"]["task-id"].as_str().unwrap().to_owned();
    assert_eq!((v["result"]["environment"]["A"].as_str(), v["result"]["working-dir"].as_str()), (Some("1"), Some("/")));
    let change = v["change"].as_str().unwrap().to_owned();
    let mut control = connect(&s, &task, "control");
    let mut stdio = connect(&s, &task, "stdio");
    let mut stderr = connect(&s, &task, "stderr");
    let (code, again) = call(&s, "GET", &format!("/v1/tasks/{task}/websocket/stdio"), Value::Null);
    assert_eq!((code, message(&again)), (500, "stdio websocket already connected"));
    control.send(Message::text(r#"{"command":"signal","signal":{"name":"SIGHUP"}}"#)).unwrap();
    stdio.send(Message::binary(b"abc".to_vec())).unwrap();
    stdio.send(Message::text(r#"{"command":"end"}"#)).unwrap();
    assert_eq!(read_all(&mut stdio), b"out");
    assert_eq!(read_all(&mut stderr), b"err");
    let (_, done) = call(&s, "GET", &format!("/v1/changes/{change}/wait?timeout=2s"), Value::Null);
    let c = &done["result"];
    assert_eq!((c["status"].as_str(), c["summary"].as_str()), (Some("Done"), Some("Execute command \"cat\"")));
    assert_eq!(c["tasks"][0]["data"], json!({"exit-code": 3}), "a non-zero exit is still Done");
    for ws in [&mut control, &mut stdio, &mut stderr] {
        let _ = ws.close(None);
    }
    let rec = &s.state().exec_history[0];
    assert_eq!((rec.stdin_bytes, rec.exit_code, rec.environment["A"].as_str()), (3, Some(3), "1"));
    // The control websocket is served on its own thread: give it a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while s.state().exec_history[0].signals.is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(s.state().exec_history[0].signals, ["SIGHUP"]);
}

#[test]
fn exec_refusals_are_pebbles() {
    let (s, _root) = server(state());
    let (code, v) = call(&s, "POST", "/v1/exec", json!({"command": []}));
    assert_eq!((code, message(&v)), (400, "must specify command"));
    let (code, v) = call(&s, "POST", "/v1/exec", json!({"command": ["ls"]}));
    assert_eq!((code, message(&v)), (400, "cannot find executable \"ls\""));
    let (code, v) = call(&s, "POST", "/v1/exec", json!({"command": ["cat"], "timeout": "soon"}));
    assert_eq!((code, message(&v)), (400, "invalid timeout: time: invalid duration \"soon\""));
    let (code, v) = call(&s, "POST", "/v1/exec", json!({"command": ["cat"], "working-dir": "/nope"}));
    assert_eq!((code, message(&v)), (500, "cannot call exec: working directory \"/nope\" does not exist"));
    let (code, v) = call(&s, "GET", "/v1/tasks/99/websocket/stdio", Value::Null);
    assert_eq!((code, message(&v)), (404, "cannot find task \"99\""));
    let (_, v) = call(&s, "POST", "/v1/exec", json!({"command": ["cat"], "split-stderr": false}));
    let task = v["result"]["task-id"].as_str().unwrap();
    let (code, v) = call(&s, "GET", &format!("/v1/tasks/{task}/websocket/stderr"), Value::Null);
    assert_eq!((code, message(&v)), (404, format!("cannot find stderr websocket for task \"{task}\"").as_str()));
}
