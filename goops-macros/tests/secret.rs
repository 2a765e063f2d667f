//! `#[secret]` accessors against a recording hook-tool layer.

mod common;

use std::sync::{Arc, Mutex};

use common::Recorder;
use goops_runtime::prelude::*;
use goops_runtime::{RelationId, ToolOutput};

#[secret(
    label = "active-ca-certificates",
    owner = "application",
    rotate = "never",
    description = "ca certificate and private key",
    expire = "365d"
)]
struct CaCertificate {
    private_key: SecretString,
    ca_certificate: String,
    #[secret(key = "serial-number")]
    serial: u64,
    comment: Option<String>,
}

#[allow(dead_code)] // only its options are tested
#[secret(label = "unit-token", owner = "unit")]
struct Token {
    token: SecretString,
}

const ID: &str = "cn0s4cu5gdbs7e2q5l4g";
const CONTENT: &str = r#"{"private-key": "KEY", "ca-certificate": "CERT", "serial-number": "7"}"#;

fn ca() -> CaCertificate {
    CaCertificate {
        private_key: SecretString::from("KEY"),
        ca_certificate: "CERT".to_owned(),
        serial: 7,
        comment: None,
    }
}

/// A recorder that knows the secret: `secret-info-get` finds it by label, `secret-get` returns `content`.
fn owner(content: &str) -> Recorder {
    let tools = Recorder::new();
    tools.stdout(
        "secret-info-get",
        &format!(r#"{{"{ID}": {{"revision": 3, "label": "active-ca-certificates", "owner": "application"}}}}"#),
    );
    tools.stdout("secret-get", content);
    tools
}

fn hook_ctx(tools: &Recorder) -> Context {
    tools.context(&[("JUJU_DISPATCH_PATH", "hooks/config-changed")])
}

#[test]
fn constants_and_options_come_from_the_attribute() {
    assert_eq!(CaCertificate::LABEL, "active-ca-certificates");
    assert_eq!(CaCertificate::KEYS, ["private-key", "ca-certificate", "serial-number", "comment"]);
    let options = CaCertificate::add_options();
    assert_eq!(options.label.as_deref(), Some("active-ca-certificates"));
    assert_eq!(options.owner, SecretOwner::Application);
    assert_eq!(options.rotate, Some(RotatePolicy::Never));
    assert_eq!(options.description.as_deref(), Some("ca certificate and private key"));
    assert_eq!(options.expire, Some(Expiry::In(std::time::Duration::from_secs(365 * 86_400))));
    assert_eq!(Token::add_options().owner, SecretOwner::Unit);
    assert_eq!(Token::add_options().rotate, None);
}

#[test]
fn get_peek_refresh_read_by_label() {
    let tools = owner(CONTENT);
    let ctx = hook_ctx(&tools);
    let got = CaCertificate::get(&ctx).unwrap().expect("exists");
    assert_eq!(got.private_key.expose_secret(), "KEY");
    assert_eq!((got.ca_certificate.as_str(), got.serial, got.comment), ("CERT", 7, None));
    CaCertificate::peek(&ctx).unwrap().unwrap();
    CaCertificate::refresh(&ctx).unwrap().unwrap();
    let calls = tools.calls_of("secret-get");
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0], ["--format=json", "--label", "active-ca-certificates"]);
    assert_eq!(calls[1].last().map(String::as_str), Some("--peek"));
    assert_eq!(calls[2].last().map(String::as_str), Some("--refresh"));
}

#[test]
fn get_is_none_when_the_secret_does_not_exist() {
    let tools = Recorder::new();
    tools.respond("secret-get", |_| ToolOutput::error(1, "consumer label \"active-ca-certificates\" not found"));
    let ctx = hook_ctx(&tools);
    assert!(CaCertificate::get(&ctx).unwrap().is_none());
}

#[test]
fn bad_content_is_an_error_that_hides_the_value() {
    let tools = owner(r#"{"private-key": "KEY", "ca-certificate": "CERT", "serial-number": "not-a-number"}"#);
    let err = CaCertificate::get(&hook_ctx(&tools)).err().expect("parse error");
    let text = err.to_string();
    assert!(text.contains("serial-number") && !text.contains("not-a-number"), "{text}");
    let tools = owner(r#"{"private-key": "KEY"}"#);
    let err = CaCertificate::get(&hook_ctx(&tools)).err().expect("missing key");
    assert!(err.to_string().contains("ca-certificate"), "{err}");
}

#[test]
fn add_sends_content_in_files_never_on_argv() {
    let tools = Recorder::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    tools.respond("secret-add", move |args| {
        for arg in args {
            if let Some((key, path)) = arg.split_once("#file=") {
                let value = std::fs::read_to_string(path).expect("content file exists during the call");
                seen2.lock().unwrap().push((key.to_owned(), value));
            }
        }
        ToolOutput::ok(format!("secret:{ID}\n"))
    });
    let ctx = hook_ctx(&tools);
    assert_eq!(ca().add(&ctx).unwrap(), format!("secret:{ID}"));
    let args = &tools.calls_of("secret-add")[0];
    for flag in ["--label", "active-ca-certificates", "--rotate", "never", "--owner", "application"] {
        assert!(args.iter().any(|a| a == flag), "{flag} missing from {args:?}");
    }
    assert!(args.iter().any(|a| a == "--expire" || a.starts_with("--expire")), "{args:?}");
    assert!(!args.iter().any(|a| a.contains("KEY") || a.contains("CERT")), "secret on argv: {args:?}");
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("ca-certificate".to_owned(), "CERT".to_owned()),
            ("private-key".to_owned(), "KEY".to_owned()),
            ("serial-number".to_owned(), "7".to_owned())
        ]
    );

    // Per-call override of the attribute's options.
    let options = CaCertificate::add_options().owner(SecretOwner::Unit);
    ca().add_with(&ctx, options).unwrap();
    let args = &tools.calls_of("secret-add")[1];
    assert!(args.windows(2).any(|w| w == ["--owner", "unit"]), "{args:?}");
}

