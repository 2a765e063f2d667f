//! HTTP/1.1 over one connection per request: the request head is built with the `http`
//! crate's types, the response head parsed with `httparse`, chunked bodies coded with
//! `chunked_transfer`. Pebble's JSON envelope (`internals/daemon/response.go`) is read here too.

use std::io::{self, Cursor, Read, Write};

use serde::Deserialize;
use serde_json::Value;

use crate::client::Client;
use crate::error::{ApiError, Error, Result};
use crate::transport::PebbleStream;

/// The most a response head may take; Pebble's are a few hundred bytes.
const MAX_HEAD: usize = 64 * 1024;
/// The most headers a response may have.
const MAX_HEADERS: usize = 64;

/// What a request carries after its head.
pub(crate) enum Body<'a> {
    /// Nothing.
    Empty,
    /// A complete body (JSON) with its content type, sent with `Content-Length`.
    Bytes(&'static str, Vec<u8>),
    /// A body produced while it is sent, with `Transfer-Encoding: chunked` (file pushes).
    Stream(String, &'a mut dyn FnMut(&mut dyn Write) -> Result<()>),
}

/// One request: method, path, query pairs, extra headers.
pub(crate) struct Request<'a> {
    pub method: http::Method,
    pub path: &'a str,
    pub query: Vec<(&'static str, String)>,
    pub accept: &'static str,
    pub body: Body<'a>,
}

impl<'a> Request<'a> {
    pub fn get(path: &'a str) -> Self {
        Request { method: http::Method::GET, path, query: Vec::new(), accept: "application/json", body: Body::Empty }
    }

    pub fn post_json(path: &'a str, body: &impl serde::Serialize) -> Result<Self> {
        let json =
            serde_json::to_vec(body).map_err(|e| Error::InvalidInput(format!("cannot encode the request: {e}")))?;
        Ok(Request {
            method: http::Method::POST,
            path,
            query: Vec::new(),
            accept: "application/json",
            body: Body::Bytes("application/json", json),
        })
    }

    pub fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    /// The request line's target: path plus the form-encoded query.
    fn target(&self) -> String {
        if self.query.is_empty() {
            return self.path.to_owned();
        }
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.query {
            query.append_pair(k, v);
        }
        format!("{}?{}", self.path, query.finish())
    }

    /// The request head as the `http` crate types it (validated method, target and headers).
    fn head(&self) -> std::result::Result<http::Request<()>, http::Error> {
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(self.target())
            .header(http::header::HOST, "localhost")
            .header(http::header::ACCEPT, self.accept)
            // One request per connection, as ops does: the server closes after answering.
            .header(http::header::CONNECTION, "close");
        builder = match &self.body {
            Body::Empty => builder,
            Body::Bytes(content_type, bytes) => builder
                .header(http::header::CONTENT_TYPE, *content_type)
                .header(http::header::CONTENT_LENGTH, bytes.len()),
            Body::Stream(content_type, _) => builder
                .header(http::header::CONTENT_TYPE, content_type.as_str())
                .header(http::header::TRANSFER_ENCODING, "chunked"),
        };
        builder.body(())
    }
}

/// Write `head` as HTTP/1.1 text.
fn write_head(out: &mut impl Write, head: &http::Request<()>) -> io::Result<()> {
    let target = head.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    write!(out, "{} {} HTTP/1.1\r\n", head.method(), target)?;
    for (name, value) in head.headers() {
        out.write_all(name.as_str().as_bytes())?;
        out.write_all(b": ")?;
        out.write_all(value.as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    out.write_all(b"\r\n")
}

/// A response: status, headers, and the body still to read.
pub(crate) struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: BodyReader,
}

impl Response {
    pub fn content_type(&self) -> &str {
        self.headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

type Rest = io::Chain<Cursor<Vec<u8>>, Box<dyn PebbleStream>>;

/// A response body: `Content-Length` bytes, chunked, or up to the end of the connection.
pub(crate) enum BodyReader {
    Length(io::Take<Rest>),
    Chunked(chunked_transfer::Decoder<Rest>),
    ToEnd(Rest),
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            BodyReader::Length(r) => r.read(buf),
            BodyReader::Chunked(r) => r.read(buf),
            BodyReader::ToEnd(r) => r.read(buf),
        }
    }
}

impl Client {
    /// Send `request` on a new connection and read the response head.
    pub(crate) fn send(&self, mut request: Request<'_>) -> Result<Response> {
        let head = request.head().map_err(|e| Error::InvalidInput(format!("cannot build the request: {e}")))?;
        let mut stream = self.connect()?;
        let io_err = |source| Error::Connection { container: self.name().to_owned(), source };
        let mut out = io::BufWriter::new(&mut stream);
        write_head(&mut out, &head).map_err(io_err)?;
        match &mut request.body {
            Body::Empty => {}
            Body::Bytes(_, bytes) => out.write_all(bytes).map_err(io_err)?,
            Body::Stream(_, produce) => {
                // chunked_transfer's chunk-size line holds at most 4 hex digits: chunks < 64 KiB.
                let mut chunked = chunked_transfer::Encoder::with_chunks_size(&mut out, 32 * 1024);
                produce(&mut chunked)?;
                // Dropping the encoder writes the last chunk; flush first to see errors.
                chunked.flush().map_err(io_err)?;
                drop(chunked);
            }
        }
        out.flush().map_err(io_err)?;
        drop(out);
        self.read_response(stream)
    }

    fn read_response(&self, mut stream: Box<dyn PebbleStream>) -> Result<Response> {
        let io_err = |source| Error::Connection { container: self.name().to_owned(), source };
        let mut buf = Vec::with_capacity(1024);
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream.read(&mut chunk).map_err(io_err)?;
            if n == 0 {
                return Err(self.protocol(format!(
                    "the connection closed before a complete response head ({} bytes read)",
                    buf.len()
                )));
            }
            buf.extend_from_slice(&chunk[..n]);
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Response::new(&mut headers);
            match parsed.parse(&buf) {
                Ok(httparse::Status::Complete(len)) => {
                    let status = parsed.code.unwrap_or_default();
                    let mut map = http::HeaderMap::new();
                    for h in parsed.headers.iter() {
                        let name = http::HeaderName::from_bytes(h.name.as_bytes())
                            .map_err(|e| self.protocol(format!("bad response header name {:?}: {e}", h.name)))?;
                        let value = http::HeaderValue::from_bytes(h.value)
                            .map_err(|e| self.protocol(format!("bad response header value: {e}")))?;
                        map.append(name, value);
                    }
                    let rest: Rest = Cursor::new(buf[len..].to_vec()).chain(stream);
                    let body = body_reader(&map, rest).map_err(|m| self.protocol(m))?;
                    return Ok(Response { status, headers: map, body });
                }
                Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => {}
                Ok(httparse::Status::Partial) => {
                    return Err(self.protocol(format!("response head longer than {MAX_HEAD} bytes")));
                }
                Err(e) => return Err(self.protocol(format!("cannot parse the response head: {e}"))),
            }
        }
    }

    pub(crate) fn protocol(&self, message: impl Into<String>) -> Error {
        Error::Protocol { container: self.name().to_owned(), message: message.into() }
    }

    /// Send a request whose answer is a JSON envelope and return it; error envelopes (and
    /// HTTP errors) become [`Error::Api`].
    pub(crate) fn json(&self, request: Request<'_>) -> Result<Envelope> {
        let response = self.send(request)?;
        self.read_envelope(response)
    }

    /// Read a JSON envelope from `response`.
    pub(crate) fn read_envelope(&self, mut response: Response) -> Result<Envelope> {
        let mut body = Vec::new();
        response
            .body
            .read_to_end(&mut body)
            .map_err(|source| Error::Connection { container: self.name().to_owned(), source })?;
        let envelope: std::result::Result<Envelope, _> = serde_json::from_slice(&body);
        let is_json = response.content_type().starts_with("application/json");
        match envelope {
            Ok(envelope) if envelope.kind == "error" || response.status >= 400 => {
                Err(self.api_error(response.status, envelope.result))
            }
            Ok(_) if !is_json => {
                Err(self.protocol(format!("expected a JSON answer, got Content-Type {:?}", response.content_type())))
            }
            Ok(envelope) => Ok(envelope),
            Err(e) if response.status >= 400 => Err(Error::Api(ApiError {
                container: self.name().to_owned(),
                status: response.status,
                kind: None,
                message: format!("{} (and the body is not a Pebble error: {e})", String::from_utf8_lossy(&body)),
                value: None,
            })),
            Err(e) => Err(self.protocol(format!("cannot decode the JSON answer: {e}"))),
        }
    }

    /// An [`ApiError`] from an error envelope's `result`.
    pub(crate) fn api_error(&self, status: u16, result: Value) -> Error {
        let object = result.as_object();
        let text = |key: &str| object.and_then(|o| o.get(key)).and_then(Value::as_str).map(str::to_owned);
        Error::Api(ApiError {
            container: self.name().to_owned(),
            status,
            kind: text("kind").filter(|k| !k.is_empty()),
            message: text("message").unwrap_or_default(),
            value: object.and_then(|o| o.get("value")).cloned(),
        })
    }

    /// A sync result decoded as `T`.
    pub(crate) fn sync<T: serde::de::DeserializeOwned>(&self, request: Request<'_>) -> Result<T> {
        let envelope = self.json(request)?;
        serde_json::from_value(envelope.result).map_err(|e| self.protocol(format!("cannot decode the result: {e}")))
    }

    /// An async answer's change ID.
    pub(crate) fn async_change(&self, request: Request<'_>) -> Result<(String, Value)> {
        let envelope = self.json(request)?;
        match envelope.change {
            Some(change) if envelope.kind == "async" => Ok((change, envelope.result)),
            _ => Err(self.protocol(format!("expected an async answer with a change ID, got type {:?}", envelope.kind))),
        }
    }
}

fn body_reader(headers: &http::HeaderMap, rest: Rest) -> std::result::Result<BodyReader, String> {
    let chunked = headers
        .get_all(http::header::TRANSFER_ENCODING)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.to_ascii_lowercase().contains("chunked")));
    if chunked {
        return Ok(BodyReader::Chunked(chunked_transfer::Decoder::new(rest)));
    }
    match headers.get(http::header::CONTENT_LENGTH) {
        Some(value) => {
            let len: u64 = value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| format!("bad Content-Length {value:?}"))?;
            Ok(BodyReader::Length(rest.take(len)))
        }
        None => Ok(BodyReader::ToEnd(rest)),
    }
}

