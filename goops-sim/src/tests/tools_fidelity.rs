//! Where goops-sim's tools once differed from Juju 3.6 (issue 11): relation enter-scope
//! settings, peer status defaults, unit-get's address.

use super::*;
use crate::state::{Address, BindAddress, Network, StatusRecord};

fn state_with(relations: &str, networks: &str) -> State {
    State::from_json(&format!(
        r#"{{"unit": "demo/0", "leader": true, "relations": [{relations}], "networks": {{{networks}}}}}"#
    ))
    .expect("state parses")
}

const CUSTOM_DB: &str = r#""db": {"bind_addresses": [{"interface_name": "eth1", "addresses": [{"value": "10.1.2.3", "cidr": "10.1.2.0/24"}]}],
    "ingress_addresses": ["10.1.2.3"], "egress_subnets": ["10.1.2.0/24", "10.9.0.0/16"]}"#;

#[test]
fn the_units_own_bag_starts_with_jujus_enter_scope_settings() {
    // No bag in the state: Juju's three keys, from the default network.
    let e = engine(state_with(r#"{"id": 1, "endpoint": "db", "remote_app": "pg"}"#, ""), "install");
    assert_eq!(
        ok(&e, "relation-get", &["-r", "1", "-", "demo/0"]),
        "egress-subnets: 192.0.2.0/24\ningress-address: 192.0.2.0\nprivate-address: 192.0.2.0\n"
    );
    // From the endpoint's own network when the state gives one.
    let e = engine(state_with(r#"{"id": 1, "endpoint": "db", "remote_app": "pg"}"#, CUSTOM_DB), "install");
    assert_eq!(
        ok(&e, "relation-get", &["-r", "1", "-", "demo/0"]),
        "egress-subnets: 10.1.2.0/24,10.9.0.0/16\ningress-address: 10.1.2.3\nprivate-address: 10.1.2.3\n"
    );
    // A bag the state gives is taken as it is.
    let e =
        engine(state_with(r#"{"id": 1, "endpoint": "db", "remote_app": "pg", "local_unit_data": {}}"#, ""), "install");
    assert_eq!(ok(&e, "relation-get", &["-r", "1", "-", "demo/0"]), "{}\n");
}

#[test]
fn a_given_bag_equal_to_the_default_is_kept_when_the_endpoint_has_a_network() {
    // Written explicitly with the default network's values (or by an earlier hook, which always
    // writes the bag out): it is the bag, whatever `networks.db` says.
    let bag = r#""local_unit_data": {"egress-subnets": "192.0.2.0/24", "ingress-address": "192.0.2.0",
        "private-address": "192.0.2.0"}"#;
    let relation = format!(r#"{{"id": 1, "endpoint": "db", "remote_app": "pg", {bag}}}"#);
    let e = engine(state_with(&relation, CUSTOM_DB), "install");
    assert_eq!(
        ok(&e, "relation-get", &["-r", "1", "-", "demo/0"]),
        "egress-subnets: 192.0.2.0/24\ningress-address: 192.0.2.0\nprivate-address: 192.0.2.0\n"
    );
    // A state written out and read back keeps it too.
    let state = e.finish(true).expect("finishes").state;
    let again = State::from_json(&state.to_json()).expect("reads back");
    assert_eq!(again.relations[0].local_unit_data.get("private-address").map(String::as_str), Some("192.0.2.0"));
}

#[test]
fn a_bag_the_charm_emptied_stays_empty_across_hooks() {
    let e = engine(state_with(r#"{"id": 1, "endpoint": "db", "remote_app": "pg"}"#, ""), "install");
    ok(&e, "relation-set", &["-r", "1", "private-address=", "ingress-address=", "egress-subnets="]);
    let state = e.finish(true).expect("finishes").state;
    let json = state.to_json();
    let again = State::from_json(&json).expect("reads back");
    assert!(again.relations[0].local_unit_data.is_empty(), "{json}");
}

#[test]
fn enter_scope_settings_follow_the_network() {
    let network = Network {
        bind_addresses: vec![BindAddress {
            addresses: vec![Address { value: "10.0.0.7".into(), ..Address::default() }],
            ..BindAddress::default()
        }],
        ingress_addresses: Vec::new(),
        egress_subnets: Vec::new(),
    };
    // No ingress address given: the first bound address; no egress subnets: no key.
    let settings = network.enter_scope_settings();
    assert_eq!(settings.get("ingress-address").map(String::as_str), Some("10.0.0.7"));
    assert_eq!(settings.get("private-address").map(String::as_str), Some("10.0.0.7"));
    assert!(!settings.contains_key("egress-subnets"));
}

#[test]
fn a_peer_without_a_status_is_unknown_to_goal_state_and_status_get() {
    let peers = r#"{"id": 2, "endpoint": "cluster", "peer": true, "remote_units": {"demo/1": {}, "demo/2": {}}}"#;
    let mut state = state_with(peers, "");
    state
        .peer_unit_statuses
        .insert("demo/2".into(), StatusRecord { status: "active".parse().expect("status"), ..StatusRecord::default() });
    let e = engine(state, "install");
    let goal: serde_json::Value = serde_json::from_str(&ok(&e, "goal-state", &["--format=json"])).expect("json");
    assert_eq!(goal["units"]["demo/1"]["status"], "unknown");
    assert_eq!(goal["units"]["demo/2"]["status"], "active");
    let app: serde_json::Value =
        serde_json::from_str(&ok(&e, "status-get", &["--application", "--format=json"])).expect("json");
    assert_eq!(app["application-status"]["units"]["demo/1"]["status"], "unknown");
    assert_eq!(app["application-status"]["units"]["demo/2"]["status"], "active");
}

#[test]
fn unit_get_private_address_is_the_default_bindings_first_address() {
    let hostname = r#""": {"bind_addresses": [{"addresses": [{"hostname": "unit-0.internal", "value": "10.3.0.1", "cidr": "10.3.0.0/24"}]}]}"#;
    let mut state = state_with("", hostname);
    state.addresses.private = Some("172.16.0.9".into());
    let e = engine(state, "install");
    // The binding's hostname wins over its address, and both over the private address.
    assert_eq!(ok(&e, "unit-get", &["private-address"]), "unit-0.internal\n");
    let plain = r#""": {"bind_addresses": [{"addresses": [{"value": "10.3.0.1", "cidr": "10.3.0.0/24"}]}]}"#;
    let mut state = state_with("", plain);
    state.addresses.private = Some("172.16.0.9".into());
    assert_eq!(ok(&engine(state, "install"), "unit-get", &["private-address"]), "10.3.0.1\n");
    // Only a binding without addresses falls back to the private address.
    let empty = r#""": {"bind_addresses": []}"#;
    let mut state = state_with("", empty);
    state.addresses.private = Some("172.16.0.9".into());
    assert_eq!(ok(&engine(state, "install"), "unit-get", &["private-address"]), "172.16.0.9\n");
    let state = state_with("", empty);
    fails(&engine(state, "install"), "unit-get", &["private-address"], 1, "private address not found");
}

#[test]
fn help_in_a_relation_hook_names_the_default_unit_and_relation() {
    let e = engine(base(), "db-relation-changed");
    let help = ok(&e, "relation-get", &["--help"]);
    // `-o, --output` share juju/cmd output.go's `&c.outPath`, so gnuflag lists them as one entry.
    assert_eq!(
        help,
        "Usage: relation-get [options] [<key> [<unit id>]]\n\nSummary:\nget relation settings\n\nOptions:\n\
         --app  (= false)\n    Get the relation data for the overall application, not just a unit\n\
         --format  (= smart)\n    Specify output format (json|smart|yaml)\n\
         -o, --output (= \"\")\n    Specify an output file\n\
         -r, --relation  (= db:1)\n    Specify a relation by id\n\
         \nDetails:\nCurrent default unit id is \"pg/0\".\n"
    );
    let help = ok(&e, "relation-set", &["-h"]);
    assert!(help.contains("\n--file  (= )\n    file containing key-value pairs\n"), "{help}");
    assert!(help.contains("\n--format (= \"\")\n    deprecated format flag\n"), "{help}");
    assert!(help.contains("\n-r, --relation  (= db:1)\n    specify a relation by id\n"), "{help}");
    assert!(!ok(&e, "relation-list", &["--help"]).contains("Details:"));
}

#[test]
fn help_outside_a_relation_hook_has_no_defaults() {
    let e = engine(base(), "install");
    let help = ok(&e, "relation-get", &["--help"]);
    assert!(help.starts_with("Usage: relation-get [options] <key> <unit id>\n"), "{help}");
    assert!(help.contains("\n-r, --relation  (= )\n"), "{help}");
    assert!(!help.contains("Details:"), "{help}");
    let help = ok(&e, "relation-list", &["--help"]);
    assert!(help.ends_with("\nDetails:\n-r must be specified when not in a relation hook\n"), "{help}");
    // jujuc/juju-log.go registers `-l` and `--log-level` on one `&c.Level`: gnuflag's
    // `PrintDefaults` (juju/gnuflag flag.go) lists one value's names together, quoting a string
    // default after one space and showing the shortest name's usage.
    let help = ok(&e, "juju-log", &["--help"]);
    assert!(help.contains("\n-l, --log-level (= \"INFO\")\n    Send log message at the given level\n"), "{help}");
    assert!(!help.contains("\n--log-level"), "{help}");
    // config-get's `-a`/`--all` share `&c.All` (jujuc/config-get.go): a bool prints two spaces.
    assert!(ok(&e, "config-get", &["--help"]).contains("\n-a, --all  (= false)\n    print all keys\n"));
    // secret-get defaults to YAML.
    assert_eq!(ok(&e, "is-leader", &["--help"]).lines().next(), Some("Usage: is-leader [options]"));
    assert!(ok(&e, "secret-get", &["--help"]).contains("--format  (= yaml)\n    Specify output format (json|yaml)\n"));
}

fn metered_charm() -> std::path::PathBuf {
    let dir = temp_dir("metered");
    std::fs::write(
        dir.join("metrics.yaml"),
        "metrics:\n  users:\n    type: gauge\n    description: active users\n  juju-units:\n",
    )
    .expect("write metrics.yaml");
    dir
}

#[test]
fn add_metric_records_declared_metrics_in_collect_metrics() {
    let dir = metered_charm();
    let e = engine(base(), "collect-metrics").with_charm_dir(&dir);
    assert_eq!(ok(&e, "add-metric", &["users=12.5", "--labels", "region=eu,tier=gold"]), "");
    let cannot = |detail: &str| format!("cannot record metric: {detail}");
    fails(&e, "add-metric", &["visits=1"], 1, &cannot("metric key \"visits\" not declared by the charm"));
    fails(&e, "add-metric", &["users=many"], 1, &cannot("invalid value type: expected float, got \"many\""));
    fails(&e, "add-metric", &["users=-1"], 1, &cannot("invalid value: value must be greater or equal to zero, got -1"));
    fails(&e, "add-metric", &[&format!("users={}", "1".repeat(31))], 1, &cannot("metric value is too large"));
    fails(&e, "add-metric", &["juju-units=1"], 1, "juju-units uses a reserved prefix");
    fails(&e, "add-metric", &[], 2, "no metrics specified");
    fails(&e, "add-metric", &["users"], 2, "invalid metrics: expected \"key=value\", got \"users\"");
    fails(&e, "add-metric", &["users="], 2, "invalid metrics: expected \"key=value\", got \"users=\"");
    fails(&e, "add-metric", &["users=1", "-l", "region"], 2, "invalid labels: expected \"key=value\", got \"region\"");
    // juju/utils/v4 keyvalues.Parse trims, then prints an empty part as `got "%s=%s"` of the
    // trimmed key and value; an argument without `=` is Go-`%q`-quoted.
    fails(&e, "add-metric", &[" =x"], 2, "invalid metrics: expected \"key=value\", got \"=x\"");
    fails(&e, "add-metric", &["users= "], 2, "invalid metrics: expected \"key=value\", got \"users=\"");
    fails(&e, "add-metric", &["caf\u{e9}\u{1b}"], 2, "invalid metrics: expected \"key=value\", got \"caf\u{e9}\\x1b\"");
    fails(&e, "add-metric", &["users=1", " users =2"], 2, "invalid metrics: key \"users\" specified more than once");
    let state = e.finish(true).expect("finishes").state;
    assert_eq!(state.metrics.len(), 1);
    let metric = &state.metrics[0];
    assert_eq!((metric.key.as_str(), metric.value.as_str()), ("users", "12.5"));
    assert_eq!(metric.labels.get("tier").map(String::as_str), Some("gold"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn add_metric_is_refused_outside_collect_metrics() {
    let dir = metered_charm();
    let e = engine(base(), "update-status").with_charm_dir(&dir);
    fails(&e, "add-metric", &["users=1"], 1, "cannot record metric: metrics not allowed in this context");
    assert!(e.finish(true).expect("finishes").state.metrics.is_empty());
    // A charm without metrics.yaml declares none.
    let bare = temp_dir("bare");
    let e = engine(base(), "collect-metrics").with_charm_dir(&bare);
    fails(&e, "add-metric", &["users=1"], 1, "cannot record metric: metric key \"users\" not declared by the charm");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&bare);
}

#[test]
fn histories_stay_bounded_across_hooks() {
    use crate::state::{LogRecord, MAX_LOG_RECORDS, MAX_STATUS_HISTORY};
    let mut state = base();
    state.juju_log =
        (0..MAX_LOG_RECORDS + 5).map(|i| LogRecord { level: "INFO".into(), message: format!("m{i}") }).collect();
    state.unit_status_history = vec![StatusRecord::default(); MAX_STATUS_HISTORY + 3];
    let e = engine(state, "update-status");
    ok(&e, "juju-log", &["this hook"]);
    ok(&e, "status-set", &["active"]);
    let report = e.finish(true).expect("finishes");
    // Earlier hooks' records made room; this hook's are all there, and reported as this hook's.
    assert_eq!(report.state.juju_log.last().expect("a log").message, "this hook");
    assert!(report.state.juju_log.len() <= MAX_LOG_RECORDS);
    assert!(report.state.juju_log.iter().all(|r| r.message != crate::state::LOG_CLIPPED));
    assert_eq!(report.logs.iter().map(|r| r.message.as_str()).collect::<Vec<_>>(), ["this hook"]);
    assert!(report.state.unit_status_history.len() <= MAX_STATUS_HISTORY);
    assert_eq!(report.unit_statuses.len(), 1);
    let back = State::from_json(&report.state.to_json()).expect("reads back");
    assert!(back.juju_log.len() <= MAX_LOG_RECORDS);
}

#[test]
fn histories_stay_bounded_within_one_hook() {
    use crate::state::{LOG_CLIPPED, MAX_LOG_RECORDS, MAX_STATUS_HISTORY};
    let e = engine(base(), "action:backup");
    for i in 0..MAX_LOG_RECORDS + 10 {
        ok(&e, "juju-log", &[&format!("m{i}")]);
        ok(&e, "action-log", &[&format!("a{i}")]);
    }
    for _ in 0..MAX_STATUS_HISTORY + 10 {
        ok(&e, "status-set", &["maintenance"]);
    }
    let report = e.finish(true).expect("finishes");
    let logs = &report.state.juju_log;
    assert!(logs.len() <= MAX_LOG_RECORDS, "{}", logs.len());
    // The newest are kept, and the first record says this hook's oldest were dropped.
    assert_eq!(logs.last().expect("a log").message, format!("m{}", MAX_LOG_RECORDS + 9));
    assert_eq!((logs[0].level.as_str(), logs[0].message.as_str()), ("WARNING", LOG_CLIPPED));
    assert_eq!(report.logs.len(), logs.len());
    let action_logs = &report.state.action.as_ref().expect("the action").logs;
    assert!(action_logs.len() <= MAX_LOG_RECORDS);
    assert_eq!(action_logs[0], LOG_CLIPPED);
    assert_eq!(action_logs.last().map(String::as_str), Some(format!("a{}", MAX_LOG_RECORDS + 9).as_str()));
    assert!(report.state.unit_status_history.len() <= MAX_STATUS_HISTORY);
    assert!(report.unit_statuses.len() <= MAX_STATUS_HISTORY + 1);
    assert_eq!(report.unit_statuses.last(), Some(&report.state.unit_status));
}
