//! `goal-state` (docs/hook-tools.md §4.2). It documents no failure of its own.

use chrono::{TimeZone as _, Utc};
use goops_runtime::hookcmds::goal_state;
use goops_sim::State;
use goops_sim::state::{GoalState, GoalStatus, Relation, StatusName, StatusRecord};

use crate::Coverage;
use crate::support::{finish, hook, v};

pub(crate) const COVERAGE: Coverage = &[(
    "goal_state",
    &[
        the_goal_state_comes_back_with_its_times,
        without_a_goal_state_it_follows_the_relations,
        the_context_reads_the_goal_state_once,
    ],
)];

#[test]
pub(crate) fn the_goal_state_comes_back_with_its_times() {
    let at = |h: u32| Some(Utc.with_ymd_and_hms(2024, 1, 2, h, 4, 5).single().expect("a time"));
    let status = |s: &str, since| GoalStatus { status: s.to_owned(), since };
    let goal = GoalState {
        units: [("app/0".to_owned(), status("active", at(3))), ("app/1".to_owned(), status("dying", at(4)))].into(),
        relations: [(
            "db".to_owned(),
            [("pg".to_owned(), status("joined", at(5))), ("pg/0".to_owned(), status("active", at(6)))].into(),
        )]
        .into(),
    };
    let engine = hook(State { goal_state: Some(goal), ..State::default() }, "update-status");
    let got = goal_state::goal_state(&engine).expect("goal state");
    assert_eq!(got.units.keys().collect::<Vec<_>>(), ["app/0", "app/1"]);
    // Juju prints `since` as `YYYY-MM-DD HH:MM:SSZ` (cmd/juju/common FormatTime).
    assert_eq!(got.units["app/0"].status, "active");
    assert_eq!(got.units["app/0"].since.as_deref(), Some("2024-01-02 03:04:05Z"));
    assert_eq!(got.units["app/1"].since_time(), at(4));
    assert_eq!(got.planned_units(), 1, "the dying unit is not planned");
    assert_eq!(got.relations.keys().collect::<Vec<_>>(), ["db"]);
    assert_eq!(got.relations["db"]["pg"].status, "joined");
    assert_eq!(got.relations["db"]["pg/0"].since_time(), at(6));
    let report = finish(&engine, true);
    assert_eq!(crate::support::argvs(&report, "goal-state"), [v(&["--format=json"])]);
}

#[test]
pub(crate) fn without_a_goal_state_it_follows_the_relations() {
    let state = State {
        unit_status: StatusRecord { status: StatusName::Maintenance, ..StatusRecord::default() },
        relations: vec![
            Relation {
                id: 1,
                endpoint: "peers".into(),
                remote_units: [("app/1".to_owned(), Default::default())].into(),
                ..Relation::default()
            },
            Relation {
                id: 3,
                endpoint: "db".into(),
                remote_app: "pg".into(),
                remote_units: [("pg/0".to_owned(), Default::default()), ("pg/1".to_owned(), Default::default())].into(),
                ..Relation::default()
            },
        ],
        ..State::default()
    };
    let engine = hook(state, "update-status");
    let got = goal_state::goal_state(&engine).expect("goal state");
    assert_eq!(got.units.keys().collect::<Vec<_>>(), ["app/0", "app/1"], "this unit and its peers");
    assert_eq!(got.units["app/0"].status, "maintenance");
    assert_eq!(got.planned_units(), 2);
    assert_eq!(got.relations.keys().collect::<Vec<_>>(), ["db"], "peer relations are not listed");
    assert_eq!(got.relations["db"].keys().collect::<Vec<_>>(), ["pg", "pg/0", "pg/1"]);
    assert_eq!(got.relations["db"]["pg"].status, "joined");
    assert!(got.units.values().all(|u| u.since_time().is_some()), "since parses");
    finish(&engine, true);
}

#[test]
pub(crate) fn the_context_reads_the_goal_state_once() {
    // Juju asks the controller on every goal-state call (§1.5); the Context keeps the first
    // answer for the dispatch.
    let engine = hook(State::default(), "update-status");
    let ctx = engine.context().expect("a context");
    for _ in 0..2 {
        assert_eq!(ctx.goal_state().expect("goal state").units.keys().collect::<Vec<_>>(), ["app/0"]);
    }
    drop(ctx);
    assert_eq!(finish(&engine, true).calls_of("goal-state").len(), 1);
}
