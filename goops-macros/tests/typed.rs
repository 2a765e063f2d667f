//! Typed config and action parameters, end to end through `dispatch`.

mod common;

use common::Recorder;
use goops_runtime::prelude::*;
use goops_runtime::{Outcome, dispatch};

#[allow(dead_code)] // read through Debug
#[derive(Debug, CharmConfig)]
#[config(metadata = "tests/fixtures/charmcraft.yaml")]
struct Config {
    log_level: String,
    port: u16,
    ratio: f64,
    debug: bool,
    external_hostname: Option<String>,
    #[config(key = "admin-password")]
    password_id: Option<String>,
}

#[derive(Debug, ActionParams)]
#[params(action = "do-backup", metadata = "tests/fixtures/charmcraft.yaml")]
struct BackupParams {
    target: String,
    compress: Option<bool>,
    retries: Option<u8>,
}

#[derive(serde::Serialize)]
struct BackupResult {
    path: String,
    compressed: bool,
}

#[derive(Default)]
struct TypedCharm;

#[charm(metadata = "tests/fixtures/charmcraft.yaml")]
impl TypedCharm {
    #[hook(config_changed)]
    fn configure(&self, ctx: &Context, config: Config) -> HookResult {
        ctx.log(LogLevel::Info, format!("{config:?}"));
        Ok(())
    }

    #[action("do-backup")]
    fn backup(&self, params: BackupParams, config: Config) -> std::result::Result<BackupResult, String> {
        if params.retries == Some(0) {
            return Err("no retries left".to_owned());
        }
        Ok(BackupResult {
            path: format!("{}:{}", params.target, config.port),
            compressed: params.compress.unwrap_or(false),
        })
    }

    // The wrong parameters for this action: a run-time rejection, not a panic.
    #[action("rotate-ca")]
    fn rotate(&self, params: BackupParams) -> std::result::Result<(), String> {
        let _ = params;
        Ok(())
    }
}

const CONFIG: &str =
    r#"{"log-level": "debug", "port": 8080, "ratio": 0.25, "debug": true, "admin-password": "secret:abc"}"#;

#[test]
fn config_is_loaded_once_and_typed() {
    let tools = Recorder::new();
    tools.stdout("config-get", CONFIG);
    let outcome = dispatch::<TypedCharm>(&tools.context(&[("JUJU_DISPATCH_PATH", "hooks/config-changed")]));
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.calls_of("config-get"), [vec!["--format=json".to_owned()]]);
    assert_eq!(
        tools.logs(),
        [
            r#"Config { log_level: "debug", port: 8080, ratio: 0.25, debug: true, external_hostname: None, password_id: Some("secret:abc") }"#
        ]
    );
}

#[test]
fn invalid_config_blocks_the_unit_and_exits_zero() {
    let tools = Recorder::new();
    tools.stdout("config-get", r#"{"log-level": "info", "port": 70000, "ratio": 1.0, "debug": false}"#);
    let outcome = dispatch::<TypedCharm>(&tools.context(&[("JUJU_DISPATCH_PATH", "hooks/config-changed")]));
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(outcome.exit_code(), 0);
    let status = tools.calls_of("status-set");
    assert_eq!(status.len(), 1);
    assert_eq!(&status[0][..2], ["blocked", "--"]);
    assert!(status[0][2].starts_with("config option \"port\" is not valid"), "{:?}", status[0][2]);
    // The handler did not run.
    assert!(tools.logs().is_empty());

    tools.stdout("config-get", r#"{"port": 1, "ratio": 1.0, "debug": false}"#);
    let outcome = dispatch::<TypedCharm>(&tools.context(&[("JUJU_DISPATCH_PATH", "hooks/config-changed")]));
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.calls_of("status-set")[1], ["blocked", "--", "config option \"log-level\" has no value"]);
}

#[test]
fn action_params_and_results() {
    let tools = Recorder::new();
    tools.stdout("config-get", CONFIG);
    tools.stdout("action-get", r#"{"target": "/srv/backup", "compress": true}"#);
    let outcome = dispatch::<TypedCharm>(&tools.context(&[("JUJU_DISPATCH_PATH", "actions/do-backup")]));
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.calls_of("action-get"), [vec!["--format=json".to_owned()]]);
    assert_eq!(tools.calls_of("action-set"), [vec!["compressed=true".to_owned(), "path=/srv/backup:8080".to_owned()]]);
}

#[test]
fn invalid_params_and_handler_errors_fail_the_action() {
    let tools = Recorder::new();
    tools.stdout("config-get", CONFIG);
    tools.stdout("action-get", r#"{"target": 5}"#);
    let outcome = dispatch::<TypedCharm>(&tools.context(&[("JUJU_DISPATCH_PATH", "actions/do-backup")]));
    let Outcome::ActionFailed(message) = &outcome else { panic!("{outcome:?}") };
    assert!(message.starts_with("parameter \"target\" is not valid: invalid type: integer `5`"), "{message}");
    assert_eq!(tools.calls_of("action-fail").len(), 1);

    tools.stdout("action-get", r#"{"target": "/x", "retries": 0}"#);
    let outcome = dispatch::<TypedCharm>(&tools.context(&[("JUJU_DISPATCH_PATH", "actions/do-backup")]));
    assert_eq!(outcome, Outcome::ActionFailed("no retries left".into()));

    let outcome = dispatch::<TypedCharm>(&tools.context(&[("JUJU_DISPATCH_PATH", "actions/rotate-ca")]));
    assert_eq!(
        outcome,
        Outcome::ActionFailed(
            "the handler takes the parameters of action \"do-backup\", but \"rotate-ca\" is running".into()
        )
    );
}

#[test]
fn a_failing_config_get_fails_the_hook() {
    let tools = Recorder::new();
    tools.respond("config-get", |_| goops_runtime::ToolOutput::error(1, "connection refused"));
    let outcome = dispatch::<TypedCharm>(&tools.context(&[("JUJU_DISPATCH_PATH", "hooks/config-changed")]));
    let Outcome::HookFailed(message) = &outcome else { panic!("{outcome:?}") };
    assert!(message.contains("config-get") && message.contains("connection refused"), "{message}");
    assert!(tools.calls_of("status-set").is_empty());
}
