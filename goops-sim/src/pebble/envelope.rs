//! Pebble's JSON envelopes (`internals/daemon/response.go`): `type`, `status-code`, `status`,
//! `change` (async), `result`, in that wire order.

use serde_json::Value;

use super::http::{Response, status_text};

/// What a handler answers.
#[derive(Debug)]
pub(crate) enum Reply {
    /// A JSON envelope.
    Json {
        /// HTTP status (also `status-code`).
        status: u16,
        /// `sync`, `async` or `error`.
        kind: &'static str,
        /// The change id of an async reply.
        change: Option<String>,
        /// `result`; `None` omits the key (Go's `omitempty` on a nil interface).
        result: Option<Value>,
    },
    /// A raw body (file reads: multipart).
    Raw(Response),
    /// A websocket upgrade for an exec task.
    Upgrade(super::exec::Upgrade),
}

impl Reply {
    /// The HTTP status answered.
    pub fn status(&self) -> u16 {
        match self {
            Reply::Json { status, .. } => *status,
            Reply::Raw(r) => r.status,
            Reply::Upgrade(_) => 101,
        }
    }

    /// The envelope's JSON text (`Json` only; others have no envelope).
    pub fn envelope_text(&self) -> String {
        match self {
            Reply::Json { status, kind, change, result } => {
                envelope_json(*status, kind, change.as_deref(), result.as_ref())
            }
            _ => String::new(),
        }
    }

    /// The HTTP response to write.
    pub fn into_response(self) -> Response {
        match self {
            Reply::Raw(r) => r,
            json => Response {
                status: json.status(),
                content_type: "application/json".into(),
                headers: Vec::new(),
                body: json.envelope_text().into_bytes(),
            },
        }
    }
}

/// An envelope in Pebble's key order.
pub(crate) fn envelope_json(status: u16, kind: &str, change: Option<&str>, result: Option<&Value>) -> String {
    let mut out = format!(
        r#"{{"type":{},"status-code":{status},"status":{}"#,
        Value::from(kind),
        Value::from(status_text(status))
    );
    if let Some(change) = change {
        out.push_str(&format!(r#","change":{}"#, Value::from(change)));
    }
    if let Some(result) = result {
        out.push_str(&format!(r#","result":{result}"#));
    }
    out.push('}');
    out
}

/// A sync 200 reply.
pub(crate) fn sync(result: Value) -> Reply {
    Reply::Json { status: 200, kind: "sync", change: None, result: Some(result) }
}

/// A sync reply with another status (health's 502).
pub(crate) fn sync_status(status: u16, result: Value) -> Reply {
    Reply::Json { status, kind: "sync", change: None, result: Some(result) }
}

/// An async 202 reply for change `change`.
pub(crate) fn async_change(change: &str, result: Value) -> Reply {
    Reply::Json { status: 202, kind: "async", change: Some(change.to_owned()), result: Some(result) }
}

/// An error reply: `{"message": m, "kind"?: k}` (`errorResult`).
pub(crate) fn error(status: u16, message: &str, kind: Option<&str>) -> Reply {
    let mut result = serde_json::Map::new();
    result.insert("message".into(), Value::from(message));
    if let Some(kind) = kind {
        result.insert("kind".into(), Value::from(kind));
    }
    Reply::Json { status, kind: "error", change: None, result: Some(Value::Object(result)) }
}

/// 400 with `message` (`BadRequest`).
pub(crate) fn bad_request(message: impl AsRef<str>) -> Reply {
    error(400, message.as_ref(), None)
}

/// 404 with `message` (`NotFound`).
pub(crate) fn not_found(message: impl AsRef<str>) -> Reply {
    error(404, message.as_ref(), None)
}

/// 500 with `message` (`InternalError`).
pub(crate) fn internal(message: impl AsRef<str>) -> Reply {
    error(500, message.as_ref(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_keep_pebbles_key_order() {
        assert_eq!(
            async_change("42", Value::Null).envelope_text(),
            r#"{"type":"async","status-code":202,"status":"Accepted","change":"42","result":null}"#
        );
        assert_eq!(
            error(400, "invalid action \"foo\"", None).envelope_text(),
            r#"{"type":"error","status-code":400,"status":"Bad Request","result":{"message":"invalid action \"foo\""}}"#
        );
        assert_eq!(
            error(404, "x", Some("not-found")).envelope_text(),
            r#"{"type":"error","status-code":404,"status":"Not Found","result":{"kind":"not-found","message":"x"}}"#
        );
    }
}
