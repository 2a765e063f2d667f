//! What the run's header says about the machine: kernel, CPUs, toolchain versions and load.

use std::process::Command;

/// The 1, 5 and 15 minute load averages, for the run's header.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// A command's trimmed stdout, or nothing when it cannot run.
fn command_line(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Kernel, CPUs, rustc and python3 versions, for the run's header.
pub(crate) fn machine() -> String {
    format!(
        "{}; {} CPUs ({}); {}; {}",
        command_line("uname", &["-sr"]),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| c.lines().find(|l| l.starts_with("model name")).map(|l| l
                .split(':')
                .nth(1)
                .unwrap_or("")
                .trim()
                .to_owned()))
            .unwrap_or_default(),
        command_line("rustc", &["--version"]),
        command_line("python3", &["--version"]),
    )
}
