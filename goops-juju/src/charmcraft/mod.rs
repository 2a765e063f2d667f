//! The charm's metadata as charmcraft.yaml declares it (or the legacy `metadata.yaml`,
//! `config.yaml` and `actions.yaml`), and Juju's checks of config values and action parameters
//! against it.
//!
//! [`CharmMeta::from_dir`] reads a charm directory; [`CharmMeta::from_charmcraft_yaml`] reads one
//! text. The parser is strict about shapes: a section of the wrong type, an endpoint without an
//! interface, an unknown config type or a default of the wrong type is a [`MetaError`] naming the
//! file and the key, because charmcraft refuses such a charm too.

mod bounds;
mod parse;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

pub use parse::MetaError;

use crate::config::ConfigType;
use crate::relation::RelationRole;
use crate::storage::StorageKind;

/// Everything goops-rs reads from a charm's metadata.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CharmMeta {
    /// `name:`, empty when not given.
    pub name: String,
    /// `subordinate:`.
    pub subordinate: bool,
    /// Relation endpoints (`provides`, `requires`, `peers`) by name.
    pub endpoints: BTreeMap<String, Endpoint>,
    /// `extra-bindings:` names.
    pub extra_bindings: Vec<String>,
    /// `storage:` by name.
    pub storage: BTreeMap<String, StorageSpec>,
    /// `containers:` (Kubernetes sidecar charms) by name.
    pub containers: BTreeMap<String, ContainerSpec>,
    /// `resources:` by name.
    pub resources: BTreeMap<String, ResourceSpec>,
    /// `actions:` by name.
    pub actions: BTreeMap<String, ActionSpec>,
    /// `config.options:` by name.
    pub config: BTreeMap<String, ConfigOption>,
    /// The files read, in order (for rebuild tracking and messages).
    pub files: Vec<PathBuf>,
}

/// One relation endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// provides, requires or peers.
    pub role: RelationRole,
    /// The interface name (`tls-certificates`).
    pub interface: String,
}

/// One declared storage.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StorageSpec {
    /// `type:` (filesystem when not given).
    pub kind: StorageKind,
    /// `location:`, if declared.
    pub location: Option<String>,
}

/// One workload container.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContainerSpec {
    /// `resource:`: the OCI image resource it runs, if declared.
    pub resource: Option<String>,
}

/// One resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceSpec {
    /// `type:`: `file` or `oci-image`.
    pub kind: String,
}

/// One action.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionSpec {
    /// `description:`.
    pub description: String,
    /// `params:`: parameter name → its JSON schema, as declared.
    pub params: BTreeMap<String, Value>,
    /// `required:`: parameters that must be given (or have a default).
    pub required: Vec<String>,
    /// `additionalProperties:` as declared; see [`ActionSpec::accepts_undeclared`] for the default.
    pub additional_properties: Option<bool>,
}

/// Whether a Juju version (`3.6.9`, `4.0.1`) is 4.0 or later.
pub fn is_juju_4(version: &str) -> bool {
    version.split('.').next().and_then(|major| major.parse::<u32>().ok()).is_some_and(|major| major >= 4)
}

