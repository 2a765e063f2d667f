use goops_runtime::prelude::*;

#[derive(Databag)]
struct Offer {
    #[databag(rename = "")]
    empty: Option<String>,
    #[databag(rename = "a=b")]
    equals: Option<String>,
    #[databag(rename = " padded")]
    padded: Option<String>,
}

fn main() {}
