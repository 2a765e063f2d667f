//! Every non-secret hook tool: exact argv and stdin, parsing of the output real Juju prints
//! (samples from docs/hook-tools.md §4), and the error mapping for the failures it lists.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{Recorder, v};
use goops_runtime::hookcmds::goal_state::goal_state;
use goops_runtime::hookcmds::port::{self, OpenedPort, Port, Protocol};
use goops_runtime::hookcmds::status::{self, StatusName};
use goops_runtime::hookcmds::storage::{self, StorageKind};
use goops_runtime::hookcmds::unit::{self, UnitAddress};
use goops_runtime::hookcmds::{
    action, config, credential, leadership, log, network, reboot, relation, resource, state,
};
use goops_runtime::{Databag, Error, LogLevel, RelationId, Status};

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

// ---- relations ---------------------------------------------------------------------------

#[test]
fn relation_ids_list_get_model() {
    let rec = Recorder::new();
    rec.ok("relation-ids", "[\"db:10\",\"db:3\"]\n").ok("relation-ids", "[]\n");
    let ids = relation::relation_ids(&rec, "db").expect("ids");
    assert_eq!(ids, vec![RelationId::new("db", 10), RelationId::new("db", 3)]);
    assert!(relation::relation_ids(&rec, "unknown").expect("ids").is_empty());
    rec.ok("relation-ids", "[\"db\"]");
    assert!(matches!(relation::relation_ids(&rec, "db"), Err(Error::Parse { .. })));

    let rel = RelationId::new("db", 3);
    rec.ok("relation-list", "[\"pg/0\",\"pg/1\"]\n").ok("relation-list", "\"pg\"\n");
    assert_eq!(relation::relation_list(&rec, &rel).expect("units"), v(&["pg/0", "pg/1"]));
    assert_eq!(relation::relation_list_app(&rec, &rel).expect("app").as_deref(), Some("pg"));

    rec.ok("relation-get", "{\"host\":\"10.0.0.1\",\"port\":\"5432\"}\n")
        .ok("relation-get", "\"5432\"\n")
        .ok("relation-get", "null\n");
    assert_eq!(
        relation::relation_get(&rec, &rel, "pg/0").expect("bag"),
        map(&[("host", "10.0.0.1"), ("port", "5432")])
    );
    assert_eq!(relation::relation_get_key(&rec, &rel, "port", "pg").expect("v").as_deref(), Some("5432"));
    assert_eq!(relation::relation_get_key(&rec, &rel, "nope", "pg/0").expect("v"), None);

    rec.ok("relation-model-get", "{\"uuid\":\"7c3f-uuid\"}\n");
    assert_eq!(relation::relation_model_get(&rec, &rel).expect("model").uuid, "7c3f-uuid");
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["relation-ids", "--format=json", "db"]),
            v(&["relation-ids", "--format=json", "unknown"]),
            v(&["relation-ids", "--format=json", "db"]),
            v(&["relation-list", "--format=json", "-r", "db:3"]),
            v(&["relation-list", "--format=json", "--app", "-r", "db:3"]),
            v(&["relation-get", "--format=json", "-r", "db:3", "-", "pg/0"]),
            v(&["relation-get", "--format=json", "-r", "db:3", "--app", "port", "pg"]),
            v(&["relation-get", "--format=json", "-r", "db:3", "nope", "pg/0"]),
            v(&["relation-model-get", "--format=json", "-r", "db:3"]),
        ]
    );
}

