//! `cargo-goops`: `cargo goops new | pack | run`. See `cargo goops --help`.

// An error ends the command once; keeping every field in the variant reads better than boxing.
#![allow(clippy::result_large_err)]

use std::path::PathBuf;
use std::process::ExitCode;

use cargo_goops::glibc::Linking;
use cargo_goops::pack::{PackOptions, pack};
use cargo_goops::run::{RunOptions, is_goops_sim_call, run};
use cargo_goops::scaffold::{NewOptions, new_project};
use clap::{Parser, Subcommand};

/// The first argument of goops-sim's hook launcher (goops-sim's `runner::LAUNCH`).
const GOOPS_SIM_LAUNCHER: &str = "__charm-containers";

/// Scaffold, run and pack Juju charms written in Rust with goops-rs.
#[derive(Debug, Parser)]
#[command(name = "cargo goops", bin_name = "cargo goops", version)]
struct Cli {
    #[command(subcommand)]
    command: Verb,
}

#[derive(Debug, Subcommand)]
enum Verb {
    /// Create a charm project that builds on its own: Cargo.toml, charmcraft.yaml, a #[charm]
    /// with install, config-changed and an action, a harness test and a README (with
    /// --kubernetes: a sidecar charm whose pebble-ready configures a workload over Pebble).
    New {
        /// The directory to create (it must not exist, or be empty).
        dir: PathBuf,
        /// The charm's name (default: the directory's name).
        #[arg(long)]
        name: Option<String>,
        /// Build against this goops-rs checkout instead of crates.io (writes a [patch.crates-io]
        /// to the project's .cargo/config.toml).
        #[arg(long, value_name = "DIR")]
        goops_path: Option<PathBuf>,
        /// A Kubernetes sidecar charm: a workload container (and its OCI image resource) whose
        /// pebble-ready and config-changed add a Pebble layer and replan, with a harness test
        /// against goops-sim's simulated Pebble.
        #[arg(long)]
        kubernetes: bool,
    },
    /// Build the charm in release, check `dispatch` against the base's glibc, and write
    /// <name>_<platform>.charm as `charmcraft pack` lays it out.
    Pack {
        /// The charm directory (charmcraft.yaml and Cargo.toml).
        #[arg(long, value_name = "D", default_value = ".")]
        charm_dir: PathBuf,
        /// Link statically with this machine's musl target: a `dispatch` that runs on any base.
        #[arg(long = "static")]
        static_link: bool,
        /// Where to write the .charm (default: the charm directory).
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
    },
    /// Build the charm and run one event under goops-sim (linked in; its `run` options follow the
    /// event, as goops-sim's README lists them).
    Run {
        /// The charm directory (charmcraft.yaml and Cargo.toml).
        #[arg(long, value_name = "D", default_value = ".")]
        charm_dir: PathBuf,
        /// Run the release build (the packed `dispatch`) instead of the dev build.
        #[arg(long)]
        release: bool,
        /// The event: a hook name (install, db-relation-changed, …) or an action's name.
        event: String,
        /// goops-sim run's options: --state FILE (default: the empty state), --out FILE (default:
        /// stdout), --param KEY=VALUE, --relation-id N, --remote-unit UNIT, --secret ID, --quiet, …
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "GOOPS_SIM_OPTIONS")]
        sim_args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // goops-sim's hook launcher (`<this executable> __charm-containers …`, the private mount
    // namespace that shows a K8s charm its containers' Pebble sockets) re-runs this executable
    // by its own path, so it is told by its first argument.
    if args.first().is_some_and(|argv0| is_goops_sim_call(argv0.as_ref()))
        || args.get(1).is_some_and(|a| a == GOOPS_SIM_LAUNCHER)
    {
        return goops_sim::cli_main();
    }
    // `cargo goops …` runs `cargo-goops goops …`; `cargo-goops …` works too.
    if args.get(1).is_some_and(|a| a == "goops") {
        args.remove(1);
    }
    let cli = Cli::parse_from(args);
    match execute(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn execute(verb: Verb) -> cargo_goops::Result<ExitCode> {
    match verb {
        Verb::New { dir, name, goops_path, kubernetes } => {
            let patched = goops_path.is_some();
            let (name, files) = new_project(&NewOptions { dir: dir.clone(), name, goops_path, kubernetes })?;
            println!("Created charm {name} in {}:", dir.display());
            for file in files {
                println!("  {}", file.strip_prefix(&dir).unwrap_or(&file).display());
            }
            if !patched {
                println!(
                    "\nThe goops crates come from crates.io. To build against a goops-rs checkout \
                     instead, rerun with --goops-path <checkout> (it writes .cargo/config.toml)."
                );
            }
            println!("\nNext: cd {} && cargo test && cargo goops pack", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Verb::Pack { charm_dir, static_link, output_dir } => {
            for packed in pack(&PackOptions { charm_dir, static_link, output_dir })? {
                let linking = match &packed.linking {
                    Linking::Static => "statically linked".to_owned(),
                    Linking::Dynamic { newest_glibc: Some(v) } => format!("needs glibc {v}"),
                    Linking::Dynamic { newest_glibc: None } => "dynamically linked, no glibc version needs".to_owned(),
                };
                println!(
                    "Packed {} ({}) for {} on {}: dispatch {linking}",
                    packed.path.display(),
                    human_size(packed.size),
                    packed.platform.label,
                    packed.platform.base,
                );
                for entry in &packed.entries {
                    println!("  {:o}  {:>10}  {}", entry.mode, human_size(entry.size), entry.name);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Verb::Run { charm_dir, release, event, sim_args } => {
            let code = run(&RunOptions { charm_dir, release, event, sim_args })?;
            Ok(ExitCode::from(u8::try_from(code).unwrap_or(2)))
        }
    }
}

/// `1.2 MiB`, `310 B`.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit < UNITS.len() - 1 {
        size /= 1024.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
}
