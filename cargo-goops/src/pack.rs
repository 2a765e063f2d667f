//! `cargo goops pack`: build the charm in release, check the binary against each platform's
//! base, and write `<name>_<platform>.charm` as `charmcraft pack` lays this charm out.
//!
//! What charmcraft puts in a charm built by the rust plugin (charmcraft 4.5 and craft-parts
//! 2.37, read from their source): the part's install directory after `organize` (only
//! `bin/<name>` moved to `dispatch`; the plugin deletes cargo's `.crates.toml` and
//! `.crates2.json`), plus the files its package service writes: `metadata.yaml`, `config.yaml`
//! and `actions.yaml` (only when declared), and `manifest.yaml`. The zip is deflated and keeps
//! the Unix mode of each file, which `charmcraft analyse` and Juju read back.

use std::io::Write;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;

use crate::cargo::{Build, musl_target, target_installed};
use crate::error::{Error, Result};
use crate::glibc::{Linking, check_binary};
use crate::project::{Platform, Project};

/// The charmcraft release whose layout `cargo goops pack` follows (and names in
/// `manifest.yaml`'s `charmcraft-version`, which Juju does not read).
pub const CHARMCRAFT_LAYOUT: &str = "4.5.0";

/// What to pack.
#[derive(Debug, Clone)]
pub struct PackOptions {
    /// The charm directory (charmcraft.yaml and Cargo.toml).
    pub charm_dir: PathBuf,
    /// Build with the musl target: a statically linked `dispatch` that runs on any base.
    pub static_link: bool,
    /// Where to write the .charm files; the charm directory when `None` (as `charmcraft pack`).
    pub output_dir: Option<PathBuf>,
}

/// One file in a packed charm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path inside the charm.
    pub name: String,
    /// Its size, uncompressed.
    pub size: u64,
    /// Its Unix mode (`0o755` for `dispatch`).
    pub mode: u32,
}

/// A packed charm.
#[derive(Debug, Clone)]
pub struct Packed {
    /// The .charm file.
    pub path: PathBuf,
    /// Its size.
    pub size: u64,
    /// The platform it is for.
    pub platform: Platform,
    /// How `dispatch` links (static, or the newest glibc it needs).
    pub linking: Linking,
    /// Its files, in the order written.
    pub entries: Vec<Entry>,
}

/// Pack the charm: one .charm per platform this machine builds for, written into the output
/// directory (by default the charm directory, where `charmcraft pack` writes it).
pub fn pack(options: &PackOptions) -> Result<Vec<Packed>> {
    let project = Project::read(&options.charm_dir)?;
    let platforms = project.host_platforms()?;
    let target = if options.static_link {
        let target = musl_target();
        if !target_installed(&project.dir, &target) {
            return Err(Error::MuslTargetMissing { target });
        }
        Some(target)
    } else {
        None
    };
    let binary = Build { dir: &project.dir, part: &project.part, release: true, target }.run()?;
    // Check every platform before writing any charm.
    let checked = platforms
        .into_iter()
        .map(|platform| {
            let (name, channel) = platform.base_parts();
            let base = format!("{name}@{channel}");
            check_binary(&binary, &platform.label, &base, &platform.arch).map(|linking| (platform, linking))
        })
        .collect::<Result<Vec<_>>>()?;
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    checked
        .into_iter()
        .map(|(platform, linking)| {
            let path = options.output_dir.as_ref().unwrap_or(&project.dir).join(project.charm_file_name(&platform));
            let files = charm_files(&project, &platform, &binary, &started_at)?;
            let entries = write_charm(&path, &files)?;
            let size = std::fs::metadata(&path).map_err(Error::io(&path))?.len();
            Ok(Packed { path, size, platform, linking, entries })
        })
        .collect()
}

/// One file to put in the charm: its name, content and mode.
type CharmFile = (String, Vec<u8>, u32);

