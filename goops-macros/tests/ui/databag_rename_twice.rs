use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer {
    #[databag(rename = "host-name", rename = "hostname")]
    host: Option<String>,
}

fn main() {}
