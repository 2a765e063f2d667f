use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[action("do-backups")]
    fn backup(&self) {}
}

fn main() {}
