//! One hook's session: the unit's [`State`] plus this hook's pending writes.
//!
//! Juju buffers relation, unit-state, port, storage and secret writes and commits them only
//! when the hook exits 0; status, workload version, logs, action logs and consumer labels take
//! effect at once (spec §1.5). The session mirrors that: `state` holds the committed state plus
//! the immediate changes, [`Pending`] holds everything deferred, and [`Session::finish`] either
//! applies the pending writes or drops them.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::charm::CharmMeta;
use crate::event::{Event, EventOptions, new_context_id};
use crate::state::{Bag, Port, Secret, SecretGrant, State, bare_secret_id};

/// A metadata or content update to a secret, pending until commit.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretUpdate {
    /// New content (a new revision if it differs from the latest).
    pub content: Option<BTreeMap<String, String>>,
    /// New owner label.
    pub label: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New expiry.
    pub expire: Option<DateTime<Utc>>,
    /// New rotate policy.
    pub rotate: Option<String>,
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
pub enum RevokeTarget {
    /// An application: its grant and its units' grants.
    App(String),
    /// One unit.
    Unit(String),
}

impl RevokeTarget {
    /// Whether revoking this target removes `grant`.
    pub fn covers(&self, grant: &SecretGrant) -> bool {
        match self {
            RevokeTarget::App(app) => grant.target == *app || grant.target.starts_with(&format!("{app}/")),
            RevokeTarget::Unit(unit) => grant.target == *unit,
        }
    }
}

/// The writes of one hook that Juju commits only if the hook succeeds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pending {
    /// New local unit bags by relation id.
    pub unit_bags: BTreeMap<u32, Bag>,
    /// New local app bags by relation id.
    pub app_bags: BTreeMap<u32, Bag>,
    /// New unit state.
    pub unit_state: Option<Bag>,
    /// New opened ports.
    pub ports: Option<Vec<Port>>,
    /// Storage requested with storage-add: name → count.
    pub storage_adds: BTreeMap<String, u32>,
    /// Secrets created in this hook.
    pub secret_creates: Vec<Secret>,
    /// Updates to existing secrets, by bare id.
    pub secret_updates: BTreeMap<String, SecretUpdate>,
    /// Removals by bare id: `None` = the whole secret, else these revisions.
    pub secret_removes: BTreeMap<String, Option<BTreeSet<u32>>>,
    /// New grants, by bare id.
    pub secret_grants: Vec<(String, SecretGrant)>,
    /// Revocations, by bare id.
    pub secret_revokes: Vec<(String, RevokeTarget)>,
    /// Consumed secrets to re-track to their latest revision (`secret-get --refresh`).
    pub secret_track_latest: BTreeSet<String>,
    /// A reboot request (`juju-reboot` without `--now`).
    pub reboot: bool,
}

/// One hook-tool call, as recorded for reports and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    /// The tool.
    pub tool: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its exit code.
    pub code: i32,
}

/// What a session recorded besides the state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Records {
    /// Every tool call, in order.
    pub tool_calls: Vec<ToolCall>,
    /// Whether `status-set` ran in this hook.
    pub status_set: bool,
}

/// The end of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// The new state.
    pub state: State,
    /// Whether the pending writes were committed.
    pub committed: bool,
    /// Why committing failed, when the hook exited 0 but Juju would refuse its changes
    /// (e.g. a non-leader updating an application-owned secret): the hook then counts as failed.
    pub commit_error: Option<String>,
    /// The pending writes that were dropped or committed; on commit the secrets the hook
    /// created move into `state.secrets` (so `secret_creates` is then empty) rather than being copied.
    pub pending: Pending,
    /// What the session recorded.
    pub records: Records,
}

/// Why a session cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
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
pub struct Session {
    pub(crate) state: State,
    pub(crate) pending: Pending,
    pub(crate) event: Event,
    pub(crate) meta: CharmMeta,
    pub(crate) context_id: String,
    pub(crate) charm_dir: PathBuf,
    /// Once `is-leader` said false it says false for the rest of the hook.
    pub(crate) minion: bool,
    /// Whether the unit was leader when the hook started: Juju loads the owned-secret metadata
    /// (app-owned secrets only for the leader) once per hook.
    pub(crate) metadata_leader: bool,
    /// Remote relation bags read in this hook: (relation id, unit or app) → bag.
    pub(crate) remote_cache: BTreeMap<(u32, String), Bag>,
    pub(crate) records: Records,
    /// Set by `juju-reboot --now`: the runner should kill the hook.
    pub(crate) reboot_now: bool,
    /// How the hook process failed (`exit status 3`, `signal: killed`), for the action message.
    pub(crate) exit_message: Option<String>,
}

