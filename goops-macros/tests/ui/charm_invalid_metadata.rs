use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

// YAML, but a default of the wrong type (tests/fixtures/invalid, copied next to the test crate by ui.rs).
#[charm(metadata = "invalid/charmcraft.yaml")]
impl C {}

fn main() {}
