use goops_runtime::prelude::*;

#[derive(serde::Serialize, serde::Deserialize)]
enum Mode {
    Fast,
    Safe,
}

#[derive(Databag)]
struct Offer {
    mode: Option<Mode>,
}

fn main() {}
