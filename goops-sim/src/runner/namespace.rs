//! The hook's private view of `/charm/containers`, for charms that hard-code Juju's Pebble
//! socket path (Python `ops` 3.9 has no override for `/charm/containers/<name>/pebble.socket`).
//!
//! `goops-sim run` re-executes itself as a tiny launcher (`goops-sim __charm-containers …`, the
//! hook's process, before anything else runs in it) that:
//!
//! 1. gives itself a private mount namespace: `unshare(CLONE_NEWNS)` (root), else
//!    `unshare(CLONE_NEWUSER | CLONE_NEWNS)` with the user's own uid and gid mapped to
//!    themselves (unprivileged, where the kernel allows user namespaces);
//! 2. builds a new root on a tmpfs: every entry of the host's `/` bound (recursively) or
//!    copied as a symlink, `/charm` made of the host's `/charm` entries (if any) except
//!    `containers`, and `/charm/containers` bound to this run's socket directory; the tmpfs is
//!    then made read-only, so a write to `/` fails as it would on the host rather than vanish;
//! 3. `chroot`s into it, goes back to its working directory, and `exec`s the hook.
//!
//! Nothing of this is visible outside the hook's processes: the namespace's mounts are private,
//! and it dies with them. Other runs, concurrent or not, each see their own sockets.
//!
//! Why a re-exec and not `pre_exec`: `unsafe_code` is denied in the workspace, and a launcher
//! needs neither unsafe code nor util-linux's `unshare`. It is single-threaded, as
//! `unshare(CLONE_NEWUSER)` requires.
//!
//! The launcher tells the runner why it failed through a status file (the hook's stdout and
//! stderr are the hook's): a namespace failure (the hook did not run, so the runner may try the
//! real path instead), or the hook's `exec` error.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The hidden subcommand that starts the launcher.
pub(crate) const LAUNCH: &str = "__charm-containers";

/// Where Juju mounts the workload containers' Pebble sockets in the charm container.
pub(crate) const CHARM_CONTAINERS: &str = "/charm/containers";

/// The launcher's exit code when it could not set up the namespace (the hook did not run).
const NAMESPACE_FAILED: u8 = 125;
/// The launcher's exit code when the hook could not be executed.
const EXEC_FAILED: u8 = 127;

/// The launcher's command line: `goops-sim __charm-containers <sockets> <status> <root>
/// <program> [args…]`.
pub(crate) fn launcher(goops_sim: &Path, sockets: &Path, status: &Path, root: &Path, hook: &Command) -> Command {
    let mut command = Command::new(goops_sim);
    command.arg(LAUNCH).arg(sockets).arg(status).arg(root).arg(hook.get_program()).args(hook.get_args());
    command
}

/// How the launcher ended before the hook ran, read from its status file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LaunchFailure {
    /// No private mount namespace: why (both attempts).
    Namespace(String),
    /// The hook's program could not be executed (its errno when known).
    Exec(Option<i32>, String),
}

/// What the launcher wrote to `status` (`None`: nothing, the hook ran).
pub(crate) fn read_status(status: &Path) -> Option<LaunchFailure> {
    let text = std::fs::read_to_string(status).ok()?;
    if let Some(why) = text.strip_prefix("namespace ") {
        return Some(LaunchFailure::Namespace(why.trim_end().to_owned()));
    }
    let rest = text.strip_prefix("exec ")?;
    let (errno, message) = rest.split_once(' ').unwrap_or((rest, ""));
    Some(LaunchFailure::Exec(errno.parse().ok(), message.trim_end().to_owned()))
}

/// The launcher: see the module docs. Never returns when the hook runs.
pub(crate) fn main(args: &[OsString]) -> ExitCode {
    let [sockets, status, root, program, hook_args @ ..] = args else {
        eprintln!("goops-sim {LAUNCH}: expected <sockets> <status> <root> <program> [args…]");
        return ExitCode::from(2);
    };
    let mut status = match File::create(status) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("goops-sim {LAUNCH}: cannot write {}: {e}", Path::new(status).display());
            return ExitCode::from(NAMESPACE_FAILED);
        }
    };
    if let Err(why) = enter_private_root(Path::new(sockets), Path::new(root)) {
        let _ = write!(status, "namespace {why}");
        return ExitCode::from(NAMESPACE_FAILED);
    }
    // Only returns on failure.
    let error = Command::new(program).args(hook_args).exec();
    let errno = error.raw_os_error().map_or_else(|| "-".to_owned(), |n| n.to_string());
    let _ = write!(status, "exec {errno} {error}");
    ExitCode::from(EXEC_FAILED)
}

