//! Running commands in the container (`api_exec.go`, `internals/wsutil/wsutil.go`; ops's
//! `Client.exec`): `POST /v1/exec` starts a change whose task has websockets `control`,
//! `stdio` and (with split stderr) `stderr` at `/v1/tasks/<task>/websocket/<id>`. Data
//! travels in binary frames; a stream ends with the text frame `{"command":"end"}`. The
//! exit code is not on any websocket: it is the `exit-code` of the task's data, read by
//! waiting for the change.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tungstenite::{Message, WebSocket};

use crate::changes::Change;
use crate::client::Client;
use crate::error::{ChangeError, Error, ExecError, Result};
use crate::http::Request;
use crate::transport::PebbleStream;

type Socket = WebSocket<Box<dyn PebbleStream>>;
type Sink = Box<dyn Write + Send>;

/// The text frame that ends a stream.
const END: &str = r#"{"command":"end"}"#;

/// A command to run in the container, built by [`Client::exec`]; run it with
/// [`output`](Exec::output) or [`spawn`](Exec::spawn).
#[must_use = "an Exec does nothing until output() or spawn()"]
pub struct Exec<'c> {
    client: &'c Client,
    body: ExecBody,
    stdin: Option<Box<dyn Read + Send>>,
    stdout: Option<Sink>,
    stderr: Option<Sink>,
}

/// `POST /v1/exec`'s body (the fields ops sends; unset ones are left out).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
struct ExecBody {
    command: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_context: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    environment: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    working_dir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    split_stderr: bool,
    #[serde(skip)]
    timeout_value: Option<Duration>,
}

/// What a finished command printed, and its exit code.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ExecOutput {
    /// The exit code.
    pub exit_code: i32,
    /// Standard output (empty when it was streamed elsewhere).
    pub stdout: Vec<u8>,
    /// Standard error (empty when streamed elsewhere or combined into stdout).
    pub stderr: Vec<u8>,
}

impl ExecOutput {
    /// Standard output as text (lossy).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Standard error as text (lossy).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

impl std::fmt::Debug for ExecOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecOutput")
            .field("exit_code", &self.exit_code)
            .field("stdout_len", &self.stdout.len())
            .field("stderr_len", &self.stderr.len())
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ExecResult {
    task_id: String,
}

impl Client {
    /// A command to run (`["ls", "-l", "/"]`); set options on the [`Exec`], then run it.
    pub fn exec<I, S>(&self, command: I) -> Exec<'_>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Exec {
            client: self,
            body: ExecBody {
                command: command.into_iter().map(Into::into).collect(),
                split_stderr: true,
                ..ExecBody::default()
            },
            stdin: None,
            stdout: None,
            stderr: None,
        }
    }
}

