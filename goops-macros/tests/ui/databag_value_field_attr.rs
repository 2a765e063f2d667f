use goops_runtime::prelude::*;

#[derive(serde::Serialize, serde::Deserialize, DatabagValue)]
struct Csr {
    #[databag(rename = "csr")]
    pem: String,
}

fn main() {}
