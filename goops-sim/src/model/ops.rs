//! The operations a test (or the CLI) asks of the model, as `juju deploy`, `add-unit`,
//! `integrate`, `config`, `run`, … change the controller: each changes the controller's state
//! and is traced as a [`ModelEvent`]; the hooks follow on the next settle, when each unit's
//! agent sees the difference.

use std::collections::BTreeMap;
use std::time::Duration;

use goops_juju::charmcraft::CharmMeta;
use goops_juju::relation::RelationRole;

use super::controller::{ActionRequest, AgentState, Application, EndpointRef, RelationDoc, Unit};
use super::{Deploy, Life, Model, ModelCharm, ModelError, ModelEvent, Op};
use crate::state::{ContainerState, ModelType, Storage};
use crate::testing::{ActionRecord, HookKind};

impl Model {
    /// Deploy `app` running `charm` with `units` units.
    pub fn deploy(
        &mut self,
        app: &str,
        charm: impl ModelCharm + 'static,
        units: u32,
    ) -> Result<&mut Model, ModelError> {
        self.deploy_with(app, charm, Deploy { units, ..Deploy::default() })
    }

    /// Deploy `app` running `charm` with options: the application, its peer relations (from
    /// the charm's `peers`), its units with their storage and containers, and a leader (the
    /// first unit in Juju's typical order, a random one in a seeded model).
    pub fn deploy_with(
        &mut self,
        app: &str,
        charm: impl ModelCharm + 'static,
        options: Deploy,
    ) -> Result<&mut Model, ModelError> {
        if !goops_juju::unit::is_valid_app_name(app) {
            return Err(ModelError::Invalid(format!("invalid application name {app:?}")));
        }
        if self.ctrl.applications.contains_key(app) {
            return Err(ModelError::Invalid(format!("application {app:?} already exists")));
        }
        let meta = charm.meta().clone();
        check_config(app, &meta, &options.config)?;
        let mut config = options.config;
        // A null value means "unset": the charm's default applies.
        config.retain(|_, v| !v.is_null());
        self.ctrl.applications.insert(
            app.to_owned(),
            Application {
                name: app.to_owned(),
                charm_name: meta.name.clone(),
                charm: charm.source(),
                config,
                trusted: options.trusted,
                ..Application::default()
            },
        );
        self.charms.insert(app.to_owned(), Box::new(charm));
        let units: Vec<String> = (0..options.units).map(|_| self.new_unit(app, &meta)).collect();
        self.note(ModelEvent::Deploy { app: app.to_owned(), units: units.clone() });
        // Peer relations exist from deploy (juju-model.md §2.1).
        for (endpoint, spec) in meta.endpoints.iter().filter(|(_, e)| e.role == RelationRole::Peers) {
            let id = self
                .new_relation(&spec.interface, vec![EndpointRef { app: app.to_owned(), endpoint: endpoint.clone() }]);
            self.note(ModelEvent::Integrate { id, endpoints: vec![format!("{app}:{endpoint}")] });
        }
        // The first claimant wins the lease, before any hook (§1.1).
        let winner = match &mut self.rng {
            Some(rng) => rng.pick(&units).cloned(),
            None => units.first().cloned(),
        };
        if winner.is_some() {
            self.set_lease(app, winner);
        }
        Ok(self)
    }

    /// Add a unit to `app`; returns its name.
    pub fn add_unit(&mut self, app: &str) -> Result<String, ModelError> {
        self.alive_app(app)?;
        let meta = self.meta_of(app)?;
        let unit = self.new_unit(app, &meta);
        self.note(ModelEvent::AddUnit { unit: unit.clone() });
        if self.ctrl.applications.get(app).is_some_and(|a| a.leader.is_none()) {
            self.set_lease(app, Some(unit.clone()));
        }
        Ok(unit)
    }

