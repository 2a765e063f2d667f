//! What every family's round trips share: the test charm, one hook on goops-sim's in-process
//! engine, Juju's error texts checked against the typed error, and the check that no secret
//! value reaches argv, a report or an error.

use goops_runtime::{Error, SecretContent, SecretString};
use goops_sim::testing::RunReport;
use goops_sim::{CharmMeta, Engine, EventOptions, State};

/// The charm every round trip runs as: one of each thing a hook tool can be about.
pub(crate) const CHARMCRAFT: &str = r#"
name: app
type: charm
summary: The round-trip charm.
description: Declares one of everything the hook tools read.
requires:
  db: {interface: pgsql}
  certificates: {interface: tls-certificates}
provides:
  website: {interface: http}
peers:
  peers: {interface: app-peers}
extra-bindings:
  admin-api:
storage:
  data: {type: filesystem, location: /srv/data}
  cache: {type: block}
resources:
  bin: {type: file}
config:
  options:
    port: {type: int, default: 8080}
    name: {type: string, default: web}
    debug: {type: boolean, default: false}
    ratio: {type: float, default: 0.5}
    token: {type: string}
actions:
  backup:
    description: Back up.
    params:
      target: {type: string, default: /srv}
      compress: {type: boolean, default: true}
      retention: {type: object}
  restore:
    description: Restore.
"#;

/// Secret values used anywhere in this suite: none may appear on argv, in a `RunReport` (its
/// tool calls or its `Debug`) or in an error (`Display` or `Debug`). Every hook finished with
/// [`finish`] and every error taken with [`err`] is checked against all of them.
pub(crate) const SECRET_VALUES: &[&str] = &[
    "hunter2-db-password",
    "s3cr3t-api-token-9f2c",
    "-----BEGIN PRIVATE KEY-----MIIEvQ",
    "rotated-password-v2",
    "consumer-sees-rev-1",
    "consumer-sees-rev-2",
    "cloud-admin-password-77",
];

/// A secret value by its index in [`SECRET_VALUES`].
pub(crate) fn secret_value(index: usize) -> &'static str {
    SECRET_VALUES[index]
}

/// Secret content from `(key, value)` pairs.
pub(crate) fn content(pairs: &[(&str, &str)]) -> SecretContent {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), SecretString::from(*v))).collect()
}

/// Plain content as goops-sim's state keeps it.
pub(crate) fn bag(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// The test charm's metadata.
pub(crate) fn meta() -> CharmMeta {
    CharmMeta::from_charmcraft_yaml(CHARMCRAFT).expect("the test charm's charmcraft.yaml parses")
}

/// The hook `event` (`install`, `db-relation-changed`, …) on `state`.
#[track_caller]
pub(crate) fn hook(state: State, event: &str) -> Engine {
    hook_with(state, event, &EventOptions::default())
}

/// The hook `event` on `state`, completed by `options`.
#[track_caller]
pub(crate) fn hook_with(state: State, event: &str, options: &EventOptions) -> Engine {
    Engine::for_event(state, meta(), event, options).unwrap_or_else(|e| panic!("{event}: {e}"))
}

/// The action `name` with `params` on `state`.
#[track_caller]
pub(crate) fn action(state: State, name: &str, params: serde_json::Value) -> Engine {
    let params = params.as_object().cloned().expect("params are a JSON object");
    hook_with(state, &format!("action:{name}"), &EventOptions { params, ..EventOptions::default() })
}

/// End the hook as a dispatch exiting 0 (`exit_ok`) or 1 would, and check that no secret value
/// reached a tool's argv, the engine's `Debug` (its pending writes) or the report's `Debug`.
#[track_caller]
pub(crate) fn finish(engine: &Engine, exit_ok: bool) -> RunReport {
    let debug = format!("{engine:?}");
    assert!(SECRET_VALUES.iter().all(|s| !debug.contains(s)), "a secret value is in the engine's Debug output");
    let report = engine.finish(exit_ok).expect("the hook was not finished yet");
    assert_no_secret_in_report(&report);
    report
}

/// No value of [`SECRET_VALUES`] on any tool call's argv nor in the report's `Debug`.
#[track_caller]
pub(crate) fn assert_no_secret_in_report(report: &RunReport) {
    let debug = format!("{report:?}");
    for secret in SECRET_VALUES {
        for call in &report.tool_calls {
            assert!(
                call.args.iter().all(|a| !a.contains(secret)),
                "a secret value is on the argv of {}: {:?}",
                call.tool,
                call.args
            );
        }
        assert!(!debug.contains(secret), "a secret value is in the report's Debug output");
    }
}

/// The error of `result`, checked to quote no value of [`SECRET_VALUES`] in its `Display` or
/// `Debug`.
#[track_caller]
pub(crate) fn err<T: std::fmt::Debug>(result: goops_runtime::Result<T>) -> Error {
    let error = result.expect_err("the call fails");
    let (display, debug) = (error.to_string(), format!("{error:?}"));
    for secret in SECRET_VALUES {
        assert!(!display.contains(secret) && !debug.contains(secret), "a secret value is in the error: {debug}");
    }
    error
}

/// The typed error a hook-tool failure must map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    NotFound,
    NotLeader,
    PermissionDenied,
    InvalidUsage,
    /// Any other failure, with its exit code.
    ToolFailed(i32),
}

/// Assert that `error` is the `kind` of failure of `tool` and carries `message`, Juju's text
/// (docs/hook-tools.md), exactly.
#[track_caller]
pub(crate) fn assert_juju_error(error: &Error, kind: Kind, tool: &str, message: &str) {
    let (got_kind, got_tool, got_message) = match error {
        Error::NotFound { tool, message } => (Kind::NotFound, tool, message),
        Error::NotLeader { tool, message } => (Kind::NotLeader, tool, message),
        Error::PermissionDenied { tool, message } => (Kind::PermissionDenied, tool, message),
        Error::InvalidUsage { tool, message } => (Kind::InvalidUsage, tool, message),
        Error::ToolFailed { tool, code, message } => (Kind::ToolFailed(*code), tool, message),
        other => panic!("{tool}: expected a Juju failure ({kind:?}: {message}), got {other:?}"),
    };
    assert_eq!((got_kind, got_tool.as_str(), got_message.as_str()), (kind, tool, message), "{error:?}");
    assert!(error.to_string().starts_with(tool), "the error names the tool: {error}");
}

/// Assert that `error` was caught before any tool ran (`Error::InvalidInput`) and says `what`.
#[track_caller]
pub(crate) fn assert_invalid_input(error: &Error, what: &str) {
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(error.to_string().contains(what), "{error}");
}

/// The arguments of every call of `tool` in the report.
pub(crate) fn argvs(report: &RunReport, tool: &str) -> Vec<Vec<String>> {
    report.calls_of(tool).into_iter().map(<[String]>::to_vec).collect()
}

/// `argv` as owned strings.
pub(crate) fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
