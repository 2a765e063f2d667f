use goops_runtime::prelude::*;

#[secret(label = "creds")]
struct Creds {
    password: Vec<u8>,
}

fn main() {}
