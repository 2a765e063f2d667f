//! Charm libraries end to end under goops-sim's harness (`docs/charm-libraries.md`): the order
//! of the library's and the charm's handlers in one hook, a library's error, two libraries on
//! two endpoints (and one library type on two endpoints), the library's typed events and queries
//! reaching the charm.

use goops_runtime::prelude::*;
use goops_sim::State;
use goops_sim::state::{Relation, StatusName};
use goops_sim::testing::{End, Harness, On, RunReport};

/// The libraries, as another crate would write them: only public API, and `pub` throughout.
mod library {
    use goops_runtime::prelude::*;
    use goops_runtime::{Binding, RelationId};

    /// What the certificate requirer tells the charm.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CertEvent {
        /// The provider published a certificate on this library's endpoint.
        Available { endpoint: String, certificate: String },
        /// The charm asked for a new certificate (raised by a query, not by a hook).
        Requested { endpoint: String },
    }

    /// A small requirer: reads `certificate` from the provider's application bag.
    #[derive(Default)]
    pub struct CertRequirer {
        binding: Binding<CertEvent>,
    }

    #[charm_lib(interface = "tls-certificates", role = "requires", event = CertEvent)]
    impl CertRequirer {
        #[hook(relation_changed)]
        fn on_changed(&self, ctx: &Context, rel: &RelationEvent) -> HookResult {
            ctx.log_info(format!("lib {} relation-changed", rel.endpoint));
            let Some(certificate) = remote_certificate(ctx, &rel.relation(), rel.remote_app.as_deref())? else {
                return Ok(());
            };
            match certificate.as_str() {
                "bad" => Err(format!("the certificate on {} is not PEM", rel.endpoint).into()),
                "panic" => panic!("the library panicked"),
                _ => {
                    let endpoint = rel.endpoint.clone();
                    self.binding.emit(CertEvent::Available { endpoint, certificate });
                    Ok(())
                }
            }
        }

        #[hook(update_status)]
        fn on_update_status(&self, ctx: &Context) -> HookResult {
            ctx.log_info(format!("lib {} update-status", self.binding.endpoint()?));
            Ok(())
        }

        #[collect_status]
        fn status(&self, ctx: &Context) -> HookResult {
            let endpoint = self.binding.endpoint()?;
            ctx.log_info(format!("lib {endpoint} collect-status"));
            if self.certificate(ctx)?.is_none() {
                ctx.add_status(Status::waiting(format!("waiting for a certificate on {endpoint}")));
            }
            Ok(())
        }

        /// Ask for a new certificate: the charm hears of it as an event after its handler.
        pub fn request(&self) -> HookResult {
            let endpoint = self.binding.endpoint()?.to_owned();
            self.binding.emit(CertEvent::Requested { endpoint });
            Ok(())
        }

        /// The certificate published on this library's endpoint, if any: a query for the charm.
        pub fn certificate(&self, ctx: &Context) -> HookResult<Option<String>> {
            for relation in ctx.relation_ids(self.binding.endpoint()?)? {
                let remote = ctx.relation_app(&relation)?;
                if let Some(certificate) = remote_certificate(ctx, &relation, remote.as_deref())? {
                    return Ok(Some(certificate));
                }
            }
            Ok(None)
        }
    }

    fn remote_certificate(ctx: &Context, relation: &RelationId, app: Option<&str>) -> HookResult<Option<String>> {
        let Some(app) = app else { return Ok(None) };
        Ok(ctx.relation_data(relation, app)?.get("certificate").cloned())
    }

    /// A library without events: answers the greeting on its endpoint itself.
    #[derive(Default)]
    pub struct Greeter {
        binding: Binding,
    }

    #[charm_lib(interface = "greeting")]
    impl Greeter {
        #[hook(relation_joined, relation_changed)]
        fn greet(&self, ctx: &Context, rel: &RelationEvent) -> HookResult {
            ctx.log_info(format!("greeter {} {:?}", self.binding.endpoint()?, rel.kind));
            Ok(ctx.set_relation_data(&rel.relation(), Bag::Unit, [("hello", "from the library")])?)
        }
    }
}

