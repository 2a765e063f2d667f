//! Layers and the plan, typed (`internals/plan/plan.go`; `docs/reference/layer-specification.md`).
//!
//! Every field is optional so that a layer says only what it sets: with `override: merge`
//! Pebble keeps what an unset field had. Unknown fields in Pebble's answers are ignored, so
//! a newer Pebble's plan still reads.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One layer of configuration, as added with [`Client::add_layer`](crate::Client::add_layer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Layer {
    /// A short summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// A longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Services by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, Service>,
    /// Health checks by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, Check>,
    /// Log forwarding targets by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub log_targets: BTreeMap<String, LogTarget>,
}

impl Layer {
    /// An empty layer.
    pub fn new() -> Self {
        Layer::default()
    }

    /// With a summary.
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = Some(summary.into());
        self
    }

    /// With `service` named `name`.
    pub fn service(mut self, name: impl Into<String>, service: Service) -> Self {
        self.services.insert(name.into(), service);
        self
    }

    /// With `check` named `name`.
    pub fn check(mut self, name: impl Into<String>, check: Check) -> Self {
        self.checks.insert(name.into(), check);
        self
    }

    /// With log target `target` named `name`.
    pub fn log_target(mut self, name: impl Into<String>, target: LogTarget) -> Self {
        self.log_targets.insert(name.into(), target);
        self
    }
}

/// The combined plan of all layers ([`Client::get_plan`](crate::Client::get_plan)).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Plan {
    /// Services by name.
    #[serde(default)]
    pub services: BTreeMap<String, Service>,
    /// Health checks by name.
    #[serde(default)]
    pub checks: BTreeMap<String, Check>,
    /// Log forwarding targets by name.
    #[serde(default)]
    pub log_targets: BTreeMap<String, LogTarget>,
}

/// How an entry combines with the same name in earlier layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Override {
    /// Fields set here replace the earlier ones; lists are appended, maps merged by key.
    Merge,
    /// This entry replaces the earlier one whole.
    Replace,
}

/// Whether a service (or check) starts by default (on `replan`/`autostart`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Startup {
    /// Started by replan and autostart.
    Enabled,
    /// Started only on request.
    Disabled,
}

/// What Pebble does when a service exits or a check fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceAction {
    /// Restart the service (after the backoff delay).
    Restart,
    /// Shut Pebble down (exit code by outcome).
    Shutdown,
    /// Shut Pebble down with exit code 0.
    SuccessShutdown,
    /// Shut Pebble down with exit code 10.
    FailureShutdown,
    /// Leave the service stopped.
    Ignore,
}

/// A service of a layer (`plan.Service`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Service {
    /// `merge` or `replace`; required in a layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#override: Option<Override>,
    /// A short summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// A longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The command line (shell-split by Pebble; a trailing `[ args ]` group gives default arguments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Whether replan/autostart start it (Pebble's default: disabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<Startup>,
    /// Services this one starts after.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    /// Services this one starts before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub before: Vec<String>,
    /// Services started with this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// Run as this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Run as this user ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u32>,
    /// Run as this group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Run as this group ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<u32>,
    /// The working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// What to do when it exits with code 0 (default restart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<ServiceAction>,
    /// What to do when it exits with another code (default restart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<ServiceAction>,
    /// What to do when a check fails, by check name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub on_check_failure: BTreeMap<String, ServiceAction>,
    /// The first restart delay (Pebble's default 500ms).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::duration::option")]
    pub backoff_delay: Option<Duration>,
    /// The delay's growth per restart (default 2.0, at least 1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_factor: Option<f64>,
    /// The longest delay (default 30s).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::duration::option")]
    pub backoff_limit: Option<Duration>,
    /// How long after SIGTERM Pebble sends SIGKILL (default 5s).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::duration::option")]
    pub kill_delay: Option<Duration>,
    /// The workload this service belongs to (Pebble ≥ 1.28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
}

impl Service {
    /// A service running `command`, with `override: replace`.
    pub fn new(command: impl Into<String>) -> Self {
        Service { r#override: Some(Override::Replace), command: Some(command.into()), ..Service::default() }
    }

    /// Started by replan and autostart.
    pub fn enabled(mut self) -> Self {
        self.startup = Some(Startup::Enabled);
        self
    }

    /// With `summary`.
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = Some(summary.into());
        self
    }

