//! The per-dispatch handle a handler gets: the environment, the event, the hook tools and
//! per-hook caches.
//!
//! Within one `Context` each fact is read from Juju at most once: config, leadership (a `false`
//! sticks for the rest of the hook, as it does in Juju; a `true` is trusted for Juju's 30 s
//! lease), relation ids, members, remote applications and databags, secret content, network
//! info, goal state, action parameters and stored state.
//! Relation writes send only the keys that change. Writes through the context keep its caches
//! consistent; calls made directly through [`Context::tools`] bypass them.
//!
//! The context also collects what the framework does at the end of a successful dispatch: the
//! statuses added with [`Context::add_status`] and [`Context::add_app_status`] (the most urgent
//! one is set once), and the [stored state](crate::stored) (saved once, if it changed).

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::env::{EnvError, JujuEnv};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::hookcmds::config::{self, ConfigMap};
use crate::hookcmds::goal_state::{self, GoalState};
use crate::hookcmds::log::{self, LogLevel};
use crate::hookcmds::network::{self, NetworkInfo};
use crate::hookcmds::port::{self, Port};
use crate::hookcmds::relation::{self, Databag, RelationId};
use crate::hookcmds::secret::{
    self, RevokeTarget, SecretAddOptions, SecretContent, SecretInfo, SecretReadMode, SecretSelector, SecretSetOptions,
};
use crate::hookcmds::status::{self, AppStatusInfo, Status, StatusInfo};
use crate::hookcmds::{action, leadership, state, unit};
use crate::stored::{Stored, StoredSlots, StoredState};
use crate::tools::HookTools;

/// How long a `true` from `is-leader` is guaranteed by Juju's leadership lease.
const LEADERSHIP_LEASE: Duration = Duration::from_secs(30);

/// Everything a handler needs to talk to Juju during one dispatch.
///
/// ```no_run
/// use goops_runtime::prelude::*;
///
/// fn configure(ctx: &Context) -> HookResult {
///     let port: u16 = ctx.config_get("port")?.unwrap_or(8080);
///     let ca = SecretSelector::label("ca");
///     if ctx.secret_get(&ca, SecretReadMode::Tracked)?.is_none() && ctx.is_leader()? {
///         let content: SecretContent = [("private-key".to_owned(), SecretString::from("...pem..."))].into();
///         let id = ctx.secret_add(&content, &SecretAddOptions::new().label("ca").rotate(RotatePolicy::Yearly))?;
///         ctx.log_info(format!("created secret {id} for {}", ctx.app_name()));
///     }
///     for relation in ctx.relation_ids("website")? {
///         ctx.set_relation_data(&relation, Databag::Unit, [("port", port.to_string())])?;
///     }
///     ctx.add_status(Status::active());
///     Ok(())
/// }
/// ```
///
/// There are no globals: tests build a `Context` with their own [`HookTools`] and run in
/// parallel. A `Context` is for one thread (its caches use `RefCell`).
pub struct Context {
    env: JujuEnv,
    event: Event,
    unit: String,
    app_len: usize,
    tools: Box<dyn HookTools>,
    config: OnceCell<ConfigMap>,
    leader: Cell<Option<(bool, Instant)>>,
    relation_ids: RefCell<HashMap<String, Vec<RelationId>>>,
    relation_units: RefCell<HashMap<RelationId, Vec<String>>>,
    relation_apps: RefCell<HashMap<RelationId, Option<String>>>,
    relation_bags: RefCell<HashMap<(RelationId, String), BTreeMap<String, String>>>,
    secrets: RefCell<HashMap<SecretSelector, SecretsByMode>>,
    secret_ids_by_label: RefCell<HashMap<String, String>>,
    networks: RefCell<HashMap<(String, Option<RelationId>), NetworkInfo>>,
    goal_state: OnceCell<GoalState>,
    action_params: OnceCell<Map<String, Value>>,
    statuses: RefCell<Vec<Status>>,
    app_statuses: RefCell<Vec<Status>>,
    stored: StoredSlots,
    /// How [`Context::container`] reaches Pebble (`None`: the sockets Juju mounts).
    #[cfg(feature = "pebble")]
    pub(crate) pebble_connector: Option<std::sync::Arc<dyn crate::pebble::Connector>>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("event", &self.event).field("unit", &self.unit).finish_non_exhaustive()
    }
}

