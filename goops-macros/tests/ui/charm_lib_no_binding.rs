use goops_runtime::prelude::*;

#[derive(Default)]
struct Tls {
    endpoint: String,
}

#[charm_lib(interface = "tls-certificates")]
impl Tls {}

fn main() {}
