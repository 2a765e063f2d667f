//! The charm project as `cargo goops pack` reads it: charmcraft.yaml's name, base and platforms,
//! the rust part that builds `dispatch`, and the metadata files charmcraft writes into the charm.
//!
//! goops-juju's [`CharmMeta`] checks the metadata first (the same checks the macros make at
//! compile time). It is a typed model and drops what Juju does not act on (summary, title,
//! links, …), so the metadata files are written from the YAML itself, section by section, as
//! charmcraft does.

use std::path::{Path, PathBuf};

use goops_juju::charmcraft::CharmMeta;
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

use crate::error::{Error, Result};

/// charmcraft's project file.
pub const CHARMCRAFT_YAML: &str = "charmcraft.yaml";

/// The keys charmcraft's `CharmMetadata` model copies from the project into metadata.yaml
/// (charmcraft 4.5 `charmcraft/models/metadata.py`; `title` becomes `display-name` and `links`
/// is flattened, below).
const METADATA_KEYS: &[&str] = &[
    "name",
    "summary",
    "description",
    "assumes",
    "charm-user",
    "containers",
    "devices",
    "extra-bindings",
    "peers",
    "provides",
    "requires",
    "resources",
    "storage",
    "subordinate",
    "terms",
];

/// The architectures Juju and charmcraft name, and the Rust `target_arch` of each.
const ARCHES: &[(&str, &str)] = &[
    ("amd64", "x86_64"),
    ("arm64", "aarch64"),
    ("ppc64el", "powerpc64"),
    ("s390x", "s390x"),
    ("riscv64", "riscv64"),
    ("armhf", "arm"),
];

/// The part keys `cargo goops pack` honours or can ignore (they only shape charmcraft's build
/// environment). Any other key changes what charmcraft would pack, so it is refused.
const PART_KEYS: &[&str] = &[
    "plugin",
    "source",
    "rust-channel",
    "rust-features",
    "rust-no-default-features",
    "rust-use-global-lto",
    "rust-cargo-parameters",
    "rust-ignore-toolchain-file",
    "rust-inherit-ldflags",
    "rust-path",
    "organize",
    "build-packages",
    "build-snaps",
];

/// The Juju architecture name of the machine cargo-goops runs on (`amd64` on x86_64).
pub fn host_arch() -> &'static str {
    ARCHES.iter().find(|(_, rust)| *rust == std::env::consts::ARCH).map_or(std::env::consts::ARCH, |(juju, _)| juju)
}

/// One platform the charm is packed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// The label under `platforms:` (`amd64`, `ubuntu@24.04:amd64`): charmcraft names the
    /// .charm after it.
    pub label: String,
    /// The base it runs on (`ubuntu@24.04`).
    pub base: String,
    /// The architecture (`amd64`).
    pub arch: String,
}

impl Platform {
    /// The base's name and channel (`ubuntu`, `24.04`).
    pub fn base_parts(&self) -> (&str, &str) {
        self.base.split_once('@').unwrap_or((&self.base, ""))
    }
}

/// How the rust part builds the binary (craft-parts' rust plugin options).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RustPart {
    /// The part's name.
    pub name: String,
    /// The binary `organize` moves to `dispatch` (`bin/<bin>: dispatch`).
    pub bin: String,
    /// `rust-features`; `["*"]` is `--all-features`.
    pub features: Vec<String>,
    /// `rust-no-default-features`.
    pub no_default_features: bool,
    /// `rust-use-global-lto`.
    pub global_lto: bool,
    /// `rust-cargo-parameters`, each one argument.
    pub cargo_parameters: Vec<String>,
}

impl RustPart {
    /// The cargo arguments the rust plugin adds to its build for these options (craft-parts
    /// `rust_plugin.py`, `get_build_commands`).
    pub fn cargo_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if self.features.iter().any(|f| f == "*") {
            args.push("--all-features".to_owned());
        } else if !self.features.is_empty() {
            args.extend(["--features".to_owned(), self.features.join(" ")]);
        }
        if self.global_lto {
            for setting in ["profile.release.lto = true", "profile.release.codegen-units = 1"] {
                args.extend(["--config".to_owned(), setting.to_owned()]);
            }
        }
        if self.no_default_features {
            args.push("--no-default-features".to_owned());
        }
        args.extend(self.cargo_parameters.iter().cloned());
        args
    }
}

