//! A small certificates charm as a charm author writes it, compiled and dispatched: a typed
//! secret, handlers without `self`, a relation handler and an action whose `ActionResult`
//! carries a serializable struct.

mod common;

use common::Recorder;
use goops_runtime::prelude::*;
use goops_runtime::{Outcome, ToolOutput, dispatch};

#[secret(
    label = "active-ca-certificates",
    owner = "application",
    rotate = "never",
    description = "ca certificate and private key for the certificates charm"
)]
struct CaCertificate {
    private_key: SecretString, // content key "private-key"
    ca_certificate: String,    // content key "ca-certificate"
}

impl CaCertificate {
    fn generate() -> goops_runtime::Result<Self> {
        Ok(CaCertificate { private_key: SecretString::from("generated-key"), ca_certificate: "generated-ca".into() })
    }
}

#[derive(ActionParams)]
#[params(action = "rotate-ca", metadata = "tests/fixtures/charmcraft.yaml")]
struct RotateParams {}

#[derive(serde::Serialize)]
struct Rotated {
    rotated: bool,
}

#[derive(Default)]
struct Certificates;

#[charm(metadata = "tests/fixtures/charmcraft.yaml")]
impl Certificates {
    #[hook(install, config_changed, upgrade_charm)]
    fn configure(ctx: &Context) -> HookResult {
        if CaCertificate::get(ctx)?.is_none() {
            let id = CaCertificate::generate()?.add(ctx)?; // content travels in files, never argv
            ctx.log_info(format!("created secret {id}"));
        }
        ctx.set_unit_status(Status::active())?;
        Ok(())
    }

    #[hook(relation_changed("certificates"))]
    fn on_request(ctx: &Context, event: &RelationEvent) -> HookResult {
        ctx.log_info(format!("request on relation {}", event.id));
        Ok(())
    }

    #[action("rotate-ca")]
    fn rotate(ctx: &Context, _params: RotateParams) -> ActionResult<Rotated> {
        let ca = CaCertificate::generate()?;
        Ok(Rotated { rotated: ca.set(ctx)? })
    }
}

#[test]
fn install_creates_the_ca_once() {
    let tools = Recorder::new();
    tools.respond("secret-get", |_| ToolOutput::error(1, "secret \"active-ca-certificates\" not found"));
    tools.stdout("secret-add", "secret:cn0s4cu5gdbs7e2q5l4g\n");
    let outcome = dispatch::<Certificates>(&tools.context(&[("JUJU_DISPATCH_PATH", "hooks/install")]));
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.calls_of("secret-add").len(), 1);
    assert_eq!(tools.logs(), ["created secret secret:cn0s4cu5gdbs7e2q5l4g"]);
    assert_eq!(tools.calls_of("status-set").len(), 1);
    assert_eq!(tools.calls_of("status-set")[0].first().map(String::as_str), Some("active"));

    // Already there: no second secret.
    let tools = Recorder::new();
    tools.stdout("secret-get", r#"{"private-key": "k", "ca-certificate": "c"}"#);
    let outcome = dispatch::<Certificates>(&tools.context(&[("JUJU_DISPATCH_PATH", "hooks/config-changed")]));
    assert_eq!(outcome, Outcome::Completed);
    assert!(tools.calls_of("secret-add").is_empty());
}

#[test]
fn relation_and_action_dispatch() {
    let tools = Recorder::new();
    let outcome = dispatch::<Certificates>(&tools.context(&[
        ("JUJU_DISPATCH_PATH", "hooks/certificates-relation-changed"),
        ("JUJU_RELATION_ID", "certificates:2"),
    ]));
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.logs(), ["request on relation 2"]);

    let tools = Recorder::new();
    tools.stdout("secret-info-get", r#"{"cn0s4cu5gdbs7e2q5l4g": {"revision": 1, "owner": "application"}}"#);
    tools.stdout("secret-get", r#"{"private-key": "old", "ca-certificate": "old"}"#);
    tools.stdout("action-get", "{}");
    let outcome = dispatch::<Certificates>(&tools.context(&[("JUJU_DISPATCH_PATH", "actions/rotate-ca")]));
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.calls_of("secret-set").len(), 1);
    assert_eq!(tools.calls_of("action-set"), [vec!["rotated=true".to_owned()]]);
}
