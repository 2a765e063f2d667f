use goops_runtime::prelude::*;

#[derive(Databag, serde::Serialize)]
struct Offer {
    #[databag(rename = "host-name")]
    #[serde(rename = "hostname")]
    host: Option<String>,
}

fn main() {}
