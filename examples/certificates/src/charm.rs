//! What the certificates charm does on each event, over goops-runtime's `Context`.

use goops_runtime::{
    Context, Databag, Expiry, RelationEvent, RotatePolicy, SecretAddOptions, SecretContent, SecretOwner,
    SecretReadMode, SecretSelector, SecretString, Status,
};
use serde::{Deserialize, Serialize};

use crate::tls::{self, CaMaterial};

/// The label of the application-owned secret holding the CA.
pub const CA_SECRET_LABEL: &str = "active-ca-certificates";
/// Content keys of the CA secret.
const PRIVATE_KEY: &str = "private-key";
const CA_CERTIFICATE: &str = "ca-certificate";

/// Why a handler failed.
#[derive(Debug, thiserror::Error)]
pub enum CharmError {
    /// Talking to Juju failed.
    #[error(transparent)]
    Juju(#[from] goops_runtime::Error),
    /// Generating or using the CA failed.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The CA secret exists but lacks a key.
    #[error("the CA secret {CA_SECRET_LABEL:?} has no {0:?} key")]
    IncompleteSecret(&'static str),
}

/// The CA from its secret, or `None` when the secret does not exist (yet).
pub fn load_ca(ctx: &Context) -> Result<Option<CaMaterial>, CharmError> {
    let Some(content) = ctx.secret_get(&SecretSelector::label(CA_SECRET_LABEL), SecretReadMode::Tracked)? else {
        return Ok(None);
    };
    let field = |key: &'static str| {
        content.get(key).map(|v| v.expose_secret().to_owned()).ok_or(CharmError::IncompleteSecret(key))
    };
    Ok(Some(CaMaterial { private_key_pem: field(PRIVATE_KEY)?, certificate_pem: field(CA_CERTIFICATE)? }))
}

/// install, config-changed, upgrade-charm: make sure the CA exists.
pub fn configure(ctx: &Context) -> Result<(), CharmError> {
    if load_ca(ctx)?.is_some() {
        return Ok(ctx.set_unit_status(Status::Active(String::new()))?);
    }
    if !ctx.is_leader()? {
        // The leader creates the CA; this unit waits instead of failing the hook.
        return Ok(ctx.set_unit_status(Status::Waiting("waiting for the leader to create the CA".into()))?);
    }
    let common_name: Option<String> = ctx.config_get("ca-common-name")?;
    let ca = tls::generate_ca(common_name.as_deref().unwrap_or("goops-rs self-signed CA"))?;
    let content: SecretContent = [
        (PRIVATE_KEY.to_owned(), SecretString::from(ca.private_key_pem)),
        (CA_CERTIFICATE.to_owned(), SecretString::from(ca.certificate_pem)),
    ]
    .into();
    let id = ctx.secret_add(
        &content,
        &SecretAddOptions::new()
            .owner(SecretOwner::Application)
            .label(CA_SECRET_LABEL)
            .description("ca certificate and private key for the certificates charm")
            .expire(Expiry::At(chrono::Utc::now() + chrono::Months::new(12)))
            .rotate(RotatePolicy::Never),
    )?;
    ctx.log_info(format!("created CA secret {id}"))?;
    let info = ctx.secret_info(&SecretSelector::label(CA_SECRET_LABEL))?;
    if let Some(info) = info {
        ctx.log_debug(format!("CA secret revision {}", info.revision))?;
    }
    Ok(ctx.set_unit_status(Status::Active(String::new()))?)
}

/// A requirer's request in the tls-certificates (v4) interface: its unit databag's
/// `certificate_signing_requests` key holds a JSON list of these.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct CertificateRequest {
    /// The PEM CSR.
    pub certificate_signing_request: String,
    /// Whether the requirer asks for a CA certificate.
    #[serde(default)]
    pub ca: bool,
}

/// The provider's answer: the application databag's `certificates` key holds a JSON list.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct ProvidedCertificate {
    /// The CSR this answers.
    pub certificate_signing_request: String,
    /// The signed certificate (PEM).
    pub certificate: String,
    /// The CA certificate (PEM).
    pub ca: String,
    /// The chain, leaf first.
    pub chain: Vec<String>,
}

/// certificates-relation-changed: sign every CSR of every requirer unit.
pub fn on_certificates_changed(ctx: &Context, event: &RelationEvent) -> Result<(), CharmError> {
    if !ctx.is_leader()? {
        // Only the leader may write the application databag the answers go in.
        return Ok(());
    }
    let Some(ca) = load_ca(ctx)? else {
        return Ok(ctx.set_unit_status(Status::Waiting("no CA yet; CSRs will be answered once it exists".into()))?);
    };
    let relation = goops_runtime::RelationId::new(event.endpoint.clone(), event.id);
    let mut answers = Vec::new();
    let mut rejected = Vec::new();
    for unit in ctx.relation_units(&relation)? {
        let bag = ctx.relation_data(&relation, &unit)?;
        let Some(raw) = bag.get("certificate_signing_requests") else { continue };
        let requests: Vec<CertificateRequest> = match serde_json::from_str(raw) {
            Ok(requests) => requests,
            Err(e) => {
                rejected.push(format!("{unit}: certificate_signing_requests is not a JSON list of requests: {e}"));
                continue;
            }
        };
        for request in requests {
            match tls::sign_csr(&ca, &request.certificate_signing_request) {
                Ok(certificate) => answers.push(ProvidedCertificate {
                    certificate_signing_request: request.certificate_signing_request,
                    chain: vec![certificate.clone(), ca.certificate_pem.clone()],
                    certificate,
                    ca: ca.certificate_pem.clone(),
                }),
                Err(e) => rejected.push(format!("{unit}: {e}")),
            }
        }
    }
    let json = serde_json::to_string(&answers).unwrap_or_else(|_| "[]".to_owned());
    ctx.set_relation_data(&relation, Databag::App, [("certificates", json)])?;
    if rejected.is_empty() {
        return Ok(ctx.set_unit_status(Status::Active(String::new()))?);
    }
    // A bad CSR is the requirer's problem: say so and don't fail the hook (Juju would retry it forever).
    for reason in &rejected {
        ctx.log_error(format!("rejected a certificate request from {reason}"))?;
    }
    Ok(ctx.set_unit_status(Status::Blocked(format!(
        "rejected {} certificate request(s) on {}; see juju debug-log",
        rejected.len(),
        relation
    )))?)
}

/// The `get-ca-certificate` action's results.
#[derive(Debug, Serialize)]
pub struct CaCertificateResult {
    /// The CA certificate (PEM).
    #[serde(rename = "ca-certificate")]
    pub ca_certificate: String,
}

/// get-ca-certificate: the CA PEM, or a failure saying there is none yet.
pub fn get_ca_certificate(ctx: &Context) -> Result<CaCertificateResult, String> {
    match load_ca(ctx) {
        Ok(Some(ca)) => Ok(CaCertificateResult { ca_certificate: ca.certificate_pem }),
        Ok(None) => Err("there is no CA certificate yet: the leader creates it on install".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}
