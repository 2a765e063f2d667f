use goops_runtime::prelude::*;

#[derive(ActionParams)]
#[params(action = "do-backup", action = "rotate-ca")]
struct Backup {
    target: String,
}

fn main() {}
