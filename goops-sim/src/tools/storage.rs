//! `storage-list`, `storage-get`, `storage-add`.

use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty, fail, usage};
use crate::event::Event;
use crate::flags::FlagSpec;
use crate::format::Val;
use crate::session::Session;

pub(super) const TOOLS: &[&ToolDef] = &[&STORAGE_LIST, &STORAGE_GET, &STORAGE_ADD];

const STORAGE_LIST: ToolDef = ToolDef {
    name: "storage-list",
    args: "[<storage-name>]",
    purpose: "list storage attached to the unit",
    flags: &[],
    formats: Formats::All,
    run: storage_list,
};

const STORAGE_GET: ToolDef = ToolDef {
    name: "storage-get",
    args: "[<key>]",
    purpose: "print information for storage instance with specified id",
    flags: &[FlagSpec::value(&["s"], "ID", "specify a storage instance by id")],
    formats: Formats::All,
    run: storage_get,
};

const STORAGE_ADD: ToolDef = ToolDef {
    name: "storage-add",
    args: "<charm storage name>[=count] ...",
    purpose: "add storage instances",
    flags: &[],
    formats: Formats::None,
    run: storage_add,
};

fn storage_list(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    if args.len() > 1 {
        return Err(super::unrecognized(&args[1..]));
    }
    let mut ids: Vec<(String, u32)> = session
        .state
        .storage
        .iter()
        .filter(|s| args.first().is_none_or(|n| *n == s.name))
        .map(|s| (s.name.clone(), s.index))
        .collect();
    ids.sort();
    Ok(Out::Value(Val::strings(ids.into_iter().map(|(n, i)| format!("{n}/{i}")))))
}

fn valid_storage_id(id: &str) -> bool {
    match id.split_once('/') {
        Some((name, n)) => !name.is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()),
        None => false,
    }
}

fn storage_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let id = match call.parsed.value_with_spelling("s") {
        Some((spelled, value)) => {
            if !valid_storage_id(value) {
                return Err(usage(format!(
                    "invalid value {value:?} for option {spelled}: invalid storage ID {value:?}"
                )));
            }
            // Juju looks the instance up while parsing -s.
            if !session.state.storage.iter().any(|s| s.id() == value) {
                return Err(usage(format!(
                    "invalid value {value:?} for option {spelled}: storage {value:?} not found"
                )));
            }
            value.to_owned()
        }
        None => match &session.event {
            Event::Storage { id, .. } => id.clone(),
            _ => return Err(usage("no storage instance specified")),
        },
    };
    let args = call.args();
    if args.len() > 1 {
        return Err(super::unrecognized(&args[1..]));
    }
    let instance = session
        .state
        .storage
        .iter()
        .find(|s| s.id() == id)
        .ok_or_else(|| fail(format!("storage instance {id:?} not found")))?;
    match args.first().copied() {
        None => Ok(Out::Value(Val::map([
            ("kind", Val::str(instance.kind.as_str())),
            ("location", Val::str(instance.location.clone())),
        ]))),
        Some("kind") => Ok(Out::Value(Val::str(instance.kind.as_str()))),
        Some("location") => Ok(Out::Value(Val::str(instance.location.clone()))),
        Some(other) => Err(fail(format!("invalid storage attribute {other:?}"))),
    }
}

fn storage_add(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    if args.is_empty() {
        return Err(usage("storage add requires a storage directive"));
    }
    let mut requests: Vec<(String, u32)> = Vec::new();
    for arg in args {
        let (name, count) = match arg.split_once('=') {
            Some((name, spec)) => {
                let count =
                    spec.parse::<u32>().map_err(|_| usage(format!("only count can be specified for {name:?}")))?;
                (name.to_owned(), count)
            }
            None => ((*arg).to_owned(), 1),
        };
        if requests.iter().any(|(n, _)| *n == name) {
            return Err(usage(format!("storage {name:?} specified more than once")));
        }
        requests.push((name, count));
    }
    check_empty(&[])?;
    for (name, _) in &requests {
        if !session.meta.storage.is_empty() && !session.meta.storage.contains_key(name) {
            return Err(fail(format!("adding storage {name:?}: charm storage {name:?} not found")));
        }
    }
    for (name, count) in requests {
        *session.pending.storage_adds.entry(name).or_default() += count;
    }
    Ok(Out::None)
}
