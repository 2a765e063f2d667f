//! Fuzz targets for goops-sim's inputs: the state JSON, every hook tool's argv (the gnuflag
//! parser and each tool's own checks, through the in-process [`Engine`], the entry point of the
//! harness), and the settings files `relation-set`/`state-set`/`secret-add --file` read.
//!
//! proptest with a fixed seed and a bounded number of cases, so `cargo test` runs them in CI in
//! seconds and a failure reproduces. `GOOPS_FUZZ_CASES=N` runs N cases per target,
//! `GOOPS_FUZZ_SCALE=K` K times the CI count;
//! `GOOPS_FUZZ_SEED=S` changes the seed.
//!
//! Properties: no input panics (a tool's panic is caught by the engine and reported as
//! "internal error", which fails here too); every tool failure is Juju's `ERROR <message>` with
//! exit code 1 or 2; a state that validates, and every state a hook commits, re-reads from its
//! JSON identically.
//!
//! The tools run with the process's working directory as the charm directory, so this binary
//! moves into a private temporary directory first, and no generated path has a `/` in it: a
//! fuzzed `-o PATH` can only write there.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use goops_runtime::{HookTools, ToolOutput};
use goops_sim::{CharmMeta, Engine, EventOptions, State};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde_json::Value;

const CHARMCRAFT: &str = include_str!("fixtures/demo-charmcraft.yaml");
const BASE_STATE: &str = include_str!("fixtures/demo-state.json");

/// `default_cases` unless `GOOPS_FUZZ_CASES` (a count) or `GOOPS_FUZZ_SCALE` (a multiple) say
/// otherwise, a fixed seed (`GOOPS_FUZZ_SEED`),
/// no failure files written into the tree.
fn config(default_cases: u32) -> Config {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    Config {
        cases: env("GOOPS_FUZZ_CASES")
            .or_else(|| env("GOOPS_FUZZ_SCALE").map(|k| k.saturating_mul(u64::from(default_cases))))
            .map_or(default_cases, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        rng_seed: RngSeed::Fixed(env("GOOPS_FUZZ_SEED").unwrap_or(0x600b5)),
        failure_persistence: None,
        max_shrink_iters: 1_000,
        ..Config::default()
    }
}

/// Move the process into a private directory (once, before any engine reads its cwd).
fn sandbox() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("goops-sim-fuzz-{}", std::process::id())).join("charm");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("sandbox dir");
        std::env::set_current_dir(&dir).expect("enter the sandbox");
        dir
    })
}

fn meta() -> CharmMeta {
    CharmMeta::from_charmcraft_yaml(CHARMCRAFT).expect("fixture metadata parses")
}

fn base() -> State {
    State::from_json(BASE_STATE).expect("fixture state parses")
}