#[test]
fn relation_errors() {
    let rec = Recorder::new();
    let rel = RelationId::new("db", 9);
    rec.fail("relation-get", 2, "invalid value \"db:9\" for option -r: relation not found")
        .fail("relation-get", 1, "permission denied")
        .fail("relation-list", 2, "invalid value \"db:9\" for option -r: relation not found")
        .fail("relation-set", 1, "cannot write relation settings")
        .fail("relation-ids", 2, "no endpoint name specified");
    assert!(relation::relation_get(&rec, &rel, "pg/0").expect_err("gone").is_not_found());
    assert!(relation::relation_get(&rec, &rel, "me").expect_err("perm").is_permission_denied());
    assert!(relation::relation_list(&rec, &rel).expect_err("gone").is_not_found());
    let err = relation::relation_set(&rec, &rel, Databag::App, &map(&[("k", "v")])).expect_err("leader");
    assert!(err.is_not_leader());
    assert!(matches!(relation::relation_ids(&rec, ""), Err(Error::InvalidUsage { .. })));
    assert!(matches!(relation::relation_get_key(&rec, &rel, "", "pg/0"), Err(Error::InvalidInput { .. })));
    let bad = "db".parse::<RelationId>().expect_err("no id");
    assert!(matches!(Error::from(bad), Error::InvalidInput { .. }));
    assert_eq!("peer-x:12".parse::<RelationId>().expect("valid"), RelationId::new("peer-x", 12));
}

#[test]
fn relation_set_sends_json_on_stdin_and_redacts() {
    let rec = Recorder::new();
    let rel = RelationId::new("db", 3);
    relation::relation_set(&rec, &rel, Databag::Unit, &map(&[("password", "hunter2"), ("gone", "")])).expect("set");
    let call = rec.last();
    assert_eq!(call.args, v(&["-r", "db:3", "--file", "-"]));
    assert_eq!(call.stdin_text(), r#"{"gone":"","password":"hunter2"}"#);
    rec.fail("relation-set", 1, "yaml: line 1: did not find expected key near \"hunter2\"");
    let err = relation::relation_set(&rec, &rel, Databag::Unit, &map(&[("password", "hunter2")])).expect_err("bad");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    let err = relation::relation_set(&rec, &rel, Databag::Unit, &map(&[("a=b", "x")])).expect_err("bad key");
    assert!(matches!(err, Error::InvalidInput { .. }));
    assert_eq!(rec.count("relation-set"), 2);
}

#[test]
fn stdin_data_escapes_what_go_yaml_would_reject_or_fold() {
    // relation-set and state-set read --file with gopkg.in/yaml.v2: it refuses DEL, C1 controls,
    // U+FFFE/U+FFFF ("control characters are not allowed") and folds a raw U+0085/U+2028/U+2029
    // in a quoted scalar into a space. As \uXXXX escapes they survive; JSON stays equal.
    let rec = Recorder::new();
    let value = "a\u{7f}b\u{85}c\u{2028}d\u{2029}e\u{9f}f\u{ffff}g é \u{1F600}";
    let data = map(&[("note", value)]);
    relation::relation_set(&rec, &RelationId::new("db", 3), Databag::Unit, &data).expect("set");
    state::state_set(&rec, &data).expect("set");
    for call in rec.calls() {
        let text = call.stdin_text();
        assert_eq!(text, r#"{"note":"a\u007fb\u0085c\u2028d\u2029e\u009ff\uffffg é 😀"}"#, "{}", call.tool);
        let back: BTreeMap<String, String> = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back, data);
    }
}

// ---- config, leadership, status ----------------------------------------------------------

#[test]
fn config_get() {
    let rec = Recorder::new();
    rec.ok("config-get", "{\"debug\":false,\"name\":\"x\",\"port\":80,\"ratio\":1.5}\n")
        .ok("config-get", "80\n")
        .ok("config-get", "null\n")
        .ok("config-get", "[1]\n");
    let all = config::config_get(&rec).expect("config");
    assert_eq!(all["port"], 80);
    assert_eq!(all["debug"], false);
    assert_eq!(config::config_get_key(&rec, "port").expect("v"), Some(serde_json::json!(80)));
    assert_eq!(config::config_get_key(&rec, "unset").expect("v"), None);
    let err = config::config_get(&rec).expect_err("not a map");
    assert!(err.to_string().contains("config-get") && err.to_string().contains("expected a JSON object"), "{err}");
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["config-get", "--format=json"]),
            v(&["config-get", "--format=json", "port"]),
            v(&["config-get", "--format=json", "unset"]),
            v(&["config-get", "--format=json"]),
        ]
    );
}

