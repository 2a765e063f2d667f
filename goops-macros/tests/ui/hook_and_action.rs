use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(install)]
    #[action("do-backup")]
    fn both(&self) {}
}

fn main() {}
