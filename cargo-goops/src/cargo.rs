//! Building the charm's binary with cargo, and finding the musl target for `--static`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};
use crate::project::RustPart;

/// The `cargo` to run: `$CARGO` (cargo sets it for the subcommands it runs), else `cargo`.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").filter(|c| !c.is_empty()).unwrap_or_else(|| "cargo".into())
}

/// What to build.
#[derive(Debug, Clone)]
pub struct Build<'a> {
    /// The charm directory (holding Cargo.toml).
    pub dir: &'a Path,
    /// The rust part: the binary and the plugin's options.
    pub part: &'a RustPart,
    /// The release profile (the charm's own, as the rust plugin's `cargo install` uses) or dev.
    pub release: bool,
    /// A target triple (`--static`'s musl target), else the host's.
    pub target: Option<String>,
}

impl Build<'_> {
    /// Run the build (cargo's progress and diagnostics go to stderr) and return the path of the
    /// binary, as cargo reports it.
    pub fn run(&self) -> Result<PathBuf> {
        let mut cmd = Command::new(cargo());
        // From the charm's directory, as the rust plugin runs: cargo reads `.cargo/config.toml`
        // (a `[patch]` to a checkout, say) from the working directory up, not from the manifest's.
        cmd.current_dir(self.dir).args(["build", "--manifest-path", "Cargo.toml"]);
        cmd.args(["--bin", &self.part.bin, "--message-format=json-render-diagnostics"]);
        if self.release {
            cmd.arg("--release");
        }
        if let Some(target) = &self.target {
            cmd.args(["--target", target]);
        }
        cmd.args(self.part.cargo_args());
        let shown = shown(&cmd);
        let out = cmd.stdin(Stdio::null()).stderr(Stdio::inherit()).output().map_err(|e| Error::Command {
            command: shown.clone(),
            message: format!("could not start in {}: {e}", self.dir.display()),
        })?;
        if !out.status.success() {
            return Err(Error::Command {
                command: shown,
                message: format!("failed in {} ({})", self.dir.display(), out.status),
            });
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == self.part.bin.as_str())
            .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
            .ok_or_else(|| Error::Command {
                command: shown,
                message: format!(
                    "built no executable named {:?} (the part organizes bin/{0} to dispatch)",
                    self.part.bin
                ),
            })
    }
}

/// The command line as a user would type it, for messages.
pub fn shown(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The musl target matching this machine (`x86_64-unknown-linux-musl`).
pub fn musl_target() -> String {
    match std::env::consts::ARCH {
        "riscv64" => "riscv64gc-unknown-linux-musl".to_owned(),
        "powerpc64" => "powerpc64le-unknown-linux-musl".to_owned(),
        "arm" => "armv7-unknown-linux-musleabihf".to_owned(),
        arch => format!("{arch}-unknown-linux-musl"),
    }
}

/// Whether the toolchain used in `dir` has the standard library for `target` (what
/// `rustup target add` installs): `rustc --print target-libdir --target <target>` exists.
pub fn target_installed(dir: &Path, target: &str) -> bool {
    let rustc = std::env::var_os("RUSTC").filter(|r| !r.is_empty()).unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .current_dir(dir)
        .args(["--print", "target-libdir", "--target", target])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    let Ok(out) = out else { return false };
    if !out.status.success() {
        return false;
    }
    let libdir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    std::fs::read_dir(libdir).is_ok_and(|mut entries| {
        entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libstd-")))
    })
}
