use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm(metadata = charmcraft_yaml)]
impl C {}

fn main() {}
