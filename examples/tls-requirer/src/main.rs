//! The tls-requirer charm's `dispatch`.

fn main() -> std::process::ExitCode {
    goops_runtime::run::<tls_requirer::TlsRequirerCharm>()
}
