//! The one seam between a charm and Juju: running hook tools.
//!
//! Everything the runtime does to Juju goes through [`HookTools::call`]: a tool name, its argv
//! and optional stdin. In production that is [`ProcessTools`], which spawns the tool from
//! `PATH`; tests inject their own implementation (a recorder, or goops-sim's in-process engine)
//! so no process and no global state is involved. Secret content for `secret-add`/`secret-set`
//! is not part of the seam: it travels in files ([`crate::secret_files`]) that the tool (Juju's
//! agent, or a simulator) reads like any other file.

use std::ffi::OsString;
use std::io::Write;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// What a hook tool printed and how it exited.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ToolOutput {
    /// Bytes written to stdout.
    pub stdout: Vec<u8>,
    /// Bytes written to stderr.
    pub stderr: Vec<u8>,
    /// The exit code (`-1` if the tool was killed by a signal).
    pub code: i32,
}

impl ToolOutput {
    /// A successful output with the given stdout.
    pub fn ok(stdout: impl Into<Vec<u8>>) -> Self {
        ToolOutput { stdout: stdout.into(), stderr: Vec::new(), code: 0 }
    }

    /// A failed output with Juju's `ERROR <message>` line on stderr.
    pub fn error(code: i32, message: &str) -> Self {
        ToolOutput { stdout: Vec::new(), stderr: format!("ERROR {message}\n").into_bytes(), code }
    }

    /// Whether the tool exited 0.
    pub fn success(&self) -> bool {
        self.code == 0
    }

    /// `Ok(())` when the tool exited 0, else its failure as a typed error
    /// ([`Error::from_failure`]).
    pub fn check(&self, tool: &str) -> Result<()> {
        if self.success() { Ok(()) } else { Err(Error::from_failure(tool, self.code, &self.stderr)) }
    }
}

// Tool output may carry secret content (secret-get), so Debug shows sizes only.
impl std::fmt::Debug for ToolOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolOutput")
            .field("stdout", &format_args!("<{} bytes>", self.stdout.len()))
            .field("stderr", &format_args!("<{} bytes>", self.stderr.len()))
            .field("code", &self.code)
            .finish()
    }
}

/// Runs Juju hook tools.
///
/// `call` runs `tool` with `args` (no shell) and, when `stdin` is given, feeds it to the tool's
/// standard input. A non-zero exit is not an error at this level: it is returned in
/// [`ToolOutput::code`] and mapped to a typed error by the typed API above. `Err` is only for
/// failing to run the tool at all.
pub trait HookTools {
    /// Run one hook tool to completion.
    fn call(&self, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> Result<ToolOutput>;
}

impl<T: HookTools + ?Sized> HookTools for &T {
    fn call(&self, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> Result<ToolOutput> {
        (**self).call(tool, args, stdin)
    }
}

impl<T: HookTools + ?Sized> HookTools for Box<T> {
    fn call(&self, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> Result<ToolOutput> {
        (**self).call(tool, args, stdin)
    }
}

/// The production [`HookTools`]: spawns each tool as a child process found on `PATH`.
///
/// No shell is involved, so arguments are never re-parsed. The child inherits the hook's
/// environment (Juju's tools need `JUJU_CONTEXT_ID` and the agent socket variables).
#[derive(Debug, Clone, Default)]
pub struct ProcessTools {
    path: Option<OsString>,
}

impl ProcessTools {
    /// Tools from the process's `PATH`.
    pub fn new() -> Self {
        ProcessTools { path: None }
    }

    /// Tools from `path` (a `PATH`-style list of directories) instead of the process's `PATH`;
    /// the tools also run with it as their `PATH`. For tests and simulators: no global state
    /// is touched, so parallel tests can use different tool directories.
    pub fn with_path(path: impl Into<OsString>) -> Self {
        ProcessTools { path: Some(path.into()) }
    }
}

impl HookTools for ProcessTools {
    fn call(&self, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> Result<ToolOutput> {
        let mut command = Command::new(tool);
        command
            .args(args.iter().map(OsString::as_os_str))
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(path) = &self.path {
            // On Unix, std resolves the program with the child's PATH when it is set here.
            command.env("PATH", path);
        }
        let mut child = command.spawn().map_err(|source| spawn_error(tool, source))?;
        let output = match (stdin, child.stdin.take()) {
            (Some(data), Some(mut pipe)) => {
                // Write stdin on another thread: a tool that fills its stdout pipe before it
                // reads its stdin would otherwise deadlock with us.
                std::thread::scope(|scope| {
                    let writer = scope.spawn(move || {
                        // A tool may exit without reading stdin (BrokenPipe); its exit code tells.
                        let _ = pipe.write_all(data);
                    });
                    let output = child.wait_with_output();
                    let _ = writer.join();
                    output
                })
            }
            _ => child.wait_with_output(),
        }
        .map_err(|source| Error::Io { tool: tool.to_owned(), source })?;
        Ok(ToolOutput { stdout: output.stdout, stderr: output.stderr, code: output.status.code().unwrap_or(-1) })
    }
}

fn spawn_error(tool: &str, source: std::io::Error) -> Error {
    if source.kind() == std::io::ErrorKind::NotFound {
        Error::ToolMissing { tool: tool.to_owned() }
    } else {
        Error::Io { tool: tool.to_owned(), source }
    }
}
