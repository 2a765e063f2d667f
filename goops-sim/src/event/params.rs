//! Action parameters given on the command line as `key.key…=value`, read the way `juju run`
//! reads them (`cmd/juju/action/run.go` `Init` and `enqueueActions`): the key is split on `.`
//! into nested maps, each part checked against the action name rule, and the value parsed as
//! YAML by `gopkg.in/yaml.v2` (YAML 1.1: `y`, `yes` and `on` are `true`, `010` is 8), unless
//! `--string-args` asks for the raw text.

use serde_json::{Map, Value};

use crate::format::yaml_read;
use crate::tools::go_parse_int;

/// Why a `key=value` parameter is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct ParamError(pub(crate) String);

/// Parse one `key.key…=value` argument and insert it into `params` (later arguments override
/// earlier ones and the `--params` object, as in `juju run`). `raw` keeps the value as text
/// (`juju run --string-args`).
pub(crate) fn insert_cli_param(params: &mut Map<String, Value>, arg: &str, raw: bool) -> Result<(), ParamError> {
    let Some((key, text)) = arg.split_once('=') else {
        // run.go: `argument %q must be of the form key.key.key...=value`
        return Err(ParamError(format!("argument {arg:?} must be of the form key.key.key...=value")));
    };
    let keys: Vec<&str> = key.split('.').collect();
    for part in &keys {
        if !is_valid_key(part) {
            // run.go, checked against the action name rule.
            return Err(ParamError(format!(
                "key {part:?} must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric and hyphens"
            )));
        }
    }
    let value = if raw { Value::String(text.to_owned()) } else { yaml_v2_value(text)? };
    add_value_to_map(params, &keys, value);
    Ok(())
}

/// Juju's action name rule (`charm` `actionNameRule`): lowercase alphanumerics and hyphens,
/// starting and ending with an alphanumeric.
fn is_valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => alnum(first) && alnum(last) && bytes.iter().all(|b| alnum(b) || *b == b'-'),
        _ => false,
    }
}

/// `addValueToMap`: walk (and create, replacing non-maps) the nested maps of `keys`, then set the last.
fn add_value_to_map(params: &mut Map<String, Value>, keys: &[&str], value: Value) {
    let Some((last, parents)) = keys.split_last() else { return };
    let mut map = params;
    for key in parents {
        let entry = map.entry((*key).to_owned()).or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(next) = entry else { return };
        map = next;
    }
    map.insert((*last).to_owned(), value);
}

/// The value `yaml.Unmarshal([]byte(text), &v)` leaves in a `v` that held `text`: an empty
/// document leaves the text; a plain scalar resolves by YAML 1.1's rules; quoted scalars,
/// flow and block collections are read as YAML.
fn yaml_v2_value(text: &str) -> Result<Value, ParamError> {
    let docs = yaml_rust2::YamlLoader::load_from_str(text)
        .map_err(|e| ParamError(format!("cannot parse parameter value {text:?} as YAML: {e}")))?;
    let Some(doc) = docs.into_iter().next() else {
        return Ok(Value::String(text.to_owned()));
    };
    let trimmed = text.trim();
    let plain_scalar = !matches!(doc, yaml_rust2::Yaml::Hash(_) | yaml_rust2::Yaml::Array(_))
        && !trimmed.starts_with(['\'', '"', '|', '>', '!', '&', '*', '['])
        && !trimmed.contains('\n');
    if plain_scalar {
        // The scalar as written (a trailing comment dropped): YAML 1.2 and 1.1 resolve it differently.
        let plain = trimmed.split_once(" #").map_or(trimmed, |(s, _)| s).trim_end();
        return resolve_plain(plain);
    }
    from_yaml(&doc)
}

