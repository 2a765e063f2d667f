use goops_runtime::prelude::*;

#[derive(Databag)]
#[databag(rename = "offer")]
struct Offer {
    host: Option<String>,
}

fn main() {}
