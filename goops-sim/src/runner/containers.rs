//! The workload containers of one `goops-sim run`: a Pebble server per container of the state,
//! each on its own unix socket, and the per-run directory that holds them.
//!
//! Layout of the run directory (`<runtime>/pebble-<pid>-<random>`, 0700, removed after the run;
//! a later run removes one left by a goops-sim that was killed):
//!
//! - `containers/<name>/pebble.socket`: the container's Pebble API. The hook gets
//!   `GOOPS_PEBBLE_DIR=<run dir>/containers` (goops-rs charms read it) and, for charms that
//!   hard-code Juju's path (Python `ops`), `/charm/containers` leads there (see [`Placement`]).
//!   A container whose state says `can_connect: false` has its directory but no socket, so a
//!   client's connect fails as it does when Pebble is down.
//! - `fs/<name>/`: the container's filesystem for this run, seeded from the state's mounts by
//!   the server.
//! - `root/`: the empty mount point of the hook's private root (namespace placement).
//! - `launch-status`: what the launcher says when it could not run the hook.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::namespace::RealPath;
use crate::pebble::{ListenHandle, PebbleServer};
use crate::state::ContainerState;

/// Where the hook finds Juju's `/charm/containers/<name>/pebble.socket`
/// (`goops-sim run --charm-containers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Placement {
    /// A private mount namespace; if the kernel refuses one, the real path when it is free.
    #[default]
    Auto,
    /// A private mount namespace only.
    Namespace,
    /// The real path only: `/charm/containers/<name>` made a symlink for the run (it must not
    /// exist), removed after it. Concurrent runs of one container name collide.
    RealPath,
    /// Neither: only `GOOPS_PEBBLE_DIR` leads to the sockets (enough for goops-rs charms).
    EnvOnly,
}

/// The longest unix socket path (`sun_path` holds 108 bytes with the terminating NUL).
const MAX_SOCKET_PATH: usize = 107;

/// One container served for the run.
struct Served {
    name: String,
    server: PebbleServer,
    /// `None` when the state says the container cannot connect.
    listening: Option<ListenHandle>,
}

/// The Pebble servers of one run and their directory.
pub(crate) struct RunContainers {
    dir: super::TempDir,
    served: Vec<Served>,
    /// Set when the hook reaches the sockets through the real `/charm/containers`.
    real_path: Option<RealPath>,
}

impl RunContainers {
    /// Start a server per container in `containers`, under `runtime`; `None` when there are
    /// none (a machine charm's run pays nothing).
    pub(crate) fn start(
        runtime: &Path,
        containers: &BTreeMap<String, ContainerState>,
    ) -> std::io::Result<Option<RunContainers>> {
        if containers.is_empty() {
            return Ok(None);
        }
        let dir = super::TempDir::new_in(runtime, "pebble")?;
        let mut run = RunContainers { dir, served: Vec::new(), real_path: None };
        for sub in ["containers", "fs", "root"] {
            std::fs::create_dir(run.dir.0.join(sub))?;
        }
        for (name, state) in containers {
            let socket_dir = run.sockets().join(name);
            std::fs::create_dir(&socket_dir)?;
            let root = run.dir.0.join("fs").join(name);
            std::fs::create_dir(&root)?;
            let server = PebbleServer::new(name, state.clone(), root);
            let listening = if state.can_connect {
                let socket = socket_dir.join("pebble.socket");
                if socket.as_os_str().len() > MAX_SOCKET_PATH {
                    return Err(std::io::Error::other(format!(
                        "the Pebble socket path {} is longer than a unix socket path may be \
                         ({MAX_SOCKET_PATH} bytes): set TMPDIR to a shorter directory",
                        socket.display()
                    )));
                }
                Some(server.listen(&socket)?)
            } else {
                None
            };
            run.served.push(Served { name: name.clone(), server, listening });
        }
        Ok(Some(run))
    }

    /// The directory of the containers' socket directories (`GOOPS_PEBBLE_DIR`).
    pub(crate) fn sockets(&self) -> PathBuf {
        self.dir.0.join("containers")
    }

    /// The launcher's status file.
    pub(crate) fn launch_status(&self) -> PathBuf {
        self.dir.0.join("launch-status")
    }

    /// The mount point of the hook's private root.
    pub(crate) fn root(&self) -> PathBuf {
        self.dir.0.join("root")
    }

    /// Make the real `/charm/containers/<name>` lead to this run's sockets.
    pub(crate) fn claim_real_path(&mut self) -> Result<(), String> {
        let names: Vec<&str> = self.served.iter().map(|s| s.name.as_str()).collect();
        self.real_path = Some(RealPath::claim(&self.sockets(), &names)?);
        Ok(())
    }

    /// Stop the servers and give each container's state after the run.
    pub(crate) fn finish(self) -> BTreeMap<String, ContainerState> {
        let RunContainers { dir, served, real_path } = self;
        // The hook's view of the sockets goes first, then the servers, then their files.
        drop(real_path);
        let mut states = BTreeMap::new();
        for Served { name, server, listening } in served {
            if let Some(listening) = listening {
                listening.stop();
            }
            states.insert(name, server.state());
        }
        drop(dir);
        states
    }
}
