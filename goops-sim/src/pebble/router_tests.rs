//! Routing, envelopes, keep-alive and history.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

use serde_json::{Value, json};

use crate::pebble::testutil::{call, message, server};
use crate::state::ContainerState;

#[test]
fn unknown_paths_and_methods_answer_as_pebbles_router() {
    let (s, _root) = server(ContainerState::default());
    let (code, v) = call(&s, "GET", "/v1/warnings", Value::Null);
    assert_eq!((code, message(&v)), (404, "invalid API endpoint requested"), "warnings are gone since Pebble 1.16");
    let (code, v) = call(&s, "PUT", "/v1/services", Value::Null);
    assert_eq!((code, message(&v)), (405, "method \"PUT\" not allowed"));
    let (code, v) = call(&s, "GET", "/v1/services/web", Value::Null);
    assert_eq!((code, message(&v)), (400, "not implemented"));
    let (code, v) = call(&s, "GET", "/v1/system-info", Value::Null);
    assert_eq!(
        (code, v["type"].as_str(), v["status"].as_str(), v["result"]["version"].as_str()),
        (200, Some("sync"), Some("OK"), Some("v1.32.1"))
    );
    let (code, v) = call(&s, "GET", "/v1/plan", Value::Null);
    assert_eq!((code, message(&v)), (400, "invalid format \"\""));
    let (_, v) = call(&s, "GET", "/v1/plan?format=yaml", Value::Null);
    assert_eq!(v["result"], "{}\n");
    let (code, v) = call(&s, "GET", "/v1/changes/7/wait", Value::Null);
    assert_eq!((code, message(&v)), (404, "cannot find change with id \"7\""));
    let history: Vec<(String, u16)> = s.state().history.iter().map(|r| (r.path.clone(), r.status)).collect();
    assert_eq!(history[0], ("/v1/warnings".to_owned(), 404));
    assert_eq!(history.len(), 7);
}

#[test]
fn one_connection_serves_requests_in_turn_until_closed() {
    let (s, _root) = server(ContainerState::default());
    let (mut client, theirs) = UnixStream::pair().unwrap();
    let srv = s.clone();
    let t = std::thread::spawn(move || srv.serve_connection(theirs));
    client.write_all(b"GET /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /v1/health?level=nope HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    let mut out = String::new();
    client.read_to_string(&mut out).unwrap();
    t.join().unwrap();
    assert_eq!(out.matches("HTTP/1.1 ").count(), 2, "{out}");
    assert!(out.contains(r#"{"type":"sync","status-code":200,"status":"OK","result":{"healthy":true}}"#), "{out}");
    assert!(out.contains(r#""message":"level must be \"alive\" or \"ready\"""#), "{out}");
}

#[test]
fn health_is_502_when_a_counted_check_is_down() {
    let mut state = ContainerState::default();
    state.layers.push(crate::state::LayerRecord {
        label: "base".into(),
        order: 1000,
        layer: json!({"checks": {"live": {"override": "replace", "level": "alive", "tcp": {"port": 1}},
                                 "rdy": {"override": "replace", "level": "ready", "tcp": {"port": 2}}}}),
    });
    state.checks.insert(
        "rdy".into(),
        crate::state::CheckRecord {
            status: crate::state::CheckStatus::Down,
            failures: 3,
            successes: 0,
            change_id: None,
        },
    );
    let (s, _root) = server(state);
    let (code, v) = call(&s, "GET", "/v1/health?level=alive", Value::Null);
    assert_eq!((code, &v["result"]), (200, &json!({"healthy": true})));
    let (code, v) = call(&s, "GET", "/v1/health?level=ready", Value::Null);
    assert_eq!((code, v["status"].as_str(), &v["result"]), (502, Some("Bad Gateway"), &json!({"healthy": false})));
    // A check down at start is driven by a recover-check change, as in Pebble.
    let (_, v) = call(&s, "GET", "/v1/checks?names=rdy", Value::Null);
    let change = v["result"][0]["change-id"].as_str().unwrap().to_owned();
    assert_eq!(v["result"][0]["failures"], 3);
    let (_, c) = call(&s, "GET", &format!("/v1/changes/{change}"), Value::Null);
    assert_eq!(c["result"]["summary"], "Recover TCP check \"rdy\"");
}

#[test]
fn notices_filter_by_type_key_and_after() {
    let (s, _root) = server(ContainerState::default());
    let (code, v) = call(
        &s,
        "POST",
        "/v1/notices",
        json!({"action": "add", "type": "custom", "key": "a.com/x", "data": {"k": "v"}}),
    );
    assert_eq!(code, 200, "{v}");
    let id = v["result"]["id"].as_str().unwrap().to_owned();
    let (_, v) = call(&s, "POST", "/v1/notices", json!({"action": "add", "type": "warning", "key": "a.com/x"}));
    assert_eq!(message(&v), "invalid type \"warning\" (can only add \"custom\" notices)");
    let (_, v) = call(
        &s,
        "POST",
        "/v1/notices",
        json!({"action": "add", "type": "custom", "key": "a.com/x", "repeat-after": "x"}),
    );
    assert_eq!(message(&v), "invalid repeat-after: time: invalid duration \"x\"");
    let (_, v) = call(&s, "GET", "/v1/notices?types=custom&keys=a.com/x", Value::Null);
    assert_eq!(
        (v["result"][0]["id"].as_str(), v["result"][0]["last-data"]["k"].as_str()),
        (Some(id.as_str()), Some("v"))
    );
    let last = v["result"][0]["last-repeated"].as_str().unwrap().to_owned();
    let (_, v) = call(&s, "GET", &format!("/v1/notices?after={}", last.replace('+', "%2B")), Value::Null);
    assert_eq!(v["result"], json!([]), "nothing repeated after the last one");
    let (_, v) = call(&s, "GET", "/v1/notices?types=nonsense", Value::Null);
    assert_eq!(v["result"], json!([]), "unknown types only: nothing");
    let (code, v) = call(&s, "GET", "/v1/notices?after=yesterday", Value::Null);
    assert_eq!(code, 400, "{v}");
}

#[test]
fn listen_serves_a_socket_until_stopped() {
    let (s, root) = server(ContainerState::default());
    let socket = root.0.with_extension("sock");
    let handle = s.listen(&socket).unwrap();
    let mut client = UnixStream::connect(&socket).unwrap();
    client.write_all(b"GET /v1/system-info HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    client.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    handle.stop();
    assert!(!socket.exists(), "the socket file is removed");
    assert!(UnixStream::connect(&socket).is_err());
}
