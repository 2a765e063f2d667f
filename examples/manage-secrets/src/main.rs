//! The manage-secrets charm's `dispatch`.

fn main() -> std::process::ExitCode {
    goops_runtime::run::<manage_secrets::ManageSecrets>()
}
