//! The hello-k8s charm's `dispatch`.

fn main() -> std::process::ExitCode {
    goops_runtime::run::<hello_k8s::HelloK8s>()
}