#[test]
fn set_creates_a_revision_only_when_content_changed() {
    let tools = owner(CONTENT);
    let ctx = hook_ctx(&tools);
    assert!(!ca().set(&ctx).unwrap());
    assert!(tools.calls_of("secret-set").is_empty());

    let mut changed = ca();
    changed.serial = 8;
    assert!(changed.set(&ctx).unwrap());
    let set = tools.calls_of("secret-set");
    assert_eq!(set.len(), 1);
    assert!(set[0].contains(&format!("secret:{ID}")), "{:?}", set[0]);
    assert!(set[0].iter().any(|a| a.starts_with("serial-number#file=")), "{:?}", set[0]);
}

#[test]
fn id_info_grant_revoke_remove_resolve_the_label() {
    let tools = owner(CONTENT);
    let ctx = hook_ctx(&tools);
    assert_eq!(CaCertificate::id(&ctx).unwrap(), Some(format!("secret:{ID}")));
    assert_eq!(CaCertificate::info(&ctx).unwrap().map(|i| i.revision), Some(3));
    let relation = RelationId::new("certificates", 5);
    CaCertificate::grant(&ctx, &relation, Some("client/0")).unwrap();
    CaCertificate::revoke(&ctx, &relation, None).unwrap();
    CaCertificate::remove(&ctx, Some(2)).unwrap();
    CaCertificate::remove(&ctx, None).unwrap();
    // info() asks; the label is resolved once for id, grant, revoke and remove.
    assert_eq!(tools.calls_of("secret-info-get").len(), 2);
    let id = format!("secret:{ID}");
    for tool in ["secret-grant", "secret-revoke", "secret-remove"] {
        assert!(tools.calls_of(tool).iter().all(|a| a.contains(&id)), "{tool}: {:?}", tools.calls_of(tool));
    }
    let grant = &tools.calls_of("secret-grant")[0];
    assert!(grant.iter().any(|a| a.contains("certificates:5")) && grant.iter().any(|a| a.contains("client/0")));
    let removes = tools.calls_of("secret-remove");
    assert!(removes[0].iter().any(|a| a.contains('2')) && removes[1].len() < removes[0].len(), "{removes:?}");
}

#[test]
fn consumers_read_by_id_with_an_optional_label() {
    let tools = owner(CONTENT);
    let ctx = hook_ctx(&tools);
    CaCertificate::get_by_id(&ctx, &format!("secret:{ID}"), Some("my-ca")).unwrap().unwrap();
    let calls = tools.calls_of("secret-get");
    assert!(calls[0].contains(&format!("secret:{ID}")) && calls[0].contains(&"my-ca".to_owned()), "{calls:?}");
    let tools = owner(CONTENT);
    CaCertificate::get_by_id(&hook_ctx(&tools), ID, None).unwrap().unwrap();
    assert!(!tools.calls_of("secret-get")[0].contains(&"--label".to_owned()));
}

#[test]
fn the_label_error_names_the_secret() {
    let tools = Recorder::new();
    tools.respond("secret-info-get", |_| ToolOutput::error(1, "secret \"active-ca-certificates\" not found"));
    let err = ca().set(&hook_ctx(&tools)).unwrap_err();
    assert!(err.is_not_found() && err.to_string().contains("active-ca-certificates"), "{err}");
}

/// Only the label: `add_options` is the trait's default.
#[secret(label = "api-token")]
struct ApiToken {
    token: SecretString,
}

impl ApiToken {
    /// The struct's own `id`: `#[secret]` adds no inherent methods, so nothing clashes with it.
    fn id(&self) -> &'static str {
        let _ = &self.token;
        "my own id"
    }
}

#[test]
fn the_struct_keeps_its_own_namespace() {
    let token = ApiToken { token: SecretString::from("t0k3n") };
    assert_eq!(token.id(), "my own id");
    let tools = owner(r#"{"token": "t0k3n"}"#);
    let ctx = hook_ctx(&tools);
    // The trait's `id` is still there, through the trait.
    assert_eq!(<ApiToken as TypedSecret>::id(&ctx).unwrap(), Some(format!("secret:{ID}")));
    assert_eq!(ApiToken::get(&ctx).unwrap().map(|t| t.token.expose_secret().to_owned()), Some("t0k3n".to_owned()));
}

#[test]
fn without_options_add_uses_the_trait_default() {
    let options = ApiToken::add_options();
    assert_eq!(options.label.as_deref(), Some("api-token"));
    assert_eq!(
        (options.owner, options.rotate, options.description, options.expire),
        (SecretOwner::Application, None, None, None)
    );
    assert_eq!(ApiToken::KEYS, ["token"]);
}