    /// Remove `unit`: it becomes Dying and runs its teardown hooks on the next settle. It
    /// leaves every relation's scope at once, as Juju's cleanup marks it departing (§2.5), so
    /// the other units see it depart while it tears down.
    pub fn remove_unit(&mut self, unit: &str) -> Result<(), ModelError> {
        let u = self.ctrl.units.get(unit).ok_or_else(|| ModelError::UnknownUnit(unit.to_owned()))?;
        if u.life != Life::Alive {
            return Err(ModelError::Invalid(format!("unit {unit:?} is already {}", life_name(u.life))));
        }
        self.make_dying(unit);
        self.note(ModelEvent::RemoveUnit { unit: unit.to_owned() });
        Ok(())
    }

    /// Remove `app`: its units and its relations become Dying.
    pub fn remove_application(&mut self, app: &str) -> Result<(), ModelError> {
        self.alive_app(app)?;
        if let Some(a) = self.ctrl.applications.get_mut(app) {
            a.life = Life::Dying;
        }
        self.note(ModelEvent::RemoveApplication { app: app.to_owned() });
        let relations: Vec<u32> = self
            .ctrl
            .relations
            .iter()
            .filter(|r| r.life == Life::Alive && r.endpoint_of(app).is_some())
            .map(|r| r.id)
            .collect();
        for id in relations {
            if let Some(r) = self.ctrl.relation_mut(id) {
                r.life = Life::Dying;
            }
            self.note(ModelEvent::RemoveRelation { id });
        }
        for unit in self.ctrl.units_of(app) {
            if self.ctrl.units.get(&unit).is_some_and(|u| u.life == Life::Alive) {
                self.make_dying(&unit);
            }
        }
        Ok(())
    }

    /// Integrate two endpoints, `app:endpoint` or `app` (the one endpoint pair whose
    /// interfaces match with provides on one side and requires on the other, as Juju's
    /// `InferEndpoints` does). Returns the relation id.
    pub fn integrate(&mut self, a: &str, b: &str) -> Result<u32, ModelError> {
        let candidates = self.candidates(a, b)?;
        let pair = match candidates.as_slice() {
            // Juju's words (state/state.go InferEndpoints).
            [] => return Err(ModelError::Invalid(format!("cannot integrate {a} {b}: no relations found"))),
            [one] => one.clone(),
            many => {
                let mut keys: Vec<String> = many.iter().map(|p| format!("{:?}", relation_key(p))).collect();
                keys.sort();
                return Err(ModelError::Invalid(format!(
                    "ambiguous relation: {:?} could refer to {}",
                    format!("{a} {b}"),
                    keys.join("; ")
                )));
            }
        };
        if self.ctrl.relations.iter().any(|r| r.life == Life::Alive && same_endpoints(&r.endpoints, &pair.1)) {
            return Err(ModelError::Invalid(format!("relation {} already exists", relation_key(&pair))));
        }
        let id = self.new_relation(&pair.0, pair.1.clone());
        let endpoints = pair.1.iter().map(|e| format!("{}:{}", e.app, e.endpoint)).collect();
        self.note(ModelEvent::Integrate { id, endpoints });
        Ok(id)
    }

    /// Remove relation `id`: it becomes Dying; every unit of both sides runs departed for each
    /// remote unit it knows, then broken; the relation goes when the last unit left it.
    pub fn remove_relation(&mut self, id: u32) -> Result<(), ModelError> {
        let relation = self.ctrl.relation_mut(id).ok_or(ModelError::UnknownRelation(id))?;
        if relation.is_peer() {
            return Err(ModelError::Invalid(format!("cannot remove relation {id}: it is a peer relation")));
        }
        if relation.life != Life::Alive {
            return Err(ModelError::Invalid(format!("relation {id} is already dying")));
        }
        relation.life = Life::Dying;
        self.note(ModelEvent::RemoveRelation { id });
        Ok(())
    }

