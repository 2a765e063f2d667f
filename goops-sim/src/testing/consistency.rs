//! The harness's consistency checks (like Scenario's): a test whose state or event does not fit
//! the charm's metadata is refused before it runs, naming what is wrong.

use goops_juju::ConfigType;
use goops_juju::charmcraft::{CharmMeta, ParamError};
use goops_juju::hooks::RelationEventKind;

use super::on::{On, Target};
use crate::event::EventOptions;
use crate::state::{ContainerState, State};

/// A test whose state or event does not fit the charm (checked before each run).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Inconsistency {
    /// A config key the charm does not declare.
    #[error("config option {key:?} is not declared in the charm's config.options")]
    ConfigUndeclared {
        /// The key.
        key: String,
    },
    /// A config value of the wrong type.
    #[error("config option {key:?} is declared as {expected} but the state gives a {got}")]
    ConfigType {
        /// The key.
        key: String,
        /// The declared type.
        expected: String,
        /// The JSON type given.
        got: &'static str,
    },
    /// A `secret` config value that is not a secret URI.
    #[error(
        "config option {key:?} is a secret option but its value is not a secret URI (secret:<20 chars of [0-9a-z]>)"
    )]
    ConfigSecretUri {
        /// The key.
        key: String,
    },
    /// A relation on an endpoint the charm does not declare.
    #[error("relation {id}: endpoint {endpoint:?} is not declared by the charm (declared: {declared})")]
    RelationUndeclared {
        /// The relation id.
        id: u32,
        /// The endpoint.
        endpoint: String,
        /// The declared endpoints, comma-separated.
        declared: String,
    },
    /// Two relations with one id.
    #[error("relation id {0} is used by two relations")]
    DuplicateRelationId(u32),
    /// A relation marked `peer` on an endpoint that is not a peer endpoint.
    #[error("relation {id}: endpoint {endpoint:?} is marked peer but the charm declares it under provides/requires")]
    NotAPeer {
        /// The relation id.
        id: u32,
        /// The endpoint.
        endpoint: String,
    },
    /// The event's relation is not in the state.
    #[error("{event}: relation {id} is not in the state (pass a relation of the state to the event)")]
    EventRelationMissing {
        /// The event.
        event: String,
        /// The relation id.
        id: u32,
    },
    /// The event's relation is in the state under another endpoint.
    #[error("{event}: relation {id} in the state is on endpoint {found:?}, not {expected:?}")]
    EventRelationMismatch {
        /// The event.
        event: String,
        /// The relation id.
        id: u32,
        /// The event's endpoint.
        expected: String,
        /// The state's endpoint.
        found: String,
    },
    /// A joined/changed/departed event without a remote unit.
    #[error("{event}: relation {id} has no remote units; add one to the relation or set .remote_unit(…)")]
    NoRemoteUnit {
        /// The event.
        event: String,
        /// The relation id.
        id: u32,
    },
    /// The event's remote unit is not in the relation.
    #[error("{event}: remote unit {unit:?} is not in relation {id}")]
    RemoteUnitNotInRelation {
        /// The event.
        event: String,
        /// The unit.
        unit: String,
        /// The relation id.
        id: u32,
    },
    /// The event's secret is not in the state.
    #[error("{event}: secret {id} is not in the state")]
    EventSecretMissing {
        /// The event.
        event: String,
        /// The secret id.
        id: String,
    },
    /// A secret grant on a relation that is not in the state (Juju drops a grant with its
    /// relation).
    #[error("secret {id}: its grant to {target:?} is on relation {relation_id}, which is not in the state")]
    SecretGrantRelationMissing {
        /// The secret id.
        id: String,
        /// The grantee.
        target: String,
        /// The relation id.
        relation_id: u32,
    },
    /// A grant on a consumed secret that covers neither this unit nor its application (the
    /// state holds only the consumer's own view).
    #[error("secret {id}: a consumed secret's grant must name this unit or its application, not {target:?}")]
    SecretGrantNotOurs {
        /// The secret id.
        id: String,
        /// The grantee.
        target: String,
    },
    /// Storage the charm does not declare.
    #[error("storage {name:?} is not declared by the charm")]
    StorageUndeclared {
        /// The storage name.
        name: String,
    },
    /// The event's storage instance is not in the state.
    #[error("{event}: storage {id} is not attached in the state")]
    EventStorageMissing {
        /// The event.
        event: String,
        /// The storage id.
        id: String,
    },
    /// A workload event for a container the charm does not declare.
    #[error("{event}: container {container:?} is not declared by the charm")]
    ContainerUndeclared {
        /// The event.
        event: String,
        /// The container.
        container: String,
    },
    /// A container in the state that the charm does not declare (Scenario: "some containers
    /// declared in the state are not specified in metadata").
    #[error("container {name:?} is in the state but not declared by the charm (declared: {declared})")]
    ContainerNotDeclared {
        /// The container.
        name: String,
        /// The declared containers, comma-separated.
        declared: String,
    },
    /// A workload event for a container the state does not have.
    #[error("{event}: container {container:?} is not in the state (add it to the state's containers)")]
    EventContainerMissing {
        /// The event.
        event: String,
        /// The container.
        container: String,
    },
    /// A workload event for a container whose Pebble cannot be reached: Juju's uniter fires
    /// pebble-ready, pebble-custom-notice and pebble-check-* only from what it read from a
    /// reachable Pebble (a race where Pebble goes away just after is what
    /// `Harness::skip_consistency_checks` is for; Scenario only warns).
    #[error(
        "{event}: container {container:?} has can_connect: false, and Juju fires workload events only from a \
         reachable Pebble"
    )]
    EventContainerCannotConnect {
        /// The event.
        event: String,
        /// The container.
        container: String,
    },
    /// A pebble-custom-notice for a notice the container does not have (Juju fires it for a
    /// notice it read from that container's Pebble; Scenario checks the id likewise).
    #[error("{event}: container {container:?} has no notice with id {id:?}, type {kind:?} and key {key:?}")]
    EventNoticeMissing {
        /// The event.
        event: String,
        /// The container.
        container: String,
        /// The notice id.
        id: String,
        /// The notice type.
        kind: String,
        /// The notice key.
        key: String,
    },
    /// A pebble-check-failed or -recovered for a check neither in the container's plan nor
    /// among its recorded checks (Scenario: "that check is not in the … container").
    #[error("{event}: check {check:?} is not in container {container:?} (neither in its plan nor in its checks)")]
    EventCheckMissing {
        /// The event.
        event: String,
        /// The container.
        container: String,
        /// The check.
        check: String,
    },
    /// Two exec rules of a container with the same command prefix (the second could never
    /// answer; Scenario refuses duplicate prefixes).
    #[error("container {container:?} has two exec rules for the command prefix {command:?}")]
    DuplicateExecRule {
        /// The container.
        container: String,
        /// The prefix.
        command: Vec<String>,
    },
    /// A resource the charm does not declare.
    #[error("resource {name:?} is not declared by the charm")]
    ResourceUndeclared {
        /// The resource name.
        name: String,
    },
    /// An action the charm does not declare.
    #[error("action {action:?} is not declared by the charm (declared: {declared})")]
    ActionUndeclared {
        /// The action.
        action: String,
        /// The declared actions, comma-separated.
        declared: String,
    },
    /// An action parameter the action does not declare, where Juju refuses undeclared ones
    /// (`additionalProperties: false`, or Juju 4 when the action does not say).
    #[error("action {action:?}: parameter {param:?} is not declared")]
    ActionParamUnknown {
        /// The action.
        action: String,
        /// The parameter.
        param: String,
    },
    /// An action parameter of the wrong type.
    #[error("action {action:?}: parameter {param:?} must be of type {expected}, got a {got}")]
    ActionParamType {
        /// The action.
        action: String,
        /// The parameter.
        param: String,
        /// The declared JSON-schema type.
        expected: String,
        /// The JSON type given.
        got: &'static str,
    },
    /// A required action parameter is missing.
    #[error("action {action:?}: required parameter {param:?} is missing")]
    ActionParamMissing {
        /// The action.
        action: String,
        /// The parameter.
        param: String,
    },
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) if n.is_f64() => "number",
        serde_json::Value::Number(_) => "integer",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// Check `state` and `event` against the charm's metadata.
