//! The tls-requirer charm, event by event, on goops-sim's harness (in-process), with a test CA
//! playing the provider.

use chrono::{Duration, Utc};
use goops_runtime::Databag;
use goops_sim::state::{Relation, SecretOwner, State, StatusName};
use goops_sim::testing::{End, Harness, On, RunReport};
use goops_tls_certificates::pki::{CertInfo, CsrInfo, private_key_public_key, sha256_hex};
use goops_tls_certificates::{
    CertificateError, ErrorCode, LIBID, ProvidedCertificate, ProviderAppData, RequestError, RequirerData,
};
use rcgen::{BasicConstraints, CertificateParams, CertificateSigningRequestParams, DnType, IsCa, Issuer, KeyPair};
use tls_requirer::TlsRequirerCharm;

const RELATION: u32 = 3;
const KEY_LABEL: &str = "afd8c2bccf834997afce12c2706d2ede-private-key-0-certificates";

fn harness() -> Harness<TlsRequirerCharm> {
    Harness::for_charm(env!("CARGO_MANIFEST_DIR")).expect("the charm's charmcraft.yaml reads")
}

fn unit() -> State {
    State { unit: "tls-requirer/0".to_owned(), leader: true, ..State::default() }
}

fn related() -> State {
    let mut state = unit();
    state.relations.push(Relation {
        id: RELATION,
        endpoint: "certificates".to_owned(),
        interface: "tls-certificates".to_owned(),
        remote_app: "ca".to_owned(),
        remote_units: [("ca/0".to_owned(), Default::default())].into(),
        ..Relation::default()
    });
    state
}

/// A test CA: (certificate PEM, issuer).
struct TestCa {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn test_ca() -> TestCa {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, "test CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let pem = params.self_signed(&key).unwrap().pem();
    TestCa { issuer: Issuer::new(params, key), pem }
}

impl TestCa {
    /// Signs `csr`, valid from `days_ago` days ago for `days` days.
    fn sign(&self, csr: &str, days_ago: i64, days: i64) -> String {
        let mut csr = CertificateSigningRequestParams::from_pem(csr).unwrap();
        let since_epoch = (Utc::now() - Duration::days(days_ago)).timestamp() as u64;
        let start = rcgen::date_time_ymd(1970, 1, 1) + std::time::Duration::from_secs(since_epoch);
        csr.params.not_before = start;
        csr.params.not_after = start + std::time::Duration::from_secs(days as u64 * 86_400);
        csr.signed_by(&self.issuer).unwrap().pem()
    }

