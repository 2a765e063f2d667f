//! The environment Juju sets for an event (docs/hook-tools.md §3). Which variables exist comes
//! from goops-juju's table ([`COMMON_VARS`], [`HookKind::context_vars`], [`ACTION_VARS`]); the
//! values come from the event and the state.

use goops_juju::hooks::{ACTION_VARS, COMMON_VARS};

use super::Event;
use crate::state::{ModelType, State};

/// Where the hook runs: its charm dir, context id and agent socket.
pub(crate) struct Place<'a> {
    pub(crate) charm_dir: &'a str,
    pub(crate) context_id: &'a str,
    pub(crate) socket: &'a str,
}

impl Event {
    /// The variables Juju sets for this event, each name once, for a unit in `state`. A context
    /// variable the event has no value for is left out (as Juju leaves out
    /// `JUJU_DEPARTING_UNIT` outside relation-departed).
    pub(crate) fn env(&self, state: &State, place: &Place<'_>) -> Vec<(&'static str, String)> {
        let specific = match self.hook_kind() {
            Some(kind) => kind.context_vars(),
            None => ACTION_VARS,
        };
        let mut vars = Vec::with_capacity(COMMON_VARS.len() + specific.len());
        // A `juju exec` command gets the context's variables only: JUJU_DISPATCH_PATH is added
        // by `runCharmHookWithLocation`, which a command does not go through (runner.go).
        let common = COMMON_VARS.iter().filter(|&&name| !(self.is_exec() && name == "JUJU_DISPATCH_PATH"));
        vars.extend(common.map(|&name| (name, self.common_value(name, state, place))));
        vars.extend(specific.iter().filter_map(|&name| Some((name, self.context_value(name)?))));
        vars
    }

    fn common_value(&self, name: &str, state: &State, place: &Place<'_>) -> String {
        let text = |s: &str| s.to_owned();
        match name {
            "JUJU_CHARM_DIR" | "CHARM_DIR" => text(place.charm_dir),
            "JUJU_CONTEXT_ID" => text(place.context_id),
            "JUJU_HOOK_NAME" if self.is_action() => String::new(),
            "JUJU_HOOK_NAME" => self.name(),
            "JUJU_DISPATCH_PATH" => self.dispatch_path(),
            "JUJU_AGENT_SOCKET_ADDRESS" => text(place.socket),
            "JUJU_AGENT_SOCKET_NETWORK" => text("unix"),
            "JUJU_UNIT_NAME" => state.unit.clone(),
            "JUJU_MODEL_UUID" => state.model.uuid.clone(),
            "JUJU_MODEL_NAME" => state.model.name.clone(),
            "JUJU_API_ADDRESSES" => text("10.0.0.1:17070"),
            "JUJU_MACHINE_ID" if state.model.model_type == ModelType::Kubernetes => String::new(),
            "JUJU_MACHINE_ID" => state.machine_id.clone(),
            "JUJU_PRINCIPAL_UNIT" => state.principal_unit.clone(),
            "JUJU_AVAILABILITY_ZONE" => state.availability_zone.clone(),
            "JUJU_VERSION" => state.model.juju_version.clone(),
            "JUJU_SLA" => text("unsupported"),
            // CLOUD_API_VERSION and the JUJU_CHARM_*_PROXY settings: none in a local model.
            _ => String::new(),
        }
    }

