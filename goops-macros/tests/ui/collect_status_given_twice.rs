use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[collect_status]
    #[collect_status]
    fn status(_ctx: &Context) {}
}

fn main() {}