/// A charm project: its directory and what charmcraft.yaml says.
#[derive(Debug, Clone)]
pub struct Project {
    /// The directory holding charmcraft.yaml and Cargo.toml.
    pub dir: PathBuf,
    /// `name:`.
    pub name: String,
    /// Every platform declared, in order.
    pub platforms: Vec<Platform>,
    /// The part that builds `dispatch`.
    pub part: RustPart,
    /// The whole document.
    doc: Yaml,
}

impl Project {
    /// Read the project in `dir`: goops-juju's metadata checks, then what packing needs.
    pub fn read(dir: &Path) -> Result<Project> {
        let path = dir.join(CHARMCRAFT_YAML);
        let text = std::fs::read_to_string(&path).map_err(Error::io(&path))?;
        CharmMeta::from_dir(dir)?;
        let doc = YamlLoader::load_from_str(&text)
            .map_err(|e| project_error(&path, "(top level)", format!("not valid YAML: {e}")))?
            .into_iter()
            .next()
            .unwrap_or(Yaml::Null);
        let err = |key: &str, message: String| project_error(&path, key, message);
        if !matches!(doc, Yaml::Hash(_)) {
            return Err(err("(top level)", "expected a map of keys".to_owned()));
        }
        if doc["type"].as_str() != Some("charm") {
            return Err(err("type", "must be `charm`".to_owned()));
        }
        let name = doc["name"].as_str().ok_or_else(|| err("name", "missing; the charm's name".to_owned()))?;
        if !goops_juju::unit::is_valid_app_name(name) {
            return Err(err(
                "name",
                format!("{name:?} is not a valid charm name (lowercase letters, digits, hyphens)"),
            ));
        }
        if !dir.join("metadata.yaml").exists() {
            // charmcraft's CharmMetadata requires both, and its analyser's `metadata` lint too.
            for key in ["summary", "description"] {
                if doc[key].as_str().is_none_or(str::is_empty) {
                    return Err(err(key, "missing; charmcraft requires it in metadata.yaml".to_owned()));
                }
            }
        }
        let platforms = platforms(&doc, &err)?;
        let part = rust_part(&doc, &err)?;
        Ok(Project { dir: dir.to_path_buf(), name: name.to_owned(), platforms, part, doc })
    }

    /// The platforms this machine builds for (their architecture is the host's).
    pub fn host_platforms(&self) -> Result<Vec<Platform>> {
        let host = host_arch();
        let found: Vec<Platform> = self.platforms.iter().filter(|p| p.arch == host).cloned().collect();
        if found.is_empty() {
            let labels: Vec<&str> = self.platforms.iter().map(|p| p.label.as_str()).collect();
            return Err(project_error(
                &self.dir.join(CHARMCRAFT_YAML),
                "platforms",
                format!("no platform runs on this machine's architecture ({host}); declared: {}", labels.join(", ")),
            ));
        }
        Ok(found)
    }

    /// The .charm file name charmcraft gives a platform: `<name>_<label>.charm`, `:` in the
    /// label replaced by `-` (charmcraft 4.5 `services/package.py`, `get_charm_name`).
    pub fn charm_file_name(&self, platform: &Platform) -> String {
        format!("{}_{}.charm", self.name, platform.label.replace(':', "-"))
    }

    /// The content of `metadata.yaml` in the charm: the project's own file when it has one
    /// (charmcraft packs it as it is), else the metadata keys of charmcraft.yaml, sorted.
    pub fn metadata_yaml(&self) -> Result<String> {
        if let Some(text) = self.legacy_file("metadata.yaml")? {
            return Ok(text);
        }
        let mut out = Hash::new();
        for key in METADATA_KEYS {
            let value = &self.doc[*key];
            if !matches!(value, Yaml::BadValue | Yaml::Null) {
                out.insert(Yaml::String((*key).to_owned()), value.clone());
            }
        }
        if let Some(title) = self.doc["title"].as_str() {
            out.insert(Yaml::String("display-name".to_owned()), Yaml::String(title.to_owned()));
        }
        // charmcraft's `from_charm`: links.documentation → docs, links.contact → maintainers
        // (a list), issues / source / website as they are.
        if let Yaml::Hash(links) = &self.doc["links"] {
            for (key, value) in links {
                let (key, value) = match key.as_str() {
                    Some("documentation") => ("docs", value.clone()),
                    Some("contact") => match value {
                        Yaml::Array(_) => ("maintainers", value.clone()),
                        other => ("maintainers", Yaml::Array(vec![other.clone()])),
                    },
                    Some(other) => (other, value.clone()),
                    None => continue,
                };
                out.insert(Yaml::String(key.to_owned()), value);
            }
        }
        dump_sorted("metadata.yaml", &Yaml::Hash(out))
    }

