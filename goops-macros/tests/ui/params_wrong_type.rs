use goops_runtime::prelude::*;

#[derive(ActionParams)]
#[params(action = "do-backup")]
struct BackupParams {
    target: String,
    retries: Option<String>,
}

fn main() {}
