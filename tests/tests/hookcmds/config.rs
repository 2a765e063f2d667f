//! `config-get` (docs/hook-tools.md §4.2, rule 41), and `Context`'s cached config.

use goops_runtime::Error;
use goops_runtime::hookcmds::config;
use goops_sim::State;
use serde_json::json;

use crate::Coverage;
use crate::support::{assert_invalid_input, err, finish, hook, v};

pub(crate) const COVERAGE: Coverage = &[
    ("config_get", &[values_keep_their_types_and_defaults_apply, the_context_reads_config_once]),
    ("config_get_key", &[values_keep_their_types_and_defaults_apply, unknown_and_unset_options_are_none]),
];

fn configured() -> State {
    State { config: [("port".to_owned(), json!(9000)), ("token".to_owned(), json!("t-1"))].into(), ..State::default() }
}

#[test]
pub(crate) fn values_keep_their_types_and_defaults_apply() {
    let engine = hook(configured(), "config-changed");
    let all = config::config_get(&engine).expect("config");
    assert_eq!(
        serde_json::Value::Object(all),
        json!({"port": 9000, "name": "web", "debug": false, "ratio": 0.5, "token": "t-1"})
    );
    assert_eq!(config::config_get_key(&engine, "port").expect("set"), Some(json!(9000)));
    assert_eq!(config::config_get_key(&engine, "ratio").expect("a default"), Some(json!(0.5)));
    assert_eq!(config::config_get_key(&engine, "debug").expect("a default"), Some(json!(false)));
    finish(&engine, true);

    // An option without a default and without a value is left out (rule 41); so is one the
    // operator reset to null.
    let state = State { config: [("name".to_owned(), serde_json::Value::Null)].into(), ..State::default() };
    let engine = hook(state, "config-changed");
    assert_eq!(
        serde_json::Value::Object(config::config_get(&engine).expect("config")),
        json!({"port": 8080, "debug": false, "ratio": 0.5})
    );
    finish(&engine, true);
}

#[test]
pub(crate) fn unknown_and_unset_options_are_none() {
    let engine = hook(State::default(), "config-changed");
    // An unknown key is nil, not an error (rule 41).
    assert_eq!(config::config_get_key(&engine, "no-such-option").expect("nil"), None);
    assert_eq!(config::config_get_key(&engine, "token").expect("unset"), None);
    for bad in ["", "-a", "--all"] {
        assert_invalid_input(&err(config::config_get_key(&engine, bad)), &format!("config option name {bad:?}"));
    }
    let report = finish(&engine, true);
    assert_eq!(
        crate::support::argvs(&report, "config-get"),
        [v(&["--format=json", "no-such-option"]), v(&["--format=json", "token"])],
        "invalid names never reach the tool"
    );
}

#[test]
pub(crate) fn the_context_reads_config_once() {
    let engine = hook(configured(), "config-changed");
    let ctx = engine.context().expect("a context");
    assert_eq!(ctx.config_get::<u16>("port").expect("typed"), Some(9000));
    assert_eq!(ctx.config_get::<String>("name").expect("typed").as_deref(), Some("web"));
    assert_eq!(ctx.config_get::<bool>("debug").expect("typed"), Some(false));
    assert_eq!(ctx.config_get::<f64>("ratio").expect("typed"), Some(0.5));
    assert_eq!(ctx.config_get::<String>("missing").expect("typed"), None);
    assert_eq!(ctx.config().expect("config").len(), 5);
    let error = err(ctx.config_get::<u16>("token"));
    assert!(matches!(error, Error::Parse { .. }), "{error:?}");
    assert!(error.to_string().contains("\"token\"") && !error.to_string().contains("t-1"), "{error}");
    drop(ctx);
    let report = finish(&engine, true);
    assert_eq!(crate::support::argvs(&report, "config-get"), [v(&["--format=json"])], "read once");
}
