//! `add-metric`: metered charms record metrics in their `collect-metrics` hook (Juju 3.x).

use chrono::Utc;

use super::{Call, Formats, Out, ToolDef, ToolResult, fail, parse_key_values, usage};
use crate::flags::FlagSpec;
use crate::session::Session;
use crate::state::MetricRecord;

pub(super) const TOOLS: &[&ToolDef] = &[&ADD_METRIC];

const ADD_METRIC: ToolDef = ToolDef {
    name: "add-metric",
    args: "key1=value1 [key2=value2 ...]",
    purpose: "Add metrics.",
    flags: &[FlagSpec::value(&["l", "labels"], "LABELS", "labels to be associated with metric values")],
    formats: Formats::None,
    run: add_metric,
};

/// Juju's prefix for its own metrics (`charm.IsBuiltinMetric`: `strings.HasPrefix(key, "juju")`).
const BUILTIN_PREFIX: &str = "juju";

/// jujuc/add-metric.go, with the rules of the context it runs in: only the `collect-metrics`
/// hook's context records metrics (`internal/worker/metrics/collect`); every other hook
/// context refuses them. The recorder (`internal/worker/metrics/spool` `validateMetric`)
/// takes only metrics the charm declares in its metrics.yaml, with a non-negative number of at
/// most 30 characters as value.
fn add_metric(session: &mut Session, call: &Call<'_>) -> ToolResult {
    // Init (exit 2).
    if call.args().is_empty() {
        return Err(usage("no metrics specified"));
    }
    let metrics = parse_key_values(call.args(), false).map_err(|e| usage(format!("invalid metrics: {e}")))?;
    let labels: Vec<&str> = match call.parsed.value("labels").filter(|l| !l.is_empty()) {
        Some(labels) => labels.split(',').collect(),
        None => Vec::new(),
    };
    let labels = parse_key_values(&labels, false).map_err(|e| usage(format!("invalid labels: {e}")))?;
    // Run (exit 1).
    let declared = if session.event.hook_kind() == Some(goops_juju::hooks::HookKind::CollectMetrics) {
        Some(declared_metrics(session, call)?)
    } else {
        None
    };
    let now = Utc::now();
    let mut recorded = Vec::new();
    for (key, value) in metrics {
        if key.starts_with(BUILTIN_PREFIX) {
            return Err(fail(format!("{key} uses a reserved prefix")));
        }
        let Some(declared) = &declared else {
            return Err(fail("cannot record metric: metrics not allowed in this context"));
        };
        validate(declared, &key, &value).map_err(|e| fail(format!("cannot record metric: {e}")))?;
        recorded.push(MetricRecord { key, value, time: now, labels: labels.iter().cloned().collect() });
    }
    // Juju's Run records the call's metrics one by one in Go map order (random), so which
    // valid ones an error leaves recorded varies; goops-sim records a call's metrics only when
    // all are valid. Recorded metrics are kept whatever the hook's outcome (the recorder writes
    // them as they come), so they go straight to the state.
    session.state.metrics.extend(recorded);
    crate::state::cap_on_append(&mut session.state.metrics, crate::state::MAX_METRICS);
    Ok(Out::None)
}

/// The metrics the charm declares: the keys of `metrics:` in its metrics.yaml, which the
/// agent reads from the charm directory.
fn declared_metrics(session: &Session, call: &Call<'_>) -> Result<Vec<String>, super::ToolError> {
    // In-process, `tools::run` lends the charm dir to the call as its cwd.
    let charm_dir = if session.charm_dir.as_os_str().is_empty() { call.cwd } else { &session.charm_dir };
    let path = charm_dir.join("metrics.yaml");
    match crate::agent_file::read(&path) {
        Ok(bytes) => crate::format::yaml_read::keys_under(&bytes, "metrics")
            .map_err(|e| fail(format!("cannot read metrics.yaml: {e}"))),
        Err(crate::agent_file::AgentFileError::Open(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(fail(format!("cannot read metrics.yaml: {e}"))),
    }
}

/// spool `validateMetric`.
fn validate(declared: &[String], key: &str, value: &str) -> Result<(), String> {
    if !declared.iter().any(|d| d == key) {
        return Err(format!("metric key {key:?} not declared by the charm"));
    }
    if value.len() > 30 {
        return Err("metric value is too large".to_owned());
    }
    let number: f64 = value.parse().map_err(|_| format!("invalid value type: expected float, got {value:?}"))?;
    if number < 0.0 {
        return Err(format!("invalid value: value must be greater or equal to zero, got {value}"));
    }
    Ok(())
}
