use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(relation_joined)]
    fn joined(&self) {}
}

fn main() {}
