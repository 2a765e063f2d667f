//! Layers and the plan (`internals/plan/plan.go`): parsing with Pebble's strict field rules,
//! per-layer and whole-plan validation, combining (`override: merge|replace`), start/stop
//! ordering, and the plan as YAML.
//!
//! Each service, check and log target is kept as a JSON object holding only the fields the
//! layer set (Go's "is set" for scalars), which is exactly what merging and printing need.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

use super::time::{go_duration_string, parse_go_duration};

/// A field's type, for decoding and merging.
#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Str,
    Int,
    Float,
    Duration,
    List,
    Map,
    /// A nested object with its own fields (check `http`, `tcp`, `exec`).
    Obj(&'static [(&'static str, Ty)]),
}

/// `plan.Service`'s fields in struct order (the order the plan YAML prints them).
const SERVICE: &[(&str, Ty)] = &[
    ("summary", Ty::Str),
    ("description", Ty::Str),
    ("startup", Ty::Str),
    ("override", Ty::Str),
    ("command", Ty::Str),
    ("after", Ty::List),
    ("before", Ty::List),
    ("requires", Ty::List),
    ("workload", Ty::Str),
    ("environment", Ty::Map),
    ("user-id", Ty::Int),
    ("user", Ty::Str),
    ("group-id", Ty::Int),
    ("group", Ty::Str),
    ("working-dir", Ty::Str),
    ("on-success", Ty::Str),
    ("on-failure", Ty::Str),
    ("on-check-failure", Ty::Map),
    ("backoff-delay", Ty::Duration),
    ("backoff-factor", Ty::Float),
    ("backoff-limit", Ty::Duration),
    ("kill-delay", Ty::Duration),
];
const HTTP: &[(&str, Ty)] = &[("url", Ty::Str), ("headers", Ty::Map)];
const TCP: &[(&str, Ty)] = &[("port", Ty::Int), ("host", Ty::Str)];
const EXEC: &[(&str, Ty)] = &[
    ("command", Ty::Str),
    ("service-context", Ty::Str),
    ("environment", Ty::Map),
    ("user-id", Ty::Int),
    ("user", Ty::Str),
    ("group-id", Ty::Int),
    ("group", Ty::Str),
    ("working-dir", Ty::Str),
];
/// `plan.Check`'s fields in struct order.
const CHECK: &[(&str, Ty)] = &[
    ("override", Ty::Str),
    ("level", Ty::Str),
    ("startup", Ty::Str),
    ("period", Ty::Duration),
    ("timeout", Ty::Duration),
    ("threshold", Ty::Int),
    ("http", Ty::Obj(HTTP)),
    ("tcp", Ty::Obj(TCP)),
    ("exec", Ty::Obj(EXEC)),
];
/// `plan.LogTarget`'s fields in struct order.
const LOG_TARGET: &[(&str, Ty)] =
    &[("type", Ty::Str), ("location", Ty::Str), ("services", Ty::List), ("override", Ty::Str), ("labels", Ty::Map)];

/// One object of a section: only the fields that were set.
pub(crate) type Obj = Map<String, Value>;

/// A parsed layer, or the combined plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Layer {
    /// `summary`.
    pub summary: String,
    /// `description`.
    pub description: String,
    /// `services`.
    pub services: BTreeMap<String, Obj>,
    /// `checks`.
    pub checks: BTreeMap<String, Obj>,
    /// `log-targets`.
    pub log_targets: BTreeMap<String, Obj>,
}

impl Layer {
    /// The layer as JSON (what the state stores).
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        if !self.summary.is_empty() {
            out.insert("summary".into(), Value::from(self.summary.clone()));
        }
        if !self.description.is_empty() {
            out.insert("description".into(), Value::from(self.description.clone()));
        }
        for (key, section) in
            [("services", &self.services), ("checks", &self.checks), ("log-targets", &self.log_targets)]
        {
            if !section.is_empty() {
                let m: Map<String, Value> =
                    section.iter().map(|(k, v)| (k.clone(), Value::Object(v.clone()))).collect();
                out.insert(key.into(), Value::Object(m));
            }
        }
        Value::Object(out)
    }

    /// A layer from its JSON (as stored in the state), with the same field rules as YAML.
    pub fn from_json(label: &str, value: &Value) -> Result<Layer, String> {
        let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
        // JSON is YAML: one decoder for both keeps the rules in one place.
        parse_layer(label, &text)
    }
}