    /// Set config values on `app` (a null value resets the key to the charm's default). Each
    /// key must be one of the charm's options with a value of its type. The units run
    /// config-changed only when the effective config changed.
    pub fn config(
        &mut self,
        app: &str,
        values: impl IntoIterator<Item = (String, serde_json::Value)>,
    ) -> Result<(), ModelError> {
        self.alive_app(app)?;
        let meta = self.meta_of(app)?;
        let values: BTreeMap<String, serde_json::Value> = values.into_iter().collect();
        check_config(app, &meta, &values)?;
        let Some(application) = self.ctrl.applications.get_mut(app) else {
            return Err(ModelError::UnknownApplication(app.to_owned()));
        };
        let before = effective_config(&meta, &application.config);
        for (key, value) in values {
            if value.is_null() {
                application.config.remove(&key);
            } else {
                application.config.insert(key, value);
            }
        }
        if effective_config(&meta, &application.config) != before {
            application.config_version += 1;
        }
        self.note(ModelEvent::Config { app: app.to_owned() });
        Ok(())
    }

    /// Run an action on `unit` (`app/leader` names the leader), settle, and return its record.
    /// The parameters are checked against the action's schema first, as Juju does. An action
    /// that fails (or crashes) fails itself, not the unit: its record says `failed`.
    pub fn run_action(
        &mut self,
        unit: &str,
        name: &str,
        params: serde_json::Map<String, serde_json::Value>,
    ) -> Result<ActionRecord, ModelError> {
        let unit = self.resolve_unit_name(unit)?;
        let u = self.ctrl.units.get(&unit).ok_or_else(|| ModelError::UnknownUnit(unit.clone()))?;
        if u.life == Life::Dead {
            return Err(ModelError::Invalid(format!("unit {unit:?} is dead")));
        }
        let meta = self.meta_of(&u.app)?;
        // Juju's words (apiserver/facades/client/action).
        let spec = meta
            .actions
            .get(name)
            .ok_or_else(|| ModelError::Invalid(format!("action {name:?} not defined on unit {unit:?}")))?;
        spec.check_params(&params, &self.ctrl.model.juju_version)
            .map_err(|e| ModelError::Invalid(format!("action {name:?} on {unit}: {e}")))?;
        let id = self.ctrl.next_action_id.to_string();
        self.ctrl.next_action_id += 1;
        let op = Op { hook: name.to_owned(), action: Some(ActionRequest { id: id.clone(), params }), ..Op::default() };
        if let Some(u) = self.ctrl.units.get_mut(&unit) {
            u.agent.actions.push_back(op);
        }
        self.note(ModelEvent::ActionQueued { unit: unit.clone(), name: name.to_owned(), id: id.clone() });
        self.settle()?;
        self.actions_done
            .get(&id)
            .cloned()
            .ok_or_else(|| ModelError::Invalid(format!("action {name:?} ({id}) did not run on {unit}")))
    }

    /// Move the leadership lease to `unit` (the old leader is deposed: it runs
    /// leader-settings-changed; `unit` runs leader-elected).
    pub fn set_leader(&mut self, unit: &str) -> Result<(), ModelError> {
        let u = self.ctrl.units.get(unit).ok_or_else(|| ModelError::UnknownUnit(unit.to_owned()))?;
        if u.life != Life::Alive {
            return Err(ModelError::Invalid(format!("unit {unit:?} is {}: it cannot lead", life_name(u.life))));
        }
        let app = u.app.clone();
        if self.leader(&app) != Some(unit) {
            self.set_lease(&app, Some(unit.to_owned()));
        }
        Ok(())
    }

    /// Upgrade (refresh) `app` to a new revision of its charm: each unit runs upgrade-charm.
    pub fn upgrade(&mut self, app: &str) -> Result<(), ModelError> {
        self.alive_app(app)?;
        let Some(a) = self.ctrl.applications.get_mut(app) else {
            return Err(ModelError::UnknownApplication(app.to_owned()));
        };
        a.charm_revision += 1;
        let revision = a.charm_revision;
        self.note(ModelEvent::Upgrade { app: app.to_owned(), revision });
        Ok(())
    }

    /// Move the model clock forward: every `update-status-hook-interval` boundary it crosses
    /// is an update-status tick; secret rotation and expiry fall due on the clock.
    pub fn advance_clock(&mut self, by: Duration) {
        let old = self.ctrl.clock;
        let new = chrono::Duration::from_std(by).ok().and_then(|d| old.checked_add_signed(d)).unwrap_or(old);
        let interval = self.ctrl.update_status_interval.max(1) as i64;
        let ticks = new.timestamp().div_euclid(interval) - old.timestamp().div_euclid(interval);
        self.ctrl.clock = new;
        self.ctrl.update_status_tick += ticks.max(0) as u64;
        self.note(ModelEvent::Clock { to: new.to_rfc3339() });
    }

