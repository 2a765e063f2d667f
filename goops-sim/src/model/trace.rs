//! The model's trace: every operation a unit ran, how it ended and what it changed, readable
//! as text (`goops-sim model` prints it) and as JSON.

use serde::{Deserialize, Serialize};

use super::controller::Op;

/// How one operation ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Ran and committed.
    Completed,
    /// The charm had no handler (committed as success).
    Skipped,
    /// Failed: writes discarded, the unit in error.
    Failed(String),
    /// The seeded scheduler made it fail after it ran (a transient failure): writes discarded,
    /// retried later.
    InjectedFailure,
    /// An action failed (`action-fail`); its writes are committed as for a hook.
    ActionFailed(String),
}

/// One entry of the trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceEntry {
    /// Position in the trace, from 1.
    pub seq: u64,
    /// The unit that ran it (empty for a model-level note).
    pub unit: String,
    /// What ran (for a note: `hook` is empty).
    pub op: Op,
    /// How it ended.
    pub outcome: Outcome,
    /// What it changed, one short line each (`unit bag: +csr`, `status: active "ready"`,
    /// `secret-add secret:…`); never secret values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
    /// A model-level event recorded between hooks (an operation, or a scheduler choice); such
    /// an entry has an empty `unit` and `op`, and outcome `Completed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<ModelEvent>,
}

// Each variant's fields are named by its doc line.
#[allow(missing_docs)]
/// A model-level event in the trace: an operation the test or CLI asked for, or a choice the
/// controller or the seeded scheduler made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelEvent {
    /// `deploy`: the application and its new units.
    Deploy { app: String, units: Vec<String> },
    /// `add-unit`.
    AddUnit { unit: String },
    /// `remove-unit`: the unit is now dying.
    RemoveUnit { unit: String },
    /// `remove-application`: the application and its units are now dying.
    RemoveApplication { app: String },
    /// A unit finished its teardown and is dead.
    UnitDead { unit: String },
    /// `integrate`: a new relation (`app:endpoint` of each side; one for a peer relation).
    Integrate { id: u32, endpoints: Vec<String> },
    /// `remove-relation`: the relation is now dying.
    RemoveRelation { id: u32 },
    /// A relation is gone (every unit left its scope).
    RelationRemoved { id: u32 },
    /// `config`: the application's config changed.
    Config { app: String },
    /// The lease moved: `unit` holds it now (`None`: nobody, until a unit claims it).
    Leader { app: String, unit: Option<String> },
    /// `upgrade` (refresh): the new charm revision.
    Upgrade { app: String, revision: u32 },
    /// The clock moved to this time (RFC 3339).
    Clock { to: String },
    /// An action was enqueued on a unit.
    ActionQueued { unit: String, name: String, id: String },
    /// A pod restart (Kubernetes): the unit's charm and workload containers restart.
    PodRestart { unit: String },
    /// A workload container restarted (a new Pebble boot).
    ContainerRestart { unit: String, container: String },
}

/// Every entry since the model was created, and the seed it ran with.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Trace {
    /// The seed (`None`: Juju's typical order, deterministic).
    pub seed: Option<u64>,
    /// Entries, oldest first.
    pub entries: Vec<TraceEntry>,
}

impl Trace {
    /// The trace as text, one line per entry (see [`TraceEntry::render`]); the unit and hook
    /// columns are as wide as their widest entry.
    pub fn render(&self) -> String {
        render_entries(&self.entries)
    }

    /// The last `n` entries as text, after a line saying how many were left out: the part of
    /// the trace an error message carries.
    pub fn render_tail(&self, n: usize) -> String {
        let skip = self.entries.len().saturating_sub(n);
        let mut out = String::new();
        if skip > 0 {
            out.push_str(&format!("  ... {skip} earlier entries\n"));
        }
        out.push_str(&render_entries(&self.entries[skip..]));
        out
    }
}

/// Widest unit and hook columns are capped, so one long name does not push every line out.
const UNIT_WIDTH: usize = 24;
const WHAT_WIDTH: usize = 72;

