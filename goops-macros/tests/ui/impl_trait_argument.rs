use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(install)]
    fn install(&self, _x: impl std::fmt::Debug) {}
}

fn main() {}
