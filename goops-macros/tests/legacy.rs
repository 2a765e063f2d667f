//! A charm described by the legacy metadata.yaml + config.yaml + actions.yaml.

mod common;

use common::Recorder;
use goops_runtime::prelude::*;
use goops_runtime::{HasMetadata, Outcome, dispatch};

#[derive(CharmConfig)]
#[config(metadata = "tests/fixtures/legacy/metadata.yaml")]
struct Config {
    greeting: String,
}

#[derive(ActionParams)]
#[params(action = "say", metadata = "tests/fixtures/legacy/metadata.yaml")]
struct Say {
    words: Option<String>,
}

#[derive(Default)]
struct Legacy;

#[charm(metadata = "tests/fixtures/legacy/metadata.yaml")]
impl Legacy {
    #[hook(relation_joined("website"))]
    fn joined(&self, ctx: &Context, config: Config) -> HookResult {
        ctx.log_info(config.greeting);
        Ok(())
    }

    #[action("say")]
    fn say(&self, params: Say) -> std::result::Result<std::collections::BTreeMap<String, String>, String> {
        Ok([("said".to_owned(), params.words.unwrap_or_default())].into())
    }
}

#[test]
fn legacy_files_are_all_read() {
    let m = Legacy::METADATA;
    assert_eq!(m.name, "legacy-charm");
    assert_eq!(m.relation("website").map(|r| r.interface), Some("http"));
    assert_eq!(m.config_option("greeting").map(|o| o.has_default), Some(true));
    assert_eq!(m.action("say").map(|a| a.params), Some(&["words"][..]));
}

#[test]
fn legacy_charm_dispatches() {
    let tools = Recorder::new();
    tools.stdout("config-get", r#"{"greeting": "hi"}"#);
    tools.stdout("action-get", r#"{"words": "moo"}"#);
    let outcome = dispatch::<Legacy>(
        &tools.context(&[("JUJU_DISPATCH_PATH", "hooks/website-relation-joined"), ("JUJU_RELATION_ID", "website:1")]),
    );
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.logs(), ["hi"]);
    let outcome = dispatch::<Legacy>(&tools.context(&[("JUJU_DISPATCH_PATH", "actions/say")]));
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.calls_of("action-set"), [vec!["said=moo".to_owned()]]);
}
