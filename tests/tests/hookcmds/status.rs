//! `status-get`, `status-set` (docs/hook-tools.md §4.2, rules 16 and 17).

use goops_runtime::hookcmds::status;
use goops_runtime::{Status, StatusName};
use goops_sim::State;
use goops_sim::state::{Relation, StatusRecord};
use serde_json::json;

use crate::Coverage;
use crate::support::{Kind, assert_juju_error, err, finish, hook, v};

pub(crate) const COVERAGE: Coverage = &[
    ("status_get", &[the_unit_status_is_set_at_once_and_read_back, the_context_sets_and_reads_statuses]),
    ("status_get_app", &[the_leader_sets_and_reads_the_app_status, only_the_leader_touches_the_app_status]),
    ("status_set", &[the_unit_status_is_set_at_once_and_read_back, the_context_sets_and_reads_statuses]),
    ("status_set_app", &[the_leader_sets_and_reads_the_app_status, only_the_leader_touches_the_app_status]),
];

#[test]
pub(crate) fn the_unit_status_is_set_at_once_and_read_back() {
    let state = State {
        unit_status: StatusRecord {
            status: StatusName::Blocked,
            message: "needs a database".into(),
            data: [("attempts".to_owned(), json!(3))].into(),
            since: None,
        },
        ..State::default()
    };
    let engine = hook(state, "install");
    let before = status::status_get(&engine).expect("status");
    assert_eq!((before.status, before.message.as_str()), (StatusName::Blocked, "needs a database"));
    assert_eq!(before.data["attempts"], json!(3));
    status::status_set(&engine, &Status::maintenance("installing")).expect("set");
    // A message that starts with a dash is not an option.
    status::status_set(&engine, &Status::waiting("--waiting for the db")).expect("set");
    let now = status::status_get(&engine).expect("status");
    assert_eq!((now.status, now.message.as_str()), (StatusName::Waiting, "--waiting for the db"));
    assert!(now.data.is_empty());
    // Immediate (rule 13): the statuses stand even though the hook fails.
    let report = finish(&engine, false);
    let set: Vec<(StatusName, &str)> = report.unit_statuses.iter().map(|s| (s.status, s.message.as_str())).collect();
    assert_eq!(set, [(StatusName::Maintenance, "installing"), (StatusName::Waiting, "--waiting for the db")]);
    assert_eq!(report.state.unit_status.status, StatusName::Waiting);
    assert_eq!(
        crate::support::argvs(&report, "status-set"),
        [v(&["maintenance", "--", "installing"]), v(&["waiting", "--", "--waiting for the db"])]
    );
    assert_eq!(crate::support::argvs(&report, "status-get")[0], v(&["--include-data", "--format=json"]));
}

#[test]
pub(crate) fn the_leader_sets_and_reads_the_app_status() {
    let state = State {
        leader: true,
        unit_status: StatusRecord { status: StatusName::Active, message: "ready".into(), ..StatusRecord::default() },
        peer_unit_statuses: [(
            "app/2".to_owned(),
            StatusRecord { status: StatusName::Error, message: "hook failed".into(), ..StatusRecord::default() },
        )]
        .into(),
        relations: vec![Relation {
            id: 1,
            endpoint: "peers".into(),
            remote_units: [("app/1".to_owned(), Default::default())].into(),
            ..Relation::default()
        }],
        ..State::default()
    };
    let engine = hook(state, "leader-elected");
    status::status_set_app(&engine, &Status::blocked("-2 units missing")).expect("set");
    status::status_set_app(&engine, &Status::active()).expect("set");
    let app = status::status_get_app(&engine).expect("app status");
    assert_eq!((app.status.status, app.status.message.as_str()), (StatusName::Active, ""));
    let units: Vec<(&str, StatusName, &str)> =
        app.units.iter().map(|(name, s)| (name.as_str(), s.status, s.message.as_str())).collect();
    assert_eq!(
        units,
        [
            ("app/0", StatusName::Active, "ready"),
            ("app/1", StatusName::Unknown, ""),
            ("app/2", StatusName::Error, "hook failed"),
        ]
    );
    let report = finish(&engine, true);
    let set: Vec<(StatusName, &str)> = report.app_statuses.iter().map(|s| (s.status, s.message.as_str())).collect();
    assert_eq!(set, [(StatusName::Blocked, "-2 units missing"), (StatusName::Active, "")]);
    assert_eq!(crate::support::argvs(&report, "status-set")[1], v(&["--application", "active", "--", ""]));
}

#[test]
pub(crate) fn only_the_leader_touches_the_app_status() {
    let engine = hook(State::default(), "install");
    let error = err(status::status_set_app(&engine, &Status::active()));
    assert_juju_error(&error, Kind::NotLeader, "status-set", "this unit is not the leader");
    let error = err(status::status_get_app(&engine));
    assert_juju_error(&error, Kind::NotLeader, "status-get", "finding application status: this unit is not the leader");
    let report = finish(&engine, true);
    assert!(report.app_statuses.is_empty());
}

#[test]
pub(crate) fn the_context_sets_and_reads_statuses() {
    let engine = hook(State { leader: true, ..State::default() }, "install");
    let ctx = engine.context().expect("a context");
    ctx.set_unit_status(Status::maintenance("installing")).expect("set");
    ctx.set_app_status(Status::blocked("-needs a database")).expect("set");
    let unit = ctx.unit_status().expect("unit status");
    assert_eq!((unit.status, unit.message.as_str()), (StatusName::Maintenance, "installing"));
    let app = ctx.app_status().expect("app status");
    assert_eq!((app.status.status, app.status.message.as_str()), (StatusName::Blocked, "-needs a database"));
    assert_eq!(app.units["app/0"].status, StatusName::Maintenance);
    drop(ctx);
    let report = finish(&engine, true);
    assert_eq!(
        (report.state.unit_status.status, report.state.app_status.status),
        (StatusName::Maintenance, StatusName::Blocked)
    );
    assert_eq!(
        crate::support::argvs(&report, "status-set"),
        [v(&["maintenance", "--", "installing"]), v(&["--application", "blocked", "--", "-needs a database"])]
    );
}
