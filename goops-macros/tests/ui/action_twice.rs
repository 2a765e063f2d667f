use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[action("do-backup")]
    #[action("rotate-ca")]
    fn backup(&self) {}
}

fn main() {}
