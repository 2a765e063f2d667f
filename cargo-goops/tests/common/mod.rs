//! Shared helpers: the cargo-goops binary, charmcraft (and craft-parts) from PyPI in a venv
//! under target/, a target directory shared by the builds outside the workspace, copying a
//! project alone, unzipping a .charm, and running the rust plugin's own build commands.

#![allow(dead_code)] // Each test file uses some of these.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

#[allow(unused_imports)]
pub use goops_tests::{TempDir, goops_sim_binary, target_dir, workspace_root};

/// The charmcraft release the tests analyse with (its craft-parts pinned with it).
pub const CHARMCRAFT_VERSION: &str = "4.5.0";
/// The craft-parts release whose rust plugin the tests take the build commands from (the one
/// charmcraft 4.5.0 requires, `~=2.37.2`).
pub const CRAFT_PARTS_VERSION: &str = "2.37.2";

/// The cargo-goops executable under test.
pub fn cargo_goops() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cargo-goops"))
}

/// The target directory for builds outside the workspace (scaffolded projects, copies of the
/// examples): one, shared, so their dependencies compile once per profile, not once per test.
pub fn outside_target_dir() -> PathBuf {
    target_dir().join("cargo-goops-outside")
}

/// A cargo command for a project outside the workspace, using [`outside_target_dir`].
pub fn cargo(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(dir).env("CARGO_TARGET_DIR", outside_target_dir());
    cmd
}

/// Runs `cmd`, and panics with its command line and output unless it succeeds.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd` to completion (stdin closed).
pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"))
}

/// The venv's bin directory with `charmcraft` and craft-parts from PyPI.
///
/// Created on first use at `<target>/charmcraft-venv-<version>` (PyPI must be reachable; about
/// 160 MB), under an exclusive lock so concurrent tests wait for one another, and used only once
/// a marker written after a successful install exists: an interrupted install is redone.
pub fn charmcraft_venv() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let venv = target_dir().join(format!("charmcraft-venv-{CHARMCRAFT_VERSION}"));
        ensure_venv(&venv).unwrap_or_else(|e| panic!("cannot prepare {}: {e}", venv.display()))
    })
    .clone()
}

fn ensure_venv(venv: &Path) -> io::Result<PathBuf> {
    let packages = [format!("charmcraft=={CHARMCRAFT_VERSION}"), format!("craft-parts=={CRAFT_PARTS_VERSION}")];
    goops_tests::pip_venv(venv, &packages, &|bin| {
        let version = run_ok(Command::new(bin.join("charmcraft")).arg("version").env("HOME", venv));
        assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), format!("charmcraft {CHARMCRAFT_VERSION}"));
    })
}

/// One result of `charmcraft analyse --format json`.
#[derive(Debug, Clone)]
pub struct Lint {
    /// The checker (`metadata`, `entrypoint`, …).
    pub name: String,
    /// `ok`, `warning`, `error`, `fatal`, `nonapplicable`, `unknown`, `ignored`.
    pub result: String,
    /// What it says.
    pub text: String,
}

