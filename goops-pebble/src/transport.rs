//! How the client reaches a container's Pebble: a [`Connector`] opens one byte stream per
//! request (a unix socket in production, [`SocketDir`]); tests hand in their own.

use std::io;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

/// The directory Juju mounts the workload containers' sockets under in the charm container
/// (`charm/containers` of the pod's shared volume; Juju's
/// `internal/provider/kubernetes/application/application.go`).
pub const DEFAULT_SOCKET_DIR: &str = "/charm/containers";

/// The environment variable that overrides [`DEFAULT_SOCKET_DIR`] (for tests and simulators).
pub const SOCKET_DIR_ENV: &str = "GOOPS_PEBBLE_DIR";

/// A byte stream to one container's Pebble (a unix socket in production).
pub trait PebbleStream: io::Read + io::Write + Send {}
impl<T: io::Read + io::Write + Send> PebbleStream for T {}

/// Opens connections to a container's Pebble. The client makes one HTTP request (or one
/// websocket) per connection.
pub trait Connector: Send + Sync {
    /// A new stream to `container`'s Pebble. An error here is reported as
    /// [`Error::NotReachable`](crate::Error::NotReachable).
    fn connect(&self, container: &str) -> io::Result<Box<dyn PebbleStream>>;
}

/// Production connector: `<dir>/<container>/pebble.socket`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketDir {
    dir: PathBuf,
}

impl SocketDir {
    /// The directory from `GOOPS_PEBBLE_DIR` if it is set and not empty, else
    /// `/charm/containers` (where Juju puts the sockets).
    pub fn from_env() -> Self {
        match std::env::var_os(SOCKET_DIR_ENV) {
            Some(dir) if !dir.is_empty() => SocketDir::new(dir),
            _ => SocketDir::new(DEFAULT_SOCKET_DIR),
        }
    }

    /// Sockets under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SocketDir { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The socket path of `container`.
    pub fn socket_path(&self, container: &str) -> PathBuf {
        self.dir.join(container).join("pebble.socket")
    }
}

impl Connector for SocketDir {
    fn connect(&self, container: &str) -> io::Result<Box<dyn PebbleStream>> {
        Ok(Box::new(UnixStream::connect(self.socket_path(container))?))
    }
}

/// A connector for one socket path, whatever the container name ([`Client::socket`](crate::Client::socket)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketPath {
    path: PathBuf,
}

impl SocketPath {
    /// Connect to `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SocketPath { path: path.into() }
    }

    /// The socket path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Connector for SocketPath {
    fn connect(&self, _container: &str) -> io::Result<Box<dyn PebbleStream>> {
        Ok(Box::new(UnixStream::connect(&self.path)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_path_is_dir_container_pebble_socket() {
        let dir = SocketDir::new("/charm/containers");
        assert_eq!(dir.socket_path("workload"), Path::new("/charm/containers/workload/pebble.socket"));
    }

    #[test]
    fn a_missing_socket_is_an_io_error_not_a_panic() {
        let dir = SocketDir::new("/nonexistent-goops-pebble-dir");
        let err = dir.connect("workload").err().expect("no socket there");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
