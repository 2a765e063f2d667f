use goops_runtime::prelude::*;

#[secret(label = "creds")]
struct Creds(String);

fn main() {}
