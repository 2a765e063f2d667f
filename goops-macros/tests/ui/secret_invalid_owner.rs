use goops_runtime::prelude::*;

#[secret(label = "creds", owner = "aplication")]
struct Creds {
    password: String,
}

fn main() {}
