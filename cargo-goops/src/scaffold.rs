//! `cargo goops new`: a charm project that builds on its own, outside any workspace.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::project::host_arch;

/// The files of a new machine charm project: path inside it, and template (`{{name}}`,
/// `{{crate}}`, `{{Type}}`, `{{title}}` and `{{arch}}` are filled in).
const FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../template/Cargo.toml.tmpl")),
    ("charmcraft.yaml", include_str!("../template/charmcraft.yaml.tmpl")),
    ("src/lib.rs", include_str!("../template/lib.rs.tmpl")),
    ("src/main.rs", include_str!("../template/main.rs.tmpl")),
    ("tests/harness.rs", include_str!("../template/harness.rs.tmpl")),
    ("README.md", include_str!("../template/README.md.tmpl")),
    (".gitignore", include_str!("../template/gitignore.tmpl")),
];

/// The files of a new Kubernetes sidecar charm project (`--kubernetes`): a container with its
/// OCI image resource, a pebble-ready reconcile over Pebble, and a harness test with a simulated
/// Pebble. The same placeholders as [`FILES`].
const K8S_FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../template/k8s/Cargo.toml.tmpl")),
    ("charmcraft.yaml", include_str!("../template/k8s/charmcraft.yaml.tmpl")),
    ("src/lib.rs", include_str!("../template/k8s/lib.rs.tmpl")),
    ("src/main.rs", include_str!("../template/main.rs.tmpl")),
    ("tests/harness.rs", include_str!("../template/k8s/harness.rs.tmpl")),
    ("README.md", include_str!("../template/k8s/README.md.tmpl")),
    (".gitignore", include_str!("../template/gitignore.tmpl")),
];

/// Names cargo refuses for a package, or that clash with the crates the project depends on.
const RESERVED: &[&str] = &[
    "goops-runtime",
    "goops-sim",
    "goops-juju",
    "goops-macros",
    "serde",
    "test",
    "core",
    "std",
    "alloc",
    "proc-macro",
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "yield",
];

/// What to create.
#[derive(Debug, Clone)]
pub struct NewOptions {
    /// The project directory (created; it must not exist or be empty).
    pub dir: PathBuf,
    /// The charm's name; the directory's name when not given.
    pub name: Option<String>,
    /// A goops-rs checkout to build against instead of crates.io: written as a `[patch.crates-io]`
    /// in the project's `.cargo/config.toml`.
    pub goops_path: Option<PathBuf>,
    /// A Kubernetes sidecar charm (a workload container driven over Pebble) instead of a
    /// machine charm.
    pub kubernetes: bool,
}

/// Create the project; returns the charm's name and the files written.
pub fn new_project(options: &NewOptions) -> Result<(String, Vec<PathBuf>)> {
    let name = match &options.name {
        Some(name) => name.clone(),
        None => options.dir.file_name().map(|n| n.to_string_lossy().into_owned()).ok_or_else(|| {
            Error::Scaffold(format!("{}: cannot take a charm name from it; give --name", options.dir.display()))
        })?,
    };
    check_name(&name)?;
    let patch = options.goops_path.as_deref().map(patch_config).transpose()?;
    match std::fs::read_dir(&options.dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::Scaffold(format!("{} exists and is not empty", options.dir.display())));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&options.dir)(e)),
    }
    let crate_name = name.replace('-', "_");
    let type_name: String = name
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    let title = name.split('-').collect::<Vec<_>>().join(" ");
    let title = title[..1].to_uppercase() + &title[1..];
    let fill = |template: &str| {
        template
            .replace("{{name}}", &name)
            .replace("{{crate}}", &crate_name)
            .replace("{{Type}}", &type_name)
            .replace("{{title}}", &title)
            .replace("{{arch}}", host_arch())
    };
    let mut written = Vec::new();
    let templates = if options.kubernetes { K8S_FILES } else { FILES };
    let files = templates.iter().map(|(path, template)| (*path, fill(template)));
    for (path, content) in files.chain(patch.map(|p| (".cargo/config.toml", p))) {
        let path = options.dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
        }
        std::fs::write(&path, content).map_err(Error::io(&path))?;
        written.push(path);
    }
    Ok((name, written))
}

/// The charm name must be a valid Juju application name (it is deployed under it) and a package
/// name cargo accepts.
fn check_name(name: &str) -> Result<()> {
    if !goops_juju::unit::is_valid_app_name(name) {
        return Err(Error::Scaffold(format!(
            "{name:?} is not a valid charm name: lowercase letters and digits in hyphen-separated parts, \
             starting with a letter, each part with a letter (give one with --name)"
        )));
    }
    if RESERVED.contains(&name) {
        return Err(Error::Scaffold(format!(
            "{name:?} is reserved (a Rust keyword or a crate the charm uses); give --name"
        )));
    }
    Ok(())
}

/// The `.cargo/config.toml` that points the goops crates at the checkout `goops` (made
/// absolute): what `--goops-path` writes.
pub fn patch_config(goops: &Path) -> Result<String> {
    let root = goops.canonicalize().map_err(Error::io(goops))?;
    for krate in ["goops-runtime", "goops-sim"] {
        if !root.join(krate).join("Cargo.toml").is_file() {
            return Err(Error::Scaffold(format!(
                "{}: not a goops-rs checkout (no {krate}/Cargo.toml)",
                root.display()
            )));
        }
    }
    let path = |krate: &str| {
        let dir = root.join(krate);
        // A TOML basic string: escape backslashes and quotes.
        dir.to_string_lossy().replace('\\', "\\\\").replace('"', "\\\"")
    };
    Ok(format!(
        "# Written by `cargo goops new --goops-path`: the goops crates come from this checkout instead\n\
         # of crates.io. Delete this file to build against the published crates.\n\
         [patch.crates-io]\n\
         goops-runtime = {{ path = \"{}\" }}\n\
         goops-sim = {{ path = \"{}\" }}\n",
        path("goops-runtime"),
        path("goops-sim")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_juju_or_cargo_refuse_are_refused() {
        for bad in ["My-Charm", "2fa", "my_charm", "charm-", "a--b", "match", "serde", "goops-sim"] {
            let err = check_name(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        for ok in ["web", "my-charm", "db2"] {
            check_name(ok).unwrap();
        }
    }

    #[test]
    fn a_non_empty_directory_is_left_alone() {
        let dir = std::env::temp_dir().join(format!("cargo-goops-new-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("keep.txt"), "mine").unwrap();
        let err = new_project(&NewOptions {
            dir: dir.clone(),
            name: Some("web".into()),
            goops_path: None,
            kubernetes: false,
        })
        .unwrap_err();
        assert!(err.to_string().contains("exists and is not empty"), "{err}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
