use goops_runtime::prelude::*;

#[derive(Default)]
struct Postgres {
    binding: Binding,
}

#[charm_lib(interface = "postgresql_client")]
impl Postgres {}

#[derive(Default)]
struct C {
    db: Postgres,
}

#[charm]
impl C {
    // charmcraft.yaml: `certificates` is a `tls-certificates` endpoint.
    #[lib(endpoint = "certificates")]
    fn db(&self) -> &Postgres {
        &self.db
    }
}

fn main() {}
