//! Juju's output formatters (`github.com/juju/cmd` `output.go`): `smart`, `yaml` and `json`.
//!
//! Juju formats Go values; we model them with [`Val`]. Go maps are emitted with sorted keys
//! (byte order for JSON, yaml.v2's "natural" order for YAML) while Go structs keep their field
//! order, so [`Val::Map`] carries its entries plus whether they are a map or a struct.

pub(crate) mod go_duration;
pub(crate) mod go_quote;
mod yaml;
pub(crate) mod yaml_read;

use std::fmt::Write as _;

/// A Go value as Juju's formatters see it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// `nil`.
    Nil,
    /// A typed-nil map: YAML `{}` but JSON `null` (e.g. an empty `state-get`).
    NilMap,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A Go string holding bytes that are not UTF-8 (a binary secret value): yaml.v2 prints it
    /// as `!!binary` base64, encoding/json with each bad byte as U+FFFD.
    Bytes(Vec<u8>),
    /// A slice.
    List(Vec<Val>),
    /// A map (sorted on output) or a struct (field order kept).
    Map(Vec<(String, Val)>, MapKind),
}

/// Whether a [`Val::Map`] is a Go map or a struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MapKind {
    /// A Go map: keys are sorted on output.
    Sorted,
    /// A Go struct: fields are printed in the given order.
    Ordered,
}

impl Val {
    /// A string value.
    pub(crate) fn str(s: impl Into<String>) -> Val {
        Val::Str(s.into())
    }

    /// A struct from `(field, value)` pairs; `Nil` fields are kept (use [`Val::omit_nil`] to drop them).
    pub(crate) fn object<K: Into<String>>(fields: impl IntoIterator<Item = (K, Val)>) -> Val {
        Val::Map(fields.into_iter().map(|(k, v)| (k.into(), v)).collect(), MapKind::Ordered)
    }

    /// A Go map from `(key, value)` pairs.
    pub(crate) fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Val)>) -> Val {
        Val::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect(), MapKind::Sorted)
    }

    /// A list of strings.
    pub(crate) fn strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Val {
        Val::List(items.into_iter().map(|s| Val::Str(s.into())).collect())
    }

    /// Drop struct fields whose value is `Nil` (Go's `omitempty` for pointers).
    pub(crate) fn omit_nil(self) -> Val {
        match self {
            Val::Map(entries, kind) => Val::Map(entries.into_iter().filter(|(_, v)| *v != Val::Nil).collect(), kind),
            other => other,
        }
    }

    /// Convert a JSON value (maps become Go maps).
    pub(crate) fn from_json(value: &serde_json::Value) -> Val {
        match value {
            serde_json::Value::Null => Val::Nil,
            serde_json::Value::Bool(b) => Val::Bool(*b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Val::Int(i)
                } else {
                    Val::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            serde_json::Value::String(s) => Val::Str(s.clone()),
            serde_json::Value::Array(items) => Val::List(items.iter().map(Val::from_json).collect()),
            serde_json::Value::Object(map) => {
                Val::Map(map.iter().map(|(k, v)| (k.clone(), Val::from_json(v))).collect(), MapKind::Sorted)
            }
        }
    }

    fn entries_for_json(entries: &[(String, Val)], kind: MapKind) -> Vec<&(String, Val)> {
        let mut refs: Vec<&(String, Val)> = entries.iter().collect();
        if kind == MapKind::Sorted {
            refs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        }
        refs
    }

    pub(super) fn entries_for_yaml(entries: &[(String, Val)], kind: MapKind) -> Vec<&(String, Val)> {
        let mut refs: Vec<&(String, Val)> = entries.iter().collect();
        if kind == MapKind::Sorted {
            refs.sort_by(|a, b| yaml::key_order(&a.0, &b.0));
        }
        refs
    }
}

/// An output format of Juju's `--format` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `smart`: bare strings, `True`/`False`, string lists as lines, YAML otherwise.
    Smart,
    /// `yaml` (gopkg.in/yaml.v2).
    Yaml,
    /// `json` (Go encoding/json).
    Json,
}

