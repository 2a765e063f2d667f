use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer {
    host: Option<String>,
    #[databag(rename = "host")]
    hostname: Option<String>,
}

fn main() {}
