//! Fuzz targets for what the runtime reads from outside: every hook tool's output (stdout,
//! stderr, exit code) through a fake `HookTools`, and the hook's `JUJU_*` environment.
//!
//! proptest with a fixed seed and a bounded number of cases, so `cargo test` runs them in CI in
//! a few seconds and a failure reproduces. `GOOPS_FUZZ_CASES=N` runs N cases per target,
//! `GOOPS_FUZZ_SCALE=K` K times the CI count; `GOOPS_FUZZ_SEED=S` changes the seed.
//!
//! Properties: no input panics; every failure is a typed [`Error`]/[`EnvError`] with a
//! message; secret content printed by `secret-get` never reaches an error or `Debug` output.

use std::ffi::OsString;

use goops_runtime::hookcmds::{
    action, config, credential, goal_state, leadership, network, port, relation, resource, secret, state, status,
    storage, unit,
};
use goops_runtime::{
    Context, Error, Event, HookTools, JujuEnv, RelationId, SecretAddOptions, SecretContent, SecretReadMode,
    SecretSelector, SecretString, ToolOutput,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde_json::Value;

/// The proptest config of every target here: `default_cases` unless `GOOPS_FUZZ_CASES` (a count)
/// or `GOOPS_FUZZ_SCALE` (a multiple) say otherwise, a fixed seed (`GOOPS_FUZZ_SEED`), no
/// failure files written into the tree.
fn config(default_cases: u32) -> Config {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    Config {
        cases: env("GOOPS_FUZZ_CASES")
            .or_else(|| env("GOOPS_FUZZ_SCALE").map(|k| k.saturating_mul(u64::from(default_cases))))
            .map_or(default_cases, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        rng_seed: RngSeed::Fixed(env("GOOPS_FUZZ_SEED").unwrap_or(0x600b5)),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

/// A marker planted in every string of fuzzed output, to catch it leaking from `secret-get`.
const MARK: &str = "Zq9SECRET";

/// Keys the tools' JSON outputs use, so structured inputs reach deep into each parser.
const KEYS: &[&str] = &[
    "port",
    "protocol",
    "endpoints",
    "from-port",
    "to-port",
    "revision",
    "label",
    "owner",
    "description",
    "rotation",
    "expiry",
    "rotates",
    "access",
    "target",
    "scope",
    "role",
    "status",
    "message",
    "status-data",
    "since",
    "units",
    "relations",
    "kind",
    "location",
    "bind-addresses",
    "ingress-addresses",
    "egress-subnets",
    "addresses",
    "hostname",
    "value",
    "address",
    "cidr",
    "mac-address",
    "interface-name",
    "macaddress",
    "interfacename",
    "type",
    "name",
    "credential",
    "attrs",
    "auth-type",
    "region",
    "endpoint",
    "application",
    "unit",
    "uuid",
    "cn0s4cu5gdbs7e2q5l4g",
    "secret:cn0s4cu5gdbs7e2q5l4g",
    "db/0",
    "",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9:/#._ -]{0,12}".prop_map(|s| format!("{MARK}{s}")),
        1 => any::<String>(),
        1 => prop::sample::select(vec![
            "2024-01-02T03:04:05Z", "not-a-date", "daily", "monthly", "app", "unit", "ipv4", "tcp", "icmp",
            "8080/tcp", "1-65535/udp", "active", "blocked", "filesystem", "block", "-1", "4294967296",
        ])
        .prop_map(str::to_owned),
    ]
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![3 => prop::sample::select(KEYS).prop_map(str::to_owned), 1 => text()]
}

/// Arbitrary JSON, biased towards the keys and shapes the tools print.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (0u32..70_000).prop_map(Value::from),
        any::<f64>()
            .prop_filter_map("JSON has no NaN or infinity", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 96, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(json_key(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Hostile texts JSON parsers trip on: deep nesting, huge numbers, duplicate keys, bad UTF-8.
fn hostile() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (1usize..20_000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes()),
        (1usize..20_000).prop_map(|n| "{\"a\":".repeat(n).into_bytes()),
        Just(b"1e999999".to_vec()),
        Just(b"-123456789012345678901234567890".to_vec()),
        Just(b"{\"revision\": 99999999999999999999, \"owner\": \"app\"}".to_vec()),
        Just(b"{\"a\":\"1\",\"a\":\"2\"}".to_vec()),
        Just(b"\"\xff\xfe\"".to_vec()),
        Just(b"\"\\ud800\"".to_vec()),
        Just(b"null".to_vec()),
        Just(Vec::new()),
    ]
}

/// What a tool prints on stdout.
fn stdout() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => json_value().prop_map(|v| v.to_string().into_bytes()),
        2 => prop::collection::vec(any::<u8>(), 0..200),
        1 => "[a-z0-9 :/.\\n-]{0,60}".prop_map(String::into_bytes),
        1 => hostile(),
    ]
}

/// One tool's whole answer: mostly success with fuzzed stdout, sometimes a failure.
fn output() -> impl Strategy<Value = ToolOutput> {
    let stderr = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..100),
        "(ERROR )?[a-z ]{0,20}(not found|permission denied|not the leader|)\\n?".prop_map(String::into_bytes),
    ];
    let code = prop_oneof![8 => Just(0), 1 => Just(1), 1 => Just(2), 1 => any::<i32>()];
    (stdout(), stderr, code).prop_map(|(stdout, stderr, code)| ToolOutput { stdout, stderr, code })
}

