//! `juju status` for a model: applications, units, leaders, relations, as a typed value (with
//! jubilant-like helpers for tests), as text like `juju status`, and as JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::agent;
use super::controller::{Controller, Life};
use crate::state::{ModelType, StatusName, StatusRecord};

/// The model's status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModelStatus {
    /// The model's name.
    #[serde(default)]
    pub model: String,
    /// `machine` or `kubernetes`.
    #[serde(default, rename = "type")]
    pub model_type: ModelType,
    /// The Juju version the units see.
    #[serde(default)]
    pub juju_version: String,
    /// Applications by name.
    pub applications: BTreeMap<String, AppStatus>,
    /// Relations: `(id, "a:ep", "b:ep")`; a peer relation names one endpoint twice.
    pub relations: Vec<RelationStatus>,
}

/// One application's status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AppStatus {
    /// The charm name.
    pub charm: String,
    /// The charm revision.
    #[serde(default)]
    pub revision: u32,
    /// The application status: as set by its leader, or derived from its units' workload
    /// statuses when the leader has set none (Juju's `DeriveStatus`).
    pub status: StatusRecord,
    /// The workload version: the lowest-numbered unit's that has one. (Juju shows the most
    /// recently set one, apiserver client/status.go `bySinceDescending`; the model does not
    /// record when a unit set its version.)
    pub version: String,
    /// The leader.
    pub leader: Option<String>,
    /// Alive or dying.
    #[serde(default)]
    pub life: Life,
    /// Units by name (dead units are gone, as in `juju status`).
    pub units: BTreeMap<String, UnitStatus>,
}

/// One unit's status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UnitStatus {
    /// The workload status; `error` with `hook failed: "<hook>"` while a hook is in error.
    pub workload: StatusRecord,
    /// The agent: `allocating` (no hook run yet), `executing` (it has hooks to run), `idle`
    /// (nothing to do, or a hook in error: Juju shows the error on the workload).
    pub agent: String,
    /// Whether it is the leader.
    pub leader: bool,
    /// The workload version.
    pub version: String,
    /// The machine (machine models).
    #[serde(default)]
    pub machine: String,
    /// Opened ports, as Juju writes them (`80/tcp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
    /// Alive or dying.
    #[serde(default)]
    pub life: Life,
}

/// One relation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RelationStatus {
    /// The id.
    pub id: u32,
    /// `app:endpoint` of each side.
    pub endpoints: Vec<String>,
    /// The interface.
    pub interface: String,
    /// Alive or dying.
    #[serde(default)]
    pub life: Life,
}

/// The agent status names Juju shows (core/status/status.go).
const IDLE: &str = "idle";
const EXECUTING: &str = "executing";
const ALLOCATING: &str = "allocating";

impl ModelStatus {
    /// The status of `ctrl`.
    pub fn of(ctrl: &Controller) -> ModelStatus {
        let mut applications = BTreeMap::new();
        for (name, app) in &ctrl.applications {
            let mut units = BTreeMap::new();
            for unit_name in ctrl.units_of(name) {
                let Some(unit) = ctrl.units.get(&unit_name) else { continue };
                if unit.life == Life::Dead || unit.agent.removed {
                    continue;
                }
                units.insert(unit_name.clone(), unit_status(ctrl, &unit_name, unit, app.leader.as_deref()));
            }
            // Juju shows the application's status as its leader set it; with none set, the most
            // severe of its units' (core/status/status.go `DeriveStatus`).
            let status = if app.status.status == StatusName::Unknown {
                derive_status(units.values().map(|u| &u.workload))
            } else {
                app.status.clone()
            };
            let version = ctrl
                .units_of(name)
                .iter()
                .filter_map(|u| units.get(u))
                .map(|u| u.version.clone())
                .find(|v| !v.is_empty())
                .unwrap_or_default();
            applications.insert(
                name.clone(),
                AppStatus {
                    charm: app.charm_name.clone(),
                    revision: app.charm_revision,
                    status,
                    version,
                    leader: app.leader.clone(),
                    life: app.life,
                    units,
                },
            );
        }
        let relations = ctrl
            .relations
            .iter()
            .filter(|r| r.life != Life::Dead)
            .map(|r| RelationStatus {
                id: r.id,
                endpoints: r.endpoints.iter().map(|e| format!("{}:{}", e.app, e.endpoint)).collect(),
                interface: r.interface.clone(),
                life: r.life,
            })
            .collect();
        ModelStatus {
            model: ctrl.model.name.clone(),
            model_type: ctrl.model.model_type,
            juju_version: ctrl.model.juju_version.clone(),
            applications,
            relations,
        }
    }

