use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm(metdata = "charmcraft.yaml")]
impl C {}

fn main() {}