    /// The content of `config.yaml` (`section` `config`) or `actions.yaml` (`actions`): the
    /// project's own file when it has one, else the section of charmcraft.yaml, sorted; `None`
    /// when there is neither (charmcraft then writes no file).
    pub fn section_yaml(&self, section: &str) -> Result<Option<String>> {
        if let Some(text) = self.legacy_file(&format!("{section}.yaml"))? {
            return Ok(Some(text));
        }
        match &self.doc[section] {
            Yaml::Hash(h) if !h.is_empty() => dump_sorted(&format!("{section}.yaml"), &self.doc[section]).map(Some),
            _ => Ok(None),
        }
    }

    fn legacy_file(&self, name: &str) -> Result<Option<String>> {
        let path = self.dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path)(e)),
        }
    }
}

fn project_error(path: &Path, key: &str, message: impl Into<String>) -> Error {
    Error::Project { path: path.to_path_buf(), key: key.to_owned(), message: message.into() }
}

/// `platforms:` with `base:` (labels are architectures, or entries with `build-for`), or
/// without it (labels are `<base>:<arch>`), as craft-platforms reads them for charmcraft.
fn platforms(doc: &Yaml, err: &dyn Fn(&str, String) -> Error) -> Result<Vec<Platform>> {
    if !matches!(doc["bases"], Yaml::BadValue) {
        return Err(err(
            "bases",
            "cargo goops pack reads `base` and `platforms`, not the older `bases` form".to_owned(),
        ));
    }
    let base = doc["base"].as_str();
    let Yaml::Hash(entries) = &doc["platforms"] else {
        return Err(err("platforms", "missing; e.g. `platforms: {amd64: }` with `base: ubuntu@24.04`".to_owned()));
    };
    let mut out = Vec::new();
    for (label, value) in entries {
        let label = label.as_str().ok_or_else(|| err("platforms", "labels must be strings".to_owned()))?;
        let key = format!("platforms.{label}");
        // `build-for: [<base>:<arch>]` or `[<arch>]` names the target; else the label does.
        let target = match &value["build-for"] {
            Yaml::Array(items) => items
                .first()
                .and_then(Yaml::as_str)
                .ok_or_else(|| err(&format!("{key}.build-for"), "expected a list of `[<base>:]<arch>`".to_owned()))?,
            Yaml::BadValue => label,
            _ => return Err(err(&format!("{key}.build-for"), "expected a list".to_owned())),
        };
        let (platform_base, arch) = match target.split_once(':') {
            Some((b, a)) => (b, a),
            None => {
                (base.ok_or_else(|| err(&key, "without `base:`, a platform is `<base>:<arch>`".to_owned()))?, target)
            }
        };
        if !ARCHES.iter().any(|(juju, _)| *juju == arch) {
            return Err(err(&key, format!("unknown architecture {arch:?}")));
        }
        if !platform_base.contains('@') {
            return Err(err(&key, format!("base {platform_base:?} is not `<name>@<channel>`")));
        }
        out.push(Platform { label: label.to_owned(), base: platform_base.to_owned(), arch: arch.to_owned() });
    }
    if out.is_empty() {
        return Err(err("platforms", "declares no platform".to_owned()));
    }
    Ok(out)
}

