//! hello-k8s (`examples/hello-k8s`) in a Kubernetes model: two units, each with its `hello`
//! workload container and simulated Pebble. pebble-ready configures and starts the server in
//! each unit's own container; a container restart (a new Pebble boot) runs pebble-ready again.
//!
//! The workload image's `hello-server` is simulated by exec rules put into each unit's container
//! before every hook ([`HelloImage`]), as the image would provide the binary.

mod model_support;

use goops_juju::charmcraft::CharmMeta;
use goops_sim::State;
use goops_sim::model::{CharmSource, Model, ModelCharm};
use goops_sim::state::{ExecRule, StatusName};
use goops_sim::testing::{ContainerView, Harness, HarnessError, On, RunReport};
use hello_k8s::{CONFIG_FILE, CONTAINER, HelloK8s, SERVER, SERVICE};
use model_support::{all_active, example_dir, unit_status};
use serde_json::json;

/// hello-k8s with the `hello-server` of its OCI image: `--version` answers `1.4.2`.
struct HelloImage(Harness<HelloK8s>);

impl HelloImage {
    fn new() -> HelloImage {
        HelloImage(Harness::for_charm(example_dir("hello-k8s")).expect("hello-k8s' metadata reads"))
    }
}

impl ModelCharm for HelloImage {
    fn meta(&self) -> &CharmMeta {
        ModelCharm::meta(&self.0)
    }

    fn source(&self) -> CharmSource {
        self.0.source()
    }

    fn run(&self, event: On, state: &State) -> Result<RunReport, HarnessError> {
        let mut state = state.clone();
        if let Some(hello) = state.containers.get_mut(CONTAINER) {
            let version = [SERVER, "--version"].map(str::to_owned).to_vec();
            if !hello.exec_rules.iter().any(|r| r.command == version) {
                hello.exec_rules.push(ExecRule {
                    command: version,
                    stdout: "hello-server 1.4.2\n".to_owned(),
                    ..ExecRule::default()
                });
            }
        }
        self.0.run(event, &state)
    }
}

fn settled() -> Model {
    let mut model = Model::kubernetes();
    model.deploy("hello", HelloImage::new(), 2).unwrap();
    model.settle().unwrap_or_else(|e| panic!("the model settles: {e}"));
    model
}

/// `unit`'s `hello` container.
fn container<'a>(model: &'a Model, unit: &str) -> ContainerView<'a> {
    let state = model.controller().units[unit].containers.get(CONTAINER).expect("the hello container");
    ContainerView::new(CONTAINER, state)
}

fn pebble_readies(model: &Model, unit: &str) -> usize {
    model.hooks_of(unit).iter().filter(|h| *h == "hello-pebble-ready").count()
}

#[test]
fn each_hello_k8s_unit_runs_pebble_ready_and_serves_in_its_own_container() {
    let model = settled();
    all_active(&model).unwrap();
    for unit in ["hello/0", "hello/1"] {
        let hooks = model.hooks_of(unit);
        assert_eq!(hooks.first().map(String::as_str), Some("install"), "{unit}: {hooks:?}");
        assert_eq!(pebble_readies(&model, unit), 1, "{unit}: {hooks:?}");

        let hello = container(&model, unit);
        let service = hello.service(SERVICE).unwrap_or_else(|| panic!("{unit} has the service"));
        assert!(service.is_running(), "{unit}: {:?}", service.status());
        let plan = hello.plan().unwrap();
        let command = plan.service(SERVICE).and_then(|s| s.command().map(str::to_owned));
        assert_eq!(command.as_deref(), Some("/usr/bin/hello-server --config /etc/hello/config.json --port 8080"));
        let config = hello.file(CONFIG_FILE).and_then(|f| f.text()).map(str::to_owned);
        assert_eq!(config.as_deref(), Some("{\n  \"greeting\": \"Hello\",\n  \"port\": 8080\n}\n"));
        assert_eq!(model.controller().units[unit].workload_version, "1.4.2");
    }
    assert_eq!(model.status().applications["hello"].version, "1.4.2");
}

#[test]
fn a_container_restart_runs_pebble_ready_again_on_that_unit_only() {
    let mut model = settled();
    model.restart_container("hello/0", CONTAINER).unwrap();
    model.settle().unwrap_or_else(|e| panic!("settles after the restart: {e}"));

    assert_eq!(pebble_readies(&model, "hello/0"), 2);
    assert_eq!(pebble_readies(&model, "hello/1"), 1);
    all_active(&model).unwrap();
    let service = container(&model, "hello/0").service(SERVICE).expect("the service, replanned");
    assert!(service.is_running(), "{:?}", service.status());
}

#[test]
fn a_pod_restart_redeploys_the_charm_and_runs_pebble_ready_after_start() {
    let mut model = settled();
    let before = (model.hooks_of("hello/0").len(), model.hooks_of("hello/1").len());
    model.restart_pod("hello/1").unwrap();
    model.settle().unwrap_or_else(|e| panic!("settles after the pod restart: {e}"));

    // The new pod's agent sees its charm as an upgrade, then runs the startup hooks a follower
    // runs, then pebble-ready for the new Pebble (juju-model.md §1.4, from resolver/loop.go).
    assert_eq!(
        model.hooks_of("hello/1")[before.1..],
        ["upgrade-charm", "config-changed", "start", "leader-settings-changed", "hello-pebble-ready"]
    );
    assert_eq!(model.hooks_of("hello/0").len(), before.0, "the other pod runs nothing");
    all_active(&model).unwrap();
    assert!(container(&model, "hello/1").service(SERVICE).is_some_and(|s| s.is_running()));
}

#[test]
fn config_reaches_every_unit_container() {
    let mut model = settled();
    model.config("hello", [("port".to_owned(), json!(22))]).unwrap();
    model.settle().unwrap();
    for unit in ["hello/0", "hello/1"] {
        assert_eq!(
            unit_status(&model, unit).unwrap(),
            (StatusName::Blocked, "port 22 is reserved for SSH".to_owned()),
            "{unit}"
        );
    }

    model.config("hello", [("port".to_owned(), json!(9090)), ("greeting".to_owned(), json!("Hi"))]).unwrap();
    model.settle().unwrap();
    all_active(&model).unwrap();
    for unit in ["hello/0", "hello/1"] {
        let hello = container(&model, unit);
        let command = hello.plan().unwrap().service(SERVICE).and_then(|s| s.command().map(str::to_owned));
        assert_eq!(command.as_deref(), Some("/usr/bin/hello-server --config /etc/hello/config.json --port 9090"));
        let config = hello.file(CONFIG_FILE).and_then(|f| f.text()).map(str::to_owned);
        assert_eq!(config.as_deref(), Some("{\n  \"greeting\": \"Hi\",\n  \"port\": 9090\n}\n"), "{unit}");
    }
}
