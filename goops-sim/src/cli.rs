//! The `goops-sim` command line: a multi-call binary. Called through a symlink named after a
//! hook tool (or as `goops-sim <tool> …`) it acts as that tool on the running hook's session
//! over the agent socket, with the tool's own gnuflag-exact parsing; otherwise its own commands
//! (`run`, `exec`, `model`, `tools`) are parsed by clap.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

mod model;

use crate::event::{EventOptions, insert_cli_param};
use crate::protocol::client_main;
use crate::report::RunReport;
use crate::runner::{self, Placement, RunOptions};
use crate::state::State;
use crate::tools::tool_names;

const AFTER_HELP: &str = "\
Through a symlink named after a hook tool (as goops-sim puts them on the hook's PATH), or as
`goops-sim <hook-tool> [args…]`, it runs that hook tool in the current hook.

Exit status: 0 when the hook succeeded, 1 when it failed (changes rolled back), 2 when the
charm could not be run (bad state, unknown event, no dispatch, …) or the new state could not be
written, 130/143 when interrupted by SIGINT/SIGTERM (the hook is killed, nothing is written).";

/// goops-sim: a local Juju that runs any charm.
#[derive(Debug, Parser)]
#[command(name = "goops-sim", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a charm's dispatch for one event on a state, as Juju's unit agent does.
    ///
    /// <EVENT> is a hook name (install, config-changed, db-relation-changed, secret-changed,
    /// data-storage-attached, web-pebble-ready, …) or an action: action:<name>, actions/<name>,
    /// or a declared action's name.
    ///
    /// Each container of the state (`containers` in the state JSON) gets a simulated Pebble on
    /// a unix socket for the run; the hook finds it under GOOPS_PEBBLE_DIR and at Juju's
    /// /charm/containers/<name>/pebble.socket (see --charm-containers). The new state holds
    /// each container's state after the run: plan, services, files, exec history.
    Run(Box<RunArgs>),
    /// Run a shell command in a hook context of the charm, as `juju exec --unit <unit> -- <command>`.
    ///
    /// The command runs through /bin/bash with the hook tools on PATH, as Juju's `juju-exec`
    /// action; its changes are committed whatever its exit code (as Juju does), unless it is
    /// killed or times out. Exit status: 0 when the command exited 0, 1 otherwise.
    Exec(ExecArgs),
    /// Run a local multi-unit model from a bundle-like file: deploy, relate, settle in Juju's
    /// hook order, then act on it (run an action, remove a unit, change config, …) from its
    /// state file. Verbs: up, status, run, remove-unit, add-unit, config, integrate, resolve,
    /// trace, explore.
    #[command(after_help = model::AFTER_HELP)]
    Model(Box<model::ModelArgs>),
    /// List the hook tools.
    Tools,
}

