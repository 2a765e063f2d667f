//! Keys, CSRs and certificates as v4 uses them: generate a key and a CSR from request
//! attributes, and read back what matching needs (public key, subject, SANs, validity, CA flag).

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SanType};
use x509_parser::extensions::GeneralName;
use x509_parser::oid_registry;
use x509_parser::prelude::{FromDer, X509Certificate, X509CertificationRequest, X509Name};

/// X.500 `uniqueIdentifier` (2.5.4.45): v4 puts a fresh UUID here so every CSR is new.
const UNIQUE_IDENTIFIER: [u64; 4] = [2, 5, 4, 45];

/// Why PEM material could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// Not PEM of the expected kind (`what` names it).
    #[error("not a PEM {what}: {reason}")]
    Pem {
        /// `certificate`, `certificate signing request` or `private key`.
        what: &'static str,
        /// What was wrong (never the material).
        reason: String,
    },
    /// rcgen refused to generate or sign.
    #[error("cannot {what}: {source}")]
    Generate {
        /// What was being made.
        what: &'static str,
        /// rcgen's error.
        source: rcgen::Error,
    },
    /// The request attributes cannot make a CSR.
    #[error("invalid certificate request attributes: {0}")]
    Attributes(String),
}

/// What a requirer asks for: v4's `CertificateRequestAttributes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateRequestAttributes {
    /// Subject common name.
    pub common_name: Option<String>,
    /// DNS SANs.
    pub sans_dns: BTreeSet<String>,
    /// IP SANs.
    pub sans_ip: BTreeSet<IpAddr>,
    /// Subject email address.
    pub email_address: Option<String>,
    /// Subject organization.
    pub organization: Option<String>,
    /// Subject organizational unit.
    pub organizational_unit: Option<String>,
    /// Subject country (two letters).
    pub country_name: Option<String>,
    /// Subject state or province.
    pub state_or_province_name: Option<String>,
    /// Subject locality.
    pub locality_name: Option<String>,
    /// Ask for a CA (intermediate) certificate.
    pub is_ca: bool,
    /// Put a fresh UUID in the subject (`x500UniqueIdentifier`), as v4 does by default, so a
    /// renewed CSR differs from the last one.
    pub add_unique_id_to_subject_name: bool,
}

impl CertificateRequestAttributes {
    /// A request for `common_name`, with it as the one DNS SAN and a unique id (v4's defaults).
    pub fn for_common_name(common_name: impl Into<String>) -> Self {
        let common_name = common_name.into();
        Self {
            sans_dns: BTreeSet::from([common_name.clone()]),
            common_name: Some(common_name),
            add_unique_id_to_subject_name: true,
            ..Self::default()
        }
    }

    /// v4's rule: at least a common name or one SAN.
    pub fn validate(&self) -> Result<(), PkiError> {
        if self.common_name.as_deref().is_none_or(str::is_empty) && self.sans_dns.is_empty() && self.sans_ip.is_empty()
        {
            return Err(PkiError::Attributes("at least one of common_name, sans_dns or sans_ip must be given".into()));
        }
        Ok(())
    }

    /// Whether `csr` asks for exactly these attributes (the unique id's value aside), as v4's
    /// `CertificateRequestAttributes.from_csr(csr, is_ca) == request` decides.
    pub fn matches(&self, csr: &CsrInfo, is_ca: bool) -> bool {
        let subject = &csr.subject;
        self.common_name.clone().unwrap_or_default() == subject.common_name.clone().unwrap_or_default()
            && self.sans_dns == csr.sans_dns
            && self.sans_ip == csr.sans_ip
            && self.email_address == subject.email_address
            && self.organization == subject.organization
            && self.organizational_unit == subject.organizational_unit
            && self.country_name == subject.country_name
            && self.state_or_province_name == subject.state_or_province_name
            && self.locality_name == subject.locality_name
            && self.add_unique_id_to_subject_name == subject.has_unique_identifier
            && self.is_ca == is_ca
    }
}

