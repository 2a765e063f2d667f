use goops_runtime::prelude::*;

#[derive(DatabagValue)]
union Bits {
    a: u32,
    b: f32,
}

fn main() {}
