//! What goops-sim refuses before a hook runs: a state that cannot happen for the charm (like
//! Scenario's consistency checker, but only what Juju itself would never produce).

use goops_juju::charmcraft::CharmMeta;

use crate::state::State;

/// Relations on declared endpoints with units of the right application, declared storage and
/// resources.
pub(super) fn check_against_meta(state: &State, meta: &CharmMeta) -> Result<(), String> {
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
            if goops_juju::unit::app_of(unit).ok() != Some(owner) {
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
            if !meta.resources.contains_key(name) {
                return Err(format!("resource {name:?} is not declared by the charm"));
            }
        }
    }
    Ok(())
}

/// Config values of declared options, of their declared type (`null` unsets an option).
pub(super) fn check_config(state: &State, meta: &CharmMeta) -> Result<(), String> {
    if meta.config.is_empty() {
        return Ok(());
    }
    for (key, value) in &state.config {
        let Some(option) = meta.config.get(key) else {
            return Err(format!("config option {key:?} is not declared by the charm"));
        };
        if !option.accepts(value) && !value.is_null() {
            return Err(format!("config option {key:?} must be of type {}, got {value}", option.kind));
        }
    }
    Ok(())
}
