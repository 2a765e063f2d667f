use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(install)]
    fn install(&self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

fn main() {}
