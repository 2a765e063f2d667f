//! A simulated Pebble: one container's Pebble API (`canonical/pebble`, v1.32) served over any
//! byte stream, on the [`ContainerState`] of that container.
//!
//! Real clients talk to it unchanged: Python ops's `ops.pebble.Client` (its oracle), Juju's Go
//! client, goops-rs's own. Services and commands are not really run: services switch state as
//! Pebble reports it, and exec calls answer from the state's [`ExecRule`]s
//! (`crate::state::ExecRule`). Files are real files under the run's container root.
//!
//! One module per API family; each cites the Pebble Go file its texts come from.

mod changes;
mod checks;
mod envelope;
mod exec;
mod files;
mod fs;
mod http;
mod layers;
mod notices;
mod plan;
mod services;
mod system;
#[cfg(test)]
mod testutil;
mod time;

use std::io::{self, Read, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::state::{ContainerState, PebbleRequestRecord};
use envelope::Reply;
use http::{Conn, Request};

/// One container's simulated Pebble. Cheap to clone: clones share the state.
#[derive(Clone)]
pub struct PebbleServer {
    inner: Arc<Inner>,
}

/// What every connection shares.
pub(crate) struct Inner {
    /// The container's name (for messages).
    pub name: String,
    /// The container's filesystem root on the host.
    pub root: PathBuf,
    /// The container's state.
    pub state: Mutex<ContainerState>,
    /// Notified whenever a change moves (`/v1/changes/{id}/wait`) or a notice is added.
    pub moved: Condvar,
    /// Exec sessions waiting for or using their websockets, by task id.
    pub exec: Mutex<exec::Sessions>,
    /// Notified when an exec session moves (a websocket connects, output is sent).
    pub exec_moved: Condvar,
    /// Why the root could not be prepared from the state (file requests then fail with it).
    pub setup_error: Option<String>,
    /// `boot-id` of system-info.
    pub boot_id: String,
}

impl Inner {
    /// Locks the state (a poisoned lock still holds valid data: handlers never leave it half
    /// written).
    pub fn lock(&self) -> MutexGuard<'_, ContainerState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for PebbleServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PebbleServer").field("name", &self.inner.name).field("root", &self.inner.root).finish()
    }
}

/// The combined plan of a container's layers as JSON in Pebble's layer shape (`services`,
/// `checks`, `log-targets`), for the harness's asserts and consistency checks.
pub(crate) fn plan_json(state: &ContainerState) -> Result<serde_json::Value, String> {
    layers::current_plan(state).map(|plan| plan.to_json())
}

impl PebbleServer {
    /// A server for container `name` on `state`, its filesystem rooted at `root` (created if
    /// missing). The state's mounts are copied in and its files written before any request.
    /// Problems preparing the root are recorded as the failure of the first file request
    /// rather than panicking; see [`PebbleServer::setup_error`].
    pub fn new(name: &str, state: ContainerState, root: PathBuf) -> PebbleServer {
        let mut state = state;
        let mut setup_error = fs::prepare_root(&root, &state).err();
        // Checks the state lists as running are driven by a change, as Pebble's are.
        match layers::current_plan(&state) {
            Ok(plan) => checks::plan_changed(&mut state, &plan),
            Err(e) => setup_error = Some(setup_error.map_or(e.clone(), |s| format!("{s}; {e}"))),
        }
        let boot_id = time::boot_id(name);
        PebbleServer {
            inner: Arc::new(Inner {
                name: name.to_owned(),
                root,
                state: Mutex::new(state),
                moved: Condvar::new(),
                exec: Mutex::new(exec::Sessions::default()),
                exec_moved: Condvar::new(),
                setup_error,
                boot_id,
            }),
        }
    }

    /// Why the container root could not be prepared from the state, if it could not.
    pub fn setup_error(&self) -> Option<String> {
        self.inner.setup_error.clone()
    }

