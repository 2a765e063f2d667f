use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

// Not YAML: an unclosed quote (tests/fixtures/broken, copied next to the test crate by ui.rs).
#[charm(metadata = "broken/charmcraft.yaml")]
impl C {}

fn main() {}
