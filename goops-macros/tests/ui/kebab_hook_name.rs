use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(config-changed)]
    fn configure(&self) {}
}

fn main() {}
