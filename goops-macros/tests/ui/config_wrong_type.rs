use goops_runtime::prelude::*;

#[derive(CharmConfig)]
struct Config {
    port: String,
}

fn main() {}