fn render_entries(entries: &[TraceEntry]) -> String {
    let hooks = entries.iter().filter(|e| e.event.is_none());
    let unit_width = hooks.clone().map(|e| e.unit.chars().count()).max().unwrap_or(0).min(UNIT_WIDTH);
    let what_width = hooks.map(|e| what(&e.op).chars().count()).max().unwrap_or(0).min(WHAT_WIDTH);
    let mut out = String::new();
    for entry in entries {
        out.push_str(&entry.render_columns(unit_width, what_width));
        out.push('\n');
    }
    out
}

impl TraceEntry {
    /// The entry as one line: `  12 req/1  certificates-relation-changed (remote ca/0, rel 3)
    /// completed  unit bag: +csr`; a model event as `---- remove-unit req/0`. Text from the
    /// charm (failure messages) has its control characters escaped.
    pub fn render(&self) -> String {
        self.render_columns(0, 0)
    }

    fn render_columns(&self, unit_width: usize, what_width: usize) -> String {
        if let Some(event) = &self.event {
            return format!("{:>4} ---- {}", self.seq, clean(&event.to_string()));
        }
        let mut line =
            format!("{:>4} {:<unit_width$}  {:<what_width$}  {}", self.seq, self.unit, what(&self.op), self.outcome);
        if !self.changes.is_empty() {
            line.push_str("  ");
            line.push_str(&clean(&self.changes.join("; ")));
        }
        line.trim_end().to_owned()
    }
}

/// The hook or action and its context: `db-relation-changed (remote db/0, rel 3)`.
fn what(op: &Op) -> String {
    let mut context = Vec::new();
    if let Some(remote) = &op.remote_unit {
        context.push(format!("remote {remote}"));
    }
    if let Some(departing) = &op.departing_unit {
        context.push(format!("departing {departing}"));
    }
    if let Some(id) = op.relation_id {
        context.push(format!("rel {id}"));
    }
    if let Some(secret) = &op.secret {
        context.push(secret.clone());
    }
    if let Some(revision) = op.secret_revision {
        context.push(format!("rev {revision}"));
    }
    if let Some(storage) = &op.storage {
        context.push(format!("storage {storage}"));
    }
    if let Some(container) = &op.container {
        context.push(format!("container {container}"));
    }
    if let Some(check) = &op.check {
        context.push(format!("check {check}"));
    }
    if let Some((id, kind, key)) = &op.notice {
        context.push(format!("notice {id} {kind} {key}"));
    }
    let name = clean(&op.hook);
    match &op.action {
        Some(action) => {
            // Param names only: values may be secrets.
            let mut text = format!("action {name} (id {}", clean(&action.id));
            if !action.params.is_empty() {
                let keys: Vec<&str> = action.params.keys().map(String::as_str).collect();
                text.push_str(&format!(", params {}", clean(&keys.join(","))));
            }
            text.push(')');
            text
        }
        None if context.is_empty() => name,
        None => format!("{name} ({})", clean(&context.join(", "))),
    }
}

/// One line, control characters escaped: charm text goes to a terminal.
fn clean(text: &str) -> String {
    if text.chars().any(char::is_control) { text.escape_debug().to_string() } else { text.to_owned() }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Completed => f.write_str("completed"),
            Outcome::Skipped => f.write_str("skipped (no handler)"),
            Outcome::Failed(message) => write!(f, "FAILED: {}", clean(message)),
            Outcome::InjectedFailure => f.write_str("failed (injected, will retry)"),
            Outcome::ActionFailed(message) => write!(f, "action failed: {}", clean(message)),
        }
    }
}