use library::{CertEvent, CertRequirer, Greeter};

#[derive(Default)]
struct LibraryUser {
    tls: CertRequirer,
    backup_tls: CertRequirer,
    greeter: Greeter,
}

#[charm(metadata = "charm-libraries/user/charmcraft.yaml")]
impl LibraryUser {
    #[lib(endpoint = "certificates", events = on_certificate)]
    fn tls(&self) -> &CertRequirer {
        &self.tls
    }

    #[lib(endpoint = "backup-certificates", events = on_certificate)]
    fn backup_tls(&self) -> &CertRequirer {
        &self.backup_tls
    }

    #[lib(endpoint = "greeting")]
    fn greeter(&self) -> &Greeter {
        &self.greeter
    }

    /// The libraries' typed events.
    fn on_certificate(&self, ctx: &Context, event: &CertEvent) -> HookResult {
        match event {
            CertEvent::Available { endpoint, certificate } => {
                ctx.log_info(format!("charm got {certificate} on {endpoint}"));
                if certificate == "refused" {
                    return Err("the charm refuses this certificate".into());
                }
            }
            CertEvent::Requested { endpoint } => ctx.log_info(format!("charm got a request on {endpoint}")),
        }
        Ok(())
    }

    #[hook(relation_changed("certificates"))]
    fn on_certificates(&self, ctx: &Context) -> HookResult {
        ctx.log_info("charm certificates relation-changed");
        Ok(())
    }

    #[hook(config_changed)]
    fn on_config_changed(&self, ctx: &Context) -> HookResult {
        self.backup_tls().request()?;
        ctx.log_info("charm config-changed");
        Ok(())
    }

    #[hook(update_status)]
    fn on_update_status(&self, ctx: &Context) -> HookResult {
        let certificate = self.tls().certificate(ctx)?;
        ctx.log_info(format!("charm update-status sees {certificate:?}"));
        Ok(())
    }

    #[action("show-certificate")]
    fn show(&self, ctx: &Context) -> ActionResult {
        let certificate = self.tls().certificate(ctx)?.ok_or("no certificate yet")?;
        Ok([("certificate".to_owned(), certificate)].into())
    }

    #[collect_status]
    fn status(&self, ctx: &Context) -> HookResult {
        ctx.log_info("charm collect-status");
        ctx.add_status(Status::active());
        Ok(())
    }
}

fn harness() -> Harness<LibraryUser> {
    Harness::for_charm(concat!(env!("CARGO_MANIFEST_DIR"), "/charm-libraries/user")).unwrap()
}

fn relation(id: u32, endpoint: &str, interface: &str, remote_app: &str, certificate: Option<&str>) -> Relation {
    let mut relation = Relation {
        id,
        endpoint: endpoint.into(),
        interface: interface.into(),
        remote_app: remote_app.into(),
        ..Relation::default()
    };
    relation.remote_units.insert(format!("{remote_app}/0"), Default::default());
    if let Some(certificate) = certificate {
        relation.remote_app_data.insert("certificate".into(), certificate.into());
    }
    relation
}

/// A state with the three library endpoints related; `certificates` carries `certificate`.
fn state(certificate: Option<&str>) -> State {
    State {
        relations: vec![
            relation(1, "certificates", "tls-certificates", "ca", certificate),
            relation(2, "backup-certificates", "tls-certificates", "backup-ca", Some("BACKUP-PEM")),
            relation(3, "greeting", "greeting", "visitor", None),
        ],
        ..State::default()
    }
}

/// The logged messages without the `<endpoint>:<id>: ` Juju puts before them in relation hooks.
fn messages(out: &RunReport) -> Vec<&str> {
    out.log_messages()
        .into_iter()
        .map(|m| match m.split_once(": ") {
            Some((prefix, rest)) if prefix.rsplit_once(':').is_some_and(|(_, id)| id.parse::<u32>().is_ok()) => rest,
            _ => m,
        })
        .collect()
}

