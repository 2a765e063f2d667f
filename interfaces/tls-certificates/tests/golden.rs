//! Golden vectors, Python → Rust: databags written by the Python library that defines v4
//! (`charmlibs-interfaces-tls-certificates` 1.12.0, by `testdata/make_golden.py`) read as this
//! crate's types, and the example in the interface schema (canonical/charmlibs,
//! `interfaces/tls-certificates/interface/v1/schema.py`). The other direction runs the Python
//! library on this crate's bags: `tests/tests/tls_interop_golden.rs` in the repository.

use std::collections::BTreeMap;
use std::net::IpAddr;

use goops_runtime::{Databag, DatabagError};
use goops_tls_certificates::pki::{CertInfo, CsrInfo};
use goops_tls_certificates::{
    CertificateRequestAttributes, ErrorCode, ProviderAppData, ProviderCapabilities, RequirerData,
};

fn golden(name: &str) -> BTreeMap<String, String> {
    let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn a_python_requirer_bag_reads_with_its_csr_attributes() {
    let data = RequirerData::from_bag(&golden("python-requirer-unit-bag.json")).unwrap();
    let requests = &data.certificate_signing_requests;
    assert_eq!(requests.iter().map(|r| r.ca).collect::<Vec<_>>(), [false, true, false], "ca: null reads as false");

    let server = CsrInfo::parse(&requests[0].certificate_signing_request).unwrap();
    assert_eq!(server.subject.common_name.as_deref(), Some("db.example.internal"));
    assert_eq!(server.subject.organization.as_deref(), Some("Example"));
    assert_eq!(server.subject.country_name.as_deref(), Some("GB"));
    assert!(server.subject.has_unique_identifier, "v4 adds a unique id by default");
    let mut want = CertificateRequestAttributes::for_common_name("db.example.internal");
    want.sans_dns.insert("db".into());
    want.sans_ip.insert("10.0.0.7".parse::<IpAddr>().unwrap());
    want.organization = Some("Example".into());
    want.country_name = Some("GB".into());
    assert!(want.matches(&server, false), "{server:?}");
    assert!(!want.matches(&server, true), "the CA flag is part of the request");

    // Same public key in all three (one key per unit, as v4 does).
    let keys: Vec<_> =
        requests.iter().map(|r| CsrInfo::parse(&r.certificate_signing_request).unwrap().public_key).collect();
    assert!(keys.iter().all(|k| *k == keys[0]));
}

#[test]
fn a_python_provider_bag_reads_with_revocation_errors_and_capabilities() {
    let bag = golden("python-provider-app-bag.json");
    let data = ProviderAppData::from_bag(&bag).unwrap();
    let [leaf, sub_ca] = &data.certificates[..] else { panic!("two certificates: {data:?}") };
    assert_eq!(leaf.revoked, None);
    let chain = leaf.chain.as_ref().expect("a chain");
    assert_eq!(chain, &[leaf.certificate.clone(), leaf.ca.clone()], "leaf first, then the CA");
    let info = CertInfo::parse(&leaf.certificate).unwrap();
    assert!(!info.is_ca);
    assert_eq!(info.subject.common_name.as_deref(), Some("db.example.internal"));
    assert_eq!((info.not_after - info.not_before).num_days(), 90);
    assert_eq!(sub_ca.revoked, Some(true));
    assert_eq!(sub_ca.chain, None, "no chain given, none written");
    assert!(CertInfo::parse(&sub_ca.certificate).unwrap().is_ca);

    let [error] = &data.request_errors[..] else { panic!("one error") };
    assert_eq!(error.error.kind(), ErrorCode::IpNotAllowed);
    assert_eq!(error.error.name, "ip_not_allowed");
    assert_eq!(error.error.provider.as_deref(), Some("golden"));
    assert_eq!(error.error.reason, None);
    assert_eq!(
        data.capabilities,
        Some(ProviderCapabilities {
            supports_ip_sans: Some(false),
            allowed_domains: Some(vec!["example.internal".into()]),
            ..ProviderCapabilities::default()
        })
    );

    // Written back, each key holds the very text the library wrote (Python's json.dumps form).
    assert_eq!(data.to_bag().unwrap(), bag);
}

/// The schema's docstring example, its PEM placeholders kept (they are only strings here).
#[test]
fn the_interface_schema_example_reads() {
    let provider_app = serde_json::json!({
        "certificates": [{
            "ca": "-----BEGIN CERTIFICATE----- ...",
            "chain": ["-----BEGIN CERTIFICATE----- ...", "-----BEGIN CERTIFICATE----- ..."],
            "certificate_signing_request": "-----BEGIN CERTIFICATE REQUEST----- ...",
            "certificate": "-----BEGIN CERTIFICATE----- ..."
        }],
        "request_errors": [{
            "certificate_signing_request": "-----BEGIN CERTIFICATE REQUEST----- ...",
            "error": {
                "code": 101, "name": "ip_not_allowed", "message": "IP addresses are not allowed",
                "reason": "ip in san", "provider": "letsencrypt",
                "endpoint": "https://acme-staging-v02.api.letsencrypt.org/directory"
            }
        }],
        "capabilities": {
            "supports_ip_sans": false, "supports_wildcard_dns": true, "supports_subdomain": false,
            "supports_ca_certificates": false, "allowed_domains": ["mydomain.com"], "provider_type": "acme"
        }
    });
    // A databag holds each top-level field as a JSON string.
    let bag: BTreeMap<String, String> =
        provider_app.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.to_string())).collect();
    let data = ProviderAppData::from_bag(&bag).unwrap();
    assert_eq!(data.certificates[0].chain.as_ref().map(Vec::len), Some(2));
    assert_eq!(data.request_errors[0].csr, "-----BEGIN CERTIFICATE REQUEST----- ...");
    assert_eq!(
        data.request_errors[0].error.endpoint.as_deref(),
        Some("https://acme-staging-v02.api.letsencrypt.org/directory")
    );
    assert_eq!(data.capabilities.unwrap().provider_type.as_deref(), Some("acme"));

    let requirer_unit = BTreeMap::from([(
        "certificate_signing_requests".to_owned(),
        r#"[{"certificate_signing_request": "-----BEGIN CERTIFICATE REQUEST----- ...", "ca": true}]"#.to_owned(),
    )]);
    let data = RequirerData::from_bag(&requirer_unit).unwrap();
    assert!(data.certificate_signing_requests[0].ca);
}

#[test]
fn a_bag_that_breaks_the_schema_names_its_key() {
    let mut bag = golden("python-provider-app-bag.json");
    bag.insert("request_errors".into(), r#"[{"csr": "x", "error": {"code": "101"}}]"#.into());
    let err = ProviderAppData::from_bag(&bag).unwrap_err();
    assert!(matches!(&err, DatabagError::WrongType { key, .. } if key == "request_errors"), "{err}");
}
