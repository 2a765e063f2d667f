//! Typed asserts on a workload container after a run: its plan, services, checks, files, exec
//! calls and Pebble requests, read from the new state's [`ContainerState`].
//!
//! ```ignore
//! let out = harness.run(On::pebble_ready("web"), &state)?;
//! let web = out.container("web").expect("web is in the state");
//! assert_eq!(web.plan()?.service("app").unwrap().command(), Some("/bin/app --port 8080"));
//! assert!(web.service("app").unwrap().is_running());
//! let conf = web.file("/etc/app.conf").unwrap();
//! assert_eq!(conf.text(), Some("port = 8080\n"));
//! assert_eq!(conf.permissions(), 0o600);
//! assert_eq!(web.exec_history(), [["/bin/app", "--version"]]);
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

use super::RunReport;
use crate::state::{
    CheckRecord, ContainerState, ExecRecord, FileRecord, NoticeRecord, PebbleRequestRecord, ServiceRecord,
    ServiceStatus,
};

impl RunReport {
    /// The container `name` as the run left it (`None` when the state has no such container).
    pub fn container(&self, name: &str) -> Option<ContainerView<'_>> {
        self.state.containers.get_key_value(name).map(|(name, state)| ContainerView { name, state })
    }
}

/// One container of a run's new state, for asserts. See the [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct ContainerView<'a> {
    name: &'a str,
    state: &'a ContainerState,
}

impl<'a> ContainerView<'a> {
    /// A view of `state` (a container of any state, e.g. `state.containers["web"]`).
    pub fn new(name: &'a str, state: &'a ContainerState) -> ContainerView<'a> {
        ContainerView { name, state }
    }

    /// The container's name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The whole recorded state.
    pub fn state(&self) -> &'a ContainerState {
        self.state
    }

    /// Whether the charm can reach this container's Pebble.
    pub fn can_connect(&self) -> bool {
        self.state.can_connect
    }

    /// The labels of the layers added, in order.
    pub fn layer_labels(&self) -> Vec<&'a str> {
        self.state.layers.iter().map(|l| l.label.as_str()).collect()
    }

    /// The plan: the layers combined in order, as Pebble combines them (an error when a
    /// layer of a hand-written state does not parse or combine).
    pub fn plan(&self) -> Result<Plan, String> {
        crate::pebble::plan_json(self.state).map(|plan| Plan { plan })
    }

    /// The service `name`, if the plan has it or it has a recorded status.
    pub fn service(&self, name: &str) -> Option<Service> {
        let config = self.plan().ok().and_then(|p| p.section("services").remove(name));
        let record = self.state.services.get(name).cloned();
        (config.is_some() || record.is_some()).then_some(Service { config, record })
    }

    /// The names of the services that are running.
    pub fn running_services(&self) -> Vec<&'a str> {
        self.state
            .services
            .iter()
            .filter(|(_, s)| s.current == ServiceStatus::Active)
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// The check `name`'s recorded status.
    pub fn check(&self, name: &str) -> Option<&'a CheckRecord> {
        self.state.checks.get(name)
    }

    /// The file or directory at `path` (absolute, in the container).
    pub fn file(&self, path: &str) -> Option<File<'a>> {
        self.state.files.get(path).map(|record| File { record })
    }

    /// The argv of every exec call, in order.
    pub fn exec_history(&self) -> Vec<&'a [String]> {
        self.state.exec_history.iter().map(|e| e.command.as_slice()).collect()
    }

    /// Every exec call with what it asked for (environment, user, working dir, stdin size) and
    /// the exit code it got.
    pub fn execs(&self) -> &'a [ExecRecord] {
        &self.state.exec_history
    }

    /// The notices.
    pub fn notices(&self) -> &'a [NoticeRecord] {
        &self.state.notices
    }

    /// Every Pebble request, in order.
    pub fn requests(&self) -> &'a [PebbleRequestRecord] {
        &self.state.history
    }
}

/// A container's plan, for asserts.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    plan: Value,
}

impl Plan {
    /// The plan as JSON in Pebble's shape (`services`, `checks`, `log-targets`).
    pub fn as_json(&self) -> &Value {
        &self.plan
    }

    fn section(&self, name: &str) -> BTreeMap<String, Value> {
        match self.plan.get(name) {
            Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => BTreeMap::new(),
        }
    }

