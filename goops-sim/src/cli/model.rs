//! `goops-sim model <model.yaml> <verb>`: a local multi-unit model from a bundle-like file, kept
//! between commands in a JSON state file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};

use super::{escape_controls, parse_timeout, write_atomically};
use crate::event::insert_cli_param;
use crate::format::{Format, Val};
use crate::model::file::{FileError, ModelFile, config_value_from_text, dispatch_charm};
use crate::model::invariants::check_trace;
use crate::model::{Model, ModelCharm, ModelError, Trace};

/// The state file's name next to the model file.
const STATE_FILE: &str = ".goops-model.json";

pub(super) const AFTER_HELP: &str = "\
The model file is bundle-like YAML:

  model: {name: demo, type: machine}    # optional; machine (default) or kubernetes
  applications:
    db:  {charm: ./db, units: 1, config: {port: 5432}}
    app: {charm: ./app, dispatch: ../target/debug/app, units: 2, trust: true}
  relations:
    - [db:db, app:db]                   # app:endpoint, or app when one endpoint fits

Each charm dir needs charmcraft.yaml (or metadata.yaml) and an executable `dispatch` (or a
binary named by `dispatch:`); each hook runs it under `goops-sim run`.

`up` builds the model and settles it; the other verbs resume it from the state file (--state,
default .goops-model.json next to the model file), act, settle, and write it back. Every verb
that runs hooks prints the trace of what ran, then the status.

Exit status: 0 when everything settled, 1 when a hook failed (the unit stays in error: fix the
charm and `resolve` it) or the model did not settle or an explore check failed, 2 for a bad
command line, model file or state file.";

