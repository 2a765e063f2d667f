//! The model file `goops-sim model` reads: bundle-like YAML naming applications (a charm dir,
//! units, config), and relations.
//!
//! ```yaml
//! model: {name: demo, type: machine}      # optional; type machine (default) or kubernetes
//! applications:
//!   ca:
//!     charm: ./ca                          # a charm dir, relative to this file
//!     dispatch: ../target/debug/ca         # optional: a binary staged as the charm's dispatch
//!     units: 1                             # default 1
//!     config: {validity: 30}               # checked against the charm's config options
//!     trust: true                          # default false
//!   req: {charm: ./req, units: 3}
//! relations:
//!   - [ca:certificates, req:certificates]  # `app:endpoint`, or `app` when one endpoint fits
//! ```
//!
//! Every mistake is a [`FileError`] naming the file, the line and the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use goops_juju::charmcraft::{CharmMeta, ConfigOption};
use goops_juju::config::ConfigType;
use serde_json::Value;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::{CharmSource, Deploy, DispatchCharm, Model, ModelError};
use crate::state::ModelType;

/// A model file, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFile {
    /// The file.
    pub path: PathBuf,
    /// `model.name` (default: the file's directory name).
    pub name: Option<String>,
    /// `model.type`.
    pub model_type: ModelType,
    /// Applications, in file order.
    pub applications: Vec<AppSpec>,
    /// Relations, `[a, b]` each `app:endpoint` or `app`, in file order.
    pub relations: Vec<RelationSpec>,
}

/// One application of a model file.
#[derive(Debug, Clone, PartialEq)]
pub struct AppSpec {
    /// The application name.
    pub name: String,
    /// The charm directory (resolved against the file's directory).
    pub charm: PathBuf,
    /// A binary to stage as the charm's `dispatch` (resolved likewise).
    pub dispatch: Option<PathBuf>,
    /// Units to deploy.
    pub units: u32,
    /// Config values, typed as YAML reads them.
    pub config: BTreeMap<String, Value>,
    /// Whether the application is trusted.
    pub trust: bool,
    /// The line of the application's key (for errors found later, e.g. by the charm's metadata).
    pub line: usize,
}

/// One relation of a model file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationSpec {
    /// The two sides, `app:endpoint` or `app`.
    pub endpoints: [String; 2],
    /// The line it is on.
    pub line: usize,
}

/// Why a model file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read.
    #[error("cannot read model file {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not YAML, or uses YAML this reader refuses (aliases, deep nesting).
    #[error("{}: line {line}: {message}", .path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The line (from 1).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A key is unknown, missing or has a wrong value.
    #[error("{}: line {line}: {key}: {message}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The line (from 1).
        line: usize,
        /// The dotted key (`applications.req.units`).
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// Collections nested deeper than this are refused (a model file needs four levels).
const MAX_DEPTH: usize = 64;

