//! Both sides of tls-certificates in one model: the certificates charm (`examples/certificates`,
//! the CA, 1 unit) and the requirer (`examples/tls-requirer`, 3 units), deployed, integrated and
//! settled by goops-sim's model, in-process and as processes, then with units removed, then
//! under seeded orders.
//!
//! Every check reads the model: unit statuses, the provider's app bag, the certificate each
//! requirer unit keeps in its unit-owned secret (verified against the CA's own secret with
//! x509-parser), and the trace's hook sequence.

mod model_support;

use certificates::Certificates;
use goops_sim::model::controller::SecretOwnerRef;
use goops_sim::model::{DispatchCharm, Life, Model, ModelError, explore};
use goops_sim::state::StatusName;
use goops_sim::testing::Harness;
use goops_tests::workspace_binary;
use model_support::{
    RUST_REQUIRER_CN, alive_units, all_active, certificates_verify, example_dir, held_certificate, provider_answers,
    provider_ca, unit_status,
};
use tls_requirer::TlsRequirerCharm;

/// Seeds the exploration runs (see `explore_orders_of_the_ca_and_three_requirers`).
const SEEDS: u64 = 200;

fn ca_charm() -> Harness<Certificates> {
    Harness::for_charm(example_dir("certificates")).expect("the certificates charm's metadata reads")
}

fn requirer_charm() -> Harness<TlsRequirerCharm> {
    Harness::for_charm(example_dir("tls-requirer")).expect("the tls-requirer charm's metadata reads")
}

/// `ca` (1 unit) and `req` (3 units), integrated; returns the relation id. Not settled.
fn deploy_in_process(model: &mut Model) -> Result<u32, ModelError> {
    model.deploy("ca", ca_charm(), 1)?;
    model.deploy("req", requirer_charm(), 3)?;
    model.integrate("ca:certificates", "req:certificates")
}

/// The model is settled as the tls pair should leave it: every unit active, every requirer
/// unit holding its own certificate signed by the CA.
fn serving(model: &Model) -> Result<(), String> {
    all_active(model)?;
    certificates_verify(model, "ca", "req", RUST_REQUIRER_CN)
}

fn settled_model() -> (Model, u32) {
    let mut model = Model::new();
    let id = deploy_in_process(&mut model).expect("deploy and integrate");
    model.settle().unwrap_or_else(|e| panic!("the model settles: {e}"));
    (model, id)
}

#[test]
fn ca_and_three_requirers_settle_active_with_certificates_signed_by_the_ca() {
    let (model, id) = settled_model();
    serving(&model).unwrap();

    let status = model.status();
    assert_eq!(status.applications["ca"].leader.as_deref(), Some("ca/0"));
    assert_eq!(status.applications["req"].leader.as_deref(), Some("req/0"));
    assert_eq!(status.applications["req"].units.len(), 3, "{status:?}");
    for unit in ["req/0", "req/1", "req/2"] {
        let (_, message) = unit_status(&model, unit).unwrap();
        assert!(message.starts_with("certificate valid until "), "{unit}: {message:?}");
    }
    assert_eq!(status.relations.len(), 1, "{status:?}");
    assert_eq!(status.relations[0].interface, "tls-certificates");

    // The provider answered each unit's CSR once, with its CA, and each unit took its answer.
    let ca = provider_ca(&model, "ca").unwrap();
    let answers = provider_answers(&model, id, "ca").unwrap();
    assert_eq!(answers.len(), 3, "one answer per requirer unit");
    let relation = model.controller().relation(id).unwrap();
    for unit in ["req/0", "req/1", "req/2"] {
        let bag = &relation.unit_data[unit].data;
        let csrs: Vec<serde_json::Value> =
            serde_json::from_str(&bag["certificate_signing_requests"]).expect("the unit bag holds a CSR list");
        assert_eq!(csrs.len(), 1, "{unit}: {csrs:?}");
        let answer = answers
            .iter()
            .find(|a| a["certificate_signing_request"] == csrs[0]["certificate_signing_request"])
            .unwrap_or_else(|| panic!("no answer for {unit}'s CSR"));
        assert_eq!(answer["ca"].as_str(), Some(ca.as_str()));
        assert_eq!(answer["certificate"].as_str().map(str::trim), Some(held_certificate(&model, unit).unwrap().trim()));
    }

    // What each side sees now (the view its next hook gets): the provider sees the three
    // requirer units with their CSRs, each requirer sees the provider's answers.
    let provider_view = model.unit_state("ca/0").expect("ca/0's view");
    let seen = provider_view.relation(id).expect("ca/0 sees the relation");
    assert_eq!(seen.remote_app, "req");
    assert_eq!(seen.remote_units.keys().collect::<Vec<_>>(), ["req/0", "req/1", "req/2"]);
    assert!(seen.remote_units.values().all(|bag| bag.contains_key("certificate_signing_requests")));
    assert_eq!(seen.local_app_data, relation.app_data["ca"].data);
    let requirer_view = model.unit_state("req/1").expect("req/1's view");
    let seen = requirer_view.relation(id).expect("req/1 sees the relation");
    assert_eq!(seen.remote_units.keys().collect::<Vec<_>>(), ["ca/0"]);
    assert_eq!(seen.remote_app_data, relation.app_data["ca"].data);
    assert!(!requirer_view.leader && provider_view.leader);

    // The trace: install first; only the leader ran leader-elected; start before any relation
    // hook that needs a started unit (joined).
    for unit in ["ca/0", "req/0", "req/1", "req/2"] {
        let hooks = model.hooks_of(unit);
        assert_eq!(hooks.first().map(String::as_str), Some("install"), "{unit}: {hooks:?}");
        let start = hooks.iter().position(|h| h == "start").unwrap_or_else(|| panic!("{unit} started: {hooks:?}"));
        let joined = hooks.iter().position(|h| h == "certificates-relation-joined").expect("joined ran");
        assert!(start < joined, "{unit}: {hooks:?}");
        let elected = hooks.iter().filter(|h| *h == "leader-elected").count();
        assert_eq!(elected, usize::from(unit.ends_with("/0")), "{unit}: {hooks:?}");
    }
    // The provider met each requirer unit once.
    let joined: Vec<_> = model
        .trace()
        .entries
        .iter()
        .filter(|e| e.unit == "ca/0" && e.op.hook == "certificates-relation-joined")
        .filter_map(|e| e.op.remote_unit.clone())
        .collect();
    assert_eq!(joined, ["req/0", "req/1", "req/2"]);
}

