//! The files API through HTTP: multipart writes (chunked, quoted boundary, as ops sends them),
//! multipart reads, list, make-dirs and remove, with Pebble's per-path errors.

use serde_json::{Value, json};

use crate::pebble::testutil::{call, message, raw, server};
use crate::state::ContainerState;

const BOUNDARY: &str = "0123456789abcdef0123456789abcdef";

fn multipart(meta: &Value, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"request\"\r\nContent-Type: application/json\r\n\r\n{meta}\r\n").into_bytes();
    for (path, content) in files {
        body.extend(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{path}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").into_bytes());
    body
}

fn write(s: &crate::pebble::PebbleServer, meta: Value, files: &[(&str, &[u8])]) -> (u16, Value) {
    let ct = format!("multipart/form-data; boundary=\"{BOUNDARY}\"");
    let r = raw(s, "POST", "/v1/files", &[("Content-Type", &ct)], &multipart(&meta, files));
    (r.status, serde_json::from_slice(&r.body).unwrap())
}

#[test]
fn writes_record_permissions_and_ownership_and_read_back() {
    let (s, root) = server(ContainerState::default());
    let meta = json!({"action": "write", "files": [
        {"path": "/etc/a/x.conf", "make-dirs": true, "permissions": "600", "user": "app", "group": "app"},
        {"path": "/nodir/y", "make-dirs": null},
        {"path": "/etc/a/z", "permissions": "1000"},
        {"path": "/etc/a/missing"},
    ]});
    let (status, v) = write(&s, meta, &[("/etc/a/x.conf", b"hello"), ("/nodir/y", b"y"), ("/etc/a/z", b"z")]);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["result"][0], json!({"path": "/etc/a/x.conf"}));
    assert_eq!(
        v["result"][1]["error"],
        json!({"kind": "not-found", "message": "createtemp /nodir/y.*~: no such file or directory"})
    );
    assert_eq!(
        v["result"][2]["error"],
        json!({"kind": "generic-file-error", "message": "permissions must be a 3-digit octal string, got \"1000\""})
    );
    assert_eq!(v["result"][3]["error"]["message"], "no file content for path \"/etc/a/missing\"");
    assert_eq!(std::fs::read(root.0.join("etc/a/x.conf")).unwrap(), b"hello");
    let rec = &s.state().files["/etc/a/x.conf"];
    assert_eq!(
        (rec.permissions.as_str(), rec.user.as_deref(), rec.content.as_deref()),
        ("600", Some("app"), Some("hello"))
    );
    assert_eq!(s.state().files["/etc/a"].permissions, "755", "make-dirs parents are 0755");

    let r = raw(
        &s,
        "GET",
        "/v1/files?action=read&path=/etc/a/x.conf&path=/etc/a",
        &[("Accept", "multipart/form-data")],
        b"",
    );
    let body = String::from_utf8(r.body).unwrap();
    assert!(r.headers.iter().any(|(n, v)| n == "content-type" && v.starts_with("multipart/form-data; boundary=")));
    assert!(body.contains("filename=\"/etc/a/x.conf\"") && body.contains("\r\n\r\nhello\r\n"), "{body}");
    assert!(body.contains(r#""message":"can only read a regular file: \"/etc/a\"""#), "{body}");
    let (status, v) = call(&s, "GET", "/v1/files?action=read&path=/x", Value::Null);
    assert_eq!((status, message(&v)), (400, "must accept multipart/form-data"));
}

#[test]
fn whole_request_errors_are_pebbles() {
    let (s, _root) = server(ContainerState::default());
    let r = raw(&s, "POST", "/v1/files", &[("Content-Type", "multipart/form-data; boundary=short")], b"");
    assert_eq!(
        (r.status, serde_json::from_slice::<Value>(&r.body).unwrap()["result"]["message"].clone()),
        (400, json!("invalid boundary \"short\""))
    );
    let (status, v) = write(&s, json!({"action": "read", "files": []}), &[]);
    assert_eq!((status, message(&v)), (400, "multipart action must be \"write\", got \"read\""));
    let (status, v) = write(&s, json!({"action": "write", "files": [{"path": "/a"}]}), &[("/b", b"")]);
    assert_eq!((status, message(&v)), (400, "no metadata for path \"/b\""));
    let (status, v) = call(&s, "POST", "/v1/files", json!({"action": "write"}));
    assert_eq!((status, message(&v)), (400, "must use multipart with \"write\" action"));
    let r = raw(&s, "POST", "/v1/files", &[("Content-Type", "text/plain")], b"");
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).unwrap()["result"]["message"],
        "invalid media type \"text/plain\""
    );
}

#[test]
fn make_dirs_list_and_remove() {
    let (s, _root) = server(ContainerState::default());
    let (_, v) = call(
        &s,
        "POST",
        "/v1/files",
        json!({"action": "make-dirs", "dirs": [
            {"path": "/a/b/c", "make-parents": true, "permissions": "700", "user-id": 1000},
            {"path": "/x/y"},
            {"path": "/a/b"},
            {"path": "rel"},
        ]}),
    );
    let errors: Vec<Value> = v["result"].as_array().unwrap().iter().map(|r| r["error"].clone()).collect();
    assert_eq!(errors[0], Value::Null);
    assert_eq!(errors[1], json!({"kind": "not-found", "message": "mkdir /x/y.mkdir-new: no such file or directory"}));
    assert_eq!(errors[2], json!({"kind": "generic-file-error", "message": "mkdir /a/b: file exists"}));
    assert_eq!(errors[3]["message"], "paths must be absolute, got \"rel\"");
    let (_, v) = call(&s, "GET", "/v1/files?action=list&path=/a/b", Value::Null);
    assert_eq!(v["result"][0]["path"], "/a/b/c");
    assert_eq!((v["result"][0]["permissions"].as_str(), v["result"][0]["user-id"].as_u64()), (Some("700"), Some(1000)));
    let (_, v) = call(&s, "GET", "/v1/files?action=list&path=/a&pattern=z*", Value::Null);
    assert_eq!(v["result"], json!([]));
    let (status, v) = call(&s, "GET", "/v1/files?action=list&path=/a&itself=maybe", Value::Null);
    assert_eq!((status, message(&v)), (400, "itself parameter must be \"true\" or \"false\""));
    let (status, v) = call(&s, "GET", "/v1/files?action=list&path=/nope", Value::Null);
    assert_eq!((status, v["result"]["kind"].as_str()), (404, Some("not-found")));
    let (_, v) = call(
        &s,
        "POST",
        "/v1/files",
        json!({"action": "remove", "paths": [{"path": "/a"}, {"path": "/a", "recursive": true}, {"path": "/gone"}]}),
    );
    assert_eq!(v["result"][0]["error"]["message"], "remove /a: directory not empty");
    assert_eq!(v["result"][1], json!({"path": "/a"}));
    assert_eq!(v["result"][2]["error"]["kind"], "not-found");
    assert!(s.state().files.is_empty());
}
