use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook]
    fn install(&self) {}
}

fn main() {}
