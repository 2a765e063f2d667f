use goops_runtime::prelude::*;

#[derive(Databag)]
enum Offer {
    Host(String),
}

#[derive(Databag)]
struct Tuple(Option<String>);

fn main() {}