impl Format {
    /// Parse a `--format` value.
    pub(crate) fn parse(s: &str) -> Option<Format> {
        match s {
            "smart" => Some(Format::Smart),
            "yaml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Format `value` as Juju would print it to stdout.
pub(crate) fn render(value: &Val, format: Format) -> Vec<u8> {
    match format {
        Format::Json => {
            let mut out = String::new();
            write_json(&mut out, value);
            out.push('\n');
            out.into_bytes()
        }
        Format::Yaml => yaml::render(value).into_bytes(),
        Format::Smart => match value {
            Val::Nil => Vec::new(),
            Val::Str(s) if s.is_empty() => Vec::new(),
            Val::Str(s) => format!("{s}\n").into_bytes(),
            Val::Bytes(b) => [b.as_slice(), b"\n"].concat(),
            Val::Bool(true) => b"True\n".to_vec(),
            Val::Bool(false) => b"False\n".to_vec(),
            Val::List(items) if items.is_empty() => Vec::new(),
            Val::List(items) if items.iter().all(|v| matches!(v, Val::Str(_))) => {
                let mut out = String::new();
                for item in items {
                    if let Val::Str(s) = item {
                        out.push_str(s);
                        out.push('\n');
                    }
                }
                out.into_bytes()
            }
            other => yaml::render(other).into_bytes(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// JSON (Go encoding/json)

fn write_json(out: &mut String, value: &Val) {
    match value {
        Val::Nil | Val::NilMap => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Val::Float(f) => out.push_str(&go_json_float(*f)),
        Val::Str(s) => write_json_string(out, s),
        Val::Bytes(b) => write_json_string(out, &String::from_utf8_lossy(b)),
        Val::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Val::Map(entries, kind) => {
            out.push('{');
            for (i, (k, v)) in Val::entries_for_json(entries, *kind).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, k);
                out.push(':');
                write_json(out, v);
            }
            out.push('}');
        }
    }
}

/// Go's `encoding/json` string escaping, including its HTML-safe escapes.
fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's float64 JSON encoding: shortest representation, exponent form outside [1e-6, 1e21).
fn go_json_float(f: f64) -> String {
    if !f.is_finite() {
        // Go refuses to encode these; Juju never produces them. Print null rather than fail.
        return "null".to_owned();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        // Rust prints `1e21` / `1e-7`; Go prints `1e+21` / `1e-07` → cleaned to `1e-7`.
        match s.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
            _ => s,
        }
    } else {
        let s = format!("{f}");
        s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(v: &Val) -> String {
        String::from_utf8(render(v, Format::Yaml)).unwrap()
    }

    fn json(v: &Val) -> String {
        String::from_utf8(render(v, Format::Json)).unwrap()
    }

    #[test]
    fn smart_prints_bare_values() {
        assert_eq!(render(&Val::str("hello"), Format::Smart), b"hello\n");
        assert_eq!(render(&Val::str(""), Format::Smart), b"");
        assert_eq!(render(&Val::Bool(true), Format::Smart), b"True\n");
        assert_eq!(render(&Val::Nil, Format::Smart), b"");
        assert_eq!(render(&Val::strings(["a", "b"]), Format::Smart), b"a\nb\n");
        assert_eq!(render(&Val::Int(3), Format::Smart), b"3\n");
    }

    #[test]
    fn json_matches_go() {
        let v = Val::map([("b", Val::Float(1.0)), ("a", Val::str("<&>"))]);
        assert_eq!(json(&v), "{\"a\":\"\\u003c\\u0026\\u003e\",\"b\":1}\n");
        assert_eq!(json(&Val::Nil), "null\n");
        assert_eq!(json(&Val::NilMap), "null\n");
        assert_eq!(yaml(&Val::NilMap), "{}\n");
        assert_eq!(go_json_float(1e21), "1e+21");
        assert_eq!(go_json_float(0.5), "0.5");
        let ordered = Val::object([("z", Val::Int(1)), ("a", Val::Int(2))]);
        assert_eq!(json(&ordered), "{\"z\":1,\"a\":2}\n");
    }
}
