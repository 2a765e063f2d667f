//! `add-metric` (docs/hook-tools.md §4.2): metered charms record metrics in `collect-metrics`.

use goops_runtime::hookcmds::metric;
use goops_sim::{Engine, State};
use goops_tests::TempDir;

use crate::Coverage;
use crate::support::{Kind, assert_juju_error, err, finish, hook};

pub(crate) const COVERAGE: Coverage = &[(
    "add_metric",
    &[declared_metrics_are_recorded_with_their_labels, metrics_juju_refuses, metrics_only_in_collect_metrics],
)];

/// A charm directory declaring one metric, and the `event` hook run in it.
fn metered(event: &str) -> (TempDir, Engine) {
    let dir = TempDir::new("metered-charm");
    std::fs::write(
        dir.path().join("metrics.yaml"),
        "metrics:\n  requests:\n    type: absolute\n    description: served\n",
    )
    .expect("write metrics.yaml");
    let engine = hook(State::default(), event).with_charm_dir(dir.path());
    (dir, engine)
}

#[test]
pub(crate) fn declared_metrics_are_recorded_with_their_labels() {
    let (_dir, engine) = metered("collect-metrics");
    metric::add_metric(&engine, &[("requests", "42")], &[("route", "/api"), ("code", "200")]).expect("recorded");
    let report = finish(&engine, true);
    assert_eq!(
        crate::support::argvs(&report, "add-metric"),
        [crate::support::v(&["--labels=route=/api,code=200", "--", "requests=42"])]
    );
    let recorded = &report.state.metrics;
    assert_eq!(recorded.len(), 1);
    assert_eq!((recorded[0].key.as_str(), recorded[0].value.as_str()), ("requests", "42"));
    assert_eq!(recorded[0].labels.get("route").map(String::as_str), Some("/api"));
}

#[test]
pub(crate) fn metrics_juju_refuses() {
    let (_dir, engine) = metered("collect-metrics");
    let error = err(metric::add_metric(&engine, &[("visits", "1")], &[]));
    assert_juju_error(
        &error,
        Kind::ToolFailed(1),
        "add-metric",
        "cannot record metric: metric key \"visits\" not declared by the charm",
    );
    let error = err(metric::add_metric(&engine, &[("requests", "-3")], &[]));
    assert_juju_error(
        &error,
        Kind::ToolFailed(1),
        "add-metric",
        "cannot record metric: invalid value: value must be greater or equal to zero, got -3",
    );
    let error = err(metric::add_metric(&engine, &[("juju-units", "1")], &[]));
    assert_juju_error(&error, Kind::ToolFailed(1), "add-metric", "juju-units uses a reserved prefix");
    // What Juju would read back differently is refused before the tool runs.
    assert!(matches!(err(metric::add_metric(&engine, &[], &[])), goops_runtime::Error::InvalidInput { .. }));
    assert!(matches!(
        err(metric::add_metric(&engine, &[("requests", "1")], &[("a", "x,y")])),
        goops_runtime::Error::InvalidInput { .. }
    ));
    assert!(finish(&engine, true).state.metrics.is_empty());
}

#[test]
pub(crate) fn metrics_only_in_collect_metrics() {
    let (_dir, engine) = metered("update-status");
    let error = err(metric::add_metric(&engine, &[("requests", "1")], &[]));
    assert_juju_error(
        &error,
        Kind::ToolFailed(1),
        "add-metric",
        "cannot record metric: metrics not allowed in this context",
    );
    assert!(finish(&engine, true).state.metrics.is_empty());
}
