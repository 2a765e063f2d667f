//! The same harness tests as a real process: the `certificates` binary staged as `dispatch` and
//! run by `goops-sim run`. Every scenario runs in both modes and must give the same outcome.

mod common;

use certificates::Certificates;
use common::*;
use goops_sim::state::{State, StatusName, StatusRecord};
use goops_sim::testing::{End, Harness, On, RunReport};
use serde_json::Value;

fn process() -> Harness<Certificates> {
    harness().process(env!("CARGO_BIN_EXE_certificates"))
}

/// What must be equal across modes: everything but random ids, keys, signatures and clocks.
fn normalize(out: &RunReport) -> String {
    let mut state: Value = serde_json::from_str(&out.state.to_json()).unwrap();
    strip_since(&mut state);
    let mut ids = Vec::new();
    if let Some(secrets) = state.get_mut("secrets").and_then(Value::as_array_mut) {
        for secret in secrets {
            ids.push(secret["id"].as_str().unwrap_or_default().to_owned());
            if secret.get("expire").is_some() {
                secret["expire"] = "<set>".into();
            }
            for revision in secret["revisions"].as_array_mut().into_iter().flatten() {
                for value in revision["content"].as_object_mut().into_iter().flatten().map(|(_, v)| v) {
                    *value = "<content>".into();
                }
            }
        }
    }
    // Signed certificates differ (fresh signatures); their validity is checked separately.
    for relation in state.get_mut("relations").and_then(Value::as_array_mut).into_iter().flatten() {
        if let Some(bag) = relation.get_mut("local_app_data").and_then(Value::as_object_mut)
            && let Some(raw) = bag.get("certificates").and_then(Value::as_str)
        {
            let count = serde_json::from_str::<Vec<Value>>(raw).map(|l| l.len()).unwrap_or(usize::MAX);
            bag.insert("certificates".into(), format!("<{count} answers>").into());
        }
    }
    let calls: Vec<Value> = out
        .tool_calls
        .iter()
        .map(|c| {
            let args: Vec<String> = c
                .args
                .iter()
                .map(|a| match a.split_once("#file=") {
                    Some((key, _)) => format!("{key}#file=<path>"),
                    None => a.clone(),
                })
                .collect();
            serde_json::json!({"tool": c.tool, "args": args, "code": c.code})
        })
        .collect();
    let statuses = |list: &[StatusRecord]| -> Vec<(String, String)> {
        list.iter().map(|s| (s.status.to_string(), s.message.clone())).collect()
    };
    let view = serde_json::json!({
        "end": format!("{:?}", out.end),
        "committed": out.committed,
        "logs": out.logs.iter().map(|l| format!("{} {}", l.level, l.message)).collect::<Vec<_>>(),
        "unit_statuses": statuses(&out.unit_statuses),
        "app_statuses": statuses(&out.app_statuses),
        "action": out.action.as_ref().map(|a| serde_json::json!({
            "results": a.results, "logs": a.logs, "failure": a.failure, "status": a.status,
        })),
        "tool_calls": calls,
        "state": state,
    });
    let mut text = serde_json::to_string_pretty(&view).unwrap();
    for (n, id) in ids.iter().enumerate().filter(|(_, id)| !id.is_empty()) {
        text = text.replace(id.trim_start_matches("secret:"), &format!("<secret-{n}>"));
    }
    text
}

fn strip_since(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("since");
            map.values_mut().for_each(strip_since);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_since),
        _ => {}
    }
}

/// Run `event` on `state` in both modes; assert they agree; return the process outcome.
fn both(event: impl Fn() -> On, state: &State) -> RunReport {
    let in_process = harness().run(event(), state).expect("in-process run");
    let process = process().run(event(), state).expect("process run");
    assert_eq!(normalize(&in_process), normalize(&process), "in-process and process outcomes differ");
    process
}

#[test]
fn install_as_leader_and_as_non_leader() {
    let out = both(On::install, &unit(true));
    assert_eq!(out.end, End::Completed);
    let secret = out.secret_by_label(LABEL).expect("the CA secret");
    assert!(out.log_messages().contains(&format!("Created new secret with ID: {}", secret.id).as_str()));
    let out = both(On::install, &unit(false));
    assert_eq!(out.state.unit_status.status, StatusName::Waiting);
}

#[test]
fn the_full_flow_install_csr_action() {
    // install
    let installed = both(On::install, &unit(true));
    let ca_pem = installed.secret_by_label(LABEL).unwrap().content(1).unwrap()["ca-certificate"].clone();

    // certificates-relation-changed with one good and one bad CSR
    let mut state = installed.state.clone();
    state.relations.push(relation_requesting(&[&csr("db.example.internal"), "garbage"]));
    let relation = state.relations[0].clone();
    let in_process = harness().run(On::relation_changed(&relation), &state).unwrap();
    let out = process().run(On::relation_changed(&relation), &state).unwrap();
    assert_eq!(normalize(&in_process), normalize(&out));
    for outcome in [&in_process, &out] {
        let answers = answers(&outcome.state, RELATION);
        assert_eq!(answers.len(), 1);
        assert_signed_by(&answers[0].certificate, &ca_pem, "db.example.internal");
    }
    assert_eq!(out.state.unit_status.status, StatusName::Blocked);
    assert_eq!(out.logs_at("ERROR").len(), 1);

    // get-ca-certificate
    let out = both(|| On::action("get-ca-certificate"), &out.state);
    assert_eq!(out.end, End::Completed);
    assert_eq!(out.action.unwrap().result("ca-certificate"), Some(ca_pem.as_str()));
}

#[test]
fn failures_end_the_same_way() {
    let out = both(|| On::action("get-ca-certificate"), &unit(true));
    assert!(matches!(out.end, End::ActionFailed(_)), "{:?}", out.end);
    // A hook the charm does not handle is skipped in both modes.
    let out = both(On::start, &unit(true));
    assert_eq!(out.end, End::Skipped);
}
