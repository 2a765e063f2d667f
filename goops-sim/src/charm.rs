//! What goops-sim needs to know about a charm, read from `charmcraft.yaml` (or the older
//! `metadata.yaml` + `config.yaml` + `actions.yaml`).

use std::collections::BTreeMap;
use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

/// The role of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointRole {
    /// `provides`
    Provides,
    /// `requires`
    Requires,
    /// `peers`
    Peers,
}

/// A relation endpoint the charm declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// provides / requires / peers.
    pub role: EndpointRole,
    /// The interface name.
    pub interface: String,
}

/// A config option's declared type and default.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigOption {
    /// `string`, `int`, `float`, `boolean` or `secret`.
    pub option_type: String,
    /// The default value, if any.
    pub default: Option<serde_json::Value>,
}

/// A declared action.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionSpec {
    /// Parameter defaults from the action's `params` schema.
    pub defaults: serde_json::Map<String, serde_json::Value>,
    /// The `params` schema (parameter → JSON schema), as declared.
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Parameters the action declares `required`.
    pub required: Vec<String>,
    /// `additionalProperties: false` was declared: only declared parameters are accepted.
    pub closed: bool,
}

/// A declared storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageSpec {
    /// `filesystem` or `block`.
    pub kind: String,
    /// The declared location, if any.
    pub location: Option<String>,
}

/// The parts of a charm's metadata goops-sim uses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CharmMeta {
    /// The charm name.
    pub name: String,
    /// Relation endpoints by name.
    pub endpoints: BTreeMap<String, Endpoint>,
    /// Extra bindings.
    pub extra_bindings: Vec<String>,
    /// Config options.
    pub config: BTreeMap<String, ConfigOption>,
    /// Actions.
    pub actions: BTreeMap<String, ActionSpec>,
    /// Storage.
    pub storage: BTreeMap<String, StorageSpec>,
    /// Resources.
    pub resources: Vec<String>,
    /// Workload containers (Kubernetes sidecar charms).
    pub containers: Vec<String>,
    /// Whether the charm is a subordinate.
    pub subordinate: bool,
}

