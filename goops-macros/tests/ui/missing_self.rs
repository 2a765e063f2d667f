use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(install)]
    fn install(_ctx: &Context) -> Result<()> {
        Ok(())
    }
}

fn main() {}
