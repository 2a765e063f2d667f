//! Reading charmcraft.yaml and the legacy metadata.yaml, config.yaml and actions.yaml.

use std::path::{Path, PathBuf};

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use super::bounds;
use super::{ActionSpec, CharmMeta, ConfigOption, ContainerSpec, Endpoint, ResourceSpec, StorageSpec};
use crate::config::ConfigType;
use crate::relation::RelationRole;
use crate::storage::StorageKind;

/// Why a charm's metadata cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    /// The directory has neither charmcraft.yaml nor metadata.yaml.
    #[error("{}: no charmcraft.yaml or metadata.yaml", .dir.display())]
    Missing {
        /// The charm directory.
        dir: PathBuf,
    },
    /// A file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not valid YAML.
    #[error("{}: not valid YAML: {message}", .path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A key has the wrong shape or value.
    #[error("{}: {key}: {message}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The dotted key, e.g. `config.options.port.default`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// The unified file and the legacy files it replaced; each legacy file holds some of its sections.
const CHARMCRAFT: &str = "charmcraft.yaml";
const LEGACY: [(&str, Shape); 3] =
    [("metadata.yaml", Shape::Metadata), ("config.yaml", Shape::Config), ("actions.yaml", Shape::Actions)];

/// What a file holds: charmcraft.yaml holds everything; the legacy files one part each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Charmcraft,
    Metadata,
    Config,
    Actions,
}

/// The metadata keys charmcraft merges from metadata.yaml into the project (it refuses them in both).
const MIGRATED_KEYS: &[&str] = &["name", "summary", "description", "config", "actions"];

/// The top-level keys a shape declares, for the "declared twice" check.
const METADATA_KEYS: &[&str] =
    &["name", "subordinate", "provides", "requires", "peers", "extra-bindings", "storage", "containers", "resources"];

impl CharmMeta {
    /// Read the charm in `dir`: charmcraft.yaml and/or the legacy metadata.yaml, with config.yaml
    /// and actions.yaml when present. One of charmcraft.yaml and metadata.yaml must exist.
    pub fn from_dir(dir: &Path) -> Result<CharmMeta, MetaError> {
        let charmcraft = dir.join(CHARMCRAFT);
        if !charmcraft.exists() && !dir.join("metadata.yaml").exists() {
            return Err(MetaError::Missing { dir: dir.to_path_buf() });
        }
        Self::read_files(&charmcraft, dir, false)
    }

    /// Read `path` (a charmcraft.yaml under any name, which must exist) and the legacy files next
    /// to it.
    pub fn from_file(path: &Path) -> Result<CharmMeta, MetaError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        Self::read_files(path, dir, true)
    }

    /// Read one charmcraft.yaml text (no legacy files).
    pub fn from_charmcraft_yaml(text: &str) -> Result<CharmMeta, MetaError> {
        let path = PathBuf::from(CHARMCRAFT);
        let mut meta = CharmMeta::default();
        let doc = load(&path, text)?;
        Reader { path: &path, meta: &mut meta }.read(&doc, Shape::Charmcraft)?;
        Ok(meta)
    }

    fn read_files(primary: &Path, dir: &Path, primary_required: bool) -> Result<CharmMeta, MetaError> {
        let mut meta = CharmMeta::default();
        let mut declared: Vec<(&str, PathBuf)> = Vec::new();
        let files = std::iter::once((primary.to_path_buf(), Shape::Charmcraft))
            .chain(LEGACY.iter().map(|(name, shape)| (dir.join(name), *shape)))
            .filter(|(path, shape)| *shape == Shape::Charmcraft || path != primary);
        for (path, shape) in files {
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !(primary_required && path == primary) => {
                    continue;
                }
                Err(source) => return Err(MetaError::Io { path, source }),
            };
            let doc = load(&path, &text)?;
            if shape == Shape::Metadata
                && let Some((key, first)) = declared.iter().find(|(k, _)| !MIGRATED_KEYS.contains(k))
            {
                // charmcraft packs an existing metadata.yaml as it is, so charmcraft.yaml's own
                // metadata sections would be silently lost from the .charm.
                return Err(MetaError::Invalid {
                    path: first.clone(),
                    key: (*key).to_owned(),
                    message: format!(
                        "metadata.yaml exists, and charmcraft packs it as it is, so this section would be lost; \
                         declare it in {}",
                        path.display()
                    ),
                });
            }
            // charmcraft refuses a section declared both in charmcraft.yaml and a legacy file.
            for key in shape_keys(&doc, shape) {
                if let Some((_, first)) = declared.iter().find(|(k, _)| *k == key) {
                    return Err(MetaError::Invalid {
                        path,
                        key: key.to_owned(),
                        message: format!("already declared in {}; declare it in one file", first.display()),
                    });
                }
                declared.push((key, path.clone()));
            }
            Reader { path: &path, meta: &mut meta }.read(&doc, shape)?;
            meta.files.push(path);
        }
        Ok(meta)
    }
}

