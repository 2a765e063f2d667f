use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(install, relation_changed("db"))]
    fn on_change(&self, _event: &RelationEvent) {}
}

fn main() {}
