use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(install)]
    fn install<T>(&self) {}
}

fn main() {}
