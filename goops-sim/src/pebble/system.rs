//! `/v1/system-info` (`internals/daemon/api.go` `v1SystemInfo`).

use serde_json::json;

use super::Inner;
use super::envelope::{Reply, sync};

/// The Pebble version the simulator follows (pebble-api reference: v1.32.1).
pub(crate) const VERSION: &str = "v1.32.1";

/// GET /v1/system-info: `boot-id` and `version` (no `http-address`: nothing listens on TCP).
pub(crate) fn system_info(inner: &Inner) -> Reply {
    sync(json!({"boot-id": inner.boot_id, "version": VERSION}))
}