impl std::fmt::Display for ModelEvent {
    /// As the operator would type it: `remove-unit req/0`, `integrate 3 ca:certificates
    /// req:certificates`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelEvent::Deploy { app, units } => write!(f, "deploy {app} ({})", units.join(", ")),
            ModelEvent::AddUnit { unit } => write!(f, "add-unit {unit}"),
            ModelEvent::RemoveUnit { unit } => write!(f, "remove-unit {unit}"),
            ModelEvent::RemoveApplication { app } => write!(f, "remove-application {app}"),
            ModelEvent::UnitDead { unit } => write!(f, "{unit} is dead"),
            ModelEvent::Integrate { id, endpoints } => write!(f, "integrate {} (rel {id})", endpoints.join(" ")),
            ModelEvent::RemoveRelation { id } => write!(f, "remove-relation {id}"),
            ModelEvent::RelationRemoved { id } => write!(f, "relation {id} removed"),
            ModelEvent::Config { app } => write!(f, "config {app}"),
            ModelEvent::Leader { app, unit: Some(unit) } => write!(f, "leader of {app}: {unit}"),
            ModelEvent::Leader { app, unit: None } => write!(f, "leader of {app}: none"),
            ModelEvent::Upgrade { app, revision } => write!(f, "refresh {app} (revision {revision})"),
            ModelEvent::Clock { to } => write!(f, "clock {to}"),
            ModelEvent::ActionQueued { unit, name, id } => write!(f, "run {unit} {name} (id {id})"),
            ModelEvent::PodRestart { unit } => write!(f, "pod restart {unit}"),
            ModelEvent::ContainerRestart { unit, container } => write!(f, "container restart {unit} {container}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(seq: u64, unit: &str, op: Op, outcome: Outcome, changes: &[&str]) -> TraceEntry {
        TraceEntry {
            seq,
            unit: unit.into(),
            op,
            outcome,
            changes: changes.iter().map(|c| (*c).to_owned()).collect(),
            event: None,
        }
    }

    fn event(seq: u64, event: ModelEvent) -> TraceEntry {
        TraceEntry {
            seq,
            unit: String::new(),
            op: Op::default(),
            outcome: Outcome::Completed,
            changes: vec![],
            event: Some(event),
        }
    }

    fn trace() -> Trace {
        let changed = Op {
            hook: "certificates-relation-changed".into(),
            relation_id: Some(3),
            remote_unit: Some("ca/0".into()),
            ..Op::default()
        };
        Trace {
            seed: None,
            entries: vec![
                hook(11, "ca/0", Op::hook("install"), Outcome::Completed, &[]),
                hook(12, "req/1", changed, Outcome::Completed, &["unit bag: +csr"]),
                event(13, ModelEvent::RemoveUnit { unit: "req/0".into() }),
                hook(14, "req/0", Op::hook("stop"), Outcome::Failed("boom\n\x1b[31m".into()), &[]),
            ],
        }
    }

    #[test]
    fn one_line_per_entry_with_context_outcome_and_changes() {
        let text = trace().render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[1],
            "  12 req/1  certificates-relation-changed (remote ca/0, rel 3)  completed  unit bag: +csr"
        );
        assert_eq!(lines[2], "  13 ---- remove-unit req/0");
        // Columns line up, and a failure's message is one escaped line.
        assert!(lines[0].starts_with("  11 ca/0   install  "));
        assert_eq!(lines[3], format!("  14 req/0  {:<50}  FAILED: boom\\n\\u{{1b}}[31m", "stop"));
    }

    #[test]
    fn the_tail_says_how_much_it_left_out() {
        let text = trace().render_tail(2);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  ... 2 earlier entries");
        assert!(lines[1].contains("remove-unit req/0"));
        assert!(lines[2].contains("FAILED: boom"));
        assert_eq!(lines.len(), 3);
        assert_eq!(trace().render_tail(10), trace().render());
    }

    #[test]
    fn actions_show_param_names_never_values() {
        let mut params = serde_json::Map::new();
        params.insert("password".into(), serde_json::Value::String("hunter2".into()));
        let op = Op {
            hook: "rotate".into(),
            action: Some(super::super::controller::ActionRequest { id: "7".into(), params }),
            ..Op::default()
        };
        let line = hook(1, "a/0", op, Outcome::ActionFailed("no".into()), &[]).render();
        assert_eq!(line, "   1 a/0  action rotate (id 7, params password)  action failed: no");
        assert!(!line.contains("hunter2"));
    }
}