/// A state that validated re-reads from its JSON identically, and its JSON is stable.
fn assert_round_trips(state: &State) -> Result<(), TestCaseError> {
    let json = state.to_json();
    let again = State::from_json(&json).map_err(|e| TestCaseError::fail(format!("re-read: {e}\n{json}")))?;
    prop_assert_eq!(&again, state);
    prop_assert_eq!(again.to_json(), json);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The state JSON.

/// Arbitrary JSON values: big and odd numbers, odd strings, nesting.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        Just(Value::from(u64::from(u32::MAX) + 1)),
        any::<f64>()
            .prop_filter_map("JSON has no NaN or infinity", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        "[a-z0-9:/._-]{0,12}".prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        Just(Value::from("secret:aaaaaaaaaaaaaaaaaaaa")),
        Just(Value::from("demo/0")),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_-]{0,10}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One change to a JSON tree: follow `path` (each step picks a child by index, modulo), then
/// replace the node, or add a field (known to the state's schema, or unknown).
#[derive(Debug, Clone)]
enum Edit {
    Replace(Vec<usize>, Value),
    AddField(Vec<usize>, String, Value),
}

fn edit() -> impl Strategy<Value = Edit> {
    let path = prop::collection::vec(any::<usize>(), 0..6);
    let field = prop_oneof![
        prop::sample::select(vec![
            "unit",
            "leader",
            "relations",
            "secrets",
            "config",
            "id",
            "endpoint",
            "remote_units",
            "revisions",
            "revision",
            "content",
            "owner",
            "label",
            "tracked",
            "storage",
            "index",
            "kind",
            "model",
            "status",
            "unit_status",
            "app_status",
            "opened_ports",
            "networks",
            "action",
            "state",
            "storage_requests",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,10}",
    ];
    prop_oneof![
        (path.clone(), json_value()).prop_map(|(p, v)| Edit::Replace(p, v)),
        (path, field, json_value()).prop_map(|(p, f, v)| Edit::AddField(p, f, v)),
    ]
}

fn apply(root: &mut Value, edit: &Edit) {
    match edit {
        Edit::Replace(path, value) => *walk(root, path) = value.clone(),
        Edit::AddField(path, field, value) => {
            if let Value::Object(map) = walk(root, path) {
                map.insert(field.clone(), value.clone());
            }
        }
    }
}

/// The node `path` leads to (stopping at a leaf or an empty collection).
fn walk<'a>(node: &'a mut Value, path: &[usize]) -> &'a mut Value {
    let Some((step, rest)) = path.split_first() else { return node };
    let len = match node {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => 0,
    };
    if len == 0 {
        return node;
    }
    match node {
        Value::Array(items) => walk(&mut items[step % len], rest),
        Value::Object(map) => walk(map.values_mut().nth(step % len).expect("index in range"), rest),
        _ => unreachable!("a collection"),
    }
}

