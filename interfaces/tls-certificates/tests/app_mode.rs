//! The requirer library in app mode (v4 `Mode.APP`): the leader keeps one key, CSR and
//! certificate for the application, in app-owned secrets and the application bag; other units
//! do nothing. A test charm (`tests/app-mode/charmcraft.yaml`) includes the library.

use goops_runtime::prelude::*;
use goops_sim::state::{Relation, SecretOwner, State};
use goops_sim::testing::{End, Harness, On};
use goops_tls_certificates::pki::{CsrInfo, sha256_hex};
use goops_tls_certificates::{
    CertificateRequestAttributes, LIBID, Mode, ProvidedCertificate, ProviderAppData, Requests, RequirerData,
    RequirerEvent, TlsRequirer,
};
use rcgen::{BasicConstraints, CertificateParams, CertificateSigningRequestParams, DnType, IsCa, Issuer, KeyPair};

struct AppCharm {
    tls: TlsRequirer,
}

impl Default for AppCharm {
    fn default() -> Self {
        let request = CertificateRequestAttributes {
            is_ca: true,
            ..CertificateRequestAttributes::for_common_name("app.example")
        };
        Self { tls: TlsRequirer::new(Requests::Fixed(vec![request])).mode(Mode::App).renewal_relative_time(0.75) }
    }
}

#[charm(metadata = "tests/app-mode/charmcraft.yaml")]
impl AppCharm {
    #[lib(endpoint = "certificates", events = on_tls)]
    fn tls(&self) -> &TlsRequirer {
        &self.tls
    }

    fn on_tls(&self, ctx: &Context, event: &RequirerEvent) -> HookResult {
        if let RequirerEvent::CertificateAvailable(cert) = event {
            ctx.log_info(format!("app certificate for {}", cert.relation));
        }
        Ok(())
    }
}

fn harness() -> Harness<AppCharm> {
    Harness::for_charm(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/app-mode")).unwrap()
}

fn state(leader: bool) -> State {
    let relation = Relation {
        id: 4,
        endpoint: "certificates".into(),
        interface: "tls-certificates".into(),
        remote_app: "ca".into(),
        remote_units: [("ca/0".to_owned(), Default::default())].into(),
        ..Relation::default()
    };
    State { unit: "app-mode/1".into(), leader, relations: vec![relation], ..State::default() }
}

#[test]
fn the_leader_asks_for_the_application_and_keeps_it_in_app_secrets() {
    let out = harness().run(On::relation_created(&state(true).relations[0]), &state(true)).unwrap();
    assert_eq!(out.end, End::Completed, "{out:?}");
    let key = out.secret_by_label(&format!("{LIBID}-private-key-app-certificates")).expect("the app key");
    assert_eq!(key.owner, Some(SecretOwner::Application));
    let rel = out.state.relation(4).unwrap();
    assert!(!rel.local_unit_data.contains_key("certificate_signing_requests"), "{:?}", rel.local_unit_data);
    let bag = rel.local_app_data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let data = RequirerData::from_bag(&bag).unwrap();
    let [request] = &data.certificate_signing_requests[..] else { panic!("{data:?}") };
    assert!(request.ca, "a CA certificate is asked for");
    let csr = request.certificate_signing_request.clone();
    assert_eq!(CsrInfo::parse(&csr).unwrap().subject.common_name.as_deref(), Some("app.example"));

    // A CA signs it as an intermediate; the leader stores it in an app secret.
    let ca_key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, "root");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_pem = params.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(params, ca_key);
    let mut signing = CertificateSigningRequestParams::from_pem(&csr).unwrap();
    signing.params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let certificate = signing.signed_by(&issuer).unwrap().pem();
    let answer = ProviderAppData {
        certificates: vec![ProvidedCertificate {
            ca: ca_pem,
            certificate_signing_request: csr.clone(),
            certificate,
            chain: None,
            revoked: None,
        }],
        ..ProviderAppData::default()
    };
    let mut next = out.state.clone();
    next.relations[0].remote_app_data = answer.to_bag().unwrap();
    let got = harness().run(On::relation_changed(&next.relations[0]), &next).unwrap();
    assert_eq!(got.end, End::Completed, "{got:?}");
    let label = format!("{LIBID}-certificate-certificates-{}", sha256_hex(csr.trim()));
    let stored = got.secret_by_label(&label).expect("the app certificate's secret");
    assert_eq!(stored.owner, Some(SecretOwner::Application));
    assert!(got.log_messages().iter().any(|m| m.ends_with("app certificate for certificates:4")), "{:?}", got.logs);
}

#[test]
fn a_non_leader_does_nothing_in_app_mode() {
    let out = harness().run(On::relation_created(&state(false).relations[0]), &state(false)).unwrap();
    assert_eq!(out.end, End::Completed, "{out:?}");
    assert!(out.state.secrets.is_empty());
    assert!(out.calls_of("secret-add").is_empty() && out.calls_of("relation-set").is_empty());
}

/// The same charm with a renewal time outside v4's bounds.
struct BadRenewal {
    tls: TlsRequirer,
}

impl Default for BadRenewal {
    fn default() -> Self {
        let request = CertificateRequestAttributes::for_common_name("app.example");
        Self { tls: TlsRequirer::new(Requests::Fixed(vec![request])).renewal_relative_time(0.4) }
    }
}

#[charm(metadata = "tests/app-mode/charmcraft.yaml")]
impl BadRenewal {
    #[lib(endpoint = "certificates")]
    fn tls(&self) -> &TlsRequirer {
        &self.tls
    }
}

#[test]
fn a_renewal_time_outside_v4s_bounds_fails_the_hook_saying_so() {
    let harness = Harness::<BadRenewal>::for_charm(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/app-mode")).unwrap();
    let out = harness.run(On::relation_created(&state(true).relations[0]), &state(true)).unwrap();
    let End::HookFailed(message) = &out.end else { panic!("the hook fails: {:?}", out.end) };
    assert!(message.contains("renewal_relative_time must be in (0.5, 1.0], not 0.4"), "{message}");
    assert!(out.state.secrets.is_empty(), "nothing made");
}
