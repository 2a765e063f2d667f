use goops_runtime::prelude::*;

#[derive(Default)]
struct Tls {
    binding: Binding,
}

#[charm_lib(interface = "tls-certificates")]
impl Tls {}

#[derive(Default)]
struct C {
    tls: Tls,
}

#[charm]
impl C {
    #[lib(endpoint = "certificate")]
    fn tls(&self) -> &Tls {
        &self.tls
    }
}

fn main() {}
