use goops_runtime::prelude::*;

#[derive(CharmConfig)]
#[config(path = "charmcraft.yaml")]
struct Config {
    port: u16,
}

fn main() {}
