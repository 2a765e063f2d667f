use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(install, config_changed)]
    fn configure(&self) {}

    #[hook(install)]
    fn install(&self) {}
}

fn main() {}
