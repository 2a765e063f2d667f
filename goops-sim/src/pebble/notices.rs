//! Notices (`internals/daemon/api_notices.go`, `internals/overlord/state/notices.go`): keyed
//! by (user-id, type, key), occurrences counted, `last-repeated` moved only once
//! `repeat-after` has elapsed.
//!
//! Every request is taken to come from the server's own UID, which Pebble treats as admin:
//! a custom notice belongs to that UID and every notice is visible.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

use super::Inner;
use super::envelope::{Reply, bad_request, not_found, sync};
use super::http::Request;
use super::time::{now, parse_go_duration, parse_rfc3339};
use crate::state::{ContainerState, NoticeRecord};

/// Notice types Pebble knows (`state.NoticeType`); others are dropped from filters.
const TYPES: [&str; 4] = ["change-update", "custom", "warning", "recover-check"];
const MAX_KEY: usize = 256;
const MAX_DATA: usize = 4 * 1024;

/// `State.AddNotice`: records an occurrence; returns the notice id.
pub(crate) fn add(
    state: &mut ContainerState,
    user_id: Option<u32>,
    kind: &str,
    key: &str,
    data: BTreeMap<String, String>,
    repeat_after: Option<i128>,
) -> String {
    let t = now();
    let repeat = repeat_after.unwrap_or(0);
    if let Some(n) = state.notices.iter_mut().find(|n| n.user_id == user_id && n.kind == kind && n.key == key) {
        n.occurrences += 1;
        let elapsed = parse_rfc3339(&n.last_repeated)
            .zip(parse_rfc3339(&t))
            .is_none_or(|(last, now)| (now - last).num_nanoseconds().map(i128::from).unwrap_or(i128::MAX) > repeat);
        if repeat == 0 || elapsed {
            n.last_repeated = t.clone();
        }
        n.last_occurred = t;
        n.last_data = data;
        n.repeat_after = (repeat != 0).then(|| super::time::go_duration_string(repeat));
        return n.id.clone();
    }
    let id = (state.notices.iter().filter_map(|n| n.id.parse::<u64>().ok()).max().unwrap_or(0) + 1).to_string();
    state.notices.push(NoticeRecord {
        id: id.clone(),
        user_id,
        kind: kind.into(),
        key: key.into(),
        first_occurred: t.clone(),
        last_occurred: t.clone(),
        last_repeated: t,
        occurrences: 1,
        last_data: data,
        repeat_after: (repeat != 0).then(|| super::time::go_duration_string(repeat)),
    });
    id
}

/// A notice as the API shows it (`jsonNotice`).
fn notice_json(n: &NoticeRecord) -> Value {
    let mut v = json!({
        "id": n.id, "user-id": n.user_id, "type": n.kind, "key": n.key,
        "first-occurred": n.first_occurred, "last-occurred": n.last_occurred,
        "last-repeated": n.last_repeated, "occurrences": n.occurrences,
    });
    if !n.last_data.is_empty() {
        v["last-data"] = json!(n.last_data);
    }
    if let Some(r) = &n.repeat_after {
        v["repeat-after"] = Value::from(r.clone());
    }
    v["expire-after"] = Value::from("168h0m0s");
    v
}

/// `customKeyRegexp`: `^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+(/[a-z0-9]+(-[a-z0-9]+)*)+$`.
fn valid_custom_key(key: &str) -> bool {
    // A label: lower-case alphanumeric words joined by single hyphens.
    let label = |s: &str| {
        !s.is_empty()
            && s.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
    };
    let Some((domain, path)) = key.split_once('/') else { return false };
    let parts: Vec<&str> = domain.split('.').collect();
    parts.len() >= 2 && parts.iter().all(|p| label(p)) && path.split('/').all(label)
}