#[test]
fn is_leader() {
    let rec = Recorder::new();
    rec.ok("is-leader", "true\n").ok("is-leader", "false\n");
    rec.fail("is-leader", 1, "leadership status unknown: lease manager stopped");
    assert!(leadership::is_leader(&rec).expect("leader"));
    assert!(!leadership::is_leader(&rec).expect("leader"));
    assert!(matches!(leadership::is_leader(&rec), Err(Error::ToolFailed { code: 1, .. })));
    assert_eq!(rec.last().args, v(&["--format=json"]));
}

#[test]
fn status_set_and_get() {
    let rec = Recorder::new();
    status::status_set(&rec, &Status::Maintenance("installing".into())).expect("set");
    status::status_set(&rec, &Status::Waiting("--x".into())).expect("set");
    status::status_set_app(&rec, &Status::Active(String::new())).expect("set");
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["status-set", "maintenance", "--", "installing"]),
            v(&["status-set", "waiting", "--", "--x"]),
            v(&["status-set", "--application", "active", "--", ""]),
        ]
    );
    rec.fail("status-set", 1, "this unit is not the leader");
    assert!(status::status_set_app(&rec, &Status::Blocked("b".into())).expect_err("nl").is_not_leader());
    assert!(matches!(Status::new(StatusName::Error, "x"), Err(Error::InvalidInput { .. })));
    assert_eq!(Status::new(StatusName::Blocked, "m").expect("valid"), Status::blocked("m"));

    rec.ok("status-get", "{\"message\":\"ready\",\"status\":\"active\",\"status-data\":{\"k\":1}}\n");
    let st = status::status_get(&rec).expect("status");
    assert_eq!((st.status, st.message.as_str()), (StatusName::Active, "ready"));
    assert_eq!(st.data["k"], 1);
    assert_eq!(rec.last().args, v(&["--include-data", "--format=json"]));
    rec.ok(
        "status-get",
        r#"{"application-status":{"message":"","status":"unknown","status-data":{},
            "units":{"app/0":{"message":"boom","status":"error","status-data":{}},
                     "app/1":{"message":"","status":"waiting","status-data":{}}}}}"#,
    );
    let app = status::status_get_app(&rec).expect("app status");
    assert_eq!(app.status.status, StatusName::Unknown);
    assert_eq!(app.units["app/0"].status, StatusName::Error);
    assert_eq!(app.units["app/0"].message, "boom");
    assert_eq!(app.units.len(), 2);
    assert_eq!(rec.last().args, v(&["--include-data", "--application", "--format=json"]));
    rec.fail("status-get", 1, "finding application status: this unit is not the leader");
    assert!(status::status_get_app(&rec).expect_err("nl").is_not_leader());
    // Where Juju has no status to give (a restricted context such as collect-metrics) it
    // writes the bare word `unknown`, whatever the format: JSON "unknown".
    rec.ok("status-get", "\"unknown\"\n").ok("status-get", "\"unknown\"\n");
    let st = status::status_get(&rec).expect("bare status");
    assert_eq!((st.status, st.message.as_str(), st.data.len()), (StatusName::Unknown, "", 0));
    let app = status::status_get_app(&rec).expect("bare app status");
    assert_eq!((app.status.status, app.units.len()), (StatusName::Unknown, 0));
    rec.ok("status-get", "{\"status\":\"bogus\",\"message\":\"\"}");
    assert!(matches!(status::status_get(&rec), Err(Error::Parse { .. })));
    assert_eq!("terminated".parse::<StatusName>().expect("valid"), StatusName::Terminated);
}

#[test]
fn application_version_set_and_unit_get() {
    let rec = Recorder::new();
    unit::application_version_set(&rec, "-1.2.3").expect("set");
    rec.ok("unit-get", "\"10.0.0.5\"\n");
    assert_eq!(unit::unit_get(&rec, UnitAddress::Private).expect("addr"), "10.0.0.5");
    rec.fail("unit-get", 1, "public address not found");
    assert!(unit::unit_get(&rec, UnitAddress::Public).expect_err("nf").is_not_found());
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["application-version-set", "--", "-1.2.3"]),
            v(&["unit-get", "--format=json", "private-address"]),
            v(&["unit-get", "--format=json", "public-address"]),
        ]
    );
}

