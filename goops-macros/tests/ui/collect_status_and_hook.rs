use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(update_status)]
    #[collect_status]
    fn status(_ctx: &Context) {}
}

fn main() {}