    /// An application's status.
    pub fn app(&self, name: &str) -> Option<&AppStatus> {
        self.applications.get(name)
    }

    /// A unit's status (`app/N`).
    pub fn unit(&self, name: &str) -> Option<&UnitStatus> {
        let app = name.split_once('/').map_or(name, |(app, _)| app);
        self.applications.get(app)?.units.get(name)
    }

    /// Whether every application and every unit's workload is `active` (jubilant's
    /// `all_active`). A model with no application is not active.
    pub fn all_active(&self) -> bool {
        !self.applications.is_empty() && self.applications.values().all(AppStatus::is_active)
    }

    /// Whether each of `apps` exists and it and its units are `active` (jubilant's
    /// `all_active(status, *apps)`: a missing application is not active).
    pub fn apps_active(&self, apps: &[&str]) -> bool {
        apps.iter().all(|a| self.applications.get(*a).is_some_and(AppStatus::is_active))
    }

    /// Whether every unit's agent is `idle` (jubilant's `all_agents_idle`). A unit in hook
    /// error is idle, as in Juju.
    pub fn all_agents_idle(&self) -> bool {
        self.units().all(|(_, u)| u.agent == IDLE)
    }

    /// Whether any application or unit is in `error` (jubilant's `any_error`).
    pub fn any_error(&self) -> bool {
        self.applications.values().any(|a| a.status.status == StatusName::Error)
            || self.units().any(|(_, u)| u.workload.status == StatusName::Error)
    }

    /// Every unit, in Juju's order (by application, then number).
    pub fn units(&self) -> impl Iterator<Item = (&String, &UnitStatus)> {
        self.applications.values().flat_map(|a| {
            let mut units: Vec<_> = a.units.iter().collect();
            units.sort_by_key(|(n, _)| super::controller::unit_sort_key(n));
            units
        })
    }

    /// The status as JSON (pretty).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()))
    }

    /// The status as `juju status` prints it (cmd/juju/status/output_tabular.go): the model
    /// line, the App table, the Unit table (leader marked `*`), the Integration table.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut model = Table::new(&["Model", "Controller", "Cloud/Region", "Version"]);
        let cloud = match self.model_type {
            ModelType::Machine => "local/machine",
            ModelType::Kubernetes => "local/kubernetes",
        };
        model.row(vec![self.model.clone(), "goops-sim".into(), cloud.into(), self.juju_version.clone()]);
        out.push_str(&model.render());
        let kubernetes = self.model_type == ModelType::Kubernetes;
        let app_headers: &[&str] = if kubernetes {
            &["App", "Version", "Status", "Scale", "Charm", "Channel", "Rev", "Address", "Exposed", "Message"]
        } else {
            &["App", "Version", "Status", "Scale", "Charm", "Channel", "Rev", "Exposed", "Message"]
        };
        let mut apps = Table::new(app_headers);
        apps.right_align(&[3, 6]);
        for (name, app) in &self.applications {
            let mut row = vec![
                name.clone(),
                first_line(&app.version),
                app.status.status.to_string(),
                app.units.len().to_string(),
                app.charm.clone(),
                String::new(),
                app.revision.to_string(),
            ];
            if kubernetes {
                row.push(String::new());
            }
            row.push("no".into());
            row.push(truncate_message(&app.status.message));
            apps.row(row);
        }
        if !self.applications.is_empty() {
            out.push('\n');
            out.push_str(&apps.render());
        }
        let headers: &[&str] = if kubernetes {
            &["Unit", "Workload", "Agent", "Address", "Ports", "Message"]
        } else {
            &["Unit", "Workload", "Agent", "Machine", "Public address", "Ports", "Message"]
        };
        let mut units = Table::new(headers);
        for (name, unit) in self.units() {
            let mut row = vec![
                if unit.leader { format!("{name}*") } else { name.clone() },
                unit.workload.status.to_string(),
                unit.agent.clone(),
            ];
            if !kubernetes {
                row.push(unit.machine.clone());
            }
            row.push(String::new());
            row.push(unit.ports.join(","));
            row.push(truncate_message(&unit.workload.message));
            units.row(row);
        }
        if !units.rows.is_empty() {
            out.push('\n');
            out.push_str(&units.render());
        }
        let mut relations: Vec<&RelationStatus> = self.relations.iter().collect();
        // Juju sorts by provider, then requirer (output_tabular.go `printRelations`).
        relations.sort_by(|a, b| a.endpoints.cmp(&b.endpoints));
        let mut table = Table::new(&["Integration provider", "Requirer", "Interface", "Type", "Message"]);
        for r in &relations {
            let provider = r.endpoints.first().cloned().unwrap_or_default();
            let requirer = r.endpoints.get(1).cloned().unwrap_or_else(|| provider.clone());
            let kind = if r.endpoints.len() == 1 { "peer" } else { "regular" };
            let message = if r.life == Life::Dying { "dying" } else { "" };
            table.row(vec![provider, requirer, r.interface.clone(), kind.into(), message.into()]);
        }
        if !relations.is_empty() {
            out.push('\n');
            out.push_str(&table.render());
        }
        out
    }
}

