//! Shared test fixtures: states, the CA secret, CSRs, and certificate checks.
#![allow(dead_code)] // each test file uses a different part

use certificates::Certificates;
use certificates::tls;
use goops_runtime::Databag;
use goops_sim::state::{Bag, Relation, RotatePolicy, Secret, SecretOwner, SecretRevision, State};
use goops_sim::testing::Harness;
use goops_tls_certificates::databags::REQUESTS_KEY;
use goops_tls_certificates::{ProvidedCertificate, ProviderAppData};

/// The CA secret's label.
pub const LABEL: &str = "active-ca-certificates";
/// The relation id used by the fixtures.
pub const RELATION: u32 = 7;

/// The charm under test, in-process.
pub fn harness() -> Harness<Certificates> {
    Harness::for_charm(env!("CARGO_MANIFEST_DIR")).expect("the charm's charmcraft.yaml reads")
}

/// A unit of the certificates application; `leader` as given.
pub fn unit(leader: bool) -> State {
    State { unit: "certificates/0".to_owned(), leader, ..State::default() }
}

/// A CA secret as the leader would have created it.
pub fn ca_secret() -> (Secret, tls::CaMaterial) {
    let ca = tls::generate_ca("fixture CA").expect("CA generates");
    let secret = Secret {
        id: "secret:d0aaaaaaaaaaaaaaaaaa".to_owned(),
        owner: Some(SecretOwner::Application),
        label: Some(LABEL.to_owned()),
        description: Some("ca certificate and private key for the certificates charm".to_owned()),
        rotate: Some(RotatePolicy::Never),
        revisions: vec![SecretRevision {
            revision: 1,
            content: [
                ("private-key".to_owned(), ca.private_key_pem.clone()),
                ("ca-certificate".to_owned(), ca.certificate_pem.clone()),
            ]
            .into(),
            ..SecretRevision::default()
        }],
        ..Secret::default()
    };
    (secret, ca)
}

/// A PEM CSR for `name` (a fresh key each time).
pub fn csr(name: &str) -> String {
    let key = rcgen_key();
    let mut params = rcgen::CertificateParams::new(vec![name.to_owned()]).expect("valid name");
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    params.serialize_request(&key).expect("CSR").pem().expect("PEM")
}

fn rcgen_key() -> rcgen::KeyPair {
    rcgen::KeyPair::generate().expect("key")
}

/// A `certificates` relation whose requirer unit `requirer/0` sends `requests` (raw JSON).
pub fn relation_with(requests: &str) -> Relation {
    let bag: Bag = [(REQUESTS_KEY.to_owned(), requests.to_owned())].into();
    Relation {
        id: RELATION,
        endpoint: "certificates".to_owned(),
        interface: "tls-certificates".to_owned(),
        remote_app: "requirer".to_owned(),
        remote_units: [("requirer/0".to_owned(), bag)].into(),
        ..Relation::default()
    }
}

/// A relation where `requirer/0` asks for a certificate for each CSR.
pub fn relation_requesting(csrs: &[&str]) -> Relation {
    let list: Vec<_> =
        csrs.iter().map(|c| serde_json::json!({"certificate_signing_request": c, "ca": false})).collect();
    relation_with(&serde_json::Value::Array(list).to_string())
}

/// The answers this charm published on relation `id`.
pub fn answers(state: &State, id: u32) -> Vec<ProvidedCertificate> {
    provider_data(state, id).certificates
}

/// This charm's whole application bag on relation `id`, read as v4 data.
pub fn provider_data(state: &State, id: u32) -> ProviderAppData {
    let relation = state.relation(id).expect("relation still there");
    let bag = relation.local_app_data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    ProviderAppData::from_bag(&bag).expect("the charm writes v4 data")
}

/// Parse a PEM certificate into DER.
pub fn der(pem_text: &str) -> Vec<u8> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem_text.as_bytes()).expect("PEM certificate");
    pem.contents
}

/// Check that `cert_pem` is a leaf certificate signed by `ca_pem` and names `name`.
pub fn assert_signed_by(cert_pem: &str, ca_pem: &str, name: &str) {
    assert!(!signed_by(cert_pem, ca_pem, name), "a leaf certificate");
}

/// Check that `cert_pem` is signed by `ca_pem` and names `name`; whether it is a CA.
pub fn signed_by(cert_pem: &str, ca_pem: &str, name: &str) -> bool {
    let (cert_der, ca_der) = (der(cert_pem), der(ca_pem));
    let (_, cert) = x509_parser::parse_x509_certificate(&cert_der).expect("X.509 certificate");
    let (_, ca) = x509_parser::parse_x509_certificate(&ca_der).expect("X.509 CA");
    assert_eq!(cert.issuer(), ca.subject(), "issued by the CA");
    cert.verify_signature(Some(ca.public_key())).expect("the CA's signature verifies");
    let cn: Vec<_> = cert.subject().iter_common_name().filter_map(|c| c.as_str().ok()).collect();
    assert_eq!(cn, [name]);
    cert.is_ca()
}
