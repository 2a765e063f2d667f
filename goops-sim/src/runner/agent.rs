//! The agent side of the hook-tool socket: the run loop accepts connections and serves each on
//! its own thread, so a client that stalls (or a tool that blocks) holds up nobody else; a
//! hook that calls no tool costs no thread. A tool call never outlives the hook.
//!
//! The hook's [`Session`] sits in a [`Hook`]. A tool call runs on a copy of the session (tool
//! calls are still serialised, as Juju runs one at a time per context) and its result replaces
//! the session only if the hook is still running at that moment: a call that blocks (a FIFO
//! given as a file) can be abandoned at the deadline without holding the session, and a write
//! from a process the hook left behind, sent after the hook exited, is refused.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::protocol::{Request, Response};
use crate::session::Session;
use crate::tools::ToolResponse;

/// The largest request a tool may send (its arguments and stdin, base64 in JSON). Juju's own
/// bounds are the controller's API limits; this one keeps a runaway client from exhausting memory.
pub(crate) const MAX_REQUEST: u64 = 64 * 1024 * 1024;

/// How long a connected client has to send its whole request.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The running hook as the agent sees it.
pub(crate) struct Hook {
    /// The session; `None` once the run has taken it back.
    session: Mutex<Option<Session>>,
    /// One tool call at a time (Juju's per-context mutex).
    calls: Mutex<()>,
    /// The hook process, once spawned: a result is only kept while it has not exited.
    pid: Mutex<Option<u32>>,
    context_id: String,
    uid: u32,
    /// Written to (one byte) when a tool asks for `juju-reboot --now`: the run loop polls the
    /// other end and kills the hook.
    reboot_now: Mutex<UnixStream>,
}

impl Hook {
    pub(crate) fn new(session: Session, reboot_now: UnixStream) -> Arc<Hook> {
        Arc::new(Hook {
            context_id: session.context_id.clone(),
            session: Mutex::new(Some(session)),
            calls: Mutex::new(()),
            pid: Mutex::new(None),
            uid: rustix::process::geteuid().as_raw(),
            reboot_now: Mutex::new(reboot_now),
        })
    }

    /// The hook process to watch.
    pub(crate) fn set_pid(&self, pid: u32) {
        if let Ok(mut guard) = self.pid.lock() {
            *guard = Some(pid);
        }
    }

    /// End the hook: take the session back; every later tool call is refused.
    pub(crate) fn close(&self) -> Option<Session> {
        self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
    }

    /// Whether the hook process has exited (without reaping it: the run loop's waiter does).
    fn hook_exited(&self) -> bool {
        let Some(pid) = *self.pid.lock().unwrap_or_else(std::sync::PoisonError::into_inner) else { return false };
        let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else { return true };
        use rustix::process::{WaitId, WaitIdOptions, waitid};
        let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
        // Some(status): exited, not yet reaped; an error (ECHILD): already reaped.
        !matches!(waitid(WaitId::Pid(pid), options), Ok(None))
    }

    /// Serve one connection on a thread of its own.
    pub(crate) fn serve(self: &Arc<Hook>, stream: UnixStream) {
        let hook = Arc::clone(self);
        // Out of threads: the stream is dropped and the client reports the closed connection.
        let _ = std::thread::Builder::new().name("goops-sim-tool".into()).spawn(move || hook.connection(stream));
    }

    fn connection(&self, mut stream: UnixStream) {
        // Only this user's processes may act on the hook (the socket is abstract: no file mode guards it).
        let peer = rustix::net::sockopt::socket_peercred(&stream).map(|c| c.uid.as_raw());
        let response = if peer.ok() != Some(self.uid) {
            error_response("bad request: connection from another user")
        } else {
            let _ = stream.set_read_timeout(Some(REQUEST_TIMEOUT));
            let mut body = Vec::new();
            match (&mut stream).take(MAX_REQUEST + 1).read_to_end(&mut body) {
                Err(e) => error_response(&format!("bad request: cannot read it: {e}")),
                Ok(_) if body.len() as u64 > MAX_REQUEST => {
                    error_response(&format!("bad request: larger than {MAX_REQUEST} bytes"))
                }
                Ok(_) => match serde_json::from_slice::<Request>(&body) {
                    Err(e) => error_response(&format!("bad request: {e}")),
                    Ok(request) => self.handle(request),
                },
            }
        };
        if let Ok(bytes) = serde_json::to_vec(&response) {
            let _ = stream.write_all(&bytes);
        }
    }