impl ModelFile {
    /// Read and check the model file at `path` (its charms are checked by
    /// [`ModelFile::check_charms`]).
    pub fn read(path: &Path) -> Result<ModelFile, FileError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| FileError::Io { path: path.to_path_buf(), source })?;
        ModelFile::parse(path, &text)
    }

    /// Check `text` as the model file at `path` (relative charm paths resolve against its
    /// directory).
    pub fn parse(path: &Path, text: &str) -> Result<ModelFile, FileError> {
        let root = load(path, text)?;
        Reader { path }.file(&root)
    }

    /// The directory charm paths are relative to.
    pub fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// The model's name: `model.name`, else the file's directory name.
    pub fn model_name(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        let dir = self.dir().canonicalize().unwrap_or_else(|_| self.dir());
        dir.file_name().map(|n| n.to_string_lossy().into_owned()).filter(|n| !n.is_empty()).unwrap_or("model".into())
    }

    /// An application by name.
    pub fn app(&self, name: &str) -> Option<&AppSpec> {
        self.applications.iter().find(|a| a.name == name)
    }

    /// Read each application's charm metadata and check the file against it: config keys and
    /// types, relation endpoints. A text value of a non-string option is parsed as its type
    /// (`port: "5432"` is the int 5432), as Juju reads settings YAML "for compatibility with
    /// python" (internal/charm/config.go `ParseSettingsYAML`). Returns the metadata by
    /// application name.
    pub fn check_charms(&mut self) -> Result<BTreeMap<String, CharmMeta>, FileError> {
        let mut metas = BTreeMap::new();
        let path = self.path.clone();
        let invalid = |line: usize, key: &str, message: String| FileError::Invalid {
            path: path.clone(),
            line,
            key: key.to_owned(),
            message,
        };
        for app in &mut self.applications {
            let key = format!("applications.{}.charm", app.name);
            let meta = CharmMeta::from_dir(&app.charm).map_err(|e| invalid(app.line, &key, e.to_string()))?;
            if let Some(dispatch) = &app.dispatch
                && !dispatch.is_file()
            {
                let key = format!("applications.{}.dispatch", app.name);
                return Err(invalid(app.line, &key, format!("{} is not a file", dispatch.display())));
            }
            for (option, value) in &mut app.config {
                let key = format!("applications.{}.config.{option}", app.name);
                let Some(spec) = meta.config.get(option) else {
                    // Juju's words (internal/charm/config.go `Config.option`).
                    return Err(invalid(app.line, &key, format!("unknown option {option:?}")));
                };
                if let Value::String(text) = value
                    && !matches!(spec.kind, ConfigType::String | ConfigType::Secret)
                {
                    *value = config_value_from_text(option, spec, text).map_err(|e| invalid(app.line, &key, e))?;
                } else if !spec.accepts(value) {
                    // Juju's words (internal/charm/config.go `Option.error`), Go's %#v of the value.
                    let message = format!("option {option:?} expected {}, got {value}", type_name(spec.kind));
                    return Err(invalid(app.line, &key, message));
                }
            }
            metas.insert(app.name.clone(), meta);
        }
        for (i, relation) in self.relations.iter().enumerate() {
            for side in &relation.endpoints {
                let (app, endpoint) = side.split_once(':').unwrap_or((side, ""));
                let meta = metas.get(app);
                if !endpoint.is_empty() && meta.is_some_and(|m| !m.endpoints.contains_key(endpoint)) {
                    let key = format!("relations[{i}]");
                    let message = format!("application {app:?} has no endpoint {endpoint:?}");
                    return Err(invalid(relation.line, &key, message));
                }
            }
        }
        Ok(metas)
    }

    /// The model this file describes, not yet settled: each application deployed as a
    /// [`DispatchCharm`] run by `goops_sim` (`goops-sim run`), then each relation integrated.
    /// `seed` draws the order among Juju's legal ones ([`Model::seeded`]).
    pub fn build(&self, seed: Option<u64>, goops_sim: PathBuf) -> Result<Model, ModelError> {
        let mut model = self.empty_model(seed)?;
        self.deploy_into(&mut model, &goops_sim, None, None)?;
        Ok(model)
    }

    /// An empty model of this file's name and type, seeded or not.
    pub fn empty_model(&self, seed: Option<u64>) -> Result<Model, ModelError> {
        let model = match self.model_type {
            ModelType::Machine => Model::new(),
            ModelType::Kubernetes => Model::kubernetes(),
        };
        let model = match seed {
            Some(seed) => model.with_seed(seed),
            None => model,
        };
        // The model's name lives in its controller, which only the JSON form opens up.
        let mut json: Value =
            serde_json::from_str(&model.to_json()).map_err(|e| ModelError::State(format!("model JSON: {e}")))?;
        if let Some(info) = json.pointer_mut("/controller/model").and_then(Value::as_object_mut) {
            info.insert("name".into(), Value::String(self.model_name()));
        }
        Model::from_json(&json.to_string(), |app, _| Err(ModelError::UnknownApplication(app.to_owned())))
    }

    /// Deploy this file's applications into `model` and integrate its relations (no settle).
    /// `timeout` bounds each hook (default: `goops-sim run`'s 60 s); `units_dir`, when given,
    /// keeps each unit's charm dir there (see [`dispatch_charm`]).
    pub fn deploy_into(
        &self,
        model: &mut Model,
        goops_sim: &Path,
        timeout: Option<Duration>,
        units_dir: Option<&Path>,
    ) -> Result<(), ModelError> {
        for app in &self.applications {
            let source = CharmSource {
                dir: app.charm.display().to_string(),
                dispatch: app.dispatch.as_ref().map(|d| d.display().to_string()),
                in_process: false,
            };
            let charm = dispatch_charm(&app.name, &source, goops_sim, timeout, units_dir)?;
            let options = Deploy { units: app.units, config: app.config.clone(), trusted: app.trust };
            model.deploy_with(&app.name, charm, options)?;
        }
        for relation in &self.relations {
            let [a, b] = &relation.endpoints;
            model.integrate(a, b)?;
        }
        Ok(())
    }
}

