//! The CLI's short human-readable report of one run: outcome, status, logs, and what changed.

use std::fmt::Write as _;

use super::{End, Exit, RunReport};
use crate::state::{Bag, State, StatusRecord};

fn status_line(status: &StatusRecord) -> String {
    if status.message.is_empty() {
        status.status.to_string()
    } else {
        format!("{} ({:?})", status.status, status.message)
    }
}

/// Longest databag value the report prints whole; longer ones (certificates, JSON blobs) are
/// cut so the report stays a short read. The state file has the full value.
const VALUE_PREVIEW: usize = 100;

fn preview(value: &str) -> String {
    if value.chars().count() <= VALUE_PREVIEW {
        return format!("{value:?}");
    }
    let head: String = value.chars().take(VALUE_PREVIEW).collect();
    format!("{head:?}… ({} bytes)", value.len())
}

fn bag_diff(out: &mut String, what: &str, before: &Bag, after: &Bag) {
    for (k, v) in after {
        match before.get(k) {
            None => {
                let _ = writeln!(out, "  {what}: +{k}={}", preview(v));
            }
            Some(old) if old != v => {
                let _ = writeln!(out, "  {what}: {k}={} -> {}", preview(old), preview(v));
            }
            _ => {}
        }
    }
    for k in before.keys().filter(|k| !after.contains_key(*k)) {
        let _ = writeln!(out, "  {what}: -{k}");
    }
}

impl RunReport {
    /// The report `goops-sim run` prints on stderr, comparing against the input state. `lost`
    /// says why the new state was not saved (then nothing is claimed committed).
    pub(crate) fn render(&self, before: &State, lost: Option<&str>) -> String {
        render(before, self, lost)
    }
}

