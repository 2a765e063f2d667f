//! The greeter charm's `dispatch`.

fn main() -> std::process::ExitCode {
    goops_runtime::run::<greeter::Greeter>()
}
