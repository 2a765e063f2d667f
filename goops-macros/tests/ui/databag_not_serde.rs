use goops_runtime::prelude::*;

struct Opaque;

#[derive(Databag)]
struct Offer {
    #[databag(unchecked)]
    opaque: Option<Opaque>,
}

fn main() {}
