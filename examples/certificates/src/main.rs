//! The certificates charm's `dispatch`.

fn main() -> std::process::ExitCode {
    goops_runtime::run::<certificates::Certificates>()
}
