use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    // The charm value is shared by the dispatch: it cannot be consumed.
    #[hook(install)]
    fn install(self) {}
}

fn main() {}
