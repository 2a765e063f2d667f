use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(install("db"))]
    fn install(&self) {}
}

fn main() {}