/// Pebble's JSON envelope.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub change: Option<String>,
    #[serde(default)]
    pub result: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_head_has_method_target_and_headers() {
        let request = Request::get("/v1/services").query("names", "a,b");
        let mut out = Vec::new();
        write_head(&mut out, &request.head().unwrap()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("GET /v1/services?names=a%2Cb HTTP/1.1\r\n"), "{text}");
        assert!(text.contains("host: localhost\r\n"), "{text}");
        assert!(text.contains("connection: close\r\n"), "{text}");
        assert!(text.ends_with("\r\n\r\n"), "{text}");
    }

    #[test]
    fn query_values_are_form_encoded() {
        let request = Request::get("/v1/files").query("path", "/a b/&c").query("pattern", "*.txt");
        assert_eq!(request.target(), "/v1/files?path=%2Fa+b%2F%26c&pattern=*.txt");
    }

    #[test]
    fn json_body_has_content_length() {
        let request = Request::post_json("/v1/layers", &serde_json::json!({"a": 1})).unwrap();
        let head = request.head().unwrap();
        assert_eq!(head.headers()[http::header::CONTENT_LENGTH], "7");
        assert_eq!(head.headers()[http::header::CONTENT_TYPE], "application/json");
    }

    fn reader(headers: &[(&str, &str)], body: &[u8]) -> BodyReader {
        let mut map = http::HeaderMap::new();
        for (k, v) in headers {
            map.append(http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        let stream: Box<dyn PebbleStream> = Box::new(Cursor::new(Vec::new()));
        body_reader(&map, Cursor::new(body.to_vec()).chain(stream)).unwrap()
    }

    #[test]
    fn bodies_by_length_chunked_and_to_the_end() {
        let mut out = String::new();
        reader(&[("Content-Length", "3")], b"abcdef").read_to_string(&mut out).unwrap();
        assert_eq!(out, "abc");
        out.clear();
        reader(&[("Transfer-Encoding", "chunked")], b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "abcde");
        out.clear();
        reader(&[], b"all of it").read_to_string(&mut out).unwrap();
        assert_eq!(out, "all of it");
    }

    #[test]
    fn bad_content_length_is_an_error() {
        let mut map = http::HeaderMap::new();
        map.append(http::header::CONTENT_LENGTH, "x".parse().unwrap());
        let stream: Box<dyn PebbleStream> = Box::new(Cursor::new(Vec::new()));
        assert!(body_reader(&map, Cursor::new(Vec::new()).chain(stream)).is_err());
    }
}
