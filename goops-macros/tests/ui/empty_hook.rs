use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook]
    fn install(&self) -> Result<()> {
        Ok(())
    }
}

fn main() {}
