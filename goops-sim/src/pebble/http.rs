//! HTTP/1.1 framing over any byte stream: request heads and chunk sizes are parsed by
//! `httparse`, queries decoded by `form_urlencoded`; responses are written with
//! `Content-Length` (Pebble's Go server does the same for its buffered JSON replies).

use std::io::{self, Read, Write};

/// Largest request head accepted (Go's `http.DefaultMaxHeaderBytes` is 1 MiB).
const MAX_HEAD: usize = 1 << 20;
/// Largest request body accepted: pushes of big files still fit.
const MAX_BODY: usize = 1 << 30;

/// A parsed request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// The raw query string.
    pub raw_query: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body (chunked bodies decoded).
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Every value of query parameter `name`.
    pub fn query_all(&self, name: &str) -> Vec<&str> {
        self.query.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }

    /// The first value of query parameter `name` (Go's `url.Values.Get`: "" when absent).
    pub fn query_get(&self, name: &str) -> &str {
        self.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// Whether the client asked to close the connection after this request.
    pub fn wants_close(&self) -> bool {
        self.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }
}

/// A byte stream with the bytes read past the current request kept for the next one.
pub(crate) struct Conn<S> {
    /// The underlying stream.
    pub stream: S,
    /// Bytes read but not consumed yet.
    pub buf: Vec<u8>,
}

impl<S: Read + Write> Conn<S> {
    /// Wraps `stream`.
    pub fn new(stream: S) -> Self {
        Conn { stream, buf: Vec::new() }
    }

    /// Reads more bytes into the buffer; `Ok(0)` at end of stream.
    fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 16 * 1024];
        let n = loop {
            match self.stream.read(&mut chunk) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// Takes exactly `n` bytes.
    fn take(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < n {
            if self.fill()? == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "body ended early"));
            }
        }
        let rest = self.buf.split_off(n);
        Ok(std::mem::replace(&mut self.buf, rest))
    }

    /// Reads the next request; `Ok(None)` when the client closed the connection between
    /// requests.
    pub fn read_request(&mut self) -> io::Result<Option<Request>> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut parsed = httparse::Request::new(&mut headers);
            match parsed.parse(&self.buf).map_err(|e| invalid(format!("bad request head: {e}")))? {
                httparse::Status::Complete(len) => {
                    let method = parsed.method.unwrap_or_default().to_owned();
                    let target = parsed.path.unwrap_or_default().to_owned();
                    let headers: Vec<(String, String)> = parsed
                        .headers
                        .iter()
                        .map(|h| (h.name.to_ascii_lowercase(), String::from_utf8_lossy(h.value).into_owned()))
                        .collect();
                    self.buf.drain(..len);
                    let (path, raw_query) = match target.split_once('?') {
                        Some((p, q)) => (p.to_owned(), q.to_owned()),
                        None => (target, String::new()),
                    };
                    let query = form_urlencoded::parse(raw_query.as_bytes()).into_owned().collect();
                    let mut req = Request { method, path, raw_query, query, headers, body: Vec::new() };
                    req.body = self.read_body(&req)?;
                    return Ok(Some(req));
                }
                httparse::Status::Partial => {
                    if self.buf.len() > MAX_HEAD {
                        return Err(invalid("request head too large".into()));
                    }
                    if self.fill()? == 0 {
                        if self.buf.is_empty() {
                            return Ok(None);
                        }
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "request head ended early"));
                    }
                }
            }
        }
    }

    fn read_body(&mut self, req: &Request) -> io::Result<Vec<u8>> {
        let chunked = req.header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        if chunked {
            return self.read_chunked();
        }
        let len = match req.header("content-length") {
            Some(v) => v.trim().parse::<usize>().map_err(|_| invalid(format!("bad Content-Length {v:?}")))?,
            None => 0,
        };
        if len > MAX_BODY {
            return Err(invalid("request body too large".into()));
        }
        self.take(len)
    }

    /// Decodes a chunked body (RFC 9112 §7.1): sizes by `httparse::parse_chunk_size`.
    fn read_chunked(&mut self) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let (consumed, size) = loop {
                match httparse::parse_chunk_size(&self.buf) {
                    Ok(httparse::Status::Complete((consumed, size))) => break (consumed, size),
                    Ok(httparse::Status::Partial) => {
                        if self.fill()? == 0 {
                            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "chunked body ended early"));
                        }
                    }
                    Err(_) => return Err(invalid("bad chunk size".into())),
                }
            };
            self.buf.drain(..consumed);
            let size = usize::try_from(size).map_err(|_| invalid("chunk too large".into()))?;
            if body.len() + size > MAX_BODY {
                return Err(invalid("request body too large".into()));
            }
            if size == 0 {
                // Trailer section: header lines until an empty line.
                loop {
                    let line = self.take_line()?;
                    if line.is_empty() {
                        return Ok(body);
                    }
                }
            }
            body.extend(self.take(size)?);
            if self.take_line()? != b"" {
                return Err(invalid("chunk not followed by CRLF".into()));
            }
        }
    }

    /// Takes one CRLF-terminated line, without the CRLF.
    fn take_line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(pos) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.take(pos + 2)?;
                return Ok(line[..pos].to_vec());
            }
            if self.fill()? == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "line ended early"));
            }
        }
    }

    /// Writes one response.
    pub fn write_response(&mut self, resp: &Response, close: bool) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, status_text(resp.status));
        head.push_str(&format!("Content-Type: {}\r\n", resp.content_type));
        for (name, value) in &resp.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        self.stream.write_all(head.as_bytes())?;
        self.stream.write_all(&resp.body)?;
        self.stream.flush()
    }
}

