//! Test helper: requests sent as raw HTTP/1.1 over a socketpair to `serve_connection`, the
//! response read back with httparse.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

use serde_json::Value;

use super::PebbleServer;
use crate::state::ContainerState;

/// A server on a fresh temp root.
pub(crate) fn server(state: ContainerState) -> (PebbleServer, TempRoot) {
    let root = TempRoot::new();
    (PebbleServer::new("workload", state, root.0.clone()), root)
}

/// A temp container root, removed on drop.
pub(crate) struct TempRoot(pub std::path::PathBuf);

impl TempRoot {
    fn new() -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!("psrv-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
        let _ = std::fs::remove_dir_all(&p);
        TempRoot(p)
    }
}

impl Drop for TempRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A raw response.
pub(crate) struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Sends `method target` with `headers` and `body`; returns the raw response.
pub(crate) fn raw(server: &PebbleServer, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Raw {
    let (mut client, theirs) = UnixStream::pair().unwrap();
    let s = server.clone();
    let t = std::thread::spawn(move || s.serve_connection(theirs));
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    client.write_all(req.as_bytes()).unwrap();
    client.write_all(body).unwrap();
    let mut buf = Vec::new();
    client.read_to_end(&mut buf).unwrap();
    t.join().unwrap();
    let mut hs = [httparse::EMPTY_HEADER; 32];
    let mut resp = httparse::Response::new(&mut hs);
    let len = match resp.parse(&buf).unwrap() {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial => panic!("partial response: {}", String::from_utf8_lossy(&buf)),
    };
    Raw {
        status: resp.code.unwrap(),
        headers: resp
            .headers
            .iter()
            .map(|h| (h.name.to_ascii_lowercase(), String::from_utf8_lossy(h.value).into_owned()))
            .collect(),
        body: buf[len..].to_vec(),
    }
}

/// Sends a JSON request (body `Value::Null` sends none); returns the status and envelope.
pub(crate) fn call(server: &PebbleServer, method: &str, target: &str, body: Value) -> (u16, Value) {
    let body = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
    let r = raw(server, method, target, &[("Content-Type", "application/json")], &body);
    let v: Value =
        serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&r.body)));
    assert_eq!(v["status-code"], r.status, "{v}");
    (r.status, v)
}

/// The `result.message` of an error envelope.
pub(crate) fn message(v: &Value) -> &str {
    v["result"]["message"].as_str().unwrap_or("")
}

/// Adds a layer, panicking unless Pebble answers 200.
pub(crate) fn add_layer(server: &PebbleServer, label: &str, yaml: &str, combine: bool) {
    let (status, v) = call(
        server,
        "POST",
        "/v1/layers",
        serde_json::json!({"action": "add", "label": label, "format": "yaml", "layer": yaml, "combine": combine}),
    );
    assert_eq!(status, 200, "{v}");
}