impl Session {
    /// A session for `event` (see [`Event::parse`]) on `state`, for a charm with `meta`.
    pub fn new(state: State, meta: CharmMeta, event: Event) -> Result<Session, SessionError> {
        let mut slot = None;
        Session::build_in(&mut slot, state, meta, event)?;
        slot.ok_or_else(|| SessionError::State("the session was not built".to_owned()))
    }

    /// [`Session::new`] built in `slot` (left `None` on error): a session is ~2 KiB, and the
    /// in-process engine builds one per run straight into its shared slot instead of moving it
    /// there through several returns.
    pub(crate) fn build_in(
        slot: &mut Option<Session>,
        state: State,
        meta: CharmMeta,
        event: Event,
    ) -> Result<(), SessionError> {
        let session = slot.insert(Session {
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
            records: Records::default(),
            reboot_now: false,
            exit_message: None,
        });
        let prepared = session.prepare();
        if prepared.is_err() {
            *slot = None;
        }
        prepared
    }

    /// Check the state against the charm and set up what the event implies.
    fn prepare(&mut self) -> Result<(), SessionError> {
        let Session { state, meta, event, .. } = self;
        state.validate().map_err(SessionError::State)?;
        check_config(state, meta).map_err(SessionError::State)?;
        check_against_meta(state, meta).map_err(SessionError::State)?;
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
                for (k, v) in &spec.defaults {
                    action.params.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            action.status = "running".to_owned();
            state.action = Some(action);
        }
        self.context_id = new_context_id(&self.state.unit, &self.event.name());
        self.metadata_leader = self.state.leader;
        Ok(())
    }

    /// Build a session from an event name and options (`db-relation-changed`, `action:backup`, …).
    pub fn for_event(
        state: State,
        meta: CharmMeta,
        event: &str,
        options: &EventOptions,
    ) -> Result<Session, SessionError> {
        let parsed = Event::parse(event, &meta, &state, options).map_err(|e| SessionError::Event(e.0))?;
        Session::new(state, meta, parsed)
    }

    /// Set the charm directory (`JUJU_CHARM_DIR`, and the base for relative `-o` paths).
    pub fn set_charm_dir(&mut self, dir: impl Into<PathBuf>) {
        self.charm_dir = dir.into();
    }

    /// The charm directory.
    pub fn charm_dir(&self) -> &Path {
        &self.charm_dir
    }

    /// The event.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// The charm metadata.
    pub fn meta(&self) -> &CharmMeta {
        &self.meta
    }

    /// `JUJU_CONTEXT_ID`.
    pub fn context_id(&self) -> &str {
        &self.context_id
    }

    /// The committed state plus immediate changes (what a rollback returns).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Mutable access to the underlying state, for a harness or a multi-unit model that changes
    /// the world while the hook runs (e.g. a remote unit writing its bag, leadership moving).
    pub fn state_mut(&mut self) -> &mut State {
        &mut self.state
    }

    /// The pending writes.
    pub fn pending(&self) -> &Pending {
        &self.pending
    }

    /// The records so far.
    pub fn records(&self) -> &Records {
        &self.records
    }

    /// Whether `juju-reboot --now` was called.
    pub fn reboot_now_requested(&self) -> bool {
        self.reboot_now
    }

    /// The environment variables Juju sets for this hook; `socket` is the agent socket address.
    pub fn env(&self, socket: &str) -> BTreeMap<String, String> {
        self.event.env(&self.state, &self.charm_dir.to_string_lossy(), &self.context_id, socket)
    }

    /// [`Session::env`] as name/value pairs, each name once, without a map.
    pub fn env_iter(&self, socket: &str) -> impl Iterator<Item = (&'static str, String)> + use<> {
        self.event.env_iter(&self.state, &self.charm_dir.to_string_lossy(), &self.context_id, socket)
    }

