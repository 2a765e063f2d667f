use goops_runtime::prelude::*;

#[secret(label = "")]
struct Creds {
    password: String,
}

fn main() {}