/// The files of the charm for `platform`, in charmcraft's layout.
fn charm_files(project: &Project, platform: &Platform, binary: &Path, started_at: &str) -> Result<Vec<CharmFile>> {
    let dispatch = std::fs::read(binary).map_err(Error::io(binary))?;
    let mut files = vec![
        ("dispatch".to_owned(), dispatch, 0o755),
        ("metadata.yaml".to_owned(), project.metadata_yaml()?.into_bytes(), 0o644),
    ];
    for section in ["config", "actions"] {
        if let Some(text) = project.section_yaml(section)? {
            files.push((format!("{section}.yaml"), text.into_bytes(), 0o644));
        }
    }
    files.push(("manifest.yaml".to_owned(), manifest_yaml(platform, started_at).into_bytes(), 0o644));
    Ok(files)
}

/// `manifest.yaml` as charmcraft writes it (its `Manifest` model, keys in model order): the
/// version, the start time, the base the charm runs on (Juju reads this), and the analyser's
/// attributes. charmcraft's `language` and `framework` checkers only recognise a Python
/// `dispatch` script (ops or reactive), so a binary `dispatch` is `unknown` for both.
pub fn manifest_yaml(platform: &Platform, started_at: &str) -> String {
    let (name, channel) = platform.base_parts();
    format!(
        "# Packed by cargo-goops {}, in the layout charmcraft {CHARMCRAFT_LAYOUT} packs.\n\
         charmcraft-version: {CHARMCRAFT_LAYOUT}\n\
         charmcraft-started-at: '{started_at}'\n\
         bases:\n\
         - name: {name}\n  channel: '{channel}'\n  architectures:\n  - {}\n\
         analysis:\n  attributes:\n  - name: language\n    result: unknown\n  - name: framework\n    result: unknown\n",
        env!("CARGO_PKG_VERSION"),
        platform.arch,
    )
}

/// Write `files` as a deflated zip at `path` (through a temporary file, so a failed pack leaves
/// no half-written charm) and list what it holds.
fn write_charm(path: &Path, files: &[CharmFile]) -> Result<Vec<Entry>> {
    let partial = path.with_extension("charm.partial");
    let zip_error = |source| Error::Zip { path: path.to_path_buf(), source };
    let file = std::fs::File::create(&partial).map_err(Error::io(&partial))?;
    let mut zip = zip::ZipWriter::new(file);
    let mut entries = Vec::new();
    let now = chrono::Utc::now().naive_utc();
    let (date, time) = (now.date(), now.time());
    use chrono::{Datelike, Timelike};
    // Zip (MS-DOS) times have two-second steps and no zone; out of range falls back to 1980.
    let modified = zip::DateTime::from_date_and_time(
        u16::try_from(date.year()).unwrap_or(1980),
        date.month() as u8,
        date.day() as u8,
        time.hour() as u8,
        time.minute() as u8,
        time.second() as u8,
    )
    .unwrap_or_default();
    for (name, content, mode) in files {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(*mode)
            .last_modified_time(modified);
        zip.start_file(name.as_str(), options).map_err(zip_error)?;
        zip.write_all(content).map_err(Error::io(&partial))?;
        entries.push(Entry { name: name.clone(), size: content.len() as u64, mode: *mode });
    }
    zip.finish().map_err(zip_error)?;
    std::fs::rename(&partial, path).map_err(Error::io(path))?;
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_names_the_base_juju_reads() {
        let platform = Platform { label: "amd64".into(), base: "ubuntu@22.04".into(), arch: "amd64".into() };
        let text = manifest_yaml(&platform, "2026-01-02T03:04:05.000000Z");
        let doc = yaml_rust2::YamlLoader::load_from_str(&text).unwrap().remove(0);
        assert_eq!(doc["bases"][0]["name"].as_str(), Some("ubuntu"));
        assert_eq!(doc["bases"][0]["channel"].as_str(), Some("22.04"), "a string, not the number 22.04");
        assert_eq!(doc["bases"][0]["architectures"][0].as_str(), Some("amd64"));
        assert_eq!(doc["charmcraft-started-at"].as_str(), Some("2026-01-02T03:04:05.000000Z"));
        assert_eq!(doc["analysis"]["attributes"][1]["name"].as_str(), Some("framework"));
    }
}
