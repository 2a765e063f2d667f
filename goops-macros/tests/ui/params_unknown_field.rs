use goops_runtime::prelude::*;

#[derive(ActionParams)]
#[params(action = "do-backup")]
struct BackupParams {
    target: String,
    compression: Option<bool>,
}

fn main() {}
