//! Health checks (`api_checks.go`).

use serde::Deserialize;

use crate::client::Client;
use crate::error::Result;
use crate::http::Request;
use crate::layer::CheckLevel;

/// A check's state, as `GET /v1/checks` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct CheckInfo {
    /// The name.
    pub name: String,
    /// Its level, if it has one.
    #[serde(default, deserialize_with = "crate::checks::level")]
    pub level: Option<CheckLevel>,
    /// `enabled` or `disabled` (absent on Pebble before startup existed).
    #[serde(default)]
    pub startup: Option<String>,
    /// Its status.
    pub status: CheckStatus,
    /// Consecutive successes (Pebble ≥ 1.23).
    #[serde(default)]
    pub successes: u64,
    /// Consecutive failures.
    #[serde(default)]
    pub failures: u64,
    /// Failures before it is down.
    #[serde(default)]
    pub threshold: u64,
    /// The change driving it now.
    #[serde(default)]
    pub change_id: Option<String>,
    /// The change that drove it before.
    #[serde(default)]
    pub prev_change_id: Option<String>,
}

fn level<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<CheckLevel>, D::Error> {
    Ok(match Option::<String>::deserialize(d)?.as_deref() {
        Some("alive") => Some(CheckLevel::Alive),
        Some("ready") => Some(CheckLevel::Ready),
        _ => None,
    })
}

/// A check's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    /// Passing (or not yet failed `threshold` times).
    Up,
    /// Failed `threshold` times in a row.
    Down,
    /// Not running.
    Inactive,
    /// A value this client does not know.
    #[serde(other)]
    Unknown,
}

#[derive(Deserialize)]
struct Changed {
    #[serde(default)]
    changed: Option<Vec<String>>,
}

impl Client {
    /// The checks, optionally of one `level` and/or only the named ones (`GET /v1/checks`).
    pub fn get_checks(&self, level: Option<CheckLevel>, names: &[&str]) -> Result<Vec<CheckInfo>> {
        let mut request = Request::get("/v1/checks");
        if let Some(level) = level {
            request = request.query("level", if level == CheckLevel::Alive { "alive" } else { "ready" });
        }
        for name in names {
            request = request.query("names", *name);
        }
        self.sync(request)
    }

    /// Start the named checks; returns those that were not running (`POST /v1/checks`).
    pub fn start_checks(&self, names: &[&str]) -> Result<Vec<String>> {
        self.checks_action("start", names)
    }

    /// Stop the named checks; returns those that were running.
    pub fn stop_checks(&self, names: &[&str]) -> Result<Vec<String>> {
        self.checks_action("stop", names)
    }

    fn checks_action(&self, action: &str, names: &[&str]) -> Result<Vec<String>> {
        let body = serde_json::json!({"action": action, "checks": names});
        let changed: Changed = self.sync(Request::post_json("/v1/checks", &body)?)?;
        // Pebble before 1.23 sends `null` for none.
        Ok(changed.changed.unwrap_or_default())
    }
}
