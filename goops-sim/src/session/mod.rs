//! One hook's session: the unit's [`State`] plus this hook's pending writes.
//!
//! Juju buffers relation, unit-state, port, storage and secret writes and commits them only
//! when the hook exits 0; status, workload version, logs, action logs and consumer labels take
//! effect at once (docs/hook-tools.md §1.5). The session mirrors that: `state` holds the
//! committed state plus the immediate changes, [`Pending`] holds everything deferred, and
//! [`Session::finish`] either applies the pending writes or drops them.
//!
//! The session knows nothing of the tools: the tools act on it (`tools::run(&mut session, …)`),
//! and the engine and the runner call them.

mod checks;
mod commit;
mod history;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use goops_juju::RotatePolicy;
use goops_juju::charmcraft::CharmMeta;

pub(crate) use commit::{apply_update, last_revision_error, next_rotation};

use crate::event::{Event, EventOptions};
use crate::report::{End, Exit, Marks, RunReport, ToolCall};
use crate::state::{Bag, OpenedPort, Secret, SecretGrant, State};

/// A metadata or content update to a secret, pending until commit.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct SecretUpdate {
    /// New content (a new revision if it differs from the latest).
    pub(crate) content: Option<crate::state::SecretContent>,
    pub(crate) label: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) expire: Option<DateTime<Utc>>,
    pub(crate) rotate: Option<RotatePolicy>,
}

// Secret values never appear in Debug output: content shows its keys only.
impl std::fmt::Debug for SecretUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = self.content.as_ref().map(|c| c.keys().collect::<Vec<_>>());
        f.debug_struct("SecretUpdate")
            .field("content_keys", &keys)
            .field("label", &self.label)
            .field("description", &self.description)
            .field("expire", &self.expire)
            .field("rotate", &self.rotate)
            .finish()
    }
}

/// Whom a pending `secret-revoke` targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RevokeTarget {
    /// An application: its grant and its units' grants.
    App(String),
    /// One unit.
    Unit(String),
}

impl RevokeTarget {
    /// Whether revoking this target removes `grant`.
    pub(crate) fn covers(&self, grant: &SecretGrant) -> bool {
        match self {
            RevokeTarget::App(app) => goops_juju::unit::app_of(&grant.target).unwrap_or(&grant.target) == app,
            RevokeTarget::Unit(unit) => grant.target == *unit,
        }
    }
}

/// The writes of one hook that Juju commits only if the hook succeeds.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Pending {
    /// New local unit bags by relation id.
    pub(crate) unit_bags: BTreeMap<u32, Bag>,
    /// New local app bags by relation id.
    pub(crate) app_bags: BTreeMap<u32, Bag>,
    pub(crate) unit_state: Option<Bag>,
    pub(crate) ports: Option<Vec<OpenedPort>>,
    /// Storage requested with storage-add: name → count.
    pub(crate) storage_adds: BTreeMap<String, u32>,
    /// Secrets created in this hook.
    pub(crate) secret_creates: Vec<Secret>,
    /// Updates to existing secrets, by bare id.
    pub(crate) secret_updates: BTreeMap<String, SecretUpdate>,
    /// Removals by bare id: `None` = the whole secret, else these revisions.
    pub(crate) secret_removes: BTreeMap<String, Option<BTreeSet<u32>>>,
    /// New grants, by bare id.
    pub(crate) secret_grants: Vec<(String, SecretGrant)>,
    /// Revocations, by bare id.
    pub(crate) secret_revokes: Vec<(String, RevokeTarget)>,
    /// Consumed secrets to re-track to their latest revision (`secret-get --refresh`).
    pub(crate) secret_track_latest: BTreeSet<String>,
    /// Secrets this hook created and then removed (the create is dropped; later removes are no-ops).
    pub(crate) secret_cancelled: BTreeSet<String>,
    /// A reboot request (`juju-reboot` without `--now`).
    pub(crate) reboot: bool,
}

/// The end of a session.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finished {
    /// The new state.
    pub(crate) state: State,
    /// Whether the pending writes were committed.
    pub(crate) committed: bool,
    /// Why committing failed, when the hook exited 0 but Juju would refuse its changes
    /// (e.g. a non-leader updating an application-owned secret): the hook then counts as failed.
    pub(crate) commit_error: Option<String>,
    /// The pending writes that were dropped or committed; on commit the secrets the hook
    /// created move into `state.secrets` (so `secret_creates` is then empty) rather than being copied.
    pub(crate) pending: Pending,
    /// Every tool call, in order.
    pub(crate) tool_calls: Vec<ToolCall>,
    /// The hook (or action) name.
    pub(crate) hook: String,
    /// What Juju puts before this hook's `juju-log` lines (`db:1: ` in a relation hook).
    pub(crate) log_prefix: String,
    pub(crate) marks: Marks,
}