/// Steps 1 to 3 of the module docs, up to (not including) the `exec`.
fn enter_private_root(sockets: &Path, root: &Path) -> Result<(), String> {
    let cwd = std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    unshare_mount_namespace()?;
    build_root(sockets, root).map_err(|e| format!("cannot build the hook's root: {e}"))?;
    rustix::process::chroot(root).map_err(|e| format!("chroot {}: {e}", root.display()))?;
    std::env::set_current_dir(&cwd).map_err(|e| format!("cannot go back to {}: {e}", cwd.display()))
}

/// A private mount namespace: as root, or in a user namespace of our own.
fn unshare_mount_namespace() -> Result<(), String> {
    use rustix::thread::UnshareFlags;
    let Err(as_root) = unshare(UnshareFlags::NEWNS) else { return Ok(()) };
    let (uid, gid) = (rustix::process::geteuid().as_raw(), rustix::process::getegid().as_raw());
    if let Err(as_user) = unshare(UnshareFlags::NEWUSER | UnshareFlags::NEWNS) {
        return Err(format!(
            "unshare(CLONE_NEWNS): {as_root}; unshare(CLONE_NEWUSER|CLONE_NEWNS): {as_user} \
             (user namespaces may be disabled: sysctl user.max_user_namespaces, \
             kernel.unprivileged_userns_clone, AppArmor's restrict_unprivileged_userns, or a \
             container's seccomp profile)"
        ));
    }
    // The user's own ids, mapped to themselves: files keep their owners, and the hook tools'
    // peer-credential check sees the same uid. `setgroups` must be denied before an
    // unprivileged process may write its gid map (user_namespaces(7)).
    let map = |file: &str, text: String| {
        std::fs::write(format!("/proc/self/{file}"), text).map_err(|e| format!("writing /proc/self/{file}: {e}"))
    };
    map("setgroups", "deny".to_owned())?;
    map("uid_map", format!("{uid} {uid} 1"))?;
    map("gid_map", format!("{gid} {gid} 1"))
}

/// `unshare(2)` for namespace flags only.
fn unshare(flags: rustix::thread::UnshareFlags) -> std::io::Result<()> {
    // rustix deprecated its safe `unshare` for `unshare_unsafe`, whose only unsafety is
    // `CLONE_FILES` (another thread's file descriptors becoming invalid in this one). These
    // flags are namespaces only, and the launcher is single-threaded: the call is sound, and
    // the workspace denies unsafe code.
    #[allow(deprecated)]
    rustix::thread::unshare(flags).map_err(std::io::Error::from)
}

/// The new root at `root` (an empty directory): see the module docs.
fn build_root(sockets: &Path, root: &Path) -> std::io::Result<()> {
    use rustix::mount::{MountFlags, MountPropagationFlags, mount, mount_bind, mount_change, mount_remount};
    // Private first, so that none of what follows reaches the host's mount table.
    mount_change("/", MountPropagationFlags::PRIVATE | MountPropagationFlags::REC)
        .map_err(|e| context(e, "making / private"))?;
    mount("tmpfs", root, "tmpfs", MountFlags::NOSUID | MountFlags::NODEV, c"mode=0755")
        .map_err(|e| context(e, "mounting a tmpfs"))?;
    for entry in std::fs::read_dir("/")? {
        let name = entry?.file_name();
        if name != "charm" {
            place(&Path::new("/").join(&name), &root.join(&name))?;
        }
    }
    let charm = root.join("charm");
    std::fs::create_dir(&charm)?;
    if Path::new("/charm").is_dir() {
        for entry in std::fs::read_dir("/charm")? {
            let name = entry?.file_name();
            if name != "containers" {
                place(&Path::new("/charm").join(&name), &charm.join(&name))?;
            }
        }
    }
    let containers = charm.join("containers");
    std::fs::create_dir(&containers)?;
    mount_bind(sockets, &containers).map_err(|e| context(e, &format!("binding {}", sockets.display())))?;
    mount_remount(root, MountFlags::RDONLY | MountFlags::NOSUID | MountFlags::NODEV, c"mode=0755")
        .map_err(|e| context(e, "making the root read-only"))
}

/// `target` in the new root showing `source`: a copy of a symlink, a recursive bind of a
/// directory, a bind of anything else (files, sockets, devices).
fn place(source: &Path, target: &Path) -> std::io::Result<()> {
    let bind = |recursive: bool| {
        let bound = if recursive {
            rustix::mount::mount_bind_recursive(source, target)
        } else {
            rustix::mount::mount_bind(source, target)
        };
        bound.map_err(|e| context(e, &format!("binding {}", source.display())))
    };
    let kind = std::fs::symlink_metadata(source)?.file_type();
    if kind.is_symlink() {
        std::os::unix::fs::symlink(std::fs::read_link(source)?, target)
    } else if kind.is_dir() {
        std::fs::create_dir(target)?;
        bind(true)
    } else {
        File::create(target)?;
        bind(false)
    }
}

