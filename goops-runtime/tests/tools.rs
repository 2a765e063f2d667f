//! What goops-sim cannot show about the non-secret hook tools: output real Juju prints that
//! the simulator does not (older or restricted-context shapes), malformed output, values a tool
//! might echo on stderr being redacted, stdin exactness for Go's YAML reader, and the values
//! the runtime checks before any tool runs. The round trips through goops-sim
//! (tests/tests/hookcmds) cover the rest: argv, the parsing of what Juju prints, and the
//! failures docs/hook-tools.md lists.

mod common;

use std::collections::BTreeMap;

use common::Recorder;
use goops_runtime::hookcmds::goal_state::goal_state;
use goops_runtime::hookcmds::port::{self, Port, Protocol};
use goops_runtime::hookcmds::status::{self, StatusName};
use goops_runtime::hookcmds::{action, config, network, relation, state};
use goops_runtime::{Bag, Error, RelationId, Status};

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn malformed_output_is_a_parse_error_naming_the_tool() {
    let rec = Recorder::new();
    rec.ok("relation-ids", "[\"db\"]")
        .ok("config-get", "[1]\n")
        .ok("status-get", "{\"status\":\"bogus\",\"message\":\"\"}")
        .ok("opened-ports", "[\"80/sctp\"]");
    let errors = [
        relation::relation_ids(&rec, "db").map(drop).expect_err("an id without a number"),
        config::config_get(&rec).map(drop).expect_err("not a map"),
        status::status_get(&rec).map(drop).expect_err("not a status Juju has"),
        port::opened_ports(&rec).map(drop).expect_err("not a protocol Juju has"),
    ];
    for (error, tool) in errors.iter().zip(["relation-ids", "config-get", "status-get", "opened-ports"]) {
        assert!(matches!(error, Error::Parse { tool: t, .. } if t == tool), "{error:?}");
        assert!(error.to_string().starts_with(tool), "{error}");
    }
    assert!(errors[1].to_string().contains("expected a JSON object"), "{}", errors[1]);
}

#[test]
fn relation_set_sends_json_on_stdin_and_redacts() {
    let rec = Recorder::new();
    let rel = RelationId::new("db", 3);
    relation::relation_set(&rec, &rel, Bag::Unit, &map(&[("password", "hunter2"), ("gone", "")])).expect("set");
    let call = rec.last();
    assert_eq!(call.args, common::v(&["-r", "db:3", "--file", "-"]));
    assert_eq!(call.stdin_text(), r#"{"gone":"","password":"hunter2"}"#);
    // Should Go's YAML reader quote the value it choked on, the error must not repeat it.
    rec.fail("relation-set", 1, "yaml: line 1: did not find expected key near \"hunter2\"");
    let err = relation::relation_set(&rec, &rel, Bag::Unit, &map(&[("password", "hunter2")])).expect_err("bad");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
}

#[test]
fn stdin_data_escapes_what_go_yaml_would_reject_or_fold() {
    // relation-set and state-set read --file with gopkg.in/yaml.v2: it refuses DEL, C1 controls,
    // U+FFFE/U+FFFF ("control characters are not allowed") and folds a raw U+0085/U+2028/U+2029
    // in a quoted scalar into a space. As \uXXXX escapes they survive; JSON stays equal.
    let rec = Recorder::new();
    let value = "a\u{7f}b\u{85}c\u{2028}d\u{2029}e\u{9f}f\u{ffff}g é \u{1F600}";
    let data = map(&[("note", value)]);
    relation::relation_set(&rec, &RelationId::new("db", 3), Bag::Unit, &data).expect("set");
    state::state_set(&rec, &data).expect("set");
    for call in rec.calls() {
        let text = call.stdin_text();
        assert_eq!(text, r#"{"note":"a\u007fb\u0085c\u2028d\u2029e\u009ff\uffffg é 😀"}"#, "{}", call.tool);
        let back: BTreeMap<String, String> = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back, data);
    }
}

#[test]
fn status_get_in_a_restricted_context_is_the_bare_word_unknown() {
    // Where Juju has no status to give (its restricted context, e.g. collect-metrics) status-get
    // prints `unknown` whatever the format (§4.2): JSON "unknown".
    let rec = Recorder::new();
    rec.ok("status-get", "\"unknown\"\n").ok("status-get", "\"unknown\"\n");
    let st = status::status_get(&rec).expect("bare status");
    assert_eq!((st.status, st.message.as_str(), st.data.len()), (StatusName::Unknown, "", 0));
    let app = status::status_get_app(&rec).expect("bare app status");
    assert_eq!((app.status.status, app.units.len()), (StatusName::Unknown, 0));
}

#[test]
fn network_get_reads_older_and_null_shapes() {
    let rec = Recorder::new();
    // The legacy names beside the new ones.
    rec.ok(
        "network-get",
        r#"{"bind-addresses":[{"mac-address":"00:16:3e:aa:bb:cc","interface-name":"eth0",
            "addresses":[{"hostname":"","value":"10.0.0.5","cidr":"10.0.0.0/24"}],"macaddress":"00:16:3e:aa:bb:cc",
            "interfacename":"eth0"}],"ingress-addresses":["10.0.0.5"]}"#,
    );
    let info = network::network_get(&rec, "db", None).expect("net");
    assert_eq!(info.bind_addresses[0].mac_address, "00:16:3e:aa:bb:cc");
    assert_eq!(info.bind_address(), Some("10.0.0.5"));
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
}

