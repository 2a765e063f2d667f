//! Golden vectors, Rust → Python: databags written by goops-tls-certificates, read by the real
//! Python library (`charmlibs-interfaces-tls-certificates` 1.12.0) with its own models, exactly
//! as its requirer and provider read a relation. The other direction (bags the library wrote,
//! read by the crate) is `interfaces/tls-certificates/tests/golden.rs`.
//!
//! Needs Python 3.10+ with `venv` and PyPI access (the venv is shared with `tls_interop.rs`).

use std::process::Command;

use goops_runtime::Databag;
use goops_tests::{TempDir, pip_venv, target_dir};
use goops_tls_certificates::pki::{generate_csr, generate_private_key};
use goops_tls_certificates::{
    CertificateError, CertificateRequestAttributes, CertificateSigningRequest, ErrorCode, ProvidedCertificate,
    ProviderAppData, ProviderCapabilities, RequestError, RequirerData,
};
use serde_json::{Value, json};

/// Reads the bags with the library's models and prints what it saw, as JSON.
const READER: &str = r#"
import json, sys
from charmlibs.interfaces.tls_certificates import _tls_certificates as impl
from charmlibs.interfaces.tls_certificates import CertificateSigningRequest, chain_has_valid_order

bags = json.load(open(sys.argv[1]))
req = impl._RequirerData.load(bags["requirer"])
requests = []
for r in req.certificate_signing_requests:
    csr = CertificateSigningRequest.from_string(r.certificate_signing_request)
    requests.append({"cn": csr.common_name, "sans_dns": sorted(csr.sans_dns), "sans_ip": sorted(csr.sans_ip),
                     "organization": csr.organization, "unique_id": csr.has_unique_identifier, "ca": r.ca})
prov = impl._ProviderApplicationData.load(bags["provider"])
certs = []
for c in prov.certificates:
    pc = c.to_provider_certificate(relation_id=1)
    certs.append({"cn": pc.certificate.common_name, "is_ca": pc.certificate.is_ca, "revoked": pc.revoked,
                  "chain_ok": chain_has_valid_order([str(x) for x in pc.chain]),
                  "matches_csr": pc.certificate_signing_request.matches_certificate(pc.certificate)})
print(json.dumps({
    "requests": requests,
    "certificates": certs,
    "errors": [{"code": e.error.code, "name": e.error.name, "reason": e.error.reason} for e in prov.request_errors],
    "capabilities": prov.capabilities.model_dump(exclude_none=True) if prov.capabilities else None,
    # The library writes the same models back: are they byte for byte ours?
    "requirer_redumped": req.dump({}) == bags["requirer"],
    "provider_redumped": prov.dump({}) == bags["provider"],
}))
"#;

#[test]
fn rust_bags_read_in_the_python_library() {
    let key = generate_private_key().unwrap();
    let mut server = CertificateRequestAttributes::for_common_name("api.example.internal");
    server.sans_ip.insert("10.0.0.9".parse().unwrap());
    server.organization = Some("Example".into());
    let intermediate =
        CertificateRequestAttributes { is_ca: true, ..CertificateRequestAttributes::for_common_name("sub.example") };
    let csrs = [generate_csr(&key, &server).unwrap(), generate_csr(&key, &intermediate).unwrap()];
    let requirer = RequirerData {
        certificate_signing_requests: vec![
            CertificateSigningRequest { certificate_signing_request: csrs[0].clone(), ca: false },
            CertificateSigningRequest { certificate_signing_request: csrs[1].clone(), ca: true },
        ],
    };

    let ca = certificates::tls::generate_ca("golden Rust CA").unwrap();
    let leaf = certificates::tls::sign_csr(&ca, &csrs[0], false).unwrap();
    let sub = certificates::tls::sign_csr(&ca, &csrs[1], true).unwrap();
    let provider = ProviderAppData {
        certificates: vec![
            ProvidedCertificate {
                ca: ca.certificate_pem.clone(),
                certificate_signing_request: csrs[0].clone(),
                chain: Some(vec![leaf.clone(), ca.certificate_pem.clone()]),
                certificate: leaf,
                revoked: None,
            },
            ProvidedCertificate {
                ca: ca.certificate_pem.clone(),
                certificate_signing_request: csrs[1].clone(),
                certificate: sub,
                chain: None,
                revoked: Some(true),
            },
        ],
        request_errors: vec![RequestError {
            csr: csrs[0].clone(),
            error: CertificateError {
                reason: Some("10.0.0.9 is private".into()),
                ..CertificateError::new(ErrorCode::IpNotAllowed, "IP addresses are not allowed")
            },
        }],
        capabilities: Some(ProviderCapabilities {
            supports_ca_certificates: Some(true),
            provider_type: Some("self-signed".into()),
            ..ProviderCapabilities::default()
        }),
    };
    let bags = json!({"requirer": requirer.to_bag().unwrap(), "provider": provider.to_bag().unwrap()});

    let dir = TempDir::new("goops-tls-golden");
    let (bags_path, script) = (dir.path().join("bags.json"), dir.path().join("read.py"));
    std::fs::write(&bags_path, bags.to_string()).unwrap();
    std::fs::write(&script, READER).unwrap();
    let out = Command::new(python()).arg(&script).arg(&bags_path).output().expect("run python");
    assert!(out.status.success(), "the library refused our bags:\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: Value = serde_json::from_slice(&out.stdout).expect("the reader prints JSON");

    assert_eq!(
        seen["requests"],
        json!([
            {"cn": "api.example.internal", "sans_dns": ["api.example.internal"], "sans_ip": ["10.0.0.9"],
             "organization": "Example", "unique_id": true, "ca": false},
            {"cn": "sub.example", "sans_dns": ["sub.example"], "sans_ip": [], "organization": null,
             "unique_id": true, "ca": true},
        ])
    );
    assert_eq!(
        seen["certificates"],
        json!([
            {"cn": "api.example.internal", "is_ca": false, "revoked": null, "chain_ok": true, "matches_csr": true},
            {"cn": "sub.example", "is_ca": true, "revoked": true, "chain_ok": true, "matches_csr": true},
        ])
    );
    assert_eq!(seen["errors"], json!([{"code": 101, "name": "ip_not_allowed", "reason": "10.0.0.9 is private"}]));
    assert_eq!(seen["capabilities"], json!({"supports_ca_certificates": true, "provider_type": "self-signed"}));
    assert_eq!((&seen["requirer_redumped"], &seen["provider_redumped"]), (&json!(true), &json!(true)));
}

fn python() -> std::path::PathBuf {
    let venv = target_dir().join("tls-venv-1.12.0");
    let packages =
        [format!("ops=={}", goops_tests::OPS_VERSION), "charmlibs-interfaces-tls-certificates==1.12.0".to_owned()];
    let bin = pip_venv(&venv, &packages, &|_| {}).unwrap_or_else(|e| panic!("cannot prepare {}: {e}", venv.display()));
    bin.join("python")
}