    fn handle(&self, request: Request) -> Response {
        if request.context_id != self.context_id {
            return error_response(&format!("bad request: wrong context ID; got {:?}", request.context_id));
        }
        let dir = PathBuf::from(&request.dir);
        if !dir.is_absolute() {
            return error_response("bad request: Dir is not absolute");
        }
        if !crate::tools::tool_names().contains(&request.tool.as_str()) {
            return error_response(&format!("bad request: unknown command: {}", request.tool));
        }
        let stdin = match request.stdin.as_deref().map(crate::b64::decode) {
            Some(Some(bytes)) => Some(bytes),
            Some(None) => return error_response("bad request: stdin is not base64"),
            None => None,
        };
        let args: Vec<std::ffi::OsString> = request.args.iter().map(Into::into).collect();
        let _one_at_a_time = self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Work on a copy: the session itself is never held while a tool runs.
        let copy = {
            let guard = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match guard.as_ref() {
                Some(session) if !self.hook_exited() => session.clone(),
                _ => return error_response(FINISHED),
            }
        };
        let mut session = copy;
        let response = crate::tools::run_in(&mut session, &request.tool, &args, stdin.as_deref(), &dir);
        let reboot_now = session.reboot_now;
        {
            let mut guard = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // The hook may have ended (or been abandoned at its deadline) while the tool ran.
            if guard.is_none() || self.hook_exited() {
                return error_response(FINISHED);
            }
            *guard = Some(session);
        }
        if reboot_now {
            let _ = self.reboot_now.lock().map(|mut tx| tx.write_all(&[1]));
        }
        match response {
            ToolResponse::NeedStdin if stdin.is_none() => Response { need_stdin: true, ..Response::default() },
            response => {
                let out = response.into_output();
                Response {
                    stdout: crate::b64::encode(&out.stdout),
                    stderr: crate::b64::encode(&out.stderr),
                    code: out.code,
                    need_stdin: false,
                }
            }
        }
    }
}

/// What a tool call after the hook's end gets: Juju's server is gone by then, and goops-sim
/// says why instead of a connection error.
const FINISHED: &str = "hook context is finished: the hook process has exited";

fn error_response(message: &str) -> Response {
    Response {
        stdout: String::new(),
        stderr: crate::b64::encode(format!("ERROR {message}\n").as_bytes()),
        code: 1,
        need_stdin: false,
    }
}

#[cfg(test)]
mod tests {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixListener};

    use super::*;
    use crate::{CharmMeta, EventOptions, State};

    fn hook() -> Arc<Hook> {
        let session =
            Session::for_event(State::default(), CharmMeta::default(), "install", &EventOptions::default()).unwrap();
        let (reboot_now, _polled) = UnixStream::pair().unwrap();
        Hook::new(session, reboot_now)
    }

    fn request(hook: &Hook, tool: &str, args: &[&str]) -> Request {
        Request {
            context_id: hook.context_id.clone(),
            dir: "/".to_owned(),
            tool: tool.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            stdin: None,
        }
    }

    fn stderr(response: &Response) -> String {
        String::from_utf8(crate::b64::decode(&response.stderr).unwrap()).unwrap()
    }

    #[test]
    fn nothing_is_accepted_after_the_hook_exited() {
        let hook = hook();
        let mut process = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        hook.set_pid(process.id());
        let before = hook.handle(request(&hook, "state-set", &["a=1"]));
        assert_eq!(before.code, 0, "{}", stderr(&before));
        // The hook exits; its exit is not reaped yet (as in the moment before the run loop wakes).
        process.kill().unwrap();
        let started = std::time::Instant::now();
        while !hook.hook_exited() {
            assert!(started.elapsed() < Duration::from_secs(10), "the killed process never exited");
            std::thread::sleep(Duration::from_millis(5));
        }
        let late = hook.handle(request(&hook, "state-set", &["late=1"]));
        assert_eq!((late.code, stderr(&late)), (1, format!("ERROR {FINISHED}\n")));
        let session = hook.close().unwrap();
        let state = session.pending.unit_state.unwrap();
        assert_eq!(state.get("a").map(String::as_str), Some("1"));
        assert!(!state.contains_key("late"));
        process.wait().unwrap();
        // Once the run took the session back, every call is refused.
        assert_eq!(hook.handle(request(&hook, "is-leader", &[])).code, 1);
    }

    #[test]
    fn a_stalled_client_does_not_hold_up_the_others() {
        let hook = hook();
        let name = format!("goops-sim-test-{}-{}", std::process::id(), crate::ids::random_hex(8));
        let address = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let listener = UnixListener::bind_addr(&address).unwrap();
        {
            // The run loop's part: accept, and serve each connection on its own thread.
            let hook = Arc::clone(&hook);
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    hook.serve(stream);
                }
            });
        }
        // Connected, sending nothing: the server waits REQUEST_TIMEOUT (10 s) for it.
        let _stalled = UnixStream::connect_addr(&address).unwrap();
        let mut stream = UnixStream::connect_addr(&address).unwrap();
        // Far below the stalled client's 10 s: served while it still stalls.
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        stream.write_all(&serde_json::to_vec(&request(&hook, "is-leader", &[])).unwrap()).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).expect("answered while another client stalls");
        let response: Response = serde_json::from_slice(&reply).unwrap();
        assert_eq!(response.code, 0, "{}", stderr(&response));
        assert_eq!(crate::b64::decode(&response.stdout).unwrap(), b"False\n");
    }
}