    /// With the environment variable `key=value`.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.environment.insert(key.into(), value.into());
        self
    }
}

/// The level of a check: what it tells about the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckLevel {
    /// Liveness.
    Alive,
    /// Readiness (implies alive).
    Ready,
}

/// A health check of a layer (`plan.Check`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Check {
    /// `merge` or `replace`; required in a layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#override: Option<Override>,
    /// `alive` or `ready` (unset: neither).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "level_or_unset")]
    pub level: Option<CheckLevel>,
    /// Whether it runs without being started (Pebble's default: enabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<Startup>,
    /// How often it runs (default 10s).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::duration::option")]
    pub period: Option<Duration>,
    /// How long one run may take (default 3s).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::duration::option")]
    pub timeout: Option<Duration>,
    /// Consecutive failures before it is down (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u32>,
    /// An HTTP check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpCheck>,
    /// A TCP check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<TcpCheck>,
    /// A command check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecCheck>,
}

// Pebble prints `level: unset` for no level in some versions; read it as none.
fn level_or_unset<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<CheckLevel>, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref() {
        None | Some("") | Some("unset") => Ok(None),
        Some("alive") => Ok(Some(CheckLevel::Alive)),
        Some("ready") => Ok(Some(CheckLevel::Ready)),
        Some(other) => Err(serde::de::Error::custom(format!("unknown check level {other:?}"))),
    }
}

impl Check {
    /// A check with `override: replace` and nothing else set yet.
    pub fn new() -> Self {
        Check { r#override: Some(Override::Replace), ..Check::default() }
    }

    /// An HTTP check of `url` (`override: replace`).
    pub fn http(url: impl Into<String>) -> Self {
        Check { http: Some(HttpCheck { url: Some(url.into()), headers: BTreeMap::new() }), ..Check::new() }
    }

    /// A TCP check of `port` (`override: replace`).
    pub fn tcp(port: u16) -> Self {
        Check { tcp: Some(TcpCheck { port: Some(port), host: None }), ..Check::new() }
    }

    /// A command check (`override: replace`).
    pub fn exec(command: impl Into<String>) -> Self {
        Check { exec: Some(ExecCheck { command: Some(command.into()), ..ExecCheck::default() }), ..Check::new() }
    }

    /// With `level`.
    pub fn level(mut self, level: CheckLevel) -> Self {
        self.level = Some(level);
        self
    }

    /// With `period`.
    pub fn period(mut self, period: Duration) -> Self {
        self.period = Some(period);
        self
    }

    /// With `threshold`.
    pub fn threshold(mut self, threshold: u32) -> Self {
        self.threshold = Some(threshold);
        self
    }
}

/// An HTTP check: a GET of `url` must answer 2xx.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HttpCheck {
    /// The URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Request headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

/// A TCP check: a connection to `host:port` must open.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TcpCheck {
    /// The port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The host (default localhost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// A command check: the command must exit 0.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ExecCheck {
    /// The command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Run in this service's context (its environment, user, group, working dir).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_context: Option<String>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// Run as this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Run as this user ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u32>,
    /// Run as this group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Run as this group ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<u32>,
    /// The working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
}

/// The kind of a log target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogTargetType {
    /// Grafana Loki.
    Loki,
    /// OpenTelemetry.
    Opentelemetry,
    /// Syslog.
    Syslog,
}

/// A log forwarding target of a layer (`plan.LogTarget`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogTarget {
    /// `merge` or `replace`; required in a layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#override: Option<Override>,
    /// The kind of target.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<LogTargetType>,
    /// Where to send the logs (a URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Which services' logs (`all`, names, `-name` to remove).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Labels added to each log line.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// Convert a YAML document (Pebble's plan text) to JSON, for serde.
