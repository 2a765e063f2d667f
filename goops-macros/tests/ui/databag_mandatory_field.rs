use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer {
    host: String,
    port: Option<u16>,
}

fn main() {}
