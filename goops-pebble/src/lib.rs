//! A blocking client for [Pebble](https://github.com/canonical/pebble), the service manager
//! that runs the workload in each container of a Juju Kubernetes (sidecar) charm.
//!
//! The charm container reaches each workload container's Pebble over a unix socket at
//! `/charm/containers/<name>/pebble.socket`. [`Client`] (also named [`Container`]) speaks
//! Pebble's HTTP API over it: system info, layers and the plan, services, files, exec,
//! checks, notices, changes and signals, all typed.
//!
//! ```no_run
//! use goops_pebble::Client;
//!
//! let workload = Client::for_container("workload");
//! assert_eq!(workload.name(), "workload");
//! ```
//!
//! How it connects is a [`Connector`]: [`SocketDir`] in production (the directory can be
//! moved with `GOOPS_PEBBLE_DIR`), anything that gives a byte stream in tests.

mod changes;
mod client;
mod error;
mod transport;

pub use changes::{Change, Task, TaskProgress};
pub use client::{Client, Container};
pub use error::{ApiError, ChangeError, Error, ExecError, PathError, PathErrorKind, Result};
pub use transport::{Connector, DEFAULT_SOCKET_DIR, PebbleStream, SOCKET_DIR_ENV, SocketDir, SocketPath};
