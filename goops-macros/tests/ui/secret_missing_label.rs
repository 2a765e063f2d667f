use goops_runtime::prelude::*;

#[secret(owner = "unit")]
struct Creds {
    password: String,
}

fn main() {}
