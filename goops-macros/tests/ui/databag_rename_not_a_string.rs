use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer {
    #[databag(rename = host_name)]
    host: Option<String>,
}

fn main() {}
