//! `state-get`, `state-set`, `state-delete` (docs/hook-tools.md §4.6, rules 13 and 37). Juju's
//! quota errors cannot come back: the runtime refuses oversized keys and values first.

use goops_runtime::hookcmds::state::{self, MAX_STATE_KEY_LEN, MAX_STATE_VALUE_LEN};
use goops_sim::State;

use crate::Coverage;
use crate::support::{assert_invalid_input, bag, err, finish, hook, v};

pub(crate) const COVERAGE: Coverage = &[
    ("state_get", &[reads_see_the_hooks_own_writes, an_empty_state_is_an_empty_map]),
    (
        "state_get_key",
        &[reads_see_the_hooks_own_writes, an_empty_state_is_an_empty_map, the_context_reads_and_writes_unit_state],
    ),
    (
        "state_set",
        &[
            reads_see_the_hooks_own_writes,
            a_failed_hook_keeps_the_old_state,
            juju_limits_are_checked_first,
            the_context_reads_and_writes_unit_state,
        ],
    ),
    (
        "state_delete",
        &[reads_see_the_hooks_own_writes, a_failed_hook_keeps_the_old_state, the_context_reads_and_writes_unit_state],
    ),
];

fn stored() -> State {
    State { unit_state: bag(&[("a", "1"), ("b", "2"), ("gone", "x")]), ..State::default() }
}

#[test]
pub(crate) fn reads_see_the_hooks_own_writes() {
    let engine = hook(stored(), "update-status");
    assert_eq!(state::state_get(&engine).expect("state"), bag(&[("a", "1"), ("b", "2"), ("gone", "x")]));
    assert_eq!(state::state_get_key(&engine, "a").expect("a key").as_deref(), Some("1"));
    assert_eq!(state::state_get_key(&engine, "nope").expect("--strict's not-found is None"), None);
    let awkward = bag(&[
        ("b", ""), // stored as "", not deleted (§4.6)
        ("json", "{\"restarts\": 4, \"note\": \"x\"}"),
        ("multi", "line one\nline two é 😀 \u{85}\u{2028}"),
    ]);
    state::state_set(&engine, &awkward).expect("set");
    state::state_delete(&engine, "gone").expect("deleted");
    state::state_delete(&engine, "never-there").expect("deleting a missing key does nothing");
    let mut expected = awkward.clone();
    expected.insert("a".into(), "1".into());
    assert_eq!(state::state_get(&engine).expect("state"), expected, "the hook's own writes");
    assert_eq!(state::state_get_key(&engine, "b").expect("an empty value").as_deref(), Some(""));
    assert_eq!(state::state_get_key(&engine, "gone").expect("deleted"), None);
    let report = finish(&engine, true);
    assert_eq!(report.state.unit_state, expected);
    assert_eq!(crate::support::argvs(&report, "state-set"), [v(&["--file", "-"])], "values go on stdin");
    assert_eq!(crate::support::argvs(&report, "state-get")[1], v(&["--format=json", "--strict", "a"]));
}

#[test]
pub(crate) fn an_empty_state_is_an_empty_map() {
    // Juju prints an empty state as JSON `null` (§1.4's typed-nil map).
    let engine = hook(State::default(), "install");
    assert_eq!(engine.run("state-get", &["--format=json"], None).stdout, b"null\n");
    assert!(state::state_get(&engine).expect("state").is_empty());
    assert_eq!(state::state_get_key(&engine, "k").expect("absent"), None);
    for bad in ["", "-", "-k"] {
        assert_invalid_input(&err(state::state_get_key(&engine, bad)), &format!("state key {bad:?}"));
    }
    assert_eq!(finish(&engine, true).calls_of("state-get").len(), 3);
}

#[test]
pub(crate) fn a_failed_hook_keeps_the_old_state() {
    let engine = hook(stored(), "update-status");
    state::state_set(&engine, &bag(&[("a", "changed"), ("new", "v")])).expect("set");
    state::state_delete(&engine, "b").expect("deleted");
    let report = finish(&engine, false);
    assert_eq!(report.state.unit_state, stored().unit_state, "deferred writes are dropped (rule 13)");
}

#[test]
pub(crate) fn juju_limits_are_checked_first() {
    let engine = hook(State::default(), "install");
    let longest_key = "k".repeat(MAX_STATE_KEY_LEN);
    let largest_value = "v".repeat(MAX_STATE_VALUE_LEN);
    state::state_set(&engine, &bag(&[(&longest_key, "x"), ("big", &largest_value)])).expect("at the limits");
    let too_long = "k".repeat(MAX_STATE_KEY_LEN + 1);
    assert_invalid_input(&err(state::state_set(&engine, &bag(&[(&too_long, "x")]))), "state key");
    let too_big = "v".repeat(MAX_STATE_VALUE_LEN + 1);
    assert_invalid_input(&err(state::state_set(&engine, &bag(&[("big", &too_big)]))), "state value for \"big\"");
    assert_invalid_input(&err(state::state_set(&engine, &bag(&[("a=b", "x")]))), "state key \"a=b\"");
    state::state_set(&engine, &bag(&[])).expect("nothing to set runs nothing");
    let report = finish(&engine, true);
    assert_eq!(report.calls_of("state-set").len(), 1);
    assert_eq!(report.state.unit_state, bag(&[(&longest_key, "x"), ("big", &largest_value)]));
}

#[test]
pub(crate) fn the_context_reads_and_writes_unit_state() {
    let engine = hook(stored(), "update-status");
    let ctx = engine.context().expect("a context");
    assert_eq!(ctx.state_get("a").expect("a key").as_deref(), Some("1"));
    assert_eq!(ctx.state_get("nope").expect("absent"), None);
    ctx.state_set([("a", "2"), ("c", "3")]).expect("set");
    ctx.state_delete("gone").expect("deleted");
    drop(ctx);
    let report = finish(&engine, true);
    assert_eq!(report.state.unit_state, bag(&[("a", "2"), ("b", "2"), ("c", "3")]));
    assert_eq!(
        crate::support::argvs(&report, "state-get"),
        [v(&["--format=json", "--strict", "a"]), v(&["--format=json", "--strict", "nope"])]
    );
    assert_eq!(crate::support::argvs(&report, "state-delete"), [v(&["gone"])]);
}