/// The charm of application `app` from its source as the model's JSON records it: its dir's
/// own `dispatch`, or the binary staged as `dispatch`; run by `goops_sim`. With `units_dir`,
/// each unit's charm dir is kept at `units_dir/<app>-<n>`, so what a charm keeps there (ops'
/// stored state) outlives one `goops-sim model` command, as a unit's charm dir does in Juju.
pub fn dispatch_charm(
    app: &str,
    source: &CharmSource,
    goops_sim: &Path,
    timeout: Option<Duration>,
    units_dir: Option<&Path>,
) -> Result<DispatchCharm, ModelError> {
    if source.in_process {
        let message = format!("application {app:?} runs an in-process charm, which a model file cannot rebuild");
        return Err(ModelError::State(message));
    }
    let charm = match &source.dispatch {
        Some(binary) => DispatchCharm::staged(&source.dir, binary),
        None => DispatchCharm::new(&source.dir),
    }
    .map_err(|e| ModelError::State(format!("application {app:?}: {e}")))?
    .goops_sim_binary(goops_sim);
    let charm = match timeout {
        Some(timeout) => charm.timeout(timeout),
        None => charm,
    };
    Ok(match units_dir {
        Some(dir) => charm.unit_dirs(dir),
        None => charm,
    })
}

/// A config value given as text (`goops-sim model … config app key=value`), converted to
/// option `name`'s type as `juju config` does (internal/charm/config.go `Option.parse`: integers
/// and floats as Go parses them, booleans as `strconv.ParseBool`; the error in its words).
pub fn config_value_from_text(name: &str, option: &ConfigOption, text: &str) -> Result<Value, String> {
    let wrong = || format!("option {name:?} expected {}, got {text:?}", type_name(option.kind));
    match option.kind {
        ConfigType::String | ConfigType::Secret => Ok(Value::String(text.to_owned())),
        ConfigType::Int => text.parse::<i64>().map(Value::from).map_err(|_| wrong()),
        ConfigType::Float => {
            let number = text.parse::<f64>().map_err(|_| wrong())?;
            serde_json::Number::from_f64(number).map(Value::Number).ok_or_else(wrong)
        }
        ConfigType::Boolean => match text {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(Value::Bool(true)),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(Value::Bool(false)),
            _ => Err(wrong()),
        },
    }
}

fn type_name(kind: ConfigType) -> &'static str {
    match kind {
        ConfigType::String => "string",
        ConfigType::Int => "int",
        ConfigType::Float => "float",
        ConfigType::Boolean => "boolean",
        ConfigType::Secret => "secret",
    }
}

/// A YAML node with the line it starts on.
#[derive(Debug)]
struct Node {
    kind: Kind,
    line: usize,
}