impl AppStatus {
    fn is_active(&self) -> bool {
        self.status.status == StatusName::Active && self.units.values().all(|u| u.workload.status == StatusName::Active)
    }
}

fn unit_status(ctrl: &Controller, name: &str, unit: &super::controller::Unit, leader: Option<&str>) -> UnitStatus {
    let (workload, agent) = match &unit.agent.error {
        // The uniter records a failed hook as the *agent's* error (`hook failed: "<hook>"`,
        // internal/worker/uniter/uniter.go `reportHookError`); `juju status` shows it on the
        // workload with the agent idle (state/unit.go `Unit.Status`, state/unitagent.go
        // `UnitAgent.Status`: "the workload should be in error state").
        Some(error) => {
            let mut data = BTreeMap::new();
            data.insert("hook".to_owned(), serde_json::Value::String(error.op.hook.clone()));
            if let Some(id) = error.op.relation_id {
                data.insert("relation-id".to_owned(), serde_json::Value::from(id));
            }
            if let Some(remote) = &error.op.remote_unit {
                data.insert("remote-unit".to_owned(), serde_json::Value::String(remote.clone()));
            }
            let record = StatusRecord {
                status: StatusName::Error,
                message: format!("hook failed: {:?}", error.op.hook),
                data,
                since: unit.status.since,
            };
            (record, IDLE)
        }
        None if !unit.agent.installed && !unit.agent.removed => (unit.status.clone(), ALLOCATING),
        None if !agent::next_ops(ctrl, name).is_empty() => (unit.status.clone(), EXECUTING),
        None => (unit.status.clone(), IDLE),
    };
    UnitStatus {
        workload,
        agent: agent.to_owned(),
        leader: leader == Some(name),
        version: unit.workload_version.clone(),
        machine: unit.machine.clone(),
        ports: unit.opened_ports.iter().map(ToString::to_string).collect(),
        life: unit.life,
    }
}

/// The most severe of `statuses` (core/status/status.go `DeriveStatus` and
/// `statusSeverities`): error > blocked > maintenance > waiting > active > terminated > unknown;
/// the first of equals wins, and no unit gives `unknown`.
fn derive_status<'a>(statuses: impl Iterator<Item = &'a StatusRecord>) -> StatusRecord {
    fn severity(name: StatusName) -> u8 {
        match name {
            StatusName::Error => 100,
            StatusName::Blocked => 90,
            StatusName::Maintenance => 80,
            StatusName::Waiting => 70,
            StatusName::Active => 60,
            StatusName::Terminated => 50,
            StatusName::Unknown => 40,
        }
    }
    let mut result = StatusRecord::default();
    for status in statuses {
        if severity(status.status) > severity(result.status) {
            result = status.clone();
        }
    }
    result
}

/// Control characters escaped (`\u{1b}`); everything else, quotes included, as it is.
fn escape_controls(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}

