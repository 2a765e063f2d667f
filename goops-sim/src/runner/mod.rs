//! Run a charm's `dispatch` (or `hooks/<name>`, `actions/<name>`), or a `juju exec` command, as
//! a real process, as Juju's unit agent does: the tools on `PATH`, the event's environment,
//! cwd = charm dir, a unix socket serving hook-tool requests on the hook's session, a deadline,
//! then commit or roll back.
//!
//! What one run costs goops-sim is kept small, as local models and Python-charm tests run
//! thousands of hooks: the tool directory is made once per binary ([`rundir`]), the socket is
//! abstract (no file), the hook's output goes to memory files, and one `poll` waits for the
//! hook's exit (a pidfd), tool connections and a reboot request at once: no thread runs
//! unless a tool is called.

mod agent;
mod containers;
mod namespace;
pub(crate) mod rundir;

pub(crate) use containers::Placement;
pub(crate) use namespace::{LAUNCH, main as launch_main};

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::AsFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::fs::{FileExt, PermissionsExt};
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use goops_juju::charmcraft::{CharmMeta, MetaError};

use self::agent::Hook;
use self::containers::RunContainers;
use self::namespace::LaunchFailure;
use crate::event::{Event, EventOptions};
use crate::report::{End, Exit, RunReport};
use crate::session::{EngineError, Session};
use crate::state::State;

