//! Service actions through the HTTP API, with Pebble's texts (`api_services.go`,
//! `servstate/manager.go`).

use serde_json::json;

use crate::pebble::testutil::{add_layer, call, message, server};
use crate::state::{ContainerState, ServiceStatus};

const LAYER: &str = "services:\n  db: {override: replace, command: db, startup: enabled}\n  web: {override: replace, command: web, requires: [db], after: [db]}\n";

fn change(s: &crate::pebble::PebbleServer, v: &serde_json::Value) -> serde_json::Value {
    assert_eq!((v["type"].as_str(), v["result"].is_null()), (Some("async"), true), "{v}");
    let id = v["change"].as_str().unwrap();
    call(s, "GET", &format!("/v1/changes/{id}/wait?timeout=1s"), serde_json::Value::Null).1["result"].clone()
}

#[test]
fn start_pulls_in_requirements_and_tasks_follow_the_order() {
    let (s, _root) = server(ContainerState::default());
    add_layer(&s, "base", LAYER, false);
    assert!(s.state().services.is_empty(), "adding a layer starts nothing");
    let (status, v) = call(&s, "POST", "/v1/services", json!({"action": "start", "services": ["web"]}));
    assert_eq!(status, 202);
    let c = change(&s, &v);
    assert_eq!(
        (c["kind"].as_str(), c["summary"].as_str(), c["status"].as_str()),
        (Some("start"), Some("Start service \"web\" and 1 more"), Some("Done"))
    );
    let tasks: Vec<&str> = c["tasks"].as_array().unwrap().iter().map(|t| t["summary"].as_str().unwrap()).collect();
    assert_eq!(tasks, ["Start service \"db\"", "Start service \"web\""]);
    let (_, list) = call(&s, "GET", "/v1/services?names=web,nope", serde_json::Value::Null);
    assert_eq!(list["result"][0]["current"], "active");
    assert_eq!(list["result"].as_array().unwrap().len(), 1, "unknown names are skipped");
    // Stopping db stops what requires it.
    let c = change(&s, &call(&s, "POST", "/v1/services", json!({"action": "stop", "services": ["db"]})).1);
    let tasks: Vec<&str> = c["tasks"].as_array().unwrap().iter().map(|t| t["summary"].as_str().unwrap()).collect();
    assert_eq!(tasks, ["Stop service \"web\"", "Stop service \"db\""]);
    assert_eq!(s.state().services["web"].current, ServiceStatus::Inactive);
    // Stopping a stopped service is a no-op task that says so.
    let c = change(&s, &call(&s, "POST", "/v1/services", json!({"action": "stop", "services": ["web"]})).1);
    assert!(c["tasks"][0]["log"][0].as_str().unwrap().ends_with("INFO Service \"web\" already stopped."), "{c}");
}

#[test]
fn action_errors_are_pebbles() {
    let (s, _root) = server(ContainerState::default());
    let cases = [
        (json!({"action": "start", "services": []}), 400, "must specify services for start action"),
        (json!({"action": "replan", "services": ["x"]}), 400, "replan accepts no service names"),
        (json!({"action": "explode", "services": ["x"]}), 400, "invalid action \"explode\""),
        (json!({"action": "restart", "services": ["x"]}), 400, "cannot restart services: service \"x\" does not exist"),
    ];
    for (body, status, msg) in cases {
        let (got, v) = call(&s, "POST", "/v1/services", body.clone());
        assert_eq!((got, message(&v)), (status, msg), "{body}");
    }
    let (status, v) = call(&s, "POST", "/v1/services", json!({"action": "autostart"}));
    assert_eq!(
        (status, v["result"]["kind"].as_str(), message(&v)),
        (400, Some("no-default-services"), "no default services")
    );
    let (status, v) = call(&s, "POST", "/v1/services", json!({"action": "replan"}));
    assert_eq!(status, 202);
    assert_eq!(change(&s, &v)["summary"], "Replan - no services");
    let (_, v) = call(&s, "POST", "/v1/signals", json!({"signal": "SIGHUP", "services": []}));
    assert_eq!(message(&v), "must specify one or more services");
}

#[test]
fn replan_restarts_changed_services_only() {
    let (s, _root) = server(ContainerState::default());
    add_layer(&s, "base", LAYER, false);
    change(&s, &call(&s, "POST", "/v1/services", json!({"action": "replan"})).1);
    assert_eq!(s.state().services["db"].starts, 1);
    add_layer(&s, "base", "services:\n  db: {override: merge, environment: {X: '1'}}\n", true);
    let c = change(&s, &call(&s, "POST", "/v1/services", json!({"action": "replan"})).1);
    let tasks: Vec<&str> = c["tasks"].as_array().unwrap().iter().map(|t| t["summary"].as_str().unwrap()).collect();
    // Stopping db stops what requires it too (Pebble's StopOrder), even if it never ran.
    assert_eq!(tasks, ["Stop service \"web\"", "Stop service \"db\"", "Start service \"db\""]);
    assert!(c["tasks"][0]["log"][0].as_str().unwrap().ends_with("Service \"web\" has never been started."), "{c}");
    let st = s.state();
    assert_eq!((st.services["db"].starts, st.services["db"].current), (2, ServiceStatus::Active));
    assert!(!st.services.contains_key("web"), "web is not enabled and was never started");
    let (status, v) = call(&s, "POST", "/v1/signals", json!({"signal": "SIGNOPE", "services": ["db"]}));
    assert_eq!((status, message(&v)), (500, "cannot send signal to \"db\": invalid signal name \"SIGNOPE\""));
}
