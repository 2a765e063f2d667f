use goops_runtime::prelude::*;

#[secret(label = "creds")]
struct Creds<T> {
    password: T,
}

fn main() {}