/// State texts: the fixture with structured edits, text-level damage (duplicate keys, deep
/// nesting, huge numbers), or bytes.
fn state_text() -> impl Strategy<Value = String> {
    let edited = prop::collection::vec(edit(), 0..4).prop_map(|edits| {
        let mut value: Value = serde_json::from_str(BASE_STATE).expect("fixture is JSON");
        for e in &edits {
            apply(&mut value, e);
        }
        value.to_string()
    });
    let damaged = (0usize..4, 1usize..4000).prop_map(|(kind, n)| {
        let base = BASE_STATE.trim_end().trim_end_matches('}');
        match kind {
            // serde keeps the last of duplicate map keys; fields twice are an error.
            0 => format!("{base}, \"leader\": false, \"leader\": true}}"),
            1 => format!("{base}, \"config\": {{\"x\": {}{}}}}}", "[".repeat(n), "]".repeat(n)),
            2 => format!("{base}, \"config\": {{\"x\": 1{}}}}}", "0".repeat(n)),
            _ => format!("{base}, \"config\": {{\"x\": 1e{n}}}}}"),
        }
    });
    prop_oneof![
        6 => edited,
        2 => damaged,
        1 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

proptest! {
    #![proptest_config(config(384))]

    /// Any text is a state or a serde error; a state that validates re-reads identically, and a
    /// hook on it runs the reading tools without a panic.
    #[test]
    fn state_json_never_panics_and_round_trips(text in state_text()) {
        sandbox();
        let Ok(state) = State::from_json(&text) else { return Ok(()) };
        if state.validate().is_err() {
            return Ok(());
        }
        assert_round_trips(&state)?;
        let Ok(engine) = Engine::for_event(state, meta(), "install", &EventOptions::default()) else {
            return Ok(());
        };
        for (tool, args) in [
            ("config-get", &["--format=json"][..]),
            ("relation-ids", &["db"]),
            ("relation-get", &["-r", "1", "-", "pg/0"]),
            ("secret-ids", &[]),
            ("secret-get", &["secret:aaaaaaaaaaaaaaaaaaaa"]),
            ("secret-info-get", &["--label", "mine"]),
            ("goal-state", &[]),
            ("network-get", &["db"]),
            ("status-get", &["--application"]),
            ("storage-list", &[]),
            ("opened-ports", &[]),
            ("unit-get", &["private-address"]),
            ("state-get", &[]),
        ] {
            check_output(tool, &engine.run(tool, args, None))?;
        }
        if let Some(report) = engine.finish(true) {
            assert_round_trips(&report.state)?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Every tool's argv.

/// A failed tool speaks Juju: exit 1 (run error) or 2 (usage), stderr `ERROR <message>`, and
/// never the engine's "internal error" (a caught panic). Juju's deprecated `--format` warning
/// (no newline) comes first only when the command got to run: never before a usage error.
fn check_output(tool: &str, out: &ToolOutput) -> Result<(), TestCaseError> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    prop_assert!(!stderr.contains("internal error"), "{tool}: {stderr}");
    prop_assert!(matches!(out.code, 0..=2), "{tool}: exit {}: {stderr}", out.code);
    let warning = format!("--format flag deprecated for command {tool:?}");
    let message = match stderr.strip_prefix(&warning) {
        Some(rest) => {
            prop_assert!(out.code != 2, "{tool}: a usage error after the deprecation warning: {stderr:?}");
            rest
        }
        None => &stderr,
    };
    if out.code != 0 {
        prop_assert!(
            message.starts_with("ERROR ") && message.len() > 7 && message.ends_with('\n'),
            "{tool}: exit {}: {stderr:?}",
            out.code
        );
    }
    Ok(())
}

/// The settings file fixtures tools may be pointed at (relative to the sandbox).
const FILES: &[(&str, &str)] = &[("in.yaml", "a: b\nc: 1\n"), ("bad.yaml", "a: [b\n"), ("list.yaml", "- a\n- b\n")];

/// One argv token: options of any tool (with and without values), values that mean something
/// to some tool, and junk. No `/` except in a few fixed values that are not paths here.
fn token() -> impl Strategy<Value = OsString> {
    let options = prop::sample::select(vec![
        "--format",
        "--format=json",
        "--format=yaml",
        "--format=smart",
        "--format=xml",
        "-r",
        "--relation",
        "-r=1",
        "--app",
        "--application",
        "--label",
        "--description",
        "--expire",
        "--rotate",
        "--owner",
        "--file",
        "-o",
        "--output",
        "--peek",
        "--refresh",
        "--revision",
        "--include-data",
        "-l",
        "--log-level",
        "--debug",
        "--now",
        "--endpoints",
        "--bind-address",
        "--ingress-address",
        "--egress-subnets",
        "--primary-address",
        "--unit",
        "-a",
        "--all",
        "--strict",
        "-s",
        "-h",
        "--help",
        "--",
        "-",
        "-x",
        "--no-such-option",
        "-ro",
        "---",
    ]);
    let values = prop::sample::select(vec![
        "db:1",
        "cluster:2",
        "1",
        "2",
        "0",
        "-1",
        "99",
        "4294967296",
        "99999999999999999999",
        "pg/0",
        "demo/1",
        "demo",
        "pg",
        "secret:aaaaaaaaaaaaaaaaaaaa",
        "secret:bbbbbbbbbbbbbbbbbbbb",
        "aaaaaaaaaaaaaaaaaaaa",
        "mine",
        "theirs",
        "app",
        "unit",
        "key=value",
        "k=",
        "=v",
        "a.b=1",
        "password#file=in.yaml",
        "k#base64=AAAA",
        "k#base64=!!",
        "k#file=missing",
        "json",
        "yaml",
        "smart",
        "8080",
        "8080/tcp",
        "80-90/udp",
        "icmp",
        "70000/tcp",
        "active",
        "blocked",
        "maintenance",
        "waiting",
        "error",
        "data",
        "data/0",
        "data=2",
        "data=-1",
        "in.yaml",
        "bad.yaml",
        "list.yaml",
        "out.txt",
        "daily",
        "never",
        "1h",
        "2030-01-01",
        "private-address",
        "public-address",
        "backup",
        "target",
        "blob",
        "INFO",
        "ERROR",
        "hello world",
        "",
    ]);
    let junk =
        prop_oneof!["[a-z0-9=#.:_-]{0,16}".prop_map(String::from), any::<String>().prop_map(|s| s.replace('/', "_")),];
    let bytes = prop::collection::vec(any::<u8>(), 1..8)
        .prop_map(|b| OsString::from_vec(b.into_iter().map(|c| if c == b'/' { b'_' } else { c }).collect()));
    // Deep dotted keys (action-set) and long values.
    let deep = (1usize..300).prop_map(|n| format!("{}=1", vec!["k"; n].join(".")));
    prop_oneof![
        6 => options.prop_map(OsString::from),
        6 => values.prop_map(OsString::from),
        2 => junk.prop_map(OsString::from),
        1 => bytes,
        1 => deep.prop_map(OsString::from),
    ]
}

/// An argv each tool accepts on the base state, so that mutations of it get past the usage
/// checks into the tool's work.
fn accepted_argv(tool: &str) -> &'static [&'static str] {
    const SECRET: &str = "secret:aaaaaaaaaaaaaaaaaaaa";
    match tool {
        "action-fail" | "action-log" | "juju-log" => &["message"],
        "action-get" => &["target"],
        "action-set" => &["a.b=1"],
        "application-version-set" => &["1.0"],
        "close-port" | "open-port" => &["8080/tcp"],
        "config-get" => &["port"],
        "leader-set" | "relation-set" | "secret-add" | "state-set" => &["k=v"],
        "network-get" => &["db"],
        "relation-get" => &["-r", "1", "-", "pg/0"],
        "relation-ids" => &["db"],
        "relation-list" | "relation-model-get" => &["-r", "1"],
        "resource-get" => &["blob"],
        "secret-get" | "secret-info-get" | "secret-remove" => &[SECRET],
        "secret-grant" | "secret-revoke" => &[SECRET, "-r", "1"],
        "secret-set" => &[SECRET, "password=two"],
        "state-delete" => &["k"],
        "status-set" => &["active", "ready"],
        "storage-add" => &["data=1"],
        "storage-get" => &["-s", "data/0"],
        "unit-get" => &["private-address"],
        _ => &[],
    }
}

/// One call: a tool (of Juju's list, or not), its argv (fuzz tokens, or an accepted argv with
/// tokens inserted and one argument dropped), and what it gets on stdin if it asks.
fn call() -> impl Strategy<Value = (String, Vec<OsString>, Vec<u8>)> {
    let tool = prop_oneof![
        19 => prop::sample::select(goops_juju::tools::HOOK_TOOLS).prop_map(str::to_owned),
        1 => "[a-z-]{0,12}",
    ];
    let stdin = prop_oneof![
        Just(b"a: b\n".to_vec()),
        Just(b"{\"k\": \"v\"}".to_vec()),
        prop::collection::vec(any::<u8>(), 0..32),
    ];
    let edits = (prop::collection::vec((any::<usize>(), token()), 0..3), proptest::option::of(any::<usize>()));
    let random = prop::collection::vec(token(), 0..7);
    (tool, prop_oneof![random.prop_map(Err), edits.prop_map(Ok)], stdin).prop_map(|(tool, argv, stdin)| {
        let argv = match argv {
            Err(random) => random,
            Ok((inserts, drop)) => {
                let mut argv: Vec<OsString> = accepted_argv(&tool).iter().map(OsString::from).collect();
                if let Some(i) = drop.filter(|_| !argv.is_empty()) {
                    argv.remove(i % argv.len());
                }
                for (at, token) in inserts {
                    argv.insert(at % (argv.len() + 1), token);
                }
                argv
            }
        };
        (tool, argv, stdin)
    })
}

/// The events the calls run in.
fn event() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "install",
        "db-relation-changed",
        "cluster-relation-joined",
        "action:backup",
        "data-storage-attached",
    ])
}

