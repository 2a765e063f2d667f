use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(instal)]
    fn install(&self) -> Result<()> {
        Ok(())
    }

    #[hook(relation_changed("dbs"))]
    fn on_db(&self) -> Result<()> {
        Ok(())
    }

    #[action("nope")]
    fn nope(&self) -> Result<()> {
        Ok(())
    }
}

// The impl block is still emitted, so calling the methods reports nothing more.
fn main() {
    let c = C;
    let _ = c.install();
}