/// Options of `goops-sim model`.
#[derive(Debug, Args)]
pub(super) struct ModelArgs {
    /// The model file (YAML: applications with charm dirs, units, config; relations)
    file: PathBuf,
    /// The model's state file [default: .goops-model.json next to the model file]
    #[arg(long, global = true, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Draw the hook order with this seed among the orders Juju may legally choose (for `up`;
    /// for `explore`, the first seed) [default: Juju's typical order]
    #[arg(long, global = true, value_name = "N")]
    seed: Option<u64>,
    /// Kill a hook after this many seconds
    #[arg(long, global = true, value_name = "SECONDS", default_value = "60", value_parser = parse_timeout)]
    timeout: Duration,
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Debug, Subcommand)]
enum Verb {
    /// Deploy the file's applications, integrate its relations, settle; print the trace and
    /// the status; write a new state file (any old one is replaced).
    Up,
    /// Print the model's status, as `juju status` does.
    Status {
        /// text (tables like `juju status`) or json
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
    },
    /// Run an action on a unit (`app/leader` names the leader), settle, print its results.
    ///
    /// Params are `key=value` as `juju run` reads them: the value is YAML (`y` and `yes` are
    /// true, `010` is 8, `'3'` is text) and dotted keys nest. Exit status 1 when the action
    /// failed.
    Run {
        /// The unit (`app/0`, or `app/leader`)
        unit: String,
        /// The action
        action: String,
        /// Action params
        #[arg(value_name = "KEY=VALUE")]
        params: Vec<String>,
        /// Keep param values as text (`juju run --string-args`)
        #[arg(long)]
        string_args: bool,
    },
    /// Remove a unit: it runs its teardown hooks (departed, broken, stop, remove) and is gone;
    /// a new leader is elected if it led.
    RemoveUnit {
        /// The unit
        unit: String,
    },
    /// Add a unit to an application, and settle.
    AddUnit {
        /// The application
        app: String,
    },
    /// Set config values on an application (converted to each option's type, as `juju config`
    /// does), and settle.
    Config {
        /// The application
        app: String,
        /// Values
        #[arg(value_name = "KEY=VALUE", required = true)]
        values: Vec<String>,
    },
    /// Integrate two endpoints (`app:endpoint`, or `app` when one endpoint fits), and settle.
    Integrate {
        /// One side
        a: String,
        /// The other side
        b: String,
    },
    /// Retry the hook a unit is in error for (`juju resolved`), and settle.
    Resolve {
        /// The unit
        unit: String,
    },
    /// Print the trace of every hook run so far: unit, hook, outcome, what it changed.
    Trace {
        /// text (one line per entry) or json
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
        /// Also check the trace against Juju's ordering rules (docs/model.md I1–I13): exit 1
        /// naming the first entry that breaks one
        #[arg(long)]
        check: bool,
    },
    /// Build and settle the model under many seeds (each drawing its own legal hook order,
    /// update-status, leader changes and transient failures); after each, check that every
    /// application and unit is active with no error, and Juju's ordering rules over the trace.
    /// The first failing seed is printed with its trace (replay it with `up --seed N`).
    Explore {
        /// How many seeds (from --seed, default 0)
        #[arg(long, value_name = "N", default_value = "20")]
        seeds: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

/// How a verb ended, as the exit status says it.
enum Failure {
    /// Bad command line, model file or state (2).
    Usage(String),
    /// A hook failed, the model did not settle, a check failed (1).
    Model(String),
}

impl From<FileError> for Failure {
    fn from(e: FileError) -> Failure {
        Failure::Usage(e.to_string())
    }
}

/// `goops-sim model`.
pub(super) fn main(args: ModelArgs) -> ExitCode {
    let result = match &args.verb {
        Verb::Up => up(&args),
        Verb::Explore { seeds } => explore(&args, *seeds),
        _ => resume(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("goops-sim model: {}", escape_controls(&message));
            ExitCode::from(2)
        }
        Err(Failure::Model(message)) => {
            eprintln!("goops-sim model: {}", escape_controls(&message));
            ExitCode::from(1)
        }
    }
}

fn goops_sim() -> Result<PathBuf, Failure> {
    std::env::current_exe().map_err(|e| Failure::Usage(format!("cannot find the goops-sim executable: {e}")))
}

/// Where the units' charm dirs live between commands: next to the state file,
/// `<state file>.units/<app>-<n>`.
fn units_dir(args: &ModelArgs) -> PathBuf {
    let mut path = state_path(args).into_os_string();
    path.push(".units");
    PathBuf::from(path)
}

fn state_path(args: &ModelArgs) -> PathBuf {
    args.state.clone().unwrap_or_else(|| {
        let dir = args.file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        dir.join(STATE_FILE)
    })
}

fn read_file(args: &ModelArgs) -> Result<ModelFile, Failure> {
    let mut file = ModelFile::read(&args.file)?;
    file.check_charms()?;
    Ok(file)
}

fn up(args: &ModelArgs) -> Result<(), Failure> {
    let file = read_file(args)?;
    let mut model = file.empty_model(args.seed).map_err(|e| Failure::Usage(e.to_string()))?;
    // A bad charm dir, endpoint or config value is the file's fault: exit 2.
    // A new model: the charm dirs of the units of any earlier one go.
    let units = units_dir(args);
    match std::fs::remove_dir_all(&units) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(Failure::Usage(format!("cannot clear {}: {e}", units.display())));
        }
        _ => {}
    }
    // Where the state file's directory is missing the state cannot be saved either (that is
    // reported after the run): the units' charm dirs are then temporary.
    let keep = std::fs::create_dir(&units).is_ok().then_some(units.as_path());
    file.deploy_into(&mut model, &goops_sim()?, Some(args.timeout), keep)
        .map_err(|e| Failure::Usage(format!("{}: {e}", args.file.display())))?;
    let result = model.settle().map(|_| ());
    let done = finish(args, &model, 0, result, true);
    if let Some(seed) = model.seed() {
        println!("\nseed {seed}: replay with `goops-sim model {} up --seed {seed}`", args.file.display());
    }
    done
}

/// Every verb but `up` and `explore`: load the state, act, settle, save.
fn resume(args: &ModelArgs) -> Result<(), Failure> {
    if args.seed.is_some() {
        return Err(Failure::Usage("--seed applies to up and explore (a resumed model keeps its seed)".into()));
    }
    let mut model = load(args)?;
    let before = model.trace().entries.len();
    let result = match &args.verb {
        Verb::Status { format } => {
            match format {
                OutputFormat::Text => print!("{}", model.status().render()),
                OutputFormat::Json => println!("{}", model.status().to_json()),
            }
            return Ok(());
        }
        Verb::Trace { format, check } => {
            match format {
                OutputFormat::Text => print!("{}", model.trace().render()),
                OutputFormat::Json => {
                    println!("{}", serde_json::to_string_pretty(model.trace()).unwrap_or_default());
                }
            }
            if *check {
                let model_type = model.controller().model.model_type;
                check_trace(model.trace(), model_type).map_err(|v| Failure::Model(v.to_string()))?;
                eprintln!("the trace keeps Juju's ordering rules");
            }
            return Ok(());
        }
        Verb::Run { unit, action, params, string_args } => {
            let mut map = serde_json::Map::new();
            for param in params {
                insert_cli_param(&mut map, param, *string_args).map_err(|e| Failure::Usage(e.to_string()))?;
            }
            return run_action(args, &mut model, before, unit, action, map);
        }
        Verb::RemoveUnit { unit } => act(model.remove_unit(unit)).map(|()| model.settle().map(|_| ())),
        Verb::AddUnit { app } => act(model.add_unit(app)).map(|_| model.settle().map(|_| ())),
        Verb::Config { app, values } => {
            let values = config_values(&model, app, values)?;
            act(model.config(app, values)).map(|()| model.settle().map(|_| ()))
        }
        Verb::Integrate { a, b } => act(model.integrate(a, b)).map(|_| model.settle().map(|_| ())),
        Verb::Resolve { unit } => act(model.resolve(unit)).map(|()| model.settle().map(|_| ())),
        Verb::Up | Verb::Explore { .. } => return Err(Failure::Usage("not a resume verb".into())),
    }?;
    finish(args, &model, before, result, true)
}

