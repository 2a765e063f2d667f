//! What goops-sim cannot show about the secret tools: the content files as the tool sees them
//! at call time (0600 in a 0700 dir, gone after the call, on error too), values echoed on
//! stderr being redacted, output of the wrong shape, and `null` where Juju prints a nil list.
//! The round trips through goops-sim (tests/tests/hookcmds/secret.rs) cover argv, the parsing
//! of what Juju prints and the failures docs/hook-tools.md lists.

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chrono::{DateTime, Utc};
use common::{Recorder, v};
use goops_runtime::hookcmds::secret::{self, SecretAddOptions, SecretContent, SecretReadMode, SecretSelector};
use goops_runtime::{Error, Expiry, RotatePolicy, SecretOwner, SecretString, ToolOutput};

fn content(pairs: &[(&str, &str)]) -> SecretContent {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), SecretString::from(*v))).collect()
}

/// What a fake tool saw in its `key#file=` arguments at call time.
#[derive(Debug, Default, Clone)]
struct Seen {
    files: Vec<(String, PathBuf, String, u32, u32)>, // key, path, content, file mode, dir mode
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("exists at call time").permissions().mode() & 0o777
}

fn watch_files(rec: &Recorder, tool: &str, output: ToolOutput) -> Rc<RefCell<Seen>> {
    let seen = Rc::new(RefCell::new(Seen::default()));
    let seen2 = seen.clone();
    rec.respond(tool, move |call| {
        for arg in &call.args {
            if let Some((key, path)) = arg.split_once("#file=") {
                let path = PathBuf::from(path);
                let text = std::fs::read_to_string(&path).expect("readable at call time");
                let dir_mode = mode(path.parent().expect("in a dir"));
                seen2.borrow_mut().files.push((key.to_owned(), path.clone(), text, mode(&path), dir_mode));
            }
        }
        output.clone()
    });
    seen
}

#[test]
fn secret_add_argv_files_and_uri() {
    let rec = Recorder::new();
    let seen = watch_files(&rec, "secret-add", ToolOutput::ok("secret:cn0s4cu5gdbs7e2q5l4g\n"));
    let at: DateTime<Utc> = "2030-05-06T07:08:09Z".parse().expect("valid time");
    let opts = SecretAddOptions::new()
        .label("ca")
        .description("the CA")
        .expire(Expiry::At(at))
        .rotate(RotatePolicy::Quarterly)
        .owner(SecretOwner::Unit);
    let uri = secret::secret_add(&rec, &content(&[("private-key", "hunter2"), ("ca-certificate", "PEM")]), &opts)
        .expect("added");
    assert_eq!(uri, "secret:cn0s4cu5gdbs7e2q5l4g");

    let seen = seen.borrow();
    assert_eq!(seen.files.len(), 2);
    let (_, ca_path, ca_text, ca_mode, dir_mode) = &seen.files[0];
    let (_, key_path, key_text, key_mode, _) = &seen.files[1];
    assert_eq!((ca_text.as_str(), key_text.as_str()), ("PEM", "hunter2"));
    assert_eq!((*ca_mode, *key_mode, *dir_mode), (0o600, 0o600, 0o700));
    assert!(!ca_path.parent().expect("dir").exists(), "the content dir is removed after the call");

    let argv = rec.last().args;
    assert_eq!(
        argv,
        v(&[
            "--label",
            "ca",
            "--description",
            "the CA",
            "--expire",
            "2030-05-06T07:08:09Z",
            "--rotate",
            "quarterly",
            "--owner",
            "unit",
            &format!("ca-certificate#file={}", ca_path.display()),
            &format!("private-key#file={}", key_path.display()),
        ])
    );
    assert!(argv.iter().all(|a| !a.contains("hunter2")));
}

#[test]
fn secret_add_error_removes_files_and_redacts() {
    let rec = Recorder::new();
    let seen = watch_files(&rec, "secret-add", ToolOutput::error(1, "this unit is not the leader (value hunter2)"));
    let err = secret::secret_add(&rec, &content(&[("password", "hunter2")]), &SecretAddOptions::new())
        .expect_err("not leader");
    assert!(err.is_not_leader());
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
    let path = seen.borrow().files[0].1.clone();
    assert!(!path.parent().expect("dir").exists(), "removed on error too");
}

