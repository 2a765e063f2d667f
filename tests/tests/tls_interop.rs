//! tls-certificates v4 between goops-rs and the real Python library
//! (`charmlibs-interfaces-tls-certificates` 1.12.0, `model_support::TLS_LIB_VERSION`, with `ops` 3.9.0 from PyPI),
//! in one goops-sim model.
//!
//! Two small Python ops charms (`tests/tls-python-requirer`, `tests/tls-python-provider`) run
//! unchanged as processes (their `dispatch` under `goops-sim run`); the Rust charms
//! (`examples/certificates`, the provider, and `examples/tls-requirer`) run in-process in the
//! same model. The model carries relation data and secrets between them as Juju does.
//!
//! Both directions end with a certificate the requirer accepted (its status says so), which
//! this test also verifies against the CA's own secret with x509-parser.
//!
//! Needs Python 3.10+ with `venv` and PyPI access; without them it fails saying so (never skips).

mod model_support;

use goops_sim::model::Model;
use goops_sim::state::StatusName;
use goops_sim::testing::Harness;
use model_support::{
    PY_REQUIRER_CN, RUST_REQUIRER_CN, StagedPython, all_active, certificates_verify, example_dir, held_certificate,
    provider_answers, provider_ca, tls_python, unit_status,
};

#[test]
fn rust_provider_signs_for_the_python_requirer() {
    let py = StagedPython::new("tls-python-requirer", &tls_python());
    let rust_ca = Harness::<certificates::Certificates>::for_charm(example_dir("certificates"))
        .expect("the certificates charm's metadata reads");
    let mut model = Model::new();
    model.deploy("certificates", rust_ca, 1).unwrap();
    model.deploy("py-req", py.charm(), 1).unwrap();
    let id = model.integrate("certificates:certificates", "py-req:certificates").unwrap();
    model.settle().unwrap_or_else(|e| panic!("the model settles: {e}"));

    all_active(&model).unwrap();
    // The library accepted the certificate and checked it against the CA it was sent.
    let (_, message) = unit_status(&model, "py-req/0").unwrap();
    assert_eq!(message, "certificate for py-requirer.example verified against goops-rs self-signed CA");
    // Its request as the Python library writes it: one CSR, not for a CA.
    let relation = model.controller().relation(id).unwrap();
    let csrs: Vec<serde_json::Value> =
        serde_json::from_str(&relation.unit_data["py-req/0"].data["certificate_signing_requests"]).unwrap();
    assert_eq!(csrs.len(), 1, "{csrs:?}");
    assert_eq!(csrs[0]["ca"], false);
    // The Rust provider answered it with the CA it keeps in its secret.
    let answers = provider_answers(&model, id, "certificates").unwrap();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["certificate_signing_request"], csrs[0]["certificate_signing_request"]);
    let ca = provider_ca(&model, "certificates").unwrap();
    assert_eq!(answers[0]["ca"].as_str(), Some(ca.as_str()));
    // The library stored the certificate in its certificate secret (expiring at renewal time)
    // and its key in its private-key secret, both unit-owned.
    let held = held_certificate(&model, "py-req/0").unwrap();
    assert_eq!(held, answers[0]["certificate"].as_str().unwrap().trim());
    certificates_verify(&model, "certificates", "py-req", PY_REQUIRER_CN).unwrap();
    let owned: Vec<_> = model
        .controller()
        .secrets
        .iter()
        .filter(|s| s.owner == goops_sim::model::controller::SecretOwnerRef::Unit("py-req/0".to_owned()))
        .collect();
    assert!(owned.iter().any(|s| s.label.as_deref().is_some_and(|l| l.contains("-private-key-0-certificates"))));
    let cert_secret = owned
        .iter()
        .find(|s| s.label.as_deref().is_some_and(|l| l.contains("-certificate-0-certificates-")))
        .expect("the library's certificate secret");
    assert!(cert_secret.expire.is_some(), "it expires at renewal time");
    let logged = &model.controller().units["py-req/0"].juju_log;
    assert!(logged.iter().any(|l| l.message.contains("certificate available for py-requirer.example")), "{logged:?}");
}

#[test]
fn python_provider_signs_for_two_rust_requirer_units() {
    let py = StagedPython::new("tls-python-provider", &tls_python());
    let rust_req = Harness::<tls_requirer::TlsRequirerCharm>::for_charm(example_dir("tls-requirer"))
        .expect("the tls-requirer charm's metadata reads");
    let mut model = Model::new();
    model.deploy("py-ca", py.charm(), 1).unwrap();
    model.deploy("req", rust_req, 2).unwrap();
    let id = model.integrate("req:certificates", "py-ca:certificates").unwrap();
    model.settle().unwrap_or_else(|e| panic!("the model settles: {e}"));

    let (status, message) = unit_status(&model, "py-ca/0").unwrap();
    assert_eq!(status, StatusName::Active);
    assert!(message.starts_with("issued "), "{message:?}");
    for unit in ["req/0", "req/1"] {
        let (status, message) = unit_status(&model, unit).unwrap();
        assert_eq!(status, StatusName::Active, "{unit}: {message}");
        assert!(message.starts_with("certificate valid until "), "{unit}: {message:?}");
    }
    certificates_verify(&model, "py-ca", "req", RUST_REQUIRER_CN).unwrap();

    let answers = provider_answers(&model, id, "py-ca").unwrap();
    assert_eq!(answers.len(), 2, "one answer per unit: {answers:?}");
    let ca = provider_ca(&model, "py-ca").unwrap();
    for answer in &answers {
        let certificate = answer["certificate"].as_str().unwrap();
        let chain: Vec<&str> = answer["chain"].as_array().unwrap().iter().filter_map(|c| c.as_str()).collect();
        assert_eq!(chain, [certificate, answer["ca"].as_str().unwrap()], "leaf first, then the CA");
        assert_eq!(answer["ca"].as_str().map(str::trim), Some(ca.trim()));
    }
}
