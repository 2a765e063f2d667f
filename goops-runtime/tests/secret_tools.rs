//! Every secret tool: exact argv, parsing of real Juju output, error mapping, and the content
//! files (0600 in a 0700 dir, gone after the call).

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chrono::{DateTime, Utc};
use common::{Recorder, v};
use goops_runtime::hookcmds::secret::{
    self, RevokeTarget, SecretAddOptions, SecretContent, SecretReadMode, SecretSelector, SecretSetOptions,
};
use goops_runtime::{Error, Expiry, RelationId, RotatePolicy, SecretOwner, SecretString, ToolOutput};

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
fn secret_add_defaults_and_duration_expiry() {
    let rec = Recorder::new();
    rec.ok("secret-add", "secret:abc\n");
    let opts = SecretAddOptions::new().expire(Expiry::In(std::time::Duration::from_secs(3600)));
    secret::secret_add(&rec, &content(&[("password", "x")]), &opts).expect("added");
    let argv = rec.last().args;
    assert_eq!(&argv[..4], &v(&["--expire", "3600s", "--owner", "application"])[..]);
    assert!(argv[4].starts_with("password#file="));
}

#[test]
fn secret_add_validates_before_calling() {
    let rec = Recorder::new();
    for (bad, what) in [("Bad", "\"Bad\""), ("ab", "\"ab\""), ("a--b", "\"a--b\""), ("key-", "\"key-\"")] {
        let err = secret::secret_add(&rec, &content(&[(bad, "v")]), &SecretAddOptions::new()).expect_err("bad key");
        assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
        assert!(err.to_string().contains(what), "{err}");
    }
    let err = secret::secret_add(&rec, &SecretContent::new(), &SecretAddOptions::new()).expect_err("empty");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let err = secret::secret_add(&rec, &content(&[("password", "")]), &SecretAddOptions::new()).expect_err("empty");
    assert!(err.to_string().contains("password"));
    assert!(rec.calls().is_empty(), "nothing ran");
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
fn secret_add_bad_output_is_a_parse_error() {
    let rec = Recorder::new();
    rec.ok("secret-add", "");
    let err = secret::secret_add(&rec, &content(&[("password", "x")]), &SecretAddOptions::new()).expect_err("no uri");
    assert!(matches!(err, Error::Parse { ref tool, .. } if tool == "secret-add"), "{err}");
}

#[test]
fn secret_set_argv() {
    let rec = Recorder::new();
    let seen = watch_files(&rec, "secret-set", ToolOutput::ok(""));
    let opts = SecretSetOptions::new().label("new").rotate(RotatePolicy::Never);
    secret::secret_set(&rec, "secret:abc", Some(&content(&[("password", "s3cret")])), &opts).expect("set");
    let path = seen.borrow().files[0].1.clone();
    assert_eq!(seen.borrow().files[0].2, "s3cret");
    assert_eq!(
        rec.last().args,
        v(&["--label", "new", "--rotate", "never", "secret:abc", &format!("password#file={}", path.display())])
    );
    // Metadata only: no content args, no temp files.
    secret::secret_set(&rec, "secret:abc", None, &SecretSetOptions::new().description("d")).expect("set");
    assert_eq!(rec.last().args, v(&["--description", "d", "secret:abc"]));
    let err = secret::secret_set(&rec, "", None, &SecretSetOptions::new()).expect_err("no id");
    assert!(matches!(err, Error::InvalidInput { .. }));
}

#[test]
fn secret_get_argv_per_mode_and_parse() {
    let rec = Recorder::new();
    let out = r#"{"ca-certificate":"PEM","private-key":"hunter2"}"#;
    rec.ok("secret-get", out).ok("secret-get", out).ok("secret-get", out).ok("secret-get", out);
    let got = secret::secret_get(&rec, &SecretSelector::id("secret:abc"), SecretReadMode::Tracked).expect("read");
    assert_eq!(got["private-key"].expose_secret(), "hunter2");
    assert!(!format!("{got:?}").contains("hunter2"));
    secret::secret_get(&rec, &SecretSelector::label("ca"), SecretReadMode::Peek).expect("read");
    secret::secret_get(&rec, &SecretSelector::id_with_label("secret:abc", "mine"), SecretReadMode::Refresh)
        .expect("read");
    let one = secret::secret_get_key(&rec, &SecretSelector::id("secret:abc"), "private-key", SecretReadMode::Tracked);
    assert!(one.is_err(), "the whole map is not a JSON string");
    assert_eq!(
        rec.argvs(),
        vec![
            v(&["secret-get", "--format=json", "secret:abc"]),
            v(&["secret-get", "--format=json", "--label", "ca", "--peek"]),
            v(&["secret-get", "--format=json", "secret:abc", "--label", "mine", "--refresh"]),
            v(&["secret-get", "--format=json", "secret:abc", "private-key"]),
        ]
    );
    rec.ok("secret-get", "\"hunter2\"\n");
    let one = secret::secret_get_key(&rec, &SecretSelector::id("secret:abc"), "private-key", SecretReadMode::Tracked)
        .expect("one value");
    assert_eq!(one.expose_secret(), "hunter2");
}

#[test]
fn secret_get_errors() {
    let rec = Recorder::new();
    rec.fail("secret-get", 1, "secret \"secret:abc\" not found")
        .fail("secret-get", 1, "consumer label \"x\" not found")
        .fail("secret-get", 1, "permission denied")
        .fail("secret-get", 2, "require either a secret URI or label")
        .ok("secret-get", "{\"password\": 3}");
    let sel = SecretSelector::id("secret:abc");
    assert!(secret::secret_get(&rec, &sel, SecretReadMode::Tracked).expect_err("nf").is_not_found());
    assert!(
        secret::secret_get(&rec, &SecretSelector::label("x"), SecretReadMode::Tracked).expect_err("nf").is_not_found()
    );
    assert!(secret::secret_get(&rec, &sel, SecretReadMode::Tracked).expect_err("perm").is_permission_denied());
    assert!(matches!(secret::secret_get(&rec, &sel, SecretReadMode::Tracked), Err(Error::InvalidUsage { .. })));
    let err = secret::secret_get(&rec, &sel, SecretReadMode::Tracked).expect_err("bad shape");
    assert!(matches!(err, Error::Parse { .. }));
    assert!(err.to_string().contains("secret-get") && err.to_string().contains("JSON object of strings"));
    let err = secret::secret_get(&rec, &SecretSelector { id: None, label: None }, SecretReadMode::Peek)
        .expect_err("no selector");
    assert!(matches!(err, Error::InvalidInput { .. }));
}

#[test]
fn secret_info_get_parses_every_field() {
    let rec = Recorder::new();
    rec.ok(
        "secret-info-get",
        r#"{"cn0s4cu5gdbs7e2q5l4g":{"revision":2,"label":"ca","owner":"application","description":"the CA",
            "rotation":"monthly","expiry":"2030-01-01T00:00:00.123456789Z","rotates":"2029-02-01T00:00:00Z",
            "access":[{"target":"application-gitlab","scope":"relation-gitlab.db#pg.db","role":"view"}]}}"#,
    );
    let info = secret::secret_info_get(&rec, &SecretSelector::id("secret:cn0s4cu5gdbs7e2q5l4g")).expect("info");
    assert_eq!(info.id, "cn0s4cu5gdbs7e2q5l4g");
    assert_eq!(info.revision, 2);
    assert_eq!(info.label, "ca");
    assert_eq!(info.owner, SecretOwner::Application);
    assert_eq!(info.description.as_deref(), Some("the CA"));
    assert_eq!(info.rotation, Some(RotatePolicy::Monthly));
    assert_eq!(info.expiry.expect("expiry").timestamp_subsec_nanos(), 123_456_789);
    assert_eq!(info.rotates.expect("rotates").to_rfc3339(), "2029-02-01T00:00:00+00:00");
    assert_eq!(info.access.len(), 1);
    assert_eq!(info.access[0].target, "application-gitlab");
    assert_eq!(info.access[0].scope, "relation-gitlab.db#pg.db");
    assert_eq!(info.access[0].role, "view");
    assert_eq!(rec.last().args, v(&["--format=json", "secret:cn0s4cu5gdbs7e2q5l4g"]));

    // Minimal output (unit-owned, nothing optional), by label; id and label together send the id only.
    rec.ok("secret-info-get", r#"{"abc":{"revision":1,"label":"","owner":"unit"}}"#);
    let info = secret::secret_info_get(&rec, &SecretSelector::label("mine")).expect("info");
    assert_eq!((info.owner, info.rotation, info.access.len()), (SecretOwner::Unit, None, 0));
    assert_eq!(rec.last().args, v(&["--format=json", "--label", "mine"]));
    rec.fail("secret-info-get", 1, "secret \"abc\" not found");
    let err = secret::secret_info_get(&rec, &SecretSelector::id_with_label("abc", "l")).expect_err("nf");
    assert!(err.is_not_found());
    assert_eq!(rec.last().args, v(&["--format=json", "abc"]));
    rec.ok("secret-info-get", "{}");
    assert!(matches!(secret::secret_info_get(&rec, &SecretSelector::id("abc")), Err(Error::Parse { .. })));
}

