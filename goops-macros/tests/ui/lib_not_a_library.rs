use goops_runtime::prelude::*;

#[derive(Default)]
struct C {
    tls: String,
}

#[charm]
impl C {
    #[lib(endpoint = "certificates")]
    fn tls(&self) -> &String {
        &self.tls
    }
}

fn main() {}
