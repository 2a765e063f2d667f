use goops_runtime::prelude::*;

#[secret(label = "creds", label = "other")]
struct Creds {
    password: String,
}

fn main() {}