impl Finished {
    /// The report of the run that ended so: `end` when the caller knows it (the in-process
    /// harness has the runtime's own word), else read from the exit and the log as Juju sees
    /// it. A refused commit always ends the run.
    pub(crate) fn report(self, exit: Exit, stdout: Vec<u8>, stderr: Vec<u8>, end: Option<End>) -> RunReport {
        let end = match (&self.commit_error, end) {
            (Some(error), _) => End::CommitRefused(error.clone()),
            (None, Some(end)) => end,
            (None, None) => End::of_process(&exit, &stdout, &self.state, self.marks.logs, &self.log_prefix),
        };
        let mut report = RunReport::new(end, self.state, self.committed, self.marks, self.tool_calls);
        report.hook = self.hook;
        report.exit = exit;
        report.stdout = stdout;
        report.stderr = stderr;
        report
    }
}

/// Why a session cannot be built: the state or the event does not fit the charm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The state is inconsistent.
    #[error("invalid state: {0}")]
    State(String),
    /// The event does not fit the charm or the state.
    #[error("invalid event: {0}")]
    Event(String),
}

/// The process's working directory, asked for once: an in-process session's default charm
/// directory, made on every run.
fn working_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))).clone()
}

/// One hook's view of the unit: its state, the event, and the pending writes.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) state: State,
    pub(crate) pending: Pending,
    pub(crate) event: Event,
    pub(crate) meta: CharmMeta,
    pub(crate) context_id: String,
    /// `JUJU_CHARM_DIR`, and the hook's working directory (the base of relative paths).
    pub(crate) charm_dir: PathBuf,
    /// Once `is-leader` said false it says false for the rest of the hook.
    pub(crate) minion: bool,
    /// Whether the unit was leader when the hook started: Juju loads the owned-secret metadata
    /// (app-owned secrets only for the leader) once per hook.
    pub(crate) metadata_leader: bool,
    /// Remote relation bags read in this hook: (relation id, unit or app) → bag.
    pub(crate) remote_cache: BTreeMap<(u32, String), Bag>,
    pub(crate) tool_calls: Vec<ToolCall>,
    /// Set by `juju-reboot --now`: the runner should kill the hook.
    pub(crate) reboot_now: bool,
    /// How the hook process failed (`exit status 3`, `signal: killed`), for the action message.
    pub(crate) exit_message: Option<String>,
    marks: Marks,
}

impl Session {
    /// A session for `event` (a hook name, `action:<name>`, …; see `Event::parse`) with
    /// `options` on `state`, for a charm with `meta`.
    pub(crate) fn for_event(
        state: State,
        meta: CharmMeta,
        event: &str,
        options: &EventOptions,
    ) -> Result<Session, EngineError> {
        let event = Event::parse(event, &meta, &state, options).map_err(|e| EngineError::Event(e.0))?;
        Session::new(state, meta, event)
    }

    /// A session for a parsed `event`.
    pub(crate) fn new(mut state: State, meta: CharmMeta, event: Event) -> Result<Session, EngineError> {
        // Bound what a long chain of hooks accumulates, before this hook's marks are taken.
        state.trim_histories();
        let marks = Marks {
            logs: state.juju_log.len(),
            unit_statuses: state.unit_status_history.len(),
            app_statuses: state.app_status_history.len(),
        };
        let mut session = Session {
            state,
            pending: Pending::default(),
            event,
            meta,
            context_id: String::new(),
            // In-process sessions default to the test's working directory; the runner sets the charm dir.
            charm_dir: working_dir(),
            minion: false,
            metadata_leader: false,
            remote_cache: BTreeMap::new(),
            tool_calls: Vec::new(),
            reboot_now: false,
            exit_message: None,
            marks,
        };
        session.prepare()?;
        Ok(session)
    }

    /// Check the state against the charm and set up what the event implies.
    fn prepare(&mut self) -> Result<(), EngineError> {
        let Session { state, meta, event, .. } = self;
        state.validate().map_err(EngineError::State)?;
        checks::check_config(state, meta).map_err(EngineError::State)?;
        checks::check_against_meta(state, meta).map_err(EngineError::State)?;
        // Peer relations are marked from the metadata so a state file need not repeat it.
        if !state.relations.is_empty() {
            let app = state.app().to_owned();
            for relation in &mut state.relations {
                if meta.is_peer(&relation.endpoint) {
                    relation.peer = true;
                }
                if relation.peer {
                    relation.remote_app = app.clone();
                }
            }
        }
        if !event.is_action() {
            // Only an action has a running action; a previous action's record does not carry over.
            state.action = None;
        }
        if let Event::Action { name, id, params } = &*event {
            // Params may come from the state file; what a previous run recorded does not carry over.
            let previous = state.action.take().filter(|a| &a.name == name);
            let mut action =
                crate::state::Action { params: previous.map(|a| a.params).unwrap_or_default(), ..Default::default() };
            action.name = name.clone();
            action.id = id.clone();
            for (k, v) in params {
                action.params.insert(k.clone(), v.clone());
            }
            if let Some(spec) = meta.actions.get(name) {
                for (k, v) in spec.defaults() {
                    action.params.entry(k.to_owned()).or_insert_with(|| v.clone());
                }
            }
            action.status = "running".to_owned();
            state.action = Some(action);
        }
        self.context_id = crate::ids::new_context_id(&self.state.unit, &self.event.name());
        self.metadata_leader = self.state.leader;
        Ok(())
    }