/// Juju cuts messages at 120 characters with `...` (output_tabular.go `truncateMessage`), and
/// shows only their first line.
fn truncate_message(message: &str) -> String {
    const MAX: usize = 120;
    let line = first_line(message);
    if line.chars().count() > MAX {
        let cut: String = line.chars().take(MAX - 3).collect();
        format!("{cut}...")
    } else {
        line
    }
}

/// Columns padded to their widest cell, two spaces apart, as Juju's tab writer lays them out.
struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    right: Vec<usize>,
}

impl Table {
    fn new(headers: &[&str]) -> Table {
        Table { headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows: Vec::new(), right: Vec::new() }
    }

    fn right_align(&mut self, columns: &[usize]) {
        self.right = columns.to_vec();
    }

    fn row(&mut self, cells: Vec<String>) {
        // Terminal escapes from a charm's message never reach the terminal raw.
        self.rows.push(cells.into_iter().map(|c| escape_controls(&c)).collect());
    }

    fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell.chars().count());
                }
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                let width = widths.get(i).copied().unwrap_or(0);
                let last = i + 1 == row.len();
                if self.right.contains(&i) {
                    line.push_str(&format!("{cell:>width$}"));
                } else if last {
                    line.push_str(cell);
                } else {
                    line.push_str(&format!("{cell:<width$}"));
                }
                if !last {
                    line.push_str("  ");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::controller::{Application, EndpointRef, HookError, Op, RelationDoc, Unit};

    fn record(status: StatusName, message: &str) -> StatusRecord {
        StatusRecord { status, message: message.into(), ..StatusRecord::default() }
    }

    /// Two apps: `ca` (one unit, leader set active) and `req` (two units, no app status).
    fn controller() -> Controller {
        let mut ctrl = Controller::default();
        let mut ca = Application { name: "ca".into(), charm_name: "ca-charm".into(), ..Application::default() };
        ca.leader = Some("ca/0".into());
        ca.status = record(StatusName::Active, "ready");
        ctrl.applications.insert("ca".into(), ca);
        let req = Application {
            name: "req".into(),
            charm_name: "req-charm".into(),
            leader: Some("req/1".into()),
            ..Application::default()
        };
        ctrl.applications.insert("req".into(), req);
        for (name, app, status) in [
            ("ca/0", "ca", record(StatusName::Active, "ready")),
            ("req/0", "req", record(StatusName::Active, "")),
            ("req/1", "req", record(StatusName::Waiting, "no certificate")),
        ] {
            let mut unit = Unit { name: name.into(), app: app.into(), status, machine: "0".into(), ..Unit::default() };
            unit.agent.installed = true;
            unit.agent.started = true;
            ctrl.units.insert(name.into(), unit);
        }
        ctrl.relations.push(RelationDoc {
            id: 3,
            interface: "tls-certificates".into(),
            endpoints: vec![
                EndpointRef { app: "ca".into(), endpoint: "certificates".into() },
                EndpointRef { app: "req".into(), endpoint: "certificates".into() },
            ],
            ..RelationDoc::default()
        });
        ctrl
    }

    #[test]
    fn the_app_status_is_the_leaders_or_the_most_severe_units() {
        let status = ModelStatus::of(&controller());
        assert_eq!(status.app("ca").map(|a| a.status.message.as_str()), Some("ready"));
        // req's leader set nothing: waiting (req/1) beats active (req/0).
        let req = status.app("req").map(|a| a.status.clone());
        assert_eq!(req, Some(record(StatusName::Waiting, "no certificate")));
        assert!(!status.all_active());
        assert!(status.apps_active(&["ca"]));
        assert!(!status.apps_active(&["ca", "missing"]));
        // These hand-built agents have never run config-changed: they have work to do.
        assert_eq!(status.unit("ca/0").map(|u| u.agent.as_str()), Some("executing"));
        assert!(!status.all_agents_idle());
        assert!(!status.any_error());
        assert_eq!(status.unit("req/1").map(|u| u.leader), Some(true));
    }

    #[test]
    fn a_unit_in_hook_error_shows_workload_error_and_agent_idle() {
        let mut ctrl = controller();
        if let Some(unit) = ctrl.units.get_mut("ca/0") {
            unit.agent.installed = false;
        }
        let op = Op { hook: "certificates-relation-changed".into(), relation_id: Some(3), ..Op::default() };
        if let Some(unit) = ctrl.units.get_mut("req/0") {
            unit.agent.error = Some(HookError { op, message: "exit status 1".into(), injected: false });
        }
        let status = ModelStatus::of(&ctrl);
        let unit = status.unit("req/0").cloned().unwrap_or_default();
        assert_eq!(unit.workload.status, StatusName::Error);
        assert_eq!(unit.workload.message, "hook failed: \"certificates-relation-changed\"");
        assert_eq!(unit.agent, "idle");
        // A unit that has not run install yet is still allocating.
        assert_eq!(status.unit("ca/0").map(|u| u.agent.as_str()), Some("allocating"));
        assert!(status.render().contains("hook failed: \"certificates-relation-changed\""));
        assert!(status.any_error());
        assert_eq!(status.app("req").map(|a| a.status.status), Some(StatusName::Error));
    }

    #[test]
    fn the_text_has_juju_status_tables_with_the_leader_starred() {
        let text = ModelStatus::of(&controller()).render();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.iter().any(|l| l.starts_with("App") && l.contains("Status") && l.contains("Message")));
        assert!(lines.iter().any(|l| l.starts_with("ca/0*") && l.contains("active") && l.ends_with("ready")));
        assert!(lines.iter().any(|l| l.starts_with("req/1*") && l.contains("waiting")));
        assert!(lines.iter().any(|l| l.starts_with("req/0 ")));
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("ca:certificates") && l.contains("req:certificates") && l.contains("regular"))
        );
        // Columns line up: "Workload" starts where each unit's workload does.
        let header = lines.iter().find(|l| l.starts_with("Unit")).copied().unwrap_or_default();
        let column = header.find("Workload").unwrap_or_default();
        let row = lines.iter().find(|l| l.starts_with("req/1*")).copied().unwrap_or_default();
        assert_eq!(row.get(column..column + 7), Some("waiting"));
    }

    #[test]
    fn dead_units_are_gone_and_messages_are_cut_like_jujus() {
        let mut ctrl = controller();
        if let Some(unit) = ctrl.units.get_mut("req/0") {
            unit.life = Life::Dead;
        }
        if let Some(unit) = ctrl.units.get_mut("req/1") {
            unit.status.message = "x".repeat(200);
        }
        if let Some(unit) = ctrl.units.get_mut("ca/0") {
            unit.status.message = "\u{1b}[31mred".into();
        }
        let status = ModelStatus::of(&ctrl);
        assert!(status.unit("req/0").is_none());
        let text = status.render();
        assert!(text.contains("\\u{1b}[31mred") && !text.contains('\u{1b}'), "{text}");
        assert!(text.contains(&format!("{}...", "x".repeat(117))));
        assert!(!text.contains(&"x".repeat(118)));
    }

    #[test]
    fn kubernetes_tables_have_addresses_and_no_machines() {
        let mut ctrl = controller();
        ctrl.model.model_type = ModelType::Kubernetes;
        let text = ModelStatus::of(&ctrl).render();
        let header = |first: &str| text.lines().find(|l| l.starts_with(first)).unwrap_or_default().to_owned();
        let words = |line: String| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let app = ["App", "Version", "Status", "Scale", "Charm", "Channel", "Rev", "Address", "Exposed", "Message"];
        assert_eq!(words(header("App ")), app);
        assert_eq!(words(header("Unit ")), ["Unit", "Workload", "Agent", "Address", "Ports", "Message"]);
        assert!(text.contains("local/kubernetes"), "{text}");
        // The message column still lines up with its header.
        let column = header("App ").find("Message").unwrap_or_default();
        let row = text.lines().find(|l| l.starts_with("ca ")).unwrap_or_default();
        assert_eq!(row.get(column..), Some("ready"));
    }

    #[test]
    fn json_round_trips() {
        let status = ModelStatus::of(&controller());
        let back: ModelStatus = serde_json::from_str(&status.to_json()).unwrap_or_default();
        assert_eq!(back, status);
    }
}
