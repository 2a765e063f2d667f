use goops_runtime::prelude::*;

#[secret(label = "creds")]
struct Creds {
    #[secret(rename = "pass-word")]
    password: String,
}

fn main() {}
