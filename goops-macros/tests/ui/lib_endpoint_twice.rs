use goops_runtime::prelude::*;

#[derive(Default)]
struct Tls {
    binding: Binding,
}

#[charm_lib(interface = "tls-certificates")]
impl Tls {}

#[derive(Default)]
struct C {
    a: Tls,
    b: Tls,
}

#[charm]
impl C {
    #[lib(endpoint = "certificates")]
    fn a(&self) -> &Tls {
        &self.a
    }

    #[lib(endpoint = "certificates")]
    fn b(&self) -> &Tls {
        &self.b
    }
}

fn main() {}