    /// Serves one connection until the client closes it (keep-alive), including websocket
    /// upgrades for exec I/O. Blocking.
    pub fn serve_connection<S: Read + Write + Send>(&self, stream: S) {
        let mut conn = Conn::new(stream);
        loop {
            let req = match conn.read_request() {
                Ok(Some(req)) => req,
                // A clean close between requests, or a broken one: either way nothing to answer.
                Ok(None) => return,
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    let reply = envelope::error(400, &format!("{e}"), None);
                    let _ = conn.write_response(&reply.into_response(), true);
                    return;
                }
                Err(_) => return,
            };
            let reply = self.handle(&req);
            let status = reply.status();
            self.record(&req, status);
            if let Reply::Upgrade(upgrade) = reply {
                exec::serve_websocket(&self.inner, conn, &req, upgrade);
                return;
            }
            let close = req.wants_close();
            if conn.write_response(&reply.into_response(), close).is_err() || close {
                return;
            }
        }
    }

    /// Listens on the unix socket `socket` (replacing a stale socket file), serving each
    /// connection on its own thread until [`ListenHandle::stop`].
    pub fn listen(&self, socket: &Path) -> io::Result<ListenHandle> {
        if socket.exists() {
            std::fs::remove_file(socket)?;
        }
        let listener = UnixListener::bind(socket)?;
        let stop = Arc::new(AtomicBool::new(false));
        let server = self.clone();
        let flag = stop.clone();
        // A blocking accept loop; `stop` wakes it with a connection of its own.
        let thread = std::thread::Builder::new().name(format!("pebble-{}", self.inner.name)).spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let server = server.clone();
                // Each connection on its own thread: exec websockets stay open while the
                // client waits on the change over another connection.
                let _ = std::thread::Builder::new()
                    .name("pebble-conn".into())
                    .spawn(move || server.serve_connection(stream));
            }
        })?;
        Ok(ListenHandle { stop, thread: Some(thread), socket: socket.to_owned() })
    }

    /// A snapshot of the container's state; `files` read back from the container root.
    pub fn state(&self) -> ContainerState {
        let mut state = self.inner.lock().clone();
        state.files = fs::snapshot_files(&self.inner.root, &state.files);
        state
    }

    fn record(&self, req: &Request, status: u16) {
        self.inner.lock().history.push(PebbleRequestRecord {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.raw_query.clone(),
            status,
        });
    }

    /// Routes one request (`internals/daemon/api.go`'s table; router answers from
    /// `daemon.go`).
    fn handle(&self, req: &Request) -> Reply {
        let inner = &*self.inner;
        if !inner.lock().can_connect {
            // Unreachable Pebble: the socket is not served; in-process, refuse every request.
            return envelope::error(502, "cannot connect to Pebble", None);
        }
        let segs: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
        let m = req.method.as_str();
        let not_allowed = || envelope::error(405, &format!("method {m:?} not allowed"), None);
        match segs.as_slice() {
            ["v1", "system-info"] => match m {
                "GET" => system::system_info(inner),
                _ => not_allowed(),
            },
            ["v1", "health"] => match m {
                "GET" => checks::health(inner, req),
                _ => not_allowed(),
            },
            ["v1", "plan"] => match m {
                "GET" => layers::get_plan(inner, req),
                _ => not_allowed(),
            },
            ["v1", "layers"] => match m {
                "POST" => layers::post_layers(inner, req),
                _ => not_allowed(),
            },
            ["v1", "services"] => match m {
                "GET" => services::get_services(inner, req),
                "POST" => services::post_services(inner, req),
                _ => not_allowed(),
            },
            // api_services.go: v1GetService / v1PostService.
            ["v1", "services", _] => match m {
                "GET" | "POST" => envelope::bad_request("not implemented"),
                _ => not_allowed(),
            },
            ["v1", "changes"] => match m {
                "GET" => changes::get_changes(inner, req),
                _ => not_allowed(),
            },
            ["v1", "changes", id] => match m {
                "GET" => changes::get_change(inner, id),
                "POST" => changes::post_change(inner, id, req),
                _ => not_allowed(),
            },
            ["v1", "changes", id, "wait"] => match m {
                "GET" => changes::wait_change(inner, id, req),
                _ => not_allowed(),
            },
            ["v1", "files"] => match m {
                "GET" => files::get_files(inner, req),
                "POST" => files::post_files(inner, req),
                _ => not_allowed(),
            },
            ["v1", "exec"] => match m {
                "POST" => exec::post_exec(&self.inner, req),
                _ => not_allowed(),
            },
            ["v1", "tasks", task, "websocket", ws] => match m {
                "GET" => exec::get_websocket(inner, task, ws),
                _ => not_allowed(),
            },
            ["v1", "signals"] => match m {
                "POST" => services::post_signals(inner, req),
                _ => not_allowed(),
            },
            ["v1", "checks"] => match m {
                "GET" => checks::get_checks(inner, req),
                "POST" => checks::post_checks(inner, req),
                _ => not_allowed(),
            },
            ["v1", "checks", "refresh"] => match m {
                "POST" => checks::refresh(inner, req),
                _ => not_allowed(),
            },
            ["v1", "notices"] => match m {
                "GET" => notices::get_notices(inner, req),
                "POST" => notices::post_notices(inner, req),
                _ => not_allowed(),
            },
            ["v1", "notices", id] => match m {
                "GET" => notices::get_notice(inner, id),
                _ => not_allowed(),
            },
            _ => envelope::error(404, "invalid API endpoint requested", None),
        }
    }
}

/// A running [`PebbleServer::listen`].
#[derive(Debug)]
pub struct ListenHandle {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    socket: PathBuf,
}

impl ListenHandle {
    /// Stops accepting connections and removes the socket file. Connections already being
    /// served finish on their own threads.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            // Wake the accept loop; if the socket is already gone the loop is not waiting.
            if std::os::unix::net::UnixStream::connect(&self.socket).is_ok() {
                let _ = thread.join();
            }
        }
        let _ = std::fs::remove_file(&self.socket);
    }
}

impl Drop for ListenHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod exec_tests;
#[cfg(test)]
mod router_tests;