pub(super) fn check(meta: &CharmMeta, event: &On, state: &State) -> Result<(), Inconsistency> {
    // Config: declared keys of the declared type (Scenario's check 2).
    for (key, value) in &state.config {
        let Some(option) = meta.config.get(key) else {
            return Err(Inconsistency::ConfigUndeclared { key: key.clone() });
        };
        if option.kind == ConfigType::Secret
            && value.as_str().is_none_or(|uri| goops_juju::secret::check_secret_uri(uri).is_err())
        {
            return Err(Inconsistency::ConfigSecretUri { key: key.clone() });
        }
        if !option.accepts(value) {
            return Err(Inconsistency::ConfigType {
                key: key.clone(),
                expected: option.kind.to_string(),
                got: json_type(value),
            });
        }
    }
    // Relations (check 7), storage (6), resources (3).
    let mut ids = std::collections::BTreeSet::new();
    for relation in &state.relations {
        if !ids.insert(relation.id) {
            return Err(Inconsistency::DuplicateRelationId(relation.id));
        }
        if !meta.endpoints.contains_key(&relation.endpoint) {
            return Err(Inconsistency::RelationUndeclared {
                id: relation.id,
                endpoint: relation.endpoint.clone(),
                declared: meta.endpoints.keys().cloned().collect::<Vec<_>>().join(", "),
            });
        }
        if relation.peer && !meta.is_peer(&relation.endpoint) {
            return Err(Inconsistency::NotAPeer { id: relation.id, endpoint: relation.endpoint.clone() });
        }
    }
    for storage in &state.storage {
        if !meta.storage.contains_key(&storage.name) {
            return Err(Inconsistency::StorageUndeclared { name: storage.name.clone() });
        }
    }
    for (name, container) in &state.containers {
        if !meta.containers.contains_key(name) {
            return Err(Inconsistency::ContainerNotDeclared {
                name: name.clone(),
                declared: meta.containers.keys().cloned().collect::<Vec<_>>().join(", "),
            });
        }
        let mut prefixes = std::collections::BTreeSet::new();
        for rule in &container.exec_rules {
            if !prefixes.insert(&rule.command) {
                return Err(Inconsistency::DuplicateExecRule {
                    container: name.clone(),
                    command: rule.command.clone(),
                });
            }
        }
    }
    for name in state.resources.keys() {
        if !meta.resources.contains_key(name) {
            return Err(Inconsistency::ResourceUndeclared { name: name.clone() });
        }
    }
    // Secret grants: on relations in the state; a consumed secret's name this unit or its app.
    for secret in &state.secrets {
        for grant in &secret.grants {
            let (id, target) = (secret.id.clone(), grant.target.clone());
            if state.relation(grant.relation_id).is_none() {
                return Err(Inconsistency::SecretGrantRelationMissing { id, target, relation_id: grant.relation_id });
            }
            if !secret.is_owned() && grant.target != state.unit && grant.target != state.app() {
                return Err(Inconsistency::SecretGrantNotOurs { id, target });
            }
        }
    }
    // The event's own references (checks 1, 4, 5).
    let name = event.name.clone();
    match &event.target {
        Target::None => {}
        Target::Relation { id, endpoint, kind } => {
            let relation = state
                .relation(*id)
                .ok_or_else(|| Inconsistency::EventRelationMissing { event: name.clone(), id: *id })?;
            if &relation.endpoint != endpoint {
                return Err(Inconsistency::EventRelationMismatch {
                    event: name,
                    id: *id,
                    expected: endpoint.clone(),
                    found: relation.endpoint.clone(),
                });
            }
            use RelationEventKind::{Changed, Departed, Joined};
            if matches!(kind, Joined | Changed | Departed) {
                match &event.options.remote_unit {
                    None if relation.remote_units.is_empty() => {
                        return Err(Inconsistency::NoRemoteUnit { event: name, id: *id });
                    }
                    Some(unit) if *kind != Departed && !relation.remote_units.contains_key(unit) => {
                        return Err(Inconsistency::RemoteUnitNotInRelation {
                            event: name,
                            unit: unit.clone(),
                            id: *id,
                        });
                    }
                    _ => {}
                }
            }
        }
        Target::Secret { id } => {
            if state.secret(id).is_none() {
                return Err(Inconsistency::EventSecretMissing { event: name, id: id.clone() });
            }
        }
        Target::Storage { name: storage, id } => {
            if !meta.storage.contains_key(storage) {
                return Err(Inconsistency::StorageUndeclared { name: storage.clone() });
            }
            if !state.storage.iter().any(|s| &s.id() == id) {
                return Err(Inconsistency::EventStorageMissing { event: name, id: id.clone() });
            }
        }
        Target::Container { name: container } => {
            if !meta.containers.contains_key(container) {
                return Err(Inconsistency::ContainerUndeclared { event: name, container: container.clone() });
            }
            let Some(state_container) = state.containers.get(container) else {
                return Err(Inconsistency::EventContainerMissing { event: name, container: container.clone() });
            };
            if !state_container.can_connect {
                return Err(Inconsistency::EventContainerCannotConnect { event: name, container: container.clone() });
            }
            check_workload_event(&name, container, state_container, &event.options)?;
        }
        Target::Action { name: action } => check_action(meta, action, &event.options.params, state)?,
    }
    Ok(())
}