/// yaml.v2's `resolve` for a plain scalar (the tag from the settings-file reader's resolver,
/// which is the one reading of yaml.v2's rules), as the JSON value `juju run` sends.
fn resolve_plain(plain: &str) -> Result<Value, ParamError> {
    let digits = plain.replace('_', "");
    let value = match yaml_read::resolve(plain) {
        "tag:yaml.org,2002:null" => Value::Null,
        "tag:yaml.org,2002:bool" => {
            Value::Bool(matches!(plain.to_ascii_lowercase().as_str(), "y" | "yes" | "true" | "on"))
        }
        "tag:yaml.org,2002:int" => match go_parse_int(&digits) {
            Ok(n) => Value::from(n),
            // ParseInt failed on the range, ParseUint may still hold it (yaml.v2 tries both).
            Err(_) => go_parse_uint(&digits).map_or_else(|| Value::String(plain.to_owned()), Value::from),
        },
        "tag:yaml.org,2002:float" => match digits.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            Some(n) => Value::Number(n),
            None => {
                return Err(ParamError(format!(
                    "parameter value {plain:?} is not a finite number: JSON cannot carry it"
                )));
            }
        },
        _ => Value::String(plain.to_owned()),
    };
    Ok(value)
}

/// Go's `strconv.ParseUint(s, 0, 64)` for a value past `i64::MAX`.
fn go_parse_uint(s: &str) -> Option<u64> {
    let body = s.strip_prefix('+').unwrap_or(s).to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b") {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body.as_str())
    };
    u64::from_str_radix(digits, radix).ok()
}

/// A parsed YAML node as JSON (map keys must be text, as Juju's `ConformYAML` requires).
fn from_yaml(node: &yaml_rust2::Yaml) -> Result<Value, ParamError> {
    use yaml_rust2::Yaml;
    Ok(match node {
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(text) => resolve_plain(text)?,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Null | Yaml::BadValue => Value::Null,
        Yaml::Array(items) => Value::Array(items.iter().map(from_yaml).collect::<Result<_, _>>()?),
        Yaml::Hash(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    // ConformYAML: "map keyed with non-string value".
                    _ => return Err(ParamError("map keyed with non-string value".to_owned())),
                };
                out.insert(key, from_yaml(v)?);
            }
            Value::Object(out)
        }
        Yaml::Alias(_) => return Err(ParamError("YAML aliases are not accepted in a parameter value".to_owned())),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(arg: &str) -> Result<Value, ParamError> {
        let mut params = Map::new();
        insert_cli_param(&mut params, arg, false)?;
        Ok(Value::Object(params))
    }

    #[test]
    fn values_are_yaml_v2_scalars_as_juju_run_reads_them() {
        // run.go documents `y` as a boolean true in YAML; 1.1 also has yes/on/no/off.
        for (text, expected) in [
            ("y", json!(true)),
            ("yes", json!(true)),
            ("On", json!(true)),
            ("no", json!(false)),
            ("1000", json!(1000)),
            ("010", json!(8)),
            ("0x1f", json!(31)),
            ("1_000", json!(1000)),
            ("-5", json!(-5)),
            ("1.5", json!(1.5)),
            ("1e3", json!(1000.0)),
            ("~", json!(null)),
            ("hello world", json!("hello world")),
            ("'yes'", json!("yes")),
            ("\"3\"", json!("3")),
            ("[1, a]", json!([1, "a"])),
            ("{a: 1}", json!({"a": 1})),
            ("2024-01-02", json!("2024-01-02")),
            // An empty document leaves the value as it was: the empty string.
            ("", json!("")),
            ("/srv/backup", json!("/srv/backup")),
        ] {
            assert_eq!(parse(&format!("k={text}")).unwrap(), json!({"k": expected}), "{text:?}");
        }
    }

    #[test]
    fn dotted_keys_nest_and_later_arguments_override() {
        let mut params = Map::new();
        insert_cli_param(&mut params, "file.kind=xz", false).unwrap();
        insert_cli_param(&mut params, "file.quality=high", false).unwrap();
        insert_cli_param(&mut params, "out=a", false).unwrap();
        insert_cli_param(&mut params, "out=b", false).unwrap();
        assert_eq!(Value::Object(params), json!({"file": {"kind": "xz", "quality": "high"}, "out": "b"}));
    }

    #[test]
    fn string_args_keep_the_text_and_bad_keys_are_refused() {
        let mut params = Map::new();
        insert_cli_param(&mut params, "time=1000", true).unwrap();
        assert_eq!(params["time"], json!("1000"));
        let err = parse("Bad_Key=1").unwrap_err();
        assert_eq!(
            err.0,
            "key \"Bad_Key\" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric and hyphens"
        );
        assert_eq!(parse("novalue").unwrap_err().0, "argument \"novalue\" must be of the form key.key.key...=value");
        assert!(parse("k=.inf").unwrap_err().0.contains("not a finite number"));
    }
}