/// Errors reading charm metadata.
#[derive(Debug, thiserror::Error)]
pub enum CharmError {
    /// Neither charmcraft.yaml nor metadata.yaml exists.
    #[error("{0}: no charmcraft.yaml or metadata.yaml (charm missing from disk)")]
    Missing(String),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not valid YAML or has the wrong shape.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

fn load(path: &Path) -> Result<Option<Yaml>, CharmError> {
    if !path.exists() {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(path).map_err(|source| CharmError::Io { path: path.display().to_string(), source })?;
    let docs = YamlLoader::load_from_str(&text)
        .map_err(|e| CharmError::Invalid { path: path.display().to_string(), message: e.to_string() })?;
    Ok(Some(docs.into_iter().next().unwrap_or(Yaml::Null)))
}

impl CharmMeta {
    /// Read the metadata of the charm in `dir`.
    pub fn from_dir(dir: &Path) -> Result<CharmMeta, CharmError> {
        let charmcraft = load(&dir.join("charmcraft.yaml"))?;
        let metadata = load(&dir.join("metadata.yaml"))?;
        if charmcraft.is_none() && metadata.is_none() {
            return Err(CharmError::Missing(dir.display().to_string()));
        }
        let mut meta = CharmMeta::default();
        // metadata.yaml wins for metadata when both exist, as charmcraft packs it that way.
        for doc in [charmcraft.as_ref(), metadata.as_ref()].into_iter().flatten() {
            meta.merge_metadata(doc);
        }
        if let Some(doc) = &charmcraft {
            meta.merge_config(&doc["config"]);
            meta.merge_actions(&doc["actions"]);
        }
        if let Some(doc) = load(&dir.join("config.yaml"))? {
            meta.merge_config(&doc);
        }
        if let Some(doc) = load(&dir.join("actions.yaml"))? {
            meta.merge_actions(&doc);
        }
        Ok(meta)
    }

    /// Parse metadata from a `charmcraft.yaml` text (for tests and the in-process harness).
    pub fn from_charmcraft_yaml(text: &str) -> Result<CharmMeta, CharmError> {
        let docs = YamlLoader::load_from_str(text)
            .map_err(|e| CharmError::Invalid { path: "charmcraft.yaml".into(), message: e.to_string() })?;
        let doc = docs.into_iter().next().unwrap_or(Yaml::Null);
        let mut meta = CharmMeta::default();
        meta.merge_metadata(&doc);
        meta.merge_config(&doc["config"]);
        meta.merge_actions(&doc["actions"]);
        Ok(meta)
    }

    fn merge_metadata(&mut self, doc: &Yaml) {
        if let Some(name) = doc["name"].as_str() {
            self.name = name.to_owned();
        }
        if let Some(sub) = doc["subordinate"].as_bool() {
            self.subordinate = sub;
        }
        for (section, role) in
            [("provides", EndpointRole::Provides), ("requires", EndpointRole::Requires), ("peers", EndpointRole::Peers)]
        {
            if let Some(map) = doc[section].as_hash() {
                for (name, spec) in map {
                    if let Some(name) = name.as_str() {
                        let interface = spec["interface"].as_str().unwrap_or_default().to_owned();
                        self.endpoints.insert(name.to_owned(), Endpoint { role, interface });
                    }
                }
            }
        }
        if let Some(map) = doc["extra-bindings"].as_hash() {
            self.extra_bindings.extend(map.keys().filter_map(|k| k.as_str().map(str::to_owned)));
        }
        if let Some(map) = doc["storage"].as_hash() {
            for (name, spec) in map {
                if let Some(name) = name.as_str() {
                    let kind = spec["type"].as_str().unwrap_or("filesystem").to_owned();
                    let location = spec["location"].as_str().map(str::to_owned);
                    self.storage.insert(name.to_owned(), StorageSpec { kind, location });
                }
            }
        }
        if let Some(map) = doc["resources"].as_hash() {
            self.resources.extend(map.keys().filter_map(|k| k.as_str().map(str::to_owned)));
        }
        if let Some(map) = doc["containers"].as_hash() {
            self.containers.extend(map.keys().filter_map(|k| k.as_str().map(str::to_owned)));
        }
    }

    fn merge_config(&mut self, doc: &Yaml) {
        let Some(options) = doc["options"].as_hash() else { return };
        for (name, spec) in options {
            let Some(name) = name.as_str() else { continue };
            let option_type = spec["type"].as_str().unwrap_or("string").to_owned();
            let default = match &spec["default"] {
                Yaml::BadValue | Yaml::Null => None,
                value => Some(yaml_to_json(value)),
            };
            // A float option whose default is written as an integer is still a float.
            let default = match (option_type.as_str(), default) {
                ("float", Some(serde_json::Value::Number(n))) => {
                    serde_json::Number::from_f64(n.as_f64().unwrap_or(0.0)).map(serde_json::Value::Number)
                }
                (_, d) => d,
            };
            self.config.insert(name.to_owned(), ConfigOption { option_type, default });
        }
    }

    fn merge_actions(&mut self, doc: &Yaml) {
        let Some(actions) = doc.as_hash() else { return };
        for (name, spec) in actions {
            let Some(name) = name.as_str() else { continue };
            let mut action = ActionSpec::default();
            if let serde_json::Value::Object(params) = yaml_to_json(&spec["params"]) {
                action.params = params;
            }
            if let serde_json::Value::Array(required) = yaml_to_json(&spec["required"]) {
                action.required = required.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect();
            }
            action.closed = spec["additionalProperties"] == Yaml::Boolean(false);
            if let Some(params) = spec["params"].as_hash() {
                for (param, schema) in params {
                    if let (Some(param), Some(default)) = (
                        param.as_str(),
                        schema.as_hash().and_then(|_| match &schema["default"] {
                            Yaml::BadValue => None,
                            v => Some(yaml_to_json(v)),
                        }),
                    ) {
                        action.defaults.insert(param.to_owned(), default);
                    }
                }
            }
            self.actions.insert(name.to_owned(), action);
        }
    }

    /// Whether `endpoint` is a declared peer endpoint.
    pub fn is_peer(&self, endpoint: &str) -> bool {
        self.endpoints.get(endpoint).is_some_and(|e| e.role == EndpointRole::Peers)
    }
}

/// Convert a YAML value to JSON (used for defaults and YAML input files).
pub fn yaml_to_json(value: &Yaml) -> serde_json::Value {
    match value {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(serde_json::Value::Number)
            .unwrap_or_else(|| serde_json::Value::String(s.clone())),
        Yaml::Integer(i) => serde_json::Value::from(*i),
        Yaml::String(s) => serde_json::Value::String(s.clone()),
        Yaml::Boolean(b) => serde_json::Value::Bool(*b),
        Yaml::Array(items) => serde_json::Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Hash(map) => {
            serde_json::Value::Object(map.iter().map(|(k, v)| (yaml_key_string(k), yaml_to_json(v))).collect())
        }
        Yaml::Alias(_) | Yaml::Null | Yaml::BadValue => serde_json::Value::Null,
    }
}

/// A YAML map key as a string (YAML allows non-string keys; Juju stringifies them).
pub fn yaml_key_string(key: &Yaml) -> String {
    match key {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_charmcraft_yaml() {
        let meta = CharmMeta::from_charmcraft_yaml(
            r#"
name: demo
requires:
  db: {interface: pgsql}
peers:
  cluster: {interface: demo-peers}
storage:
  data: {type: filesystem, location: /srv}
config:
  options:
    port: {type: int, default: 8080}
    name: {type: string}
    ratio: {type: float, default: 1}
actions:
  backup:
    params:
      target: {type: string, default: /tmp}
"#,
        )
        .unwrap();
        assert_eq!(meta.name, "demo");
        assert!(meta.is_peer("cluster"));
        assert_eq!(meta.endpoints["db"].interface, "pgsql");
        assert_eq!(meta.config["port"].default, Some(serde_json::json!(8080)));
        assert_eq!(meta.config["name"].default, None);
        assert_eq!(meta.config["ratio"].default, Some(serde_json::json!(1.0)));
        assert_eq!(meta.actions["backup"].defaults["target"], "/tmp");
        assert_eq!(meta.storage["data"].location.as_deref(), Some("/srv"));
    }
}
