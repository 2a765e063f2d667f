//! tls-certificates v4 between goops-rs and the real Python library
//! (`charmlibs-interfaces-tls-certificates` [`TLS_LIB_VERSION`], with `ops` 3.9.0 from PyPI).
//!
//! Two small Python ops charms (`tests/tls-python-requirer`, `tests/tls-python-provider`) run
//! unchanged under the `goops-sim run` binary; the Rust charms (`examples/certificates`, the
//! provider, and `examples/tls-requirer`) run on goops-sim's in-process harness. There is no
//! multi-unit model yet, so each side has its own state and the test carries the relation data
//! between them by hand, as Juju would: one side's local bags become the other side's remote
//! bags, then the other side runs relation-changed.
//!
//! Both directions end with a certificate the requirer accepted (its status says so), which
//! this test also verifies against the CA with x509-parser.
//!
//! Needs Python 3.10+ with `venv` and PyPI access; without them it fails saying so (never skips).

use std::path::{Path, PathBuf};
use std::process::Command;

use goops_sim::State;
use goops_sim::state::{Bag, Relation, StatusName};
use goops_sim::testing::{End, Harness, On};
use goops_tests::{TempDir, goops_sim_binary, pip_venv, sh_quote, sim_run, target_dir, workspace_root};

/// The pinned version of the Python library (also in the charms' `requirements.txt`).
const TLS_LIB_VERSION: &str = "1.12.0";

/// The relation id on the Python side and on the Rust side (they need not match).
const PY_RELATION: u32 = 5;
const RS_RELATION: u32 = 9;

