//! goops-sim's own tests of its internals: the rules of docs/hook-tools.md §7 through the
//! in-process engine, with the session in reach. Shared fixtures: a demo charm's metadata, a base
//! state, and helpers to run tools.

mod engine;
mod rules_hooks;
mod rules_secrets;
mod tools_fidelity;
mod tools_limits;

use crate::{CharmMeta, Engine, EventOptions, State};

/// The demo charm's metadata, shared with the integration tests.
const CHARMCRAFT: &str = include_str!("../../tests/fixtures/demo-charmcraft.yaml");

/// The base state, shared with the integration tests.
const BASE_STATE: &str = include_str!("../../tests/fixtures/demo-state.json");

fn meta() -> CharmMeta {
    CharmMeta::from_charmcraft_yaml(CHARMCRAFT).expect("fixture metadata parses")
}

fn base() -> State {
    State::from_json(BASE_STATE).expect("fixture state parses")
}

fn non_leader() -> State {
    State { leader: false, ..base() }
}

fn engine(state: State, event: &str) -> Engine {
    engine_with(state, event, &EventOptions::default())
}

fn engine_with(state: State, event: &str, options: &EventOptions) -> Engine {
    Engine::for_event(state, meta(), event, options).expect("session builds")
}

/// What a tool printed: stdout, stderr, exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    out: String,
    err: String,
    code: i32,
}

fn run(engine: &Engine, tool: &str, args: &[&str]) -> Run {
    let output = engine.run(tool, args, None);
    Run {
        out: String::from_utf8_lossy(&output.stdout).into_owned(),
        err: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.code,
    }
}

fn run_stdin(engine: &Engine, tool: &str, args: &[&str], stdin: &[u8]) -> Run {
    let output = engine.run(tool, args, Some(stdin));
    Run {
        out: String::from_utf8_lossy(&output.stdout).into_owned(),
        err: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.code,
    }
}

/// Assert a tool succeeded and return its stdout.
fn ok(engine: &Engine, tool: &str, args: &[&str]) -> String {
    let r = run(engine, tool, args);
    assert_eq!(r.code, 0, "{tool} {args:?} failed: {}", r.err);
    r.out
}

/// Assert a tool failed with `code` and `ERROR <message>`.
fn fails(engine: &Engine, tool: &str, args: &[&str], code: i32, message: &str) {
    let r = run(engine, tool, args);
    assert_eq!(
        (r.code, r.err.as_str(), r.out.as_str()),
        (code, format!("ERROR {message}\n").as_str(), ""),
        "{tool} {args:?}"
    );
}

/// A fresh temporary directory (removed by the caller or left in the OS temp dir).
fn temp_dir(tag: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "goops-sim-test-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}
