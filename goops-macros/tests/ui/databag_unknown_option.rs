use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer {
    #[databag(renam = "host-name")]
    host: Option<String>,
}

fn main() {}
