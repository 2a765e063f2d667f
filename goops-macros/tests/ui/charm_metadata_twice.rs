use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm(metadata = "charmcraft.yaml", metadata = "charmcraft.yaml")]
impl C {}

fn main() {}