#[derive(Debug)]
enum Kind {
    /// A scalar and whether it was plain (unquoted: typed as YAML resolves it).
    Scalar(String, bool),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// Builds the node tree from the parser's events, keeping lines.
struct Builder {
    stack: Vec<Node>,
    root: Option<Node>,
    error: Option<(usize, String)>,
}

impl Builder {
    fn push(&mut self, node: Node) {
        let Some(parent) = self.stack.last_mut() else {
            self.root.get_or_insert(node);
            return;
        };
        match &mut parent.kind {
            Kind::Seq(items) => items.push(node),
            // A map collects a key, then its value: a pending key is a pair with a null value.
            Kind::Map(pairs) => match pairs.last_mut() {
                Some((_, value)) if matches!(value.kind, Kind::Scalar(ref s, true) if s == PENDING) => *value = node,
                _ => {
                    let line = node.line;
                    pairs.push((node, Node { kind: Kind::Scalar(PENDING.to_owned(), true), line }));
                }
            },
            Kind::Scalar(..) => {}
        }
    }
}

/// The placeholder for a map value not yet read (a NUL cannot appear in a plain YAML scalar).
const PENDING: &str = "\u{0}pending";

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = mark.line();
        match ev {
            Event::Alias(_) => self.error = Some((line, "YAML aliases are not supported in a model file".into())),
            Event::Scalar(value, style, _, _) => {
                self.push(Node { kind: Kind::Scalar(value, style == TScalarStyle::Plain), line });
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.error = Some((line, format!("collections nested deeper than {MAX_DEPTH} levels")));
                    return;
                }
                let kind = if matches!(ev, Event::SequenceStart(..)) { Kind::Seq(vec![]) } else { Kind::Map(vec![]) };
                self.stack.push(Node { kind, line });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(node) = self.stack.pop() {
                    self.push(node);
                }
            }
            _ => {}
        }
    }
}

fn load(path: &Path, text: &str) -> Result<Node, FileError> {
    let mut builder = Builder { stack: Vec::new(), root: None, error: None };
    let yaml_error = |line: usize, message: String| FileError::Yaml { path: path.to_path_buf(), line, message };
    Parser::new_from_str(text).load(&mut builder, false).map_err(|e| yaml_error(e.marker().line(), e.info().into()))?;
    if let Some((line, message)) = builder.error {
        return Err(yaml_error(line, message));
    }
    Ok(builder.root.unwrap_or(Node { kind: Kind::Scalar(String::new(), true), line: 1 }))
}

/// Reads the node tree into a [`ModelFile`], naming the key and line of every mistake.
struct Reader<'a> {
    path: &'a Path,
}