fn render(before: &State, outcome: &RunReport, lost: Option<&str>) -> String {
    let after = &outcome.state;
    let mut out = String::new();
    let exit = match &outcome.exit {
        Exit::Code(c) => format!("exit {c}"),
        Exit::Signalled(signal) => format!("killed by {}", crate::runner::signal_name(*signal)),
        Exit::TimedOut(d) => format!("timed out after {}s and was killed", d.as_secs_f64()),
        Exit::Rebooted => "killed by juju-reboot --now (will re-run after the reboot)".to_owned(),
        Exit::Skipped => "no handler: skipped".to_owned(),
    };
    let verdict = match (&outcome.end, outcome.committed) {
        _ if lost.is_some() => format!("changes lost: {}", lost.unwrap_or_default()),
        (End::CommitRefused(error), _) => format!("the hook's changes were refused at commit: {error}"),
        (_, true) => "changes committed".to_owned(),
        (_, false) => "changes rolled back".to_owned(),
    };
    let _ = writeln!(out, "{} on {}: {exit}; {verdict}", outcome.hook, after.unit);
    let _ = writeln!(out, "unit status: {}", status_line(&after.unit_status));
    if after.app_status != before.app_status {
        let _ = writeln!(out, "app status: {}", status_line(&after.app_status));
    }
    if after.workload_version != before.workload_version {
        let _ = writeln!(out, "workload version: {:?}", after.workload_version);
    }
    let new_logs = &after.juju_log[before.juju_log.len().min(after.juju_log.len())..];
    if !new_logs.is_empty() {
        let _ = writeln!(out, "log:");
        for record in new_logs {
            let _ = writeln!(out, "  {} {}", record.level, record.message);
        }
    }
    if let Some(action) = &after.action {
        let _ = writeln!(out, "action {} ({}): {}", action.name, action.id, action.status);
        if let Some(failure) = &action.failure {
            let _ = writeln!(out, "  failure: {failure}");
        }
        for line in &action.logs {
            let _ = writeln!(out, "  log: {line}");
        }
        if !action.results.is_empty() {
            let results = serde_json::Value::Object(action.results.clone());
            let _ = writeln!(out, "  results: {results}");
        }
    }
    let mut changes = String::new();
    for relation in &after.relations {
        let name = format!("relation {}:{}", relation.endpoint, relation.id);
        match before.relation(relation.id) {
            Some(old) => {
                bag_diff(&mut changes, &format!("{name} unit data"), &old.local_unit_data, &relation.local_unit_data);
                bag_diff(&mut changes, &format!("{name} app data"), &old.local_app_data, &relation.local_app_data);
                for unit in old.remote_units.keys().filter(|u| !relation.remote_units.contains_key(*u)) {
                    let _ = writeln!(changes, "  {name}: {unit} departed");
                }
            }
            None => {
                let _ = writeln!(changes, "  {name}: new");
            }
        }
    }
    for relation in before.relations.iter().filter(|r| after.relation(r.id).is_none()) {
        let _ = writeln!(changes, "  relation {}:{}: removed", relation.endpoint, relation.id);
    }
    bag_diff(&mut changes, "unit state", &before.unit_state, &after.unit_state);
    if before.opened_ports != after.opened_ports {
        let ports: Vec<String> = after.opened_ports.iter().map(ToString::to_string).collect();
        let _ = writeln!(changes, "  opened ports: [{}]", ports.join(", "));
    }
    for secret in &after.secrets {
        match before.secret(&secret.id) {
            None => {
                let _ = writeln!(
                    changes,
                    "  secret {} added (label {:?})",
                    secret.id,
                    secret.label.as_deref().unwrap_or("")
                );
            }
            Some(old) if old != secret => {
                let mut what = Vec::new();
                if old.latest() != secret.latest() {
                    what.push(format!("revision {} -> {}", old.latest(), secret.latest()));
                }
                if old.tracked != secret.tracked {
                    what.push(format!("tracking revision {}", secret.tracked.unwrap_or(0)));
                }
                if old.grants != secret.grants {
                    let grants: Vec<String> =
                        secret.grants.iter().map(|g| format!("{} on relation {}", g.target, g.relation_id)).collect();
                    what.push(format!("granted to [{}]", grants.join(", ")));
                }
                if old.label != secret.label || old.consumer_label != secret.consumer_label {
                    what.push("label changed".to_owned());
                }
                if what.is_empty() {
                    what.push("metadata changed".to_owned());
                }
                let _ = writeln!(changes, "  secret {}: {}", secret.id, what.join("; "));
            }
            _ => {}
        }
    }
    for secret in before.secrets.iter().filter(|s| after.secret(&s.id).is_none()) {
        let _ = writeln!(changes, "  secret {} removed", secret.id);
    }
    if before.storage_requests != after.storage_requests {
        let _ = writeln!(changes, "  storage requested: {:?}", after.storage_requests);
    }
    if before.reboot != after.reboot && after.reboot.is_some() {
        let _ = writeln!(changes, "  reboot requested");
    }
    if !changes.is_empty() {
        let _ = writeln!(out, "changes:");
        out.push_str(&changes);
    }
    // Juju logs a hook's stdout at DEBUG and its stderr at WARNING; show their tails.
    let is_action = after.action.is_some();
    for (name, bytes) in [("stdout", &outcome.stdout), ("stderr", &outcome.stderr)] {
        if bytes.is_empty() || (is_action && name == "stdout") {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = text.lines().collect();
        let shown = &lines[lines.len().saturating_sub(20)..];
        let _ = writeln!(out, "{name} (last {} of {} lines):", shown.len(), lines.len());
        for line in shown {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;
    use crate::{CharmMeta, EventOptions};

    fn outcome(before: &State, event: &str, tools: &[(&str, &[&str])], exit: Exit) -> RunReport {
        let mut session =
            Session::for_event(before.clone(), CharmMeta::default(), event, &EventOptions::default()).unwrap();
        for (tool, args) in tools {
            let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
            crate::tools::run(&mut session, tool, &args, None);
        }
        let ok = exit.ok();
        session.finish(ok).report(exit, Vec::new(), b"warning: x\n".to_vec(), None)
    }

    #[test]
    fn reports_outcome_status_logs_and_changes() {
        let before = State::from_json(r#"{"unit": "demo/0", "leader": true}"#).unwrap();
        let run = outcome(
            &before,
            "install",
            &[("status-set", &["active", "ready"]), ("juju-log", &["hello"]), ("state-set", &["k=v"])],
            Exit::Code(0),
        );
        let text = run.render(&before, None);
        assert!(text.starts_with("install on demo/0: exit 0; changes committed\n"), "{text}");
        assert!(text.contains("unit status: active (\"ready\")\n"), "{text}");
        assert!(text.contains("log:\n  INFO hello\n"), "{text}");
        assert!(text.contains("changes:\n  unit state: +k=\"v\"\n"), "{text}");
        assert!(text.contains("stderr (last 1 of 1 lines):\n  warning: x\n"), "{text}");
    }

    #[test]
    fn long_values_are_cut_in_the_report() {
        let long = "x".repeat(VALUE_PREVIEW + 1);
        let mut out = String::new();
        let before = Bag::new();
        let after: Bag = [("cert".to_owned(), long)].into();
        bag_diff(&mut out, "relation db:1 app data", &before, &after);
        assert_eq!(
            out,
            format!("  relation db:1 app data: +cert={:?}… ({} bytes)\n", "x".repeat(VALUE_PREVIEW), VALUE_PREVIEW + 1)
        );
        let mut out = String::new();
        bag_diff(&mut out, "d", &after, &before);
        assert_eq!(out, "  d: -cert\n");
    }

    #[test]
    fn reports_a_rollback() {
        let before = State::default();
        let run = outcome(&before, "install", &[("state-set", &["k=v"])], Exit::Code(3));
        let text = run.render(&before, None);
        assert!(text.starts_with("install on app/0: exit 3; changes rolled back\n"), "{text}");
        assert!(!text.contains("changes:"), "{text}");
    }
}
