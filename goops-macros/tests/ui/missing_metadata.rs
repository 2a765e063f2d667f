use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm(metadata = "no-such-dir/charmcraft.yaml")]
impl C {}

fn main() {}