/// Options shared by `run` and `exec`.
#[derive(Debug, Args)]
struct Common {
    /// Input state (JSON; - for stdin) [default: the empty state {}]
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Write the new state here (atomically, mode 0600; - for stdout) [default: stdout]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Also write the run's report: how the hook ended, its logs, statuses, action and tool calls
    /// (JSON; the harness's process mode reads it). Must not be the --state or --out file.
    #[arg(long, value_name = "FILE")]
    records: Option<PathBuf>,
    /// Kill the hook after this many seconds
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = parse_timeout)]
    timeout: Duration,
    /// An extra environment variable for the hook process (repeatable)
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// No report on stderr
    #[arg(long)]
    quiet: bool,
    /// Where the hook finds Juju's /charm/containers/<name>/pebble.socket when the state has
    /// containers: auto (a private mount namespace, else the real path when free), namespace,
    /// real-path, or env-only (only GOOPS_PEBBLE_DIR, which goops-rs charms read)
    #[arg(long, value_name = "MODE", value_enum, default_value_t = Placement::Auto)]
    charm_containers: Placement,
    /// Do not fsync the --out and --records files (for throwaway outputs, such as a test
    /// harness's temp dir: the sync is most of a run's own cost on a busy disk)
    #[arg(long)]
    no_fsync: bool,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The charm directory (charmcraft.yaml or metadata.yaml, and an executable dispatch)
    charm_dir: PathBuf,
    /// The event: a hook name or an action
    event: String,
    #[command(flatten)]
    common: Common,
    /// Relation of a relation event (db:4 or 4) [default: the only one on the endpoint]
    #[arg(long, value_name = "N")]
    relation_id: Option<String>,
    /// Remote unit of a relation event ('' for an application-level relation-changed)
    #[arg(long, value_name = "UNIT")]
    remote_unit: Option<String>,
    /// Departing unit of relation-departed [default: the remote unit]
    #[arg(long, value_name = "UNIT")]
    departing_unit: Option<String>,
    /// Secret of a secret event (URI or label)
    #[arg(long, value_name = "ID|LABEL")]
    secret: Option<String>,
    /// Revision of secret-expired / secret-remove
    #[arg(long, value_name = "N")]
    secret_revision: Option<u32>,
    /// Storage instance of a storage event (e.g. data/0)
    #[arg(long, value_name = "ID")]
    storage: Option<String>,
    /// Pebble notice id (pebble-custom-notice)
    #[arg(long, value_name = "ID")]
    notice_id: Option<String>,
    /// Pebble notice type (pebble-custom-notice)
    #[arg(long, value_name = "TYPE")]
    notice_type: Option<String>,
    /// Pebble notice key (pebble-custom-notice)
    #[arg(long, value_name = "KEY")]
    notice_key: Option<String>,
    /// Check name (pebble-check-failed / pebble-check-recovered)
    #[arg(long, value_name = "NAME")]
    check: Option<String>,
    /// Target base of pre/post-series-upgrade [default: ubuntu@24.04]
    #[arg(long, value_name = "BASE")]
    target_base: Option<String>,
    /// An action param, as `juju run` reads `key.key=value`: the value is YAML (y and yes are
    /// true, 010 is 8, '3' is text), dotted keys nest (repeatable; overrides --params)
    #[arg(long, value_name = "KEY=VALUE")]
    param: Vec<String>,
    /// Keep --param values as text (`juju run --string-args`)
    #[arg(long)]
    string_args: bool,
    /// Action params as a JSON object
    #[arg(long, value_name = "JSON")]
    params: Option<String>,
    /// JUJU_ACTION_UUID [default: 1]
    #[arg(long, value_name = "ID")]
    action_id: Option<String>,
}

#[derive(Debug, Args)]
struct ExecArgs {
    /// The charm directory (charmcraft.yaml or metadata.yaml)
    charm_dir: PathBuf,
    #[command(flatten)]
    common: Common,
    /// The command, after `--` (its words are joined with spaces, as `juju exec` does)
    #[arg(last = true, required = true, value_name = "COMMAND")]
    command: Vec<String>,
}

/// `--timeout`: a positive number of seconds that a deadline can be made of.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let secs: f64 = text.parse().map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs.is_finite()) {
        return Err(format!("{text:?}: the timeout must be a positive number of seconds"));
    }
    Duration::try_from_secs_f64(secs)
        .map_err(|_| format!("{text:?}: the timeout is too long (at most {} seconds)", u64::MAX))
}

/// The `goops-sim` binary's `main`: see `goops-sim --help`.
pub fn main() -> ExitCode {
    let mut args = std::env::args_os();
    let argv0 = args.next().map(PathBuf::from).unwrap_or_default();
    let name = argv0.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let rest: Vec<OsString> = args.collect();
    // The hook's launcher, first: it must stay single-threaded and quick (see runner::namespace).
    if rest.first().is_some_and(|a| a == runner::LAUNCH) {
        return runner::launch_main(&rest[1..]);
    }
    if tool_names().contains(&name.as_str()) {
        return tool_main(&name, &rest);
    }
    // `goops-sim secret-get …` works like the symlink.
    if let Some(tool) = rest.first().and_then(|a| a.to_str()).filter(|t| tool_names().contains(t)) {
        return tool_main(tool, &rest[1..]);
    }
    let cli = match Cli::try_parse_from(std::iter::once(OsString::from("goops-sim")).chain(rest)) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match cli.command {
        Command::Run(args) => cli_run(*args),
        Command::Exec(args) => cli_exec(args),
        Command::Model(args) => model::main(*args),
        Command::Tools => {
            for tool in tool_names() {
                println!("{tool}");
            }
            ExitCode::SUCCESS
        }
    }
}

/// Run a hook tool. Its arguments must be UTF-8 (see `tools::utf8_args` for why).
fn tool_main(tool: &str, args: &[OsString]) -> ExitCode {
    let text = match crate::tools::utf8_args(tool, args) {
        Ok(text) => text,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "ERROR {message}");
            return ExitCode::from(2);
        }
    };
    let code = client_main(tool, text);
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("goops-sim: {message}");
    ExitCode::from(2)
}