/// An operation the model refused (unknown unit, bad value): a usage error, nothing saved.
fn act<T>(result: Result<T, ModelError>) -> Result<T, Failure> {
    result.map_err(|e| Failure::Usage(e.to_string()))
}

fn config_values(model: &Model, app: &str, values: &[String]) -> Result<Vec<(String, serde_json::Value)>, Failure> {
    let application = model
        .controller()
        .applications
        .get(app)
        .ok_or_else(|| Failure::Usage(ModelError::UnknownApplication(app.to_owned()).to_string()))?;
    let source = &application.charm;
    let meta = goops_juju::charmcraft::CharmMeta::from_dir(Path::new(&source.dir))
        .map_err(|e| Failure::Usage(format!("application {app:?}: {e}")))?;
    let mut out = Vec::new();
    for pair in values {
        let (key, text) =
            pair.split_once('=').ok_or_else(|| Failure::Usage(format!("{pair:?}: expected key=value")))?;
        // Juju's words (internal/charm/config.go).
        let option = meta.config.get(key).ok_or_else(|| Failure::Usage(format!("unknown option {key:?}")))?;
        let value = config_value_from_text(key, option, text).map_err(Failure::Usage)?;
        out.push((key.to_owned(), value));
    }
    Ok(out)
}

fn run_action(
    args: &ModelArgs,
    model: &mut Model,
    before: usize,
    unit: &str,
    action: &str,
    params: serde_json::Map<String, serde_json::Value>,
) -> Result<(), Failure> {
    match model.run_action(unit, action, params) {
        Ok(record) => {
            finish(args, model, before, Ok(()), false)?;
            let results = Val::from_json(&serde_json::Value::Object(record.results.clone()));
            print!("{}", escape_controls(&String::from_utf8_lossy(&crate::format::render(&results, Format::Yaml))));
            for log in &record.logs {
                eprintln!("log: {}", escape_controls(log));
            }
            match &record.failure {
                None => Ok(()),
                Some(message) => Err(Failure::Model(format!("action {action:?} on {unit} failed: {message}"))),
            }
        }
        Err(e @ (ModelError::HookFailed { .. } | ModelError::NotSettled { .. } | ModelError::Check { .. })) => {
            finish(args, model, before, Err(e), true)
        }
        Err(e) => Err(Failure::Usage(e.to_string())),
    }
}

/// Read the state file and rebuild each application's charm from its recorded source.
fn load(args: &ModelArgs) -> Result<Model, Failure> {
    let path = state_path(args);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::Usage(format!(
                "no model state at {}: run `goops-sim model {} up` first",
                path.display(),
                args.file.display()
            )));
        }
        Err(e) => return Err(Failure::Usage(format!("cannot read {}: {e}", path.display()))),
    };
    let goops_sim = goops_sim()?;
    let timeout = Some(args.timeout);
    let units = units_dir(args);
    Model::from_json(&text, |app, source| {
        dispatch_charm(app, source, &goops_sim, timeout, Some(&units)).map(|c| Box::new(c) as Box<dyn ModelCharm>)
    })
    .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))
}

