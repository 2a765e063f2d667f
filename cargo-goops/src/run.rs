//! `cargo goops run`: build the charm and run one event under goops-sim.
//!
//! cargo-goops links goops-sim, so nothing else needs installing: the event runs in a child
//! process of this same executable called as `goops-sim`, and the hook tools goops-sim puts on
//! the hook's PATH are symlinks to this executable too ([`is_goops_sim_call`]).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cargo::Build;
use crate::error::{Error, Result};
use crate::project::{CHARMCRAFT_YAML, Project};

/// Whether this process was started as goops-sim or as one of its hook tools: under any name
/// but `cargo-goops…` (cargo runs subcommands by that name).
pub fn is_goops_sim_call(argv0: &Path) -> bool {
    argv0.file_name().is_some_and(|name| !name.to_string_lossy().starts_with("cargo-goops"))
}

/// What to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The charm directory.
    pub charm_dir: PathBuf,
    /// Build the release profile (the packed `dispatch`) instead of dev.
    pub release: bool,
    /// The event (`install`, `db-relation-changed`, an action's name).
    pub event: String,
    /// goops-sim run's options (`--state`, `--out`, `--param`, …), passed as they are.
    pub sim_args: Vec<String>,
}

/// Build, lay the charm out as goops-sim runs it (`charmcraft.yaml` and the legacy metadata
/// files, and the binary as `dispatch`, linked from `<target>/<profile>/goops-run/<name>`), and
/// run the event. Returns goops-sim's exit status (0 the hook succeeded, 1 it failed, 2 it could
/// not run).
pub fn run(options: &RunOptions) -> Result<i32> {
    let project = Project::read(&options.charm_dir)?;
    let binary = Build { dir: &project.dir, part: &project.part, release: options.release, target: None }.run()?;
    let profile_dir = binary.parent().unwrap_or(Path::new("."));
    let stage = profile_dir.join("goops-run").join(&project.name);
    if stage.exists() {
        std::fs::remove_dir_all(&stage).map_err(Error::io(&stage))?;
    }
    std::fs::create_dir_all(&stage).map_err(Error::io(&stage))?;
    let dir = project.dir.canonicalize().map_err(Error::io(&project.dir))?;
    for file in [CHARMCRAFT_YAML, "metadata.yaml", "config.yaml", "actions.yaml"] {
        if dir.join(file).is_file() {
            std::os::unix::fs::symlink(dir.join(file), stage.join(file)).map_err(Error::io(stage.join(file)))?;
        }
    }
    let binary = binary.canonicalize().map_err(Error::io(&binary))?;
    std::os::unix::fs::symlink(&binary, stage.join("dispatch")).map_err(Error::io(stage.join("dispatch")))?;

    let me = std::env::current_exe().map_err(Error::io("the cargo-goops executable"))?;
    let mut cmd = Command::new(&me);
    cmd.arg0("goops-sim").arg("run").arg(&stage).arg(&options.event).args(&options.sim_args);
    let status = cmd.status().map_err(|e| Error::Command {
        command: format!("goops-sim run {}", options.event),
        message: format!("could not start: {e}"),
    })?;
    Ok(status.code().unwrap_or(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goops_sim_and_its_tools_are_told_from_the_subcommand() {
        assert!(!is_goops_sim_call(Path::new("/home/me/.cargo/bin/cargo-goops")));
        assert!(!is_goops_sim_call(Path::new("cargo-goops")));
        assert!(is_goops_sim_call(Path::new("goops-sim")));
        assert!(is_goops_sim_call(Path::new("/tmp/run/bin/config-get")));
    }
}