/// SIGINT and SIGTERM set a flag that the run loop reads (it kills the hook's process group and
/// returns); a second one ends goops-sim at once.
fn catch_signals() -> Arc<AtomicUsize> {
    let which = Arc::new(AtomicUsize::new(0));
    let again = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(&again));
        let _ = signal_hook::flag::register(signal, Arc::clone(&again));
        let _ = signal_hook::flag::register_usize(signal, Arc::clone(&which), signal as usize);
    }
    which
}

fn run_options(common: &Common, interrupt: Arc<AtomicUsize>) -> Result<RunOptions, String> {
    let tool_binary = std::env::current_exe().map_err(|e| format!("cannot find the goops-sim executable: {e}"))?;
    let mut extra_env = BTreeMap::new();
    for pair in &common.env {
        let (k, v) = pair.split_once('=').ok_or_else(|| format!("--env {pair:?}: expected KEY=VALUE"))?;
        extra_env.insert(k.to_owned(), v.to_owned());
    }
    Ok(RunOptions {
        tool_binary,
        timeout: common.timeout,
        extra_env,
        interrupt,
        charm_containers: common.charm_containers,
    })
}

fn event_options(args: &RunArgs) -> Result<EventOptions, String> {
    let mut options = EventOptions {
        remote_unit: args.remote_unit.clone(),
        departing_unit: args.departing_unit.clone(),
        secret: args.secret.clone(),
        secret_revision: args.secret_revision,
        storage: args.storage.clone(),
        check: args.check.clone(),
        target_base: args.target_base.clone(),
        action_id: args.action_id.clone(),
        ..EventOptions::default()
    };
    if let Some(id) = &args.relation_id {
        let number = id.rsplit(':').next().unwrap_or(id);
        options.relation_id = Some(number.parse().map_err(|_| format!("--relation-id: {id:?} is not a relation id"))?);
    }
    if args.notice_id.is_some() || args.notice_type.is_some() || args.notice_key.is_some() {
        let part = |v: &Option<String>| v.clone().unwrap_or_default();
        options.notice = Some((part(&args.notice_id), part(&args.notice_type), part(&args.notice_key)));
    }
    // As `juju run`: the --params object first, then each key=value over it.
    if let Some(json) = &args.params {
        match serde_json::from_str::<serde_json::Value>(json) {
            Ok(serde_json::Value::Object(map)) => options.params.extend(map),
            _ => return Err("--params must be a JSON object".to_owned()),
        }
    }
    for param in &args.param {
        insert_cli_param(&mut options.params, param, args.string_args).map_err(|e| format!("--param: {e}"))?;
    }
    Ok(options)
}

fn read_state(path: Option<&Path>) -> Result<State, String> {
    let Some(path) = path else { return Ok(State::default()) };
    let text = if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("cannot read state from stdin: {e}"))?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read state {}: {e}", path.display()))?
    };
    State::from_json(&text).map_err(|e| format!("invalid state {}: {e}", path.display()))
}

/// `path` made absolute with its directory's symlinks resolved, whether or not it exists.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(full) = path.canonicalize() {
        return Some(full);
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Some(dir.canonicalize().ok()?.join(path.file_name()?))
}

/// Refuse a `--records` file that is the `--state` or `--out` file: the records would replace
/// the state.
fn check_paths(common: &Common) -> Result<(), String> {
    let Some(records) = common.records.as_deref() else { return Ok(()) };
    let records_at = resolved(records);
    for (flag, other) in [("--state", common.state.as_deref()), ("--out", common.out.as_deref())] {
        let Some(other) = other.filter(|p| *p != Path::new("-")) else { continue };
        if records_at.is_some() && resolved(other) == records_at {
            return Err(format!(
                "--records {} is the {flag} file: the report would replace the state",
                records.display()
            ));
        }
    }
    Ok(())
}

fn cli_run(args: RunArgs) -> ExitCode {
    let interrupt = catch_signals();
    let prepared = check_paths(&args.common)
        .and_then(|()| Ok((event_options(&args)?, run_options(&args.common, Arc::clone(&interrupt))?)));
    let (event_options, options) = match prepared {
        Ok(prepared) => prepared,
        Err(message) => return usage_error(&message),
    };
    let state = match read_state(args.common.state.as_deref()) {
        Ok(state) => state,
        Err(message) => return usage_error(&message),
    };
    let report = runner::run(&args.charm_dir, &args.event, state.clone(), &event_options, &options);
    finish(report, &state, &args.common, |report| report.committed)
}

