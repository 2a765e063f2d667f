//! `ctx.container("…")` with a declared name compiles inside `#[charm]` (an undeclared one is a
//! compile error: `tests/ui/container_undeclared_call.rs`), and the client it gives is bound to
//! that container: an unreachable Pebble ends the hook `waiting` for it.

mod common;

use std::io;
use std::sync::Arc;

use goops_runtime::pebble::{Connector, PebbleStream};
use goops_runtime::prelude::*;
use goops_runtime::{Outcome, dispatch};

#[derive(Default)]
struct K8s;

#[charm(metadata = "tests/fixtures/charmcraft.yaml")]
impl K8s {
    #[hook(pebble_ready("workload"))]
    fn on_ready(&self, ctx: &Context) -> HookResult {
        ctx.container("workload").replan()?;
        Ok(())
    }

    #[hook(config_changed)]
    fn configure(ctx: &Context) -> HookResult {
        // A name that is not a literal is not checked at compile time.
        let name = String::from("any-name");
        ctx.container(&name).get_services(&[])?;
        Ok(())
    }
}

/// Records which container each connection was for, and refuses it.
#[derive(Default)]
struct Refused(std::sync::Mutex<Vec<String>>);

impl Connector for Refused {
    fn connect(&self, container: &str) -> io::Result<Box<dyn PebbleStream>> {
        self.0.lock().unwrap().push(container.to_owned());
        Err(io::Error::from(io::ErrorKind::NotFound))
    }
}

#[test]
fn a_declared_container_compiles_and_its_client_is_bound_to_it() {
    let recorder = common::Recorder::new();
    let mut ctx =
        recorder.context(&[("JUJU_DISPATCH_PATH", "hooks/workload-pebble-ready"), ("JUJU_WORKLOAD_NAME", "workload")]);
    let refused = Arc::new(Refused::default());
    ctx.set_pebble_connector(refused.clone());
    let outcome = dispatch::<K8s>(&ctx);
    assert_eq!(outcome, Outcome::WorkloadNotReachable("workload".into()));
    assert_eq!(*refused.0.lock().unwrap(), ["workload"]);
}

#[test]
fn a_computed_name_is_used_as_given() {
    let recorder = common::Recorder::new();
    let mut ctx = recorder.context(&[("JUJU_DISPATCH_PATH", "hooks/config-changed")]);
    let refused = Arc::new(Refused::default());
    ctx.set_pebble_connector(refused.clone());
    assert_eq!(dispatch::<K8s>(&ctx), Outcome::WorkloadNotReachable("any-name".into()));
}
