//! `#[charm]` end to end: every hook kind, actions, the `any` fallback, through `dispatch`.

mod common;

use common::Recorder;
use goops_runtime::prelude::*;
use goops_runtime::{HandlerKey, HasMetadata, IntoHookOutcome, Outcome, dispatch};

fn note(ctx: &Context, message: String) -> HookResult {
    ctx.log(LogLevel::Info, message);
    Ok(())
}

#[derive(Default)]
struct TestCharm;

#[charm(metadata = "tests/fixtures/charmcraft.yaml")]
impl TestCharm {
    #[hook(install, config_changed, upgrade_charm)]
    fn configure(&self, ctx: &Context) -> HookResult {
        note(ctx, format!("configure {}", ctx.event().hook_name().unwrap_or_default()))
    }

    #[hook(
        start,
        stop,
        remove,
        update_status,
        leader_elected,
        leader_deposed,
        leader_settings_changed,
        pre_series_upgrade,
        post_series_upgrade,
        collect_metrics,
        meter_status_changed
    )]
    fn lifecycle(&self, ctx: &Context, event: &Event) -> HookResult {
        note(ctx, format!("lifecycle {}", event.hook_name().unwrap_or_default()))
    }

    #[hook(secret_changed, secret_rotate, secret_expired, secret_remove)]
    fn on_secret(&self, ctx: &Context, event: &SecretEvent) -> HookResult {
        note(ctx, format!("secret {:?} {} {:?}", event.kind, event.id, event.revision))
    }

    #[hook(
        relation_created("db"),
        relation_joined("db"),
        relation_changed("db"),
        relation_departed("db"),
        relation_broken("db")
    )]
    fn on_db(&self, ctx: &Context, event: &RelationEvent) -> HookResult {
        note(ctx, format!("db {:?} {} {:?}", event.kind, event.id, event.remote_unit))
    }

    #[hook(storage_attached("data"), storage_detaching("data"))]
    fn on_storage(&self, event: &StorageEvent, ctx: &Context) -> HookResult {
        note(ctx, format!("storage {:?} {}", event.kind, event.id()))
    }

    #[hook(
        pebble_ready("workload"),
        pebble_custom_notice("workload"),
        pebble_check_failed("workload"),
        pebble_check_recovered("workload")
    )]
    fn on_workload(&self, ctx: &Context, event: &WorkloadEvent) -> HookResult {
        let detail = match (&event.notice, &event.check) {
            (Some(notice), _) => format!(" {} {} {}", notice.id, notice.notice_type, notice.key),
            (None, Some(check)) => format!(" {check}"),
            (None, None) => String::new(),
        };
        note(ctx, format!("workload {} {:?}{detail}", event.container, event.kind))
    }

    #[hook(relation_changed("certificates"))]
    fn failing(&self) -> std::result::Result<(), String> {
        Err("certificates are broken".to_owned())
    }

    #[hook(relation_joined("cluster"))]
    fn unit_result(&self, ctx: &Context) {
        let _ = note(ctx, "peer joined".to_owned());
    }

    #[hook(any)]
    fn fallback(&self, ctx: &Context, relation: Option<&RelationEvent>) -> HookResult {
        note(ctx, format!("fallback {} {:?}", ctx.event().hook_name().unwrap_or_default(), relation.map(|r| r.id)))
    }

    #[action("rotate-ca")]
    fn rotate(&self, event: &ActionEvent) -> std::result::Result<std::collections::BTreeMap<String, String>, Error> {
        Ok([("rotated".to_owned(), event.uuid.clone().unwrap_or_default())].into())
    }

    #[action("fail-me")]
    fn fail_me(&self, _ctx: &Context) -> std::result::Result<(), String> {
        Err("this action always fails".to_owned())
    }
}

fn run(vars: &[(&str, &str)]) -> (Recorder, Outcome) {
    let tools = Recorder::new();
    let outcome = dispatch::<TestCharm>(&tools.context(vars));
    (tools, outcome)
}

