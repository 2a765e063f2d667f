use goops_runtime::prelude::*;

#[derive(serde::Serialize, serde::Deserialize)]
enum Kind {
    Server,
    Client,
}

#[derive(serde::Serialize, serde::Deserialize, DatabagValue)]
struct Request {
    csr: String,
    kind: Kind,
}

fn main() {}