    /// Run one hook tool on this session (argv without the tool name).
    pub fn call(&mut self, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> crate::tools::ToolResponse {
        // No tool reads `charm_dir` from the session; lend it out instead of cloning it per call.
        let cwd = std::mem::take(&mut self.charm_dir);
        let response = crate::tools::run(self, tool, args, stdin, &cwd);
        self.charm_dir = cwd;
        response
    }

    /// Record the dispatch process's stdout, stderr and exit code into the action results, as
    /// Juju does after an action runs (spec rule 44).
    pub fn record_action_output(&mut self, stdout: &[u8], stderr: &[u8], code: i32) {
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
                    action.results.insert(key.to_owned(), crate::base64::encode(bytes).into());
                    action.results.insert(format!("{key}-encoding"), "base64".into());
                }
            }
        }
        action.results.insert("return-code".to_owned(), code.to_string().into());
    }

    /// Record how the hook process failed, as Go prints a process error (`exit status 3`,
    /// `signal: killed`); a failed action reports it as its message.
    pub fn set_exit_message(&mut self, message: impl Into<String>) {
        self.exit_message = Some(message.into());
    }

    /// Mark a missing action handler: Juju fails the action with this message (rule 43).
    pub fn action_not_implemented(&mut self) {
        let unit = self.state.unit.clone();
        if let Some(action) = &mut self.state.action {
            action.failure = Some(format!("action not implemented on unit \"{unit}\""));
        }
    }

    /// End the hook: commit the pending writes if it exited 0, otherwise drop them.
    pub fn finish(self, exit_ok: bool) -> Finished {
        let Session { mut state, mut pending, event, records, reboot_now, exit_message, .. } = self;
        let commit_error = if exit_ok { check_commit(&state, &pending).err() } else { None };
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
            commit(&mut state, &mut pending, &event);
        }
        Finished { state, committed: commit_ok, commit_error, pending, records }
    }
}

/// Catch state files that cannot happen for this charm (like Scenario's consistency checker).
fn check_against_meta(state: &State, meta: &CharmMeta) -> Result<(), String> {
    let app = state.app();
    for relation in &state.relations {
        let (id, endpoint) = (relation.id, &relation.endpoint);
        if !meta.endpoints.is_empty() && !meta.endpoints.contains_key(endpoint) {
            return Err(format!("relation {id}: endpoint {endpoint:?} is not declared by the charm"));
        }
        let peer = relation.peer || meta.is_peer(endpoint);
        if relation.peer && !meta.endpoints.is_empty() && !meta.is_peer(endpoint) {
            return Err(format!("relation {id}: endpoint {endpoint:?} is not a peer endpoint"));
        }
        let owner = if peer { app } else { relation.remote_app.as_str() };
        for unit in relation.remote_units.keys() {
            if *unit == state.unit {
                return Err(format!("relation {id}: the unit under test {unit:?} cannot be its own remote unit"));
            }
            if !unit.starts_with(&format!("{owner}/")) {
                return Err(format!("relation {id}: remote unit {unit:?} is not a unit of {owner:?}"));
            }
        }
    }
    if !meta.storage.is_empty() {
        for storage in &state.storage {
            if !meta.storage.contains_key(&storage.name) {
                return Err(format!("storage {:?} is not declared by the charm", storage.name));
            }
        }
    }
    if !meta.resources.is_empty() {
        for name in state.resources.keys() {
            if !meta.resources.contains(name) {
                return Err(format!("resource {name:?} is not declared by the charm"));
            }
        }
    }
    Ok(())
}

fn check_config(state: &State, meta: &CharmMeta) -> Result<(), String> {
    if meta.config.is_empty() {
        return Ok(());
    }
    for (key, value) in &state.config {
        let Some(option) = meta.config.get(key) else {
            return Err(format!("config option {key:?} is not declared by the charm"));
        };
        let ok = match option.option_type.as_str() {
            "int" => value.is_i64() || value.is_u64(),
            "float" => value.is_number(),
            "boolean" => value.is_boolean(),
            "string" | "secret" => value.is_string(),
            _ => true,
        };
        if !ok && !value.is_null() {
            return Err(format!("config option {key:?} must be of type {}, got {value}", option.option_type));
        }
    }
    Ok(())
}

