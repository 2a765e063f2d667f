use goops_runtime::prelude::*;

#[secret(label = "creds")]
struct Creds {
    #[secret(key = "password")]
    #[secret(key = "pass-word")]
    password: String,
}

fn main() {}
