use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer {
    #[databag(default)]
    host: Option<String>,
}

fn main() {}
