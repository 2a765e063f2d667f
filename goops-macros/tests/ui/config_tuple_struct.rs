use goops_runtime::prelude::*;

#[derive(CharmConfig)]
struct Config(u16);

fn main() {}
