//! [`Client`]: the handle to one container's Pebble. Its methods live in the modules named
//! after the API area they cover (services, files, exec, …).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::services::DEFAULT_CHANGE_TIMEOUT;
use crate::transport::{Connector, PebbleStream, SocketDir, SocketPath};

/// A blocking client for one container's Pebble.
///
/// Cheap to clone (the connector is shared). Every call opens its own connection, so a
/// `Client` can be used from several threads.
#[derive(Clone)]
pub struct Client {
    container: String,
    connector: Arc<dyn Connector>,
    change_timeout: Duration,
}

/// A client bound to one workload container: what `ctx.container("name")` returns.
pub type Container = Client;

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("container", &self.container).finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `container`, connecting through `connector`.
    pub fn new(container: &str, connector: Arc<dyn Connector>) -> Self {
        Client { container: container.to_owned(), connector, change_timeout: DEFAULT_CHANGE_TIMEOUT }
    }

    /// A client for `container` at Juju's socket path (or under `GOOPS_PEBBLE_DIR`, see
    /// [`SocketDir::from_env`]).
    pub fn for_container(container: &str) -> Self {
        Client::new(container, Arc::new(SocketDir::from_env()))
    }

    /// A client for the Pebble listening at the socket `path` (its errors name the path as
    /// the container).
    pub fn socket(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        Client::new(&path.display().to_string(), Arc::new(SocketPath::new(path)))
    }

    /// The container's name.
    pub fn name(&self) -> &str {
        &self.container
    }

    /// The same client, waiting up to `timeout` for the changes of service actions (default
    /// 30 s, as ops).
    pub fn with_change_timeout(mut self, timeout: Duration) -> Self {
        self.change_timeout = timeout;
        self
    }

    /// How long service actions wait for their change.
    pub fn change_timeout(&self) -> Duration {
        self.change_timeout
    }

    /// A new connection, or [`Error::NotReachable`].
    pub(crate) fn connect(&self) -> Result<Box<dyn PebbleStream>> {
        self.connector
            .connect(&self.container)
            .map_err(|source| Error::NotReachable { container: self.container.clone(), source })
    }
}
