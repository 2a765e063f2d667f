use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

// Not YAML at all: a tab-indented mapping with an unclosed quote.
#[charm(metadata = "../../../../goops-macros/tests/fixtures/broken/charmcraft.yaml")]
impl C {}

fn main() {}
