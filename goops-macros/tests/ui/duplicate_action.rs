use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[action("do-backup")]
    fn backup(&self) {}

    #[action("do-backup")]
    fn backup_again(&self) {}
}

fn main() {}
