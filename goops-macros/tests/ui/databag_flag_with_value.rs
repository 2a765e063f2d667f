use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer {
    #[databag(default = true)]
    hosts: Vec<String>,
}

fn main() {}
