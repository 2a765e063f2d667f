//! The tls-certificates v4 databags: what each side writes, key by key.
//!
//! Shapes and names follow the Python library that defines v4 in practice
//! (`charmlibs-interfaces-tls-certificates` 1.12.0, `_tls_certificates.py`: `_RequirerData`,
//! `_ProviderApplicationData`, `_Certificate`, `_CertificateSigningRequest`, `_RequestError`,
//! `CertificateError`, `ProviderCapabilities`) and the interface schema in canonical/charmlibs
//! (`interfaces/tls-certificates/interface/v1/schema.py`). Where the two differ, the library
//! wins, since it is what runs: a request error's CSR is under `csr` (the schema says
//! `certificate_signing_request`), and the schema's `recommended_expiry_notification_time` is
//! neither written nor read by it (we ignore it too).
//!
//! The two bags are `#[derive(Databag)]` structs: each top-level field is one databag key
//! holding JSON, as the library's `_DatabagModel` does (`json.loads` per key on load,
//! `json.dumps` per key on dump), and load/save go through `Context::relation_load` /
//! `relation_save`. No key is required (the interface design rule): a missing key reads as its
//! default. Unknown keys and unknown fields are ignored, as pydantic's `extra="ignore"` does.
//! One byte-level difference: the library leaves an empty list out of the bag
//! (`exclude_defaults=True`) where we write `[]`; each side reads the other's form.

use goops_runtime::{Databag, DatabagValue};
use serde::{Deserialize, Serialize};

/// The key a requirer lists its CSRs under (unit bag, or application bag in app mode).
pub const REQUESTS_KEY: &str = "certificate_signing_requests";
/// The key the provider lists its certificates under (its application bag).
pub const CERTIFICATES_KEY: &str = "certificates";
/// The key the provider lists refused requests under (its application bag).
pub const REQUEST_ERRORS_KEY: &str = "request_errors";
/// The key the provider describes what it can issue under (its application bag).
pub const CAPABILITIES_KEY: &str = "capabilities";

/// One requirer bag (unit or application): the CSRs it asks to have signed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Databag)]
pub struct RequirerData {
    /// `certificate_signing_requests`: the outstanding requests.
    #[databag(default)]
    pub certificate_signing_requests: Vec<CertificateSigningRequest>,
}

/// One request: a PEM CSR and whether a CA certificate is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, DatabagValue)]
pub struct CertificateSigningRequest {
    /// The PEM CSR.
    pub certificate_signing_request: String,
    /// Whether the requirer asks for a CA (intermediate) certificate. v4 requires the key to be
    /// present (pydantic `bool | None` with no default), `null` meaning no; we always write it.
    #[serde(default, deserialize_with = "null_is_false")]
    pub ca: bool,
}

/// The provider's application bag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Databag)]
pub struct ProviderAppData {
    /// `certificates`: the certificates issued (or revoked), one per answered CSR.
    #[databag(default)]
    pub certificates: Vec<ProvidedCertificate>,
    /// `request_errors`: the CSRs the provider refused, with why.
    #[databag(default)]
    pub request_errors: Vec<RequestError>,
    /// `capabilities`: what the provider says it can issue; absent means "not said yet".
    pub capabilities: Option<ProviderCapabilities>,
}

/// One issued certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, DatabagValue)]
pub struct ProvidedCertificate {
    /// The issuing CA's certificate (PEM).
    pub ca: String,
    /// The CSR this certificate answers (PEM).
    pub certificate_signing_request: String,
    /// The certificate (PEM).
    pub certificate: String,
    /// The chain, leaf first, then each issuer up to the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Vec<String>>,
    /// `true` when the provider revoked it: the requirer drops it and asks again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
}

/// A refused request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, DatabagValue)]
pub struct RequestError {
    /// The refused CSR (PEM). The library writes `csr`; the interface schema's example says
    /// `certificate_signing_request`, which we accept on read.
    #[serde(alias = "certificate_signing_request")]
    pub csr: String,
    /// Why.
    pub error: CertificateError,
}

/// Why the provider refused a CSR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, DatabagValue)]
pub struct CertificateError {
    /// The numeric code ([`ErrorCode`] reads it).
    pub code: i64,
    /// A machine-readable name, e.g. `ip_not_allowed`.
    pub name: String,
    /// A message for people.
    pub message: String,
    /// More detail, e.g. the backend's error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Which provider (charm or backend) refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The server URL, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

impl CertificateError {
    /// An error with `code`'s name and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code: code.code(),
            name: code.name().to_owned(),
            message: message.into(),
            reason: None,
            provider: None,
            endpoint: None,
        }
    }

    /// The code as the enum (unknown codes are [`ErrorCode::Unknown`]).
    pub fn kind(&self) -> ErrorCode {
        ErrorCode::from_code(self.code)
    }
}

