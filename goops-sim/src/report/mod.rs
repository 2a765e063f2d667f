//! How a run ended and what it did: one [`RunReport`] for the harness (in-process and process
//! mode), the bare [`Engine`](crate::Engine) and the CLI (whose text report is
//! [`RunReport::render`], and whose `--records` file is the report as JSON).

mod render;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::state::{LogRecord, Relation, Secret, State, StatusRecord};

/// How long the input's records were, so a report shows only this run's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Marks {
    pub(crate) logs: usize,
    pub(crate) unit_statuses: usize,
    pub(crate) app_statuses: usize,
}

/// How a run ended, as Juju sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// The hook or action ran to completion and its changes were committed.
    Completed,
    /// The charm has no handler for this hook: skipped, as Juju does.
    Skipped,
    /// The hook handler returned an error (logged at ERROR; exit 1, changes rolled back).
    HookFailed(String),
    /// The charm panicked (logged; exit 1, changes rolled back).
    Panicked(String),
    /// The action failed with this message (`action-fail`).
    ActionFailed(String),
    /// The hook exited 0 but Juju's controller would refuse its changes (e.g. a non-leader
    /// updating an application-owned secret): the hook counts as failed. goops-sim's own word:
    /// Juju reports it as a failed hook.
    CommitRefused(String),
}

/// How the hook process ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Exit {
    /// It exited with this code.
    Code(i32),
    /// A signal killed it (its number; 0 when unknown).
    Signalled(i32),
    /// It ran past the timeout and was killed.
    TimedOut(Duration),
    /// It called `juju-reboot --now` and was killed.
    Rebooted,
    /// No handler for this hook: skipped (success).
    #[default]
    Skipped,
}

impl Exit {
    /// Whether Juju counts this as success (commit).
    pub(crate) fn ok(&self) -> bool {
        matches!(self, Exit::Code(0) | Exit::Skipped)
    }

    /// In words, as a failed hook's message when the charm logged none.
    fn text(&self) -> String {
        match self {
            Exit::Code(code) => format!("exit status {code}"),
            Exit::Skipped => "skipped".to_owned(),
            Exit::Signalled(signal) => format!("killed by {}", crate::runner::signal_name(*signal)),
            Exit::TimedOut(d) => format!("timed out after {}s", d.as_secs_f64()),
            Exit::Rebooted => "killed by juju-reboot --now".to_owned(),
        }
    }
}

impl End {
    /// How a run ended from what Juju sees of a process: its exit, its stdout, the action's
    /// failure and the hook's last ERROR log line (goops-runtime logs a failed hook's error chain,
    /// or the panic, at ERROR as its last word). `logs_from` is where this run's log lines start;
    /// `prefix` is what Juju put before them (`db:1: ` in a relation hook).
    pub(crate) fn of_process(exit: &Exit, stdout: &[u8], state: &State, logs_from: usize, prefix: &str) -> End {
        if *exit == Exit::Skipped || (*exit == Exit::Code(0) && stdout.starts_with(b"goops: no handler for hook")) {
            return End::Skipped;
        }
        if exit.ok() {
            return match state.action.as_ref().and_then(|a| a.failure.clone()) {
                Some(message) => End::ActionFailed(message),
                None => End::Completed,
            };
        }
        let new_logs = state.juju_log.get(logs_from..).unwrap_or_default();
        let last_error = new_logs.iter().rev().find_map(|l| {
            (l.level == "ERROR").then(|| l.message.strip_prefix(prefix).unwrap_or(&l.message).to_owned())
        });
        match last_error {
            Some(message) => match message.strip_prefix("charm code panicked: ") {
                Some(panic) => End::Panicked(panic.to_owned()),
                None => End::HookFailed(message),
            },
            None => End::HookFailed(exit.text()),
        }
    }
}

