use goops_runtime::prelude::*;

#[derive(CharmConfig)]
struct Config {
    #[config(name = "port")]
    p: u16,
}

fn main() {}
