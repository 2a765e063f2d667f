use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(relation_changed = "db")]
    fn on_db(&self) {}
}

fn main() {}
