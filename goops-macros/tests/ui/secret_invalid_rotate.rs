use goops_runtime::prelude::*;

#[secret(label = "creds", rotate = "montly")]
struct Creds {
    password: String,
}

fn main() {}
