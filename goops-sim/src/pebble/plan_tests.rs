//! Layer parsing, validation, combining and printing, with Pebble's texts (`plan.go`,
//! `plan_test.go`).

use super::*;

fn layer(label: &str, yaml: &str) -> (String, Layer) {
    (label.to_owned(), parse_layer(label, yaml).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn layer_errors_are_pebbles() {
    let cases = [
        ("foo: 1", r#"cannot parse layer "l": unknown section "foo""#),
        ("services:\n  s:\n    override: replace\n    future: 1\n", "field future not found in type plan.Service"),
        ("services:\n  pebble: {override: replace, command: x}", r#"cannot use reserved service name "pebble""#),
        (
            "services:\n  -x: {override: replace, command: x}",
            r#"cannot use service name "-x": starting with "-" not allowed"#,
        ),
        ("services:\n  s:\n", r#"service object cannot be null for service "s""#),
        (
            "services:\n  s: {override: replace, command: 'a [ b ] c'}",
            r#"plan service "s" command invalid: cannot parse service "s" command: cannot have any arguments after"#,
        ),
        ("services:\n  s: {override: replace, command: '[ b ]'}", "cannot start command with [ ... ] group"),
        (
            "services:\n  s: {override: replace, command: x, on-success: boom}",
            r#"plan service "s" on-success action "boom" invalid"#,
        ),
        (
            "services:\n  s: {override: replace, command: x, backoff-factor: 0.5}",
            r#"plan service "s" backoff-factor must be 1.0 or greater, not 0.5"#,
        ),
        ("services:\n  s: {override: replace, command: x, kill-delay: soon}", r#"invalid duration "soon""#),
        (
            "checks:\n  c: {override: replace, level: meh, tcp: {port: 1}}",
            r#"plan check "c" level must be "alive" or "ready""#,
        ),
        ("checks:\n  c: {override: replace, period: 0s, tcp: {port: 1}}", r#"plan check "c" period must not be zero"#),
        (
            "log-targets:\n  t: {override: replace, type: foo}",
            r#"log target "t" has unsupported type "foo", must be "loki", "opentelemetry" or "syslog""#,
        ),
    ];
    for (yaml, want) in cases {
        let err = parse_layer("l", yaml).unwrap_err();
        assert!(err.contains(want), "{yaml:?}: got {err:?}, want {want:?}");
    }
    assert_eq!(parse_layer("pebble-x", "{}").unwrap_err(), r#"cannot use reserved label prefix "pebble-""#);
}

#[test]
fn merge_appends_lists_merges_maps_and_keeps_the_first_override() {
    let plan = combine(&[
        layer("a", "services:\n  s:\n    override: replace\n    command: one\n    after: [x]\n    environment: {A: '1', B: '1'}\n    user-id: 5\n"),
        layer("b", "services:\n  s:\n    override: merge\n    after: [y]\n    environment: {B: '2'}\n    summary: sum\n"),
    ])
    .unwrap();
    let s = &plan.services["s"];
    assert_eq!(s["override"], "replace");
    assert_eq!(s["command"], "one", "an unset command does not overwrite");
    assert_eq!(s["after"], serde_json::json!(["x", "y"]));
    assert_eq!(s["environment"], serde_json::json!({"A": "1", "B": "2"}));
    assert_eq!((s["summary"].as_str(), s["user-id"].as_i64()), (Some("sum"), Some(5)));
    // replace drops everything the earlier layer said.
    let plan = combine(&[
        layer("a", "services:\n  s: {override: replace, command: one, summary: x}"),
        layer("b", "services:\n  s: {override: replace, command: two}"),
    ])
    .unwrap();
    assert!(!plan.services["s"].contains_key("summary"));
}

#[test]
fn combine_and_plan_validation_errors_name_the_layer_and_object() {
    let err = combine(&[layer("base", "services:\n  s: {command: x}")]).unwrap_err();
    assert_eq!(err, r#"layer "base" must define "override" for service "s""#);
    let err = combine(&[layer("base", "checks:\n  c: {override: sometimes, tcp: {port: 1}}")]).unwrap_err();
    assert_eq!(err, r#"layer "base" has invalid "override" value for check "c""#);
    let cases = [
        ("services:\n  s: {override: replace, summary: x}", r#"plan must define "command" for service "s""#),
        ("checks:\n  c: {override: replace}", r#"plan must specify one of "http", "tcp", or "exec" for check "c""#),
        ("checks:\n  c: {override: replace, http: {headers: {a: b}}}", r#"plan must set "url" for http check "c""#),
        (
            "checks:\n  c: {override: replace, exec: {command: x, service-context: nope}}",
            r#"plan check "c" service context specifies non-existent service "nope""#,
        ),
        (
            "log-targets:\n  t: {override: replace, location: x}",
            r#"plan must define "type" ("loki", "opentelemetry" or "syslog") for log target "t""#,
        ),
        (
            "services:\n  a: {override: replace, command: x, after: [b]}\n  b: {override: replace, command: x, after: [a]}",
            "services in before/after loop: a, b",
        ),
    ];
    for (yaml, want) in cases {
        let plan = combine(&[layer("l", yaml)]).unwrap();
        assert_eq!(validate_plan(&plan).unwrap_err(), want, "{yaml}");
    }
}

#[test]
fn start_order_pulls_in_requirements_and_stop_order_reverses() {
    let plan = combine(&[layer(
        "l",
        "services:\n  db: {override: replace, command: x}\n  web: {override: replace, command: x, requires: [db], after: [db]}\n",
    )])
    .unwrap();
    assert_eq!(order(&plan.services, &["web".into()], false).unwrap(), ["db", "web"]);
    assert_eq!(order(&plan.services, &["db".into()], true).unwrap(), ["web", "db"]);
    assert_eq!(order(&plan.services, &["nope".into()], false).unwrap_err(), r#"service "nope" does not exist"#);
}

#[test]
fn the_plan_prints_set_fields_in_struct_order_with_4_space_indent() {
    let plan = combine(&[layer(
        "l",
        "services:\n  s: {override: replace, command: 'run --x', startup: enabled, environment: {K: 'a: b'}, kill-delay: 90s}\nchecks:\n  c: {override: replace, level: alive, tcp: {port: 80}}\n",
    )])
    .unwrap();
    assert_eq!(
        plan_yaml(&plan),
        "services:\n    s:\n        startup: enabled\n        override: replace\n        command: run --x\n        environment:\n            K: \"a: b\"\n        kill-delay: 1m30s\nchecks:\n    c:\n        override: alive\n".replace("override: alive", "override: replace\n        level: alive\n        threshold: 3\n        tcp:\n            port: 80")
    );
    assert_eq!(plan_yaml(&Layer::default()), "{}\n");
    // What is printed reads back as the same plan.
    let again = combine(&[layer("again", &plan_yaml(&plan))]).unwrap();
    assert_eq!(again, plan);
}

#[test]
fn commands_split_with_default_arguments() {
    assert_eq!(
        parse_command("run 'a b' [ --x 1 ]").unwrap(),
        (vec!["run".into(), "a b".into()], vec!["--x".into(), "1".into()])
    );
    assert_eq!(parse_command("run \"x").unwrap_err(), "EOF found when expecting closing quote");
    assert_eq!(parse_command("run [ a [ b ] ]").unwrap_err(), "cannot nest [ ... ] groups");
    assert_eq!(parse_command("run ]").unwrap_err(), "cannot have ] outside of [ ... ] group");
}
