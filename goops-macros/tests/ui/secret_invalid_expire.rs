use goops_runtime::prelude::*;

#[secret(label = "creds", expire = "1 year")]
struct Creds {
    password: String,
}

fn main() {}