// ---- logs and actions --------------------------------------------------------------------

#[test]
fn juju_log_levels_and_splitting() {
    let rec = Recorder::new();
    log::juju_log(&rec, LogLevel::Trace, "-starts with dash").expect("log");
    assert_eq!(rec.last().args, v(&["--log-level", "TRACE", "--", "-starts with dash"]));
    rec.clear();
    let long = "x".repeat(log::MAX_LOG_LINE_LEN + 5);
    log::juju_log(&rec, LogLevel::Warning, &long).expect("log");
    let calls = rec.calls();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].args[3], "Log string greater than 131071. Splitting into multiple chunks: ");
    assert_eq!(calls[1].args[3].len(), log::MAX_LOG_LINE_LEN);
    assert_eq!(calls[2].args[3].len(), 5);
    rec.clear();
    // The limit is in bytes: two-byte characters make twice as many chunks, none split.
    let long = "é".repeat(log::MAX_LOG_LINE_LEN + 5);
    log::juju_log(&rec, LogLevel::Warning, &long).expect("log");
    let chunks: Vec<String> = rec.calls().into_iter().skip(1).map(|c| c.args[3].clone()).collect();
    assert_eq!(chunks.len(), 3);
    assert!(chunks.iter().all(|c| c.len() <= log::MAX_LOG_LINE_LEN), "a chunk is over the limit");
    assert_eq!(chunks.concat(), long);
    rec.fail("juju-log", 2, "no message specified");
    assert!(matches!(log::juju_log(&rec, LogLevel::Info, ""), Err(Error::InvalidUsage { .. })));
}

#[test]
fn action_tools() {
    let rec = Recorder::new();
    rec.ok("action-get", "{\"count\":3,\"nested\":{\"a\":\"b\"}}\n").ok("action-get", "\"b\"\n");
    let params = action::action_get(&rec).expect("params");
    assert_eq!(params["count"], 3);
    assert_eq!(action::action_get_key(&rec, "nested.a").expect("v"), Some(serde_json::json!("b")));
    action::action_log(&rec, "-50% done").expect("log");
    action::action_fail(&rec, "bad input").expect("fail");
    action::action_set(&rec, [("result.cert", "PEM"), ("ok", "true")]).expect("set");
    action::action_set(&rec, []).expect("no-op");
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["action-get", "--format=json"]),
            v(&["action-get", "--format=json", "nested.a"]),
            v(&["action-log", "--", "-50% done"]),
            v(&["action-fail", "--", "bad input"]),
            v(&["action-set", "result.cert=PEM", "ok=true"]),
        ]
    );
    for bad in ["Foo", "stdout", "a.stderr-encoding", "-a", "a-", "a..b", "a_b"] {
        let err = action::action_set(&rec, [(bad, "v")]).expect_err("bad key");
        assert!(matches!(err, Error::InvalidInput { .. }), "{bad}");
    }
    assert_eq!(rec.count("action-set"), 1);
    rec.fail("action-get", 1, "not running an action");
    assert!(matches!(action::action_get(&rec), Err(Error::ToolFailed { code: 1, .. })));
    rec.fail("action-set", 2, "argument \"k=topsecret\" rejected");
    let err = action::action_set(&rec, [("k", "topsecret")]).expect_err("bad");
    assert!(!err.to_string().contains("topsecret"), "{err}");
    rec.fail("action-log", 1, "cannot log \"private detail\"");
    let err = action::action_log(&rec, "private detail").expect_err("bad");
    assert!(!err.to_string().contains("private detail"), "{err}");
}

// ---- ports and network -------------------------------------------------------------------