    /// The environment variables Juju sets for this hook; `socket` is the agent socket address.
    pub(crate) fn env(&self, socket: &str) -> Vec<(&'static str, String)> {
        let charm_dir = self.charm_dir.to_string_lossy();
        let place = crate::event::Place { charm_dir: &charm_dir, context_id: &self.context_id, socket };
        self.event.env(&self.state, &place)
    }

    /// Record the dispatch process's stdout, stderr and exit code into the action results, as
    /// Juju does after an action runs (rule 44).
    pub(crate) fn record_action_output(&mut self, stdout: &[u8], stderr: &[u8], code: i32) {
        let Some(action) = &mut self.state.action else { return };
        for (key, bytes) in [("stdout", stdout), ("stderr", stderr)] {
            if bytes.is_empty() {
                continue;
            }
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    action.results.insert(key.to_owned(), text.into());
                }
                Err(_) => {
                    action.results.insert(key.to_owned(), crate::b64::encode(bytes).into());
                    action.results.insert(format!("{key}-encoding"), "base64".into());
                }
            }
        }
        action.results.insert("return-code".to_owned(), code.to_string().into());
    }

    /// A tool's stderr as recorded: every secret content value this unit can see (in the state,
    /// and pending in this hook), and its base64 form, replaced by `[REDACTED]`, with the
    /// redaction goops-runtime applies to what it logs. Reports and `--records` files are
    /// printed and kept: a tool that echoed a secret must not leak it there. (Arguments are
    /// recorded as the charm gave them, secret-add/secret-set content excepted: a public
    /// certificate that is also in a secret stays readable in a `relation-set`.)
    pub(crate) fn redact_stderr(&self, stderr: &[u8]) -> String {
        let stderr = String::from_utf8_lossy(stderr).into_owned();
        if stderr.is_empty() {
            return stderr;
        }
        let mut values: Vec<String> = Vec::new();
        let mut add = |bytes: &[u8]| {
            if !bytes.is_empty() {
                values.push(String::from_utf8_lossy(bytes).into_owned());
                values.push(crate::b64::encode(bytes));
            }
        };
        let secrets = self.state.secrets.iter().chain(&self.pending.secret_creates);
        for revision in secrets.flat_map(|s| &s.revisions) {
            for value in revision.content.values() {
                add(value.as_ref());
            }
        }
        for content in self.pending.secret_updates.values().filter_map(|u| u.content.as_ref()) {
            for value in content.values() {
                add(value.as_ref());
            }
        }
        if values.is_empty() {
            return stderr;
        }
        let sensitive: Vec<&str> = values.iter().map(String::as_str).collect();
        match (goops_runtime::Error::ToolFailed { tool: String::new(), code: 1, message: stderr }).redact(&sensitive) {
            goops_runtime::Error::ToolFailed { message, .. } => message,
            _ => String::new(),
        }
    }

    /// Record how the hook process failed, as Go prints a process error (`exit status 3`,
    /// `signal: killed`); a failed action reports it as its message.
    pub(crate) fn set_exit_message(&mut self, message: impl Into<String>) {
        self.exit_message = Some(message.into());
    }

    /// Mark a missing action handler: Juju fails the action with this message (rule 43).
    pub(crate) fn action_not_implemented(&mut self) {
        let unit = self.state.unit.clone();
        if let Some(action) = &mut self.state.action {
            action.failure = Some(format!("action not implemented on unit \"{unit}\""));
        }
    }

    /// End the hook: commit the pending writes if it exited 0, otherwise drop them.
    pub(crate) fn finish(self, exit_ok: bool) -> Finished {
        let Session { mut state, mut pending, event, tool_calls, reboot_now, exit_message, marks, .. } = self;
        let commit_error = if exit_ok { commit::check_commit(&state, &pending).err() } else { None };
        let commit_ok = exit_ok && commit_error.is_none();
        // Juju's finalizeAction: a failed process replaces the message; a refused commit is
        // appended to stderr and fails the action.
        if let Some(action) = &mut state.action {
            if !exit_ok {
                action.failure = Some(exit_message.unwrap_or_else(|| "exit status 1".to_owned()));
            }
            if let Some(error) = &commit_error {
                let stderr = match action.results.get("stderr").and_then(|v| v.as_str()) {
                    Some(previous) => format!("{previous}\n{error}"),
                    None => error.clone(),
                };
                action.results.insert("stderr".to_owned(), stderr.into());
                if action.results.get("return-code").is_none_or(|c| c == "0") {
                    action.results.insert("return-code".to_owned(), "1".into());
                }
                action.failure.get_or_insert_with(|| "committing requested changes failed".to_owned());
            }
            action.status = if action.failure.is_some() { "failed" } else { "completed" }.to_owned();
        }
        if reboot_now {
            state.reboot = Some(crate::state::Reboot { now: true });
        }
        if commit_ok {
            commit::commit(&mut state, &mut pending, &event);
        }
        Finished {
            state,
            committed: commit_ok,
            commit_error,
            pending,
            tool_calls,
            hook: event.name(),
            log_prefix: event.log_prefix(),
            marks,
        }
    }
}