    /// `juju resolved`: retry the hook `unit` is in error for, on the next settle.
    pub fn resolve(&mut self, unit: &str) -> Result<(), ModelError> {
        let u = self.ctrl.units.get_mut(unit).ok_or_else(|| ModelError::UnknownUnit(unit.to_owned()))?;
        // Juju's words (apiserver/facades/client/client resolved).
        let error = u
            .agent
            .error
            .take()
            .ok_or_else(|| ModelError::Invalid(format!("unit {unit:?} is not in an error state")))?;
        u.agent.queued = Some(error.op);
        Ok(())
    }

    /// Kubernetes: the unit's pod is recreated (juju-model.md §1.4): its charm runs
    /// upgrade-charm → config-changed → start, leader-settings-changed on non-leaders, and
    /// pebble-ready for every container (each gets a new Pebble boot).
    pub fn restart_pod(&mut self, unit: &str) -> Result<(), ModelError> {
        self.kubernetes_unit(unit)?;
        let revision = self.app_of(unit).map(|a| a.charm_revision).unwrap_or_default();
        if let Some(u) = self.ctrl.units.get_mut(unit) {
            u.agent.started = false;
            u.agent.leader_settings_seen = None;
            // The charm dir lived on an emptyDir: the new pod's agent deploys the charm again,
            // which it sees as an upgrade (only this unit's view moves). Juju does that before
            // its resolver loop starts (`resolver/loop.go` checkCharmInstallUpgrade), so
            // upgrade-charm runs first, ahead of the Pebble hooks the new boots bring: queued.
            u.agent.charm_revision = revision.wrapping_add(1);
            u.agent.queued = Some(Op::hook(HookKind::UpgradeCharm.juju_name()));
            for boot in u.container_boots.values_mut() {
                *boot += 1;
            }
            u.containers.values_mut().for_each(new_boot);
        }
        self.note(ModelEvent::PodRestart { unit: unit.to_owned() });
        Ok(())
    }

    /// Kubernetes: workload container `container` of `unit` restarts (a new Pebble boot, see
    /// [`new_boot`] for what it keeps): the unit runs `<container>-pebble-ready` for it.
    pub fn restart_container(&mut self, unit: &str, container: &str) -> Result<(), ModelError> {
        self.kubernetes_unit(unit)?;
        let u = self.ctrl.units.get_mut(unit).ok_or_else(|| ModelError::UnknownUnit(unit.to_owned()))?;
        let boot = u
            .container_boots
            .get_mut(container)
            .ok_or_else(|| ModelError::Invalid(format!("unit {unit:?} has no container {container:?}")))?;
        *boot += 1;
        if let Some(state) = u.containers.get_mut(container) {
            new_boot(state);
        }
        self.note(ModelEvent::ContainerRestart { unit: unit.to_owned(), container: container.to_owned() });
        Ok(())
    }