impl ActionSpec {
    /// The JSON-schema type names a parameter accepts (`["string"]`, or several for
    /// `type: [string, "null"]`); empty when the schema declares no type (anything goes).
    pub fn param_types(&self, param: &str) -> Vec<&str> {
        match self.params.get(param).map(|schema| &schema["type"]) {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The parameters that declare a `default`, with it.
    pub fn defaults(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.params.iter().filter_map(|(name, schema)| Some((name.as_str(), schema.get("default")?)))
    }

    /// Whether parameters not in `params` are accepted on a controller of `juju_version`: as
    /// declared, else Juju 3.x accepts them (its schema has no `additionalProperties`, which JSON
    /// schema reads as true) and Juju 4 refuses them (it writes `additionalProperties: false`).
    pub fn accepts_undeclared(&self, juju_version: &str) -> bool {
        self.additional_properties.unwrap_or(!is_juju_4(juju_version))
    }

    /// Check `params` (what the operator passed, without defaults) against the schema as Juju
    /// (`juju_version`) does before it runs the action: undeclared parameters (see
    /// [`ActionSpec::accepts_undeclared`]), values of the wrong JSON type, and missing required
    /// parameters without a default.
    pub fn check_params(&self, params: &serde_json::Map<String, Value>, juju_version: &str) -> Result<(), ParamError> {
        for (name, value) in params {
            if !self.params.contains_key(name) {
                if self.accepts_undeclared(juju_version) {
                    continue;
                }
                return Err(ParamError::Undeclared(name.clone()));
            }
            let types = self.param_types(name);
            if !types.is_empty() && !types.iter().any(|t| json_type_matches(t, value)) {
                return Err(ParamError::WrongType {
                    param: name.clone(),
                    expected: types.join(" or "),
                    given: value.to_string(),
                });
            }
        }
        let has_default = |name: &str| self.params.get(name).is_some_and(|schema| schema.get("default").is_some());
        match self.required.iter().find(|r| !params.contains_key(*r) && !has_default(r)) {
            Some(missing) => Err(ParamError::Missing(missing.clone())),
            None => Ok(()),
        }
    }
}

/// Why action parameters do not fit the action's schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// A parameter the action does not declare, where undeclared ones are refused.
    #[error("{0:?} is not a declared parameter")]
    Undeclared(String),
    /// A value of the wrong JSON type.
    #[error("{param:?} must be of type {expected}, given {given}")]
    WrongType {
        /// The parameter.
        param: String,
        /// The schema's type names, `or`-joined.
        expected: String,
        /// The value given, as JSON.
        given: String,
    },
    /// A required parameter without a value or a default.
    #[error("{0:?} is required")]
    Missing(String),
}

/// Whether `value` is of JSON-schema type `ty` (an integer is also a `number`; an unknown type
/// name accepts anything).
pub fn json_type_matches(ty: &str, value: &Value) -> bool {
    match ty {
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

/// One config option.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigOption {
    /// `type:` (string when not given).
    pub kind: ConfigType,
    /// `default:`, converted to the option's type; `None` when there is none (the option is then
    /// unset until the operator sets it).
    pub default: Option<Value>,
    /// `description:`.
    pub description: String,
}

impl ConfigOption {
    /// Whether `value` has this option's type as `config-get` prints it (JSON).
    pub fn accepts(&self, value: &Value) -> bool {
        config_type_accepts(self.kind, value)
    }
}

/// Whether a JSON `value` has config type `kind`: `int` takes integers only, `float` any number,
/// `string` and `secret` strings.
pub fn config_type_accepts(kind: ConfigType, value: &Value) -> bool {
    match kind {
        ConfigType::Int => value.is_i64() || value.is_u64(),
        ConfigType::Float => value.is_number(),
        ConfigType::Boolean => value.is_boolean(),
        ConfigType::String | ConfigType::Secret => value.is_string(),
    }
}

impl CharmMeta {
    /// Whether `endpoint` is declared under `peers`.
    pub fn is_peer(&self, endpoint: &str) -> bool {
        self.endpoints.get(endpoint).is_some_and(|e| e.role == RelationRole::Peers)
    }

    /// The config values a unit starts with: each option's default.
    pub fn config_defaults(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.config.iter().filter_map(|(name, option)| Some((name.as_str(), option.default.as_ref()?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(yaml: &str) -> ActionSpec {
        let meta = CharmMeta::from_charmcraft_yaml(&format!("actions:\n  act:\n{yaml}")).unwrap();
        meta.actions["act"].clone()
    }

    #[test]
    fn params_are_checked_like_juju_does() {
        let spec = action(
            "    params:\n      target: {type: string}\n      count: {type: integer, default: 1}\n      \
             maybe: {type: [string, \"null\"]}\n    required: [target, count]\n",
        );
        let params = |json: &str| serde_json::from_str::<serde_json::Map<String, Value>>(json).unwrap();
        let v3 = "3.6.9";
        assert_eq!(spec.check_params(&params(r#"{"target": "/srv"}"#), v3), Ok(()));
        assert_eq!(spec.check_params(&params(r#"{"target": "/srv", "maybe": null}"#), v3), Ok(()));
        assert_eq!(spec.check_params(&params("{}"), v3), Err(ParamError::Missing("target".into())));
        let wrong = spec.check_params(&params(r#"{"target": 3}"#), v3).unwrap_err();
        assert_eq!(wrong.to_string(), "\"target\" must be of type string, given 3");
        assert_eq!(spec.check_params(&params(r#"{"target": "x", "count": 2.0}"#), v3), Ok(()));
        assert!(spec.check_params(&params(r#"{"target": "x", "count": 2.5}"#), v3).is_err());
        // Undeclared parameters: Juju 3 accepts them unless told otherwise, Juju 4 refuses them.
        let extra = params(r#"{"target": "x", "other": 1}"#);
        assert_eq!(spec.additional_properties, None);
        assert_eq!(spec.check_params(&extra, v3), Ok(()));
        assert_eq!(spec.check_params(&extra, "4.0.1"), Err(ParamError::Undeclared("other".into())));
        let closed = action("    params:\n      target: {type: string}\n    additionalProperties: false\n");
        assert_eq!(closed.check_params(&extra, v3), Err(ParamError::Undeclared("other".into())));
        let open = action("    params:\n      target: {type: string}\n    additionalProperties: true\n");
        assert_eq!(open.check_params(&extra, "4.0.1"), Ok(()));
        assert_eq!(spec.defaults().collect::<Vec<_>>(), [("count", &serde_json::json!(1))]);
    }

    #[test]
    fn config_types_accept_their_json() {
        let ok = [
            (ConfigType::Int, serde_json::json!(3)),
            (ConfigType::Float, serde_json::json!(3)),
            (ConfigType::Float, serde_json::json!(0.5)),
            (ConfigType::Boolean, serde_json::json!(true)),
            (ConfigType::Secret, serde_json::json!("secret:cn0s4cu5gdbs7e2q5l4g")),
        ];
        for (kind, value) in ok {
            assert!(config_type_accepts(kind, &value), "{kind} {value}");
        }
        assert!(!config_type_accepts(ConfigType::Int, &serde_json::json!(0.5)));
        assert!(!config_type_accepts(ConfigType::String, &serde_json::json!(1)));
    }
}