#[test]
fn ports() {
    let rec = Recorder::new();
    port::open_port(&rec, Port::tcp(80), &[]).expect("open");
    port::open_port(&rec, Port::range(Protocol::Udp, 8000, 8010).expect("range"), &["web", "admin"]).expect("open");
    port::close_port(&rec, Port::Icmp, &[]).expect("close");
    rec.ok("opened-ports", "[\"80/tcp\",\"8000-8010/udp\",\"icmp\",\"443\"]\n");
    let ports = port::opened_ports(&rec).expect("ports");
    assert_eq!(
        ports,
        vec![Port::tcp(80), Port::Range { protocol: Protocol::Udp, from: 8000, to: 8010 }, Port::Icmp, Port::tcp(443)]
    );
    rec.ok("opened-ports", "[\"80/tcp (*)\",\"8000-8010/udp (web, admin)\",\"icmp (*)\"]\n");
    let with = port::opened_ports_with_endpoints(&rec).expect("ports");
    assert_eq!(
        with,
        vec![
            OpenedPort { port: Port::tcp(80), endpoints: vec![] },
            OpenedPort {
                port: Port::Range { protocol: Protocol::Udp, from: 8000, to: 8010 },
                endpoints: v(&["web", "admin"])
            },
            OpenedPort { port: Port::Icmp, endpoints: vec![] },
        ]
    );
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["open-port", "80/tcp"]),
            v(&["open-port", "--endpoints", "web,admin", "8000-8010/udp"]),
            v(&["close-port", "icmp"]),
            v(&["opened-ports", "--format=json"]),
            v(&["opened-ports", "--endpoints", "--format=json"]),
        ]
    );
    assert!(matches!(Port::range(Protocol::Tcp, 90, 80), Err(Error::InvalidInput { .. })));
    for bad in ["sctp", "80/sctp", "70000", "1-2-3", "90-80/tcp"] {
        assert!(bad.parse::<Port>().is_err(), "{bad}");
    }
    rec.fail("open-port", 1, "cannot open 80-90/tcp (unit \"a/0\"): port range conflicts with 85/tcp (unit \"b/0\")");
    assert!(matches!(port::open_port(&rec, Port::tcp(80), &[]), Err(Error::ToolFailed { code: 1, .. })));
    rec.ok("opened-ports", "[\"80/sctp\"]");
    assert!(matches!(port::opened_ports(&rec), Err(Error::Parse { .. })));
}

#[test]
fn network_get() {
    let rec = Recorder::new();
    rec.ok(
        "network-get",
        r#"{"bind-addresses":[{"mac-address":"00:16:3e:aa:bb:cc","interface-name":"eth0",
            "addresses":[{"hostname":"","value":"10.0.0.5","cidr":"10.0.0.0/24"}],"macaddress":"00:16:3e:aa:bb:cc",
            "interfacename":"eth0"}],"egress-subnets":["10.0.0.5/32"],"ingress-addresses":["10.0.0.5","fe80::1"]}"#,
    );
    let info = network::network_get(&rec, "db", Some(&RelationId::new("db", 3))).expect("net");
    assert_eq!(info.bind_addresses[0].interface_name, "eth0");
    assert_eq!(info.bind_addresses[0].mac_address, "00:16:3e:aa:bb:cc");
    assert_eq!(info.bind_addresses[0].addresses[0].cidr, "10.0.0.0/24");
    assert_eq!(info.bind_address(), Some("10.0.0.5"));
    assert_eq!(info.egress_subnets, v(&["10.0.0.5/32"]));
    assert_eq!(info.ingress_address(), Some("10.0.0.5"));
    assert_eq!(rec.last().args, v(&["--format=json", "-r", "db:3", "db"]));
    // Juju < 2.9 printed `address` instead of `value`.
    rec.ok("network-get", r#"{"bind-addresses":[{"addresses":[{"address":"10.1.1.1","cidr":""}]}]}"#);
    assert_eq!(network::network_get(&rec, "web", None).expect("net").bind_address(), Some("10.1.1.1"));
    // params.NetworkInfo.Addresses has no omitempty: an interface without addresses prints null.
    rec.ok(
        "network-get",
        r#"{"bind-addresses":[{"mac-address":"","interface-name":"eth1","addresses":null}],"ingress-addresses":["10.0.0.5"]}"#,
    );
    let info = network::network_get(&rec, "web", None).expect("null addresses are no addresses");
    assert!(info.bind_addresses[0].addresses.is_empty());
    assert_eq!(info.bind_address(), None);
    rec.fail("network-get", 1, "no network config found for binding \"nope\"");
    assert!(network::network_get(&rec, "nope", None).expect_err("nf").is_not_found());
}

