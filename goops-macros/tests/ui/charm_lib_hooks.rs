use goops_runtime::prelude::*;

#[derive(Default)]
struct Tls {
    binding: Binding,
}

#[charm_lib(interface = "tls-certificates")]
impl Tls {
    #[hook(relation_changed("certificates"))]
    fn scoped(&self) {}

    #[hook(storage_attached, pebble_ready)]
    fn charm_only(&self) {}

    #[hook(any)]
    fn fallback(&self) {}

    #[hook(relation_chnged, install("x"))]
    fn typo(&self) {}

    #[action("do-backup")]
    fn backup(&self) -> ActionResult<()> {
        Ok(())
    }

    #[hook(install)]
    fn event(&self, _event: &RelationEvent) {}

    #[hook(update_status)]
    fn first(&self) {}

    #[hook(update_status)]
    fn second(&self) {}

    #[lib(endpoint = "db")]
    fn nested(&self) -> &Tls {
        self
    }
}

fn main() {}
