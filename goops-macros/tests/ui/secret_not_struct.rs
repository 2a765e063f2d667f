use goops_runtime::prelude::*;

#[secret(label = "creds")]
enum Creds {
    Password,
}

fn main() {}
