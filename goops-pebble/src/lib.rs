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
//! let info = workload.system_info()?;
//! println!("Pebble {}", info.version);
//! # Ok::<(), goops_pebble::Error>(())
//! ```
//!
//! How it connects is a [`Connector`]: [`SocketDir`] in production (the directory can be
//! moved with `GOOPS_PEBBLE_DIR`), anything that gives a byte stream in tests.

mod changes;
mod checks;
mod client;
mod duration;
mod error;
mod exec;
mod files;
mod http;
mod layer;
mod multipart;
mod services;
mod transport;

pub use changes::{Change, ChangeSelect, Task, TaskProgress};
pub use checks::{CheckInfo, CheckStatus, Notice, NoticesFilter, NotifyOptions};
pub use client::{Client, Container};
pub use error::{ApiError, ChangeError, Error, ExecError, PathError, PathErrorKind, Result};
pub use exec::{Exec, ExecOutput, Process};
pub use files::{FileInfo, FileType, MakeDirOptions, Ownership, PushOptions};
pub use layer::{
    Check, CheckLevel, ExecCheck, HttpCheck, Layer, LogTarget, LogTargetType, Override, Plan, Service, ServiceAction,
    Startup, TcpCheck,
};
pub use services::{ServiceInfo, ServiceStartup, ServiceStatus, ServicesAction, SystemInfo};
pub use transport::{Connector, DEFAULT_SOCKET_DIR, PebbleStream, SOCKET_DIR_ENV, SocketDir, SocketPath};