#[test]
fn secret_set_errors_redact_cut_and_base64_echoes() {
    // A tool that quotes the start of a value, or its base64 form as Juju stores content: the
    // error (which the dispatcher logs when the handler fails) never carries either.
    let value = "s3cr3t-api-token-0123456789";
    let echoes = [
        "ERROR content \"s3cr3t-api-tok…\" rejected".to_owned(),
        "ERROR content czNjcjN0LWFwaS10b2tlbi0wMTIzNDU2Nzg5 rejected".to_owned(),
        "ERROR content czNjcjN0LWFwaS10b2tl… rejected".to_owned(),
    ];
    for echo in echoes {
        let rec = Recorder::new();
        rec.fail("secret-set", 1, echo.trim_start_matches("ERROR "));
        let err = secret::secret_set(
            &rec,
            "secret:cn0s4cu5gdbs7e2q5l4g",
            Some(&content(&[("token", value)])),
            &Default::default(),
        )
        .expect_err("the tool failed");
        let shown = format!("{err} {err:?}");
        for leak in ["s3cr3t-api", "czNjcjN0LWFw", "LWFwaS10b2tl"] {
            assert!(!shown.contains(leak), "{echo}: {shown}");
        }
        assert!(shown.contains("[REDACTED]") && shown.contains("rejected"), "{shown}");
    }
}

#[test]
fn secret_add_bad_output_is_a_parse_error() {
    let rec = Recorder::new();
    rec.ok("secret-add", "");
    let err = secret::secret_add(&rec, &content(&[("password", "x")]), &SecretAddOptions::new()).expect_err("no uri");
    assert!(matches!(err, Error::Parse { ref tool, .. } if tool == "secret-add"), "{err}");
}

#[test]
fn policies_and_owners_parse() {
    for p in ["never", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"] {
        assert_eq!(p.parse::<RotatePolicy>().expect("valid").as_str(), p);
    }
    let bad = "fortnightly".parse::<RotatePolicy>().expect_err("not a policy");
    assert!(matches!(Error::from(bad), Error::InvalidInput { .. }));
    assert_eq!("unit".parse::<SecretOwner>().expect("valid"), SecretOwner::Unit);
    assert_eq!("app".parse::<SecretOwner>().expect("Juju's short form"), SecretOwner::Application);
    assert!("model".parse::<SecretOwner>().is_err());
    let _: BTreeMap<String, SecretString> = content(&[]);
}

#[test]
fn output_of_the_wrong_shape_is_a_parse_error() {
    let rec = Recorder::new();
    let sel = SecretSelector::id("secret:cn0s4cu5gdbs7e2q5l4g");
    rec.ok("secret-get", r#"{"private-key":"hunter2"}"#).ok("secret-get", "{\"password\": 3}");
    let err =
        secret::secret_get_key(&rec, &sel, "private-key", SecretReadMode::Tracked).expect_err("a map, not a string");
    assert!(matches!(err, Error::Parse { .. }), "{err:?}");
    assert!(!format!("{err:?}").contains("hunter2"), "the output is never quoted: {err:?}");
    let err = secret::secret_get(&rec, &sel, SecretReadMode::Tracked).expect_err("not strings");
    assert!(matches!(err, Error::Parse { .. }));
    assert!(err.to_string().contains("secret-get") && err.to_string().contains("JSON object of strings"), "{err}");
    rec.ok("secret-info-get", "{}");
    let err = secret::secret_info_get(&rec, &sel).expect_err("not one secret");
    assert!(matches!(err, Error::Parse { .. }), "{err:?}");
}

#[test]
fn no_secret_ids_is_null() {
    // secret-ids collects the ids into a nil Go slice: none prints JSON `null` (§1.4).
    let rec = Recorder::new();
    rec.ok("secret-ids", "null\n");
    assert!(secret::secret_ids(&rec).expect("ids").is_empty());
}
