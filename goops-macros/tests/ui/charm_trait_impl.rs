use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

trait Other {}

#[charm]
impl Other for C {}

fn main() {}
