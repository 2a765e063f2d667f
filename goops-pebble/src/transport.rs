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

    /// A new connection as a read half and a write half that two threads can use at once (a
    /// unix socket and its `try_clone`). Exec uses it for the `stdio` websocket, so standard
    /// input is sent while output is read. The default, `None`, makes exec send all input
    /// before reading output.
    fn connect_split(&self, container: &str) -> io::Result<Option<SplitStream>> {
        let _ = container;
        Ok(None)
    }
}

/// The read and write halves of one connection ([`Connector::connect_split`]).
pub type SplitStream = (Box<dyn io::Read + Send>, Box<dyn io::Write + Send>);

/// Split a unix stream into halves that share the socket.
pub fn split_unix(stream: UnixStream) -> io::Result<SplitStream> {
    let writer = stream.try_clone()?;
    Ok((Box::new(stream), Box::new(writer)))
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

    fn connect_split(&self, container: &str) -> io::Result<Option<SplitStream>> {
        split_unix(UnixStream::connect(self.socket_path(container))?).map(Some)
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

    fn connect_split(&self, _container: &str) -> io::Result<Option<SplitStream>> {
        split_unix(UnixStream::connect(&self.path)?).map(Some)
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

    /// `from_env` reads the process environment, which tests cannot set safely: the test runs
    /// itself as a child with the variable set, unset, and empty.
    #[test]
    fn from_env_uses_goops_pebble_dir_else_jujus_path() {
        const WANT: &str = "GOOPS_PEBBLE_TEST_WANT";
        if let Some(want) = std::env::var_os(WANT) {
            assert_eq!(SocketDir::from_env().dir(), Path::new(&want));
            return;
        }
        let exe = std::env::current_exe().expect("test binary");
        let name = "transport::tests::from_env_uses_goops_pebble_dir_else_jujus_path";
        for (value, want) in [
            (Some("/tmp/sim/containers"), "/tmp/sim/containers"),
            (None, DEFAULT_SOCKET_DIR),
            (Some(""), DEFAULT_SOCKET_DIR),
        ] {
            let mut child = std::process::Command::new(&exe);
            child.args(["--exact", name, "--quiet"]).env(WANT, want);
            match value {
                Some(v) => child.env(SOCKET_DIR_ENV, v),
                None => child.env_remove(SOCKET_DIR_ENV),
            };
            let output = child.output().expect("run the test binary");
            assert!(output.status.success(), "{value:?}: {}", String::from_utf8_lossy(&output.stdout));
            assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"), "the child ran the test");
        }
    }

    #[test]
    fn a_missing_socket_is_an_io_error_not_a_panic() {
        let dir = SocketDir::new("/nonexistent-goops-pebble-dir");
        let err = dir.connect("workload").err().expect("no socket there");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
