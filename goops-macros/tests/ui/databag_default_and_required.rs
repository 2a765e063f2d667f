use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer {
    #[databag(default, required)]
    hosts: Vec<String>,
}

fn main() {}
