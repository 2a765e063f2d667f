use goops_runtime::prelude::*;

#[hook(install)]
fn install(_ctx: &Context) {}

fn main() {}
