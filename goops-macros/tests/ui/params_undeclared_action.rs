use goops_runtime::prelude::*;

#[derive(ActionParams)]
#[params(action = "do-backups")]
struct BackupParams {
    target: String,
}

fn main() {}