fn hook(name: &str) -> (Recorder, Outcome) {
    run(&[("JUJU_DISPATCH_PATH", &format!("hooks/{name}"))])
}

#[test]
fn table_has_one_entry_per_key() {
    let keys: Vec<HandlerKey> = TestCharm::HANDLERS.iter().map(|h| h.key).collect();
    assert!(keys.contains(&HandlerKey::Hook("install")));
    assert!(keys.contains(&HandlerKey::Hook("db-relation-departed")));
    assert!(keys.contains(&HandlerKey::Hook("workload-pebble-check-recovered")));
    assert!(keys.contains(&HandlerKey::Action("rotate-ca")));
    assert!(keys.contains(&HandlerKey::AnyHook));
    for (i, key) in keys.iter().enumerate() {
        assert!(!keys[i + 1..].contains(key), "{key:?} twice");
    }
}

#[test]
fn plain_hooks_reach_their_handlers() {
    for name in ["install", "config-changed", "upgrade-charm"] {
        let (tools, outcome) = hook(name);
        assert_eq!(outcome, Outcome::Completed);
        assert_eq!(tools.logs(), [format!("configure {name}")]);
    }
    for name in [
        "start",
        "stop",
        "remove",
        "update-status",
        "leader-elected",
        "leader-deposed",
        "leader-settings-changed",
        "pre-series-upgrade",
        "post-series-upgrade",
        "collect-metrics",
        "meter-status-changed",
    ] {
        let (tools, outcome) = hook(name);
        assert_eq!(outcome, Outcome::Completed, "{name}");
        assert_eq!(tools.logs(), [format!("lifecycle {name}")]);
    }
}

#[test]
fn secret_hooks_get_the_secret_event() {
    for (name, kind, revision) in [
        ("secret-changed", "Changed", None),
        ("secret-rotate", "Rotate", None),
        ("secret-expired", "Expired", Some(2)),
        ("secret-remove", "Remove", Some(2)),
    ] {
        let (tools, outcome) = run(&[
            ("JUJU_DISPATCH_PATH", &format!("hooks/{name}")),
            ("JUJU_SECRET_ID", "secret:abc"),
            ("JUJU_SECRET_REVISION", "2"),
        ]);
        assert_eq!(outcome, Outcome::Completed);
        assert_eq!(tools.logs(), [format!("secret {kind} secret:abc {revision:?}")]);
    }
}

#[test]
fn relation_hooks_get_the_relation_event() {
    for (kind, name) in [
        ("Created", "created"),
        ("Joined", "joined"),
        ("Changed", "changed"),
        ("Departed", "departed"),
        ("Broken", "broken"),
    ] {
        let (tools, outcome) = run(&[
            ("JUJU_DISPATCH_PATH", &format!("hooks/db-relation-{name}")),
            ("JUJU_RELATION", "db"),
            ("JUJU_RELATION_ID", "db:4"),
            ("JUJU_REMOTE_UNIT", "pg/0"),
        ]);
        assert_eq!(outcome, Outcome::Completed);
        assert_eq!(tools.logs(), [format!("db {kind} 4 Some(\"pg/0\")")]);
    }
}