#[test]
fn relation_changed_runs_the_library_then_its_events_then_the_charm_then_collect_status() {
    let state = state(Some("PEM"));
    let out = harness().run(On::relation_changed(&state.relations[0]).remote_unit("ca/0"), &state).unwrap();
    assert_eq!(out.end, End::Completed);
    assert_eq!(
        messages(&out),
        [
            "lib certificates relation-changed",
            "charm got PEM on certificates",
            "charm certificates relation-changed",
            "lib certificates collect-status",
            "lib backup-certificates collect-status",
            "charm collect-status",
        ]
    );
    // The tool calls in order. The context caches relation reads, so the second library's
    // query reads only its own relation.
    let tools: Vec<&str> = out.tool_calls.iter().map(|c| c.tool.as_str()).collect();
    assert_eq!(
        tools,
        [
            "juju-log",      // lib certificates relation-changed
            "relation-get",  // the library reads the provider's bag
            "juju-log",      // charm got PEM (the library's event)
            "juju-log",      // the charm's own handler
            "juju-log",      // lib certificates collect-status …
            "relation-ids",  // … its query: the relations of its endpoint,
            "relation-list", // their remote app (the bag is cached)
            "juju-log",      // lib backup-certificates collect-status …
            "relation-ids",
            "relation-list",
            "relation-get",
            "juju-log",   // charm collect-status
            "status-set", // the most urgent status, once
        ]
    );
    assert_eq!(out.calls_of("status-set").len(), 1);
    // Both libraries found their certificate: the charm's active status wins.
    assert_eq!(out.state.unit_status.status, StatusName::Active);
    // The greeter is on another endpoint: it did not run.
    assert!(!messages(&out).iter().any(|m| m.starts_with("greeter")));
}

#[test]
fn a_library_error_stops_the_hook_like_a_charm_error() {
    let state = state(Some("bad"));
    let out = harness().run(On::relation_changed(&state.relations[0]).remote_unit("ca/0"), &state).unwrap();
    assert_eq!(out.end, End::HookFailed("the certificate on certificates is not PEM".into()));
    // Nothing after the library ran: no charm handler, no collect-status, no status set.
    assert_eq!(messages(&out), ["lib certificates relation-changed", "the certificate on certificates is not PEM"]);
    assert_eq!(out.logs_at("ERROR").len(), 1);
    assert!(out.calls_of("status-set").is_empty());
}

#[test]
fn a_library_panic_is_caught_and_fails_the_hook() {
    let state = state(Some("panic"));
    let out = harness().run(On::relation_changed(&state.relations[0]).remote_unit("ca/0"), &state).unwrap();
    assert_eq!(out.end, End::Panicked("the library panicked".into()));
    assert!(!messages(&out).contains(&"charm certificates relation-changed"));
}

#[test]
fn an_error_in_the_charms_events_method_stops_the_hook() {
    let state = state(Some("refused"));
    let out = harness().run(On::relation_changed(&state.relations[0]).remote_unit("ca/0"), &state).unwrap();
    assert_eq!(out.end, End::HookFailed("the charm refuses this certificate".into()));
    assert_eq!(
        messages(&out),
        [
            "lib certificates relation-changed",
            "charm got refused on certificates",
            "the charm refuses this certificate"
        ]
    );
}

