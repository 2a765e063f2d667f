use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    // collect-status runs after every hook and action: no event is always there.
    #[collect_status]
    fn status(_ctx: &Context, _relation: &RelationEvent) {}
}

fn main() {}
