use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[collect_status(app)]
    fn status(_ctx: &Context) {}
}

fn main() {}
