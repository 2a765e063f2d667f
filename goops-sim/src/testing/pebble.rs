//! The in-process harness's workload containers: the same Pebble server logic as `goops-sim
//! run`, reached without a socket file. The charm's Pebble client gets a [`Connector`] whose
//! every connection is one end of a socket pair, the other end served on a thread.

use std::collections::BTreeMap;
use std::io;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use goops_runtime::pebble::{Connector, PebbleStream};

use crate::pebble::PebbleServer;
use crate::runner::TempDir;
use crate::state::ContainerState;

/// How long the end of a run waits for the server threads to see their connections closed.
const DRAIN: Duration = Duration::from_secs(5);

/// The simulated containers of one in-process run.
#[derive(Debug)]
pub(crate) struct InProcessPebble {
    connector: Arc<PairConnector>,
    /// The containers' filesystems for this run (removed once their state is read back).
    roots: TempDir,
}

/// Connects the charm's client to the servers in memory.
#[derive(Debug)]
struct PairConnector {
    servers: BTreeMap<String, PebbleServer>,
    /// The containers whose state says `can_connect: true`.
    reachable: Vec<String>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Connector for PairConnector {
    fn connect(&self, container: &str) -> io::Result<Box<dyn PebbleStream>> {
        let Some(server) = self.servers.get(container) else {
            // What a client sees when the container's socket is not there.
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("container {container:?} is not in the test's state"),
            ));
        };
        if !self.reachable.iter().any(|c| c == container) {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionRefused,
                format!("container {container:?} has can_connect: false in the test's state"),
            ));
        }
        let (ours, theirs) = UnixStream::pair()?;
        let server = server.clone();
        let thread = std::thread::Builder::new()
            .name(format!("goops-sim-pebble-{container}"))
            .spawn(move || server.serve_connection(Box::new(theirs)))?;
        let mut threads = self.threads.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        threads.retain(|t| !t.is_finished());
        threads.push(thread);
        Ok(Box::new(ours))
    }
}

impl InProcessPebble {
    /// Servers for `containers`; `None` when there are none.
    pub(crate) fn start(containers: &BTreeMap<String, ContainerState>) -> io::Result<Option<InProcessPebble>> {
        if containers.is_empty() {
            return Ok(None);
        }
        let roots = TempDir::new("goops-harness-pebble")?;
        let mut servers = BTreeMap::new();
        for (name, state) in containers {
            let root = roots.0.join(name);
            std::fs::create_dir(&root)?;
            servers.insert(name.clone(), PebbleServer::new(name, state.clone(), root));
        }
        let reachable = containers.iter().filter(|(_, c)| c.can_connect).map(|(n, _)| n.clone()).collect();
        let connector = Arc::new(PairConnector { servers, reachable, threads: Mutex::new(Vec::new()) });
        Ok(Some(InProcessPebble { connector, roots }))
    }

    /// The connector to give the charm's context.
    pub(crate) fn connector(&self) -> Arc<dyn Connector> {
        Arc::clone(&self.connector) as Arc<dyn Connector>
    }

    /// Each container's state after the run. The charm's context must be gone (its client
    /// closes each connection after its request), so the server threads end.
    pub(crate) fn finish(self) -> BTreeMap<String, ContainerState> {
        let threads =
            std::mem::take(&mut *self.connector.threads.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        // A connection the charm kept open (leaked into a static, say) must not hang the test.
        let until = Instant::now() + DRAIN;
        for thread in threads {
            while !thread.is_finished() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(1));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
        let states = self.connector.servers.iter().map(|(name, server)| (name.clone(), server.state())).collect();
        drop(self.roots);
        states
    }
}
