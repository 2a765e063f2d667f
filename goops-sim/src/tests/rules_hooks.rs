//! One test per rule of docs/hook-tools.md §7, rules 1–23 (flags, formats, relations,
//! leadership, status, actions), run through the in-process engine. Rules 43 and 44 need a real
//! `dispatch` process and live in tests/cli.rs.

use super::*;
use crate::EventOptions;

#[test]
fn rule_01_usage_errors_exit_2_run_errors_exit_1() {
    let e = engine(base(), "install");
    fails(&e, "relation-get", &["--bogus"], 2, "option provided but not defined: --bogus");
    fails(&e, "is-leader", &["extra"], 2, "unrecognized args: [\"extra\"]");
    fails(&e, "action-get", &[], 1, "not running an action");
}

#[test]
fn rule_02_flag_errors_use_the_word_option() {
    let e = engine(base(), "install");
    fails(&e, "relation-list", &["-x"], 2, "option provided but not defined: -x");
    fails(
        &e,
        "relation-get",
        &["-r", "burble:123", "-", "pg/0"],
        2,
        "invalid value \"burble:123\" for option -r: relation not found",
    );
    fails(
        &e,
        "relation-list",
        &["--relation=nope"],
        2,
        "invalid value \"nope\" for option --relation: invalid relation id",
    );
}

#[test]
fn rule_03_help_prints_usage_and_exits_0() {
    let e = engine(base(), "install");
    for flag in ["-h", "--help"] {
        let r = run(&e, "secret-get", &[flag]);
        assert_eq!(r.code, 0);
        assert!(r.out.starts_with("Usage: secret-get [options] <ID> [key[#base64]]"), "{}", r.out);
        assert!(r.out.contains("--peek"));
    }
}

#[test]
fn rule_04_formatters_smart_yaml_json() {
    let e = engine(base(), "install");
    assert_eq!(ok(&e, "is-leader", &[]), "True\n");
    assert_eq!(ok(&e, "is-leader", &["--format=json"]), "true\n");
    assert_eq!(ok(&e, "is-leader", &["--format", "yaml"]), "true\n");
    // nil: nothing in smart/yaml, null in json.
    assert_eq!(ok(&e, "config-get", &["name"]), "");
    assert_eq!(ok(&e, "config-get", &["name", "--format=json"]), "null\n");
    assert_eq!(ok(&e, "relation-ids", &["db"]), "db:1\n");
    assert_eq!(ok(&e, "relation-ids", &["db", "--format=json"]), "[\"db:1\"]\n");
    assert_eq!(ok(&e, "config-get", &[]), "debug: false\nport: 8080\n");
    assert_eq!(ok(&e, "config-get", &["--format=json"]), "{\"debug\":false,\"port\":8080}\n");
    // resource-get prints the raw path without a newline.
    let mut state = base();
    state.resources.insert("blob".into(), "/tmp/blob.bin".into());
    let e = engine(state, "install");
    assert_eq!(ok(&e, "resource-get", &["blob"]), "/tmp/blob.bin");
}

#[test]
fn rule_05_format_choices_per_tool() {
    let e = engine(base(), "install");
    fails(
        &e,
        "secret-get",
        &["mine", "--format=smart"],
        2,
        "invalid value \"smart\" for option --format: unknown format \"smart\"",
    );
    fails(
        &e,
        "config-get",
        &["--format", "xml"],
        2,
        "invalid value \"xml\" for option --format: unknown format \"xml\"",
    );
    // secret-get, secret-info-get and goal-state default to YAML.
    assert_eq!(ok(&e, "secret-get", &["secret:aaaaaaaaaaaaaaaaaaaa"]), "password: one\n");
    assert!(ok(&e, "goal-state", &[]).starts_with("units:\n  demo/0:\n    status: unknown\n"));
    // Deprecated --format on juju-log only warns.
    let r = run(&e, "juju-log", &["--format=json", "hello"]);
    assert_eq!((r.code, r.err.as_str()), (0, "--format flag deprecated for command \"juju-log\""));
}

