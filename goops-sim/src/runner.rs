//! Run a charm's `dispatch` (or `hooks/<name>`, `actions/<name>`) as a real process, as Juju's
//! unit agent does: private tools dir on `PATH`, the event's environment, cwd = charm dir, a
//! unix socket serving hook-tool requests on the hook's session, a timeout, then commit or
//! roll back.

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use goops_juju::charmcraft::{CharmMeta, MetaError};

use crate::event::EventOptions;
use crate::protocol::{Request, Response};
use crate::report::{Exit, RunReport};
use crate::session::{EngineError, Session};
use crate::state::State;
use crate::tools::ToolResponse;

/// Why a run could not happen (the charm never ran).
#[derive(Debug, thiserror::Error)]
pub(crate) enum RunError {
    /// The charm directory or its metadata is unusable.
    #[error(transparent)]
    Charm(#[from] MetaError),
    /// The state or event is invalid.
    #[error(transparent)]
    Session(#[from] EngineError),
    /// The charm has no way to handle events.
    #[error("{0}")]
    NoHandler(String),
    /// Setting up the hook environment failed.
    #[error("cannot set up the hook environment: {0}")]
    Setup(std::io::Error),
}

/// Options for one run.
#[derive(Debug, Clone)]
pub(crate) struct RunOptions {
    /// The binary the tool symlinks point to (the `goops-sim` executable).
    pub(crate) tool_binary: PathBuf,
    /// Kill the hook after this long.
    pub(crate) timeout: Duration,
    /// Extra environment variables for the hook process.
    pub(crate) extra_env: BTreeMap<String, String>,
}

pub(crate) fn is_executable(path: &Path) -> bool {
    path.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// A private (0700) temp dir removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    /// A fresh `<prefix>-<pid>-<random>` dir under the system temp dir.
    pub(crate) fn new(prefix: &str) -> std::io::Result<TempDir> {
        let base = std::env::temp_dir();
        for _ in 0..16 {
            let dir = base.join(format!("{prefix}-{}-{}", std::process::id(), crate::ids::random_hex(8)));
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
                    return Ok(TempDir(dir));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other("cannot create a unique temp dir"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Run `event` on the charm in `charm_dir` with `state`.
pub(crate) fn run(
    charm_dir: &Path,
    event: &str,
    state: State,
    event_options: &EventOptions,
    options: &RunOptions,
) -> Result<RunReport, RunError> {
    let charm_dir = charm_dir
        .canonicalize()
        .map_err(|e| RunError::NoHandler(format!("charm directory {}: {e}", charm_dir.display())))?;
    let meta = CharmMeta::from_dir(&charm_dir)?;
    let mut session = Session::for_event(state, meta, event, event_options)?;
    session.charm_dir.clone_from(&charm_dir);

    // Dispatch order (docs/hook-tools.md §2.2): an executable `dispatch`, else hooks/<name> or actions/<name>.
    let dispatch = charm_dir.join("dispatch");
    let legacy = charm_dir.join(session.event.dispatch_path());
    let handler = if dispatch.exists() {
        if !is_executable(&dispatch) {
            return Err(RunError::NoHandler(format!("{} is not executable", dispatch.display())));
        }
        Some(dispatch)
    } else if legacy.exists() {
        if !is_executable(&legacy) {
            return Err(RunError::NoHandler(format!("{} is not executable", legacy.display())));
        }
        Some(legacy)
    } else if !charm_dir.join("hooks").is_dir() && !charm_dir.join("actions").is_dir() {
        return Err(RunError::NoHandler(format!(
            "{}: no executable dispatch (and no hooks/ or actions/ directory)",
            charm_dir.display()
        )));
    } else {
        None
    };
    let Some(handler) = handler else {
        // A missing hook is skipped; a missing action fails (rule 43).
        if session.event.is_action() {
            session.action_not_implemented();
        }
        return Ok(session.finish(true).report(Exit::Skipped, Vec::new(), Vec::new(), None));
    };

    let temp = TempDir::new("goops-sim").map_err(RunError::Setup)?;
    let bin = temp.0.join("bin");
    std::fs::create_dir(&bin).map_err(RunError::Setup)?;
    for tool in crate::tools::tool_names() {
        std::os::unix::fs::symlink(&options.tool_binary, bin.join(tool)).map_err(RunError::Setup)?;
    }
    let socket_path = temp.0.join("agent.socket");
    let listener = UnixListener::bind(&socket_path).map_err(RunError::Setup)?;
    let socket = socket_path.display().to_string();

    let mut env: BTreeMap<String, String> = session.env(&socket).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let host_path = std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".to_owned());
    env.insert("PATH".into(), format!("{}:{host_path}", bin.display()));
    for (k, v) in [("LANG", "C.UTF-8"), ("TERM", "tmux-256color"), ("DEBIAN_FRONTEND", "noninteractive")] {
        env.insert(k.into(), v.into());
    }
    env.insert("APT_LISTCHANGES_FRONTEND".into(), "none".into());
    env.extend(options.extra_env.clone());

    let context_id = session.context_id.clone();
    let shared = Arc::new(Mutex::new(session));
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let shared = Arc::clone(&shared);
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || serve(listener, shared, stop, context_id))
    };

    let stdout_path = temp.0.join("stdout");
    let stderr_path = temp.0.join("stderr");
    let spawn = || -> std::io::Result<std::process::Child> {
        Command::new(&handler)
            .current_dir(&charm_dir)
            .env_clear()
            .envs(&env)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout_path)?)
            .stderr(std::fs::File::create(&stderr_path)?)
            // Its own process group, so a timeout kills everything the hook started.
            .process_group(0)
            .spawn()
    };
    let child = spawn();
    let exit = match child {
        Err(e) => {
            stop_server(&stop, &socket_path, server);
            return Err(RunError::NoHandler(format!("cannot run {}: {e}", handler.display())));
        }
        Ok(mut child) => {
            let started = Instant::now();
            // Poll quickly at first (most hooks take a few milliseconds), then back off to 5 ms.
            let mut pause = Duration::from_micros(100);
            loop {
                match child.try_wait() {
                    Ok(Some(status)) => break status.code().map(Exit::Code).unwrap_or(Exit::Signalled),
                    Ok(None) => {}
                    Err(_) => break Exit::Signalled,
                }
                let reboot_now = shared.lock().map(|s| s.reboot_now).unwrap_or(false);
                if reboot_now || started.elapsed() > options.timeout {
                    kill_group(&mut child);
                    break if reboot_now { Exit::Rebooted } else { Exit::TimedOut(options.timeout) };
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(5));
            }
        }
    };
    stop_server(&stop, &socket_path, server);
    let session = match Arc::try_unwrap(shared) {
        Ok(mutex) => mutex.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()),
        Err(shared) => shared.lock().map(|s| s.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone()),
    };
    let read = |p: &Path| {
        let mut buf = Vec::new();
        let _ = std::fs::File::open(p).and_then(|mut f| f.read_to_end(&mut buf));
        buf
    };
    let (stdout, stderr) = (read(&stdout_path), read(&stderr_path));
    let mut session = session;
    match &exit {
        Exit::Code(0) | Exit::Skipped => {}
        Exit::Code(code) => session.set_exit_message(format!("exit status {code}")),
        Exit::Signalled | Exit::TimedOut(_) | Exit::Rebooted => session.set_exit_message("signal: killed"),
    }
    if session.event.is_action() {
        let code = match &exit {
            Exit::Code(c) => *c,
            _ => -1,
        };
        session.record_action_output(&stdout, &stderr, code);
    }
    let exit_ok = exit.ok();
    Ok(session.finish(exit_ok).report(exit, stdout, stderr, None))
}

fn kill_group(child: &mut std::process::Child) {
    // No libc: ask kill(1) to signal the whole process group, then make sure of the child.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

fn stop_server(stop: &AtomicBool, socket: &Path, server: std::thread::JoinHandle<()>) {
    stop.store(true, Ordering::SeqCst);
    // Wake the blocking accept.
    let _ = std::os::unix::net::UnixStream::connect(socket);
    let _ = server.join();
}

/// Serve tool requests one at a time (Juju runs one tool at a time per context).
fn serve(listener: UnixListener, session: Arc<Mutex<Session>>, stop: Arc<AtomicBool>, context_id: String) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(mut stream) = stream else { continue };
        // A client that never finishes its request must not wedge the agent (or its shutdown).
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let mut body = Vec::new();
        if stream.read_to_end(&mut body).is_err() {
            continue;
        }
        let response = match serde_json::from_slice::<Request>(&body) {
            Err(e) => error_response(&format!("bad request: {e}")),
            Ok(request) => handle(&session, &context_id, request),
        };
        if let Ok(bytes) = serde_json::to_vec(&response) {
            use std::io::Write;
            let _ = stream.write_all(&bytes);
        }
    }
}

fn error_response(message: &str) -> Response {
    Response {
        stdout: String::new(),
        stderr: crate::b64::encode(format!("ERROR {message}\n").as_bytes()),
        code: 1,
        need_stdin: false,
    }
}

fn handle(session: &Mutex<Session>, context_id: &str, request: Request) -> Response {
    if request.context_id != context_id {
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
    let Ok(mut guard) = session.lock() else {
        return error_response("hook session is unavailable");
    };
    match crate::tools::run_in(&mut guard, &request.tool, &args, stdin.as_deref(), &dir) {
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