/// The notice of a pebble-custom-notice, the check of a pebble-check-*: in the container.
fn check_workload_event(
    event: &str,
    name: &str,
    container: &ContainerState,
    options: &EventOptions,
) -> Result<(), Inconsistency> {
    if let Some((id, kind, key)) = &options.notice {
        let found = container.notices.iter().any(|n| &n.id == id && &n.kind == kind && &n.key == key);
        if !found {
            return Err(Inconsistency::EventNoticeMissing {
                event: event.to_owned(),
                container: name.to_owned(),
                id: id.clone(),
                kind: kind.clone(),
                key: key.clone(),
            });
        }
    }
    if let Some(check) = &options.check {
        let planned = crate::pebble::plan_json(container)
            .ok()
            .is_some_and(|plan| plan.get("checks").and_then(|c| c.get(check)).is_some());
        if !planned && !container.checks.contains_key(check) {
            return Err(Inconsistency::EventCheckMissing {
                event: event.to_owned(),
                container: name.to_owned(),
                check: check.clone(),
            });
        }
    }
    Ok(())
}

/// A declared action with parameters that fit its schema, read as the model's Juju version does
/// (goops-juju's `ActionSpec::check_params`).
fn check_action(
    meta: &CharmMeta,
    action: &str,
    params: &serde_json::Map<String, serde_json::Value>,
    state: &State,
) -> Result<(), Inconsistency> {
    let Some(spec) = meta.actions.get(action) else {
        return Err(Inconsistency::ActionUndeclared {
            action: action.to_owned(),
            declared: meta.actions.keys().cloned().collect::<Vec<_>>().join(", "),
        });
    };
    let action = action.to_owned();
    match spec.check_params(params, &state.model.juju_version) {
        Ok(()) => Ok(()),
        Err(ParamError::Undeclared(param)) => Err(Inconsistency::ActionParamUnknown { action, param }),
        Err(ParamError::WrongType { param, expected, .. }) => {
            let got = params.get(&param).map_or("null", json_type);
            Err(Inconsistency::ActionParamType { action, param, expected, got })
        }
        Err(ParamError::Missing(param)) => Err(Inconsistency::ActionParamMissing { action, param }),
    }
}

