use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(relation_changed("db", "cluster"))]
    fn on_change(&self) {}
}

fn main() {}