/// What the running action recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    /// The action's name.
    pub name: String,
    /// Its results (`action-set`, nested by dotted keys; Juju adds `return-code`).
    pub results: serde_json::Map<String, serde_json::Value>,
    /// Its `action-log` messages.
    pub logs: Vec<String>,
    /// Its failure message, if it failed.
    pub failure: Option<String>,
    /// `completed` or `failed`.
    pub status: String,
}

impl ActionRecord {
    /// A result as text (`None` when absent or not a string); `a.b` reads a nested result.
    pub fn result(&self, key: &str) -> Option<&str> {
        let (parents, last) = match key.rsplit_once('.') {
            Some((parents, last)) => (Some(parents), last),
            None => (None, key),
        };
        let mut map = &self.results;
        for part in parents.into_iter().flat_map(|p| p.split('.')) {
            map = map.get(part)?.as_object()?;
        }
        map.get(last)?.as_str()
    }
}

/// One hook-tool call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The tool.
    pub tool: String,
    /// Its arguments (never secret content: that travels in files).
    pub args: Vec<String>,
    /// Its exit code.
    pub code: i32,
    /// What it printed on stderr, with secret content redacted (empty when nothing).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stderr: String,
}

/// The result of one run: how it ended, the new state, and what the hook did.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// How the run ended.
    pub end: End,
    /// The new state (the input's records plus this run's). Not in the JSON: `goops-sim run`
    /// writes it to `--out`.
    #[serde(skip)]
    pub state: State,
    /// Whether the hook's pending writes were committed.
    pub committed: bool,
    /// This run's `juju-log` lines, in order.
    pub logs: Vec<LogRecord>,
    /// The unit statuses this run set, in order (the last is `state.unit_status`).
    pub unit_statuses: Vec<StatusRecord>,
    /// The application statuses this run set, in order.
    pub app_statuses: Vec<StatusRecord>,
    /// The action's record, when the event was an action.
    pub action: Option<ActionRecord>,
    /// Every hook-tool call, in order.
    pub tool_calls: Vec<ToolCall>,
    /// The hook (or action) name.
    pub(crate) hook: String,
    /// How the process ended (in-process: the exit code the runtime returned).
    #[serde(skip)]
    pub(crate) exit: Exit,
    /// The process's stdout and stderr (empty in-process).
    #[serde(skip)]
    pub(crate) stdout: Vec<u8>,
    /// In the records file as text (lossy UTF-8), when not empty: a process-mode caller (the
    /// model) shows why a hook that logged nothing failed, as Juju's debug-log shows the
    /// charm's stderr.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "lossy_text")]
    pub(crate) stderr: Vec<u8>,
}

/// Bytes written as (lossy) UTF-8 text and read back as its bytes.
mod lossy_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}