fn cli_exec(args: ExecArgs) -> ExitCode {
    let interrupt = catch_signals();
    let options = match check_paths(&args.common).and_then(|()| run_options(&args.common, interrupt)) {
        Ok(options) => options,
        Err(message) => return usage_error(&message),
    };
    let state = match read_state(args.common.state.as_deref()) {
        Ok(state) => state,
        Err(message) => return usage_error(&message),
    };
    // `juju exec` joins its arguments into one command line.
    let command = args.command.join(" ");
    let report = runner::exec(&args.charm_dir, &command, state.clone(), &options);
    finish(report, &state, &args.common, |report| report.committed && report.exit == crate::report::Exit::Code(0))
}

/// Write the new state and the records, print the report; the exit status.
fn finish(
    report: Result<RunReport, runner::RunError>,
    before: &State,
    common: &Common,
    succeeded: impl Fn(&RunReport) -> bool,
) -> ExitCode {
    let report = match report {
        Ok(report) => report,
        Err(runner::RunError::Interrupted(signal)) => {
            eprintln!("goops-sim: {}", runner::RunError::Interrupted(signal));
            return ExitCode::from(u8::try_from(128 + signal).unwrap_or(1));
        }
        Err(e) => return usage_error(&e.to_string()),
    };
    let mut json = report.state.to_json();
    json.push('\n');
    let written = match common.out.as_deref().filter(|p| *p != Path::new("-")) {
        Some(path) => write_atomically(path, json.as_bytes(), !common.no_fsync)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(json.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| format!("cannot write the new state to stdout: {e}"))
        }
    };
    let written = written.and_then(|()| match &common.records {
        Some(path) => write_atomically(path, report.to_json().as_bytes(), !common.no_fsync)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => Ok(()),
    });
    if !common.quiet {
        let lost = written.as_ref().err().map(|_| "the new state could not be written: nothing was saved");
        eprint!("{}", escape_controls(&report.render(before, lost)));
    }
    if let Err(message) = written {
        return usage_error(&message);
    }
    if succeeded(&report) { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// The report with the control characters that the charm's output, logs and messages may hold
/// (terminal escape sequences) written as `\x1b`, `\u{9b}`…: it goes to a terminal.
fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if c.is_control() && (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// The temp file `write_atomically` uses for `path` in process `pid`.
fn temp_name(name: &str, pid: u32) -> String {
    format!(".{name}.tmp-{pid}")
}

/// Write via a 0600 temp file in the same directory, fsync it (when `sync`), rename it over
/// `path` and fsync the directory, so the target is never half-written and survives a crash
/// (the state holds secrets). Temp files left by goops-sim processes that died mid-write are removed first. A
/// target that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is
/// written in place: renaming over it would replace the device with a plain file.
fn write_atomically(path: &Path, contents: &[u8], sync: bool) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
        return file.write_all(contents).and_then(|()| file.flush());
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "state".into());
    remove_dead_temp_files(dir, &name);
    let tmp = dir.join(temp_name(&name, std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        file.write_all(contents)?;
        if sync {
            file.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        if sync {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    };
    let result = write();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Remove `.<name>.tmp-<pid>` files of goops-sim processes that no longer run.
fn remove_dead_temp_files(dir: &Path, name: &str) {
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|f| f.strip_prefix(&prefix)).and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !runner::rundir::is_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_checked_not_panicked_on() {
        assert_eq!(parse_timeout("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_timeout("1e20").unwrap_err().contains("too long"));
        assert!(parse_timeout("0").unwrap_err().contains("positive"));
        assert!(parse_timeout("nan").unwrap_err().contains("positive"));
        assert!(parse_timeout("soon").unwrap_err().contains("not a number"));
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_controls("a\x1b[31mred\x07\n\tb\u{9b}c\u{202e}"), "a\\x1b[31mred\\x07\n\tb\\u{9b}c\\u{202e}");
    }

    #[test]
    fn the_command_line_is_checked_by_clap() {
        Cli::command().debug_assert();
    }

    use clap::CommandFactory;
}
