//! Kubernetes charms' workload containers (feature `pebble`): [`Context::container`] gives a
//! Pebble client for one container, and a handler that returns
//! [`pebble::Error::NotReachable`] ends the hook `waiting` instead of failing it.

use std::sync::Arc;

use crate::context::Context;
use crate::pebble;

impl Context {
    /// A Pebble client for the workload container `name` (a key of `containers:` in
    /// charmcraft.yaml; `#[charm]` checks a literal name at compile time).
    ///
    /// It connects on each call, at `/charm/containers/<name>/pebble.socket` (or under
    /// `GOOPS_PEBBLE_DIR`), or through the connector set with
    /// [`set_pebble_connector`](Context::set_pebble_connector).
    ///
    /// When the container's Pebble is not up, calls fail with
    /// [`pebble::Error::NotReachable`]: return it from the handler (`?`) and the framework
    /// sets the unit `waiting` for that container and ends the hook successfully; Juju's next
    /// pebble-ready event runs the handler again. No `can_connect` guard is needed.
    pub fn container(&self, name: &str) -> pebble::Container {
        match &self.pebble_connector {
            Some(connector) => pebble::Client::new(name, Arc::clone(connector)),
            None => pebble::Client::for_container(name),
        }
    }

    /// Reach Pebble through `connector` instead of the sockets Juju mounts (the simulator's
    /// harness hands in its in-process server this way).
    pub fn set_pebble_connector(&mut self, connector: Arc<dyn pebble::Connector>) {
        self.pebble_connector = Some(connector);
    }
}