/// What the controller would refuse when the hook's changes are committed.
fn check_commit(state: &State, pending: &Pending) -> Result<(), String> {
    let created = |id: &str| pending.secret_creates.iter().any(|s| bare_secret_id(&s.id) == id);
    let ids = pending
        .secret_updates
        .keys()
        .chain(pending.secret_removes.keys())
        .chain(pending.secret_revokes.iter().map(|(id, _)| id));
    for id in ids {
        if created(id) {
            continue;
        }
        match state.secret(id) {
            None => return Err(format!("secret {id:?} not found")),
            Some(secret) if secret.owner == crate::state::SecretOwner::None => {
                return Err("permission denied".to_owned());
            }
            Some(secret) if secret.owner == crate::state::SecretOwner::App && !state.leader => {
                return Err("permission denied".to_owned());
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn commit(state: &mut State, pending: &mut Pending, event: &Event) {
    for (id, bag) in &pending.unit_bags {
        if let Some(relation) = state.relation_mut(*id) {
            relation.local_unit_data = bag.clone();
        }
    }
    for (id, bag) in &pending.app_bags {
        if let Some(relation) = state.relation_mut(*id) {
            relation.local_app_data = bag.clone();
        }
    }
    if let Some(bag) = &pending.unit_state {
        state.unit_state = bag.clone();
    }
    if let Some(ports) = &pending.ports {
        state.opened_ports = ports.clone();
    }
    for (name, count) in &pending.storage_adds {
        *state.storage_requests.entry(name.clone()).or_default() += count;
    }
    commit_secrets(state, pending);
    if pending.reboot {
        state.reboot = Some(crate::state::Reboot { now: false });
    }
    // The event itself changes the world once the hook succeeded.
    match event {
        Event::Relation { kind, id, departing_unit: Some(departing), .. } if kind == "departed" => {
            if let Some(relation) = state.relation_mut(*id) {
                relation.remote_units.remove(departing);
            }
        }
        Event::Relation { kind, id, .. } if kind == "broken" => {
            state.relations.retain(|r| r.id != *id);
            for secret in &mut state.secrets {
                secret.grants.retain(|g| g.relation_id != *id);
            }
        }
        Event::Storage { kind, id, .. } if kind == "detaching" => {
            state.storage.retain(|s| s.id() != *id);
        }
        _ => {}
    }
}

fn commit_secrets(state: &mut State, pending: &mut Pending) {
    state.secrets.append(&mut pending.secret_creates);
    for (id, update) in &pending.secret_updates {
        let Some(secret) = state.secret_mut(id) else { continue };
        apply_update(secret, update);
    }
    for (id, grant) in &pending.secret_grants {
        if let Some(secret) = state.secret_mut(id)
            && !secret.grants.contains(grant)
        {
            secret.grants.push(grant.clone());
        }
    }
    for (id, target) in &pending.secret_revokes {
        if let Some(secret) = state.secret_mut(id) {
            secret.grants.retain(|g| !target.covers(g));
        }
    }
    for id in &pending.secret_track_latest {
        if let Some(secret) = state.secret_mut(id) {
            secret.tracked = Some(secret.latest());
        }
    }
    for (id, revisions) in &pending.secret_removes {
        match revisions {
            None => state.secrets.retain(|s| bare_secret_id(&s.id) != id),
            Some(revs) => {
                if let Some(secret) = state.secret_mut(id) {
                    secret.revisions.retain(|r| !revs.contains(&r.revision));
                }
                // A secret without revisions is gone.
                state.secrets.retain(|s| !s.revisions.is_empty());
            }
        }
    }
}

/// Apply a secret update: new content makes a new revision only when it differs from the latest.
pub(crate) fn apply_update(secret: &mut Secret, update: &SecretUpdate) {
    if let Some(content) = &update.content {
        let latest = secret.latest();
        if secret.content(latest) != Some(content) {
            secret.revisions.push(crate::state::SecretRevision { revision: latest + 1, content: content.clone() });
        }
    }
    if let Some(label) = &update.label {
        secret.label = Some(label.clone());
    }
    if let Some(description) = &update.description {
        secret.description = Some(description.clone());
    }
    if let Some(expire) = update.expire {
        secret.expire = Some(expire);
    }
    if let Some(rotate) = &update.rotate {
        if secret.rotate.as_ref() != Some(rotate) || secret.rotates.is_none() {
            secret.rotates = next_rotation(rotate);
        }
        secret.rotate = Some(rotate.clone());
    }
}

/// The controller schedules the next rotation one policy interval from now.
pub(crate) fn next_rotation(policy: &str) -> Option<DateTime<Utc>> {
    let hours = match policy {
        "hourly" => 1,
        "daily" => 24,
        "weekly" => 24 * 7,
        "monthly" => 24 * 30,
        "quarterly" => 24 * 90,
        "yearly" => 24 * 365,
        _ => return None,
    };
    Some(Utc::now() + chrono::Duration::hours(hours))
}
