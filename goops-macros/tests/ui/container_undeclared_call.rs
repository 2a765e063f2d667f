use goops_runtime::prelude::*;

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(pebble_ready("workload"))]
    fn on_ready(&self, ctx: &Context) -> HookResult {
        ctx.container("workload").replan()?;
        ctx.container("wrokload").replan()?;
        Ok(())
    }
}

fn main() {}