/// A venv with ops and the pinned library, shared by the tests.
fn tls_python() -> PathBuf {
    let venv = target_dir().join(format!("tls-venv-{TLS_LIB_VERSION}"));
    let packages = [
        format!("ops=={}", goops_tests::OPS_VERSION),
        format!("charmlibs-interfaces-tls-certificates=={TLS_LIB_VERSION}"),
    ];
    let bin = pip_venv(&venv, &packages, &|bin| {
        let check = "from charmlibs.interfaces import tls_certificates as t; print(t.__version__)";
        let out = Command::new(bin.join("python")).args(["-c", check]).output().expect("run the venv's python");
        let found = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert_eq!(
            found,
            TLS_LIB_VERSION,
            "the venv imports the library {found}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    })
    .unwrap_or_else(|e| panic!("cannot prepare {}: {e}", venv.display()));
    bin.join("python")
}

/// A Python charm staged as `charmcraft pack` lays it out, run step by step by `goops-sim run`.
struct PyCharm {
    _dir: TempDir,
    charm: PathBuf,
    state: PathBuf,
}

impl PyCharm {
    fn new(name: &str, initial: &State) -> Self {
        let python = tls_python();
        let dir = TempDir::new(&format!("goops-{name}"));
        let charm = dir.path().join("charm");
        let src = workspace_root().join("tests").join(name);
        copy(&src.join("metadata.yaml"), &charm.join("metadata.yaml"));
        copy(&src.join("src").join("charm.py"), &charm.join("src").join("charm.py"));
        let script = format!(
            "#!/bin/sh\n\
             dispatch_path=\"$(dirname \"$(realpath \"$0\")\")\"\n\
             export PYTHONPATH=\"${{dispatch_path}}/lib:${{dispatch_path}}/src\"\n\
             JUJU_DISPATCH_PATH=\"${{JUJU_DISPATCH_PATH:-$0}}\" exec {} \"${{dispatch_path}}/src/charm.py\"\n",
            sh_quote(python.to_str().expect("UTF-8 path"))
        );
        let dispatch = charm.join("dispatch");
        std::fs::write(&dispatch, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dispatch, std::fs::Permissions::from_mode(0o755)).unwrap();
        let state = dir.path().join("state.json");
        std::fs::write(&state, initial.to_json()).unwrap();
        PyCharm { _dir: dir, charm, state }
    }

    fn current(&self) -> State {
        State::from_json(&std::fs::read_to_string(&self.state).unwrap()).expect("goops-sim wrote a valid state")
    }

    fn change(&self, f: impl FnOnce(&mut State)) {
        let mut state = self.current();
        f(&mut state);
        std::fs::write(&self.state, state.to_json()).unwrap();
    }

    /// `goops-sim run <charm> <event> --state S --out S [args]`; the hook must succeed.
    fn run(&self, event: &str, args: &[&str]) -> State {
        let out =
            sim_run(&goops_sim_binary(), &self.charm, event, &self.state).args(args).output().expect("run goops-sim");
        let report = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{event} failed: {}\n{report}", out.status);
        self.current()
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("cannot copy {}: {e}", from.display()));
}

fn unit(name: &str) -> State {
    State { unit: name.to_owned(), leader: true, ..State::default() }
}

fn relation(id: u32, remote_app: &str) -> Relation {
    Relation {
        id,
        endpoint: "certificates".to_owned(),
        interface: "tls-certificates".to_owned(),
        remote_app: remote_app.to_owned(),
        remote_units: [(format!("{remote_app}/0"), Bag::default())].into(),
        ..Relation::default()
    }
}

/// Juju's view from the other side: `from`'s local bags as `to`'s remote bags.
fn carry(from: &Relation, from_unit: &str, to: &mut Relation) {
    to.remote_units.insert(from_unit.to_owned(), from.local_unit_data.clone());
    to.remote_app_data = from.local_app_data.clone();
}

/// `cert_pem` is signed by `ca_pem`, is not a CA and names `cn`.
fn assert_issued_by(cert_pem: &str, ca_pem: &str, cn: &str) {
    let der = |pem: &str| x509_parser::pem::parse_x509_pem(pem.as_bytes()).expect("PEM").1.contents;
    let (cert_der, ca_der) = (der(cert_pem), der(ca_pem));
    let (_, cert) = x509_parser::parse_x509_certificate(&cert_der).unwrap();
    let (_, ca) = x509_parser::parse_x509_certificate(&ca_der).unwrap();
    cert.verify_signature(Some(ca.public_key())).expect("the CA's signature verifies");
    assert_eq!(cert.issuer(), ca.subject());
    assert!(!cert.is_ca());
    let names: Vec<_> = cert.subject().iter_common_name().filter_map(|c| c.as_str().ok()).collect();
    assert_eq!(names, [cn]);
}

fn provider_certificates(bag: &Bag) -> Vec<serde_json::Value> {
    serde_json::from_str(bag.get("certificates").expect("certificates published")).expect("a JSON list")
}

#[test]
fn rust_provider_signs_for_the_python_requirer() {
    // 1. The Python requirer joins: the library makes its key and publishes a CSR.
    let py = PyCharm::new(
        "tls-python-requirer",
        &State { relations: vec![relation(PY_RELATION, "certificates")], ..unit("tls-python-requirer/0") },
    );
    let py_state = py.run("certificates-relation-created", &[]);
    let py_rel = py_state.relation(PY_RELATION).unwrap().clone();
    let csrs: Vec<serde_json::Value> =
        serde_json::from_str(&py_rel.local_unit_data["certificate_signing_requests"]).expect("a CSR list");
    assert_eq!(csrs.len(), 1, "{csrs:?}");
    assert_eq!(csrs[0]["ca"], false);
    assert_eq!(py_state.unit_status.message, "waiting for a certificate");

    // 2. The Rust provider (leader) creates its CA on install and answers the CSR.
    let harness = Harness::<certificates::Certificates>::for_charm(workspace_root().join("examples/certificates"))
        .expect("the certificates charm's metadata reads");
    let mut rs_state =
        State { relations: vec![relation(RS_RELATION, "tls-python-requirer")], ..unit("certificates/0") };
    carry(&py_rel, "tls-python-requirer/0", &mut rs_state.relations[0]);
    let installed = harness.run(On::install(), &rs_state).unwrap();
    assert_eq!(installed.end, End::Completed, "{installed:?}");
    let changed = harness.run(On::relation_changed(&installed.state.relations[0]), &installed.state).unwrap();
    assert_eq!(changed.end, End::Completed, "{changed:?}");
    assert_eq!(changed.state.unit_status.status, StatusName::Active);
    let rs_rel = changed.state.relation(RS_RELATION).unwrap().clone();
    let answers = provider_certificates(&rs_rel.local_app_data);
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0]["certificate_signing_request"], csrs[0]["certificate_signing_request"]);
    let ca_pem =
        changed.secret_by_label("active-ca-certificates").unwrap().content(1).unwrap()["ca-certificate"].clone();

    // 3. Back to Python: it accepts the certificate and verifies it against the CA.
    py.change(|s| carry(&rs_rel, "certificates/0", &mut s.relations[0]));
    let py_state = py.run("certificates-relation-changed", &["--remote-unit", "certificates/0"]);
    assert_eq!(
        (py_state.unit_status.status, py_state.unit_status.message.as_str()),
        (StatusName::Active, "certificate for py-requirer.example verified against goops-rs self-signed CA")
    );
    // The library stored it in its certificate secret, the key in its private-key secret.
    let stored: Vec<&str> = py_state.secrets.iter().filter_map(|s| s.label.as_deref()).collect();
    assert!(stored.iter().any(|l| l.contains("-private-key-0-certificates")), "{stored:?}");
    let cert_secret = py_state
        .secrets
        .iter()
        .find(|s| s.label.as_deref().is_some_and(|l| l.contains("-certificate-0-certificates-")))
        .expect("the library's certificate secret");
    assert!(cert_secret.expire.is_some(), "it expires at renewal time");
    let certificate = answers[0]["certificate"].as_str().unwrap();
    assert_eq!(cert_secret.content(cert_secret.latest()).unwrap()["certificate"], certificate.trim());
    assert_eq!(answers[0]["ca"].as_str().unwrap(), ca_pem);
    assert_issued_by(certificate, &ca_pem, "py-requirer.example");
    assert!(py_state.juju_log.iter().any(|l| l.message.contains("certificate available for py-requirer.example")));
}

#[test]
fn python_provider_signs_for_the_rust_requirer() {
    // 1. The Rust requirer joins: key in a unit secret, CSR in its unit bag.
    let harness = Harness::<tls_requirer::TlsRequirerCharm>::for_charm(workspace_root().join("examples/tls-requirer"))
        .expect("the tls-requirer charm's metadata reads");
    let rs_state = State { relations: vec![relation(RS_RELATION, "tls-python-provider")], ..unit("tls-requirer/0") };
    let created = harness.run(On::relation_created(&rs_state.relations[0]), &rs_state).unwrap();
    assert_eq!(created.end, End::Completed, "{created:?}");
    let rs_rel = created.state.relation(RS_RELATION).unwrap().clone();
    assert!(rs_rel.local_unit_data.contains_key("certificate_signing_requests"), "{rs_rel:?}");

    // 2. The Python provider: CA on install, then it signs the outstanding request.
    let py = PyCharm::new(
        "tls-python-provider",
        &State { relations: vec![relation(PY_RELATION, "tls-requirer")], ..unit("tls-python-provider/0") },
    );
    py.run("install", &[]);
    py.change(|s| carry(&rs_rel, "tls-requirer/0", &mut s.relations[0]));
    let py_state = py.run("certificates-relation-changed", &["--remote-unit", "tls-requirer/0"]);
    assert_eq!(py_state.unit_status.message, "issued 1 certificate(s)");
    let py_rel = py_state.relation(PY_RELATION).unwrap().clone();
    let answers = provider_certificates(&py_rel.local_app_data);
    assert_eq!(answers.len(), 1, "{answers:?}");

    // 3. Back to Rust: the certificate is taken, stored, and the unit is active.
    let mut rs_state = created.state.clone();
    carry(&py_rel, "tls-python-provider/0", &mut rs_state.relations[0]);
    let changed = harness.run(On::relation_changed(&rs_state.relations[0]), &rs_state).unwrap();
    assert_eq!(changed.end, End::Completed, "{changed:?}");
    assert_eq!(changed.state.unit_status.status, StatusName::Active, "{:?}", changed.state.unit_status);
    assert!(changed.state.unit_status.message.starts_with("certificate valid until "));
    let certificate = answers[0]["certificate"].as_str().unwrap();
    let ca = answers[0]["ca"].as_str().unwrap();
    let chain: Vec<&str> = answers[0]["chain"].as_array().unwrap().iter().filter_map(|c| c.as_str()).collect();
    assert_eq!(chain, [certificate, ca], "leaf first, then the CA");
    assert_issued_by(certificate, ca, "tls-requirer.example.internal");
    let stored = changed
        .state
        .secrets
        .iter()
        .find(|s| s.label.as_deref().is_some_and(|l| l.contains("-certificate-0-certificates-")))
        .expect("the certificate's secret");
    assert_eq!(stored.content(stored.latest()).unwrap()["certificate"], certificate.trim());
}