fn load(path: &Path, text: &str) -> Result<Yaml, MetaError> {
    // yaml-rust2 copies a node at each alias and frees nesting recursively: bound both first.
    bounds::check(text).map_err(|e| MetaError::Yaml { path: path.to_path_buf(), message: e.to_string() })?;
    let docs = YamlLoader::load_from_str(text)
        .map_err(|e| MetaError::Yaml { path: path.to_path_buf(), message: e.to_string() })?;
    Ok(docs.into_iter().next().unwrap_or(Yaml::Null))
}

/// The top-level sections `doc` declares, as charmcraft.yaml names them.
fn shape_keys(doc: &Yaml, shape: Shape) -> Vec<&'static str> {
    let present = |key: &str| !matches!(doc[key], Yaml::BadValue);
    match shape {
        Shape::Charmcraft => {
            METADATA_KEYS.iter().chain(&["config", "actions"]).copied().filter(|k| present(k)).collect()
        }
        Shape::Metadata => METADATA_KEYS.iter().copied().filter(|k| present(k)).collect(),
        Shape::Config if !matches!(doc, Yaml::Null) => vec!["config"],
        Shape::Actions if !matches!(doc, Yaml::Null) => vec!["actions"],
        Shape::Config | Shape::Actions => Vec::new(),
    }
}

/// Reads one file's document into the model, naming the file and key in every error.
struct Reader<'a> {
    path: &'a Path,
    meta: &'a mut CharmMeta,
}

