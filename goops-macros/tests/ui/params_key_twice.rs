use goops_runtime::prelude::*;

#[derive(ActionParams)]
#[params(action = "do-backup")]
struct Backup {
    #[params(key = "target")]
    #[params(key = "compress")]
    target: String,
}

fn main() {}