    /// The names of the plan's services.
    pub fn service_names(&self) -> Vec<String> {
        self.section("services").into_keys().collect()
    }

    /// The service `name`'s combined config.
    pub fn service(&self, name: &str) -> Option<PlanEntry> {
        self.section("services").remove(name).map(|config| PlanEntry { config })
    }

    /// The names of the plan's checks.
    pub fn check_names(&self) -> Vec<String> {
        self.section("checks").into_keys().collect()
    }

    /// The check `name`'s combined config.
    pub fn check(&self, name: &str) -> Option<PlanEntry> {
        self.section("checks").remove(name).map(|config| PlanEntry { config })
    }
}

/// A service or check of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEntry {
    config: Value,
}

impl PlanEntry {
    /// A field as text (`command`, `startup`, `override`, `level`, …).
    pub fn get(&self, field: &str) -> Option<&str> {
        self.config.get(field)?.as_str()
    }

    /// A field as JSON (`environment`, `http`, `threshold`, …).
    pub fn field(&self, field: &str) -> Option<&Value> {
        self.config.get(field)
    }

    /// A service's `command`.
    pub fn command(&self) -> Option<&str> {
        self.get("command")
    }

    /// A service's `startup` (`enabled`, `disabled`).
    pub fn startup(&self) -> Option<&str> {
        self.get("startup")
    }

    /// A service's `environment`.
    pub fn environment(&self) -> BTreeMap<String, String> {
        match self.config.get("environment") {
            Some(Value::Object(map)) => {
                map.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect()
            }
            _ => BTreeMap::new(),
        }
    }

    /// A check's `level` (`alive`, `ready`).
    pub fn level(&self) -> Option<&str> {
        self.get("level")
    }

    /// The whole config as JSON.
    pub fn as_json(&self) -> &Value {
        &self.config
    }
}

/// A service: its config in the plan and its recorded status.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    config: Option<Value>,
    record: Option<ServiceRecord>,
}

impl Service {
    /// Its status as Pebble reports it (`inactive` when never started).
    pub fn status(&self) -> ServiceStatus {
        self.record.as_ref().map_or(ServiceStatus::Inactive, |r| r.current)
    }

    /// Whether it is running (`active`).
    pub fn is_running(&self) -> bool {
        self.status() == ServiceStatus::Active
    }

    /// How many times it was started (starts of a running service do not count).
    pub fn starts(&self) -> u32 {
        self.record.as_ref().map_or(0, |r| r.starts)
    }

    /// Its config in the plan (`None` when the plan no longer has it).
    pub fn config(&self) -> Option<PlanEntry> {
        self.config.clone().map(|config| PlanEntry { config })
    }
}

/// A file or directory of a container.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct File<'a> {
    record: &'a FileRecord,
}

impl<'a> File<'a> {
    /// Whether it is a directory.
    pub fn is_dir(&self) -> bool {
        self.record.dir
    }

    /// Its content as text (`None` for a directory or content that is not UTF-8).
    pub fn text(&self) -> Option<&'a str> {
        self.record.content.as_deref()
    }

    /// Its content (empty for a directory; `None` if the recorded base64 is broken).
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match (&self.record.content, &self.record.content_base64) {
            (Some(text), _) => Some(text.as_bytes().to_vec()),
            (None, Some(encoded)) => crate::b64::decode(encoded),
            (None, None) => Some(Vec::new()),
        }
    }

    /// Its permission bits (`0o644`); Pebble's default when none were asked for (0o644 for a
    /// file, 0o755 for a directory).
    pub fn permissions(&self) -> u32 {
        let default = if self.record.dir { 0o755 } else { 0o644 };
        u32::from_str_radix(&self.record.permissions, 8).unwrap_or(default)
    }

    /// The owner asked for: the user name, else the UID as text.
    pub fn user(&self) -> Option<String> {
        self.record.user.clone().or_else(|| self.record.user_id.map(|id| id.to_string()))
    }

    /// The group asked for: the group name, else the GID as text.
    pub fn group(&self) -> Option<String> {
        self.record.group.clone().or_else(|| self.record.group_id.map(|id| id.to_string()))
    }

    /// The whole record.
    pub fn record(&self) -> &'a FileRecord {
        self.record
    }
}