/// Answers every tool call with the same output.
struct Fixed(ToolOutput);

impl HookTools for Fixed {
    fn call(&self, _tool: &str, _args: &[OsString], _stdin: Option<&[u8]>) -> goops_runtime::Result<ToolOutput> {
        Ok(self.0.clone())
    }
}

/// A result as the `Debug` text of its value.
fn d<T: std::fmt::Debug>(result: Result<T, Error>) -> Result<String, Error> {
    result.map(|v| format!("{v:?}"))
}

/// Every typed API that parses a tool's output, as `Debug` text of its result.
fn every_reader(tools: &dyn HookTools) -> Vec<(&'static str, Result<String, Error>)> {
    let rel = RelationId::new("db", 1);
    let sel = SecretSelector::id("secret:cn0s4cu5gdbs7e2q5l4g");
    let content: SecretContent = [("password".to_owned(), SecretString::from("pw"))].into();
    vec![
        ("action-get", d(action::action_get(tools))),
        ("action-get key", d(action::action_get_key(tools, "a.b"))),
        ("config-get", d(config::config_get(tools))),
        ("config-get key", d(config::config_get_key(tools, "port"))),
        ("credential-get", d(credential::credential_get(tools))),
        ("goal-state", d(goal_state::goal_state(tools))),
        ("is-leader", d(leadership::is_leader(tools))),
        ("network-get", d(network::network_get(tools, "db", Some(&rel)))),
        ("opened-ports", d(port::opened_ports(tools))),
        ("opened-ports --endpoints", d(port::opened_ports_with_endpoints(tools))),
        ("relation-ids", d(relation::relation_ids(tools, "db"))),
        ("relation-list", d(relation::relation_list(tools, &rel))),
        ("relation-list --app", d(relation::relation_list_app(tools, &rel))),
        ("relation-get", d(relation::relation_get(tools, &rel, "pg/0"))),
        ("relation-get key", d(relation::relation_get_key(tools, &rel, "host", "pg/0"))),
        ("relation-model-get", d(relation::relation_model_get(tools, &rel))),
        ("resource-get", d(resource::resource_get(tools, "blob"))),
        ("secret-add", d(secret::secret_add(tools, &content, &SecretAddOptions::new()))),
        ("secret-get", d(secret::secret_get(tools, &sel, SecretReadMode::Tracked))),
        ("secret-get key", d(secret::secret_get_key(tools, &sel, "password", SecretReadMode::Peek))),
        ("secret-info-get", d(secret::secret_info_get(tools, &sel))),
        ("secret-ids", d(secret::secret_ids(tools))),
        ("state-get", d(state::state_get(tools))),
        ("state-get key", d(state::state_get_key(tools, "k"))),
        ("status-get", d(status::status_get(tools))),
        ("status-get --application", d(status::status_get_app(tools))),
        ("storage-get", d(storage::storage_get(tools, Some("data/0")))),
        ("storage-list", d(storage::storage_list(tools, None))),
        ("unit-get", d(unit::unit_get(tools, unit::UnitAddress::Private))),
    ]
}

