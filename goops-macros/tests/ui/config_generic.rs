use goops_runtime::prelude::*;

#[derive(CharmConfig)]
struct Config<T> {
    port: T,
}

fn main() {}
