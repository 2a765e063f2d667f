//! Legitimate but unusual inputs the macros must accept: raw identifiers, type-alias returns,
//! `Option<&…Event>` arguments, handlers with extra attributes and `pub`.

mod common;

use common::Recorder;
use goops_runtime::prelude::*;
use goops_runtime::{Outcome, dispatch};

type HookResult = std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>;
type Results = std::result::Result<std::collections::BTreeMap<String, String>, String>;

#[secret(label = "edge")]
struct Edge {
    r#type: String,
    r#override: Option<SecretString>,
}

#[allow(dead_code)]
#[derive(Debug, CharmConfig)]
#[config(metadata = "tests/fixtures/charmcraft.yaml")]
struct RawConfig {
    r#debug: bool,
}

#[derive(Default)]
struct EdgeCharm;

#[charm(metadata = "tests/fixtures/charmcraft.yaml")]
impl EdgeCharm {
    /// Documented, `pub`, with an extra attribute.
    #[hook(install)]
    #[inline]
    pub fn r#type(&self, ctx: &Context, config: RawConfig) -> HookResult {
        ctx.log(LogLevel::Info, format!("debug={}", config.r#debug));
        Ok(())
    }

    #[hook(start, relation_changed("db"))]
    fn r#match(&self, _: &Context, storage: Option<&StorageEvent>, relation: Option<&RelationEvent>) -> HookResult {
        let _ = (storage, relation);
        Ok(())
    }

    #[action("rotate-ca")]
    fn r#loop(&self, _event: &ActionEvent) -> Results {
        Ok([("done".to_owned(), "yes".to_owned())].into())
    }
}

#[test]
fn raw_identifiers_and_aliases_dispatch() {
    let tools = Recorder::new();
    tools.stdout("config-get", r#"{"debug": true}"#);
    let ctx = tools.context(&[("JUJU_DISPATCH_PATH", "hooks/install")]);
    assert_eq!(dispatch::<EdgeCharm>(&ctx), Outcome::Completed);
    assert_eq!(tools.logs(), ["debug=true"]);
    let ctx = tools.context(&[("JUJU_DISPATCH_PATH", "hooks/start")]);
    assert_eq!(dispatch::<EdgeCharm>(&ctx), Outcome::Completed);
    let ctx = tools.context(&[("JUJU_DISPATCH_PATH", "actions/rotate-ca")]);
    assert_eq!(dispatch::<EdgeCharm>(&ctx), Outcome::Completed);
}

#[test]
fn raw_identifier_secret_fields_map_to_plain_keys() {
    assert_eq!(Edge::KEYS, ["type", "override"]);
    let content = Edge { r#type: "t".to_owned(), r#override: None }.to_content();
    assert_eq!(content.keys().collect::<Vec<_>>(), ["type"]);
}
