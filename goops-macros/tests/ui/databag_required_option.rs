use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer {
    #[databag(required)]
    host: Option<String>,
}

fn main() {}