/// The one part, which must use the rust plugin from the charm's own directory and organize a
/// binary to `dispatch`.
fn rust_part(doc: &Yaml, err: &dyn Fn(&str, String) -> Error) -> Result<RustPart> {
    let Yaml::Hash(parts) = &doc["parts"] else {
        return Err(err("parts", "missing; a `rust` part builds the dispatch binary".to_owned()));
    };
    let mut found = parts.iter();
    let (Some((name, part)), None) = (found.next(), found.next()) else {
        return Err(err(
            "parts",
            "cargo goops pack packs one rust part; use charmcraft pack for more parts".to_owned(),
        ));
    };
    let name = name.as_str().unwrap_or_default().to_owned();
    let key = |k: &str| format!("parts.{name}.{k}");
    let Yaml::Hash(fields) = part else {
        return Err(err(&key("plugin"), "the part must be a map with `plugin: rust`".to_owned()));
    };
    if let Some(other) = fields.keys().filter_map(Yaml::as_str).find(|k| !PART_KEYS.contains(k)) {
        return Err(err(&key(other), "cargo goops pack does not model this key; use charmcraft pack".to_owned()));
    }
    if part["plugin"].as_str() != Some("rust") {
        return Err(err(&key("plugin"), "must be `rust`".to_owned()));
    }
    if !matches!(part["source"].as_str(), Some("." | "./")) {
        return Err(err(&key("source"), "cargo goops pack builds the charm's own directory: `source: .`".to_owned()));
    }
    match &part["rust-path"] {
        Yaml::BadValue => {}
        Yaml::Array(items) if items.len() == 1 && matches!(items[0].as_str(), Some("." | "./")) => {}
        _ => return Err(err(&key("rust-path"), "cargo goops pack builds `.` only".to_owned())),
    }
    let strings = |k: &str| -> Result<Vec<String>> {
        match &part[k] {
            Yaml::BadValue => Ok(Vec::new()),
            Yaml::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned).ok_or_else(|| err(&key(k), "expected strings".to_owned())))
                .collect(),
            _ => Err(err(&key(k), "expected a list of strings".to_owned())),
        }
    };
    let flag = |k: &str| -> Result<bool> {
        match &part[k] {
            Yaml::BadValue => Ok(false),
            Yaml::Boolean(b) => Ok(*b),
            _ => Err(err(&key(k), "expected true or false".to_owned())),
        }
    };
    // `organize: {bin/<name>: dispatch}`: the binary cargo install puts in bin/ becomes dispatch.
    let bin = match &part["organize"] {
        Yaml::Hash(map) if map.len() == 1 => map.iter().find_map(|(from, to)| {
            (to.as_str() == Some("dispatch")).then(|| from.as_str()?.strip_prefix("bin/").map(str::to_owned))?
        }),
        _ => None,
    }
    .filter(|b| !b.is_empty() && !b.contains('/'))
    .ok_or_else(|| err(&key("organize"), "must be exactly `bin/<binary>: dispatch`".to_owned()))?;
    Ok(RustPart {
        name: name.clone(),
        bin,
        features: strings("rust-features")?,
        no_default_features: flag("rust-no-default-features")?,
        global_lto: flag("rust-use-global-lto")?,
        cargo_parameters: strings("rust-cargo-parameters")?,
    })
}

/// YAML text of `value` with every map's keys sorted (PyYAML's `safe_dump(sort_keys=True)`,
/// which charmcraft uses), without the leading document marker.
fn dump_sorted(file: &str, value: &Yaml) -> Result<String> {
    let sorted = sort_keys(value);
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    emitter.multiline_strings(true);
    emitter.dump(&sorted).map_err(|e| Error::YamlEmit { file: file.to_owned(), message: format!("{e:?}") })?;
    let body = out.strip_prefix("---\n").unwrap_or(&out);
    Ok(format!("{}\n", body.trim_end()))
}

