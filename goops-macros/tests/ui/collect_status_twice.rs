use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[collect_status]
    fn unit_status(_ctx: &Context) {}

    #[collect_status]
    fn app_status(_ctx: &Context) {}
}

fn main() {}