proptest! {
    #![proptest_config(config(512))]

    /// Any tool with any argv answers as Juju's tools do, and whatever the calls wrote, the state
    /// the hook commits re-reads from its JSON identically.
    #[test]
    fn every_tool_with_any_argv(
        event in event(),
        leader in any::<bool>(),
        calls in prop::collection::vec(call(), 1..5),
        commit in any::<bool>(),
    ) {
        let dir = sandbox();
        for (name, text) in FILES {
            std::fs::write(dir.join(name), text).expect("fixture file");
        }
        let state = State { leader, ..base() };
        let engine = Engine::for_event(state, meta(), event, &EventOptions::default())
            .map_err(|e| TestCaseError::fail(format!("{event}: {e}")))?;
        for (tool, args, stdin) in &calls {
            let out = engine.call(tool, args, Some(stdin)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            check_output(tool, &out)?;
        }
        let report = engine.finish(commit).ok_or_else(|| TestCaseError::fail("finished twice"))?;
        assert_round_trips(&report.state)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Settings files.

/// YAML from the pieces that matter to a reader of settings: keys and scalars of every kind,
/// anchors, aliases, flow and block collections, tags, document markers, merge keys.
fn yaml_soup() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        "a: ",
        "b: ",
        "key: ",
        "\"quoted\": ",
        "1: ",
        "true: ",
        "~: ",
        "&a ",
        "*a ",
        "&b ",
        "*b ",
        "*zz ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "- ",
        "? ",
        ": ",
        "\n",
        "  ",
        "'q'",
        "\"d\\u0000\"",
        "1",
        "-1",
        "1e400",
        "0x1f",
        "~",
        "true",
        "yes",
        "!!str ",
        "!!int ",
        "!!binary ",
        "!!map ",
        "--- ",
        "...\n",
        "|\n  ",
        ">-\n  ",
        "#c\n",
        "<<: ",
        "\t",
        "\u{feff}",
        "é",
        "\u{85}",
        "%YAML 1.1\n",
    ]);
    prop_oneof![
        6 => prop::collection::vec(piece, 0..60).prop_map(|p| p.concat().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
        1 => (1usize..3000).prop_map(|n| format!("a: {}{}\n", "[".repeat(n), "]".repeat(n)).into_bytes()),
        1 => (1usize..3000).prop_map(|n| format!("a:\n{}x\n", "- ".repeat(n)).into_bytes()),
        1 => (1usize..4).prop_map(|levels| alias_bomb(levels).into_bytes()),
    ]
}

/// Nested aliases, each level ten of the one before: `levels` = 9 is 10^9 strings in ~450 bytes.
fn alias_bomb(levels: usize) -> String {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..levels {
        let aliases = vec![format!("*a{}", i - 1); 10].join(",");
        text.push_str(&format!("a{i}: &a{i} [{aliases}]\n"));
    }
    text
}

/// The tools that read a settings file, as they read it from stdin (`--file -`).
fn settings_tool() -> impl Strategy<Value = (&'static str, Vec<&'static str>)> {
    prop::sample::select(vec![
        ("relation-set", vec!["-r", "1", "--file", "-"]),
        ("relation-set", vec!["-r", "1", "--app", "--file", "-", "extra=1"]),
        ("state-set", vec!["--file", "-"]),
        ("secret-add", vec!["--file", "-"]),
        ("secret-set", vec!["secret:aaaaaaaaaaaaaaaaaaaa", "--file", "-"]),
        ("action-set", vec!["--file", "-"]),
    ])
}

proptest! {
    #![proptest_config(config(384))]

    /// Any settings file is read or refused as Juju refuses it, and what was accepted commits
    /// to a state that re-reads identically.
    #[test]
    fn settings_files_never_panic((tool, args) in settings_tool(), text in yaml_soup()) {
        sandbox();
        let engine = Engine::for_event(base(), meta(), "install", &EventOptions::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let args: Vec<OsString> = args.into_iter().map(OsString::from).collect();
        let out = engine.call(tool, &args, Some(&text)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_output(tool, &out)?;
        let report = engine.finish(true).ok_or_else(|| TestCaseError::fail("finished twice"))?;
        assert_round_trips(&report.state)?;
    }
}

/// Found by `settings_files_never_panic`: yaml-rust2 parses and frees block collections
/// recursively, so a settings file nested a few thousand levels deep overflowed the stack and
/// took the whole simulator down. Settings files are now read as yaml.v2 reads them, with its
/// depth and alias limits and its texts (`format/yaml_read.rs`).
#[test]
fn deep_or_alias_bomb_settings_files_are_refused() {
    sandbox();
    let text = format!("a:\n{}x\n", "- ".repeat(100_000));
    for (tool, args) in [("relation-set", &["-r", "1", "--file", "-"][..]), ("state-set", &["--file", "-"])] {
        let engine = Engine::for_event(base(), meta(), "install", &EventOptions::default()).expect("session");
        let out = engine.run(tool, args, Some(text.as_bytes()));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.code, 1, "{tool}: {stderr}");
        assert!(stderr.starts_with("ERROR yaml: exceeded max depth of 10000"), "{tool}: {stderr}");
    }
    // An alias bomb (10^9 strings in ~450 bytes) is refused as yaml.v2 refuses it, without
    // expanding it: its values are sequences, which a string map cannot hold (yaml_read.rs has
    // the alias-ratio case), in every tool that reads a settings file.
    let bomb = alias_bomb(9);
    for (tool, args) in [("relation-set", &["-r", "1", "--file", "-"][..]), ("state-set", &["--file", "-"])] {
        let engine = Engine::for_event(base(), meta(), "install", &EventOptions::default()).expect("session");
        let out = engine.run(tool, args, Some(bomb.as_bytes()));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.code, 1, "{tool}: {stderr}");
        assert!(
            stderr.starts_with("ERROR yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into string\n"),
            "{tool}: {stderr}"
        );
    }
    // secret-add reads its file by path (as the agent does), with the same reader.
    let path = sandbox().join("bomb.yaml");
    std::fs::write(&path, &bomb).expect("write bomb");
    let path = path.to_str().expect("UTF-8 temp dir");
    let engine = Engine::for_event(base(), meta(), "install", &EventOptions::default()).expect("session");
    let out = engine.run("secret-add", &["--file", path], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("yaml: unmarshal errors:"), "secret-add: {stderr}");
    assert_ne!(out.code, 0);
}

/// Found by `every_tool_with_any_argv`: the deprecated `--format` warning was printed before a
/// usage error, glued to it. Juju prints it in `Run`, which an `Init` error never reaches
/// (worker/uniter/runner/jujuc/ports.go, juju-log.go), so a usage error is the error alone.
#[test]
fn no_deprecation_warning_before_a_usage_error() {
    sandbox();
    let engine = Engine::for_event(base(), meta(), "install", &EventOptions::default()).expect("session");
    for (tool, args, message) in [
        ("close-port", &["--format=json"][..], "no port or range specified"),
        ("open-port", &["--format", "json"], "no port or range specified"),
        ("juju-log", &["--format", "foo"], "no message specified"),
    ] {
        let out = engine.run(tool, args, None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!((out.code, stderr.as_ref()), (2, format!("ERROR {message}\n").as_str()), "{tool}");
    }
    // Once the command runs, Juju's warning comes first, without a newline.
    let out = engine.run("juju-log", &["--format", "foo", "msg"], None);
    assert_eq!((out.code, out.stderr.as_slice()), (0, &b"--format flag deprecated for command \"juju-log\""[..]));
}

/// Found by `state_json_never_panics_and_round_trips`: serde_json's default float parsing is
/// not correctly rounded, so a config value of 10^125 written as 126 digits read back as
/// 1e125, then as 1.0000000000000001e125: each hook's state differed from the last in a value
/// nobody changed. The workspace enables serde_json's `float_roundtrip`.
#[test]
fn numbers_in_the_state_re_read_identically() {
    let base = BASE_STATE.trim_end().trim_end_matches('}');
    for number in
        [format!("1{}", "0".repeat(125)), "1e125".to_owned(), "0.1".to_owned(), "2.2250738585072014e-308".to_owned()]
    {
        let text = format!("{base}, \"config\": {{\"x\": {number}}}}}");
        let state = State::from_json(&text).expect("a state");
        let json = state.to_json();
        assert_eq!(State::from_json(&json).expect("re-read"), state, "{number}");
    }
}

// ---------------------------------------------------------------------------------------------
// What the runtime writes, the simulator reads back: goops-runtime's typed API on the engine.

/// Strings that YAML (the tools read `--file` as YAML) or the tools' parsers treat specially.
fn awkward_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        3 => "[ -~\t\r\n]{0,16}",
        2 => prop::sample::select(vec![
            "~", "null", "Null", "true", "yes", "no", "on", "0x1f", "0o17", "1e3", ".inf", "-.nan", "1_000", "- a",
            "a: b", "{a}", "[a]", "&a", "*a", "!!str", "%x", "@x", "`x", "|", ">", "#c", "'", "\"", "\\", " lead",
            "trail ", "\r\n", "\r", "\u{85}", "\u{2028}", "\u{2029}", "\u{feff}x", "\u{7f}", "\u{9f}", "\u{fffe}",
            "\u{1f600}", "2024-01-01", "=", "k=v", "#file=x", "",
        ])
        .prop_map(str::to_owned),
    ]
}