#[test]
fn goal_state_entries_without_since() {
    // `since` is omitted when unset (§4.2); goops-sim always prints it.
    let rec = Recorder::new();
    rec.ok("goal-state", r#"{"units":{"app/1":{"status":"dying"}},"relations":{"db":{"pg/0":{"status":"active"}}}}"#);
    let goal = goal_state(&rec).expect("goal");
    assert_eq!((goal.units["app/1"].since.as_deref(), goal.units["app/1"].since_time()), (None, None));
    assert_eq!(goal.planned_units(), 0);
    assert_eq!(goal.relations["db"]["pg/0"].status, "active");
}

#[test]
fn values_a_tool_echoes_on_stderr_are_redacted() {
    // Should a tool quote the values it was given in its error, the error must not repeat them.
    let rec = Recorder::new();
    rec.fail("action-set", 2, "argument \"k=topsecret\" must be of the form key...=value");
    let err = action::action_set(&rec, [("k", "topsecret")]).expect_err("bad");
    assert!(!err.to_string().contains("topsecret"), "{err}");
    rec.fail("action-log", 1, "cannot log \"private detail\"");
    let err = action::action_log(&rec, "private detail").expect_err("bad");
    assert!(!err.to_string().contains("private detail"), "{err}");
    rec.fail("state-set", 1, "max allowed value length (65536) exceeded by \"hunter2\"");
    let err = state::state_set(&rec, &map(&[("token", "hunter2")])).expect_err("quota");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
fn values_are_checked_before_any_tool_runs() {
    assert!(matches!(Port::range(Protocol::Tcp, 90, 80), Err(Error::InvalidInput { .. })));
    for bad in ["sctp", "80/sctp", "70000", "1-2-3", "90-80/tcp"] {
        assert!(bad.parse::<Port>().is_err(), "{bad}");
    }
    assert_eq!(
        "8000-8010/UDP".parse::<Port>().expect("valid"),
        Port::Range { protocol: Protocol::Udp, from: 8000, to: 8010 }
    );
    assert!(matches!(Status::new(StatusName::Error, "x"), Err(Error::InvalidInput { .. })));
    assert_eq!(Status::new(StatusName::Blocked, "m").expect("valid"), Status::blocked("m"));
    assert_eq!("terminated".parse::<StatusName>().expect("valid"), StatusName::Terminated);
    let bad = "db".parse::<RelationId>().expect_err("no id");
    assert!(matches!(Error::from(bad), Error::InvalidInput { .. }));
    assert_eq!("peer-x:12".parse::<RelationId>().expect("valid"), RelationId::new("peer-x", 12));
}