proptest! {
    #![proptest_config(config(192))]

    /// Whatever a tool prints, each typed API returns a value or a typed error, and
    /// `secret-get`'s output (which is secret content) reaches neither errors nor `Debug`.
    #[test]
    fn tool_output_never_panics_and_secret_content_never_leaks(out in output()) {
        let tools = Fixed(out);
        for (api, result) in every_reader(&tools) {
            match result {
                Ok(debug) if api.starts_with("secret-get") => {
                    prop_assert!(!debug.contains(MARK), "{api}: secret content in Debug: {debug}");
                }
                Ok(_) => {}
                Err(e) => {
                    let message = e.to_string();
                    prop_assert!(!message.is_empty(), "{api}: empty error");
                    if api.starts_with("secret-get") && tools.0.code == 0 {
                        prop_assert!(!message.contains(MARK), "{api}: secret content in the error: {message}");
                    }
                }
            }
        }
    }
}

/// The `JUJU_*` variables the event parser reads, with values that are valid, near-valid or junk.
fn env_vars() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop::sample::select(vec![
        "JUJU_DISPATCH_PATH",
        "JUJU_HOOK_NAME",
        "JUJU_UNIT_NAME",
        "JUJU_RELATION",
        "JUJU_RELATION_ID",
        "JUJU_REMOTE_UNIT",
        "JUJU_REMOTE_APP",
        "JUJU_DEPARTING_UNIT",
        "JUJU_ACTION_NAME",
        "JUJU_ACTION_UUID",
        "JUJU_WORKLOAD_NAME",
        "JUJU_NOTICE_ID",
        "JUJU_NOTICE_TYPE",
        "JUJU_NOTICE_KEY",
        "JUJU_PEBBLE_CHECK_NAME",
        "JUJU_SECRET_ID",
        "JUJU_SECRET_LABEL",
        "JUJU_SECRET_REVISION",
        "JUJU_STORAGE_ID",
        "JUJU_STORAGE_LOCATION",
        "JUJU_STORAGE_KIND",
        "JUJU_CHARM_DIR",
        "CHARM_DIR",
        "JUJU_API_ADDRESSES",
        "JUJU_MODEL_NAME",
        "JUJU_VERSION",
        "JUJU_DEBUG",
        "JUJU_TARGET_BASE",
    ])
    .prop_map(str::to_owned);
    let hook = prop::sample::select(goops_runtime::HookKind::ALL.to_vec()).prop_flat_map(|kind| {
        let scope = prop::sample::select(vec!["db", "data", "web", "a-b-c", "", "-", "relation"]);
        (Just(kind), scope)
    });
    let dispatch_path = prop_oneof![
        hook.prop_map(|(kind, scope)| format!("hooks/{}", kind.hook_name(kind.scope().map(|_| scope)))),
        "(hooks|actions|)/?[a-z0-9/._-]{0,24}",
        any::<String>(),
    ];
    let value = prop_oneof![
        "[a-z0-9]{0,6}([:/][0-9]{0,12}){0,2}",
        prop::sample::select(vec![
            "db:1",
            "db:-1",
            "db:4294967296",
            ":",
            "data/0",
            "data/-1",
            "block",
            "filesystem",
            "tape",
            "0",
            "1",
            "18446744073709551616",
            "app/0",
            "app",
            "/",
            "secret:cn0s4cu5gdbs7e2q5l4g",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ];
    let pairs = prop::collection::vec((name, value), 0..12);
    (dispatch_path, pairs).prop_map(|(path, mut pairs)| {
        pairs.insert(0, ("JUJU_DISPATCH_PATH".to_owned(), path));
        pairs
    })
}

proptest! {
    #![proptest_config(config(1024))]

    /// Any environment gives an event or a typed error, and the context built from an event
    /// answers its accessors without panicking.
    #[test]
    fn env_never_panics(vars in env_vars(), argv0 in proptest::option::of("/?[a-z]{0,5}(/hooks/[a-z-]{0,20})?")) {
        let env = JujuEnv::from_vars(vars);
        let _ = (env.unit(), env.app());
        match Event::from_env(&env, argv0.as_deref().map(std::path::Path::new)) {
            Ok(event) => {
                let _ = (event.hook_name(), event.hook_kind(), event.is_restricted());
                if let Ok(ctx) = Context::new(env, event, Fixed(ToolOutput::ok(""))) {
                    let _ = format!("{:?}", ctx.event());
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
