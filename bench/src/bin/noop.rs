//! The floor for framework overhead: a static binary that does nothing.

fn main() {}
