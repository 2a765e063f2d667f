use goops_runtime::prelude::*;

#[derive(CharmConfig)]
#[config(metadata = "charmcraft.yaml")]
#[config(metadata = "other/charmcraft.yaml")]
struct Config {
    port: u16,
}

fn main() {}
