//! Kubernetes charms' workload containers: [`Context::container`] (feature `pebble`) gives a
//! Pebble client for one container, and a hook handler that returns the client's
//! "not reachable" error ends the hook `waiting` for that container instead of failing it
//! ([`Outcome::WorkloadNotReachable`]).

use crate::context::Context;
use crate::dispatch::{Outcome, error_chain};
use crate::hookcmds::log::LogLevel;
use crate::hookcmds::status::{self, Status};

#[cfg(feature = "pebble")]
impl Context {
    /// A Pebble client for the workload container `name` (a key of `containers:` in
    /// charmcraft.yaml; `#[charm]` checks a literal name at compile time).
    ///
    /// It connects on each call, at `/charm/containers/<name>/pebble.socket` (or under
    /// `GOOPS_PEBBLE_DIR`), or through the connector set with
    /// [`set_pebble_connector`](Context::set_pebble_connector).
    ///
    /// When the container's Pebble is not up, calls fail with
    /// [`pebble::Error::NotReachable`](crate::pebble::Error::NotReachable): return it from the
    /// hook handler (`?`) and the framework sets the unit `waiting` for that container and ends
    /// the hook successfully; Juju's next pebble-ready event runs the handler again. No
    /// `can_connect` guard and no deferring are needed.
    pub fn container(&self, name: &str) -> crate::pebble::Container {
        match &self.pebble_connector {
            Some(connector) => crate::pebble::Client::new(name, std::sync::Arc::clone(connector)),
            None => crate::pebble::Client::for_container(name),
        }
    }

    /// Reach Pebble through `connector` instead of the sockets Juju mounts (the simulator's
    /// harness hands in its in-process server this way).
    pub fn set_pebble_connector(&mut self, connector: std::sync::Arc<dyn crate::pebble::Connector>) {
        self.pebble_connector = Some(connector);
    }
}

/// The container named by a Pebble "not reachable" error in `error`'s `source()` chain.
#[cfg(feature = "pebble")]
pub(crate) fn unreachable_container(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(crate::pebble::Error::NotReachable { container, .. }) = e.downcast_ref::<crate::pebble::Error>() {
            return Some(container.clone());
        }
        next = e.source();
    }
    None
}

/// Without the Pebble client there is no such error.
#[cfg(not(feature = "pebble"))]
pub(crate) fn unreachable_container(_error: &(dyn std::error::Error + 'static)) -> Option<String> {
    None
}

/// The status message while a container's Pebble cannot be reached.
pub(crate) fn waiting_message(container: &str) -> String {
    format!("waiting for the {container:?} container's Pebble")
}

/// End a hook whose handler could not reach `container`: `waiting` status, exit 0. If the
/// status cannot be set, the hook fails (exit 1), so Juju retries it.
pub(crate) fn wait_for_container(ctx: &Context, container: String) -> Outcome {
    ctx.log(
        LogLevel::Info,
        format!("the Pebble of container {container:?} is not reachable; waiting for pebble-ready"),
    );
    match status::status_set(ctx.tools(), &Status::waiting(waiting_message(&container))) {
        Ok(()) => Outcome::WorkloadNotReachable(container),
        Err(e) => {
            let message = format!("cannot set the waiting status for container {container:?}: {}", error_chain(&e));
            ctx.log(LogLevel::Error, &message);
            Outcome::HookFailed(message)
        }
    }
}
