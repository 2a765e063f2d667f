//! The sweep `run` does first, on the real per-user parent: the call directory of a charm
//! process killed mid-call is removed with its content; a running process's is kept.

use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use goops_runtime::secret_files;
use goops_runtime::{SecretContent, SecretString};

/// The parent the runtime stages into, found by staging something.
fn parent() -> PathBuf {
    let content: SecretContent = [("password".to_owned(), SecretString::from("x"))].into();
    let staged = secret_files::stage(&content).expect("staged");
    staged.dir().parent().expect("a parent").to_owned()
}

#[test]
fn sweep_removes_what_a_killed_dispatch_left_and_keeps_a_running_ones() {
    let parent = parent();
    assert_eq!(std::fs::metadata(&parent).expect("exists").mode() & 0o777, 0o700);

    // A charm process killed (SIGKILL) in the middle of a secret-add: its directory and key stay.
    let mut killed = Command::new("sleep").arg("30").stdin(Stdio::null()).spawn().expect("spawn");
    let dead = parent.join(format!("{}-0", killed.id()));
    std::fs::DirBuilder::new().mode(0o700).create(&dead).expect("dir");
    std::fs::write(dead.join("private-key"), "-----BEGIN PRIVATE KEY-----").expect("key");
    // One still running.
    let mut running = Command::new("sleep").arg("30").stdin(Stdio::null()).spawn().expect("spawn");
    let alive = parent.join(format!("{}-0", running.id()));
    std::fs::DirBuilder::new().mode(0o700).create(&alive).expect("dir");
    killed.kill().expect("SIGKILL");
    killed.wait().expect("reaped");

    secret_files::sweep();
    let _ = running.kill();
    let _ = running.wait();
    let alive_kept = alive.exists();
    let _ = std::fs::remove_dir_all(&alive);
    assert!(!dead.exists(), "the killed process's key is gone");
    assert!(alive_kept, "a running process's directory is kept");
}