/// `plan.ParseLayer` then `Layer.Validate`: the texts the API prefixes with
/// `cannot parse layer YAML: `.
pub(crate) fn parse_layer(label: &str, text: &str) -> Result<Layer, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("cannot parse layer {label:?}: yaml: {e}"))?;
    let mut layer = Layer::default();
    let root = docs.into_iter().next().unwrap_or(Yaml::Null);
    let top = match root {
        Yaml::Hash(h) => h,
        Yaml::Null => Default::default(),
        other => {
            return Err(format!(
                "cannot parse layer {label:?}: yaml: unmarshal errors:\n  cannot unmarshal {} into map",
                tag(&other)
            ));
        }
    };
    for (key, value) in top {
        let key = scalar_text(&key).unwrap_or_default();
        let section_err = |e: String| format!("cannot parse layer {label:?} section {key:?}: {e}");
        match key.as_str() {
            "summary" => layer.summary = decode_str(&value).map_err(section_err)?,
            "description" => layer.description = decode_str(&value).map_err(section_err)?,
            "services" => layer.services = decode_section(&value, SERVICE, "plan.Service").map_err(section_err)?,
            "checks" => layer.checks = decode_section(&value, CHECK, "plan.Check").map_err(section_err)?,
            "log-targets" => {
                layer.log_targets = decode_section(&value, LOG_TARGET, "plan.LogTarget").map_err(section_err)?
            }
            _ => return Err(format!("cannot parse layer {label:?}: unknown section {key:?}")),
        }
    }
    validate_layer(label, &layer)?;
    Ok(layer)
}

fn tag(y: &Yaml) -> &'static str {
    match y {
        Yaml::Array(_) => "!!seq",
        Yaml::Hash(_) => "!!map",
        Yaml::Integer(_) => "!!int",
        Yaml::Real(_) => "!!float",
        Yaml::Boolean(_) => "!!bool",
        _ => "!!str",
    }
}

fn scalar_text(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Null => Some(String::new()),
        _ => None,
    }
}

fn unmarshal_err(y: &Yaml, into: &str) -> String {
    format!("yaml: unmarshal errors:\n  cannot unmarshal {} into {into}", tag(y))
}

fn decode_str(y: &Yaml) -> Result<String, String> {
    scalar_text(y).ok_or_else(|| unmarshal_err(y, "string"))
}

/// A section: name → object (a `null` object is kept as an empty one marked by `null`, which
/// validation rejects with Pebble's "cannot be null" text).
fn decode_section(y: &Yaml, fields: &[(&str, Ty)], go_type: &str) -> Result<BTreeMap<String, Obj>, String> {
    let mut out = BTreeMap::new();
    let hash = match y {
        Yaml::Hash(h) => h,
        Yaml::Null => return Ok(out),
        other => return Err(unmarshal_err(other, "map")),
    };
    for (name, value) in hash {
        let name = decode_str(name)?;
        let obj = match value {
            Yaml::Null => {
                let mut m = Obj::new();
                m.insert("\0null".into(), Value::Null);
                m
            }
            v => decode_obj(v, fields, go_type)?,
        };
        out.insert(name, obj);
    }
    Ok(out)
}

fn decode_obj(y: &Yaml, fields: &[(&str, Ty)], go_type: &str) -> Result<Obj, String> {
    let Yaml::Hash(hash) = y else { return Err(unmarshal_err(y, go_type)) };
    let mut obj = Obj::new();
    for (key, value) in hash {
        let key = decode_str(key)?;
        let Some((_, ty)) = fields.iter().find(|(f, _)| *f == key) else {
            return Err(format!("yaml: unmarshal errors:\n  field {key} not found in type {go_type}"));
        };
        if let Some(v) = decode_value(value, *ty, go_type)? {
            obj.insert(key, v);
        }
    }
    Ok(obj)
}