/// Why a run could not happen (the charm never ran, or the run was interrupted).
#[derive(Debug, thiserror::Error)]
pub(crate) enum RunError {
    /// The charm directory or its metadata is unusable.
    #[error(transparent)]
    Charm(#[from] MetaError),
    /// The state or event is invalid.
    #[error(transparent)]
    Session(#[from] EngineError),
    /// The charm has no way to handle events, or its handler cannot be started.
    #[error("{0}")]
    NoHandler(String),
    /// Setting up the hook environment failed.
    #[error("cannot set up the hook environment: {0}")]
    Setup(std::io::Error),
    /// The state has containers but the hook cannot be given `/charm/containers`.
    #[error("cannot give the hook its containers' Pebble sockets at /charm/containers: {0}")]
    Containers(String),
    /// goops-sim got SIGINT or SIGTERM: the hook's process group was killed, nothing committed.
    #[error("interrupted by {}: the hook was killed and its changes dropped", signal_name(*.0))]
    Interrupted(i32),
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
    /// Set (to the signal's number) by goops-sim's SIGINT/SIGTERM handler.
    pub(crate) interrupt: Arc<AtomicUsize>,
    /// Where the hook finds `/charm/containers` when the state has containers.
    pub(crate) charm_containers: Placement,
}

/// How much of the hook's stdout and of its stderr goes into the report and the action's results.
pub(crate) const MAX_OUTPUT: u64 = 16 * 1024 * 1024;

/// How long goops-sim waits for a killed hook to be reaped before it gives up on it.
const KILL_GRACE: Duration = Duration::from_secs(2);

/// How often the run loop looks at the interrupt flag while the hook runs.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

pub(crate) fn is_executable(path: &Path) -> bool {
    path.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// A private (0700) temp dir removed on drop.
#[derive(Debug)]
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    /// A fresh `<prefix>-<pid>-<random>` dir under the system temp dir.
    pub(crate) fn new(prefix: &str) -> std::io::Result<TempDir> {
        TempDir::new_in(&std::env::temp_dir(), prefix)
    }

    /// A fresh `<prefix>-<pid>-<random>` dir under `base`.
    pub(crate) fn new_in(base: &Path, prefix: &str) -> std::io::Result<TempDir> {
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
    let charm_dir = canonical_charm_dir(charm_dir)?;
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
    execute(session, Command::new(&handler), &handler, &charm_dir, options, None)
}

/// Run `command` (a shell command line) in a hook context of the charm in `charm_dir`, as
/// `juju exec --unit <unit> -- <command>` does: Juju runs it as its `juju-exec` action, through
/// `/bin/bash -s` with the command on stdin, cwd = charm dir, and commits the context's changes
/// whatever the command's exit code (only a command that could not run, was killed or timed
/// out rolls back: `runner.go` `runJujuExecAction`, `juju/utils/exec` `RunCommands`).
pub(crate) fn exec(charm_dir: &Path, command: &str, state: State, options: &RunOptions) -> Result<RunReport, RunError> {
    let charm_dir = canonical_charm_dir(charm_dir)?;
    let meta = CharmMeta::from_dir(&charm_dir)?;
    let event = Event::juju_exec(command, options.timeout, "1");
    let mut session = Session::new(state, meta, event)?;
    session.charm_dir.clone_from(&charm_dir);
    let shell = if Path::new("/bin/bash").exists() { "/bin/bash" } else { "/bin/sh" };
    let mut shell_command = Command::new(shell);
    shell_command.arg("-s");
    execute(session, shell_command, Path::new(shell), &charm_dir, options, Some(command.as_bytes()))
}

fn canonical_charm_dir(charm_dir: &Path) -> Result<PathBuf, RunError> {
    charm_dir.canonicalize().map_err(|e| RunError::NoHandler(format!("charm directory {}: {e}", charm_dir.display())))
}

/// An anonymous in-memory file (no file system, nothing to clean up).
fn memory_file(name: &str) -> std::io::Result<File> {
    let fd = rustix::fs::memfd_create(name, rustix::fs::MemfdFlags::CLOEXEC)?;
    Ok(File::from(fd))
}

/// Run the hook process `command` (whose program is `program`) on `session`.
fn execute(
    session: Session,
    mut command: Command,
    program: &Path,
    charm_dir: &Path,
    options: &RunOptions,
    stdin: Option<&[u8]>,
) -> Result<RunReport, RunError> {
    let runtime = rundir::runtime_dir().map_err(RunError::Setup)?;
    rundir::reap_dead_runs(&runtime);
    let tools = rundir::tool_dir(&runtime, &options.tool_binary).map_err(RunError::Setup)?;
    // An abstract socket: no file to create, nothing left behind if goops-sim is killed.
    let socket_name = format!("goops-sim-{}-{}", std::process::id(), crate::ids::random_hex(16));
    let address = SocketAddr::from_abstract_name(socket_name.as_bytes()).map_err(RunError::Setup)?;
    let listener = UnixListener::bind_addr(&address).map_err(RunError::Setup)?;
    // The workload containers' Pebble servers (none for a machine charm).
    let mut containers = RunContainers::start(&runtime, &session.state.containers).map_err(RunError::Setup)?;

    let mut env: BTreeMap<String, String> =
        session.env(&format!("@{socket_name}")).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let host_path = std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".to_owned());
    env.insert("PATH".into(), format!("{}:{host_path}", tools.display()));
    for (k, v) in [("LANG", "C.UTF-8"), ("TERM", "tmux-256color"), ("DEBIAN_FRONTEND", "noninteractive")] {
        env.insert(k.into(), v.into());
    }
    env.insert("APT_LISTCHANGES_FRONTEND".into(), "none".into());
    if let Some(containers) = &containers {
        env.insert(goops_runtime::pebble::SOCKET_DIR_ENV.into(), containers.sockets().to_string_lossy().into_owned());
    }
    env.extend(options.extra_env.clone());
    let is_action = session.event.is_action();
    let is_exec = session.event.is_exec();

    let (reboot_now, reboot_polled) = UnixStream::pair().map_err(RunError::Setup)?;
    let hook = Hook::new(session, reboot_now);
    listener.set_nonblocking(true).map_err(RunError::Setup)?;
    reboot_polled.set_nonblocking(true).map_err(RunError::Setup)?;

    let stdout = memory_file("stdout").map_err(RunError::Setup)?;
    let stderr = memory_file("stderr").map_err(RunError::Setup)?;
    let stdin = match stdin {
        None => None,
        Some(bytes) => {
            let mut file = memory_file("stdin").map_err(RunError::Setup)?;
            file.write_all(bytes).and_then(|()| file.rewind()).map_err(RunError::Setup)?;
            Some(file)
        }
    };
    let configure = |command: &mut Command| -> std::io::Result<()> {
        let stdin = match &stdin {
            None => Stdio::null(),
            Some(file) => Stdio::from(file.try_clone()?),
        };
        command
            .current_dir(charm_dir)
            .env_clear()
            .envs(&env)
            .stdin(stdin)
            .stdout(Stdio::from(stdout.try_clone()?))
            .stderr(Stdio::from(stderr.try_clone()?))
            // Its own process group, so a timeout or a signal kills everything the hook started.
            .process_group(0);
        Ok(())
    };
    // How the hook reaches /charm/containers: through the launcher's private namespace, or
    // directly (no containers, GOOPS_PEBBLE_DIR only, or the real path).
    let mut through_namespace = false;
    if let Some(containers) = &mut containers {
        match options.charm_containers {
            Placement::Auto | Placement::Namespace => through_namespace = true,
            Placement::RealPath => containers.claim_real_path().map_err(RunError::Containers)?,
            Placement::EnvOnly => {}
        }
    }
    let deadline = Instant::now().checked_add(options.timeout);
    let exit = loop {
        let launched = match (&containers, through_namespace) {
            (Some(c), true) => {
                let mut launcher =
                    namespace::launcher(&options.tool_binary, &c.sockets(), &c.launch_status(), &c.root(), &command);
                configure(&mut launcher).map_err(RunError::Setup)?;
                launch(&mut launcher, program, options, &hook, &listener, &reboot_polled, deadline, &runtime)?
            }
            _ => {
                configure(&mut command).map_err(RunError::Setup)?;
                launch(&mut command, program, options, &hook, &listener, &reboot_polled, deadline, &runtime)?
            }
        };
        // The launcher's word: the hook ran, or why it did not.
        let failure =
            containers.as_ref().filter(|_| through_namespace).and_then(|c| namespace::read_status(&c.launch_status()));
        match (failure, &mut containers) {
            (None, _) | (_, None) => break launched,
            (Some(LaunchFailure::Exec(errno, message)), _) => {
                let error = errno.map_or_else(|| std::io::Error::other(message), std::io::Error::from_raw_os_error);
                return Err(RunError::NoHandler(spawn_error(program, &error)));
            }
            (Some(LaunchFailure::Namespace(why)), Some(c)) => {
                if options.charm_containers == Placement::Namespace {
                    return Err(RunError::Containers(format!("no private mount namespace: {why}")));
                }
                // The hook did not run: run it again, on the real path.
                if let Err(taken) = c.claim_real_path() {
                    return Err(RunError::Containers(namespace::neither(&why, &taken)));
                }
                through_namespace = false;
            }
        }
    };
    // From here on every tool call is refused; one still running (blocked on a FIFO, say) is
    // abandoned with its changes.
    let session = hook.close();
    drop(listener);
    let Some(mut session) = session else {
        return Err(RunError::Setup(std::io::Error::other("the hook's session was lost")));
    };
    let (stdout, stderr) = (read_output(&stdout), read_output(&stderr));
    match &exit {
        Exit::Code(0) | Exit::Skipped => {}
        Exit::Code(code) => session.set_exit_message(format!("exit status {code}")),
        Exit::Signalled(signal) => session.set_exit_message(format!("signal: {}", go_signal_text(*signal))),
        Exit::TimedOut(_) | Exit::Rebooted => session.set_exit_message("signal: killed"),
    }
    if is_action {
        // Go's ExitCode(): -1 for a process killed by a signal.
        let code = match &exit {
            Exit::Code(c) => *c,
            _ => -1,
        };
        session.record_action_output(&stdout, &stderr, code);
    }
    // A `juju exec` command's context is committed whatever its exit code.
    let (exit_ok, end) = match (&exit, is_exec) {
        (Exit::Code(_), true) => (true, Some(End::Completed)),
        _ => (exit.ok(), None),
    };
    // The report is printed and kept (`--records`): secret content the charm echoed is
    // redacted there, as in the tools' stderr.
    let (stdout, stderr) = (session.redact_stderr(&stdout).into_bytes(), session.redact_stderr(&stderr).into_bytes());
    let mut report = session.finish(exit_ok).report(exit, stdout, stderr, end);
    // The workload's changes are not the hook's to roll back: they stand whatever its exit.
    if let Some(containers) = containers {
        report.state.containers = containers.finish();
    }
    Ok(report)
}

/// Spawn `command` (the hook, or its launcher) and wait for it to end: exit, timeout at
/// `deadline`, `juju-reboot --now`, or goops-sim interrupted. Tool calls are served meanwhile.
#[allow(clippy::too_many_arguments)]
fn launch(
    command: &mut Command,
    program: &Path,
    options: &RunOptions,
    hook: &Arc<Hook>,
    listener: &UnixListener,
    reboot_polled: &UnixStream,
    deadline: Option<Instant>,
    runtime: &Path,
) -> Result<Exit, RunError> {
    if let Some(signal) = interrupted(options) {
        return Err(RunError::Interrupted(signal));
    }
    let mut child = command.spawn().map_err(|e| RunError::NoHandler(spawn_error(program, &e)))?;
    let pid = child.id();
    hook.set_pid(pid);
    // If goops-sim is killed with SIGKILL, the next run finds this and kills the hook's group.
    let marker = rundir::RunMarker::write(runtime, pid).ok();
    // Readable when the hook exits (Linux 5.3+); without it the loop polls every few ms.
    let exited =
        rustix::process::pidfd_open(rustix::process::Pid::from_child(&child), rustix::process::PidfdFlags::empty())
            .ok();
    let mut watch = Watch { child: &mut child, exited, listener, reboot: reboot_polled, hook };
    let exit = loop {
        if let Some(signal) = interrupted(options) {
            rundir::kill_group(pid, rustix::process::Signal::KILL);
            watch.reap_killed();
            hook.close();
            drop(marker);
            return Err(RunError::Interrupted(signal));
        }
        if let Some(status) = watch.try_exit() {
            break status;
        }
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if left == Some(Duration::ZERO) {
            rundir::kill_group(pid, rustix::process::Signal::KILL);
            watch.reap_killed();
            break Exit::TimedOut(options.timeout);
        }
        if watch.wait(left.unwrap_or(SIGNAL_POLL).min(SIGNAL_POLL)) {
            rundir::kill_group(pid, rustix::process::Signal::KILL);
            watch.reap_killed();
            break Exit::Rebooted;
        }
    };
    drop(marker);
    Ok(exit)
}

fn interrupted(options: &RunOptions) -> Option<i32> {
    i32::try_from(options.interrupt.load(Ordering::SeqCst)).ok().filter(|s| *s != 0)
}

/// What the run loop waits on: the hook's exit, tool connections, a reboot request.
struct Watch<'a> {
    child: &'a mut std::process::Child,
    /// The hook's pidfd, when the kernel has them.
    exited: Option<rustix::fd::OwnedFd>,
    listener: &'a UnixListener,
    reboot: &'a UnixStream,
    hook: &'a Arc<Hook>,
}

impl Watch<'_> {
    /// The hook's exit, if it has exited (reaping it).
    fn try_exit(&mut self) -> Option<Exit> {
        match self.child.try_wait() {
            Ok(None) => None,
            Ok(Some(status)) => Some(exit_of(Ok(status))),
            Err(e) => Some(exit_of(Err(e))),
        }
    }

    /// Wait at most `timeout` for something to happen; accept and serve new tool connections.
    /// Whether a tool asked for `juju-reboot --now`.
    fn wait(&mut self, timeout: Duration) -> bool {
        use rustix::event::{PollFd, PollFlags, Timespec};
        // Without a pidfd the exit is only seen by polling: wake often.
        let timeout = if self.exited.is_some() { timeout } else { timeout.min(Duration::from_millis(2)) };
        let timespec = Timespec {
            tv_sec: i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(timeout.subsec_nanos()),
        };
        let listener = self.listener.as_fd();
        let reboot = self.reboot.as_fd();
        let mut fds =
            vec![PollFd::from_borrowed_fd(listener, PollFlags::IN), PollFd::from_borrowed_fd(reboot, PollFlags::IN)];
        if let Some(exited) = &self.exited {
            fds.push(PollFd::from_borrowed_fd(exited.as_fd(), PollFlags::IN));
        }
        if rustix::event::poll(&mut fds, Some(&timespec)).is_err() {
            // EINTR (a signal): the loop looks at the interrupt flag and comes back.
            return false;
        }
        let (connecting, rebooting) = (!fds[0].revents().is_empty(), !fds[1].revents().is_empty());
        drop(fds);
        if connecting {
            while let Ok((stream, _)) = self.listener.accept() {
                self.hook.serve(stream);
            }
        }
        if rebooting {
            let mut byte = [0u8; 16];
            let _ = (&mut &*self.reboot).read(&mut byte);
            return true;
        }
        false
    }

    /// Reap the hook after killing it, waiting at most [`KILL_GRACE`] (a process in an
    /// uninterruptible sleep may take longer; the run ends without it).
    fn reap_killed(&mut self) {
        let until = Instant::now() + KILL_GRACE;
        while Instant::now() < until {
            if self.try_exit().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

fn exit_of(status: std::io::Result<std::process::ExitStatus>) -> Exit {
    match status {
        Ok(status) => match (status.code(), status.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, Some(signal)) => Exit::Signalled(signal),
            (None, None) => Exit::Signalled(0),
        },
        Err(_) => Exit::Signalled(0),
    }
}

/// The first [`MAX_OUTPUT`] bytes the hook wrote to `file`.
fn read_output(file: &File) -> Vec<u8> {
    let mut out = Vec::new();
    let mut reader = ReadAt { file, offset: 0 };
    let _ = (&mut reader).take(MAX_OUTPUT).read_to_end(&mut out);
    out
}

/// Reads `file` from `offset` without moving the offset the hook's processes share.
struct ReadAt<'a> {
    file: &'a File,
    offset: u64,
}

impl Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}

/// Why the hook process could not be started, in words that name the real culprit: execve's
/// ENOENT for a script whose `#!` interpreter is missing names the script, not the interpreter.
fn spawn_error(program: &Path, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound
        && program.exists()
        && let Some(interpreter) = shebang_interpreter(program)
        && !Path::new(&interpreter).exists()
    {
        return format!(
            "cannot run {}: its interpreter {interpreter} (from its #! line) does not exist",
            program.display()
        );
    }
    format!("cannot run {}: {e}", program.display())
}

fn shebang_interpreter(program: &Path) -> Option<String> {
    let mut head = [0u8; 256];
    let n = File::open(program).and_then(|mut f| f.read(&mut head)).ok()?;
    let line = head[..n].strip_prefix(b"#!")?;
    let line = line.split(|b| *b == b'\n').next()?;
    let text = String::from_utf8_lossy(line);
    text.split_whitespace().next().map(str::to_owned)
}

/// How Go's `os.ProcessState` names a signal in `signal: <name>` (the `syscall` signal table),
/// which Juju prints as a killed hook's error.
pub(crate) fn go_signal_text(signal: i32) -> String {
    let text = match signal {
        1 => "hangup",
        2 => "interrupt",
        3 => "quit",
        4 => "illegal instruction",
        5 => "trace/breakpoint trap",
        6 => "aborted",
        7 => "bus error",
        8 => "floating point exception",
        9 => "killed",
        10 => "user defined signal 1",
        11 => "segmentation fault",
        12 => "user defined signal 2",
        13 => "broken pipe",
        14 => "alarm clock",
        15 => "terminated",
        _ => return format!("signal {signal}"),
    };
    text.to_owned()
}

/// A signal's conventional name (`SIGKILL`), for goops-sim's own messages.
pub(crate) fn signal_name(signal: i32) -> String {
    let name = match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        10 => "SIGUSR1",
        11 => "SIGSEGV",
        12 => "SIGUSR2",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return format!("signal {signal}"),
    };
    name.to_owned()
}
