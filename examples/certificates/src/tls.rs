//! The charm's certificate authority: a self-signed CA, and CSRs signed by it.
//!
//! Pure functions over PEM text, so they are tested without Juju.

use chrono::{Datelike, NaiveDate, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};

/// Why a certificate operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The CA could not be generated.
    #[error("cannot generate the CA certificate: {0}")]
    Generate(rcgen::Error),
    /// The stored CA private key or certificate is not valid PEM of the right kind.
    #[error("the stored CA is not valid: {0}")]
    BadCa(rcgen::Error),
    /// The requirer's CSR is not a valid, correctly self-signed PEM certificate request.
    #[error("the certificate signing request is not valid: {0}")]
    BadCsr(rcgen::Error),
    /// Signing the CSR failed.
    #[error("cannot sign the certificate: {0}")]
    Sign(rcgen::Error),
}

/// A CA as the charm stores it: PEM private key and PEM certificate.
#[derive(Clone)]
pub struct CaMaterial {
    /// PKCS#8 PEM private key. Kept only in the Juju secret.
    pub private_key_pem: String,
    /// PEM certificate, public.
    pub certificate_pem: String,
}

impl std::fmt::Debug for CaMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaMaterial").field("private_key_pem", &"[REDACTED]").finish_non_exhaustive()
    }
}

/// The validity window: from today for `days` days, at day granularity (what X.509 consumers check).
fn validity(params: &mut CertificateParams, days: i64) {
    let today = Utc::now().date_naive();
    let end = today + chrono::Duration::days(days);
    let ymd = |d: NaiveDate| date_time_ymd(d.year(), d.month() as u8, d.day() as u8);
    params.not_before = ymd(today);
    params.not_after = ymd(end);
}

/// Generate a self-signed CA valid for one year, named `common_name`.
pub fn generate_ca(common_name: &str) -> Result<CaMaterial, TlsError> {
    let key = KeyPair::generate().map_err(TlsError::Generate)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(TlsError::Generate)?;
    params.distinguished_name.push(DnType::CommonName, common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    validity(&mut params, 365);
    let cert = params.self_signed(&key).map_err(TlsError::Generate)?;
    Ok(CaMaterial { private_key_pem: key.serialize_pem(), certificate_pem: cert.pem() })
}

/// Sign a PEM CSR with the CA; the certificate is valid for 90 days and keeps the CSR's names.
pub fn sign_csr(ca: &CaMaterial, csr_pem: &str) -> Result<String, TlsError> {
    let mut csr = CertificateSigningRequestParams::from_pem(csr_pem).map_err(TlsError::BadCsr)?;
    let key = KeyPair::from_pem(&ca.private_key_pem).map_err(TlsError::BadCa)?;
    let issuer = Issuer::from_ca_cert_pem(&ca.certificate_pem, key).map_err(TlsError::BadCa)?;
    validity(&mut csr.params, 90);
    let cert = csr.signed_by(&issuer).map_err(TlsError::Sign)?;
    Ok(cert.pem())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr(name: &str) -> String {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.serialize_request(&key).unwrap().pem().unwrap()
    }

    #[test]
    fn generated_ca_signs_a_csr() {
        let ca = generate_ca("goops test CA").unwrap();
        assert!(ca.certificate_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(ca.private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let cert = sign_csr(&ca, &csr("db.example.internal")).unwrap();
        assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_ne!(cert, ca.certificate_pem);
    }

    #[test]
    fn bad_csr_and_bad_ca_are_typed_errors() {
        let ca = generate_ca("goops test CA").unwrap();
        assert!(matches!(sign_csr(&ca, "not a csr"), Err(TlsError::BadCsr(_))));
        let broken = CaMaterial { private_key_pem: "junk".into(), certificate_pem: ca.certificate_pem.clone() };
        assert!(matches!(sign_csr(&broken, &csr("x.example")), Err(TlsError::BadCa(_))));
    }

    #[test]
    fn debug_redacts_the_private_key() {
        let ca = generate_ca("goops test CA").unwrap();
        assert!(!format!("{ca:?}").contains("PRIVATE KEY"));
    }
}
