//! The greeter charm: the reconcile pattern with stored state and collect-status.
//!
//! The service needs two things from outside: a `greeting` (config) and the database host (the
//! `db` relation's application data). They arrive in any order, in separate hooks. There is no
//! `defer`: every event whose facts matter runs [`Greeter::reconcile`], which reads the whole
//! situation and brings the service to what it calls for, or does nothing when something is
//! missing. [`Greeter::status`] says what is missing, once, after every hook. What the service
//! was last configured with is kept in Juju's unit state ([`Service`]), so an event that changes
//! nothing restarts nothing.

use goops_runtime::prelude::*;
use serde::{Deserialize, Serialize};

/// The charm's config (charmcraft.yaml `config.options`).
#[derive(CharmConfig)]
pub struct Config {
    /// `greeting`: what the service says; unset until the operator sets it.
    pub greeting: Option<String>,
    /// `port`: where it listens.
    pub port: u16,
}

/// What this unit remembers between hooks: the configuration the service runs with.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// The rendered configuration the service was last started with.
    pub rendered: String,
    /// The port it listens on (opened in Juju).
    pub port: Option<u16>,
    /// How many times it was (re)started.
    pub restarts: u32,
}

impl StoredState for Service {
    const KEY: &'static str = "service";
}

/// The key of the db relation's application data this charm reads.
pub const DB_HOST: &str = "host";
/// The key this charm writes into its unit data on each website relation.
pub const URL: &str = "url";

/// The charm.
#[derive(Default)]
pub struct Greeter;

#[charm]
impl Greeter {
    /// Every event whose facts the service depends on runs the same reconcile.
    #[hook(
        install,
        config_changed,
        upgrade_charm,
        relation_changed("db"),
        relation_broken("db"),
        relation_joined("website")
    )]
    fn reconcile(ctx: &Context, config: Config, mut service: Stored<'_, Service>) -> HookResult {
        let (Some(greeting), Some(host)) = (config.greeting.as_deref(), db_host(ctx)?) else {
            // Not ready: nothing to change. `status` says what is missing, and the event that
            // brings it (config-changed, db-relation-changed) runs this again.
            return Ok(());
        };
        let rendered = format!("listen {}\ngreeting {greeting:?}\ndatabase {host}\n", config.port);
        if service.rendered != rendered {
            // A real charm writes the file and restarts the service here.
            service.rendered = rendered;
            service.restarts += 1;
            ctx.log_info(format!("service configured and restarted ({} start(s))", service.restarts));
        }
        if service.port != Some(config.port) {
            if let Some(old) = service.port {
                ctx.close_port(Port::tcp(old))?;
            }
            ctx.open_port(Port::tcp(config.port))?;
            service.port = Some(config.port);
        }
        let websites = ctx.relation_ids("website")?;
        if !websites.is_empty() {
            let network = ctx.network("website", None)?;
            let url = format!("http://{}:{}/", network.ingress_address().unwrap_or("localhost"), config.port);
            for relation in &websites {
                // Only a changed value is sent.
                ctx.set_relation_data(relation, Bag::Unit, [(URL, url.as_str())])?;
            }
        }
        Ok(())
    }

    /// After every hook: what the unit's status is, from the facts, in one place.
    #[collect_status]
    fn status(ctx: &Context, config: Config) -> HookResult {
        if config.greeting.is_none() {
            ctx.add_status(Status::blocked("set the greeting option"));
        }
        if db_host(ctx)?.is_none() {
            ctx.add_status(Status::waiting("waiting for the db relation"));
        }
        ctx.add_status(Status::active());
        Ok(())
    }
}

/// The database host the db relation's remote application published, if any.
fn db_host(ctx: &Context) -> goops_runtime::Result<Option<String>> {
    for relation in ctx.relation_ids("db")? {
        let Some(app) = ctx.relation_app(&relation)? else { continue };
        if let Some(host) = ctx.relation_data(&relation, &app)?.remove(DB_HOST).filter(|h| !h.is_empty()) {
            return Ok(Some(host));
        }
    }
    Ok(None)
}
