use goops_runtime::prelude::*;

#[derive(Default)]
struct TlsRequirer {
    binding: Binding,
}

#[charm_lib(interface = "tls-certificates", role = "requires")]
impl TlsRequirer {}

#[derive(Default)]
struct C {
    tls: TlsRequirer,
}

#[charm]
impl C {
    // charmcraft.yaml: `certificates` is under `provides:`.
    #[lib(endpoint = "certificates")]
    fn tls(&self) -> &TlsRequirer {
        &self.tls
    }
}

fn main() {}
