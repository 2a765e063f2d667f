//! System info, layers and the plan, services and signals (`api.go`, `api_plan.go`,
//! `api_services.go`, `api_signals.go`).

use std::time::Duration;

use serde::Deserialize;

use crate::changes::Change;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::Request;
use crate::layer::{Layer, Plan, yaml_to_json};

/// What `GET /v1/system-info` answers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct SystemInfo {
    /// Pebble's version (`v1.32.1`).
    pub version: String,
    /// The boot ID.
    #[serde(default)]
    pub boot_id: Option<String>,
    /// The HTTP listener's address, when Pebble has one.
    #[serde(default)]
    pub http_address: Option<String>,
}

/// A service's state, as `GET /v1/services` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct ServiceInfo {
    /// The name.
    pub name: String,
    /// Whether replan/autostart start it.
    pub startup: ServiceStartup,
    /// Its current state.
    pub current: ServiceStatus,
    /// Since when (RFC 3339), once it has a state.
    #[serde(default)]
    pub current_since: Option<String>,
}

impl ServiceInfo {
    /// Whether it is running.
    pub fn is_running(&self) -> bool {
        self.current == ServiceStatus::Active
    }
}

/// A service's `startup` as reported (unset in the plan reads `disabled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceStartup {
    /// Started by replan and autostart.
    Enabled,
    /// Not started by default.
    Disabled,
    /// A value this client does not know.
    #[serde(other)]
    Unknown,
}

/// A service's current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceStatus {
    /// Running (or starting).
    Active,
    /// Stopped or never started.
    Inactive,
    /// Waiting to be restarted.
    Backoff,
    /// Exited and not restarted.
    Error,
    /// A value this client does not know.
    #[serde(other)]
    Unknown,
}

/// A service action for [`Client::begin_services`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServicesAction {
    /// Start the named services (and what they require).
    Start,
    /// Stop the named services (and what requires them).
    Stop,
    /// Stop, then start, the named services.
    Restart,
    /// Restart changed services and start the enabled ones (no names).
    Replan,
    /// Start the enabled services (no names).
    Autostart,
}

impl ServicesAction {
    /// Pebble's action name.
    pub fn as_str(self) -> &'static str {
        match self {
            ServicesAction::Start => "start",
            ServicesAction::Stop => "stop",
            ServicesAction::Restart => "restart",
            ServicesAction::Replan => "replan",
            ServicesAction::Autostart => "autostart",
        }
    }
}

impl Client {
    /// Pebble's version and addresses (`GET /v1/system-info`).
    pub fn system_info(&self) -> Result<SystemInfo> {
        self.sync(Request::get("/v1/system-info"))
    }

    /// Whether Pebble answers (`system_info` succeeds), as ops's `can_connect`. Most charms need
    /// not ask: return the [`Error::NotReachable`] of any call instead.
    pub fn can_connect(&self) -> bool {
        self.system_info().is_ok()
    }

    /// Add `layer` under `label`; with `combine`, a layer with that label already there is
    /// combined with it (else that is an error). Adding a layer changes the plan but starts
    /// nothing: call [`replan`](Client::replan).
    pub fn add_layer(&self, label: &str, layer: &Layer, combine: bool) -> Result<()> {
        // JSON is YAML (1.2): Pebble parses the layer with yaml.v3, which reads it unchanged.
        let text =
            serde_json::to_string(layer).map_err(|e| Error::InvalidInput(format!("cannot encode the layer: {e}")))?;
        self.add_layer_yaml(label, &text, combine)
    }

    /// Add a layer given as YAML text (see [`add_layer`](Client::add_layer)).
    pub fn add_layer_yaml(&self, label: &str, yaml: &str, combine: bool) -> Result<()> {
        let body = serde_json::json!({
            "action": "add", "combine": combine, "label": label, "format": "yaml", "layer": yaml,
        });
        let _: serde_json::Value = self.sync(Request::post_json("/v1/layers", &body)?)?;
        Ok(())
    }

    /// The combined plan (`GET /v1/plan?format=yaml`).
    pub fn get_plan(&self) -> Result<Plan> {
        let text = self.get_plan_yaml()?;
        let json = yaml_to_json(&text).map_err(|e| self.protocol(format!("cannot parse the plan YAML: {e}")))?;
        serde_json::from_value(json).map_err(|e| self.protocol(format!("cannot decode the plan: {e}")))
    }

    /// The combined plan as Pebble's YAML text.
    pub fn get_plan_yaml(&self) -> Result<String> {
        self.sync(Request::get("/v1/plan").query("format", "yaml"))
    }

    /// The services of the plan, all (`names` empty) or the named ones, sorted by name
    /// (`GET /v1/services`; unknown names are skipped).
    pub fn get_services(&self, names: &[&str]) -> Result<Vec<ServiceInfo>> {
        let mut request = Request::get("/v1/services");
        if !names.is_empty() {
            request = request.query("names", names.join(","));
        }
        self.sync(request)
    }

    /// Start `services` and wait for the change (see [`begin_services`](Client::begin_services)).
    pub fn start(&self, services: &[&str]) -> Result<Change> {
        self.services_and_wait(ServicesAction::Start, services)
    }

    /// Stop `services` and wait for the change.
    pub fn stop(&self, services: &[&str]) -> Result<Change> {
        self.services_and_wait(ServicesAction::Stop, services)
    }

    /// Restart `services` (starting those not running) and wait for the change.
    pub fn restart(&self, services: &[&str]) -> Result<Change> {
        self.services_and_wait(ServicesAction::Restart, services)
    }

    /// Bring the services in line with the plan (restart changed ones, start enabled ones) and
    /// wait for the change.
    pub fn replan(&self) -> Result<Change> {
        self.services_and_wait(ServicesAction::Replan, &[])
    }

    /// Start the enabled services and wait for the change.
    pub fn autostart(&self) -> Result<Change> {
        self.services_and_wait(ServicesAction::Autostart, &[])
    }

    fn services_and_wait(&self, action: ServicesAction, services: &[&str]) -> Result<Change> {
        let id = self.begin_services(action, services)?;
        self.wait_ok(&id, Some(self.change_timeout()))
    }

    /// Ask for `action` on `services` and return the change ID without waiting
    /// (`POST /v1/services`). [`wait_change`](Client::wait_change) waits for it.
    pub fn begin_services(&self, action: ServicesAction, services: &[&str]) -> Result<String> {
        let body = serde_json::json!({"action": action.as_str(), "services": services});
        Ok(self.async_change(Request::post_json("/v1/services", &body)?)?.0)
    }

    /// Send `signal` (`"SIGHUP"`, …) to the processes of `services` (`POST /v1/signals`).
    pub fn send_signal(&self, signal: &str, services: &[&str]) -> Result<()> {
        let body = serde_json::json!({"signal": signal, "services": services});
        let _: serde_json::Value = self.sync(Request::post_json("/v1/signals", &body)?)?;
        Ok(())
    }
}

/// How long service actions wait for their change by default (ops's `timeout=30.0`).
pub(crate) const DEFAULT_CHANGE_TIMEOUT: Duration = Duration::from_secs(30);
