use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(instal)]
    fn install(&self) {}

    #[hook(relation_changed("dbs"))]
    fn on_db(&self) {}

    #[action("nope")]
    fn nope(&self) {}
}

// The impl block is still emitted, so calling the methods reports nothing more.
fn main() {
    let c = C;
    c.install();
}
