//! The `goops-sim` command line: a multi-call binary. Called through a symlink named after a
//! hook tool it acts as that tool on the running hook's session (over the agent socket); called
//! as `goops-sim run …` it runs a charm.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::event::EventOptions;
use crate::protocol::client_main;
use crate::runner::{self, RunOptions};
use crate::state::State;
use crate::tools::tool_names;

const USAGE: &str = "\
Usage:
  goops-sim run <charm-dir> <event> [--state <file>] [--out <file>] [options]
  goops-sim tools                      list the hook tools
  <hook-tool> [args…]                  (through a symlink) run a hook tool in the current hook

<event> is a hook name (install, config-changed, db-relation-changed, secret-changed,
data-storage-attached, web-pebble-ready, …) or an action: action:<name>, actions/<name>, or a
declared action's name.

Options for run:
  --state FILE            input state (JSON; - for stdin); default: the empty state {}
  --out FILE              write the new state here (atomically; - for stdout); default: stdout
  --timeout SECONDS       kill the hook after this long (default 60)
  --relation-id N         relation of a relation event (default: the only one on the endpoint)
  --remote-unit UNIT      remote unit (default: the first remote unit)
  --departing-unit UNIT   departing unit of relation-departed (default: the remote unit)
  --secret ID|LABEL       secret of a secret event
  --secret-revision N     revision of secret-expired / secret-remove
  --storage ID            storage instance of a storage event (e.g. data/0)
  --notice-id ID --notice-type TYPE --notice-key KEY    pebble-custom-notice
  --check NAME            pebble-check-failed / pebble-check-recovered
  --target-base BASE      pre/post-series-upgrade's target base (default ubuntu@24.04)
  --param KEY=VALUE       an action param (VALUE parsed as JSON when it is valid JSON)
  --params JSON           action params as a JSON object
  --action-id ID          JUJU_ACTION_UUID (default 1)
  --env KEY=VALUE         extra environment variable for the hook process
  --records FILE          also write the run's report: how the hook ended, its logs, statuses,
                          action and tool calls (JSON; the harness's process mode reads it)
  --quiet                 no report on stderr

Exit status: 0 when the hook succeeded, 1 when it failed (changes rolled back), 2 when the
charm could not be run (bad state, unknown event, no dispatch, …).";

/// The `goops-sim` binary's `main`: see `goops-sim --help`.
pub fn main() -> ExitCode {
    let mut args = std::env::args_os();
    let argv0 = args.next().map(PathBuf::from).unwrap_or_default();
    let name = argv0.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let rest: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    if tool_names().contains(&name.as_str()) {
        let code = client_main(&name, rest);
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    match rest.first().map(String::as_str) {
        Some("run") => cli_run(&rest[1..]),
        Some("tools") => {
            for tool in tool_names() {
                println!("{tool}");
            }
            ExitCode::SUCCESS
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(tool) if tool_names().contains(&tool) => {
            // `goops-sim secret-get …` works like the symlink.
            let code = client_main(tool, rest[1..].to_vec());
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("goops-sim: {message}");
    ExitCode::from(2)
}

struct CliArgs {
    charm_dir: PathBuf,
    event: String,
    state: Option<PathBuf>,
    out: Option<PathBuf>,
    records: Option<PathBuf>,
    timeout: Duration,
    quiet: bool,
    options: EventOptions,
    env: BTreeMap<String, String>,
}

fn parse_args(args: &[String]) -> Result<CliArgs, String> {
    let mut positional = Vec::new();
    let mut cli = CliArgs {
        charm_dir: PathBuf::new(),
        event: String::new(),
        state: None,
        out: None,
        records: None,
        timeout: Duration::from_secs(60),
        quiet: false,
        options: EventOptions::default(),
        env: BTreeMap::new(),
    };
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if !flag.starts_with("--") {
            positional.push(arg.clone());
            continue;
        }
        if flag == "--quiet" {
            cli.quiet = true;
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None if i < args.len() => {
                i += 1;
                args[i - 1].clone()
            }
            None => return Err(format!("option {flag} needs a value")),
        };
        let number = |v: &str| v.parse::<u32>().map_err(|_| format!("{flag}: {v:?} is not a number"));
        match flag.as_str() {
            "--state" => cli.state = Some(PathBuf::from(value)),
            "--out" => cli.out = Some(PathBuf::from(value)),
            "--records" => cli.records = Some(PathBuf::from(value)),
            "--timeout" => {
                let secs: f64 = value.parse().map_err(|_| format!("--timeout: {value:?} is not a number"))?;
                if !(secs > 0.0 && secs.is_finite()) {
                    return Err("--timeout must be positive".to_owned());
                }
                cli.timeout = Duration::from_secs_f64(secs);
            }
            "--relation-id" => cli.options.relation_id = Some(number(value.rsplit(':').next().unwrap_or(&value))?),
            "--remote-unit" => cli.options.remote_unit = Some(value),
            "--departing-unit" => cli.options.departing_unit = Some(value),
            "--secret" => cli.options.secret = Some(value),
            "--secret-revision" => cli.options.secret_revision = Some(number(&value)?),
            "--storage" => cli.options.storage = Some(value),
            "--notice-id" | "--notice-type" | "--notice-key" => {
                let notice = cli.options.notice.get_or_insert_with(Default::default);
                match flag.as_str() {
                    "--notice-id" => notice.0 = value,
                    "--notice-type" => notice.1 = value,
                    _ => notice.2 = value,
                }
            }
            "--check" => cli.options.check = Some(value),
            "--target-base" => cli.options.target_base = Some(value),
            "--param" => {
                let (k, v) = value.split_once('=').ok_or_else(|| format!("--param {value:?}: expected KEY=VALUE"))?;
                let v = serde_json::from_str(v).unwrap_or_else(|_| serde_json::Value::String(v.to_owned()));
                cli.options.params.insert(k.to_owned(), v);
            }
            "--params" => match serde_json::from_str::<serde_json::Value>(&value) {
                Ok(serde_json::Value::Object(map)) => cli.options.params.extend(map),
                _ => return Err("--params must be a JSON object".to_owned()),
            },
            "--action-id" => cli.options.action_id = Some(value),
            "--env" => {
                let (k, v) = value.split_once('=').ok_or_else(|| format!("--env {value:?}: expected KEY=VALUE"))?;
                cli.env.insert(k.to_owned(), v.to_owned());
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    match positional.as_slice() {
        [dir, event] => {
            cli.charm_dir = PathBuf::from(dir);
            cli.event = event.clone();
        }
        _ => return Err("run needs <charm-dir> and <event>".to_owned()),
    }
    Ok(cli)
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

/// Write via a temp file in the same directory and rename, so the target is never half-written.
/// A target that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is
/// written in place: renaming over it would replace the device with a plain file.
fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::write(path, contents);
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = std::fs::write(&tmp, contents).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn cli_run(args: &[String]) -> ExitCode {
    let cli = match parse_args(args) {
        Ok(cli) => cli,
        Err(message) => return usage_error(&format!("{message}\n\n{USAGE}")),
    };
    let state = match read_state(cli.state.as_deref()) {
        Ok(state) => state,
        Err(message) => return usage_error(&message),
    };
    let tool_binary = match std::env::current_exe() {
        Ok(path) => path,
        Err(e) => return usage_error(&format!("cannot find the goops-sim executable: {e}")),
    };
    let options = RunOptions { tool_binary, timeout: cli.timeout, extra_env: cli.env };
    let report = match runner::run(&cli.charm_dir, &cli.event, state.clone(), &cli.options, &options) {
        Ok(report) => report,
        Err(e) => return usage_error(&e.to_string()),
    };
    let mut json = report.state.to_json();
    json.push('\n');
    match cli.out.as_ref().filter(|p| p.as_path() != Path::new("-")) {
        Some(path) => {
            if let Err(e) = write_atomically(path, &json) {
                return usage_error(&format!("cannot write {}: {e}", path.display()));
            }
        }
        None => {
            let _ = std::io::stdout().write_all(json.as_bytes());
        }
    }
    if let Some(path) = &cli.records {
        let records = report.to_json();
        if let Err(e) = write_atomically(path, &records) {
            return usage_error(&format!("cannot write {}: {e}", path.display()));
        }
    }
    if !cli.quiet {
        eprint!("{}", report.render(&state));
    }
    // The hook succeeded when its changes were committed.
    if report.committed { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
