use goops_runtime::prelude::*;

#[derive(CharmConfig)]
struct Config {
    external_hostname: String,
}

fn main() {}