/// `cell`'s value, computing it with `init` the first time (`OnceCell::get_or_try_init` is unstable).
fn get_or_try_init<T>(cell: &OnceCell<T>, init: impl FnOnce() -> Result<T>) -> Result<&T> {
    if let Some(value) = cell.get() {
        return Ok(value);
    }
    let value = init()?;
    Ok(cell.get_or_init(|| value))
}

/// What `secret-get` returned for one selector, per read mode (`None`: not read yet; `Some(None)`:
/// not found). Keyed by selector alone, so a lookup borrows the caller's selector.
#[derive(Debug, Default)]
struct SecretsByMode([Option<Option<SecretContent>>; 3]);

impl SecretsByMode {
    fn slot(mode: SecretReadMode) -> usize {
        match mode {
            SecretReadMode::Tracked => 0,
            SecretReadMode::Peek => 1,
            SecretReadMode::Refresh => 2,
        }
    }

    fn get(&self, mode: SecretReadMode) -> Option<&Option<SecretContent>> {
        self.0[Self::slot(mode)].as_ref()
    }

    fn set(&mut self, mode: SecretReadMode, content: Option<SecretContent>) {
        self.0[Self::slot(mode)] = Some(content);
    }
}

impl Context {
    /// A context for `event`, talking to Juju through `tools`. `JUJU_UNIT_NAME` must be a
    /// unit name (`app/N`): Juju always sets it, and the unit and application names are then
    /// plain accessors.
    pub fn new(env: JujuEnv, event: Event, tools: impl HookTools + 'static) -> Result<Self, EnvError> {
        let unit = env.unit()?.to_owned();
        let app_len = env.app()?.len();
        Ok(Context {
            env,
            event,
            unit,
            app_len,
            tools: Box::new(tools),
            config: OnceCell::new(),
            leader: Cell::new(None),
            relation_ids: RefCell::default(),
            relation_units: RefCell::default(),
            relation_apps: RefCell::default(),
            relation_bags: RefCell::default(),
            secrets: RefCell::default(),
            secret_ids_by_label: RefCell::default(),
            networks: RefCell::default(),
            goal_state: OnceCell::new(),
            action_params: OnceCell::new(),
            statuses: RefCell::default(),
            app_statuses: RefCell::default(),
            stored: StoredSlots::default(),
            #[cfg(feature = "pebble")]
            pebble_connector: None,
        })
    }

    /// The hook's environment variables.
    pub fn env(&self) -> &JujuEnv {
        &self.env
    }

    /// The event being handled.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// This unit's name, `app/N` (`JUJU_UNIT_NAME`).
    pub fn unit_name(&self) -> &str {
        &self.unit
    }

    /// This unit's application: the unit name without `/N`.
    pub fn app_name(&self) -> &str {
        &self.unit[..self.app_len]
    }

    /// The raw hook tools, for calls the typed API does not cover (see [`crate::hookcmds`]).
    pub fn tools(&self) -> &dyn HookTools {
        &*self.tools
    }

    // ---- logging -------------------------------------------------------------------------

    /// Log `message` to Juju's debug log at `level`. Logging never fails the hook: if
    /// `juju-log` cannot run, the line goes to stderr, which Juju logs at WARNING.
    pub fn log(&self, level: LogLevel, message: impl AsRef<str>) {
        let message = message.as_ref();
        if let Err(e) = log::juju_log(self.tools(), level, message) {
            eprintln!("{level}: {message} (juju-log failed: {e})");
        }
    }

    /// Log at DEBUG (see [`Context::log`]).
    pub fn log_debug(&self, message: impl AsRef<str>) {
        self.log(LogLevel::Debug, message);
    }