/// GET /v1/notices?types=&keys=&after=&timeout=.
pub(crate) fn get_notices(inner: &Inner, req: &Request) -> Reply {
    let split = |name: &str| -> Vec<String> {
        req.query_all(name)
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let users = req.query_get("users");
    let user_id = req.query_get("user-id");
    if !users.is_empty() && !user_id.is_empty() {
        return bad_request(r#"cannot use both "users" and "user-id" parameters"#);
    }
    if !users.is_empty() && users != "all" {
        return bad_request(r#"invalid "users" filter: must be "all""#);
    }
    let uid_filter = match user_id {
        "" => None,
        u => match u.parse::<u32>() {
            Ok(u) => Some(u),
            Err(e) => return bad_request(format!(r#"invalid "user-id" filter: {e}"#)),
        },
    };
    let requested_types = split("types");
    let types: Vec<String> = requested_types.iter().filter(|t| TYPES.contains(&t.as_str())).cloned().collect();
    if !requested_types.is_empty() && types.is_empty() {
        return sync(json!([]));
    }
    let keys = split("keys");
    let after = match req.query_get("after") {
        "" => None,
        a => match parse_rfc3339(a) {
            Some(t) => Some(t),
            None => return bad_request(format!(r#"invalid "after" timestamp: cannot parse {a:?}"#)),
        },
    };
    let timeout = match req.query_get("timeout") {
        "" => 0,
        t => match parse_go_duration(t) {
            Ok(n) => n.max(0),
            Err(e) => return bad_request(format!("invalid timeout: {e}")),
        },
    };
    let matching = |state: &ContainerState| -> Vec<Value> {
        let mut list: Vec<&NoticeRecord> = state
            .notices
            .iter()
            .filter(|n| uid_filter.is_none_or(|u| n.user_id == Some(u) || n.user_id.is_none()))
            .filter(|n| types.is_empty() || types.contains(&n.kind))
            .filter(|n| keys.is_empty() || keys.contains(&n.key))
            .filter(|n| after.is_none_or(|a| parse_rfc3339(&n.last_repeated).is_some_and(|t| t > a)))
            .collect();
        list.sort_by_key(|n| parse_rfc3339(&n.last_repeated));
        list.into_iter().map(notice_json).collect()
    };
    let deadline = Instant::now() + Duration::from_nanos(timeout as u64);
    let mut state = inner.lock();
    loop {
        let found = matching(&state);
        let left = deadline.saturating_duration_since(Instant::now());
        if !found.is_empty() || timeout == 0 || left.is_zero() {
            return sync(Value::Array(found));
        }
        state = inner.moved.wait_timeout(state, left).unwrap_or_else(|e| e.into_inner()).0;
    }
}

/// GET /v1/notices/{id}.
pub(crate) fn get_notice(inner: &Inner, id: &str) -> Reply {
    let state = inner.lock();
    match state.notices.iter().find(|n| n.id == id) {
        Some(n) => sync(notice_json(n)),
        None => not_found(format!("cannot find notice with ID {id:?}")),
    }
}

/// POST /v1/notices `{"action":"add","type":"custom","key":…}`.
pub(crate) fn post_notices(inner: &Inner, req: &Request) -> Reply {
    #[derive(Deserialize)]
    struct Body {
        action: Option<String>,
        #[serde(rename = "type")]
        kind: Option<String>,
        key: Option<String>,
        #[serde(rename = "repeat-after")]
        repeat_after: Option<String>,
        data: Option<Value>,
    }
    let body: Body = match serde_json::from_slice(&req.body) {
        Ok(b) => b,
        Err(e) => return bad_request(format!("cannot decode request body: {e}")),
    };
    let action = body.action.unwrap_or_default();
    if action != "add" {
        return bad_request(format!("invalid action {action:?}"));
    }
    let kind = body.kind.unwrap_or_default();
    if kind != "custom" {
        return bad_request(format!(r#"invalid type {kind:?} (can only add "custom" notices)"#));
    }
    let key = body.key.unwrap_or_default();
    if !valid_custom_key(&key) {
        return bad_request(format!(r#"invalid key {key:?} (must be in "example.com/path" format)"#));
    }
    if key.len() > MAX_KEY {
        return bad_request(format!("key must be {MAX_KEY} bytes or less"));
    }
    let repeat = match body.repeat_after.as_deref().unwrap_or("") {
        "" => None,
        r => match parse_go_duration(r) {
            Ok(n) => Some(n),
            Err(e) => return bad_request(format!("invalid repeat-after: {e}")),
        },
    };
    // Pebble measures the raw JSON; the re-serialised compact form is what most clients send.
    let raw = body.data.as_ref().map(Value::to_string).unwrap_or_default();
    if raw.len() > MAX_DATA {
        return bad_request(format!("total size of data must be {MAX_DATA} bytes or less"));
    }
    let data: BTreeMap<String, String> = match body.data {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(d) => match serde_json::from_value::<BTreeMap<String, String>>(d) {
            Ok(d) => d,
            Err(e) => return bad_request(format!("cannot decode notice data: {e}")),
        },
    };
    let uid = rustix::process::getuid().as_raw();
    let id = add(&mut inner.lock(), Some(uid), "custom", &key, data, repeat);
    inner.moved.notify_all();
    sync(json!({"id": id}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_pebbles_custom_key_rule() {
        for ok in ["example.com/path", "a-b.c9/x/y-z", "foo.bar.baz/q"] {
            assert!(valid_custom_key(ok), "{ok}");
        }
        for bad in ["example/path", "Example.com/p", "example.com", "example.com/", "a--b.com/x", "a.com/x-", ".com/x"]
        {
            assert!(!valid_custom_key(bad), "{bad}");
        }
    }

    #[test]
    fn re_adding_counts_occurrences_and_repeats_only_after_repeat_after() {
        let mut state = ContainerState::default();
        let id = add(&mut state, Some(0), "custom", "a.com/x", BTreeMap::new(), Some(3_600_000_000_000));
        let first = state.notices[0].last_repeated.clone();
        std::thread::sleep(Duration::from_millis(2));
        let data = BTreeMap::from([("k".to_owned(), "v".to_owned())]);
        assert_eq!(add(&mut state, Some(0), "custom", "a.com/x", data.clone(), Some(3_600_000_000_000)), id);
        let n = &state.notices[0];
        assert_eq!((n.occurrences, &n.last_repeated, &n.last_data), (2, &first, &data));
        assert_ne!(n.last_occurred, first);
        assert_eq!(n.repeat_after.as_deref(), Some("1h0m0s"));
        // Without repeat-after every occurrence repeats; another user's key is another notice.
        add(&mut state, Some(0), "custom", "a.com/x", BTreeMap::new(), None);
        assert_ne!(state.notices[0].last_repeated, first);
        assert_ne!(add(&mut state, Some(1), "custom", "a.com/x", BTreeMap::new(), None), id);
    }
}