/// Print the trace entries from `before`, the status (when `status`), save the state; the
/// settle's failure, if any, as the verb's.
fn finish(
    args: &ModelArgs,
    model: &Model,
    before: usize,
    result: Result<(), ModelError>,
    status: bool,
) -> Result<(), Failure> {
    let entries = model.trace().entries.get(before..).unwrap_or_default().to_vec();
    let ran = Trace { seed: model.trace().seed, entries };
    if !ran.entries.is_empty() {
        print!("{}", ran.render());
    }
    if status {
        if !ran.entries.is_empty() {
            println!();
        }
        print!("{}", model.status().render());
    }
    let path = state_path(args);
    let mut json = model.to_json();
    json.push('\n');
    let saved = write_atomically(&path, json.as_bytes(), true)
        .map_err(|e| Failure::Usage(format!("cannot write the model state {}: {e}", path.display())));
    let failure = match result {
        Ok(()) => None,
        Err(ModelError::HookFailed { unit, hook, message, log, seed, .. }) => {
            let mut text = format!("hook {hook:?} failed on {unit}: {message}{}", seed_note(seed));
            let from = log.len().saturating_sub(5);
            for line in &log[from..] {
                text.push_str(&format!("\n  {line}"));
            }
            text.push_str(&format!(
                "\n{unit} stays in error; fix the charm, then `goops-sim model {} resolve {unit}`",
                args.file.display()
            ));
            Some(Failure::Model(text))
        }
        Err(ModelError::NotSettled { hooks, seed, .. }) => {
            Some(Failure::Model(format!("the model did not settle within {hooks} hooks (a loop?){}", seed_note(seed))))
        }
        Err(ModelError::Check { message, seed, .. }) => {
            Some(Failure::Model(format!("check failed: {message}{}", seed_note(seed))))
        }
        Err(e) => Some(Failure::Model(e.to_string())),
    };
    match (failure, saved) {
        (Some(Failure::Model(message)), Err(Failure::Usage(lost) | Failure::Model(lost))) => {
            Err(Failure::Model(format!("{message}\n{lost}")))
        }
        (Some(failure), _) => Err(failure),
        (None, Err(e)) => Err(e),
        (None, Ok(())) => Ok(()),
    }
}

fn seed_note(seed: Option<u64>) -> String {
    seed.map(|s| format!(" (seed {s})")).unwrap_or_default()
}

fn explore(args: &ModelArgs, seeds: u64) -> Result<(), Failure> {
    let file = read_file(args)?;
    let goops_sim = goops_sim()?;
    let first = args.seed.unwrap_or(0);
    let last = first.checked_add(seeds).ok_or_else(|| Failure::Usage("--seed + --seeds overflows".into()))?;
    // Each seed builds the model afresh (a file error shows on the first seed).
    let kubernetes = file.model_type == crate::state::ModelType::Kubernetes;
    let make = |seed: u64| if kubernetes { Model::kubernetes().with_seed(seed) } else { Model::seeded(seed) };
    let timeout = Some(args.timeout);
    let scenario = |model: &mut Model| {
        file.deploy_into(model, &goops_sim, timeout, None)?;
        model.settle().map(|_| ())
    };
    let report = crate::model::explore_with(first..last, make, scenario, all_active);
    match report {
        Ok(report) => {
            println!(
                "explored seeds {first}..{last}: {} hooks; every run settled with all units active, no error, and \
                 Juju's ordering rules kept",
                report.hooks
            );
            Ok(())
        }
        Err(failure) => {
            print!("{}", failure.trace);
            let error = match *failure.error {
                ModelError::HookFailed { unit, hook, message, .. } => {
                    format!("hook {hook:?} failed on {unit}: {message}")
                }
                ModelError::NotSettled { hooks, .. } => format!("the model did not settle within {hooks} hooks"),
                ModelError::Check { message, .. } => format!("check failed: {message}"),
                other => other.to_string(),
            };
            Err(Failure::Model(format!(
                "seed {} failed: {error}\nreplay: goops-sim model {} up --seed {}",
                failure.seed,
                args.file.display(),
                failure.seed
            )))
        }
    }
}

/// Explore's check: every application and unit active, none in error.
fn all_active(model: &Model) -> Result<(), String> {
    let status = model.status();
    if status.all_active() && !status.any_error() {
        return Ok(());
    }
    let mut not = Vec::new();
    for (name, app) in &status.applications {
        if app.status.status != crate::state::StatusName::Active {
            not.push(format!("{name} is {} {:?}", app.status.status, app.status.message));
        }
    }
    for (name, unit) in status.units() {
        if unit.workload.status != crate::state::StatusName::Active {
            not.push(format!("{name} is {} {:?}", unit.workload.status, unit.workload.message));
        }
    }
    Err(format!("not all active: {}", not.join(", ")))
}