#[test]
fn one_library_type_on_two_endpoints_knows_which_one_it_serves() {
    let state = state(None);
    let out = harness().run(On::relation_changed(&state.relations[1]).remote_unit("backup-ca/0"), &state).unwrap();
    // Only the value wired to backup-certificates ran; the charm has no handler of its own for
    // this hook, and the hook still counts as handled.
    assert_eq!(out.end, End::Completed);
    assert_eq!(
        messages(&out),
        [
            "lib backup-certificates relation-changed",
            "charm got BACKUP-PEM on backup-certificates",
            "lib certificates collect-status",
            "lib backup-certificates collect-status",
            "charm collect-status",
        ]
    );
    // The library on `certificates` has none yet: its waiting status outranks active.
    assert_eq!(out.state.unit_status.status, StatusName::Waiting);
    assert_eq!(out.state.unit_status.message, "waiting for a certificate on certificates");
}

#[test]
fn a_second_library_handles_its_own_endpoint_alone() {
    let state = state(Some("PEM"));
    let out = harness().run(On::relation_joined(&state.relations[2]).remote_unit("visitor/0"), &state).unwrap();
    assert_eq!(out.end, End::Completed);
    assert_eq!(messages(&out)[0], "greeter greeting Joined");
    assert!(!messages(&out).iter().any(|m| m.contains("relation-changed")));
    let greeting = out.relation(3).unwrap();
    assert_eq!(greeting.local_unit_data.get("hello").map(String::as_str), Some("from the library"));
}

#[test]
fn unscoped_hooks_run_every_library_in_wiring_order_then_the_charm_which_can_query() {
    let state = state(Some("PEM"));
    let out = harness().run(On::update_status(), &state).unwrap();
    assert_eq!(out.end, End::Completed);
    assert_eq!(
        &messages(&out)[..3],
        [
            "lib certificates update-status",
            "lib backup-certificates update-status",
            "charm update-status sees Some(\"PEM\")"
        ]
    );
}

#[test]
fn a_hook_neither_the_libraries_nor_the_charm_handle_is_skipped() {
    let mut state = state(None);
    state.relations.push(relation(4, "metrics", "prometheus_scrape", "prom", None));
    let out = harness().run(On::relation_changed(&state.relations[3]).remote_unit("prom/0"), &state).unwrap();
    assert_eq!(out.end, End::Skipped);
    assert!(!messages(&out).iter().any(|m| m.contains("relation-changed")), "{:?}", messages(&out));
}

#[test]
fn events_raised_during_the_charms_handler_reach_it_when_the_handler_returns() {
    let out = harness().run(On::config_changed(), &state(Some("PEM"))).unwrap();
    assert_eq!(out.end, End::Completed);
    assert_eq!(
        &messages(&out)[..3],
        ["charm config-changed", "charm got a request on backup-certificates", "lib certificates collect-status"]
    );
}

#[test]
fn an_action_can_query_a_library() {
    let out = harness().run(On::action("show-certificate"), &state(Some("PEM"))).unwrap();
    assert_eq!(out.end, End::Completed);
    assert_eq!(out.action.as_ref().unwrap().result("certificate"), Some("PEM"));
    let out = harness().run(On::action("show-certificate"), &state(None)).unwrap();
    assert_eq!(out.end, End::ActionFailed("no certificate yet".into()));
}

/// One library value behind two accessors: refused when the dispatch binds it.
#[derive(Default)]
struct WiredTwice {
    tls: CertRequirer,
}

#[charm(metadata = "charm-libraries/twice/charmcraft.yaml")]
impl WiredTwice {
    #[lib(endpoint = "certificates")]
    fn tls(&self) -> &CertRequirer {
        &self.tls
    }

    #[lib(endpoint = "backup-certificates")]
    fn same_tls(&self) -> &CertRequirer {
        &self.tls
    }
}

#[test]
fn one_library_value_on_two_endpoints_fails_the_hook_naming_both() {
    let harness = Harness::<WiredTwice>::for_charm(concat!(env!("CARGO_MANIFEST_DIR"), "/charm-libraries/twice"));
    let out = harness.unwrap().run(On::install(), &State::default()).unwrap();
    let End::HookFailed(message) = out.end else { panic!("{:?}", out.end) };
    assert!(message.contains("\"certificates\" and \"backup-certificates\""), "{message}");
}