    /// The provider's bag answering `csr` with a certificate.
    fn answer(&self, csr: &str, days_ago: i64, days: i64) -> ProviderAppData {
        let certificate = self.sign(csr, days_ago, days);
        ProviderAppData {
            certificates: vec![ProvidedCertificate {
                ca: self.pem.clone(),
                certificate_signing_request: csr.to_owned(),
                chain: Some(vec![certificate.clone(), self.pem.clone()]),
                certificate,
                revoked: None,
            }],
            ..ProviderAppData::default()
        }
    }
}

fn requests(state: &State) -> RequirerData {
    let bag = state.relation(RELATION).unwrap().local_unit_data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    RequirerData::from_bag(&bag).unwrap()
}

fn the_csr(state: &State) -> String {
    let data = requests(state);
    assert_eq!(data.certificate_signing_requests.len(), 1, "{data:?}");
    data.certificate_signing_requests[0].certificate_signing_request.clone()
}

fn with_provider(mut state: State, data: &ProviderAppData) -> State {
    let bag = data.to_bag().unwrap().into_iter().filter(|(_, v)| !v.is_empty()).collect();
    state.relations[0].remote_app_data = bag;
    state
}

fn status(out: &RunReport) -> (StatusName, &str) {
    (out.state.unit_status.status, out.state.unit_status.message.as_str())
}

/// Runs relation-created then relation-changed with the provider's answer: the state holding a
/// certificate, its CSR and the CA.
fn with_certificate(ca: &TestCa) -> (RunReport, String) {
    let state = related();
    let created = harness().run(On::relation_created(&state.relations[0]), &state).unwrap();
    let csr = the_csr(&created.state);
    let state = with_provider(created.state, &ca.answer(&csr, 0, 90));
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert_eq!(out.end, End::Completed, "{out:?}");
    (out, csr)
}

#[test]
fn without_a_relation_the_unit_is_blocked_and_makes_no_key() {
    let out = harness().run(On::config_changed(), &unit()).unwrap();
    assert_eq!(out.end, End::Completed);
    assert!(out.state.secrets.is_empty());
    assert_eq!(status(&out), (StatusName::Blocked, "needs a certificates relation"));
}

#[test]
fn relation_created_makes_a_key_in_a_unit_secret_and_publishes_a_csr() {
    let mut state = related();
    state.config.insert("common-name".to_owned(), "web.example.internal".into());
    let out = harness().run(On::relation_created(&state.relations[0]), &state).unwrap();
    assert_eq!(out.end, End::Completed, "{out:?}");
    let secret = out.secret_by_label(KEY_LABEL).expect("the key's secret, labelled as v4 labels it");
    assert_eq!(secret.owner, Some(SecretOwner::Unit));
    let key = secret.content(secret.latest()).unwrap()["private-key"].clone();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"));

    let data = requests(&out.state);
    let [request] = &data.certificate_signing_requests[..] else { panic!("{data:?}") };
    assert!(!request.ca);
    let csr = CsrInfo::parse(&request.certificate_signing_request).unwrap();
    assert_eq!(csr.subject.common_name.as_deref(), Some("web.example.internal"));
    assert_eq!(csr.sans_dns.iter().collect::<Vec<_>>(), ["web.example.internal"]);
    assert!(csr.subject.has_unique_identifier);
    assert_eq!(csr.public_key, private_key_public_key(&key).unwrap(), "the CSR is for the stored key");
    assert_eq!(status(&out), (StatusName::Waiting, "waiting for a certificate"));

    // The key is never on a command line, in a log line or in Debug output.
    for call in &out.tool_calls {
        assert!(!call.args.iter().any(|a| a.contains("PRIVATE KEY")), "{call:?}");
    }
    assert!(!out.log_messages().iter().any(|m| m.contains("PRIVATE KEY")));

    // Again: same key, same CSR, nothing written.
    let again = harness().run(On::relation_changed(out.relation(RELATION).unwrap()), &out.state).unwrap();
    assert!(again.calls_of("secret-add").is_empty() && again.calls_of("relation-set").is_empty());
    assert_eq!(requests(&again.state), data);
}

#[test]
fn the_answer_is_stored_in_a_secret_that_expires_at_renewal_time() {
    let ca = test_ca();
    let (out, csr) = with_certificate(&ca);
    let label = format!("{LIBID}-certificate-0-certificates-{}", sha256_hex(csr.trim()));
    let secret = out.secret_by_label(&label).expect("the certificate's secret");
    assert_eq!(secret.owner, Some(SecretOwner::Unit));
    let content = secret.content(secret.latest()).unwrap();
    let provided = &ProviderAppData::from_bag(
        &out.state.relations[0].remote_app_data.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
    )
    .unwrap()
    .certificates[0];
    assert_eq!(content["certificate"], provided.certificate.trim());
    assert_eq!(content["csr"], csr.trim());
    let cert = CertInfo::parse(&provided.certificate).unwrap();
    let renew_at = Utc::now() + (cert.not_after - Utc::now()) * 9 / 10;
    let expire = secret.expire.expect("an expiry");
    assert!((expire - renew_at).num_minutes().abs() < 5, "expires at 90% of the time left: {expire} vs {renew_at}");
    let until = format!("certificate valid until {}", cert.not_after.date_naive());
    assert_eq!(status(&out), (StatusName::Active, until.as_str()));
    // The library told the charm (its typed event reached the charm's method).
    let told = format!("certificate available, valid until {}", cert.not_after);
    assert_eq!(out.logs_at("INFO").iter().filter(|m| m.ends_with(told.as_str())).count(), 1, "{:?}", out.logs);

    // Nothing new on the next event: no secret-set, no relation-set.
    let again = harness().run(On::update_status(), &out.state).unwrap();
    assert!(again.calls_of("secret-set").is_empty() && again.calls_of("relation-set").is_empty(), "{again:?}");
    assert_eq!(again.state.unit_status.status, StatusName::Active);
}

#[test]
fn secret_expired_replaces_the_csr_and_drops_the_certificate_secret() {
    let ca = test_ca();
    let (out, csr) = with_certificate(&ca);
    let label = format!("{LIBID}-certificate-0-certificates-{}", sha256_hex(csr.trim()));
    let secret = out.secret_by_label(&label).unwrap().clone();
    let expired = harness().run(On::secret_expired(&secret, secret.latest()), &out.state).unwrap();
    assert_eq!(expired.end, End::Completed, "{expired:?}");
    assert!(expired.secret_by_label(&label).is_none(), "the expired certificate's secret is removed");
    let renewed = the_csr(&expired.state);
    assert_ne!(renewed.trim(), csr.trim(), "a new CSR (new unique id) asks for the renewal");
    assert_eq!(CsrInfo::parse(&renewed).unwrap().public_key, CsrInfo::parse(&csr).unwrap().public_key, "same key");
    assert_eq!(status(&expired), (StatusName::Waiting, "waiting for a certificate"));

    // A secret that is not ours is left alone.
    let key_secret = expired.secret_by_label(KEY_LABEL).unwrap().clone();
    let other = harness().run(On::secret_expired(&key_secret, key_secret.latest()), &expired.state).unwrap();
    assert!(other.calls_of("relation-set").is_empty() && other.calls_of("secret-remove").is_empty());
}

#[test]
fn a_certificate_past_the_safety_threshold_is_renewed_without_the_event() {
    let ca = test_ca();
    let state = related();
    let created = harness().run(On::relation_created(&state.relations[0]), &state).unwrap();
    let csr = the_csr(&created.state);
    // 100 of 102 days gone: past 95% (renewal_relative_time 0.9 + 0.05).
    let state = with_provider(created.state, &ca.answer(&csr, 100, 102));
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert_eq!(out.end, End::Completed, "{out:?}");
    assert_ne!(the_csr(&out.state).trim(), csr.trim(), "a new CSR went out");
    assert!(out.logs_at("WARNING").iter().any(|m| m.contains("close to expiry")), "{:?}", out.logs);
    assert_eq!(status(&out), (StatusName::Waiting, "waiting for a certificate"));
}

#[test]
fn a_revoked_certificate_is_dropped_and_the_same_csr_waits_for_a_new_one() {
    let ca = test_ca();
    let (out, csr) = with_certificate(&ca);
    let mut answer = ca.answer(&csr, 0, 90);
    answer.certificates[0].revoked = Some(true);
    let state = with_provider(out.state.clone(), &answer);
    let revoked = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert_eq!(revoked.end, End::Completed);
    let label = format!("{LIBID}-certificate-0-certificates-{}", sha256_hex(csr.trim()));
    assert!(revoked.secret_by_label(&label).is_none());
    assert_eq!(the_csr(&revoked.state), csr, "the CSR stays: the provider answers it again");
    assert_eq!(status(&revoked), (StatusName::Waiting, "waiting for a certificate"));
}

#[test]
fn a_refusal_blocks_with_the_providers_message() {
    let state = related();
    let created = harness().run(On::relation_created(&state.relations[0]), &state).unwrap();
    let csr = the_csr(&created.state);
    let refusal = ProviderAppData {
        request_errors: vec![RequestError {
            csr,
            error: CertificateError::new(ErrorCode::DomainNotAllowed, "domain not allowed here"),
        }],
        ..ProviderAppData::default()
    };
    let state = with_provider(created.state, &refusal);
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert_eq!(status(&out), (StatusName::Blocked, "certificate request refused: domain not allowed here"));
}

#[test]
fn unusable_answers_are_logged_not_taken() {
    let ca = test_ca();
    let state = related();
    let created = harness().run(On::relation_created(&state.relations[0]), &state).unwrap();
    let csr = the_csr(&created.state);

    // Not v4 data.
    let mut state = created.state.clone();
    state.relations[0].remote_app_data.insert("certificates".into(), "{oops".into());
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert_eq!(out.end, End::Completed);
    let warnings = out.logs_at("WARNING");
    let want = format!(
        "certificates:{RELATION}: relation certificates:{RELATION}, databag of ca: key \"certificates\" has the wrong type: invalid type: map, expected a sequence at line 1 column 0"
    );
    assert_eq!(warnings, [want.as_str()]);
    assert_eq!(status(&out).0, StatusName::Waiting);

    // A certificate for someone else's key, answering our CSR.
    let other_key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["tls-requirer.example.internal".to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, "tls-requirer.example.internal");
    let foreign_csr = params.serialize_request(&other_key).unwrap().pem().unwrap();
    let mut answer = ca.answer(&csr, 0, 90);
    answer.certificates[0].certificate = ca.sign(&foreign_csr, 0, 90);
    let state = with_provider(created.state, &answer);
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert!(out.logs_at("WARNING").iter().any(|m| m.contains("not for our private key")), "{:?}", out.logs);
    assert!(out.state.secrets.iter().all(|s| s.label.as_deref() == Some(KEY_LABEL)), "no certificate stored");
    assert_eq!(status(&out).0, StatusName::Waiting);
}

#[test]
fn relation_broken_removes_the_key_and_certificate_secrets() {
    let ca = test_ca();
    let (out, _) = with_certificate(&ca);
    assert_eq!(out.state.secrets.len(), 2);
    let broken = harness().run(On::relation_broken(out.relation(RELATION).unwrap()), &out.state).unwrap();
    assert_eq!(broken.end, End::Completed, "{broken:?}");
    assert!(broken.state.secrets.is_empty(), "{:?}", broken.state.secrets);
    assert_eq!(status(&broken), (StatusName::Blocked, "needs a certificates relation"));
}
