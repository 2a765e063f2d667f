use goops_runtime::prelude::*;

#[secret(label = "creds")]
struct Creds {
    // `FromStr` but not `Display`: it could not be written back.
    password: std::path::PathBuf,
}

fn main() {}