#[cfg(test)]
mod tests {
    use goops_juju::hooks::HookKind;

    use super::*;
    use crate::state::SecretGrant;

    const CHARMCRAFT: &str = include_str!("../../tests/fixtures/demo-charmcraft.yaml");
    const BASE_STATE: &str = include_str!("../../tests/fixtures/demo-state.json");

    fn checked(edit: impl FnOnce(&mut State)) -> Result<(), Inconsistency> {
        let meta = CharmMeta::from_charmcraft_yaml(CHARMCRAFT).expect("fixture metadata parses");
        let mut state = State::from_json(BASE_STATE).expect("fixture state parses");
        edit(&mut state);
        check(&meta, &On::unit_hook(HookKind::Install), &state)
    }

    #[test]
    fn secret_grants_must_fit_the_state() {
        assert_eq!(checked(|_| {}), Ok(()));
        assert_eq!(
            checked(|s| s.secrets[1].grants[0].relation_id = 9),
            Err(Inconsistency::SecretGrantRelationMissing {
                id: "secret:bbbbbbbbbbbbbbbbbbbb".into(),
                target: "demo".into(),
                relation_id: 9
            })
        );
        let err = checked(|s| s.secrets[1].grants[0].target = "other".into()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "secret secret:bbbbbbbbbbbbbbbbbbbb: a consumed secret's grant must name this unit or its application, not \"other\""
        );
        // An owned secret's grants name the grantees, not this unit.
        let grant = SecretGrant { relation_id: 1, target: "pg/0".into() };
        assert_eq!(checked(|s| s.secrets[0].grants.push(grant)), Ok(()));
    }
}