/// The subject fields v4 reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// CN.
    pub common_name: Option<String>,
    /// emailAddress.
    pub email_address: Option<String>,
    /// O.
    pub organization: Option<String>,
    /// OU.
    pub organizational_unit: Option<String>,
    /// C.
    pub country_name: Option<String>,
    /// ST.
    pub state_or_province_name: Option<String>,
    /// L.
    pub locality_name: Option<String>,
    /// Whether an `x500UniqueIdentifier` is present.
    pub has_unique_identifier: bool,
}

/// A parsed CSR.
#[derive(Debug, Clone)]
pub struct CsrInfo {
    /// The DER bytes: two CSRs are the same request when these are equal.
    pub der: Vec<u8>,
    /// The SubjectPublicKeyInfo (DER).
    pub public_key: Vec<u8>,
    /// The subject.
    pub subject: Subject,
    /// DNS SANs.
    pub sans_dns: BTreeSet<String>,
    /// IP SANs.
    pub sans_ip: BTreeSet<IpAddr>,
}

/// A parsed certificate.
#[derive(Debug, Clone)]
pub struct CertInfo {
    /// The SubjectPublicKeyInfo (DER).
    pub public_key: Vec<u8>,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// Basic constraints `cA` (false when the extension is absent).
    pub is_ca: bool,
    /// The subject.
    pub subject: Subject,
}

fn pem_der(pem: &str, tags: &[&str], what: &'static str) -> Result<Vec<u8>, PkiError> {
    let block = pem_block(pem).map_err(|reason| PkiError::Pem { what, reason })?;
    if !tags.contains(&block.0.as_str()) {
        return Err(PkiError::Pem { what, reason: format!("a PEM block labelled {:?}", block.0) });
    }
    Ok(block.1)
}

fn subject(name: &X509Name<'_>) -> Subject {
    let first = |oid: &x509_parser::der_parser::oid::Oid<'_>| {
        name.iter_by_oid(oid).next().and_then(|a| a.as_str().ok()).map(str::to_owned)
    };
    let unique = x509_parser::der_parser::oid::Oid::from(&UNIQUE_IDENTIFIER).expect("a valid OID");
    Subject {
        common_name: first(&oid_registry::OID_X509_COMMON_NAME),
        email_address: first(&oid_registry::OID_PKCS9_EMAIL_ADDRESS),
        organization: first(&oid_registry::OID_X509_ORGANIZATION_NAME),
        organizational_unit: first(&oid_registry::OID_X509_ORGANIZATIONAL_UNIT),
        country_name: first(&oid_registry::OID_X509_COUNTRY_NAME),
        state_or_province_name: first(&oid_registry::OID_X509_STATE_OR_PROVINCE_NAME),
        locality_name: first(&oid_registry::OID_X509_LOCALITY_NAME),
        has_unique_identifier: name.iter_by_oid(&unique).next().is_some(),
    }
}

