use goops_runtime::prelude::*;

#[derive(Default)]
struct C<T>(T);

#[charm]
impl<T: Default + 'static> C<T> {}

fn main() {}