fn sort_keys(value: &Yaml) -> Yaml {
    match value {
        Yaml::Hash(map) => {
            let mut entries: Vec<(&Yaml, &Yaml)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_str().unwrap_or_default().cmp(b.0.as_str().unwrap_or_default()));
            Yaml::Hash(entries.into_iter().map(|(k, v)| (k.clone(), sort_keys(v))).collect())
        }
        Yaml::Array(items) => Yaml::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(yaml: &str) -> Result<Project> {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cargo-goops-project-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(CHARMCRAFT_YAML), yaml).unwrap();
        let out = Project::read(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        out
    }

    const HEAD: &str = "name: demo\ntype: charm\ntitle: Demo\nsummary: s\ndescription: |\n  Two\n  lines.\n";
    const PART: &str = "parts:\n  charm:\n    plugin: rust\n    source: .\n    organize:\n      bin/demo: dispatch\n";

    #[test]
    fn platforms_with_a_base_and_without() {
        let p = project(&format!("{HEAD}base: ubuntu@24.04\nplatforms:\n  amd64:\n  arm64:\n{PART}")).unwrap();
        assert_eq!(
            p.platforms[0],
            Platform { label: "amd64".into(), base: "ubuntu@24.04".into(), arch: "amd64".into() }
        );
        assert_eq!(p.charm_file_name(&p.platforms[1]), "demo_arm64.charm");
        let p = project(&format!("{HEAD}platforms:\n  ubuntu@22.04:amd64:\n{PART}")).unwrap();
        assert_eq!(p.platforms[0].base, "ubuntu@22.04");
        assert_eq!(p.charm_file_name(&p.platforms[0]), "demo_ubuntu@22.04-amd64.charm");
        let p = project(&format!(
            "{HEAD}base: ubuntu@24.04\nplatforms:\n  mine:\n    build-on: [amd64]\n    build-for: [ubuntu@20.04:amd64]\n{PART}"
        ))
        .unwrap();
        assert_eq!((p.platforms[0].base.as_str(), p.platforms[0].arch.as_str()), ("ubuntu@20.04", "amd64"));
    }

    #[test]
    fn shapes_it_cannot_pack_are_named() {
        let bad = [
            (format!("{HEAD}platforms:\n  amd64:\n{PART}"), "platforms.amd64"),
            (format!("{HEAD}base: ubuntu@24.04\nplatforms:\n  sparc:\n{PART}"), "platforms.sparc"),
            (
                format!("{HEAD}base: ubuntu@24.04\nplatforms:\n  amd64:\n{}", PART.replace("bin/demo", "demo")),
                "organize",
            ),
            (
                format!("{HEAD}base: ubuntu@24.04\nplatforms:\n  amd64:\n{PART}    override-build: x\n"),
                "override-build",
            ),
            (format!("{HEAD}base: ubuntu@24.04\nplatforms:\n  amd64:\n{}", PART.replace("rust", "python")), "plugin"),
            (format!("name: demo\ntype: charm\nbase: ubuntu@24.04\nplatforms:\n  amd64:\n{PART}"), "summary"),
        ];
        for (yaml, key) in bad {
            let err = project(&yaml).unwrap_err();
            assert!(matches!(&err, Error::Project { key: k, .. } if k.ends_with(key)), "{key}: {err}");
        }
    }

    #[test]
    fn metadata_is_split_and_sorted_as_charmcraft_writes_it() {
        let p = project(&format!(
            "{HEAD}base: ubuntu@24.04\nplatforms:\n  amd64:\n{PART}links:\n  documentation: https://d\n  contact: me\n\
             provides:\n  web:\n    interface: http\nconfig:\n  options:\n    port:\n      type: int\n      default: 80\n      \
             description: p\nactions:\n  go:\n    description: g\n"
        ))
        .unwrap();
        let meta = YamlLoader::load_from_str(&p.metadata_yaml().unwrap()).unwrap().remove(0);
        let keys: Vec<&str> = meta.as_hash().unwrap().keys().filter_map(Yaml::as_str).collect();
        assert_eq!(keys, ["description", "display-name", "docs", "maintainers", "name", "provides", "summary"]);
        assert_eq!(meta["description"].as_str(), Some("Two\nlines.\n"));
        assert_eq!(meta["maintainers"][0].as_str(), Some("me"));
        let config = YamlLoader::load_from_str(&p.section_yaml("config").unwrap().unwrap()).unwrap().remove(0);
        assert_eq!(config["options"]["port"]["default"].as_i64(), Some(80));
        let actions = YamlLoader::load_from_str(&p.section_yaml("actions").unwrap().unwrap()).unwrap().remove(0);
        assert_eq!(actions["go"]["description"].as_str(), Some("g"));
        let none = project(&format!("{HEAD}base: ubuntu@24.04\nplatforms:\n  amd64:\n{PART}")).unwrap();
        assert_eq!(none.section_yaml("config").unwrap(), None);
    }

    #[test]
    fn the_part_options_become_the_plugins_cargo_arguments() {
        let part = RustPart {
            features: vec!["a".into(), "b".into()],
            no_default_features: true,
            global_lto: true,
            cargo_parameters: vec!["--verbose".into()],
            ..RustPart::default()
        };
        assert_eq!(
            part.cargo_args(),
            [
                "--features",
                "a b",
                "--config",
                "profile.release.lto = true",
                "--config",
                "profile.release.codegen-units = 1",
                "--no-default-features",
                "--verbose"
            ]
        );
        let all = RustPart { features: vec!["*".into()], ..RustPart::default() };
        assert_eq!(all.cargo_args(), ["--all-features"]);
    }
}
