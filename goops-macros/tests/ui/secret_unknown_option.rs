use goops_runtime::prelude::*;

#[secret(label = "creds", lable = "x")]
struct Creds {
    password: String,
}

fn main() {}