#[test]
fn removing_the_requirer_leader_elects_a_new_leader_and_the_ca_keeps_serving() {
    let (mut model, id) = settled_model();
    let before = model.trace().entries.len();

    model.remove_unit("req/0").unwrap();
    model.settle().unwrap_or_else(|e| panic!("settles after the removal: {e}"));

    assert_eq!(model.controller().units.get("req/0").map(|u| u.life), Some(Life::Dead));
    assert_eq!(model.status().applications["req"].leader.as_deref(), Some("req/1"), "the lowest alive unit leads");
    let after: Vec<_> = model.trace().entries[before..].iter().collect();
    let ran = |unit: &str| -> Vec<&str> {
        after.iter().filter(|e| e.unit == unit).map(|e| e.op.hook.as_str()).collect::<Vec<_>>()
    };
    // The removed unit left the relation and tore down; its relation-broken removed its secrets.
    let teardown = ran("req/0");
    let departed = teardown.iter().position(|h| *h == "certificates-relation-departed").expect("departed ran");
    let broken = teardown.iter().position(|h| *h == "certificates-relation-broken").expect("broken ran");
    assert!(departed < broken, "{teardown:?}");
    assert_eq!(teardown[teardown.len() - 2..], ["stop", "remove"], "{teardown:?}");
    let owned_by_req0 =
        model.controller().secrets.iter().filter(|s| s.owner == SecretOwnerRef::Unit("req/0".to_owned())).count();
    assert_eq!(owned_by_req0, 0, "req/0's key and certificate secrets are gone");
    // The new leader heard it, the others saw req/0 depart.
    assert!(ran("req/1").contains(&"leader-elected"), "{:?}", ran("req/1"));
    assert!(!ran("req/2").contains(&"leader-elected"), "{:?}", ran("req/2"));
    let ca_departed: Vec<_> = after
        .iter()
        .filter(|e| e.unit == "ca/0" && e.op.hook == "certificates-relation-departed")
        .map(|e| e.op.remote_unit.clone())
        .collect();
    assert_eq!(ca_departed, [Some("req/0".to_owned())]);
    serving(&model).unwrap();
    assert_eq!(alive_units(&model, "req"), ["req/1", "req/2"]);

    // The CA keeps serving: a new unit gets a certificate, and the answer to the departed
    // unit's CSR is dropped at the provider's next reconcile.
    let added = model.add_unit("req").unwrap();
    assert_eq!(added, "req/3");
    model.settle().unwrap_or_else(|e| panic!("settles after add-unit: {e}"));
    serving(&model).unwrap();
    assert_eq!(provider_answers(&model, id, "ca").unwrap().len(), 3, "answers for req/1, req/2 and req/3");
    assert_eq!(model.hooks_of("req/3").iter().filter(|h| *h == "leader-elected").count(), 0);
}

