use goops_runtime::prelude::*;

#[derive(CharmConfig)]
struct Config {
    #[config(key = "port", key = "ratio")]
    value: u16,
}

fn main() {}
