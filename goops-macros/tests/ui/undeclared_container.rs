use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(pebble_ready("web"))]
    fn on_ready(&self) {}
}

fn main() {}
