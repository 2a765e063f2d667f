use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(install)]
    async fn install(&self) {}
}

fn main() {}