/// `charmcraft analyse --format json <charm>`: the results and the exit code (0 clean, 3 a
/// warning, 2 an error, 1 fatal: charmcraft's `ResultLevel.return_code`).
pub fn charmcraft_analyse(charm: &Path) -> (Vec<Lint>, i32) {
    let bin = charmcraft_venv();
    let home = TempDir::new("cargo-goops-charmcraft-home");
    let out = run(Command::new(bin.join("charmcraft"))
        .args(["analyse", "--format", "json"])
        .arg(charm)
        .current_dir(home.path())
        .env("HOME", home.path()));
    let text = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("charmcraft analyse printed no JSON ({e}):\n{text}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    let lints = json
        .as_array()
        .expect("a list of results")
        .iter()
        .map(|r| Lint {
            name: r["name"].as_str().unwrap_or_default().to_owned(),
            result: r["result"].as_str().unwrap_or_default().to_owned(),
            text: r["text"].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    (lints, out.status.code().unwrap_or(-1))
}

/// Asserts charmcraft's analyser finds nothing wrong with `charm`: no warning, error or fatal
/// result, exit code 0.
pub fn assert_analyser_accepts(charm: &Path) {
    let (lints, code) = charmcraft_analyse(charm);
    let bad: Vec<&Lint> = lints.iter().filter(|l| matches!(l.result.as_str(), "warning" | "error" | "fatal")).collect();
    assert!(bad.is_empty() && code == 0, "charmcraft analyse {} (exit {code}): {bad:#?}", charm.display());
    assert!(lints.iter().any(|l| l.name == "metadata" && l.result == "ok"), "{lints:#?}");
}

/// Copies the project at `src` to `dest`, without build output (`target/`, `*.charm`).
pub fn copy_project(src: &Path, dest: &Path) {
    fs::create_dir_all(dest).unwrap();
    for entry in fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "target" || name.ends_with(".charm") {
            continue;
        }
        let (from, to) = (entry.path(), dest.join(&name));
        if entry.file_type().unwrap().is_dir() {
            copy_project(&from, &to);
        } else {
            fs::copy(&from, &to).unwrap();
        }
    }
}

/// Unzips `charm` into `dest` with each file's Unix mode, as Juju and charmcraft analyse do;
/// returns the file names in the archive's order.
pub fn unzip_charm(charm: &Path, dest: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut archive = zip::ZipArchive::new(File::open(charm).unwrap()).expect("a zip file");
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().expect("a UTF-8 file name").into_owned();
        let path = dest.join(&name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        io::copy(&mut file, &mut File::create(&path).unwrap()).unwrap();
        let mode = file.unix_mode().expect("a Unix mode for every file");
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        names.push(name);
    }
    names
}

/// Builds the project at `project` as charmcraft's rust plugin does, with the plugin's own
/// commands and environment generated by craft-parts (the version charmcraft pins) from the
/// project's charmcraft.yaml part: the project is copied into `<work>/parts/<part>/build` and
/// the plugin's build script runs there, in bash with `set -euo pipefail` as craft-parts runs
/// it. Then `organize` is applied. Returns the part's install directory.
///
/// Not run: the plugin's pull step (`rustup update/default <channel>`, which would change this
/// machine's toolchain) and charmcraft's build instance (LXD or Multipass). The builds share
/// [`outside_target_dir`] (`CARGO_TARGET_DIR`) to compile dependencies once.
pub fn rust_plugin_build(project: &Path, work: &Path) -> PathBuf {
    let bin = charmcraft_venv();
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("rust_plugin_steps.py");
    let out = run_ok(Command::new(bin.join("python")).arg(&generator).arg(project).arg(work).current_dir(work));
    let steps: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the generator prints JSON");
    let build_dir = PathBuf::from(steps["build_dir"].as_str().unwrap());
    let install_dir = PathBuf::from(steps["install_dir"].as_str().unwrap());
    copy_project(project, &build_dir);
    fs::create_dir_all(&install_dir).unwrap();
    let mut script = String::from("#!/bin/bash\nset -euo pipefail\n");
    for (key, value) in steps["environment"].as_object().unwrap() {
        script.push_str(&format!("export {key}=\"{}\"\n", value.as_str().unwrap()));
    }
    script.push_str("set -x\n");
    for command in steps["commands"].as_array().unwrap() {
        script.push_str(command.as_str().unwrap());
        script.push('\n');
    }
    let script_path = work.join("build.sh");
    fs::write(&script_path, &script).unwrap();
    run_ok(
        Command::new("bash")
            .arg(&script_path)
            .current_dir(&build_dir)
            .env("CARGO_TARGET_DIR", outside_target_dir())
            .env_remove("CARGO_MANIFEST_DIR")
            .env_remove("RUSTFLAGS"),
    );
    for (from, to) in steps["organize"].as_object().unwrap() {
        let to = install_dir.join(to.as_str().unwrap());
        fs::rename(install_dir.join(from), &to).unwrap_or_else(|e| panic!("organize {from}: {e}"));
    }
    install_dir
}