    /// A new unit of `app`: its number, machine, storage (one instance per declared storage,
    /// numbered model-wide as Juju does) and, on Kubernetes, its containers at boot 1.
    fn new_unit(&mut self, app: &str, meta: &CharmMeta) -> String {
        let kubernetes = self.ctrl.model.model_type == ModelType::Kubernetes;
        let (number, revision) = match self.ctrl.applications.get_mut(app) {
            Some(a) => {
                a.next_unit += 1;
                (a.next_unit - 1, a.charm_revision)
            }
            None => (0, 0),
        };
        let name = format!("{app}/{number}");
        let machine = if kubernetes {
            String::new()
        } else {
            let next =
                self.ctrl.units.values().filter_map(|u| u.machine.parse::<u64>().ok()).max().map_or(0, |m| m + 1);
            next.to_string()
        };
        let mut next_storage =
            self.ctrl.units.values().flat_map(|u| &u.storage).map(|s| s.index + 1).max().unwrap_or_default();
        // Storage without `multiple` has a count of exactly 1 (charmcraft's default); goops-juju
        // does not read `multiple`, so every declared storage gets one instance.
        let storage = meta
            .storage
            .iter()
            .map(|(storage_name, spec)| {
                let index = next_storage;
                next_storage += 1;
                Storage {
                    name: storage_name.clone(),
                    index,
                    kind: spec.kind,
                    location: spec
                        .location
                        .clone()
                        .unwrap_or_else(|| format!("/var/lib/juju/storage/{storage_name}/{index}")),
                }
            })
            .collect();
        let (containers, container_boots) = if kubernetes {
            (
                meta.containers.keys().map(|c| (c.clone(), ContainerState::default())).collect(),
                meta.containers.keys().map(|c| (c.clone(), 1)).collect(),
            )
        } else {
            Default::default()
        };
        self.ctrl.units.insert(
            name.clone(),
            Unit {
                name: name.clone(),
                app: app.to_owned(),
                machine,
                storage,
                containers,
                container_boots,
                agent: AgentState { charm_revision: revision, ..AgentState::default() },
                ..Unit::default()
            },
        );
        name
    }

    /// A new relation with a fresh id.
    fn new_relation(&mut self, interface: &str, endpoints: Vec<EndpointRef>) -> u32 {
        let id = self.ctrl.next_relation_id;
        self.ctrl.next_relation_id += 1;
        self.ctrl.relations.push(RelationDoc {
            id,
            interface: interface.to_owned(),
            endpoints,
            ..RelationDoc::default()
        });
        id
    }

    /// `unit` becomes Dying and leaves every relation scope.
    fn make_dying(&mut self, unit: &str) {
        if let Some(u) = self.ctrl.units.get_mut(unit) {
            u.life = Life::Dying;
        }
        for relation in &mut self.ctrl.relations {
            relation.scope.remove(unit);
        }
    }

    /// The endpoint pairs `a` and `b` may mean: `(interface, [a side, b side])`.
    fn candidates(&self, a: &str, b: &str) -> Result<Vec<(String, Vec<EndpointRef>)>, ModelError> {
        let side = |spec: &str| -> Result<Vec<(EndpointRef, RelationRole, String)>, ModelError> {
            let (app, endpoint) = match spec.split_once(':') {
                Some((app, ep)) => (app, Some(ep)),
                None => (spec, None),
            };
            self.alive_app(app)?;
            let meta = self.meta_of(app)?;
            if let Some(ep) = endpoint
                && !meta.endpoints.contains_key(ep)
            {
                return Err(ModelError::Invalid(format!("application {app:?} has no {ep:?} relation")));
            }
            Ok(meta
                .endpoints
                .iter()
                .filter(|(name, e)| e.role != RelationRole::Peers && endpoint.is_none_or(|ep| ep == name.as_str()))
                .map(|(name, e)| {
                    (EndpointRef { app: app.to_owned(), endpoint: name.clone() }, e.role, e.interface.clone())
                })
                .collect())
        };
        let (left, right) = (side(a)?, side(b)?);
        if left.first().zip(right.first()).is_some_and(|(l, r)| l.0.app == r.0.app) {
            return Err(ModelError::Invalid(format!("cannot integrate {a} {b}: an application with itself")));
        }
        let mut pairs = Vec::new();
        for (l, l_role, l_interface) in &left {
            for (r, r_role, r_interface) in &right {
                let complementary = matches!(
                    (l_role, r_role),
                    (RelationRole::Provides, RelationRole::Requires) | (RelationRole::Requires, RelationRole::Provides)
                );
                if complementary && l_interface == r_interface {
                    // The provider first, as `juju status` lists an integration.
                    let pair = if *l_role == RelationRole::Provides { [l, r] } else { [r, l] };
                    pairs.push((l_interface.clone(), pair.map(EndpointRef::clone).to_vec()));
                }
            }
        }
        Ok(pairs)
    }

