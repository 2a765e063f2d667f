use goops_runtime::prelude::*;

#[derive(Databag)]
#[databag(rename_all = "kebab_case")]
struct Offer {
    host_name: Option<String>,
}

fn main() {}