impl RunReport {
    /// The report of a run that ended with `end` and left `state`; `marks` say where this run's
    /// records start in it.
    pub(crate) fn new(end: End, state: State, committed: bool, marks: Marks, tool_calls: Vec<ToolCall>) -> RunReport {
        let logs = state.juju_log.get(marks.logs..).unwrap_or_default().to_vec();
        let set = |before: usize, after: &[StatusRecord], current: &StatusRecord| {
            // Each status-set pushes the previous status on the history.
            let new = after.get(before..).unwrap_or_default();
            let mut set: Vec<StatusRecord> = new.iter().skip(1).cloned().collect();
            if !new.is_empty() {
                set.push(current.clone());
            }
            set
        };
        let unit_statuses = set(marks.unit_statuses, &state.unit_status_history, &state.unit_status);
        let app_statuses = set(marks.app_statuses, &state.app_status_history, &state.app_status);
        let action = state.action.as_ref().map(|a| ActionRecord {
            name: a.name.clone(),
            results: a.results.clone(),
            logs: a.logs.clone(),
            failure: a.failure.clone(),
            status: a.status.clone(),
        });
        RunReport {
            end,
            state,
            committed,
            logs,
            unit_statuses,
            app_statuses,
            action,
            tool_calls,
            hook: String::new(),
            exit: Exit::default(),
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }

    /// The messages of this run's `juju-log` lines.
    pub fn log_messages(&self) -> Vec<&str> {
        self.logs.iter().map(|l| l.message.as_str()).collect()
    }

    /// The messages of this run's `juju-log` lines at `level` (`INFO`, `ERROR`, …).
    pub fn logs_at(&self, level: &str) -> Vec<&str> {
        self.logs.iter().filter(|l| l.level == level).map(|l| l.message.as_str()).collect()
    }

    /// The secret the charm owns under `label` in the new state.
    pub fn secret_by_label(&self, label: &str) -> Option<&Secret> {
        self.state.secrets.iter().find(|s| s.label.as_deref() == Some(label))
    }

    /// The new state's relation `id`.
    pub fn relation(&self, id: u32) -> Option<&Relation> {
        self.state.relation(id)
    }

    /// The arguments of every call of `tool`.
    pub fn calls_of(&self, tool: &str) -> Vec<&[String]> {
        self.tool_calls.iter().filter(|c| c.tool == tool).map(|c| c.args.as_slice()).collect()
    }

    /// As pretty JSON (without the state), for `goops-sim run --records`.
    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl std::fmt::Debug for RunReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Assertion failures print reports: secret content must not appear there.
        let mut state = self.state.clone();
        for secret in &mut state.secrets {
            for revision in &mut secret.revisions {
                for value in revision.content.values_mut() {
                    *value = "[REDACTED]".to_owned();
                }
            }
        }
        f.debug_struct("RunReport")
            .field("end", &self.end)
            .field("committed", &self.committed)
            .field("logs", &self.logs)
            .field("unit_statuses", &self.unit_statuses)
            .field("app_statuses", &self.app_statuses)
            .field("action", &self.action)
            .field("tool_calls", &self.tool_calls)
            .field("state", &state)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_action_results_read_by_dotted_keys() {
        let record = ActionRecord {
            name: "a".into(),
            results: serde_json::json!({"top": "1", "nested": {"key": "2", "deeper": {"k": "3"}}, "n": 4})
                .as_object()
                .unwrap()
                .clone(),
            logs: vec![],
            failure: None,
            status: "completed".into(),
        };
        assert_eq!(record.result("top"), Some("1"));
        assert_eq!(record.result("nested.key"), Some("2"));
        assert_eq!(record.result("nested.deeper.k"), Some("3"));
        assert_eq!(record.result("nested"), None);
        assert_eq!(record.result("n"), None);
        assert_eq!(record.result("top.x"), None);
        assert_eq!(record.result("missing"), None);
    }

    #[test]
    fn a_process_ends_as_juju_sees_it() {
        let mut state = State::default();
        let end = |exit: Exit, stdout: &[u8], state: &State| End::of_process(&exit, stdout, state, 0, "db:1: ");
        assert_eq!(end(Exit::Skipped, b"", &state), End::Skipped);
        assert_eq!(end(Exit::Code(0), b"goops: no handler for hook x\n", &state), End::Skipped);
        assert_eq!(end(Exit::Code(0), b"", &state), End::Completed);
        assert_eq!(end(Exit::Code(3), b"", &state), End::HookFailed("exit status 3".into()));
        state.juju_log.push(LogRecord { level: "ERROR".into(), message: "db:1: broken".into() });
        assert_eq!(end(Exit::Code(1), b"", &state), End::HookFailed("broken".into()));
        state.juju_log.push(LogRecord { level: "ERROR".into(), message: "charm code panicked: boom".into() });
        assert_eq!(end(Exit::Signalled(6), b"", &state), End::Panicked("boom".into()));
        let fresh = State::default();
        assert_eq!(end(Exit::Signalled(11), b"", &fresh), End::HookFailed("killed by SIGSEGV".into()));
        assert_eq!(
            End::of_process(&Exit::Rebooted, b"", &state, 2, ""),
            End::HookFailed("killed by juju-reboot --now".into())
        );
    }
}
