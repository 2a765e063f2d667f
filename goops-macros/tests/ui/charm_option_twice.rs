use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm(metadata = "charmcraft.yaml", metadata = "other.yaml")]
impl C {}

fn main() {}