#[test]
fn storage_and_workload_hooks_get_their_events() {
    for (name, kind) in [("attached", "Attached"), ("detaching", "Detaching")] {
        let (tools, outcome) =
            run(&[("JUJU_DISPATCH_PATH", &format!("hooks/data-storage-{name}")), ("JUJU_STORAGE_ID", "data/1")]);
        assert_eq!(outcome, Outcome::Completed);
        assert_eq!(tools.logs(), [format!("storage {kind} data/1")]);
    }
    let vars = [
        ("JUJU_NOTICE_ID", "7"),
        ("JUJU_NOTICE_TYPE", "custom"),
        ("JUJU_NOTICE_KEY", "a.com/x"),
        ("JUJU_PEBBLE_CHECK_NAME", "alive"),
    ];
    for (name, expected) in [
        ("pebble-ready", "PebbleReady"),
        ("pebble-custom-notice", "PebbleCustomNotice 7 custom a.com/x"),
        ("pebble-check-failed", "PebbleCheckFailed alive"),
        ("pebble-check-recovered", "PebbleCheckRecovered alive"),
    ] {
        let path = format!("hooks/workload-{name}");
        let mut all = vars.to_vec();
        all.push(("JUJU_DISPATCH_PATH", &path));
        let (tools, outcome) = run(&all);
        assert_eq!(outcome, Outcome::Completed);
        assert_eq!(tools.logs(), [format!("workload workload {expected}")]);
    }
}

#[test]
fn hook_errors_fail_the_hook_and_unit_results_succeed() {
    let relation = [("JUJU_RELATION_ID", "certificates:9")];
    let (tools, outcome) = run(&[relation[0], ("JUJU_DISPATCH_PATH", "hooks/certificates-relation-changed")]);
    assert_eq!(outcome, Outcome::HookFailed("certificates are broken".into()));
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(tools.logs(), ["certificates are broken"]);
    let (tools, outcome) =
        run(&[("JUJU_RELATION_ID", "cluster:1"), ("JUJU_DISPATCH_PATH", "hooks/cluster-relation-joined")]);
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.logs(), ["peer joined"]);
}

#[test]
fn any_runs_for_hooks_without_a_handler() {
    // certificates-relation-joined has no handler of its own.
    let (tools, outcome) =
        run(&[("JUJU_RELATION_ID", "certificates:3"), ("JUJU_DISPATCH_PATH", "hooks/certificates-relation-joined")]);
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.logs(), ["fallback certificates-relation-joined Some(3)"]);
    let (tools, _) = hook("not-a-real-hook");
    assert_eq!(tools.logs(), ["fallback not-a-real-hook None"]);
    // A hook with its own handler does not run the fallback.
    let (tools, _) = hook("install");
    assert_eq!(tools.logs(), ["configure install"]);
}

#[test]
fn actions_set_results_or_fail() {
    let (tools, outcome) = run(&[("JUJU_DISPATCH_PATH", "actions/rotate-ca"), ("JUJU_ACTION_UUID", "42")]);
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.calls_of("action-set"), [vec!["rotated=42".to_owned()]]);

    let (tools, outcome) = run(&[("JUJU_DISPATCH_PATH", "actions/fail-me")]);
    assert_eq!(outcome, Outcome::ActionFailed("this action always fails".into()));
    assert_eq!(outcome.exit_code(), 0);
    assert_eq!(tools.calls_of("action-fail"), [vec!["--".to_owned(), "this action always fails".to_owned()]]);

    // No handler (and not declared): action-fail, exit 0.
    let (tools, outcome) = run(&[("JUJU_DISPATCH_PATH", "actions/unknown-action")]);
    assert!(matches!(outcome, Outcome::ActionFailed(ref m) if m.contains("not implemented")), "{outcome:?}");
    assert_eq!(tools.calls_of("action-fail").len(), 1);
}

#[test]
fn metadata_is_baked_in() {
    let m = TestCharm::METADATA;
    assert_eq!(m.name, "test-charm");
    assert_eq!(m.relation("db").map(|r| r.interface), Some("postgresql_client"));
    assert_eq!(m.containers, ["workload"]);
    assert_eq!(m.storage, ["data"]);
    // goops-juju's model keeps names sorted.
    assert_eq!(m.action("do-backup").map(|a| a.params), Some(&["compress", "retries", "target"][..]));
    assert!(m.config_option("port").is_some_and(|o| o.has_default));
}

/// A relation handler that only `any` routes: for `install` the extraction fails, without a panic.
#[derive(Default)]
struct Mismatched;

