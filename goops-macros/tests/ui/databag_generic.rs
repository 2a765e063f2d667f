use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer<T> {
    value: Option<T>,
}

fn main() {}