// ---- storage, state, resources, credentials, goal state, reboot --------------------------

#[test]
fn storage_tools() {
    let rec = Recorder::new();
    rec.ok("storage-list", "[\"data/0\",\"data/1\"]\n").ok("storage-list", "[]\n");
    assert_eq!(storage::storage_list(&rec, Some("data")).expect("ids"), v(&["data/0", "data/1"]));
    assert!(storage::storage_list(&rec, None).expect("ids").is_empty());
    rec.ok("storage-get", "{\"kind\":\"filesystem\",\"location\":\"/srv/data\"}\n");
    let info = storage::storage_get(&rec, Some("data/0")).expect("info");
    assert_eq!((info.kind, info.location), (StorageKind::Filesystem, PathBuf::from("/srv/data")));
    storage::storage_add(&rec, &[("data", 2), ("logs", 1)]).expect("add");
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["storage-list", "--format=json", "data"]),
            v(&["storage-list", "--format=json"]),
            v(&["storage-get", "--format=json", "-s", "data/0"]),
            v(&["storage-add", "data=2", "logs=1"]),
        ]
    );
    assert!(matches!(storage::storage_add(&rec, &[("data", 0)]), Err(Error::InvalidInput { .. })));
    assert!(matches!(storage::storage_add(&rec, &[]), Err(Error::InvalidInput { .. })));
    rec.fail("storage-get", 2, "no storage instance specified");
    assert!(matches!(storage::storage_get(&rec, None), Err(Error::InvalidUsage { .. })));
}

