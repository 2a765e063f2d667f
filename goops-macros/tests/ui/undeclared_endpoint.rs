use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(relation_changed("dbs"))]
    fn on_db(&self, _event: &RelationEvent) {}
}

fn main() {}