    /// `app/leader` → the leader's unit name; anything else as given.
    fn resolve_unit_name(&self, unit: &str) -> Result<String, ModelError> {
        match unit.strip_suffix("/leader") {
            Some(app) => {
                self.ctrl.applications.get(app).ok_or_else(|| ModelError::UnknownApplication(app.to_owned()))?;
                self.leader(app)
                    .map(str::to_owned)
                    .ok_or_else(|| ModelError::Invalid(format!("application {app:?} has no leader")))
            }
            None => Ok(unit.to_owned()),
        }
    }

    fn alive_app(&self, app: &str) -> Result<&Application, ModelError> {
        let a = self.ctrl.applications.get(app).ok_or_else(|| ModelError::UnknownApplication(app.to_owned()))?;
        if a.life != Life::Alive {
            return Err(ModelError::Invalid(format!("application {app:?} is {}", life_name(a.life))));
        }
        Ok(a)
    }

    fn app_of(&self, unit: &str) -> Option<&Application> {
        self.ctrl.applications.get(&self.ctrl.units.get(unit)?.app)
    }

    fn meta_of(&self, app: &str) -> Result<CharmMeta, ModelError> {
        self.charms
            .get(app)
            .map(|c| c.meta().clone())
            .ok_or_else(|| ModelError::State(format!("no charm loaded for application {app:?}")))
    }

    fn kubernetes_unit(&self, unit: &str) -> Result<(), ModelError> {
        let u = self.ctrl.units.get(unit).ok_or_else(|| ModelError::UnknownUnit(unit.to_owned()))?;
        if self.ctrl.model.model_type != ModelType::Kubernetes {
            return Err(ModelError::Invalid(format!("{unit}: pods and containers exist only in a Kubernetes model")));
        }
        if u.life == Life::Dead {
            return Err(ModelError::Invalid(format!("unit {unit:?} is dead")));
        }
        Ok(())
    }
}

/// Each key one of the charm's options, each value of its type (null: unset).
fn check_config(app: &str, meta: &CharmMeta, values: &BTreeMap<String, serde_json::Value>) -> Result<(), ModelError> {
    for (key, value) in values {
        let bad = |message: String| ModelError::Config { app: app.to_owned(), key: key.clone(), message };
        let option = meta.config.get(key).ok_or_else(|| bad("the charm declares no such option".to_owned()))?;
        if !value.is_null() && !option.accepts(value) {
            return Err(bad(format!("expected a {} value, given {value}", option.kind)));
        }
    }
    Ok(())
}

/// The config a unit sees: the charm's defaults overlaid with what the operator set.
fn effective_config(
    meta: &CharmMeta,
    set: &BTreeMap<String, serde_json::Value>,
) -> BTreeMap<String, serde_json::Value> {
    let mut config: BTreeMap<String, serde_json::Value> =
        meta.config_defaults().map(|(k, v)| (k.to_owned(), v.clone())).collect();
    config.extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
    config
}

/// Juju's relation key: the endpoints `app:endpoint`, sorted, space-joined.
fn relation_key(pair: &(String, Vec<EndpointRef>)) -> String {
    let mut names: Vec<String> = pair.1.iter().map(|e| format!("{}:{}", e.app, e.endpoint)).collect();
    names.sort();
    names.join(" ")
}

fn same_endpoints(a: &[EndpointRef], b: &[EndpointRef]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

fn life_name(life: Life) -> &'static str {
    match life {
        Life::Alive => "alive",
        Life::Dying => "dying",
        Life::Dead => "dead",
    }
}

/// What a workload container's new Pebble boot starts from: Pebble holds the layers added over
/// its API in memory (`internals/overlord/planstate`), so the plan is empty again, no service
/// runs, and checks and changes start afresh; that is why a sidecar charm sets its layer up in
/// pebble-ready. Files, notices, exec rules and the request history are kept: goops-sim does
/// not tell the image's files from the container's writable layer.
pub(crate) fn new_boot(state: &mut ContainerState) {
    state.layers.clear();
    state.services.clear();
    state.checks.clear();
    state.changes.clear();
}