impl<'c> Exec<'c> {
    /// With the environment variable `key=value` (added to Pebble's environment).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.body.environment.insert(key.into(), value.into());
        self
    }

    /// In `dir` (Pebble's default: the user's home, else `/`).
    pub fn working_dir(mut self, dir: impl Into<String>) -> Self {
        self.body.working_dir = Some(dir.into());
        self
    }

    /// As `user`.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.body.user = Some(user.into());
        self
    }

    /// As user ID `id`.
    pub fn user_id(mut self, id: u32) -> Self {
        self.body.user_id = Some(id);
        self
    }

    /// With `group`.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.body.group = Some(group.into());
        self
    }

    /// With group ID `id`.
    pub fn group_id(mut self, id: u32) -> Self {
        self.body.group_id = Some(id);
        self
    }

    /// In the context of `service` (its environment, user, group and working dir, which the
    /// options here override).
    pub fn service_context(mut self, service: impl Into<String>) -> Self {
        self.body.service_context = Some(service.into());
        self
    }

    /// Kill the command after `timeout` (the change then ends in error: [`Error::Change`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.body.timeout = Some(crate::duration::format(timeout));
        self.body.timeout_value = Some(timeout);
        self
    }

    /// Send standard error into standard output (one stream) instead of apart.
    pub fn combine_stderr(mut self) -> Self {
        self.body.split_stderr = false;
        self
    }

    /// Feed `input` to standard input (without any, the command reads end of file).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(Box::new(io::Cursor::new(input.into())));
        self
    }

    /// Feed what `reader` reads to standard input.
    ///
    /// Input is sent before output is read: a command that prints more than the socket
    /// buffers hold (hundreds of KiB) before it has read all of a large input blocks. Push
    /// large input as a file instead.
    pub fn stdin_reader(mut self, reader: impl Read + Send + 'static) -> Self {
        self.stdin = Some(Box::new(reader));
        self
    }

    /// Stream standard output into `sink` instead of capturing it.
    pub fn stdout_to(mut self, sink: impl Write + Send + 'static) -> Self {
        self.stdout = Some(Box::new(sink));
        self
    }

    /// Stream standard error into `sink` instead of capturing it.
    pub fn stderr_to(mut self, sink: impl Write + Send + 'static) -> Self {
        self.stderr = Some(Box::new(sink));
        self
    }

    /// Run to the end; the output (what was not streamed elsewhere) on exit code 0, else
    /// [`Error::Exec`] with the exit code and the output.
    pub fn output(self) -> Result<ExecOutput> {
        self.spawn()?.wait()
    }

    /// Start the command and return at once: the [`Process`] can be signalled and waited for.
    pub fn spawn(self) -> Result<Process> {
        let client = self.client.clone();
        let split = self.body.split_stderr;
        let (change, result) = client.async_change(Request::post_json("/v1/exec", &self.body)?)?;
        let task: ExecResult =
            serde_json::from_value(result).map_err(|e| client.protocol(format!("bad exec result: {e}")))?;
        // ops's order: control, stdio, stderr. Pebble starts the process once the I/O ones are there.
        let control = client.websocket(&task.task_id, "control")?;
        let mut stdio = client.websocket(&task.task_id, "stdio")?;
        let stderr_ws = if split { Some(client.websocket(&task.task_id, "stderr")?) } else { None };

        let captured_out = self.stdout.is_none();
        let captured_err = self.stderr.is_none();
        let mut out_sink: Sink = self.stdout.unwrap_or_else(|| Box::new(Vec::new()));
        let mut stdin = self.stdin;
        let name = client.name().to_owned();
        let stdio_thread = std::thread::spawn(move || -> Result<Vec<u8>> {
            send_stdin(&mut stdio, stdin.as_mut(), &name)?;
            let mut captured = Vec::new();
            let sink: &mut dyn Write = if captured_out { &mut captured } else { &mut out_sink };
            recv_stream(&mut stdio, sink, &name, "standard output")?;
            Ok(captured)
        });
        let stderr_thread = stderr_ws.map(|mut ws| {
            let name = client.name().to_owned();
            let mut err_sink: Option<Sink> = self.stderr;
            std::thread::spawn(move || -> Result<Vec<u8>> {
                let mut captured = Vec::new();
                let sink: &mut dyn Write = match err_sink.as_mut() {
                    Some(sink) if !captured_err => sink,
                    _ => &mut captured,
                };
                recv_stream(&mut ws, sink, &name, "standard error")?;
                Ok(captured)
            })
        });
        Ok(Process {
            client,
            command: self.body.command,
            change,
            timeout: self.body.timeout_value,
            control: Some(control),
            stdio: Some(stdio_thread),
            stderr: stderr_thread,
        })
    }
}

/// A running command ([`Exec::spawn`]).
pub struct Process {
    client: Client,
    command: Vec<String>,
    change: String,
    timeout: Option<Duration>,
    control: Option<Socket>,
    stdio: Option<JoinHandle<Result<Vec<u8>>>>,
    stderr: Option<JoinHandle<Result<Vec<u8>>>>,
}

impl std::fmt::Debug for Process {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Process").field("change", &self.change).finish_non_exhaustive()
    }
}

impl Process {
    /// The exec change's ID.
    pub fn change_id(&self) -> &str {
        &self.change
    }

    /// Send `signal` (`"SIGTERM"`, `"SIGHUP"`, …, as Go's `unix.SignalNum` names them) to the
    /// command, over the control websocket.
    pub fn send_signal(&mut self, signal: &str) -> Result<()> {
        let message = serde_json::json!({"command": "signal", "signal": {"name": signal}}).to_string();
        let Some(control) = self.control.as_mut() else {
            return Err(ws_error(self.client.name(), "the control websocket is closed"));
        };
        control
            .send(Message::text(message))
            .map_err(|e| ws_error(self.client.name(), format!("cannot send the signal: {e}")))
    }

    /// Wait for the command to end; the output (what was not streamed elsewhere) on exit
    /// code 0, else [`Error::Exec`].
    pub fn wait(self) -> Result<ExecOutput> {
        let command = self.command.clone();
        let output = self.wait_output()?;
        if output.exit_code != 0 {
            return Err(ExecError {
                command,
                exit_code: output.exit_code,
                stdout: output.stdout,
                stderr: output.stderr,
            }
            .into());
        }
        Ok(output)
    }

    /// Wait for the command to end and return its exit code and output, whatever the code.
    pub fn wait_output(mut self) -> Result<ExecOutput> {
        let name = self.client.name().to_owned();
        let join = |handle: Option<JoinHandle<Result<Vec<u8>>>>| -> Result<Vec<u8>> {
            match handle {
                None => Ok(Vec::new()),
                Some(h) => h.join().map_err(|_| ws_error(&name, "an exec I/O thread panicked"))?,
            }
        };
        let stdout = join(self.stdio.take());
        let stderr = join(self.stderr.take());
        // ops waits for the exec timeout plus one second: Pebble's own timeout ends the change.
        let change = self.client.wait_change(&self.change, self.timeout.map(|t| t + Duration::from_secs(1)));
        if let Some(mut control) = self.control.take() {
            let _ = control.close(None);
            let _ = control.flush();
        }
        let change = change?;
        if change.err.is_some() || change.status == "Error" {
            return Err(ChangeError { change: Box::new(change) }.into());
        }
        Ok(ExecOutput { exit_code: exit_code(&change), stdout: stdout?, stderr: stderr? })
    }
}