impl Reader<'_> {
    fn error(&self, key: &str, message: impl Into<String>) -> MetaError {
        MetaError::Invalid { path: self.path.to_path_buf(), key: key.to_owned(), message: message.into() }
    }

    fn read(&mut self, doc: &Yaml, shape: Shape) -> Result<(), MetaError> {
        if !matches!(doc, Yaml::Hash(_) | Yaml::Null) {
            return Err(self.error("(top level)", "expected a map of keys"));
        }
        match shape {
            Shape::Config => self.config(doc, "options", &doc["options"]),
            Shape::Actions => self.actions("", doc),
            Shape::Metadata => self.metadata(doc),
            Shape::Charmcraft => {
                self.metadata(doc)?;
                self.config(&doc["config"], "config.options", &doc["config"]["options"])?;
                self.actions("actions.", &doc["actions"])
            }
        }
    }

    fn metadata(&mut self, doc: &Yaml) -> Result<(), MetaError> {
        if let Some(name) = self.string(doc, "", "name")? {
            self.meta.name = name;
        }
        if let Some(sub) = self.boolean(&doc["subordinate"], "subordinate")? {
            self.meta.subordinate = sub;
        }
        for &role in RelationRole::ALL {
            for (endpoint, spec) in self.entries(&doc[role.as_str()], role.as_str())? {
                let key = format!("{role}.{endpoint}");
                let interface = match spec {
                    Yaml::Hash(_) => self.string(spec, &key, "interface")?,
                    _ => None,
                };
                let Some(interface) = interface.filter(|i| !i.is_empty()) else {
                    return Err(self.error(&key, "an endpoint needs `interface: <name>`"));
                };
                if self.meta.endpoints.contains_key(&endpoint) {
                    return Err(self.error(
                        &key,
                        "endpoint declared twice (endpoint names are unique across provides, requires and peers)",
                    ));
                }
                self.meta.endpoints.insert(endpoint, Endpoint { role, interface });
            }
        }
        for (name, _) in self.entries(&doc["extra-bindings"], "extra-bindings")? {
            self.meta.extra_bindings.push(name);
        }
        for (name, spec) in self.entries(&doc["storage"], "storage")? {
            let key = format!("storage.{name}");
            let kind = match self.string(spec, &key, "type")? {
                Some(kind) => {
                    kind.parse::<StorageKind>().map_err(|e| self.error(&format!("{key}.type"), e.to_string()))?
                }
                None => StorageKind::default(),
            };
            let location = self.string(spec, &key, "location")?;
            self.meta.storage.insert(name, StorageSpec { kind, location });
        }
        for (name, spec) in self.entries(&doc["containers"], "containers")? {
            let resource = self.string(spec, &format!("containers.{name}"), "resource")?;
            self.meta.containers.insert(name, ContainerSpec { resource });
        }
        for (name, spec) in self.entries(&doc["resources"], "resources")? {
            let kind = self.string(spec, &format!("resources.{name}"), "type")?.unwrap_or_else(|| "file".to_owned());
            if kind != "file" && kind != "oci-image" {
                return Err(
                    self.error(&format!("resources.{name}.type"), format!("expected file or oci-image, got {kind:?}"))
                );
            }
            self.meta.resources.insert(name, ResourceSpec { kind });
        }
        Ok(())
    }

    fn config(&mut self, section: &Yaml, key: &str, options: &Yaml) -> Result<(), MetaError> {
        if !matches!(section, Yaml::Hash(_) | Yaml::Null | Yaml::BadValue) {
            return Err(self.error(key.trim_end_matches(".options"), "expected a map with `options:`"));
        }
        for (name, spec) in self.entries(options, key)? {
            let key = format!("{key}.{name}");
            let kind = match self.string(spec, &key, "type")? {
                Some(kind) => {
                    kind.parse::<ConfigType>().map_err(|e| self.error(&format!("{key}.type"), e.to_string()))?
                }
                None => ConfigType::default(),
            };
            let default = match &spec["default"] {
                Yaml::BadValue | Yaml::Null => None,
                value => Some(self.typed_default(&format!("{key}.default"), kind, value)?),
            };
            let description = self.string(spec, &key, "description")?.unwrap_or_default();
            self.meta.config.insert(name, ConfigOption { kind, default, description });
        }
        Ok(())
    }

    /// A config default as the JSON `config-get` prints: an integer default of a float option is
    /// a float; anything that is not of the option's type is an error.
    fn typed_default(&self, key: &str, kind: ConfigType, value: &Yaml) -> Result<Value, MetaError> {
        let json = yaml_to_json(value);
        let json = match (kind, &json) {
            (ConfigType::Float, Value::Number(n)) => {
                serde_json::Number::from_f64(n.as_f64().unwrap_or_default()).map_or(json.clone(), Value::Number)
            }
            _ => json,
        };
        if super::config_type_accepts(kind, &json) {
            Ok(json)
        } else {
            Err(self.error(key, format!("the default {json} is not of type {kind}")))
        }
    }

    fn actions(&mut self, prefix: &str, actions: &Yaml) -> Result<(), MetaError> {
        let section = if prefix.is_empty() { "(top level)" } else { "actions" };
        for (name, spec) in self.entries(actions, section)? {
            let key = format!("{prefix}{name}");
            if !matches!(spec, Yaml::Hash(_) | Yaml::Null) {
                return Err(self.error(&key, "expected a map (description, params, required, additionalProperties)"));
            }
            let mut action = ActionSpec {
                description: self.string(spec, &key, "description")?.unwrap_or_default(),
                ..ActionSpec::default()
            };
            for (param, schema) in self.entries(&spec["params"], &format!("{key}.params"))? {
                if !matches!(schema, Yaml::Hash(_) | Yaml::Null) {
                    return Err(self.error(&format!("{key}.params.{param}"), "expected a JSON-schema map"));
                }
                action.params.insert(param, yaml_to_json(schema));
            }
            match &spec["required"] {
                Yaml::BadValue | Yaml::Null => {}
                Yaml::Array(items) => {
                    for item in items {
                        let Some(required) = item.as_str() else {
                            return Err(self.error(&format!("{key}.required"), "expected a list of parameter names"));
                        };
                        action.required.push(required.to_owned());
                    }
                }
                _ => return Err(self.error(&format!("{key}.required"), "expected a list of parameter names")),
            }
            if let Some(additional) =
                self.boolean(&spec["additionalProperties"], &format!("{key}.additionalProperties"))?
            {
                action.additional_properties = Some(additional);
            }
            self.meta.actions.insert(name, action);
        }
        Ok(())
    }

    /// The string-keyed entries of a map section; nothing when absent or null.
    fn entries<'y>(&self, yaml: &'y Yaml, key: &str) -> Result<Vec<(String, &'y Yaml)>, MetaError> {
        match yaml {
            Yaml::BadValue | Yaml::Null => Ok(Vec::new()),
            Yaml::Hash(map) => map
                .iter()
                .map(|(k, v)| match k.as_str() {
                    Some(k) => Ok((k.to_owned(), v)),
                    None => Err(self.error(key, format!("expected names as keys, got {}", yaml_to_json(k)))),
                })
                .collect(),
            _ => Err(self.error(key, "expected a map")),
        }
    }

    /// A string field of the map at `key`; `None` when absent or null.
    fn string(&self, map: &Yaml, key: &str, field: &str) -> Result<Option<String>, MetaError> {
        match &map[field] {
            Yaml::BadValue | Yaml::Null => Ok(None),
            Yaml::String(s) => Ok(Some(s.clone())),
            other => {
                let key = if key.is_empty() { field.to_owned() } else { format!("{key}.{field}") };
                Err(self.error(&key, format!("expected a string, got {}", yaml_to_json(other))))
            }
        }
    }

    fn boolean(&self, value: &Yaml, key: &str) -> Result<Option<bool>, MetaError> {
        match value {
            Yaml::BadValue | Yaml::Null => Ok(None),
            Yaml::Boolean(b) => Ok(Some(*b)),
            other => Err(self.error(key, format!("expected true or false, got {}", yaml_to_json(other)))),
        }
    }
}

