use goops_runtime::prelude::*;

#[collect_status]
fn status(_ctx: &Context) {}

fn main() {}
