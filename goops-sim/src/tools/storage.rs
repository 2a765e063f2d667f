//! `storage-list`, `storage-get`, `storage-add`.

use super::{Call, Formats, Out, ToolDef, ToolResult, fail, usage};
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
    // jujuc/storage-add.go `Init`: `storage.ParseDirectivesMap(args, false)`, then only a count
    // may be given.
    let mut requests: Vec<(String, u64)> = Vec::new();
    for arg in args {
        let parts: Vec<&str> = arg.split('=').collect();
        let name = parts[0];
        if parts.len() > 2 || name.is_empty() {
            return Err(usage(format!("expected \"name=directive\" or \"name\", got {arg:?}")));
        }
        if requests.iter().any(|(n, _)| n == name) {
            return Err(usage(format!("storage {name:?} specified more than once")));
        }
        let directive = parse_directive(parts.get(1).copied().unwrap_or("1"))
            .map_err(|e| usage(format!("cannot parse directive for storage {name:?}: {e}")))?;
        if directive.pool.is_some() || directive.size != 0 {
            return Err(usage(format!("only count can be specified for {name:?}")));
        }
        requests.push((name.to_owned(), directive.count));
    }
    for (name, _) in &requests {
        if !session.meta.storage.is_empty() && !session.meta.storage.contains_key(name) {
            return Err(fail(format!("adding storage {name:?}: charm storage {name:?} not found")));
        }
    }
    // The state counts requests in a u32: refuse what it cannot hold rather than wrap.
    let mut totals = Vec::with_capacity(requests.len());
    for (name, count) in &requests {
        let requested = u64::from(session.state.storage_requests.get(name).copied().unwrap_or(0))
            + u64::from(session.pending.storage_adds.get(name).copied().unwrap_or(0));
        match u32::try_from(requested + count) {
            Ok(_) => totals.push((name.clone(), u32::try_from(*count).unwrap_or(u32::MAX))),
            Err(_) => {
                return Err(fail(format!(
                    "adding storage {name:?}: {} instances requested in all, more than goops-sim records ({})",
                    requested + count,
                    u32::MAX
                )));
            }
        }
    }
    for (name, count) in totals {
        *session.pending.storage_adds.entry(name).or_default() += count;
    }
    Ok(Out::None)
}

/// A parsed storage directive (`internal/storage/directive.go` `Directive`).
#[derive(Debug, Default)]
struct Directive {
    pool: Option<String>,
    size: u64,
    count: u64,
}

/// `internal/storage/directive.go` `ParseDirective`: comma-separated POOL, COUNT and SIZE.
fn parse_directive(s: &str) -> Result<Directive, String> {
    let mut directive = Directive::default();
    for field in s.split(',').filter(|f| !f.is_empty()) {
        if is_pool_name(field) {
            if let Some(pool) = &directive.pool {
                return Err(format!("pool name is already set to {pool:?}, new value {field:?} not valid"));
            }
            directive.pool = Some(field.to_owned());
            continue;
        }
        if let Some(count) = parse_count(field) {
            let count = count.map_err(|e| format!("cannot parse count: {e}"))?;
            if directive.count != 0 {
                return Err(format!(
                    "storage instance count is already set to {}, new value {count} not valid",
                    directive.count
                ));
            }
            directive.count = count;
            continue;
        }
        if let Some(size) = parse_size(field) {
            let size = size.map_err(|e| format!("cannot parse size: {e}"))?;
            if directive.size != 0 {
                return Err(format!("storage size is already set to {}, new value {size} not valid", directive.size));
            }
            directive.size = size;
            continue;
        }
        return Err(format!("unrecognized storage directive {field:?} not valid"));
    }
    if directive.count == 0 && directive.size == 0 && directive.pool.is_none() {
        return Err("storage directives require at least one field to be specified".to_owned());
    }
    if directive.count == 0 {
        directive.count = 1;
    }
    Ok(directive)
}

/// `poolRE`: `^[a-zA-Z]+[-?a-zA-Z0-9]*$`.
fn is_pool_name(s: &str) -> bool {
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    letters > 0 && s.bytes().skip(letters).all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'?')
}

/// `parseCount`: `None` when `s` is not a count (`^-?[0-9]+$`, or too large for a uint64).
fn parse_count(s: &str) -> Option<Result<u64, String>> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.starts_with('-') {
        return Some(Err(format!("count must be greater than zero, got {s:?}")));
    }
    match s.parse::<u64>() {
        Err(_) => None,
        Ok(0) => Some(Err(format!("count must be greater than zero, got {s:?}"))),
        Ok(n) => Some(Ok(n)),
    }
}

/// `parseSize`: `None` when `s` is not a size (`^-?[0-9]+(?:\.[0-9]+)?[MGTPEZY](?:i?B)?$`), else
/// `utils.ParseSize` in MiB.
fn parse_size(s: &str) -> Option<Result<u64, String>> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let unit_at = body.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (number, suffix) = body.split_at(unit_at);
    let number_ok = match number.split_once('.') {
        Some((int, frac)) => !int.is_empty() && !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()),
        None => !number.is_empty(),
    } && number.bytes().next().is_some_and(|b| b.is_ascii_digit());
    let power = "MGTPEZY".find(suffix.chars().next()?)?;
    if !number_ok || !matches!(&suffix[1..], "" | "B" | "iB") {
        return None;
    }
    if s.starts_with('-') {
        return Some(Err(format!("expected a non-negative number, got {s:?}")));
    }
    let value: f64 = number.parse().ok()?;
    let mib = (value * f64::from(1u32 << 10).powi(power as i32)).ceil();
    // Go's float-to-uint64 conversion saturates on amd64 for these magnitudes.
    Some(Ok(if mib >= u64::MAX as f64 { u64::MAX } else { mib as u64 }))
}
