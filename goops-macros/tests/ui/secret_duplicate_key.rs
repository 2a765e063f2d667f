use goops_runtime::prelude::*;

#[secret(label = "creds")]
struct Creds {
    api_key: String,
    #[secret(key = "api-key")]
    other: String,
}

fn main() {}
