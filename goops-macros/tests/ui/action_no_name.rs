use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[action]
    fn backup(&self) {}
}

fn main() {}