/// A YAML value as JSON (defaults and schemas); non-string keys are written as YAML shows them.
fn yaml_to_json(value: &Yaml) -> Value {
    match value {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(s.clone()), Value::Number),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) | Yaml::Real(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        _ => String::new(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Yaml::Alias(_) | Yaml::Null | Yaml::BadValue => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
name: demo
subordinate: false
requires:
  db: {interface: pgsql}
provides:
  certificates: {interface: tls-certificates}
peers:
  cluster: {interface: demo-peers}
extra-bindings:
  admin:
storage:
  data: {type: filesystem, location: /srv}
  raw: {type: block}
containers:
  web: {resource: web-image}
resources:
  web-image: {type: oci-image}
config:
  options:
    port: {type: int, default: 8080}
    name: {type: string}
    ratio: {type: float, default: 1}
    debug: {default: "no"}
actions:
  backup:
    description: Back up.
    params:
      target: {type: string, default: /tmp}
    required: [target]
    additionalProperties: false
  noop:
"#;

    #[test]
    fn reads_every_section() {
        let meta = CharmMeta::from_charmcraft_yaml(FULL).unwrap();
        assert_eq!(meta.name, "demo");
        assert!(meta.is_peer("cluster") && !meta.is_peer("db"));
        assert_eq!(
            meta.endpoints["certificates"],
            Endpoint { role: RelationRole::Provides, interface: "tls-certificates".into() }
        );
        assert_eq!(meta.extra_bindings, ["admin"]);
        assert_eq!(meta.storage["data"].location.as_deref(), Some("/srv"));
        assert_eq!(meta.storage["raw"].kind, StorageKind::Block);
        assert_eq!(meta.containers["web"].resource.as_deref(), Some("web-image"));
        assert_eq!(meta.resources["web-image"].kind, "oci-image");
        assert_eq!(meta.config["port"].default, Some(serde_json::json!(8080)));
        assert_eq!(meta.config["ratio"].default, Some(serde_json::json!(1.0)));
        assert_eq!(meta.config["name"].default, None);
        assert_eq!(meta.config["debug"].kind, ConfigType::String);
        let backup = &meta.actions["backup"];
        assert_eq!((backup.description.as_str(), backup.required.as_slice()), ("Back up.", &["target".to_owned()][..]));
        assert_eq!(backup.additional_properties, Some(false));
        assert_eq!(backup.param_types("target"), ["string"]);
        assert!(meta.actions["noop"].params.is_empty());
        assert_eq!(meta.config_defaults().count(), 3);
    }

    #[test]
    fn bad_shapes_name_the_file_and_key() {
        let cases = [
            ("requires:\n  db: {}\n", "charmcraft.yaml: requires.db: an endpoint needs `interface: <name>`"),
            ("requires: [db]\n", "charmcraft.yaml: requires: expected a map"),
            (
                "config:\n  options:\n    port: {type: integer}\n",
                "charmcraft.yaml: config.options.port.type: invalid config option type \"integer\": expected string, int, float, boolean or secret",
            ),
            (
                "config:\n  options:\n    port: {type: int, default: eighty}\n",
                "charmcraft.yaml: config.options.port.default: the default \"eighty\" is not of type int",
            ),
            (
                "actions:\n  go:\n    required: target\n",
                "charmcraft.yaml: actions.go.required: expected a list of parameter names",
            ),
            (
                "storage:\n  data: {type: tape}\n",
                "charmcraft.yaml: storage.data.type: invalid storage kind \"tape\": expected filesystem or block",
            ),
            (
                "provides:\n  db: {interface: a}\nrequires:\n  db: {interface: b}\n",
                "charmcraft.yaml: requires.db: endpoint declared twice (endpoint names are unique across provides, requires and peers)",
            ),
            ("- a list\n", "charmcraft.yaml: (top level): expected a map of keys"),
            ("name: [x\n", "charmcraft.yaml: not valid YAML"),
        ];
        for (text, expected) in cases {
            let err = CharmMeta::from_charmcraft_yaml(text).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{text:?}\n got: {err}\nwant: {expected}");
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("goops-juju-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn legacy_files_fill_in_and_may_not_repeat_a_section() {
        let dir = temp_dir("legacy");
        std::fs::write(dir.join("metadata.yaml"), "name: old\nrequires:\n  db: {interface: pgsql}\n").unwrap();
        std::fs::write(dir.join("config.yaml"), "options:\n  port: {type: int, default: 80}\n").unwrap();
        std::fs::write(dir.join("actions.yaml"), "backup:\n  params:\n    to: {type: string}\n").unwrap();
        let meta = CharmMeta::from_dir(&dir).unwrap();
        assert_eq!((meta.name.as_str(), meta.endpoints.len(), meta.config.len()), ("old", 1, 1));
        assert!(meta.actions["backup"].params.contains_key("to"));
        assert_eq!(meta.files.len(), 3, "no charmcraft.yaml, three legacy files");

        std::fs::write(dir.join("charmcraft.yaml"), "type: charm\nconfig:\n  options:\n    x: {type: string}\n")
            .unwrap();
        let err = CharmMeta::from_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("config.yaml: config: already declared in"), "{err}");
        std::fs::remove_file(dir.join("config.yaml")).unwrap();
        let meta = CharmMeta::from_dir(&dir).unwrap();
        assert_eq!(meta.config.keys().collect::<Vec<_>>(), ["x"]);

        let missing = temp_dir("missing");
        assert!(matches!(CharmMeta::from_dir(&missing), Err(MetaError::Missing { .. })));
        assert!(matches!(CharmMeta::from_file(&missing.join("charmcraft.yaml")), Err(MetaError::Io { .. })));
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::fs::remove_dir_all(missing);
    }
}
