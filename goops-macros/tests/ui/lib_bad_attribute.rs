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
    #[lib(endpont = "certificates", events = 5)]
    fn a(&self) -> &Tls {
        &self.tls
    }

    #[lib]
    fn b(&self) -> &Tls {
        &self.tls
    }

    #[lib(endpoint = "certificates")]
    #[hook(install)]
    fn c(&self) -> &Tls {
        &self.tls
    }

    #[lib(endpoint = 5)]
    fn d(&self) -> &Tls {
        &self.tls
    }
}

fn main() {}
