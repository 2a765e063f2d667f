//! Every failure docs/hook-tools.md (§4) lists for each tool, as printed by Juju (`ERROR <msg>` on
//! stderr, exit 2 for usage and 1 for run errors), through the typed function, mapped to the
//! typed error a caller can match on. Each error names the tool and keeps Juju's message.
//!
//! The texts are Juju's, from docs/hook-tools.md. Where it gives only a prefix (`finding workload
//! status: ...`, `leadership status unknown: <err>`, `could not download resource: <err>`,
//! `cannot determine leadership status: ...`) the rest is a stand-in cause. The round trips
//! through goops-sim (tests/tests/hookcmds) check the same mapping for every failure the
//! simulator gives; this table also has those it cannot (a controller that fails, leadership
//! lost mid-hook, a restricted context).

mod common;

use common::Recorder;
use goops_runtime::hookcmds::port::Port;
use goops_runtime::hookcmds::secret::{self, RevokeTarget, SecretAddOptions, SecretSetOptions};
use goops_runtime::hookcmds::unit::UnitAddress;
use goops_runtime::hookcmds::{
    action, config, credential, leadership, log, network, port, reboot, relation, resource, state, status, storage,
    unit,
};
use goops_runtime::{
    Bag, Error, LogLevel, RelationId, Result, SecretContent, SecretReadMode, SecretSelector, SecretString, Status,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NotFound,
    NotLeader,
    Denied,
    Usage,
    Failed,
}

fn kind(err: &Error) -> Option<Kind> {
    Some(match err {
        Error::NotFound { .. } => Kind::NotFound,
        Error::NotLeader { .. } => Kind::NotLeader,
        Error::PermissionDenied { .. } => Kind::Denied,
        Error::InvalidUsage { .. } => Kind::Usage,
        Error::ToolFailed { .. } => Kind::Failed,
        _ => return None,
    })
}