#[test]
fn state_tools() {
    let rec = Recorder::new();
    rec.ok("state-get", "{\"a\":\"1\"}\n").ok("state-get", "null\n").ok("state-get", "\"v\"\n");
    rec.fail("state-get", 1, "\"nope\" not found");
    assert_eq!(state::state_get(&rec).expect("state"), map(&[("a", "1")]));
    assert!(state::state_get(&rec).expect("state").is_empty(), "Juju 4 prints null for no state");
    assert_eq!(state::state_get_key(&rec, "a").expect("v").as_deref(), Some("v"));
    assert_eq!(state::state_get_key(&rec, "nope").expect("v"), None);
    state::state_set(&rec, &map(&[("token", "hunter2")])).expect("set");
    let set_call = rec.last();
    assert_eq!(set_call.args, v(&["--file", "-"]));
    assert_eq!(set_call.stdin_text(), r#"{"token":"hunter2"}"#);
    state::state_delete(&rec, "token").expect("delete");
    assert_eq!(
        rec.argvs()[..4],
        vec![
            v(&["state-get", "--format=json"]),
            v(&["state-get", "--format=json"]),
            v(&["state-get", "--format=json", "--strict", "a"]),
            v(&["state-get", "--format=json", "--strict", "nope"]),
        ][..]
    );
    assert_eq!(rec.last().tool, "state-delete");
    assert_eq!(rec.last().args, v(&["token"]));
    let big = "x".repeat(state::MAX_STATE_VALUE_LEN + 1);
    assert!(matches!(state::state_set(&rec, &map(&[("k", &big)])), Err(Error::InvalidInput { .. })));
    let long_key = "k".repeat(257);
    assert!(matches!(state::state_set(&rec, &map(&[(&long_key, "v")])), Err(Error::InvalidInput { .. })));
    rec.fail("state-set", 1, "max allowed value length (65536) exceeded by \"hunter2\"");
    let err = state::state_set(&rec, &map(&[("token", "hunter2")])).expect_err("quota");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
fn resource_get() {
    let rec = Recorder::new();
    rec.ok("resource-get", "/var/lib/juju/agents/unit-app-0/resources/bin/app");
    assert_eq!(
        resource::resource_get(&rec, "bin").expect("path"),
        PathBuf::from("/var/lib/juju/agents/unit-app-0/resources/bin/app")
    );
    assert_eq!(rec.last().args, v(&["bin"]));
    rec.fail("resource-get", 1, "could not download resource: HTTP request failed");
    assert!(matches!(resource::resource_get(&rec, "bin"), Err(Error::ToolFailed { .. })));
    assert!(matches!(resource::resource_get(&rec, ""), Err(Error::InvalidInput { .. })));
}

#[test]
fn credential_get_parses_the_nested_cloud_spec() {
    let rec = Recorder::new();
    rec.ok(
        "credential-get",
        r#"{"type":"openstack","name":"mycloud","region":"RegionOne","endpoint":"https://keystone:5000/v3",
            "identity-endpoint":"https://id","storage-endpoint":"https://st",
            "credential":{"auth-type":"userpass","attrs":{"username":"admin","password":"hunter2"},"redacted":["x"]},
            "cacertificates":["-----BEGIN CERTIFICATE-----"],"skip-tls-verify":true,"is-controller-cloud":false}"#,
    );
    let spec = credential::credential_get(&rec).expect("spec");
    assert_eq!((spec.cloud_type.as_str(), spec.name.as_str()), ("openstack", "mycloud"));
    assert_eq!(spec.region.as_deref(), Some("RegionOne"));
    assert_eq!(spec.identity_endpoint.as_deref(), Some("https://id"));
    assert_eq!(spec.storage_endpoint.as_deref(), Some("https://st"));
    let cred = spec.credential.as_ref().expect("credential");
    assert_eq!(cred.auth_type, "userpass");
    assert_eq!(cred.attrs["password"].expose_secret(), "hunter2");
    assert_eq!(cred.redacted, v(&["x"]));
    assert_eq!(spec.cacertificates.len(), 1);
    assert!(spec.skip_tls_verify && !spec.is_controller_cloud);
    assert!(!format!("{spec:?}").contains("hunter2"), "credential attrs are redacted in Debug");
    assert_eq!(rec.last().args, v(&["--format=json"]));
    rec.ok("credential-get", r#"{"type":"lxd","name":"localhost"}"#);
    assert!(credential::credential_get(&rec).expect("minimal").credential.is_none());
    rec.fail("credential-get", 1, "cannot access cloud credentials: permission denied");
    assert!(credential::credential_get(&rec).expect_err("untrusted").is_permission_denied());
}

#[test]
fn goal_state_parses() {
    let rec = Recorder::new();
    rec.ok(
        "goal-state",
        r#"{"units":{"app/0":{"status":"active","since":"2024-01-02 03:04:05Z"},"app/1":{"status":"dying"}},
            "relations":{"db":{"pg":{"status":"joined","since":"2024-01-02 03:04:05Z"},"pg/0":{"status":"active"}}}}"#,
    );
    let goal = goal_state(&rec).expect("goal");
    assert_eq!(goal.planned_units(), 1);
    assert_eq!(goal.units["app/0"].since_time().expect("time").to_rfc3339(), "2024-01-02T03:04:05+00:00");
    assert_eq!(goal.units["app/1"].since, None);
    assert_eq!(goal.relations["db"]["pg"].status, "joined");
    assert_eq!(goal.relations["db"].len(), 2);
    assert_eq!(rec.last().args, v(&["--format=json"]));
}

#[test]
fn juju_reboot() {
    let rec = Recorder::new();
    reboot::juju_reboot(&rec, false).expect("reboot");
    reboot::juju_reboot(&rec, true).expect("reboot");
    assert_eq!(rec.argvs(), vec![v(&["juju-reboot"]), v(&["juju-reboot", "--now"])]);
    rec.fail("juju-reboot", 1, "juju-reboot is not supported when running an action.");
    assert!(matches!(reboot::juju_reboot(&rec, false), Err(Error::ToolFailed { code: 1, .. })));
}
