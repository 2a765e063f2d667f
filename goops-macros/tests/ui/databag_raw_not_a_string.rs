use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer {
    #[databag(raw)]
    port: Option<u16>,
}

fn main() {}