    /// Log at INFO (see [`Context::log`]).
    pub fn log_info(&self, message: impl AsRef<str>) {
        self.log(LogLevel::Info, message);
    }

    /// Log at WARNING (see [`Context::log`]).
    pub fn log_warning(&self, message: impl AsRef<str>) {
        self.log(LogLevel::Warning, message);
    }

    /// Log at ERROR (see [`Context::log`]).
    pub fn log_error(&self, message: impl AsRef<str>) {
        self.log(LogLevel::Error, message);
    }

    // ---- config --------------------------------------------------------------------------

    /// The charm's configuration (read once per context).
    pub fn config(&self) -> Result<&ConfigMap> {
        get_or_try_init(&self.config, || config::config_get(self.tools()))
    }

    /// One config option as `T` (`None` when unset). A value of another type is an error that
    /// names the option and the type, never the value.
    pub fn config_get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let Some(value) = self.config()?.get(key) else { return Ok(None) };
        if value.is_null() {
            return Ok(None);
        }
        serde_json::from_value(value.clone()).map(Some).map_err(|_| {
            Error::parse(
                "config-get",
                &format!("option {key:?} as {}", std::any::type_name::<T>()),
                "the value has another type",
            )
        })
    }

    // ---- leadership and status -----------------------------------------------------------

    /// Whether this unit is the leader. Once `false`, stays `false` for this context (as in
    /// Juju); a `true` is re-checked only after the 30 s lease it guarantees.
    pub fn is_leader(&self) -> Result<bool> {
        match self.leader.get() {
            Some((false, _)) => return Ok(false),
            Some((true, at)) if at.elapsed() < LEADERSHIP_LEASE => return Ok(true),
            _ => {}
        }
        // The lease runs from before the call, so the cached `true` never outlives it.
        let asked = Instant::now();
        let leader = leadership::is_leader(self.tools())?;
        self.leader.set(Some((leader, asked)));
        Ok(leader)
    }

    /// Add a candidate for this unit's status (collect-status). At the end of a successful
    /// dispatch, after the `#[collect_status]` handler, the framework sets the most urgent
    /// status added (blocked > maintenance > waiting > active; the first added wins a tie) with
    /// one `status-set`. Nothing is set when nothing was added, and nothing when the handler
    /// failed. Handlers that each know part of the picture add what they see, and the unit
    /// shows the worst of it.
    pub fn add_status(&self, status: Status) {
        self.statuses.borrow_mut().push(status);
    }

    /// Add a candidate for the application's status (collect-status). As
    /// [`Context::add_status`], and set only when this unit is the leader (`is-leader` is
    /// asked only when an application status was added); on other units these are dropped.
    pub fn add_app_status(&self, status: Status) {
        self.app_statuses.borrow_mut().push(status);
    }

    /// Take the statuses added so far, for the framework to set.
    pub(crate) fn take_statuses(&self) -> (Vec<Status>, Vec<Status>) {
        (self.statuses.take(), self.app_statuses.take())
    }

    /// Set this unit's workload status now. Prefer [`Context::add_status`], which lets
    /// several handlers (and the `#[collect_status]` handler) take part; a status set here is
    /// replaced by the collected one if any was added.
    pub fn set_unit_status(&self, status: Status) -> Result<()> {
        status::status_set(self.tools(), &status)
    }

    /// Set the application's status now (leader only). See [`Context::add_app_status`].
    pub fn set_app_status(&self, status: Status) -> Result<()> {
        status::status_set_app(self.tools(), &status)
    }

    /// This unit's status as Juju has it.
    pub fn unit_status(&self) -> Result<StatusInfo> {
        status::status_get(self.tools())
    }

    /// The application's status and its units' (leader only).
    pub fn app_status(&self) -> Result<AppStatusInfo> {
        status::status_get_app(self.tools())
    }

    /// Set the workload version shown in `juju status`.
    pub fn set_workload_version(&self, version: &str) -> Result<()> {
        unit::application_version_set(self.tools(), version)
    }

    // ---- relations -----------------------------------------------------------------------

    /// The relations on `endpoint` (read once per endpoint).
    pub fn relation_ids(&self, endpoint: &str) -> Result<Vec<RelationId>> {
        if let Some(ids) = self.relation_ids.borrow().get(endpoint) {
            return Ok(ids.clone());
        }
        let ids = relation::relation_ids(self.tools(), endpoint)?;
        self.relation_ids.borrow_mut().insert(endpoint.to_owned(), ids.clone());
        Ok(ids)
    }

    /// The remote units in `relation` (read once per relation).
    pub fn relation_units(&self, relation: &RelationId) -> Result<Vec<String>> {
        if let Some(units) = self.relation_units.borrow().get(relation) {
            return Ok(units.clone());
        }
        let units = relation::relation_list(self.tools(), relation)?;
        self.relation_units.borrow_mut().insert(relation.clone(), units.clone());
        Ok(units)
    }

    /// The remote application of `relation`, if Juju knows it (read once per relation).
    pub fn relation_app(&self, relation: &RelationId) -> Result<Option<String>> {
        if let Some(app) = self.relation_apps.borrow().get(relation) {
            return Ok(app.clone());
        }
        let app = relation::relation_list_app(self.tools(), relation)?;
        self.relation_apps.borrow_mut().insert(relation.clone(), app.clone());
        Ok(app)
    }

    /// The databag of `entity` in `relation`: a unit (`app/0`) or an application (`app`).
    /// Read once per (relation, entity); this context's own writes are reflected.
    pub fn relation_data(&self, relation: &RelationId, entity: &str) -> Result<BTreeMap<String, String>> {
        let key = (relation.clone(), entity.to_owned());
        if let Some(bag) = self.relation_bags.borrow().get(&key) {
            return Ok(bag.clone());
        }
        let bag = relation::relation_get(self.tools(), relation, entity)?;
        self.relation_bags.borrow_mut().insert(key, bag.clone());
        Ok(bag)
    }

    /// Write to this unit's (or, as leader, its application's) databag in `relation`.
    ///
    /// Only keys whose value differs from the current bag are sent; an empty value deletes the
    /// key. Nothing runs when nothing changes. Data travels on stdin, never argv.
    pub fn set_relation_data<K, V>(
        &self,
        relation: &RelationId,
        bag: Databag,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Result<()>
    where
        K: Into<String>,
        V: Into<String>,
    {
        let entity = match bag {
            Databag::Unit => self.unit_name().to_owned(),
            Databag::App => self.app_name().to_owned(),
        };
        let current = match self.relation_data(relation, &entity) {
            Ok(current) => current,
            // Juju refuses a non-leader its own app databag on non-peer relations; the write
            // would be refused too, and "not the leader" is what the caller needs to hear.
            Err(Error::PermissionDenied { message, .. }) if bag == Databag::App => {
                return Err(Error::NotLeader {
                    tool: "relation-set".to_owned(),
                    message: format!("only the leader may write the application databag ({message})"),
                });
            }
            Err(e) => return Err(e),
        };
        let changed: BTreeMap<String, String> = data
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .filter(|(k, v)| current.get(k).map_or("", String::as_str) != v)
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        relation::relation_set(self.tools(), relation, bag, &changed)?;
        let mut bags = self.relation_bags.borrow_mut();
        let cached = bags.entry((relation.clone(), entity)).or_default();
        for (k, v) in changed {
            if v.is_empty() {
                cached.remove(&k);
            } else {
                cached.insert(k, v);
            }
        }
        Ok(())
    }

    // ---- secrets -------------------------------------------------------------------------

    /// A secret's content, or `None` when Juju does not know it (unknown id or label).
    ///
    /// Read once per (selector, mode) until a secret is added, set, removed or refreshed through
    /// this context. A `Refresh` read also answers later `Tracked` reads of the same selector.
    /// Selecting by id and label assigns the label (how a consumer names a secret it was
    /// given); the result then also answers reads by that id or by that label alone.
    pub fn secret_get(&self, selector: &SecretSelector, mode: SecretReadMode) -> Result<Option<SecretContent>> {
        if let Some(content) = self.secrets.borrow().get(selector).and_then(|by_mode| by_mode.get(mode)) {
            return Ok(content.clone());
        }
        let content = match secret::secret_get(self.tools(), selector, mode) {
            Ok(content) => Some(content),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e),
        };
        let mut cache = self.secrets.borrow_mut();
        if mode == SecretReadMode::Refresh {
            // Juju now tracks the latest revision. Other selectors (the id, another label) may
            // name the same secret and hold the old tracked content: forget them all.
            cache.clear();
        }
        let modes: &[SecretReadMode] =
            if mode == SecretReadMode::Refresh { &[SecretReadMode::Refresh, SecretReadMode::Tracked] } else { &[mode] };
        let mut store = |selector: SecretSelector| {
            let by_mode = cache.entry(selector).or_default();
            for &m in modes {
                by_mode.set(m, content.clone());
            }
        };
        store(selector.clone());
        if let (Some(id), Some(label)) = (&selector.id, &selector.label) {
            store(SecretSelector::id(id.clone()));
            store(SecretSelector::label(label.clone()));
        }
        Ok(content)
    }

    /// Create a secret with `content`; returns its URI. The content travels in 0600 files.
    pub fn secret_add(&self, content: &SecretContent, options: &SecretAddOptions) -> Result<String> {
        let result = secret::secret_add(self.tools(), content, options);
        self.secrets.borrow_mut().clear();
        if let (Ok(uri), Some(label)) = (&result, &options.label) {
            self.secret_ids_by_label.borrow_mut().insert(label.clone(), uri.clone());
        }
        result
    }

    /// The id of the selected secret: the selector's id when it has one, else the id of the
    /// secret this unit (or its application, when leader) owns under that label, looked up
    /// with `secret-info-get` once per label. `None` when no owned secret has the label.
    ///
    /// `secret-set`, `secret-grant`, `secret-revoke` and `secret-remove` take only ids; this is
    /// how to use them on a secret known by its label.
    pub fn secret_id(&self, selector: &SecretSelector) -> Result<Option<String>> {
        let label = match (&selector.id, &selector.label) {
            (Some(id), _) => return Ok(Some(id.clone())),
            (None, Some(label)) => label,
            (None, None) => return Err(Error::invalid("secret selector", "give a secret id or a label")),
        };
        if let Some(id) = self.secret_ids_by_label.borrow().get(label) {
            return Ok(Some(id.clone()));
        }
        let Some(info) = self.secret_info(selector)? else { return Ok(None) };
        self.secret_ids_by_label.borrow_mut().insert(label.clone(), info.id.clone());
        Ok(Some(info.id))
    }

    /// Update a secret's content (a new revision) and/or its metadata.
    pub fn secret_set(&self, id: &str, content: Option<&SecretContent>, options: &SecretSetOptions) -> Result<()> {
        let result = secret::secret_set(self.tools(), id, content, options);
        self.secrets.borrow_mut().clear();
        if options.label.is_some() {
            // A relabelled secret no longer answers to its old label.
            self.secret_ids_by_label.borrow_mut().clear();
        }
        result
    }

    /// A secret's metadata (only secrets this unit owns, or its app owns when leader), or
    /// `None` when Juju does not find it.
    pub fn secret_info(&self, selector: &SecretSelector) -> Result<Option<SecretInfo>> {
        match secret::secret_info_get(self.tools(), selector) {
            Ok(info) => Ok(Some(info)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Let the remote application of `relation` (or only `unit` of it) read the secret.
    pub fn secret_grant(&self, id: &str, relation: &RelationId, unit: Option<&str>) -> Result<()> {
        secret::secret_grant(self.tools(), id, relation, unit)
    }

    /// Take back what [`Context::secret_grant`] gave.
    pub fn secret_revoke(&self, id: &str, relation: &RelationId, unit: Option<&str>) -> Result<()> {
        let target = match unit {
            Some(unit) => RevokeTarget::RelationUnit(relation.clone(), unit.to_owned()),
            None => RevokeTarget::Relation(relation.clone()),
        };
        secret::secret_revoke(self.tools(), id, &target)
    }

    /// Remove one revision of a secret, or with `None` the whole secret.
    pub fn secret_remove(&self, id: &str, revision: Option<u32>) -> Result<()> {
        let result = secret::secret_remove(self.tools(), id, revision);
        self.secrets.borrow_mut().clear();
        if revision.is_none() {
            self.secret_ids_by_label.borrow_mut().clear();
        }
        result
    }

    /// Ids of the secrets this unit owns (and its application's, when leader).
    pub fn secret_ids(&self) -> Result<Vec<String>> {
        secret::secret_ids(self.tools())
    }

    // ---- network, goal state, ports ------------------------------------------------------

    /// Network info of `binding`, as seen from `relation` when given (read once per pair).
    pub fn network(&self, binding: &str, relation: Option<&RelationId>) -> Result<NetworkInfo> {
        let key = (binding.to_owned(), relation.cloned());
        if let Some(info) = self.networks.borrow().get(&key) {
            return Ok(info.clone());
        }
        let info = network::network_get(self.tools(), binding, relation)?;
        self.networks.borrow_mut().insert(key, info.clone());
        Ok(info)
    }

    /// The goal state (read once per context).
    pub fn goal_state(&self) -> Result<&GoalState> {
        get_or_try_init(&self.goal_state, || goal_state::goal_state(self.tools()))
    }

    /// Open `port` on all endpoints.
    pub fn open_port(&self, port: Port) -> Result<()> {
        port::open_port(self.tools(), port, &[])
    }

    /// Close `port` on all endpoints.
    pub fn close_port(&self, port: Port) -> Result<()> {
        port::close_port(self.tools(), port, &[])
    }

    /// The ports open for this unit.
    pub fn opened_ports(&self) -> Result<Vec<Port>> {
        port::opened_ports(self.tools())
    }

    // ---- unit state ----------------------------------------------------------------------

    /// One value of this unit's server-side state (`None` when unset).
    pub fn state_get(&self, key: &str) -> Result<Option<String>> {
        state::state_get_key(self.tools(), key)
    }

    /// The [stored state](crate::stored) `T` for this dispatch: loaded with `state-get` on
    /// first use, saved with `state-set` at the end of a successful dispatch if it changed.
    /// An error if a `Stored<T>` is already alive in this dispatch.
    pub fn stored<T: StoredState>(&self) -> Result<Stored<'_, T>> {
        self.stored.get(self.tools())
    }

    /// Save the stored state that changed (one `state-set`); the framework calls this at the end
    /// of a successful dispatch.
    pub(crate) fn save_stored(&self) -> Result<()> {
        self.stored.save(self.tools())
    }

    /// Set values of this unit's server-side state (sent on stdin; committed if the hook succeeds).
    pub fn state_set<K: Into<String>, V: Into<String>>(&self, data: impl IntoIterator<Item = (K, V)>) -> Result<()> {
        let data: BTreeMap<String, String> = data.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        state::state_set(self.tools(), &data)
    }

    /// Delete a key of this unit's server-side state.
    pub fn state_delete(&self, key: &str) -> Result<()> {
        state::state_delete(self.tools(), key)
    }

    // ---- actions -------------------------------------------------------------------------

    /// The running action's parameters, name → value (read once per context).
    pub fn action_params(&self) -> Result<Map<String, Value>> {
        get_or_try_init(&self.action_params, || action::action_get(self.tools())).cloned()
    }

    /// Report progress of the running action.
    pub fn action_log(&self, message: impl AsRef<str>) -> Result<()> {
        action::action_log(self.tools(), message.as_ref())
    }
}