impl Reader<'_> {
    fn invalid(&self, node: &Node, key: &str, message: impl Into<String>) -> FileError {
        self.invalid_at(node.line, key, message)
    }

    fn invalid_at(&self, line: usize, key: &str, message: impl Into<String>) -> FileError {
        FileError::Invalid { path: self.path.to_path_buf(), line, key: key.to_owned(), message: message.into() }
    }

    /// The pairs of a map with each key's line (an empty plain scalar, `key:` with no value, is
    /// an empty map).
    fn map<'n>(&self, node: &'n Node, key: &str) -> Result<Vec<(String, usize, &'n Node)>, FileError> {
        match &node.kind {
            Kind::Map(pairs) => {
                let mut out: Vec<(String, usize, &Node)> = Vec::new();
                for (k, v) in pairs {
                    let Kind::Scalar(name, _) = &k.kind else {
                        return Err(self.invalid(k, key, "a key must be a plain name"));
                    };
                    if out.iter().any(|(seen, _, _)| seen == name) {
                        return Err(self.invalid(k, &join(key, name), "given twice"));
                    }
                    out.push((name.clone(), k.line, v));
                }
                Ok(out)
            }
            Kind::Scalar(s, true) if is_null(s) => Ok(Vec::new()),
            _ => Err(self.invalid(node, key, "expected a mapping")),
        }
    }

    fn string(&self, node: &Node, key: &str) -> Result<String, FileError> {
        match &node.kind {
            Kind::Scalar(s, plain) if !(*plain && is_null(s)) => Ok(s.clone()),
            _ => Err(self.invalid(node, key, "expected a string")),
        }
    }

    fn file(&self, root: &Node) -> Result<ModelFile, FileError> {
        let mut file = ModelFile {
            path: self.path.to_path_buf(),
            name: None,
            model_type: ModelType::Machine,
            applications: Vec::new(),
            relations: Vec::new(),
        };
        let mut saw_apps = false;
        for (key, line, value) in self.map(root, "the file")? {
            match key.as_str() {
                "model" => self.model(value, &mut file)?,
                "applications" => {
                    saw_apps = true;
                    for (name, line, spec) in self.map(value, "applications")? {
                        let app = self.application(&name, line, spec)?;
                        file.applications.push(app);
                    }
                }
                "relations" => file.relations = self.relations(value)?,
                // Bundles name applications `services` (legacy) or carry machines; say so plainly.
                _ => {
                    let message = "unknown key (expected model, applications or relations)";
                    return Err(self.invalid_at(line, &key, message));
                }
            }
        }
        if !saw_apps || file.applications.is_empty() {
            return Err(self.invalid(root, "applications", "the model needs at least one application"));
        }
        // Relations may come before applications in the file: check their names now.
        for (i, relation) in file.relations.iter().enumerate() {
            for side in &relation.endpoints {
                let app = side.split_once(':').map_or(side.as_str(), |(a, _)| a);
                if file.app(app).is_none() {
                    return Err(FileError::Invalid {
                        path: self.path.to_path_buf(),
                        line: relation.line,
                        key: format!("relations[{i}]"),
                        message: format!("no application {app:?} in applications"),
                    });
                }
            }
        }
        Ok(file)
    }

    fn model(&self, node: &Node, file: &mut ModelFile) -> Result<(), FileError> {
        for (key, line, value) in self.map(node, "model")? {
            let full = join("model", &key);
            match key.as_str() {
                "name" => file.name = Some(self.string(value, &full)?),
                "type" => {
                    file.model_type = match self.string(value, &full)?.as_str() {
                        "machine" | "iaas" => ModelType::Machine,
                        "kubernetes" | "k8s" | "caas" => ModelType::Kubernetes,
                        other => {
                            return Err(self.invalid(
                                value,
                                &full,
                                format!("{other:?}: expected machine or kubernetes"),
                            ));
                        }
                    };
                }
                _ => return Err(self.invalid_at(line, &full, "unknown key (expected name or type)")),
            }
        }
        Ok(())
    }

    fn application(&self, name: &str, line: usize, node: &Node) -> Result<AppSpec, FileError> {
        let base = join("applications", name);
        if !goops_juju::unit::is_valid_app_name(name) {
            let message =
                "not a valid application name (lowercase letters, digits and hyphens, starting with a letter)";
            return Err(self.invalid_at(line, &base, message));
        }
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut app = AppSpec {
            name: name.to_owned(),
            charm: PathBuf::new(),
            dispatch: None,
            units: 1,
            config: BTreeMap::new(),
            trust: false,
            line,
        };
        let mut saw_charm = false;
        for (key, key_line, value) in self.map(node, &base)? {
            let full = join(&base, &key);
            match key.as_str() {
                "charm" => {
                    app.charm = dir.join(self.string(value, &full)?);
                    saw_charm = true;
                }
                "dispatch" => app.dispatch = Some(dir.join(self.string(value, &full)?)),
                "units" | "num_units" | "scale" => {
                    app.units = match &value.kind {
                        Kind::Scalar(s, true) => s.parse::<u32>().ok().filter(|n| *n <= 1000),
                        _ => None,
                    }
                    .ok_or_else(|| self.invalid(value, &full, "expected a number of units from 0 to 1000"))?;
                }
                "config" | "options" => {
                    for (option, _, v) in self.map(value, &full)? {
                        let value = self.config_value(v, &join(&full, &option))?;
                        app.config.insert(option, value);
                    }
                }
                "trust" => {
                    app.trust = match &value.kind {
                        Kind::Scalar(s, true) if s == "true" => true,
                        Kind::Scalar(s, true) if s == "false" => false,
                        _ => return Err(self.invalid(value, &full, "expected true or false")),
                    };
                }
                _ => {
                    let message = "unknown key (expected charm, dispatch, units, config or trust)";
                    return Err(self.invalid_at(key_line, &full, message));
                }
            }
        }
        if !saw_charm {
            return Err(self.invalid_at(line, &join(&base, "charm"), "missing: the charm's directory"));
        }
        Ok(app)
    }

    /// A config value: a scalar typed as YAML resolves it (`30` an int, `"30"` a string).
    fn config_value(&self, node: &Node, key: &str) -> Result<Value, FileError> {
        let Kind::Scalar(text, plain) = &node.kind else {
            return Err(self.invalid(node, key, "expected a string, number or boolean"));
        };
        if !plain {
            return Ok(Value::String(text.clone()));
        }
        Ok(match yaml_rust2::Yaml::from_str(text) {
            yaml_rust2::Yaml::Integer(i) => Value::from(i),
            yaml_rust2::Yaml::Real(r) => match r.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                Some(n) => Value::Number(n),
                None => return Err(self.invalid(node, key, format!("{text:?} is not a finite number"))),
            },
            yaml_rust2::Yaml::Boolean(b) => Value::Bool(b),
            yaml_rust2::Yaml::Null => {
                return Err(self.invalid(node, key, "no value (leave the key out for the default)"));
            }
            _ => Value::String(text.clone()),
        })
    }

    fn relations(&self, node: &Node) -> Result<Vec<RelationSpec>, FileError> {
        let items = match &node.kind {
            Kind::Seq(items) => items,
            Kind::Scalar(s, true) if is_null(s) => return Ok(Vec::new()),
            _ => return Err(self.invalid(node, "relations", "expected a list of [a:endpoint, b:endpoint] pairs")),
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = format!("relations[{i}]");
            let Kind::Seq(sides) = &item.kind else {
                return Err(self.invalid(item, &key, "expected a pair [a:endpoint, b:endpoint]"));
            };
            let [a, b] = sides.as_slice() else {
                return Err(self.invalid(item, &key, format!("expected two sides, got {}", sides.len())));
            };
            let mut endpoints = [self.string(a, &key)?, self.string(b, &key)?];
            for side in &mut endpoints {
                let (app, endpoint) = side.split_once(':').unwrap_or((side.as_str(), "x"));
                if app.is_empty() || endpoint.is_empty() {
                    return Err(self.invalid(item, &key, format!("{side:?}: expected app or app:endpoint")));
                }
            }
            out.push(RelationSpec { endpoints, line: item.line });
        }
        Ok(out)
    }
}

