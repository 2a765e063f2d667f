//! `action-get`, `action-set`, `action-log`, `action-fail`.

use goops_juju::action::{RESERVED_RESULT_KEYS, is_valid_result_key};
use serde_json::{Map, Value};

use super::{Call, Formats, Out, ToolDef, ToolError, ToolResult, fail, usage};
use crate::format::Val;
use crate::session::Session;
use crate::state::Action;

pub(super) const TOOLS: &[&ToolDef] = &[&ACTION_GET, &ACTION_SET, &ACTION_LOG, &ACTION_FAIL];

const ACTION_GET: ToolDef = ToolDef {
    name: "action-get",
    args: "[<key>[.<key>.<key>...]]",
    purpose: "get action parameters",
    flags: &[],
    formats: Formats::All,
    run: action_get,
};

const ACTION_SET: ToolDef = ToolDef {
    name: "action-set",
    args: "<key>=<value> [<key>=<value> ...]",
    purpose: "set action results",
    flags: &[],
    formats: Formats::None,
    run: action_set,
};

const ACTION_LOG: ToolDef = ToolDef {
    name: "action-log",
    args: "<message>",
    purpose: "record a progress message for the current action",
    flags: &[],
    formats: Formats::None,
    run: action_log,
};

const ACTION_FAIL: ToolDef = ToolDef {
    name: "action-fail",
    args: "[\"<failure message>\"]",
    purpose: "set action fail status with message",
    flags: &[],
    formats: Formats::None,
    run: action_fail,
};

fn running(session: &mut Session) -> Result<&mut Action, ToolError> {
    if !session.event.is_action() {
        return Err(fail("not running an action"));
    }
    session.state.action.as_mut().ok_or_else(|| fail("not running an action"))
}

fn action_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    if args.len() > 1 {
        return Err(super::unrecognized(&args[1..]));
    }
    let action = running(session)?;
    let Some(path) = args.first() else {
        return Ok(Out::Value(Val::from_json(&Value::Object(action.params.clone()))));
    };
    let mut current = Some(&action.params);
    let mut value: Option<&Value> = None;
    for segment in path.split('.') {
        value = current.and_then(|map| map.get(segment));
        current = value.and_then(Value::as_object);
    }
    Ok(Out::Value(value.map(Val::from_json).unwrap_or(Val::Nil)))
}

/// The deepest action-set key goops-sim accepts. Juju's action-set has no limit, but its 3.6
/// controller stores results in MongoDB, which refuses documents nested over 100 levels; 64 keeps
/// well under that and under the recursion limit (128) of the state JSON's reader.
pub(crate) const MAX_RESULT_DEPTH: usize = 64;

/// The most JSON a unit's action results may take: MongoDB's 16 MiB document cap, where Juju
/// 3.6 keeps them.
pub(crate) const MAX_RESULTS_SIZE: usize = 16 * 1024 * 1024;

fn action_set(session: &mut Session, call: &Call<'_>) -> ToolResult {
    // jujuc/action-set.go `Init`: each argument splits at its first `=`; every dot-separated
    // segment of the key must match the action name rule and not be a reserved key.
    let mut pairs = Vec::new();
    for arg in call.args() {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(usage(format!("argument {arg:?} must be of the form key...=value")));
        };
        let segments: Vec<&str> = key.split('.').collect();
        for segment in &segments {
            if !is_valid_result_key(segment) && !RESERVED_RESULT_KEYS.contains(segment) {
                return Err(usage(format!(
                    "key {segment:?} must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods"
                )));
            }
            if RESERVED_RESULT_KEYS.contains(segment) {
                return Err(usage(format!("cannot set reserved action key {segment:?}")));
            }
        }
        if segments.len() > MAX_RESULT_DEPTH {
            return Err(usage(format!(
                "key \"{}...\" has {} segments: goops-sim keeps action results at most {MAX_RESULT_DEPTH} levels deep \
                 (Juju stores them in MongoDB, which refuses documents nested over 100 levels)",
                segments[0],
                segments.len()
            )));
        }
        pairs.push((segments.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), value.to_owned()));
    }
    let action = running(session)?;
    // The most these pairs can add: each segment a new `,"key":{}`, the value a new string.
    let growth: usize = pairs
        .iter()
        .map(|(segments, value)| {
            segments.iter().map(|s| json_string_len(s) + 4).sum::<usize>() + json_string_len(value)
        })
        .sum();
    let bound = match action.results_size.0 {
        Some(bound) => bound,
        None => json_len(&action.results),
    };
    if bound.saturating_add(growth) <= MAX_RESULTS_SIZE {
        // Within the limit whatever the pairs replace: applied in place, nothing serialised.
        for (segments, value) in pairs {
            add_value_to_map(&mut action.results, &segments, value);
        }
        action.results_size.0 = Some(bound + growth);
        return Ok(Out::None);
    }
    // Near the limit: measure exactly, on a copy, so a refused call changes nothing.
    let mut results = action.results.clone();
    for (segments, value) in pairs {
        add_value_to_map(&mut results, &segments, value);
    }
    let size = json_len(&results);
    if size > MAX_RESULTS_SIZE {
        return Err(fail(format!(
            "action results would take {size} bytes: more than the {} MiB Juju's controller can store \
             (MongoDB's document limit)",
            MAX_RESULTS_SIZE / (1024 * 1024)
        )));
    }
    action.results = results;
    action.results_size.0 = Some(size);
    Ok(Out::None)
}

/// The compact-JSON size of `results`.
fn json_len(results: &Map<String, Value>) -> usize {
    serde_json::to_vec(results).map_or(usize::MAX, |json| json.len())
}

/// The length of `s` as a JSON string, quotes and escapes included: serde_json writes a quote,
/// a backslash and the common control characters as two bytes, other control characters as six.
fn json_string_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// Juju's `addValueToMap`: nested keys merge maps, a later scalar overwrites, and a key path
/// through a scalar replaces it with a map.
fn add_value_to_map(map: &mut Map<String, Value>, segments: &[String], value: String) {
    let Some((last, parents)) = segments.split_last() else { return };
    let mut current = map;
    for segment in parents {
        let entry = current.entry(segment.clone()).or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(next) = entry else { return };
        current = next;
    }
    current.insert(last.clone(), Value::String(value));
}

fn action_log(session: &mut Session, call: &Call<'_>) -> ToolResult {
    if call.args().is_empty() {
        return Err(usage("no message specified"));
    }
    let message = call.args().join(" ");
    let logs = &mut running(session)?.logs;
    logs.push(message);
    // Bounded within one action like juju-log records (the oldest go, and a line says so).
    if crate::state::cap_on_append(logs, crate::state::MAX_LOG_RECORDS) > 0 {
        logs.insert(0, crate::state::LOG_CLIPPED.to_owned());
    }
    Ok(Out::None)
}

fn action_fail(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    if args.len() > 1 {
        return Err(super::unrecognized(&args[1..]));
    }
    let message = match args.first() {
        Some(m) => (*m).to_owned(),
        None => "action failed without reason given, check action for errors".to_owned(),
    };
    running(session)?.failure = Some(message);
    Ok(Out::None)
}