fn sans(names: &[GeneralName<'_>]) -> (BTreeSet<String>, BTreeSet<IpAddr>) {
    let mut dns = BTreeSet::new();
    let mut ips = BTreeSet::new();
    for name in names {
        match name {
            GeneralName::DNSName(n) => {
                dns.insert((*n).to_owned());
            }
            GeneralName::IPAddress(bytes) => {
                if let Ok(v4) = <[u8; 4]>::try_from(*bytes) {
                    ips.insert(IpAddr::from(v4));
                } else if let Ok(v6) = <[u8; 16]>::try_from(*bytes) {
                    ips.insert(IpAddr::from(v6));
                }
            }
            _ => {}
        }
    }
    (dns, ips)
}

impl CsrInfo {
    /// Parses a PEM CSR.
    pub fn parse(pem: &str) -> Result<Self, PkiError> {
        const WHAT: &str = "certificate signing request";
        let der = pem_der(pem, &["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"], WHAT)?;
        let (_, csr) = X509CertificationRequest::from_der(&der)
            .map_err(|e| PkiError::Pem { what: WHAT, reason: e.to_string() })?;
        let info = &csr.certification_request_info;
        let mut names = Vec::new();
        for ext in csr.requested_extensions().into_iter().flatten() {
            if let x509_parser::extensions::ParsedExtension::SubjectAlternativeName(san) = ext {
                names.extend(san.general_names.iter().cloned());
            }
        }
        let (sans_dns, sans_ip) = sans(&names);
        Ok(Self {
            public_key: info.subject_pki.raw.to_vec(),
            subject: subject(&info.subject),
            sans_dns,
            sans_ip,
            der: der.clone(),
        })
    }
}

impl CertInfo {
    /// Parses a PEM certificate.
    pub fn parse(pem: &str) -> Result<Self, PkiError> {
        const WHAT: &str = "certificate";
        let der = pem_der(pem, &["CERTIFICATE"], WHAT)?;
        let (_, cert) =
            X509Certificate::from_der(&der).map_err(|e| PkiError::Pem { what: WHAT, reason: e.to_string() })?;
        let time = |t: x509_parser::time::ASN1Time| DateTime::from_timestamp(t.timestamp(), 0).unwrap_or_default();
        Ok(Self {
            public_key: cert.public_key().raw.to_vec(),
            not_before: time(cert.validity().not_before),
            not_after: time(cert.validity().not_after),
            is_ca: cert.is_ca(),
            subject: subject(cert.subject()),
        })
    }

    /// When v4 renews: `fraction` of the way from `now` to expiry (its
    /// `calculate_relative_datetime(expiry, renewal_relative_time)`).
    pub fn renewal_time(&self, now: DateTime<Utc>, fraction: f64) -> DateTime<Utc> {
        let left = (self.not_after - now).num_seconds().max(0) as f64;
        now + chrono::Duration::seconds((left * fraction) as i64)
    }
}

/// The SubjectPublicKeyInfo (DER) of a PEM private key.
pub fn private_key_public_key(key_pem: &str) -> Result<Vec<u8>, PkiError> {
    let key = KeyPair::from_pem(key_pem)
        .map_err(|e| PkiError::Pem { what: "private key", reason: format!("{e} (ECDSA P-256/P-384 or Ed25519)") })?;
    Ok(rcgen::PublicKeyData::subject_public_key_info(&key))
}

/// A new ECDSA P-256 private key (PKCS#8 PEM): v4 accepts ECDSA 256 (`KeyAlgorithm.ECDSA`);
/// ring, under rcgen, does not generate RSA keys.
pub fn generate_private_key() -> Result<String, PkiError> {
    let key = KeyPair::generate().map_err(|source| PkiError::Generate { what: "generate a private key", source })?;
    Ok(key.serialize_pem())
}

/// A PEM CSR for `attributes`, signed with `key_pem`, laid out as v4's
/// `CertificateSigningRequest.generate` lays it out (subject CN, unique id, O, OU, email, C, ST,
/// L; DNS and IP SANs in a non-critical extension).
pub fn generate_csr(key_pem: &str, attributes: &CertificateRequestAttributes) -> Result<String, PkiError> {
    attributes.validate()?;
    let key = KeyPair::from_pem(key_pem).map_err(|e| PkiError::Pem { what: "private key", reason: e.to_string() })?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    if let Some(cn) = attributes.common_name.as_deref().filter(|cn| !cn.is_empty()) {
        dn.push(DnType::CommonName, cn);
    }
    if attributes.add_unique_id_to_subject_name {
        dn.push(DnType::CustomDnType(UNIQUE_IDENTIFIER.to_vec()), random_uuid()?);
    }
    let push = |dn: &mut DistinguishedName, ty: DnType, v: &Option<String>| {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            dn.push(ty, v);
        }
    };
    push(&mut dn, DnType::OrganizationName, &attributes.organization);
    push(&mut dn, DnType::OrganizationalUnitName, &attributes.organizational_unit);
    push(&mut dn, DnType::CustomDnType(vec![1, 2, 840, 113549, 1, 9, 1]), &attributes.email_address);
    push(&mut dn, DnType::CountryName, &attributes.country_name);
    push(&mut dn, DnType::StateOrProvinceName, &attributes.state_or_province_name);
    push(&mut dn, DnType::LocalityName, &attributes.locality_name);
    params.distinguished_name = dn;
    for ip in &attributes.sans_ip {
        params.subject_alt_names.push(SanType::IpAddress(*ip));
    }
    for name in &attributes.sans_dns {
        let name =
            name.clone().try_into().map_err(|_| PkiError::Attributes(format!("DNS SAN {name:?} is not ASCII")))?;
        params.subject_alt_names.push(SanType::DnsName(name));
    }
    let csr = params
        .serialize_request(&key)
        .map_err(|source| PkiError::Generate { what: "make the certificate signing request", source })?;
    csr.pem().map_err(|source| PkiError::Generate { what: "encode the certificate signing request", source })
}