/// One field's value; `None` when it is "not set" (empty string, null).
fn decode_value(y: &Yaml, ty: Ty, go_type: &str) -> Result<Option<Value>, String> {
    if matches!(y, Yaml::Null) {
        return Ok(None);
    }
    Ok(match ty {
        Ty::Str => Some(decode_str(y)?).filter(|s| !s.is_empty()).map(Value::from),
        Ty::Int => match y {
            Yaml::Integer(i) => Some(Value::from(*i)),
            other => return Err(unmarshal_err(other, "int")),
        },
        Ty::Float => match y {
            Yaml::Integer(i) => Some(Value::from(*i as f64)),
            Yaml::Real(s) => match s.parse::<f64>() {
                Ok(f) => Some(Value::from(f)),
                Err(_) => return Err(format!("invalid floating-point number {s:?}")),
            },
            other => {
                let s = scalar_text(other).unwrap_or_default();
                return Err(format!("invalid floating-point number {s:?}"));
            }
        },
        Ty::Duration => {
            let s = decode_str(y)?;
            let nanos = parse_go_duration(&s).map_err(|_| format!("invalid duration {s:?}"))?;
            Some(Value::from(go_duration_string(nanos)))
        }
        Ty::List => match y {
            Yaml::Array(items) => Some(Value::Array(
                items.iter().map(decode_str).collect::<Result<Vec<_>, _>>()?.into_iter().map(Value::from).collect(),
            )),
            other => return Err(unmarshal_err(other, "[]string")),
        },
        Ty::Map => match y {
            Yaml::Hash(h) => {
                let mut m = Map::new();
                for (k, v) in h {
                    m.insert(decode_str(k)?, Value::from(decode_str(v)?));
                }
                Some(Value::Object(m))
            }
            other => return Err(unmarshal_err(other, "map[string]string")),
        },
        Ty::Obj(fields) => Some(Value::Object(decode_obj(y, fields, go_type)?)),
    })
}

fn is_null_obj(obj: &Obj) -> bool {
    obj.contains_key("\0null")
}

fn s<'a>(obj: &'a Obj, key: &str) -> &'a str {
    obj.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `Layer.Validate`.
