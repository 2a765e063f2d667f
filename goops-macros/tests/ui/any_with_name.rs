use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(any("db"))]
    fn fallback(&self) {}
}

fn main() {}