pub(crate) fn yaml_to_json(text: &str) -> Result<serde_json::Value, String> {
    use yaml_rust2::{Yaml, YamlLoader};
    fn convert(y: Yaml) -> Result<serde_json::Value, String> {
        use serde_json::Value;
        Ok(match y {
            Yaml::Null | Yaml::BadValue => Value::Null,
            Yaml::Boolean(b) => Value::Bool(b),
            Yaml::Integer(i) => Value::from(i),
            Yaml::Real(text) => {
                let f: f64 = text.parse().map_err(|_| format!("bad YAML float {text:?}"))?;
                Value::from(f)
            }
            Yaml::String(s) => Value::String(s),
            Yaml::Array(items) => Value::Array(items.into_iter().map(convert).collect::<Result<_, _>>()?),
            Yaml::Hash(hash) => {
                let mut map = serde_json::Map::new();
                for (k, v) in hash {
                    let key = match k {
                        Yaml::String(s) | Yaml::Real(s) => s,
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        other => return Err(format!("unsupported YAML map key {other:?}")),
                    };
                    map.insert(key, convert(v)?);
                }
                Value::Object(map)
            }
            Yaml::Alias(_) => return Err("YAML aliases are not supported".to_owned()),
        })
    }
    let mut docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    match docs.len() {
        0 => Ok(serde_json::Value::Object(Default::default())),
        1 => convert(docs.remove(0)),
        n => Err(format!("expected one YAML document, got {n}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layer_serializes_only_what_is_set_in_pebbles_field_names() {
        let layer = Layer::new().summary("s").service(
            "web",
            Service {
                user_id: Some(1000),
                on_check_failure: [("up".to_owned(), ServiceAction::Restart)].into(),
                backoff_delay: Some(Duration::from_millis(250)),
                kill_delay: Some(Duration::from_secs(10)),
                ..Service::new("/bin/web --port 80").enabled().env("A", "1")
            },
        );
        let layer = layer.check("up", Check::http("http://localhost/").level(CheckLevel::Ready).threshold(5));
        assert_eq!(
            serde_json::to_value(&layer).unwrap(),
            json!({
                "summary": "s",
                "services": {"web": {
                    "override": "replace", "command": "/bin/web --port 80", "startup": "enabled",
                    "environment": {"A": "1"}, "user-id": 1000, "on-check-failure": {"up": "restart"},
                    "backoff-delay": "0.25s", "kill-delay": "10s"
                }},
                "checks": {"up": {"override": "replace", "level": "ready", "threshold": 5,
                                  "http": {"url": "http://localhost/"}}}
            })
        );
    }

    #[test]
    fn plan_reads_from_pebbles_yaml() {
        // The shape yaml.v3 prints for a plan (api_plan.go: 4-space indent, Duration.String()).
        let text = "services:\n    web:\n        override: replace\n        command: /bin/web\n        startup: enabled\n        backoff-delay: 1m30s\n        environment:\n            PORT: \"80\"\nchecks:\n    up:\n        override: replace\n        level: alive\n        threshold: 3\n        tcp:\n            port: 8080\n";
        let plan: Plan = serde_json::from_value(yaml_to_json(text).unwrap()).unwrap();
        let web = &plan.services["web"];
        assert_eq!(web.command.as_deref(), Some("/bin/web"));
        assert_eq!(web.startup, Some(Startup::Enabled));
        assert_eq!(web.backoff_delay, Some(Duration::from_secs(90)));
        assert_eq!(web.environment["PORT"], "80");
        assert_eq!(plan.checks["up"].tcp.as_ref().unwrap().port, Some(8080));
        assert_eq!(plan.checks["up"].threshold, Some(3));
    }

    #[test]
    fn empty_plan_reads_as_empty() {
        let plan: Plan = serde_json::from_value(yaml_to_json("{}\n").unwrap()).unwrap();
        assert_eq!(plan, Plan::default());
    }

    #[test]
    fn log_target_type_field() {
        let target = LogTarget {
            r#override: Some(Override::Merge),
            kind: Some(LogTargetType::Loki),
            location: Some("http://loki/".into()),
            services: vec!["all".into()],
            labels: BTreeMap::new(),
        };
        assert_eq!(
            serde_json::to_value(&target).unwrap(),
            json!({"override": "merge", "type": "loki", "location": "http://loki/", "services": ["all"]})
        );
    }
}
