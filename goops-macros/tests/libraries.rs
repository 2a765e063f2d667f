//! Charm libraries through `dispatch`, with recorded tools: the corners of the order that the
//! goops-sim tests (`tests/tests/charm_libraries.rs` of the workspace) do not reach.

mod common;

use common::Recorder;
use goops_runtime::prelude::*;
use goops_runtime::{Outcome, dispatch};

fn note(ctx: &Context, message: impl AsRef<str>) {
    ctx.log(LogLevel::Info, message);
}

/// A library on the peer endpoint, with a hook the charm's `any` handler also sees.
#[derive(Default)]
pub struct Peers {
    binding: Binding<String>,
}

#[charm_lib(interface = "cluster", role = "peers", event = String)]
impl Peers {
    #[hook(relation_departed, leader_elected)]
    fn on_event(&self, ctx: &Context) -> HookResult {
        note(ctx, format!("lib {}", ctx.event().hook_name().unwrap_or_default()));
        Ok(())
    }

    #[hook(collect_metrics)]
    fn metrics(&self, ctx: &Context) {
        note(ctx, "lib collect-metrics");
    }

    #[collect_status]
    fn status(&self, ctx: &Context) {
        note(ctx, "lib collect-status");
        // Raised after the last delivery: dropped, never handed to the charm.
        self.binding.emit("from collect-status".to_owned());
    }
}

#[derive(Default)]
struct C {
    peers: Peers,
}

#[charm(metadata = "tests/fixtures/charmcraft.yaml")]
impl C {
    #[lib(endpoint = "cluster", events = on_peers)]
    fn peers(&self) -> &Peers {
        &self.peers
    }

    fn on_peers(&self, ctx: &Context, event: &String) -> HookResult {
        note(ctx, format!("charm event {event}"));
        Ok(())
    }

    #[hook(any)]
    fn fallback(&self, ctx: &Context) {
        note(ctx, format!("charm any {}", ctx.event().hook_name().unwrap_or_default()));
    }

    #[collect_status]
    fn status(&self, ctx: &Context) {
        note(ctx, "charm collect-status");
    }
}

fn hook(vars: &[(&str, &str)]) -> (Recorder, Outcome) {
    let tools = Recorder::new();
    let outcome = dispatch::<C>(&tools.context(vars));
    (tools, outcome)
}

#[test]
fn the_charms_any_handler_still_runs_after_a_library_handled_the_hook() {
    let (tools, outcome) = hook(&[("JUJU_DISPATCH_PATH", "hooks/leader-elected")]);
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(
        tools.logs(),
        ["lib leader-elected", "charm any leader-elected", "lib collect-status", "charm collect-status"]
    );
}

#[test]
fn relation_hooks_of_other_endpoints_do_not_reach_the_library() {
    let (tools, _) = hook(&[
        ("JUJU_DISPATCH_PATH", "hooks/db-relation-departed"),
        ("JUJU_RELATION", "db"),
        ("JUJU_RELATION_ID", "db:4"),
        ("JUJU_REMOTE_APP", "pg"),
        ("JUJU_REMOTE_UNIT", "pg/0"),
        ("JUJU_DEPARTING_UNIT", "pg/0"),
    ]);
    assert_eq!(tools.logs()[0], "charm any db-relation-departed");
    let (tools, _) = hook(&[
        ("JUJU_DISPATCH_PATH", "hooks/cluster-relation-departed"),
        ("JUJU_RELATION", "cluster"),
        ("JUJU_RELATION_ID", "cluster:2"),
        ("JUJU_REMOTE_APP", "test-charm"),
        ("JUJU_REMOTE_UNIT", "test-charm/1"),
        ("JUJU_DEPARTING_UNIT", "test-charm/1"),
    ]);
    assert_eq!(tools.logs()[..2], ["lib cluster-relation-departed", "charm any cluster-relation-departed"]);
}

#[test]
fn restricted_hooks_run_the_library_but_no_collect_status() {
    let (tools, outcome) = hook(&[("JUJU_DISPATCH_PATH", "hooks/collect-metrics")]);
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(tools.logs(), ["lib collect-metrics", "charm any collect-metrics"]);
}

#[test]
fn events_raised_in_collect_status_are_dropped_not_carried_to_the_next_dispatch() {
    let charm = C::default();
    let tools = Recorder::new();
    let ctx = tools.context(&[("JUJU_DISPATCH_PATH", "hooks/leader-elected")]);
    assert_eq!(goops_runtime::dispatch_with(&charm, &ctx), Outcome::Completed);
    assert_eq!(goops_runtime::dispatch_with(&charm, &ctx), Outcome::Completed);
    assert!(!tools.logs().iter().any(|l| l.starts_with("charm event")), "{:?}", tools.logs());
}

#[test]
fn the_library_is_bound_in_actions_too() {
    let charm = C::default();
    let tools = Recorder::new();
    let ctx = tools.context(&[("JUJU_DISPATCH_PATH", "actions/rotate-ca")]);
    // The charm has no action handler: the action fails, and no library handler ran for it;
    // the library was bound all the same (a charm's action may query it).
    let outcome = goops_runtime::dispatch_with(&charm, &ctx);
    assert_eq!(outcome, Outcome::ActionFailed("action \"rotate-ca\" is not implemented by this charm".into()));
    assert!(tools.logs().is_empty(), "{:?}", tools.logs());
    assert_eq!(charm.peers.binding.endpoint(), Ok("cluster"));
}