#[charm(metadata = "tests/fixtures/charmcraft.yaml")]
impl Mismatched {
    #[hook(any)]
    fn on_relation(&self, _event: &RelationEvent) -> HookResult {
        Ok(())
    }
}

#[test]
fn extraction_mismatch_fails_the_hook_without_panicking() {
    let tools = Recorder::new();
    let outcome = dispatch::<Mismatched>(&tools.context(&[("JUJU_DISPATCH_PATH", "hooks/install")]));
    assert_eq!(
        outcome,
        Outcome::HookFailed("the handler takes `&RelationEvent`, which \"install\" does not provide".into())
    );
    let outcome = dispatch::<Mismatched>(
        &tools.context(&[("JUJU_DISPATCH_PATH", "hooks/db-relation-changed"), ("JUJU_RELATION_ID", "db:1")]),
    );
    assert_eq!(outcome, Outcome::Completed);
}

/// Handlers may omit `self`, a `&self` handler sees the charm value, and `#[collect_status]`
/// becomes `Charm::COLLECT_STATUS`.
struct Stateful {
    greeting: &'static str,
}

impl Default for Stateful {
    fn default() -> Self {
        Stateful { greeting: "hello" }
    }
}

#[charm(metadata = "tests/fixtures/charmcraft.yaml")]
impl Stateful {
    #[hook(install)]
    fn install(ctx: &Context) -> HookResult {
        note(ctx, "install without self".to_owned())
    }

    #[hook(start)]
    fn start(&self, ctx: &Context) -> HookResult {
        note(ctx, format!("{} from self", self.greeting))
    }

    #[action("rotate-ca")]
    fn rotate(event: &ActionEvent) -> std::result::Result<std::collections::BTreeMap<String, String>, String> {
        Ok([("by".to_owned(), event.name.clone())].into())
    }

    #[collect_status]
    fn status(ctx: &Context, relation: Option<&RelationEvent>) -> HookResult {
        note(ctx, format!("collect-status {:?}", relation.map(|r| r.id)))
    }
}

#[test]
fn handlers_may_omit_self() {
    let tools = Recorder::new();
    let outcome = dispatch::<Stateful>(&tools.context(&[("JUJU_DISPATCH_PATH", "hooks/install")]));
    assert_eq!(outcome, Outcome::Completed);
    // The #[collect_status] handler runs after every successful dispatch, hooks and actions.
    assert_eq!(tools.logs(), ["install without self", "collect-status None"]);
    let tools = Recorder::new();
    dispatch::<Stateful>(&tools.context(&[("JUJU_DISPATCH_PATH", "hooks/start")]));
    assert_eq!(tools.logs(), ["hello from self", "collect-status None"]);
    let tools = Recorder::new();
    let outcome = dispatch::<Stateful>(&tools.context(&[("JUJU_DISPATCH_PATH", "actions/rotate-ca")]));
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.calls_of("action-set"), [vec!["by=rotate-ca".to_owned()]]);
    assert_eq!(tools.logs(), ["collect-status None"]);
}

#[test]
fn collect_status_is_the_charms_collect_status_handler() {
    assert!(TestCharm::COLLECT_STATUS.is_none(), "no #[collect_status]: the trait's default");
    let collect = Stateful::COLLECT_STATUS.expect("set by #[collect_status]");
    // Its arguments are extracted like a hook handler's; it returns a hook result.
    let tools = Recorder::new();
    let ctx = tools.context(&[("JUJU_DISPATCH_PATH", "hooks/db-relation-changed"), ("JUJU_RELATION_ID", "db:4")]);
    assert_eq!(collect(&Stateful::default(), &ctx), ().into_hook_outcome());
    assert_eq!(tools.logs(), ["collect-status Some(4)"]);
    let tools = Recorder::new();
    collect(&Stateful::default(), &tools.context(&[("JUJU_DISPATCH_PATH", "actions/rotate-ca")]));
    assert_eq!(tools.logs(), ["collect-status None"]);
}
