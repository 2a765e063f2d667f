//! `config-get`.

use super::{Call, Formats, Out, ToolDef, ToolResult, usage};
use crate::flags::FlagSpec;
use crate::format::Val;
use crate::session::Session;

pub(super) const TOOLS: &[&ToolDef] = &[&CONFIG_GET];

const CONFIG_GET: ToolDef = ToolDef {
    name: "config-get",
    args: "[<key>]",
    purpose: "print application configuration",
    flags: &[FlagSpec::boolean(&["a", "all"], "print all keys")],
    formats: Formats::All,
    run: config_get,
};

/// The effective config: the charm's defaults overlaid with the state's values.
fn effective(session: &Session) -> Vec<(String, serde_json::Value)> {
    let mut merged: std::collections::BTreeMap<String, serde_json::Value> = session
        .meta
        .config
        .iter()
        .map(|(k, o)| (k.clone(), o.default.clone().unwrap_or(serde_json::Value::Null)))
        .collect();
    for (k, v) in &session.state.config {
        merged.insert(k.clone(), v.clone());
    }
    merged.into_iter().collect()
}

fn config_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    if args.len() > 1 {
        return Err(super::unrecognized(&args[1..]));
    }
    let all = call.parsed.flag("all");
    if let Some(key) = args.first() {
        if all {
            return Err(usage(format!("cannot use argument --all together with key {key:?}")));
        }
        let value = effective(session).into_iter().find(|(k, _)| k == key).map(|(_, v)| v);
        return Ok(Out::Value(value.map(|v| Val::from_json(&v)).unwrap_or(Val::Nil)));
    }
    let entries =
        effective(session).into_iter().filter(|(_, v)| all || !v.is_null()).map(|(k, v)| (k, Val::from_json(&v)));
    Ok(Out::Value(Val::map(entries)))
}