fn context(e: rustix::io::Errno, what: &str) -> std::io::Error {
    std::io::Error::new(std::io::Error::from(e).kind(), format!("{what}: {e}"))
}

/// Why the hook cannot have `/charm/containers`, when both ways failed.
pub(crate) fn neither(namespace: &str, real_path: &str) -> String {
    format!(
        "no private mount namespace ({namespace}), and not the real path either ({real_path}). \
         A charm that reads GOOPS_PEBBLE_DIR (goops-rs charms do) runs with --charm-containers=env-only"
    )
}

/// The hook's `/charm/containers/<name>` on the host, for when no private namespace can be had:
/// a symlink to this run's socket directory, made only where nothing is (another run's, or a
/// real charm container's, is left alone), and removed after the run.
#[derive(Debug)]
pub(crate) struct RealPath {
    links: Vec<PathBuf>,
    /// The directories this run made (`/charm`, `/charm/containers`), innermost first.
    made: Vec<PathBuf>,
}

impl RealPath {
    /// Link `/charm/containers/<name>` to `<sockets>/<name>` for each of `names`.
    pub(crate) fn claim(sockets: &Path, names: &[&str]) -> Result<RealPath, String> {
        RealPath::claim_at(Path::new(CHARM_CONTAINERS), sockets, names)
    }

    fn claim_at(base: &Path, sockets: &Path, names: &[&str]) -> Result<RealPath, String> {
        let mut claimed = RealPath { links: Vec::new(), made: Vec::new() };
        let missing: Vec<PathBuf> = base.ancestors().take_while(|d| !d.exists()).map(Path::to_path_buf).collect();
        for dir in missing.iter().rev() {
            match std::fs::create_dir(dir) {
                Ok(()) => claimed.made.insert(0, dir.clone()),
                // Another run made it meanwhile.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
            }
        }
        for name in names {
            let link = base.join(name);
            // Atomic: of two runs, one gets it.
            match std::os::unix::fs::symlink(sockets.join(name), &link) {
                Ok(()) => claimed.links.push(link),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(format!("{} is taken (another run's, or a real container's)", link.display()));
                }
                Err(e) => return Err(format!("cannot create {}: {e}", link.display())),
            }
        }
        Ok(claimed)
    }
}

impl Drop for RealPath {
    fn drop(&mut self) {
        for link in &self.links {
            let _ = std::fs::remove_file(link);
        }
        // Fails, and so keeps it, when another run still has a container there.
        for dir in &self.made {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_file_names_the_failure() {
        let dir = crate::runner::TempDir::new("goops-ns-test").unwrap();
        let status = dir.0.join("status");
        assert_eq!(read_status(&status), None, "no file: the hook ran");
        std::fs::write(&status, "").unwrap();
        assert_eq!(read_status(&status), None, "an empty file: the hook ran");
        std::fs::write(&status, "namespace unshare(CLONE_NEWNS): EPERM").unwrap();
        assert_eq!(read_status(&status), Some(LaunchFailure::Namespace("unshare(CLONE_NEWNS): EPERM".into())));
        std::fs::write(&status, "exec 2 No such file or directory (os error 2)").unwrap();
        assert_eq!(
            read_status(&status),
            Some(LaunchFailure::Exec(Some(2), "No such file or directory (os error 2)".into()))
        );
    }

    #[test]
    fn when_both_ways_fail_the_error_names_both() {
        let message = neither(
            "unshare(CLONE_NEWNS): Operation not permitted; unshare(CLONE_NEWUSER|CLONE_NEWNS): Operation not permitted",
            "cannot create /charm: Permission denied (os error 13)",
        );
        assert!(
            message.contains("no private mount namespace (unshare(CLONE_NEWNS): Operation not permitted;"),
            "{message}"
        );
        assert!(message.contains("not the real path either (cannot create /charm: Permission denied"), "{message}");
        assert!(message.ends_with("runs with --charm-containers=env-only"), "{message}");
    }

    #[test]
    fn the_real_path_is_claimed_where_free_and_given_back() {
        let dir = crate::runner::TempDir::new("goops-ns-test").unwrap();
        let base = dir.0.join("charm").join("containers");
        let sockets = dir.0.join("sockets");
        let first = RealPath::claim_at(&base, &sockets, &["web"]).unwrap();
        assert_eq!(std::fs::read_link(base.join("web")).unwrap(), sockets.join("web"));
        let taken = RealPath::claim_at(&base, &dir.0.join("other"), &["db", "web"]).unwrap_err();
        assert!(taken.contains("containers/web is taken"), "{taken}");
        assert!(!base.join("db").exists(), "a refused claim gives back what it took");
        drop(first);
        assert!(!dir.0.join("charm").exists(), "the dirs it made are removed");
    }
}