#[test]
fn rule_06_output_flag_writes_a_file() {
    let dir = temp_dir("rule06");
    let e = engine(base(), "install");
    e.with(|s| s.charm_dir = dir.clone());
    assert_eq!(ok(&e, "config-get", &["port", "-o", "out.txt"]), "");
    assert_eq!(std::fs::read_to_string(dir.join("out.txt")).unwrap(), "8080\n");
    assert_eq!(ok(&e, "config-get", &["--format=json", "--output", "all.json"]), "");
    assert_eq!(std::fs::read_to_string(dir.join("all.json")).unwrap(), "{\"debug\":false,\"port\":8080}\n");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn rule_07_relation_tools_default_to_the_hook_relation() {
    let e = engine(base(), "db-relation-changed");
    assert_eq!(ok(&e, "relation-list", &[]), "pg/0\npg/1\n");
    assert_eq!(ok(&e, "relation-get", &["host"]), "h0\n");
    let e = engine(base(), "install");
    fails(&e, "relation-list", &[], 2, "no relation id specified");
    fails(&e, "relation-set", &["a=b"], 2, "no relation id specified");
}

#[test]
fn rule_08_relation_id_is_n_or_name_colon_n() {
    let e = engine(base(), "install");
    assert_eq!(ok(&e, "relation-list", &["-r", "1"]), "pg/0\npg/1\n");
    assert_eq!(ok(&e, "relation-list", &["-r", "db:1"]), "pg/0\npg/1\n");
    assert_eq!(ok(&e, "relation-list", &["-r1"]), "pg/0\npg/1\n");
    fails(&e, "relation-list", &["-r", "db:9"], 2, "invalid value \"db:9\" for option -r: relation not found");
    fails(&e, "relation-list", &["-r", "db:x"], 2, "invalid value \"db:x\" for option -r: invalid relation id");
}

#[test]
fn rule_09_relation_set_app_requires_leadership() {
    let e = engine(non_leader(), "db-relation-changed");
    fails(&e, "relation-set", &["--app", "k=v"], 1, "cannot write relation settings");
    fails(&e, "relation-set", &["-r", "2", "--app=True", "k=v"], 1, "cannot write relation settings");
    ok(&e, "relation-set", &["k=v"]);
    let e = engine(base(), "db-relation-changed");
    ok(&e, "relation-set", &["--app", "k=v"]);
    let state = e.finish(true).unwrap().state;
    assert_eq!(state.relation(1).unwrap().local_app_data["k"], "v");
}

#[test]
fn rule_10_non_leaders_cannot_read_their_app_bag_except_on_peers() {
    let e = engine(non_leader(), "install");
    fails(&e, "relation-get", &["-r", "1", "--app", "-", "demo"], 1, "permission denied");
    assert_eq!(ok(&e, "relation-get", &["-r", "2", "--app", "-", "demo"]), "peer: data\n");
    let e = engine(base(), "install");
    assert_eq!(ok(&e, "relation-get", &["-r", "1", "--app", "-", "demo"]), "a: \"1\"\n");
}

#[test]
fn rule_11_relation_values_are_strings_empty_deletes_duplicates_rejected() {
    let e = engine(base(), "db-relation-changed");
    fails(&e, "relation-set", &["a=1", "a=2"], 2, "key \"a\" specified more than once");
    fails(&e, "relation-set", &["novalue"], 2, "expected \"key=value\", got \"novalue\"");
    // An empty key after trimming: the trimmed parts, unquoted (juju/utils/v4 keyvalues.go).
    fails(&e, "relation-set", &[" \t=v "], 2, "expected \"key=value\", got \"=v\"");
    ok(&e, "relation-set", &["u=", "n=42"]);
    assert_eq!(ok(&e, "relation-get", &["--format=json", "-", "demo/0"]), "{\"n\":\"42\"}\n");
}

#[test]
fn rule_12_relation_get_sees_own_pending_writes_and_caches_remote_data() {
    let e = engine(base(), "db-relation-changed");
    ok(&e, "relation-set", &["fresh=yes"]);
    assert_eq!(ok(&e, "relation-get", &["fresh", "demo/0"]), "yes\n");
    assert_eq!(ok(&e, "relation-get", &["host", "pg/0"]), "h0\n");
    // The remote side changes mid-hook: this hook keeps seeing what it read first.
    e.with(|s| {
        s.state.relation_mut(1).unwrap().remote_units.get_mut("pg/0").unwrap().insert("host".into(), "new".into())
    });
    assert_eq!(ok(&e, "relation-get", &["host", "pg/0"]), "h0\n");
}

#[test]
fn rule_13_writes_are_buffered_and_committed_only_on_success() {
    let make = || {
        let e = engine(base(), "db-relation-changed");
        ok(&e, "relation-set", &["k=v"]);
        ok(&e, "state-set", &["s=1"]);
        ok(&e, "open-port", &["80"]);
        ok(&e, "secret-add", &["token=abc"]);
        ok(&e, "status-set", &["active", "ready"]);
        ok(&e, "application-version-set", &["1.2"]);
        ok(&e, "juju-log", &["hello"]);
        e
    };
    let failed = make().finish(false).unwrap();
    assert!(!failed.committed);
    let s = failed.state;
    assert!(!s.relation(1).unwrap().local_unit_data.contains_key("k"));
    assert!(s.unit_state.is_empty() && s.opened_ports.is_empty() && s.secrets.len() == 3);
    // Immediate effects survive a failed hook.
    assert_eq!((s.unit_status.status.as_str(), s.workload_version.as_str()), ("active", "1.2"));
    assert_eq!(s.juju_log.last().unwrap().message, "db:1: hello");
    let s = make().finish(true).unwrap().state;
    assert_eq!(s.relation(1).unwrap().local_unit_data["k"], "v");
    // leader-set (Juju 3.x) is immediate too.
    let e = engine(base(), "install");
    ok(&e, "leader-set", &["shared=1"]);
    assert_eq!(ok(&e, "leader-get", &["shared"]), "1\n");
    assert_eq!(e.finish(false).unwrap().state.leader_settings["shared"], "1");
    let e = engine(non_leader(), "install");
    fails(&e, "leader-set", &["x=1"], 1, "cannot write leadership settings: cannot write settings: not the leader");
    assert_eq!(s.unit_state["s"], "1");
    assert_eq!(s.opened_ports.len(), 1);
    assert_eq!(s.secrets.len(), 4);
}

#[test]
fn rule_14_relation_ids_are_string_sorted_and_exclude_broken() {
    let mut state = base();
    let mut r10 = state.relation(1).unwrap().clone();
    r10.id = 10;
    state.relations.push(r10);
    let e = engine(state.clone(), "install");
    assert_eq!(ok(&e, "relation-ids", &["db", "--format=json"]), "[\"db:1\",\"db:10\"]\n");
    assert_eq!(ok(&e, "relation-ids", &["nothing"]), "");
    fails(&e, "relation-ids", &[], 2, "no endpoint name specified");
    let options = EventOptions { relation_id: Some(1), ..Default::default() };
    let e = engine_with(state, "db-relation-broken", &options);
    assert_eq!(ok(&e, "relation-ids", &[]), "db:10\n");
    assert!(e.finish(true).unwrap().state.relation(1).is_none());
}

#[test]
fn rule_15_relation_list_is_sorted_and_drops_the_departing_unit() {
    let options = EventOptions { remote_unit: Some("pg/1".into()), ..Default::default() };
    let e = engine_with(base(), "db-relation-departed", &options);
    assert_eq!(ok(&e, "relation-list", &["--format=json"]), "[\"pg/0\"]\n");
    // The departing unit's data stays readable during the hook.
    assert_eq!(ok(&e, "relation-get", &["host", "pg/1"]), "h1\n");
    assert_eq!(ok(&e, "relation-list", &["--app"]), "pg\n");
    let state = e.finish(true).unwrap().state;
    assert!(!state.relation(1).unwrap().remote_units.contains_key("pg/1"));
}

#[test]
fn rule_15_when_this_unit_departs_relation_list_drops_the_remote_unit_of_the_hook() {
    // This unit is leaving: it runs departed once per remote member with JUJU_DEPARTING_UNIT set
    // to itself; the member the hook names leaves relation-list (contextfactory.go removes
    // hookInfo.RemoteUnit), not the departing unit.
    let leaving = base();
    let options = EventOptions {
        remote_unit: Some("pg/1".into()),
        departing_unit: Some(leaving.unit.clone()),
        ..Default::default()
    };
    let e = engine_with(leaving, "db-relation-departed", &options);
    assert_eq!(ok(&e, "relation-list", &["--format=json"]), "[\"pg/0\"]\n");
    let state = e.finish(true).unwrap().state;
    assert_eq!(state.relation(1).unwrap().remote_units.keys().collect::<Vec<_>>(), ["pg/0"]);
}

#[test]
fn rule_16_status_set_values_and_application_leadership() {
    let e = engine(non_leader(), "install");
    fails(
        &e,
        "status-set",
        &["error", "x"],
        2,
        "invalid status \"error\", expected one of [maintenance blocked waiting active]",
    );
    fails(&e, "status-set", &[], 2, "invalid args, require <status> [message]");
    fails(&e, "status-set", &["--application", "active"], 1, "this unit is not the leader");
    ok(&e, "status-set", &["--application=False", "blocked", "--", "-needs config"]);
    let state = e.finish(true).unwrap().state;
    assert_eq!((state.unit_status.status.as_str(), state.unit_status.message.as_str()), ("blocked", "-needs config"));
    assert_eq!(state.unit_status_history.len(), 1);
}

#[test]
fn rule_17_status_get_application_requires_leadership_and_has_units() {
    let e = engine(non_leader(), "install");
    fails(&e, "status-get", &["--application"], 1, "finding application status: this unit is not the leader");
    assert_eq!(ok(&e, "status-get", &[]), "unknown\n");
    let e = engine(base(), "install");
    ok(&e, "status-set", &["--application", "active", "all good"]);
    let json = ok(&e, "status-get", &["--include-data", "--format=json", "--application=True"]);
    assert_eq!(
        json,
        "{\"application-status\":{\"message\":\"all good\",\"status\":\"active\",\"status-data\":{},\
         \"units\":{\"demo/0\":{\"message\":\"\",\"status\":\"unknown\",\"status-data\":{}},\
         \"demo/1\":{\"message\":\"\",\"status\":\"unknown\",\"status-data\":{}}}}}\n"
    );
}

#[test]
fn rule_18_is_leader_is_sticky_false_within_a_hook() {
    let e = engine(base(), "install");
    assert_eq!(ok(&e, "is-leader", &[]), "True\n");
    e.with(|s| s.state.leader = false);
    assert_eq!(ok(&e, "is-leader", &[]), "False\n");
    e.with(|s| s.state.leader = true);
    assert_eq!(ok(&e, "is-leader", &[]), "False\n");
    fails(&e, "relation-set", &["-r", "1", "--app", "k=v"], 1, "cannot write relation settings");
}

#[test]
fn rule_19_action_tools_outside_an_action_fail() {
    let e = engine(base(), "install");
    for (tool, args) in
        [("action-get", &[][..]), ("action-set", &["a=b"]), ("action-log", &["x"]), ("action-fail", &[])]
    {
        fails(&e, tool, args, 1, "not running an action");
    }
}

#[test]
fn rule_20_action_set_key_rules() {
    let e = engine(base(), "action:backup");
    let msg = "key \"Foo\" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods";
    fails(&e, "action-set", &["Foo=1"], 2, msg);
    fails(&e, "action-set", &["a-=1"], 2, &msg.replace("Foo", "a-"));
    fails(&e, "action-set", &["out.stdout=1"], 2, "cannot set reserved action key \"stdout\"");
    fails(&e, "action-set", &["nokey"], 2, "argument \"nokey\" must be of the form key...=value");
    ok(&e, "action-set", &["a-b.c1=ok"]);
}

#[test]
fn rule_21_action_set_nests_dotted_keys_and_overwrites() {
    let e = engine(base(), "action:backup");
    ok(&e, "action-set", &["a=x"]);
    ok(&e, "action-set", &["a.b=1", "a.c=2"]);
    ok(&e, "action-set", &["d.e=3", "d=4"]);
    let state = e.finish(true).unwrap().state;
    let action = state.action.clone().unwrap();
    assert_eq!(serde_json::Value::Object(action.results), serde_json::json!({"a": {"b": "1", "c": "2"}, "d": "4"}));
    assert_eq!(action.status, "completed");
    // Running the action again starts with no results but keeps params given in the state.
    let mut state = state;
    if let Some(a) = &mut state.action {
        a.params.insert("target".into(), "/srv".into());
    }
    let e = engine(state, "action:backup");
    assert_eq!(ok(&e, "action-get", &["target"]), "/srv\n");
    assert!(e.finish(true).unwrap().state.action.unwrap().results.is_empty());
}

#[test]
fn rule_22_action_fail_without_message_uses_the_default() {
    let e = engine(base(), "action:backup");
    ok(&e, "action-fail", &[]);
    let action = e.finish(true).unwrap().state.action.unwrap();
    assert_eq!(action.failure.as_deref(), Some("action failed without reason given, check action for errors"));
    assert_eq!(action.status, "failed");
    let e = engine(base(), "action:backup");
    ok(&e, "action-fail", &["disk full"]);
    // action-get sees params with schema defaults.
    assert_eq!(ok(&e, "action-get", &["target"]), "/tmp\n");
    fails(&e, "action-fail", &["a", "b"], 2, "unrecognized args: [\"b\"]");
    ok(&e, "action-set", &["partial=yes"]);
    // Results survive a failing script; the process error becomes the message, as in Juju.
    e.with(|s| s.set_exit_message("exit status 3"));
    let action = e.finish(false).unwrap().state.action.unwrap();
    assert_eq!(action.failure.as_deref(), Some("exit status 3"));
    assert_eq!(action.results["partial"], "yes");
    // A refused commit fails the action and says so in stderr.
    let e = engine(non_leader(), "action:backup");
    ok(&e, "secret-set", &["secret:aaaaaaaaaaaaaaaaaaaa", "password=x"]);
    let action = e.finish(true).unwrap().state.action.unwrap();
    assert_eq!(action.failure.as_deref(), Some("committing requested changes failed"));
    assert_eq!(
        (action.results["stderr"].as_str(), action.results["return-code"].as_str()),
        (Some("permission denied"), Some("1"))
    );
}

#[test]
fn rule_23_juju_reboot_is_refused_in_actions() {
    let e = engine(base(), "action:backup");
    fails(&e, "juju-reboot", &[], 1, "juju-reboot is not supported when running an action.");
    let e = engine(base(), "install");
    ok(&e, "juju-reboot", &[]);
    assert!(e.finish(true).unwrap().state.reboot.is_some());
}