/// The exec task's `exit-code` (-1 when absent, as ops reads it).
fn exit_code(change: &Change) -> i32 {
    change
        .tasks
        .first()
        .and_then(|t| t.data.get("exit-code"))
        .and_then(serde_json::Value::as_i64)
        .and_then(|c| i32::try_from(c).ok())
        .unwrap_or(-1)
}

fn ws_error(container: &str, message: impl Into<String>) -> Error {
    Error::Websocket { container: container.to_owned(), message: message.into() }
}

impl Client {
    /// Open the websocket `id` of exec task `task`.
    fn websocket(&self, task: &str, id: &str) -> Result<Socket> {
        let stream = self.connect()?;
        let url = format!("ws://localhost/v1/tasks/{}/websocket/{id}", crate::changes::path_segment(task));
        match tungstenite::client(url, stream) {
            Ok((socket, _)) => Ok(socket),
            Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(response))) => {
                // Pebble refused the upgrade with an ordinary error envelope.
                let status = response.status().as_u16();
                let body = response.body().as_deref().unwrap_or_default();
                let result = serde_json::from_slice::<crate::http::Envelope>(body)
                    .map(|e| e.result)
                    .unwrap_or_else(|_| serde_json::json!({"message": String::from_utf8_lossy(body)}));
                Err(self.api_error(status, result))
            }
            Err(e) => Err(ws_error(self.name(), format!("cannot open the {id} websocket: {e}"))),
        }
    }
}

/// Send `input` in binary frames, then the end frame (also when there is no input, so a
/// command reading standard input sees end of file).
fn send_stdin(ws: &mut Socket, input: Option<&mut Box<dyn Read + Send>>, container: &str) -> Result<()> {
    let fail = |e: tungstenite::Error| ws_error(container, format!("cannot send standard input: {e}"));
    if let Some(input) = input {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => return Err(Error::Local { what: "read the standard input to send".into(), source }),
            };
            ws.send(Message::binary(buf[..n].to_vec())).map_err(fail)?;
        }
    }
    ws.send(Message::text(END)).map_err(fail)
}

/// Copy binary frames into `sink` until the end frame (or the server closes).
fn recv_stream(ws: &mut Socket, sink: &mut dyn Write, container: &str, what: &str) -> Result<()> {
    loop {
        match ws.read() {
            Ok(Message::Binary(data)) => sink
                .write_all(&data)
                .map_err(|source| Error::Local { what: format!("write the command's {what}"), source })?,
            // Other text frames are control chatter Pebble ignores too (wsutil).
            Ok(Message::Text(text)) if is_end(&text) => break,
            Ok(Message::Close(_)) => break,
            Ok(_) => {}
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => break,
            Err(e) => return Err(ws_error(container, format!("cannot read the command's {what}: {e}"))),
        }
    }
    sink.flush().map_err(|source| Error::Local { what: format!("write the command's {what}"), source })?;
    // Say goodbye without waiting for the answer: the stream is done either way.
    let _ = ws.close(None);
    let _ = ws.flush();
    Ok(())
}

fn is_end(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Command {
        command: String,
    }
    serde_json::from_str::<Command>(text).is_ok_and(|c| c.command == "end")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_body_has_ops_field_names_and_leaves_out_unset_ones() {
        let client = Client::socket("/nonexistent");
        let exec = client
            .exec(["ls", "-l"])
            .env("A", "1")
            .working_dir("/tmp")
            .user_id(0)
            .group("adm")
            .timeout(Duration::from_millis(1500));
        assert_eq!(
            serde_json::to_value(&exec.body).unwrap(),
            serde_json::json!({
                "command": ["ls", "-l"], "environment": {"A": "1"}, "working-dir": "/tmp",
                "timeout": "1.5s", "user-id": 0, "group": "adm", "split-stderr": true
            })
        );
        let exec = client.exec(["true"]).combine_stderr();
        assert_eq!(serde_json::to_value(&exec.body).unwrap()["split-stderr"], false);
    }

    #[test]
    fn end_frame_is_recognised() {
        assert!(is_end(END));
        assert!(is_end(r#"{ "command" : "end" }"#));
        assert!(!is_end(r#"{"command":"signal"}"#));
        assert!(!is_end("end"));
    }

    #[test]
    fn exit_code_comes_from_the_first_task() {
        let change: Change = serde_json::from_value(serde_json::json!({
            "id": "1", "kind": "exec", "summary": "", "status": "Done", "ready": true,
            "tasks": [{"id": "1", "kind": "exec", "summary": "", "status": "Done", "data": {"exit-code": 3}}]
        }))
        .unwrap();
        assert_eq!(exit_code(&change), 3);
        let mut without = change.clone();
        without.tasks[0].data.clear();
        assert_eq!(exit_code(&without), -1);
    }
}