    /// The value of one of the event's own variables, if the event has one.
    fn context_value(&self, name: &str) -> Option<String> {
        let text = |s: &str| Some(s.to_owned());
        match (self, name) {
            (Event::Relation { relation, .. }, "JUJU_RELATION") => text(&relation.endpoint),
            (Event::Relation { relation, .. }, "JUJU_RELATION_ID") => Some(relation.to_string()),
            (Event::Relation { remote_unit, .. }, "JUJU_REMOTE_UNIT") => text(remote_unit.as_deref().unwrap_or("")),
            (Event::Relation { remote_app, .. }, "JUJU_REMOTE_APP") => text(remote_app),
            (Event::Relation { departing_unit, .. }, "JUJU_DEPARTING_UNIT") => departing_unit.clone(),
            (Event::Secret { id, .. }, "JUJU_SECRET_ID") => text(id),
            (Event::Secret { label, .. }, "JUJU_SECRET_LABEL") => text(label.as_deref().unwrap_or("")),
            (Event::Secret { revision, .. }, "JUJU_SECRET_REVISION") => {
                revision.filter(|r| *r > 0).map(|r| r.to_string())
            }
            (Event::Storage { id, .. }, "JUJU_STORAGE_ID") => text(id),
            (Event::Storage { location, .. }, "JUJU_STORAGE_LOCATION") => text(location),
            (Event::Storage { storage_kind, .. }, "JUJU_STORAGE_KIND") => text(storage_kind.as_str()),
            (Event::Workload { container, .. }, "JUJU_WORKLOAD_NAME") => text(container),
            (Event::Workload { notice, .. }, "JUJU_NOTICE_ID") => notice.as_ref().map(|n| n.0.clone()),
            (Event::Workload { notice, .. }, "JUJU_NOTICE_TYPE") => notice.as_ref().map(|n| n.1.clone()),
            (Event::Workload { notice, .. }, "JUJU_NOTICE_KEY") => notice.as_ref().map(|n| n.2.clone()),
            (Event::Workload { check, .. }, "JUJU_PEBBLE_CHECK_NAME") => check.clone(),
            (Event::Action { name, .. }, "JUJU_ACTION_NAME") => text(name),
            (Event::Action { id, .. }, "JUJU_ACTION_UUID") => text(id),
            (Event::Action { id, .. }, "JUJU_ACTION_TAG") => Some(format!("action-{id}")),
            (Event::Unit { target_base, .. }, "JUJU_TARGET_BASE") => target_base.clone(),
            (Event::Unit { target_base, .. }, "JUJU_TARGET_SERIES") => {
                target_base.as_deref().and_then(goops_juju::unit::series_of_base).map(str::to_owned)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use goops_juju::hooks::HookKind;

    use super::*;

    const PLACE: Place<'static> = Place { charm_dir: "/c", context_id: "ctx", socket: "@s" };

    #[test]
    fn env_names_the_hook_or_the_action() {
        let state = State::default();
        let vars = |event: &Event| -> BTreeMap<&str, String> { event.env(&state, &PLACE).into_iter().collect() };
        let install = Event::Unit { kind: HookKind::Install, target_base: None };
        let hook = vars(&install);
        assert_eq!(
            (hook["JUJU_HOOK_NAME"].as_str(), hook["JUJU_DISPATCH_PATH"].as_str()),
            ("install", "hooks/install")
        );
        let action = Event::Action { name: "backup".to_owned(), id: "7".to_owned(), params: Default::default() };
        let action = vars(&action);
        assert_eq!((action["JUJU_HOOK_NAME"].as_str(), action["JUJU_DISPATCH_PATH"].as_str()), ("", "actions/backup"));
        assert_eq!(action["JUJU_ACTION_TAG"], "action-7");
        // Each name once, so a map of them loses nothing; every common variable is set.
        assert_eq!(hook.len(), install.env(&state, &PLACE).len());
        assert!(COMMON_VARS.iter().all(|v| hook.contains_key(v)));
        assert_eq!(hook.len(), COMMON_VARS.len());
    }

    #[test]
    fn a_juju_exec_command_has_the_action_variables_and_no_dispatch_path() {
        let state = State::default();
        let exec = Event::juju_exec("true", std::time::Duration::from_secs(60), "4");
        let vars: BTreeMap<&str, String> = exec.env(&state, &PLACE).into_iter().collect();
        assert!(!vars.contains_key("JUJU_DISPATCH_PATH"));
        assert_eq!(vars["JUJU_HOOK_NAME"], "");
        assert_eq!(vars["JUJU_ACTION_NAME"], "juju-exec");
        assert_eq!(vars["JUJU_ACTION_TAG"], "action-4");
    }

    #[test]
    fn every_context_variable_of_the_table_has_a_value_where_the_event_has_one() {
        use goops_juju::hooks::{RelationEventKind, SecretEventKind, StorageEventKind, WorkloadEventKind};
        let state = State::default();
        let relation = |kind| Event::Relation {
            kind,
            relation: goops_juju::RelationId::new("db", 1),
            remote_app: "pg".into(),
            remote_unit: Some("pg/0".into()),
            departing_unit: Some("pg/0".into()),
        };
        let events = [
            relation(RelationEventKind::Changed),
            relation(RelationEventKind::Departed),
            Event::Secret { kind: SecretEventKind::Expired, id: "secret:x".into(), label: None, revision: Some(2) },
            Event::Storage {
                kind: StorageEventKind::Attached,
                id: "data/0".into(),
                storage_kind: goops_juju::StorageKind::Block,
                location: "/dev/sdb".into(),
            },
            Event::Workload {
                kind: WorkloadEventKind::PebbleCustomNotice,
                container: "web".into(),
                notice: Some(("1".into(), "custom".into(), "k".into())),
                check: None,
            },
            Event::Workload {
                kind: WorkloadEventKind::PebbleCheckFailed,
                container: "web".into(),
                notice: None,
                check: Some("alive".into()),
            },
        ];
        for event in events {
            let vars: BTreeMap<&str, String> = event.env(&state, &PLACE).into_iter().collect();
            for name in event.hook_kind().unwrap().context_vars() {
                assert!(vars.contains_key(name), "{}: {name} missing", event.name());
            }
        }
    }
}
