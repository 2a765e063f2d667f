//! Round trips: every `goops_runtime::hookcmds` function called through goops-sim's in-process
//! `Engine`, so the runtime's argv goes through the simulator's gnuflag parser and its rules
//! (docs/hook-tools.md), and the simulator's output through the runtime's parsers.
//!
//! One module per hookcmds family. Each test builds a `State`, runs the function on a hook of
//! it, and checks the typed result against what the state implies, the committed state after
//! the hook (or, for the writes Juju buffers, its absence after a failed hook), and the typed
//! error and Juju's text for the failures docs/hook-tools.md lists. Every family declares which
//! tests call each of its functions (`COVERAGE`); [`every_hookcmds_function_has_a_round_trip`]
//! reads the function names from the hookcmds sources and fails when one has no round trip.

mod support;

mod action;
mod config;
mod credential;
mod goal_state;
mod leadership;
mod log;
mod metric;
mod network;
mod port;
mod reboot;
mod relation;
mod resource;
mod secret;
mod state;
mod status;
mod storage;
mod unit;

use std::collections::BTreeSet;

/// Which tests call each public function of one family: `(function, tests)`.
pub(crate) type Coverage = &'static [(&'static str, &'static [fn()])];

/// One hookcmds family: its source in goops-runtime, this suite's module for it, and its table.
struct Family {
    name: &'static str,
    runtime_source: &'static str,
    tests_source: &'static str,
    coverage: Coverage,
}

macro_rules! family {
    ($name:ident) => {
        Family {
            name: stringify!($name),
            runtime_source: include_str!(concat!("../../../goops-runtime/src/hookcmds/", stringify!($name), ".rs")),
            tests_source: include_str!(concat!(stringify!($name), ".rs")),
            coverage: $name::COVERAGE,
        }
    };
}

const FAMILIES: &[Family] = &[
    family!(action),
    family!(config),
    family!(credential),
    family!(goal_state),
    family!(leadership),
    family!(log),
    family!(metric),
    family!(network),
    family!(port),
    family!(reboot),
    family!(relation),
    family!(resource),
    family!(secret),
    family!(state),
    family!(status),
    family!(storage),
    family!(unit),
];

const HOOKCMDS_MOD: &str = include_str!("../../../goops-runtime/src/hookcmds/mod.rs");

/// The names of the top-level `pub fn`s of a source file.
fn public_functions(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter_map(|line| line.strip_prefix("pub fn "))
        .map(|rest| rest.split(['(', '<']).next().unwrap_or_default().trim().to_owned())
        .collect()
}

#[test]
fn every_hookcmds_function_has_a_round_trip() {
    let modules: BTreeSet<&str> =
        HOOKCMDS_MOD.lines().filter_map(|line| line.strip_prefix("pub mod ")?.strip_suffix(';')).collect();
    let families: BTreeSet<&str> = FAMILIES.iter().map(|f| f.name).collect();
    assert_eq!(modules, families, "each hookcmds module needs a module of round trips here");
    assert!(public_functions(HOOKCMDS_MOD).is_empty(), "hookcmds/mod.rs has public functions: cover them");

    let mut missing = Vec::new();
    let mut total = 0;
    for family in FAMILIES {
        let functions = public_functions(family.runtime_source);
        let covered: BTreeSet<String> = family.coverage.iter().map(|(name, _)| (*name).to_owned()).collect();
        for name in functions.difference(&covered) {
            missing.push(format!("{}::{name} has no round trip", family.name));
        }
        for name in covered.difference(&functions) {
            missing.push(format!("{}::{name} is listed but is not a public function of hookcmds", family.name));
        }
        for (name, tests) in family.coverage {
            if tests.is_empty() {
                missing.push(format!("{}::{name} lists no test", family.name));
            }
            // The family's tests call it by its path, which is what this looks for.
            if !family.tests_source.contains(&format!("{}::{name}(", family.name)) {
                missing.push(format!(
                    "{}::{name} is never called in tests/tests/hookcmds/{}.rs",
                    family.name, family.name
                ));
            }
        }
        total += functions.len();
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(total >= 47, "{total} functions: the parser missed some");
}

#[test]
fn the_source_parser_finds_public_functions_only() {
    let source = "pub fn a(x: u8) {}\npub fn b<'a>(y: &'a str) {}\n    pub fn method(&self) {}\nfn private() {}\npub(crate) fn c() {}\n";
    assert_eq!(public_functions(source), ["a", "b"].into_iter().map(str::to_owned).collect());
}