type Call = fn(&Recorder) -> Result<()>;
/// Exit code, Juju's message, and the typed error it must map to.
type Failure = (i32, &'static str, Kind);

fn rel() -> RelationId {
    RelationId::new("db", 3)
}

fn content() -> SecretContent {
    [("password".to_owned(), SecretString::from("content-never-echoed"))].into()
}

use Kind::*;

const CASES: &[(&str, Call, &[Failure])] = &[
    (
        "action-get",
        |r| action::action_get(r).map(drop),
        &[(2, "unrecognized args: [\"x\"]", Usage), (1, "not running an action", Failed)],
    ),
    (
        "action-set",
        |r| action::action_set(r, [("k", "some-result")]),
        &[
            (2, "argument \"x\" must be of the form key...=value", Usage),
            (2, "cannot set reserved action key \"stdout\"", Usage),
            (1, "not running an action", Failed),
        ],
    ),
    (
        "action-fail",
        |r| action::action_fail(r, "m"),
        &[(2, "unrecognized args: [\"a\" \"b\"]", Usage), (1, "not running an action", Failed)],
    ),
    (
        "action-log",
        |r| action::action_log(r, "m"),
        &[(2, "no message specified", Usage), (1, "not running an action", Failed)],
    ),
    (
        "config-get",
        |r| config::config_get(r).map(drop),
        &[(2, "cannot use argument --all together with key \"k\"", Usage)],
    ),
    (
        "status-get",
        |r| status::status_get_app(r).map(drop),
        &[
            (1, "finding application status: this unit is not the leader", NotLeader),
            (1, "finding workload status: connection is shut down", Failed),
        ],
    ),
    (
        "status-set",
        |r| status::status_set_app(r, &Status::Active(String::new())),
        &[
            (2, "invalid args, require <status> [message]", Usage),
            (2, "invalid status \"x\", expected one of [maintenance blocked waiting active]", Usage),
            (1, "this unit is not the leader", NotLeader),
        ],
    ),
    (
        "is-leader",
        |r| leadership::is_leader(r).map(drop),
        &[(1, "leadership status unknown: lease manager stopped", Failed)],
    ),
    ("application-version-set", |r| unit::application_version_set(r, "1"), &[(2, "no version specified", Usage)]),
    ("juju-log", |r| log::juju_log(r, LogLevel::Info, "m"), &[(2, "no message specified", Usage)]),
    (
        "juju-reboot",
        |r| reboot::juju_reboot(r, false),
        &[
            (1, "juju-reboot is not supported when running an action.", Failed),
            (2, "unrecognized args: [\"x\"]", Usage),
        ],
    ),
    (
        "credential-get",
        |r| credential::credential_get(r).map(drop),
        &[
            // An application that is not trusted: the controller's ErrPerm (§1.2).
            (1, "cannot access cloud credentials: permission denied", Denied),
            (1, "credential-get on a \"caas\" model not supported", Failed),
        ],
    ),
    (
        "unit-get",
        |r| unit::unit_get(r, UnitAddress::Public).map(drop),
        &[
            (2, "no setting specified", Usage),
            (2, "unknown setting \"x\"", Usage),
            (1, "public address not found", NotFound),
            (1, "private address not found", NotFound),
        ],
    ),
    (
        "resource-get",
        |r| resource::resource_get(r, "bin").map(drop),
        &[(2, "missing required resource name", Usage), (1, "could not download resource: HTTP 404", Failed)],
    ),
    (
        "open-port",
        |r| port::open_port(r, Port::tcp(80), &[]),
        &[
            (2, "no port or range specified", Usage),
            (2, "invalid port \"x\": strconv.Atoi: parsing \"x\": invalid syntax", Usage),
            (2, "invalid protocol \"sctp\", expected \"tcp\", \"udp\", or \"icmp\"", Usage),
            (2, "port range bounds must be between 0 and 65535, got 0-70000", Usage),
            (1, "cannot open 80-90/tcp (unit \"a/0\"): port range conflicts with 85/tcp (unit \"b/0\")", Failed),
            (1, "port ranges are not supported for k8s applications, please specify a single port", Failed),
        ],
    ),
    ("close-port", |r| port::close_port(r, Port::Icmp, &[]), &[(2, "invalid port range \"a-b-c\"", Usage)]),
    ("opened-ports", |r| port::opened_ports(r).map(drop), &[(2, "unrecognized args: [\"x\"]", Usage)]),
    (
        "network-get",
        |r| network::network_get(r, "db", Some(&rel())).map(drop),
        &[
            (2, "no arguments specified", Usage),
            (1, "no network config found for binding \"db\"", NotFound),
            (1, "no addresses attached to space for binding \"db\"", Failed),
            (2, "invalid value \"db:3\" for option -r: relation not found", NotFound),
        ],
    ),
    ("relation-ids", |r| relation::relation_ids(r, "db").map(drop), &[(2, "no endpoint name specified", Usage)]),
    (
        "relation-list",
        |r| relation::relation_list(r, &rel()).map(drop),
        &[
            (2, "no relation id specified", Usage),
            (2, "invalid value \"db:3\" for option -r: relation not found", NotFound),
            (2, "invalid value \"db:x\" for option -r: invalid relation id", Usage),
        ],
    ),
    (
        "relation-get",
        |r| relation::relation_get(r, &rel(), "pg").map(drop),
        &[
            (2, "no relation id specified", Usage),
            (2, "invalid value \"db:3\" for option -r: relation not found", NotFound),
            (2, "expected unit name, got application name \"pg\"", Usage),
            (2, "invalid unit name \"pg\"", Usage),
            (2, "no unit or application specified", Usage),
            (1, "permission denied", Denied),
        ],
    ),
    (
        "relation-set",
        |r| relation::relation_set(r, &rel(), Bag::App, &[("k".into(), "some-data".into())].into()),
        &[
            (2, "expected \"key=value\", got \"x\"", Usage),
            (2, "key \"k\" specified more than once", Usage),
            (1, "cannot write relation settings", NotLeader),
            (1, "cannot determine leadership status: lease manager stopped", Failed),
            (2, "invalid value \"db:3\" for option -r: relation not found", NotFound),
        ],
    ),
    (
        "relation-model-get",
        |r| relation::relation_model_get(r, &rel()).map(drop),
        &[(2, "invalid value \"db:3\" for option -r: relation not found", NotFound)],
    ),
    (
        "storage-get",
        |r| storage::storage_get(r, Some("data/0")).map(drop),
        &[
            (2, "no storage instance specified", Usage),
            (2, "invalid value \"x\" for option -s: invalid storage ID \"x\"", Usage),
            (1, "invalid storage attribute \"x\"", Failed),
        ],
    ),
    (
        "storage-add",
        |r| storage::storage_add(r, &[("data", 1)]),
        &[
            (2, "storage add requires a storage directive", Usage),
            (2, "storage \"data\" specified more than once", Usage),
            (2, "only count can be specified for \"data\"", Usage),
        ],
    ),
    ("storage-list", |r| storage::storage_list(r, None).map(drop), &[(2, "unrecognized args: [\"a\" \"b\"]", Usage)]),
    ("state-get", |r| state::state_get(r).map(drop), &[(1, "\"k\" not found", NotFound)]),
    (
        "state-set",
        |r| state::state_set(r, &[("k".into(), "some-state".into())].into()),
        &[
            (1, "max allowed key length (256) exceeded", Failed),
            (1, "max allowed value length (65536) exceeded", Failed),
        ],
    ),
    ("state-delete", |r| state::state_delete(r, "k"), &[(2, "unrecognized args: [\"x\"]", Usage)]),
    (
        "secret-add",
        |r| secret::secret_add(r, &content(), &SecretAddOptions::new()).map(drop),
        &[
            (2, "missing secret value or filename", Usage),
            (2, "rotate policy \"x\" not valid", Usage),
            (2, "secret owner \"x\" not valid", Usage),
            (2, "negative expire duration \"-1h\" not valid", Usage),
            (2, "expire time or duration \"x\" not valid", Usage),
            (2, "key \"X\" not valid", Usage),
            (2, "secret content for key \"password\" too large: 9000 bytes", Usage),
            (1, "empty secret value not valid", Failed),
            (1, "this unit is not the leader", NotLeader),
            (1, "secret with label \"x\" already exists", Failed),
        ],
    ),
    (
        "secret-set",
        |r| secret::secret_set(r, "secret:a", Some(&content()), &SecretSetOptions::new()),
        &[
            (2, "missing secret URI", Usage),
            (2, "secret URI \"x\" not valid", Usage),
            (1, "this unit is not the leader", NotLeader),
        ],
    ),
    (
        "secret-get",
        |r| secret::secret_get(r, &SecretSelector::id("secret:a"), SecretReadMode::Peek).map(drop),
        &[
            (2, "require either a secret URI or label", Usage),
            (2, "specify one of --peek or --refresh but not both", Usage),
            (1, "secret key value \"k\" not found", NotFound),
            (1, "secret \"secret:a\" not found", NotFound),
            (1, "consumer label \"x\" not found", NotFound),
            (1, "permission denied", Denied),
        ],
    ),
    (
        "secret-info-get",
        |r| secret::secret_info_get(r, &SecretSelector::label("l")).map(drop),
        &[
            (2, "require either a secret URI or label", Usage),
            (2, "specify either a secret URI or label but not both", Usage),
            (1, "secret \"l\" not found", NotFound),
        ],
    ),
    ("secret-ids", |r| secret::secret_ids(r).map(drop), &[(2, "unrecognized args: [\"x\"]", Usage)]),
    (
        "secret-grant",
        |r| secret::secret_grant(r, "secret:a", &rel(), Some("pg/0")),
        &[
            (2, "missing secret URI", Usage),
            (2, "no relation id specified", Usage),
            (2, "invalid value \"db:3\" for option -r: relation not found", NotFound),
            (2, "unit \"x\" not valid", Usage),
            (2, "cannot specify unit \"u/0\" in relation to application \"app\"", Usage),
            (1, "secret \"a\" not found", NotFound),
            (1, "this unit is not the leader", NotLeader),
            (
                1,
                "any unit level grants need to be revoked before granting access to the corresponding application",
                Failed,
            ),
        ],
    ),
    (
        "secret-revoke",
        |r| secret::secret_revoke(r, "secret:a", &RevokeTarget::Relation(rel())),
        &[
            (2, "missing secret URI", Usage),
            (2, "application \"x\" not valid", Usage),
            (2, "unit \"x\" not valid", Usage),
            (2, "specify only one of application or unit", Usage),
            (2, "do not specify both relation and app", Usage),
            (2, "missing relation or application or unit", Usage),
            (1, "this unit is not the leader", NotLeader),
        ],
    ),
    (
        "secret-remove",
        |r| secret::secret_remove(r, "secret:a", None),
        &[(2, "missing secret URI", Usage), (1, "this unit is not the leader", NotLeader)],
    ),
];

#[test]
fn every_listed_failure_maps_to_its_typed_error() {
    let mut checked = 0;
    for (tool, call, failures) in CASES {
        for (code, message, expected) in *failures {
            let rec = Recorder::new();
            rec.fail(tool, *code, message);
            let err = call(&rec).expect_err("the tool failed");
            assert_eq!(rec.last().tool, *tool, "the call ran {tool}");
            assert_eq!(kind(&err), Some(*expected), "{tool}: {message:?} gave {err:?}");
            let text = err.to_string();
            assert!(text.starts_with(tool) && text.contains(message), "{tool}: {text}");
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn transport_failures_are_tool_failures() {
    for message in
        ["JUJU_CONTEXT_ID not set", "bad request: wrong context ID; got \"x\"", "bad request: unknown command: x"]
    {
        let rec = Recorder::new();
        rec.fail("is-leader", 1, message);
        let err = leadership::is_leader(&rec).expect_err("failed");
        assert!(matches!(err, Error::ToolFailed { code: 1, .. }), "{err:?}");
    }
}

#[test]
fn state_get_key_treats_strict_not_found_as_none() {
    let rec = Recorder::new();
    rec.fail("state-get", 1, "\"k\" not found");
    assert_eq!(state::state_get_key(&rec, "k").expect("absent is not an error"), None);
}
