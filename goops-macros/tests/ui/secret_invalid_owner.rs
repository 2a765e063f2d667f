use goops_runtime::prelude::*;

#[secret(label = "creds", owner = "app")]
struct Creds {
    password: String,
}

fn main() {}
