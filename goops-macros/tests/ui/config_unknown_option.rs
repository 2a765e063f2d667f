use goops_runtime::prelude::*;

#[derive(CharmConfig)]
struct Config {
    log_levle: String,
}

fn main() {}