#[test]
fn secret_ids_grant_revoke_remove() {
    let rec = Recorder::new();
    rec.ok("secret-ids", "[\"cn0s4cu5gdbs7e2q5l4g\",\"d0a1\"]\n");
    assert_eq!(secret::secret_ids(&rec).expect("ids"), v(&["cn0s4cu5gdbs7e2q5l4g", "d0a1"]));
    rec.ok("secret-ids", "null\n");
    assert!(secret::secret_ids(&rec).expect("ids").is_empty());
    let rel = RelationId::new("certificates", 7);
    secret::secret_grant(&rec, "secret:abc", &rel, None).expect("grant");
    secret::secret_grant(&rec, "secret:abc", &rel, Some("client/1")).expect("grant");
    secret::secret_revoke(&rec, "secret:abc", &RevokeTarget::Relation(rel.clone())).expect("revoke");
    secret::secret_revoke(&rec, "secret:abc", &RevokeTarget::RelationUnit(rel.clone(), "client/1".into()))
        .expect("revoke");
    secret::secret_revoke(&rec, "secret:abc", &RevokeTarget::Application("client".into())).expect("revoke");
    secret::secret_revoke(&rec, "secret:abc", &RevokeTarget::Unit("client/0".into())).expect("revoke");
    secret::secret_remove(&rec, "secret:abc", None).expect("remove");
    secret::secret_remove(&rec, "secret:abc", Some(3)).expect("remove");
    assert_eq!(
        rec.argvs()[2..],
        vec![
            v(&["secret-grant", "-r", "certificates:7", "secret:abc"]),
            v(&["secret-grant", "-r", "certificates:7", "--unit", "client/1", "secret:abc"]),
            v(&["secret-revoke", "-r", "certificates:7", "secret:abc"]),
            v(&["secret-revoke", "-r", "certificates:7", "--unit", "client/1", "secret:abc"]),
            v(&["secret-revoke", "--app", "client", "secret:abc"]),
            v(&["secret-revoke", "--unit", "client/0", "secret:abc"]),
            v(&["secret-remove", "secret:abc"]),
            v(&["secret-remove", "secret:abc", "--revision", "3"]),
        ][..]
    );
    rec.fail("secret-grant", 1, "this unit is not the leader");
    assert!(secret::secret_grant(&rec, "secret:abc", &rel, None).expect_err("nl").is_not_leader());
    rec.fail("secret-grant", 1, "secret \"abc\" not found");
    assert!(secret::secret_grant(&rec, "secret:abc", &rel, None).expect_err("nf").is_not_found());
    rec.fail("secret-grant", 2, "invalid value \"certificates:7\" for option -r: relation not found");
    assert!(secret::secret_grant(&rec, "secret:abc", &rel, None).expect_err("nf").is_not_found());
    rec.fail(
        "secret-grant",
        1,
        "any unit level grants need to be revoked before granting access to the corresponding application",
    );
    assert!(matches!(secret::secret_grant(&rec, "secret:abc", &rel, None), Err(Error::ToolFailed { code: 1, .. })));
    rec.fail("secret-revoke", 2, "specify only one of application or unit");
    assert!(matches!(
        secret::secret_revoke(&rec, "secret:abc", &RevokeTarget::Unit("u/0".into())),
        Err(Error::InvalidUsage { .. })
    ));
    rec.fail("secret-remove", 1, "this unit is not the leader");
    assert!(secret::secret_remove(&rec, "secret:abc", None).expect_err("nl").is_not_leader());
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
