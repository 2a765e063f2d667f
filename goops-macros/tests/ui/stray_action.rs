use goops_runtime::prelude::*;

#[action("do-backup")]
fn backup(_ctx: &Context) {}

fn main() {}
