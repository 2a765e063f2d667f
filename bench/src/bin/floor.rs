//! The floor for the manage-secrets install hook: a static binary making exactly the hook-tool
//! calls examples/manage-secrets makes on install (with the secret content in 0600 files in a
//! 0700 directory, as goops-runtime does), and nothing else: no event parsing, no dispatch table.

use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::process::{Command, ExitCode, Stdio};

const LABEL: &str = "active-ca-certificates";

fn tool(name: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(name).args(args).stdin(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn main() -> ExitCode {
    if tool("secret-get", &["--format=json", "--label", LABEL, "--refresh"]).is_some() {
        return ExitCode::SUCCESS;
    }
    tool(
        "juju-log",
        &["--log-level", "INFO", "--", "could not get secret: secret \"active-ca-certificates\" not found"],
    );
    let dir = std::env::temp_dir().join(format!("floor-{}", std::process::id()));
    if DirBuilder::new().mode(0o700).create(&dir).is_err() {
        return ExitCode::FAILURE;
    }
    let mut args = vec![
        "--label".to_owned(),
        LABEL.to_owned(),
        "--description".to_owned(),
        "ca certificate and private key for the certificates charm".to_owned(),
        "--expire".to_owned(),
        "2027-11-28T00:00:00Z".to_owned(),
        "--rotate".to_owned(),
        "never".to_owned(),
        "--owner".to_owned(),
        "application".to_owned(),
    ];
    for (key, value) in [("ca-certificate", "Example CA certificate"), ("private-key", "Example private key")] {
        let path = dir.join(key);
        let written = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| f.write_all(value.as_bytes()));
        if written.is_err() {
            return ExitCode::FAILURE;
        }
        args.push(format!("{key}#file={}", path.display()));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let id = tool("secret-add", &refs);
    let _ = std::fs::remove_dir_all(&dir);
    let Some(id) = id else { return ExitCode::FAILURE };
    tool("juju-log", &["--log-level", "INFO", "--", &format!("Created new secret with ID: {id}")]);
    ExitCode::SUCCESS
}
