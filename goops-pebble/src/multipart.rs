//! multipart/form-data for files: reading pull answers with `multer` (driven on this thread:
//! its input is a blocking reader, so no async runtime is needed), and writing push requests.

use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_core::Stream;

/// A blocking reader as a stream that hands out one chunk per poll, answering `Pending` (and
/// waking itself) in between, so that multer parses as the bytes come instead of buffering
/// the whole body first.
struct ReaderStream<R> {
    reader: R,
    pause: bool,
}

impl<R: Read + Unpin> Stream for ReaderStream<R> {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.pause {
            self.pause = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.pause = true;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match self.reader.read(&mut buf) {
                Ok(0) => return Poll::Ready(None),
                Ok(n) => {
                    buf.truncate(n);
                    return Poll::Ready(Some(Ok(Bytes::from(buf))));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
    }
}

/// Run `future` to completion on this thread. Its only source of `Pending` is a
/// [`ReaderStream`], which is always ready again at once, so polling again is right.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// One part of a multipart body, as [`read_parts`] sees it.
pub(crate) struct Part<'a> {
    pub name: Option<&'a str>,
    pub file_name: Option<&'a str>,
    chunk: &'a mut dyn FnMut() -> Result<Option<Bytes>, multer::Error>,
}

impl Part<'_> {
    /// The next chunk of the part's content.
    pub fn next_chunk(&mut self) -> Result<Option<Bytes>, multer::Error> {
        (self.chunk)()
    }

    /// The rest of the content.
    pub fn bytes(&mut self) -> Result<Vec<u8>, multer::Error> {
        let mut out = Vec::new();
        while let Some(chunk) = self.next_chunk()? {
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }
}

/// Parse the multipart body `reader` whose `Content-Type` is `content_type`, calling `each`
/// for every part in order.
pub(crate) fn read_parts<E>(
    content_type: &str,
    reader: impl Read + Send + Unpin,
    bad: impl Fn(String) -> E,
    mut each: impl FnMut(Part<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| bad(format!("bad multipart Content-Type: {e}")))?;
    let mut multipart = multer::Multipart::new(ReaderStream { reader, pause: false }, boundary);
    loop {
        let field = block_on(multipart.next_field()).map_err(|e| bad(format!("bad multipart body: {e}")))?;
        let Some(mut field) = field else { return Ok(()) };
        let name = field.name().map(str::to_owned);
        let file_name = field.file_name().map(str::to_owned);
        let mut chunk = || block_on(field.chunk());
        each(Part { name: name.as_deref(), file_name: file_name.as_deref(), chunk: &mut chunk })?;
    }
}

/// A fresh boundary: 32 random hex digits (Pebble refuses shorter ones, `api_files.go`).
pub(crate) fn boundary() -> String {
    let mut bytes = [0u8; 16];
    // Without the OS's randomness, the time still makes a boundary that a file is unlikely
    // to contain; the boundary is no secret.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        bytes = nanos.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Content-Type` of a body with `boundary` (quoted, as ops sends it).
pub(crate) fn content_type(boundary: &str) -> String {
    format!("multipart/form-data; boundary=\"{boundary}\"")
}

/// Write the head of a part: its delimiter and headers.
pub(crate) fn write_part_head(
    out: &mut dyn Write,
    boundary: &str,
    first: bool,
    content_type: &str,
    disposition: &str,
) -> io::Result<()> {
    let lead = if first { "" } else { "\r\n" };
    write!(
        out,
        "{lead}--{boundary}\r\nContent-Type: {content_type}\r\nContent-Disposition: form-data; {disposition}\r\n\r\n"
    )
}

/// Write the closing delimiter.
pub(crate) fn write_end(out: &mut dyn Write, boundary: &str) -> io::Result<()> {
    write!(out, "\r\n--{boundary}--\r\n")
}

/// `s` as a quoted-string parameter value (RFC 2045 / Go's `mime.ParseMediaType`), or `None`
/// when it cannot be one (a line break).
pub(crate) fn quoted(s: &str) -> Option<String> {
    if s.contains(['\r', '\n']) {
        return None;
    }
    Some(format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_is_32_hex_digits_and_fresh() {
        let a = boundary();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, boundary());
    }

    #[test]
    fn written_parts_read_back() {
        let b = boundary();
        let mut body = Vec::new();
        write_part_head(&mut body, &b, true, "application/json", "name=\"request\"").unwrap();
        body.extend_from_slice(b"{\"action\":\"write\"}");
        let filename = quoted("/etc/a \"b\".conf").unwrap();
        write_part_head(
            &mut body,
            &b,
            false,
            "application/octet-stream",
            &format!("name=\"files\"; filename={filename}"),
        )
        .unwrap();
        body.extend_from_slice(b"line1\r\n--not-a-boundary\r\n");
        write_end(&mut body, &b).unwrap();

        let mut seen = Vec::new();
        read_parts(&content_type(&b), io::Cursor::new(body), String::from, |mut part| {
            let content = part.bytes().map_err(|e| e.to_string())?;
            seen.push((part.name.map(str::to_owned), part.file_name.map(str::to_owned), content));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0], (Some("request".into()), None, b"{\"action\":\"write\"}".to_vec()));
        assert_eq!(seen[1].1.as_deref(), Some("/etc/a \"b\".conf"));
        assert_eq!(seen[1].2, b"line1\r\n--not-a-boundary\r\n");
    }

    #[test]
    fn large_parts_stream_in_chunks() {
        let b = boundary();
        let content = vec![b'x'; 300 * 1024];
        let mut body = Vec::new();
        write_part_head(&mut body, &b, true, "application/octet-stream", "name=\"files\"; filename=\"/f\"").unwrap();
        body.extend_from_slice(&content);
        write_end(&mut body, &b).unwrap();
        let mut chunks = 0;
        let mut total = 0;
        read_parts(&content_type(&b), io::Cursor::new(body), String::from, |mut part| {
            while let Some(chunk) = part.next_chunk().map_err(|e| e.to_string())? {
                chunks += 1;
                total += chunk.len();
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(total, content.len());
        assert!(chunks > 1, "read as it came, not buffered whole");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let result = read_parts(
            "multipart/form-data; boundary=abc",
            io::Cursor::new(b"nonsense".to_vec()),
            String::from,
            |_| Ok(()),
        );
        assert!(result.is_err());
        assert!(read_parts("text/plain", io::Cursor::new(Vec::new()), String::from, |_| Ok(())).is_err());
    }

    #[test]
    fn quoting_escapes_and_refuses_line_breaks() {
        assert_eq!(quoted(r#"/a"b\c"#).as_deref(), Some(r#""/a\"b\\c""#));
        assert_eq!(quoted("/a\nb"), None);
    }
}