fn data_map() -> impl Strategy<Value = std::collections::BTreeMap<String, String>> {
    let key = prop_oneof![3 => "[a-z][a-z0-9._-]{0,10}", 1 => awkward_string()];
    prop::collection::btree_map(key, awkward_string(), 0..5)
}

fn install() -> Result<Engine, TestCaseError> {
    sandbox();
    Engine::for_event(base(), meta(), "install", &EventOptions::default())
        .map_err(|e| TestCaseError::fail(e.to_string()))
}

proptest! {
    #![proptest_config(config(256))]

    /// `relation_set` then `relation_get` of the unit's own bag gives back what was set (an
    /// empty value deletes), or the runtime refused the key before running the tool.
    #[test]
    fn relation_data_round_trips_through_the_tools(data in data_map()) {
        use goops_runtime::hookcmds::relation;
        let engine = install()?;
        let rel = goops_runtime::RelationId::new("db", 1);
        match relation::relation_set(&engine, &rel, goops_runtime::Bag::Unit, &data) {
            Err(goops_runtime::Error::InvalidInput { .. }) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("relation-set refused {data:?}: {e}"))),
            Ok(()) => {}
        }
        let read = relation::relation_get(&engine, &rel, "demo/0").map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (key, value) in &data {
            prop_assert_eq!(read.get(key), (!value.is_empty()).then_some(value), "{:?}", key);
        }
        let report = engine.finish(true).ok_or_else(|| TestCaseError::fail("finished twice"))?;
        assert_round_trips(&report.state)?;
    }

    /// `state_set` then `state_get` gives back what was set (an empty value is a value: Juju's
    /// `SetCharmStateValue` stores it; `state-delete` deletes).
    #[test]
    fn unit_state_round_trips_through_the_tools(data in data_map()) {
        use goops_runtime::hookcmds::state;
        let engine = install()?;
        match state::state_set(&engine, &data) {
            Err(goops_runtime::Error::InvalidInput { .. }) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("state-set refused {data:?}: {e}"))),
            Ok(()) => {}
        }
        let read = state::state_get(&engine).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (key, value) in &data {
            prop_assert_eq!(read.get(key), Some(value), "{:?}", key);
        }
        let report = engine.finish(true).ok_or_else(|| TestCaseError::fail("finished twice"))?;
        assert_round_trips(&report.state)?;
    }

    /// `secret_add` then `secret_get` gives back the content, whatever the values.
    #[test]
    fn secret_content_round_trips_through_the_tools(
        content in prop::collection::btree_map("[a-z][a-z0-9]{2,8}", awkward_string(), 1..4),
    ) {
        use goops_runtime::hookcmds::secret;
        use goops_runtime::{SecretAddOptions, SecretContent, SecretReadMode, SecretSelector, SecretString};
        let engine = install()?;
        let given: SecretContent = content.iter().map(|(k, v)| (k.clone(), SecretString::from(v.as_str()))).collect();
        let uri = match secret::secret_add(&engine, &given, &SecretAddOptions::new()) {
            Err(goops_runtime::Error::InvalidInput { .. }) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("secret-add refused the content: {e}"))),
            Ok(uri) => uri,
        };
        let read = secret::secret_get(&engine, &SecretSelector::id(&uri), SecretReadMode::Tracked)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let read: std::collections::BTreeMap<String, String> =
            read.iter().map(|(k, v)| (k.clone(), v.expose_secret().to_owned())).collect();
        prop_assert_eq!(read, content);
    }
}
