use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[action("rotate-ca")]
    fn rotate(&self, _event: &RelationEvent) {}
}

fn main() {}
