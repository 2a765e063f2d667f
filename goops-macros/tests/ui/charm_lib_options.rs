use goops_runtime::prelude::*;

#[derive(Default)]
struct A {
    binding: Binding,
}

#[charm_lib(role = "requirer", interfaces = "x")]
impl A {}

#[derive(Default)]
struct B {
    binding: Binding,
}

#[charm_lib(interface = "", interface = "y")]
impl B {}

fn main() {}