#[test]
fn removing_the_ca_leader_hands_the_ca_to_the_second_ca_unit() {
    let (mut model, _) = settled_model();
    let ca_before = provider_ca(&model, "ca").unwrap();

    assert_eq!(model.add_unit("ca").unwrap(), "ca/1");
    model.settle().unwrap_or_else(|e| panic!("settles with a second CA unit: {e}"));
    serving(&model).unwrap();
    assert_eq!(provider_ca(&model, "ca").unwrap(), ca_before, "the second unit reuses the CA, no new one");

    let before = model.trace().entries.len();
    model.remove_unit("ca/0").unwrap();
    model.settle().unwrap_or_else(|e| panic!("settles after removing the CA leader: {e}"));
    assert_eq!(model.status().applications["ca"].leader.as_deref(), Some("ca/1"));
    let elected = model.trace().entries[before..].iter().any(|e| e.unit == "ca/1" && e.op.hook == "leader-elected");
    assert!(elected, "{}", model.trace().render());
    serving(&model).unwrap();

    // The new leader signs with the same CA (application-owned, so it outlives ca/0).
    assert_eq!(model.add_unit("req").unwrap(), "req/3");
    model.settle().unwrap_or_else(|e| panic!("settles after add-unit: {e}"));
    serving(&model).unwrap();
    assert_eq!(provider_ca(&model, "ca").unwrap(), ca_before);
    let signed_by_ca1 = model.trace().entries[before..].iter().any(|e| {
        e.unit == "ca/1" && e.op.remote_unit.as_deref() == Some("req/3") && e.op.hook == "certificates-relation-changed"
    });
    assert!(signed_by_ca1, "ca/1 answered req/3");
}

#[test]
fn the_same_model_settles_with_both_charms_as_processes() {
    // The certificates charm through its harness in process mode, the requirer as a dispatch
    // staged next to its metadata: both are run by `goops-sim run`.
    let ca = ca_charm().process(workspace_binary("certificates", "certificates"));
    let req = DispatchCharm::staged(example_dir("tls-requirer"), workspace_binary("tls-requirer", "tls-requirer"))
        .expect("the requirer stages");
    let mut model = Model::new();
    model.deploy("ca", ca, 1).unwrap();
    model.deploy("req", req, 3).unwrap();
    let id = model.integrate("ca:certificates", "req:certificates").unwrap();
    model.settle().unwrap_or_else(|e| panic!("the process model settles: {e}"));

    serving(&model).unwrap();
    assert_eq!(provider_answers(&model, id, "ca").unwrap().len(), 3);
    for unit in ["req/0", "req/1", "req/2"] {
        let (status, message) = unit_status(&model, unit).unwrap();
        assert_eq!(status, StatusName::Active);
        assert!(message.starts_with("certificate valid until "), "{unit}: {message:?}");
    }
}

/// What each seed runs: deploy, integrate, settle (the check runs after the settle).
fn scenario(model: &mut Model) -> Result<(), ModelError> {
    deploy_in_process(model)?;
    model.settle()?;
    Ok(())
}

/// Seeds of the exploration that also removes the requirer leader and adds a unit.
const LEADER_LOSS_SEEDS: u64 = 50;

/// [`scenario`], then the requirer's leader (whichever unit the seed made leader) goes, then a
/// new unit comes.
fn leader_loss_scenario(model: &mut Model) -> Result<(), ModelError> {
    scenario(model)?;
    let leader = model.leader("req").map(str::to_owned).ok_or_else(|| ModelError::Invalid("no req leader".into()))?;
    model.remove_unit(&leader)?;
    model.settle()?;
    model.add_unit("req")?;
    model.settle()?;
    Ok(())
}

#[test]
fn explore_orders_of_losing_the_requirer_leader() {
    let report = explore(0..LEADER_LOSS_SEEDS, leader_loss_scenario, |model| {
        serving(model)?;
        match model.leader("req") {
            Some(leader) if alive_units(model, "req").iter().any(|u| u == leader) => Ok(()),
            other => Err(format!("req's leader is {other:?}, not an alive unit")),
        }
    })
    .unwrap_or_else(|failure| panic!("{failure}"));
    assert_eq!(report.seeds, LEADER_LOSS_SEEDS);
}

#[test]
fn explore_orders_of_the_ca_and_three_requirers() {
    // Two halves on two threads: the seeds are independent and the machine has two cores.
    let halves = [0..SEEDS / 2, SEEDS / 2..SEEDS];
    let reports: Vec<_> = std::thread::scope(|s| {
        let runs: Vec<_> = halves.into_iter().map(|seeds| s.spawn(move || explore(seeds, scenario, serving))).collect();
        runs.into_iter().map(|run| run.join().expect("explore does not panic")).collect()
    });
    let mut hooks = 0;
    for report in reports {
        let report = report.unwrap_or_else(|failure| panic!("{failure}"));
        assert_eq!(report.seeds, SEEDS / 2);
        hooks += report.hooks;
    }
    // Each seed runs at least every unit's install, config-changed, start and relation hooks.
    assert!(hooks >= SEEDS * 4 * 5, "{hooks} hooks");
}
