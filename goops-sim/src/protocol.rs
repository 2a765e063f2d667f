//! The wire protocol between a hook tool (the `goops-sim` binary called through a symlink) and
//! the runner that holds the hook's session, over the unix socket in
//! `JUJU_AGENT_SOCKET_ADDRESS`.
//!
//! One request per connection, like Juju's `Jujuc.Main` RPC: the client writes a JSON request
//! and shuts down its write half; the server answers with one JSON response. Stdin is not sent
//! up front: if the tool needs it the server answers `need_stdin` and the client asks again
//! with all of its stdin (Juju's `ErrNoStdin` dance).

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

use serde::{Deserialize, Serialize};

/// A tool invocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Request {
    /// `JUJU_CONTEXT_ID` as the client saw it.
    pub(crate) context_id: String,
    /// The client's working directory (absolute).
    pub(crate) dir: String,
    /// The tool name.
    pub(crate) tool: String,
    /// Arguments after the tool name.
    pub(crate) args: Vec<String>,
    /// Stdin, base64, when the server asked for it.
    pub(crate) stdin: Option<String>,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct Response {
    /// Stdout, base64.
    pub(crate) stdout: String,
    /// Stderr, base64.
    pub(crate) stderr: String,
    /// Exit code.
    pub(crate) code: i32,
    /// The tool needs stdin: ask again with it.
    pub(crate) need_stdin: bool,
}

/// Connect to the agent: `@name` is an abstract socket (Linux), anything else a path.
fn connect(socket: &str) -> std::io::Result<UnixStream> {
    match socket.strip_prefix('@') {
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            UnixStream::connect_addr(&std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?)
        }
        None => UnixStream::connect(socket),
    }
}

/// Send one request and read the response.
pub(crate) fn exchange(socket: &str, request: &Request) -> std::io::Result<Response> {
    let mut stream = connect(socket)?;
    let body = serde_json::to_vec(request).map_err(std::io::Error::other)?;
    stream.write_all(&body)?;
    stream.shutdown(std::net::Shutdown::Write)?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    serde_json::from_slice(&reply).map_err(std::io::Error::other)
}

/// The tool-side main: run `tool` with `args` against the session named by the environment.
/// Returns the exit code after writing the tool's stdout and stderr.
pub(crate) fn client_main(tool: &str, args: Vec<String>) -> i32 {
    let fail = |message: &str| {
        let _ = writeln!(std::io::stderr(), "ERROR {message}");
        1
    };
    let Some(context_id) = std::env::var("JUJU_CONTEXT_ID").ok().filter(|v| !v.is_empty()) else {
        return fail("JUJU_CONTEXT_ID not set");
    };
    let Some(socket) = std::env::var("JUJU_AGENT_SOCKET_ADDRESS").ok().filter(|v| !v.is_empty()) else {
        return fail("JUJU_AGENT_SOCKET_ADDRESS not set");
    };
    match std::env::var("JUJU_AGENT_SOCKET_NETWORK").ok().as_deref() {
        Some("unix") => {}
        Some("") | None => return fail("JUJU_AGENT_SOCKET_NETWORK not set"),
        Some(other) => return fail(&format!("unsupported socket network {other:?}")),
    }
    let dir = std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default();
    let mut request = Request { context_id, dir, tool: tool.to_owned(), args, stdin: None };
    let mut response = match exchange(&socket, &request) {
        Ok(r) => r,
        Err(e) => return fail(&format!("cannot connect to the hook session at {socket}: {e}")),
    };
    if response.need_stdin {
        let mut stdin = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut stdin) {
            return fail(&format!("cannot read stdin: {e}"));
        }
        request.stdin = Some(crate::b64::encode(&stdin));
        response = match exchange(&socket, &request) {
            Ok(r) => r,
            Err(e) => return fail(&format!("cannot connect to the hook session at {socket}: {e}")),
        };
    }
    let stdout = crate::b64::decode(&response.stdout).unwrap_or_default();
    let stderr = crate::b64::decode(&response.stderr).unwrap_or_default();
    let _ = std::io::stdout().write_all(&stdout);
    let _ = std::io::stderr().write_all(&stderr);
    response.code
}