/// v4's error codes (`CertificateRequestErrorCode`): 1XX the CSR, 2XX the server, 9XX other.
/// A code this version does not know is kept as [`ErrorCode::Unknown`], never refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// 101: IP addresses are not allowed in SANs.
    IpNotAllowed,
    /// 102: the domain is not allowed.
    DomainNotAllowed,
    /// 103: wildcards are not allowed.
    WildcardNotAllowed,
    /// 201: the certificate server is not available.
    ServerNotAvailable,
    /// 999: anything else.
    Other,
    /// A code newer than this crate.
    Unknown(i64),
}

impl ErrorCode {
    /// Reads a code.
    pub fn from_code(code: i64) -> Self {
        match code {
            101 => Self::IpNotAllowed,
            102 => Self::DomainNotAllowed,
            103 => Self::WildcardNotAllowed,
            201 => Self::ServerNotAvailable,
            999 => Self::Other,
            other => Self::Unknown(other),
        }
    }

    /// The number in the bag.
    pub fn code(self) -> i64 {
        match self {
            Self::IpNotAllowed => 101,
            Self::DomainNotAllowed => 102,
            Self::WildcardNotAllowed => 103,
            Self::ServerNotAvailable => 201,
            Self::Other => 999,
            Self::Unknown(code) => code,
        }
    }

    /// The lower-case name v4 uses (the enum member's name), `unknown` for unknown codes.
    pub fn name(self) -> &'static str {
        match self {
            Self::IpNotAllowed => "ip_not_allowed",
            Self::DomainNotAllowed => "domain_not_allowed",
            Self::WildcardNotAllowed => "wildcard_not_allowed",
            Self::ServerNotAvailable => "server_not_available",
            Self::Other => "other",
            Self::Unknown(_) => "unknown",
        }
    }
}

/// What the provider says it can issue. Every field is optional: `None` means "not said", and a
/// requirer must not read it as a default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, DatabagValue)]
pub struct ProviderCapabilities {
    /// Whether IP addresses are accepted in SANs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_ip_sans: Option<bool>,
    /// Whether wildcard DNS names are accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_wildcard_dns: Option<bool>,
    /// Whether subdomain certificates can be issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_subdomain: Option<bool>,
    /// Whether CA certificates can be issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_ca_certificates: Option<bool>,
    /// The DNS domains certificates may name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_domains: Option<Vec<String>>,
    /// A hint such as `acme`, `vault`, `self-signed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_type: Option<String>,
}

fn null_is_false<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use goops_runtime::{Databag, DatabagError};

    use super::*;

    fn bag(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_keys_are_v4s() {
        assert_eq!(RequirerData::KEYS, [REQUESTS_KEY]);
        assert_eq!(ProviderAppData::KEYS, [CERTIFICATES_KEY, REQUEST_ERRORS_KEY, CAPABILITIES_KEY]);
    }

    #[test]
    fn missing_keys_are_defaults_and_none_is_not_written() {
        let empty = ProviderAppData::from_bag(&bag(&[("other", "x")])).unwrap();
        assert_eq!(empty, ProviderAppData::default());
        let out = empty.to_bag().unwrap();
        assert_eq!(out, bag(&[("certificates", "[]"), ("request_errors", "[]")]));
    }

    #[test]
    fn a_bad_key_is_an_error_naming_it() {
        let err = RequirerData::from_bag(&bag(&[(REQUESTS_KEY, r#"[{"certificate_signing_request": "#)])).unwrap_err();
        assert!(matches!(&err, DatabagError::InvalidJson { key, .. } if key == REQUESTS_KEY), "{err}");
        let err = ProviderAppData::from_bag(&bag(&[(CERTIFICATES_KEY, r#"[{"ca": "x"}]"#)])).unwrap_err();
        assert!(matches!(&err, DatabagError::WrongType { key, .. } if key == CERTIFICATES_KEY), "{err}");
        assert!(err.to_string().contains("missing field"), "{err}");
    }

    #[test]
    fn ca_null_reads_as_false_and_is_always_written_as_python_does() {
        let raw = r#"[{"certificate_signing_request": "CSR", "ca": null}]"#;
        let data = RequirerData::from_bag(&bag(&[(REQUESTS_KEY, raw)])).unwrap();
        assert!(!data.certificate_signing_requests[0].ca);
        let out = data.to_bag().unwrap();
        assert_eq!(out[REQUESTS_KEY], r#"[{"certificate_signing_request": "CSR", "ca": false}]"#);
    }

    #[test]
    fn unknown_error_codes_are_kept() {
        let e = CertificateError { code: 404, ..CertificateError::new(ErrorCode::Other, "m") };
        assert_eq!(e.kind(), ErrorCode::Unknown(404));
        assert_eq!(ErrorCode::from_code(102), ErrorCode::DomainNotAllowed);
        assert_eq!(ErrorCode::Unknown(7).code(), 7);
    }
}