fn join(base: &str, key: &str) -> String {
    format!("{base}.{key}")
}

/// YAML's null spellings (an empty value included).
fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ModelFile, FileError> {
        ModelFile::parse(Path::new("/m/model.yaml"), text)
    }

    fn error(text: &str) -> String {
        match parse(text) {
            Ok(file) => format!("parsed: {file:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_full_file_reads_with_defaults_and_typed_config() {
        let file = parse(
            "model: {name: demo, type: kubernetes}\n\
             applications:\n  ca:\n    charm: ./ca\n    dispatch: ../bin/ca\n    units: 2\n    trust: true\n    \
             config: {validity: 30, ratio: 0.5, debug: true, name: \"30\", plain: hello}\n  req: {charm: req}\n\
             relations:\n  - [ca:certificates, req]\n",
        );
        let file = match file {
            Ok(file) => file,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(file.model_name(), "demo");
        assert_eq!(file.model_type, ModelType::Kubernetes);
        let ca = file.app("ca").cloned().unwrap_or_else(|| panic!("no ca"));
        assert_eq!(ca.charm, PathBuf::from("/m/./ca"));
        assert_eq!(ca.dispatch, Some(PathBuf::from("/m/../bin/ca")));
        assert_eq!((ca.units, ca.trust, ca.line), (2, true, 3));
        assert_eq!(ca.config.get("validity"), Some(&Value::from(30)));
        assert_eq!(ca.config.get("ratio"), Some(&Value::from(0.5)));
        assert_eq!(ca.config.get("debug"), Some(&Value::Bool(true)));
        assert_eq!(ca.config.get("name"), Some(&Value::from("30")));
        assert_eq!(ca.config.get("plain"), Some(&Value::from("hello")));
        let req = file.app("req").cloned().unwrap_or_else(|| panic!("no req"));
        assert_eq!((req.units, req.trust), (1, false));
        assert_eq!(
            file.relations,
            vec![RelationSpec { endpoints: ["ca:certificates".into(), "req".into()], line: 11 }]
        );
    }

    #[test]
    fn each_mistake_names_the_line_and_key() {
        let apps = "applications:\n  a: {charm: a}\n";
        for (text, expected) in [
            ("applications:\n  a:\n    charm: a\n    unit: 2\n", "line 4: applications.a.unit: unknown key"),
            ("applications:\n  a:\n    charm: a\n    units: many\n", "line 4: applications.a.units: expected a number"),
            ("applications:\n  a:\n    units: 1\n", "line 2: applications.a.charm: missing"),
            ("applications:\n  A_b: {charm: a}\n", "applications.A_b: not a valid application name"),
            ("applications:\n  a: {charm: a, trust: yes}\n", "applications.a.trust: expected true or false"),
            ("applications:\n  a: {charm: a, config: {x: [1]}}\n", "applications.a.config.x: expected a string"),
            ("applications: {}\n", "applications: the model needs at least one application"),
            (&format!("{apps}relations:\n  - [a:x, b:y]\n"), "line 4: relations[0]: no application \"b\""),
            (&format!("{apps}relations:\n  - [a:x]\n"), "line 4: relations[0]: expected two sides, got 1"),
            (&format!("{apps}relations: [a:x, a:y]\n"), "relations[0]: expected a pair"),
            (&format!("{apps}relations:\n  - [\":x\", a]\n"), "relations[0]: \":x\": expected app or app:endpoint"),
            (&format!("{apps}machines: {{}}\n"), "line 3: machines: unknown key"),
            (&format!("{apps}model: {{type: lxd}}\n"), "model.type: \"lxd\": expected machine or kubernetes"),
            ("applications:\n  a: {charm: a}\n  a: {charm: b}\n", "line 3: applications.a: given twice"),
            ("applications:\n  a: &x {charm: a}\n  b: *x\n", "line 3: YAML aliases are not supported"),
            ("applications:\n  a: {charm: a\n", "/m/model.yaml: line 3:"),
            ("- 1\n", "the file: expected a mapping"),
        ] {
            let got = error(text);
            assert!(got.contains(expected), "{text:?}: {got:?} lacks {expected:?}");
            assert!(got.starts_with("/m/model.yaml: line "), "{got}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text =
            format!("applications:\n  a: {{charm: a, config: {{x: {}1{}}}}}\n", "[".repeat(100), "]".repeat(100));
        assert!(error(&text).contains("nested deeper than 64"), "{}", error(&text));
    }

    #[test]
    fn config_text_converts_as_juju_config_does() {
        let option = |kind| ConfigOption { kind, default: None, description: String::new() };
        let parse = |kind, text| config_value_from_text("k", &option(kind), text);
        assert_eq!(parse(ConfigType::Int, "42"), Ok(Value::from(42)));
        assert_eq!(parse(ConfigType::Boolean, "T"), Ok(Value::Bool(true)));
        assert_eq!(parse(ConfigType::Float, "1.5"), Ok(Value::from(1.5)));
        assert_eq!(parse(ConfigType::String, "42"), Ok(Value::from("42")));
        assert_eq!(parse(ConfigType::Int, "4.2"), Err("option \"k\" expected int, got \"4.2\"".into()));
        assert!(parse(ConfigType::Boolean, "yes").is_err());
    }
}
