//! Health checks and notices (`api_checks.go`, `api_notices.go`).

use std::collections::BTreeMap;
use std::time::Duration;

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

/// A notice (`state.Notice`, as `api_notices.go` sends it).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Notice {
    /// The ID.
    pub id: String,
    /// The user it belongs to (`None`: public).
    #[serde(default)]
    pub user_id: Option<u32>,
    /// The type: `custom`, `change-update`, `warning`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The key (for custom notices, `example.com/path`).
    pub key: String,
    /// First occurrence (RFC 3339).
    pub first_occurred: String,
    /// Last occurrence (RFC 3339).
    pub last_occurred: String,
    /// Last time it was repeated (RFC 3339).
    pub last_repeated: String,
    /// How many times it occurred.
    pub occurrences: u64,
    /// The data of the last occurrence.
    #[serde(default)]
    pub last_data: BTreeMap<String, String>,
    /// Within this time, occurrences do not repeat it.
    #[serde(default, with = "crate::duration::option")]
    pub repeat_after: Option<Duration>,
    /// It expires this long after its last occurrence.
    #[serde(default, with = "crate::duration::option")]
    pub expire_after: Option<Duration>,
}

/// Which notices [`Client::get_notices`] returns (empty fields: no filter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticesFilter {
    /// Only these types (`custom`, `change-update`, `warning`).
    pub types: Vec<String>,
    /// Only these keys.
    pub keys: Vec<String>,
    /// Only notices of this user ID (admin only).
    pub user_id: Option<u32>,
    /// Notices of all users (admin only).
    pub all_users: bool,
    /// Only notices repeated after this time (RFC 3339).
    pub after: Option<String>,
}

impl NoticesFilter {
    /// No filter.
    pub fn new() -> Self {
        NoticesFilter::default()
    }

    /// Only `kind` notices (may be repeated).
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.types.push(kind.into());
        self
    }

    /// Only notices with `key` (may be repeated).
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.keys.push(key.into());
        self
    }
}

/// A custom notice to record with [`Client::notify`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyOptions {
    /// Data of this occurrence.
    pub data: BTreeMap<String, String>,
    /// Occurrences within this time of the last repeat do not repeat it.
    pub repeat_after: Option<Duration>,
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

    /// Notices, filtered (`GET /v1/notices`).
    pub fn get_notices(&self, filter: &NoticesFilter) -> Result<Vec<Notice>> {
        let mut request = Request::get("/v1/notices");
        for kind in &filter.types {
            request = request.query("types", kind.as_str());
        }
        for key in &filter.keys {
            request = request.query("keys", key.as_str());
        }
        if let Some(user_id) = filter.user_id {
            request = request.query("user-id", user_id.to_string());
        }
        if filter.all_users {
            request = request.query("users", "all");
        }
        if let Some(after) = &filter.after {
            request = request.query("after", after.as_str());
        }
        self.sync(request)
    }

    /// The notice `id` (`GET /v1/notices/{id}`).
    pub fn get_notice(&self, id: &str) -> Result<Notice> {
        self.sync(Request::get(&format!("/v1/notices/{}", crate::changes::path_segment(id))))
    }

    /// Record a custom notice with `key` (`example.com/path` form); returns its ID
    /// (`POST /v1/notices`).
    pub fn notify(&self, key: &str, options: &NotifyOptions) -> Result<String> {
        let mut body = serde_json::json!({"action": "add", "type": "custom", "key": key});
        if !options.data.is_empty() {
            body["data"] = serde_json::to_value(&options.data).unwrap_or_default();
        }
        if let Some(repeat) = options.repeat_after {
            body["repeat-after"] = crate::duration::format(repeat).into();
        }
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let id: Id = self.sync(Request::post_json("/v1/notices", &body)?)?;
        Ok(id.id)
    }
}
