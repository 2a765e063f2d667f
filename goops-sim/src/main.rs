//! `goops-sim`: run a charm's hooks on a local unit state, or act as one of its hook tools.

fn main() -> std::process::ExitCode {
    goops_sim::cli_main()
}
