use goops_runtime::prelude::*;

#[secret(label = "creds")]
struct Creds {
    pw: String,
    #[secret(key = "Password")]
    password: String,
}

fn main() {}
