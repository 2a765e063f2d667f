//! hello-k8s: a Kubernetes sidecar charm. The workload, `hello-server`, runs in the `hello`
//! container under Pebble; the charm drives it over Pebble's API.
//!
//! A port, behaviour for behaviour, of the Python ops charm in `tests/ops-k8s-charm` (the
//! README puts the two side by side):
//!
//! - `hello-pebble-ready`, `config-changed` and `hello-pebble-check-recovered` run one
//!   [`HelloK8s::reconcile`]: refuse port 22 (blocked), push `/etc/hello/config.json` rendered
//!   from the config, add the `hello` layer (the service, its command built from the config, and
//!   an HTTP `alive` check), replan, run `hello-server --version` and report it as the workload
//!   version, then active.
//! - `hello-pebble-check-failed` for `hello-up`: maintenance, and a restart of the service.
//! - the `check-config` action runs `hello-server --check-config` and returns its output.
//!
//! There is no `can_connect` guard: when the container's Pebble cannot be reached, the first
//! Pebble call returns the "not reachable" error, the handler returns it, and the framework sets
//! `waiting` naming the container. The next pebble-ready runs the reconcile again.

use std::time::Duration;

use goops_runtime::pebble::{self, Check, CheckLevel, Layer, PushOptions, Service};
use goops_runtime::prelude::*;
use serde::Serialize;

/// The workload container (charmcraft.yaml `containers`).
pub const CONTAINER: &str = "hello";
/// The Pebble service that runs the server.
pub const SERVICE: &str = "hello";
/// The server's health check.
pub const CHECK: &str = "hello-up";
/// The server's executable in the workload image.
pub const SERVER: &str = "/usr/bin/hello-server";
/// The config file the charm renders and pushes.
pub const CONFIG_FILE: &str = "/etc/hello/config.json";

/// The charm's config (charmcraft.yaml `config.options`).
#[derive(CharmConfig)]
pub struct Config {
    /// `greeting`: what the server answers.
    pub greeting: String,
    /// `port`: where it listens.
    pub port: u16,
}

/// The server's config file, as JSON (keys in this order, two-space indent, a final newline).
#[derive(Serialize)]
struct ServerConfig<'a> {
    greeting: &'a str,
    port: u16,
}

/// The content of [`CONFIG_FILE`] for `config`.
pub fn render_config(config: &Config) -> String {
    let body = ServerConfig { greeting: &config.greeting, port: config.port };
    // Serializing a struct of a string and an integer cannot fail.
    serde_json::to_string_pretty(&body).unwrap_or_default() + "\n"
}

/// The Pebble layer: the service, started with the config file and the port, and its check.
pub fn hello_layer(config: &Config) -> Layer {
    let command = format!("{SERVER} --config {CONFIG_FILE} --port {}", config.port);
    let service = Service::new(command).summary("greeting web server").enabled();
    let check = Check::http(format!("http://localhost:{}/health", config.port))
        .level(CheckLevel::Alive)
        .period(Duration::from_secs(10))
        .threshold(3);
    Layer {
        description: Some("The hello-server service and its health check, from the charm config.".to_owned()),
        ..Layer::new().summary("hello-server").service(SERVICE, service).check(CHECK, check)
    }
}

/// `hello-server 1.4.2` → `1.4.2` (the last word of the first line).
pub fn parse_version(output: &str) -> &str {
    output.lines().find(|l| !l.trim().is_empty()).and_then(|l| l.split_whitespace().last()).unwrap_or("")
}

/// The `check-config` action's results.
#[derive(Serialize)]
pub struct CheckConfig {
    /// What hello-server printed.
    pub output: String,
}

/// The charm.
#[derive(Default)]
pub struct HelloK8s;

#[charm]
impl HelloK8s {
    /// Brings the workload to what the config says.
    #[hook(pebble_ready("hello"), config_changed, pebble_check_recovered("hello"))]
    fn reconcile(ctx: &Context, config: Config) -> HookResult {
        if config.port == 22 {
            ctx.log_error("configuration error: port 22 is reserved for SSH");
            ctx.set_unit_status(Status::blocked("port 22 is reserved for SSH"))?;
            return Ok(());
        }
        let hello = ctx.container(CONTAINER);
        hello.push(CONFIG_FILE, render_config(&config), &PushOptions::new().make_dirs().permissions(0o644))?;
        hello.add_layer(CONTAINER, &hello_layer(&config), true)?;
        hello.replan()?;
        let out = hello.exec([SERVER, "--version"]).output()?;
        let stdout = out.stdout_text();
        let version = parse_version(&stdout);
        ctx.set_workload_version(version)?;
        ctx.log_info(format!("hello-server {version} serves on port {}", config.port));
        ctx.set_unit_status(Status::active())?;
        Ok(())
    }

    /// The server's check failed: say so, and restart it.
    #[hook(pebble_check_failed("hello"))]
    fn check_failed(ctx: &Context, event: &WorkloadEvent) -> HookResult {
        if event.check.as_deref() != Some(CHECK) {
            return Ok(());
        }
        ctx.set_unit_status(Status::maintenance(format!("{CHECK} check failing; restarting {SERVICE}")))?;
        ctx.container(CONTAINER).restart(&[SERVICE])?;
        Ok(())
    }

    /// `check-config`: what hello-server says of the config file.
    #[action("check-config")]
    fn check_config(ctx: &Context) -> ActionResult<CheckConfig> {
        match ctx.container(CONTAINER).exec([SERVER, "--check-config", CONFIG_FILE]).output() {
            Ok(out) => Ok(CheckConfig { output: out.stdout_text().trim().to_owned() }),
            Err(pebble::Error::Exec(e)) => {
                Err(format!("hello-server rejected {CONFIG_FILE} (exit {}): {}", e.exit_code, e.stderr_lossy().trim())
                    .into())
            }
            Err(e) if e.is_not_reachable() => Err(format!("cannot reach Pebble in the {CONTAINER} container").into()),
            Err(e) => Err(e.into()),
        }
    }
}
