use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(storage_attached("logs"))]
    fn on_storage(&self) {}
}

fn main() {}
