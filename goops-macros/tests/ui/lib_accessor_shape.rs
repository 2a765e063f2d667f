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
    db: Tls,
    cluster: Tls,
}

#[charm]
impl C {
    #[lib(endpoint = "certificates")]
    fn tls(&self, _x: u8) -> &Tls {
        &self.tls
    }

    #[lib(endpoint = "db")]
    fn db(&self) -> Tls {
        Tls::default()
    }

    #[lib(endpoint = "cluster")]
    fn cluster(&self) {}
}

fn main() {}
