use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(install)]
    fn install(&self) -> u32 {
        1
    }
}

fn main() {}