/// A response to write.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// Go's `http.StatusText` for the statuses Pebble answers (`net/http/status.go`).
pub(crate) fn status_text(code: u16) -> &'static str {
    match code {
        101 => "Switching Protocols",
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream reading from fixed bytes and collecting what is written.
    struct Fake {
        input: io::Cursor<Vec<u8>>,
        output: Vec<u8>,
    }
    impl Read for Fake {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }
    impl Write for Fake {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    fn conn(input: &[u8]) -> Conn<Fake> {
        Conn::new(Fake { input: io::Cursor::new(input.to_vec()), output: Vec::new() })
    }

    #[test]
    fn keep_alive_requests_and_chunked_bodies_are_read_in_turn() {
        let mut c = conn(
            b"GET /v1/files?action=list&path=%2Fetc&names=a,b HTTP/1.1\r\nHost: localhost\r\n\r\n\
              POST /v1/files HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n\
              POST /v1/layers HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        );
        let r1 = c.read_request().unwrap().unwrap();
        assert_eq!((r1.method.as_str(), r1.path.as_str()), ("GET", "/v1/files"));
        assert_eq!(r1.query_get("path"), "/etc");
        assert_eq!(r1.query_all("names"), ["a,b"]);
        let r2 = c.read_request().unwrap().unwrap();
        assert_eq!(r2.body, b"abcde");
        let r3 = c.read_request().unwrap().unwrap();
        assert_eq!(r3.body, b"{}");
        assert!(r3.wants_close());
        assert!(c.read_request().unwrap().is_none());
    }

    #[test]
    fn truncated_bodies_and_bad_heads_are_errors() {
        assert!(conn(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab").read_request().is_err());
        assert!(conn(b"GET / HTTP/1.1\r\nBad Header\r\n\r\n").read_request().is_err());
        assert!(conn(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").read_request().is_err());
    }

    #[test]
    fn responses_carry_status_text_and_length() {
        let mut c = conn(b"");
        let resp =
            Response { status: 404, content_type: "application/json".into(), headers: vec![], body: b"{}".to_vec() };
        c.write_response(&resp, true).unwrap();
        let out = String::from_utf8(c.stream.output).unwrap();
        assert!(out.starts_with("HTTP/1.1 404 Not Found\r\n"), "{out}");
        assert!(out.contains("Content-Length: 2\r\n") && out.contains("Connection: close\r\n"));
        assert!(out.ends_with("\r\n\r\n{}"));
    }
}
