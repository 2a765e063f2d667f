//! `action-get`, `action-set`, `action-log`, `action-fail` (docs/hook-tools.md §4.1).

use goops_runtime::hookcmds::action;
use goops_sim::State;
use serde_json::json;

use crate::Coverage;
use crate::support::{Kind, assert_invalid_input, assert_juju_error, err, finish, hook};

pub(crate) const COVERAGE: Coverage = &[
    (
        "action_get",
        &[
            params_come_back_with_the_schema_defaults,
            the_action_tools_fail_outside_an_action,
            the_context_reads_the_params_once,
        ],
    ),
    ("action_get_key", &[params_come_back_with_the_schema_defaults, the_action_tools_fail_outside_an_action]),
    (
        "action_set",
        &[
            results_logs_and_the_failure_are_recorded,
            results_are_reported_even_when_the_action_process_fails,
            the_action_tools_fail_outside_an_action,
            invalid_result_keys_never_reach_action_set,
        ],
    ),
    (
        "action_log",
        &[
            results_logs_and_the_failure_are_recorded,
            the_action_tools_fail_outside_an_action,
            the_context_reads_the_params_once,
        ],
    ),
    ("action_fail", &[results_logs_and_the_failure_are_recorded, the_action_tools_fail_outside_an_action]),
];

#[test]
pub(crate) fn params_come_back_with_the_schema_defaults() {
    let engine = crate::support::action(
        State::default(),
        "backup",
        json!({"target": "/mnt/backup", "retention": {"days": 7, "keep": {"weekly": 4}}}),
    );
    // Juju fills in the schema's defaults (`compress`) before the action runs (§4.1).
    let params = action::action_get(&engine).expect("params");
    assert_eq!(
        serde_json::Value::Object(params),
        json!({"target": "/mnt/backup", "compress": true, "retention": {"days": 7, "keep": {"weekly": 4}}})
    );
    assert_eq!(action::action_get_key(&engine, "compress").expect("a default"), Some(json!(true)));
    assert_eq!(action::action_get_key(&engine, "retention.keep.weekly").expect("a dotted path"), Some(json!(4)));
    assert_eq!(action::action_get_key(&engine, "retention.keep").expect("a map"), Some(json!({"weekly": 4})));
    // A path that leads nowhere is nil and exit 0.
    assert_eq!(action::action_get_key(&engine, "retention.months").expect("absent"), None);
    assert_eq!(action::action_get_key(&engine, "nope").expect("absent"), None);
    let error = err(action::action_get_key(&engine, "-x"));
    assert_invalid_input(&error, "action parameter name \"-x\"");
    let report = finish(&engine, true);
    assert_eq!(report.calls_of("action-get").len(), 6, "the invalid name never ran action-get");

    // An action without params (nor defaults) has `{}`.
    let engine = crate::support::action(State::default(), "restore", json!({}));
    assert!(action::action_get(&engine).expect("params").is_empty());
    finish(&engine, true);
}

#[test]
pub(crate) fn results_logs_and_the_failure_are_recorded() {
    let engine = crate::support::action(State::default(), "backup", json!({}));
    action::action_log(&engine, "-50% done").expect("a message starting with '-' is not an option");
    action::action_set(&engine, [("result.cert", "PEM"), ("result.key-id", "7"), ("ok", "true")]).expect("set");
    // A later scalar replaces whatever was at its key (addValueToMap, rule 21).
    action::action_set(&engine, [("ok", "yes")]).expect("set");
    action::action_set(&engine, []).expect("nothing to set runs nothing");
    action::action_fail(&engine, "the target is full").expect("fail");
    let report = finish(&engine, true);
    let record = report.action.as_ref().expect("an action record");
    assert_eq!(record.logs, ["-50% done"]);
    assert_eq!(
        serde_json::Value::Object(record.results.clone()),
        json!({"result": {"cert": "PEM", "key-id": "7"}, "ok": "yes"})
    );
    assert_eq!(record.failure.as_deref(), Some("the target is full"));
    assert_eq!(record.status, "failed");
    assert_eq!(report.calls_of("action-set").len(), 2);
}

#[test]
pub(crate) fn results_are_reported_even_when_the_action_process_fails() {
    // §1.5: action-set results are held in the context and always sent, even when the action's
    // process fails; the action is then failed.
    let engine = crate::support::action(State::default(), "backup", json!({}));
    action::action_set(&engine, [("progress.files", "12")]).expect("set");
    let report = finish(&engine, false);
    let record = report.action.as_ref().expect("an action record");
    assert_eq!(record.result("progress.files"), Some("12"));
    assert_eq!(record.status, "failed");
}

#[test]
pub(crate) fn the_action_tools_fail_outside_an_action() {
    // Rule 19: every action tool is on PATH in a hook too, and fails when it runs.
    let engine = hook(State::default(), "install");
    let not_an_action = |tool: &str, error: goops_runtime::Error| {
        assert_juju_error(&error, Kind::ToolFailed(1), tool, "not running an action");
    };
    not_an_action("action-get", err(action::action_get(&engine)));
    not_an_action("action-get", err(action::action_get_key(&engine, "target")));
    not_an_action("action-set", err(action::action_set(&engine, [("k", "v")])));
    not_an_action("action-log", err(action::action_log(&engine, "hello")));
    not_an_action("action-fail", err(action::action_fail(&engine, "nope")));
    let report = finish(&engine, true);
    assert!(report.action.is_none());
    assert!(report.tool_calls.iter().all(|c| c.code == 1), "{:?}", report.tool_calls);
}

#[test]
pub(crate) fn invalid_result_keys_never_reach_action_set() {
    let engine = crate::support::action(State::default(), "backup", json!({}));
    for key in ["Foo", "stdout", "a.stderr-encoding", "a..b", "a_b", "-a", "a-"] {
        let error = err(action::action_set(&engine, [(key, "v")]));
        assert_invalid_input(&error, &format!("action result key {key:?}"));
    }
    let report = finish(&engine, true);
    assert!(report.calls_of("action-set").is_empty(), "{:?}", report.tool_calls);
    assert!(report.action.expect("a record").results.is_empty());
}

#[test]
pub(crate) fn the_context_reads_the_params_once() {
    // Parameters are fixed when the action is queued: read once per dispatch.
    let engine = crate::support::action(State::default(), "backup", json!({"target": "/mnt"}));
    let ctx = engine.context().expect("a context");
    for _ in 0..2 {
        assert_eq!(
            serde_json::Value::Object(ctx.action_params().expect("params")),
            json!({"target": "/mnt", "compress": true})
        );
    }
    ctx.action_log("halfway").expect("logged");
    drop(ctx);
    let report = finish(&engine, true);
    assert_eq!(report.calls_of("action-get").len(), 1);
    assert_eq!(report.action.expect("a record").logs, ["halfway"]);
}
