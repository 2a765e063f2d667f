//! `add-metric`: a metered charm records metrics in its `collect-metrics` hook (Juju 3.x; the
//! metrics must be declared in the charm's metrics.yaml).

use super::{args, run};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// `add-metric [--labels=K=V,...] -- KEY=VALUE...`: record `metrics` (name, non-negative number
/// as text), each with `labels`. Juju accepts this only in the `collect-metrics` hook.
pub fn add_metric(tools: &dyn HookTools, metrics: &[(&str, &str)], labels: &[(&str, &str)]) -> Result<()> {
    if metrics.is_empty() {
        return Err(Error::invalid("metrics", "at least one metric is needed"));
    }
    // Juju splits each argument at its first `=` and trims both sides, and splits the labels
    // at `,`: refuse what would be read back differently.
    let mut argv = Vec::with_capacity(metrics.len() + 2);
    if !labels.is_empty() {
        for (key, value) in labels {
            check_pair("label", key, value, &['=', ','])?;
        }
        let joined: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        argv.push(format!("--labels={}", joined.join(",")));
    }
    argv.push("--".to_owned());
    for (key, value) in metrics {
        check_pair("metric", key, value, &['='])?;
        argv.push(format!("{key}={value}"));
    }
    run(tools, "add-metric", &args(argv), None).map(drop)
}

fn check_pair(what: &str, key: &str, value: &str, forbidden_in_key: &[char]) -> Result<()> {
    if key.trim().is_empty() || key.trim() != key || key.contains(forbidden_in_key) {
        return Err(Error::invalid(format!("{what} name {key:?}"), "expected a non-empty name without '=' or ','"));
    }
    if value.trim().is_empty() || value.trim() != value || (what == "label" && value.contains(',')) {
        return Err(Error::invalid(
            format!("{what} value for {key:?}"),
            "expected a non-empty value without surrounding spaces",
        ));
    }
    Ok(())
}
