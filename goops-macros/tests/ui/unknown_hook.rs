use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(config_chnged)]
    fn configure(&self) {}
}

fn main() {}