/// A random (version 4) UUID from ring's system RNG.
fn random_uuid() -> Result<String, PkiError> {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| PkiError::Attributes("the system random source failed".into()))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
}

/// SHA-256 of `text` in lower-case hex (v4 labels a certificate's secret with its CSR's).
pub fn sha256_hex(text: &str) -> String {
    ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether two PEM CSRs are the same request (same DER; PEM line breaks and a trailing newline
/// do not matter, as v4 compares re-serialized PEM).
pub fn same_csr(a: &str, b: &str) -> bool {
    const WHAT: &str = "certificate signing request";
    let tags = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"];
    match (pem_der(a, &tags, WHAT), pem_der(b, &tags, WHAT)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The one PEM block of `pem`: (label, DER).
fn pem_block(pem: &str) -> Result<(String, Vec<u8>), String> {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.trim().as_bytes()).map_err(|e| e.to_string())?;
    Ok((block.label, block.contents))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_csr_carries_the_attributes_and_the_key() {
        let key = generate_private_key().unwrap();
        let mut want = CertificateRequestAttributes::for_common_name("svc.example");
        want.sans_ip.insert("192.0.2.1".parse().unwrap());
        want.organization = Some("Org".into());
        want.email_address = Some("ops@example.com".into());
        let pem = generate_csr(&key, &want).unwrap();
        let csr = CsrInfo::parse(&pem).unwrap();
        assert!(want.matches(&csr, false), "{csr:?}");
        assert_eq!(csr.public_key, private_key_public_key(&key).unwrap());
        // A fresh unique id each time: a renewal is a new CSR.
        let again = generate_csr(&key, &want).unwrap();
        assert!(!same_csr(&pem, &again));
        assert!(same_csr(&pem, &format!("{}\n\n", pem.trim())), "PEM whitespace does not matter");
        let mut other = want.clone();
        other.sans_dns.insert("extra.example".into());
        assert!(!other.matches(&csr, false));
    }

    #[test]
    fn requests_without_a_name_and_bad_pem_are_typed_errors() {
        let key = generate_private_key().unwrap();
        let err = generate_csr(&key, &CertificateRequestAttributes::default()).unwrap_err();
        assert!(matches!(err, PkiError::Attributes(_)), "{err}");
        assert!(matches!(CsrInfo::parse("junk"), Err(PkiError::Pem { what: "certificate signing request", .. })));
        let err = CertInfo::parse(&generate_csr(&key, &CertificateRequestAttributes::for_common_name("a")).unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("CERTIFICATE REQUEST"), "a CSR is not a certificate: {err}");
        assert!(matches!(private_key_public_key("nope"), Err(PkiError::Pem { what: "private key", .. })));
    }

    #[test]
    fn renewal_time_is_the_fraction_of_what_is_left() {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["x.example".to_owned()]).unwrap();
        let now = Utc::now();
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2100, 1, 1);
        let cert = CertInfo::parse(&params.self_signed(&key).unwrap().pem()).unwrap();
        let at = cert.renewal_time(now, 0.5);
        let half = (cert.not_after - now) / 2;
        assert!(((at - now) - half).num_seconds().abs() <= 1);
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