fn validate_layer(label: &str, layer: &Layer) -> Result<(), String> {
    if label.starts_with("pebble-") {
        return Err(r#"cannot use reserved label prefix "pebble-""#.into());
    }
    for (name, svc) in &layer.services {
        if name.is_empty() {
            return Err("cannot use empty string as service name".into());
        }
        if name == "pebble" {
            return Err(format!("cannot use reserved service name {name:?}"));
        }
        if name.starts_with('-') {
            return Err(format!(r#"cannot use service name {name:?}: starting with "-" not allowed"#));
        }
        if is_null_obj(svc) {
            return Err(format!("service object cannot be null for service {name:?}"));
        }
        if let Err(e) = parse_command(s(svc, "command")) {
            return Err(format!("plan service {name:?} command invalid: cannot parse service {name:?} command: {e}"));
        }
        let valid = |a: &str, extra: &str| matches!(a, "" | "restart" | "shutdown" | "ignore") || a == extra;
        if !valid(s(svc, "on-success"), "failure-shutdown") {
            return Err(format!("plan service {name:?} on-success action {:?} invalid", s(svc, "on-success")));
        }
        if !valid(s(svc, "on-failure"), "success-shutdown") {
            return Err(format!("plan service {name:?} on-failure action {:?} invalid", s(svc, "on-failure")));
        }
        if let Some(Value::Object(m)) = svc.get("on-check-failure") {
            for action in m.values() {
                let a = action.as_str().unwrap_or("");
                if !valid(a, "success-shutdown") {
                    return Err(format!("plan service {name:?} on-check-failure action {a:?} invalid"));
                }
            }
        }
        if let Some(f) = svc.get("backoff-factor").and_then(Value::as_f64).filter(|f| *f < 1.0) {
            return Err(format!("plan service {name:?} backoff-factor must be 1.0 or greater, not {f}"));
        }
    }
    for (name, check) in &layer.checks {
        if name.is_empty() {
            return Err("cannot use empty string as check name".into());
        }
        if is_null_obj(check) {
            return Err(format!("check object cannot be null for check {name:?}"));
        }
        if !matches!(s(check, "level"), "" | "alive" | "ready") {
            return Err(format!(r#"plan check {name:?} level must be "alive" or "ready""#));
        }
        if !matches!(s(check, "startup"), "" | "enabled" | "disabled") {
            return Err(format!(r#"plan check {name:?} startup must be "enabled" or "disabled""#));
        }
        for field in ["period", "timeout"] {
            if check.get(field).and_then(Value::as_str) == Some("0s") {
                return Err(format!("plan check {name:?} {field} must not be zero"));
            }
        }
        if let Some(Value::Object(exec)) = check.get("exec")
            && let Err(e) = shell_words::split(s(exec, "command"))
        {
            return Err(format!("plan check {name:?} command invalid: {}", shlex_error(&e)));
        }
    }
    for (name, target) in &layer.log_targets {
        if is_null_obj(target) {
            return Err(format!("log target object cannot be null for log target {name:?}"));
        }
        if let Some(Value::Object(labels)) = target.get("labels")
            && let Some(l) = labels.keys().find(|l| l.starts_with("pebble_"))
        {
            return Err(format!(r#"log target {name:?}: label {l:?} uses reserved prefix "pebble_""#));
        }
        let t = s(target, "type");
        if !matches!(t, "" | "loki" | "opentelemetry" | "syslog") {
            return Err(format!(
                r#"log target {name:?} has unsupported type {t:?}, must be "loki", "opentelemetry" or "syslog""#
            ));
        }
    }
    Ok(())
}

/// canonical/x-go shlex's error for an unclosed quote.
fn shlex_error(_: &shell_words::ParseError) -> &'static str {
    "EOF found when expecting closing quote"
}

/// `Service.ParseCommand`: the base command and the default arguments in `[ ... ]`.
pub(crate) fn parse_command(command: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let args = shell_words::split(command).map_err(|e| shlex_error(&e).to_owned())?;
    let (mut base, mut extra) = (Vec::new(), Vec::new());
    let mut in_group = false;
    let mut group_done = false;
    for arg in args {
        if group_done {
            return Err("cannot have any arguments after [ ... ] group".into());
        }
        match arg.as_str() {
            "[" => {
                if in_group {
                    return Err("cannot nest [ ... ] groups".into());
                }
                if base.is_empty() {
                    return Err("cannot start command with [ ... ] group".into());
                }
                in_group = true;
            }
            "]" => {
                if !in_group {
                    return Err("cannot have ] outside of [ ... ] group".into());
                }
                in_group = false;
                group_done = true;
            }
            _ if in_group => extra.push(arg),
            _ => base.push(arg),
        }
    }
    Ok((base, extra))
}

/// `CombineLayers`: later layers win; override errors name the layer.
pub(crate) fn combine(layers: &[(String, Layer)]) -> Result<Layer, String> {
    let mut plan = Layer::default();
    for (label, layer) in layers {
        for (what, section, combined, fields) in [
            ("service", &layer.services, &mut plan.services, SERVICE),
            ("check", &layer.checks, &mut plan.checks, CHECK),
            ("log target", &layer.log_targets, &mut plan.log_targets, LOG_TARGET),
        ] {
            for (name, obj) in section {
                match s(obj, "override") {
                    "merge" => match combined.get_mut(name) {
                        Some(old) => merge(old, obj, fields),
                        None => {
                            combined.insert(name.clone(), obj.clone());
                        }
                    },
                    "replace" => {
                        combined.insert(name.clone(), obj.clone());
                    }
                    "" => return Err(format!(r#"layer {label:?} must define "override" for {what} {name:?}"#)),
                    _ => return Err(format!(r#"layer {label:?} has invalid "override" value for {what} {name:?}"#)),
                }
            }
        }
    }
    for check in plan.checks.values_mut() {
        // The only default printed in the plan: `threshold` is a plain int.
        if check.get("threshold").and_then(Value::as_i64).unwrap_or(0) == 0 {
            check.insert("threshold".into(), Value::from(3));
        }
    }
    Ok(plan)
}

/// `Service.Merge`, `Check.Merge`, `LogTarget.Merge`: set scalars overwrite, lists append,
/// maps merge by key, nested objects merge field-wise; `override` stays the first layer's.
fn merge(old: &mut Obj, new: &Obj, fields: &[(&str, Ty)]) {
    for (key, ty) in fields {
        if *key == "override" {
            continue;
        }
        let Some(v) = new.get(*key) else { continue };
        match ty {
            Ty::List => {
                let entry = old.entry(key.to_string()).or_insert_with(|| Value::Array(Vec::new()));
                if let (Value::Array(a), Value::Array(b)) = (entry, v) {
                    a.extend(b.iter().cloned());
                }
            }
            Ty::Map => {
                let entry = old.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new()));
                if let (Value::Object(a), Value::Object(b)) = (entry, v) {
                    a.extend(b.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
            Ty::Obj(sub) => match (old.get_mut(*key), v) {
                (Some(Value::Object(a)), Value::Object(b)) => merge(a, b, sub),
                _ => {
                    old.insert(key.to_string(), v.clone());
                }
            },
            Ty::Int if v.as_i64() == Some(0) && *key != "user-id" && *key != "group-id" => {}
            _ => {
                old.insert(key.to_string(), v.clone());
            }
        }
    }
}

/// `Plan.Validate`.
pub(crate) fn validate_plan(plan: &Layer) -> Result<(), String> {
    for (name, svc) in &plan.services {
        if s(svc, "command").is_empty() {
            return Err(format!(r#"plan must define "command" for service {name:?}"#));
        }
    }
    for (name, check) in &plan.checks {
        let mut kinds = 0;
        for (kind, field) in [("http", "url"), ("tcp", "port"), ("exec", "command")] {
            if let Some(Value::Object(sub)) = check.get(kind) {
                let set = match sub.get(field) {
                    Some(Value::String(v)) => !v.is_empty(),
                    Some(Value::Number(n)) => n.as_i64() != Some(0),
                    _ => false,
                };
                if !set {
                    return Err(format!(r#"plan must set {field:?} for {kind} check {name:?}"#));
                }
                if kind == "exec" {
                    let ctx = s(sub, "service-context");
                    if !ctx.is_empty() && !plan.services.contains_key(ctx) {
                        return Err(format!(
                            "plan check {name:?} service context specifies non-existent service {ctx:?}"
                        ));
                    }
                }
                kinds += 1;
            }
        }
        if kinds != 1 {
            return Err(format!(r#"plan must specify one of "http", "tcp", or "exec" for check {name:?}"#));
        }
    }
    for (name, target) in &plan.log_targets {
        if s(target, "type").is_empty() {
            return Err(format!(
                r#"plan must define "type" ("loki", "opentelemetry" or "syslog") for log target {name:?}"#
            ));
        }
        for svc in list(target, "services") {
            let svc = svc.trim_start_matches('-');
            if svc != "all" && !plan.services.contains_key(svc) {
                return Err(format!("log target {name:?} specifies unknown service {svc:?}"));
            }
        }
        if s(target, "location").is_empty() {
            return Err(format!(r#"plan must define "location" for log target {name:?}"#));
        }
    }
    let names: Vec<String> = plan.services.keys().cloned().collect();
    order(&plan.services, &names, false).map(|_| ())
}

/// A list field's strings.
pub(crate) fn list(obj: &Obj, key: &str) -> Vec<String> {
    match obj.get(key) {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

/// `order`: the services to start (with what they require) or stop (with what requires them),
/// sorted by `after`/`before` (reversed for stop). Errors: unknown service, loops.
pub(crate) fn order(services: &BTreeMap<String, Obj>, names: &[String], stop: bool) -> Result<Vec<String>, String> {
    let mut predecessors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if stop {
        for (name, svc) in services {
            for req in list(svc, "requires") {
                predecessors.entry(req).or_default().push(name.clone());
            }
        }
    }
    let mut set: Vec<String> = Vec::new();
    let mut pending: Vec<String> = names.to_vec();
    let mut i = 0;
    while i < pending.len() {
        let name = pending[i].clone();
        i += 1;
        if set.contains(&name) {
            continue;
        }
        let Some(svc) = services.get(&name) else { return Err(format!("service {name:?} does not exist")) };
        set.push(name.clone());
        if stop {
            pending.extend(predecessors.get(&name).cloned().unwrap_or_default());
        } else {
            pending.extend(list(svc, "requires"));
        }
    }
    // successors[x] = services that must come before x.
    let mut before: BTreeMap<String, BTreeSet<String>> = set.iter().map(|n| (n.clone(), BTreeSet::new())).collect();
    for name in &set {
        let svc = &services[name];
        let (after, bef) =
            if stop { (list(svc, "before"), list(svc, "after")) } else { (list(svc, "after"), list(svc, "before")) };
        for a in after {
            if before.contains_key(&a) {
                before.get_mut(name).map(|s| s.insert(a));
            }
        }
        for b in bef {
            if let Some(s) = before.get_mut(&b) {
                s.insert(name.clone());
            }
        }
    }
    // Kahn's algorithm in name order; what is left over is in a loop.
    let mut out = Vec::new();
    let mut done: BTreeSet<String> = BTreeSet::new();
    loop {
        let ready: Vec<String> = before
            .iter()
            .filter(|(n, deps)| !done.contains(*n) && deps.iter().all(|d| done.contains(d)))
            .map(|(n, _)| n.clone())
            .collect();
        if ready.is_empty() {
            break;
        }
        for n in ready {
            done.insert(n.clone());
            out.push(n);
        }
    }
    if out.len() < before.len() {
        let stuck: Vec<&str> = before.keys().filter(|n| !done.contains(*n)).map(String::as_str).collect();
        return Err(format!("services in before/after loop: {}", stuck.join(", ")));
    }
    Ok(out)
}

/// The plan as Pebble prints it (yaml.v3, 4-space indent, fields in struct order, map keys
/// sorted, only set fields); an empty plan is `{}`.
pub(crate) fn plan_yaml(plan: &Layer) -> String {
    let mut out = String::new();
    for (key, section, fields) in [
        ("services", &plan.services, SERVICE),
        ("checks", &plan.checks, CHECK),
        ("log-targets", &plan.log_targets, LOG_TARGET),
    ] {
        if section.is_empty() {
            continue;
        }
        out.push_str(&format!("{key}:\n"));
        for (name, obj) in section {
            out.push_str(&format!("    {}:\n", yaml_str(name)));
            write_obj(&mut out, obj, fields, 8);
        }
    }
    if out.is_empty() { "{}\n".into() } else { out }
}

fn write_obj(out: &mut String, obj: &Obj, fields: &[(&str, Ty)], indent: usize) {
    let pad = " ".repeat(indent);
    for (key, ty) in fields {
        let Some(v) = obj.get(*key) else { continue };
        match (ty, v) {
            (Ty::List, Value::Array(items)) if !items.is_empty() => {
                out.push_str(&format!("{pad}{key}:\n"));
                for item in items {
                    out.push_str(&format!("{pad}    - {}\n", yaml_str(item.as_str().unwrap_or(""))));
                }
            }
            (Ty::Map, Value::Object(m)) if !m.is_empty() => {
                out.push_str(&format!("{pad}{key}:\n"));
                for (k, v) in m {
                    out.push_str(&format!("{pad}    {}: {}\n", yaml_str(k), yaml_str(v.as_str().unwrap_or(""))));
                }
            }
            (Ty::Obj(sub), Value::Object(m)) => {
                out.push_str(&format!("{pad}{key}:\n"));
                write_obj(out, m, sub, indent + 4);
            }
            (Ty::List | Ty::Map | Ty::Obj(_), _) => {}
            (_, Value::String(text)) => out.push_str(&format!("{pad}{key}: {}\n", yaml_str(text))),
            (_, other) => out.push_str(&format!("{pad}{key}: {other}\n")),
        }
    }
}

/// A string as a YAML scalar: plain when it reads back as the same string, else
/// double-quoted (JSON's quoting is valid YAML).
fn yaml_str(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || " _-./:@=+,%~".contains(c))
        && !text.starts_with([' ', '-', ':', '@', '%', '~', '.'])
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && !text.contains(" #")
        && matches!(YamlLoader::load_from_str(text).ok().as_deref(), Some([Yaml::String(s)]) if s == text);
    if plain { text.to_owned() } else { Value::from(text).to_string() }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
