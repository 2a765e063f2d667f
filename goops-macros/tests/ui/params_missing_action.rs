use goops_runtime::prelude::*;

#[derive(ActionParams)]
struct BackupParams {
    target: String,
}

fn main() {}
