use goops_runtime::prelude::*;

#[charm]
struct C;

fn main() {}
