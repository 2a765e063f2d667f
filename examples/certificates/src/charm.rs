//! The certificates charm: what it does on each event.

use goops_runtime::prelude::*;
use serde::{Deserialize, Serialize};

use crate::tls::{self, CaMaterial};

/// The CA, kept in an application-owned secret: created by the leader, readable by every unit.
#[secret(
    label = "active-ca-certificates",
    owner = "application",
    rotate = "never",
    description = "ca certificate and private key for the certificates charm",
    expire = "365d"
)]
pub struct CaCertificate {
    private_key: SecretString,
    ca_certificate: String,
}

impl CaCertificate {
    /// The CA as PEM text for signing.
    fn material(&self) -> CaMaterial {
        CaMaterial {
            private_key_pem: self.private_key.expose_secret().to_owned(),
            certificate_pem: self.ca_certificate.clone(),
        }
    }

    /// The public CA certificate (PEM).
    pub fn certificate_pem(&self) -> &str {
        &self.ca_certificate
    }
}

/// The charm's config (charmcraft.yaml `config.options`).
#[derive(CharmConfig)]
pub struct Config {
    /// `ca-common-name`: the CA certificate's common name.
    pub ca_common_name: String,
}

/// A requirer's request in the tls-certificates v4 interface: the requirer's unit (or
/// application) databag key `certificate_signing_requests` holds a JSON list of these.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct CertificateRequest {
    /// The PEM CSR.
    pub certificate_signing_request: String,
    /// Whether the requirer asks for a CA certificate (an intermediate CA).
    #[serde(default)]
    pub ca: bool,
}

/// The provider's answer: this application's databag key `certificates` holds a JSON list.
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

/// The key requirers put their CSRs under.
pub const REQUESTS_KEY: &str = "certificate_signing_requests";
/// The key this charm answers under, in its application databag.
pub const CERTIFICATES_KEY: &str = "certificates";

/// The `get-ca-certificate` action's results.
#[derive(Debug, Serialize)]
pub struct CaCertificateResult {
    /// The CA certificate (PEM).
    #[serde(rename = "ca-certificate")]
    pub ca_certificate: String,
}

/// The charm.
#[derive(Default)]
pub struct Certificates;

#[charm]
impl Certificates {
    /// install, config-changed, upgrade-charm: make sure the CA exists (the leader creates it).
    #[hook(install, config_changed, upgrade_charm)]
    fn configure(ctx: &Context, config: Config) -> HookResult {
        if CaCertificate::get(ctx)?.is_some() {
            ctx.add_status(Status::active());
            return Ok(());
        }
        if !ctx.is_leader()? {
            // Only the leader may create an application-owned secret; failing would make Juju retry for nothing.
            ctx.add_status(Status::waiting("waiting for the leader to create the CA"));
            return Ok(());
        }
        ctx.log_info(format!("could not get secret {:?}: creating a new CA", CaCertificate::LABEL));
        let ca = tls::generate_ca(&config.ca_common_name)?;
        let secret =
            CaCertificate { private_key: SecretString::from(ca.private_key_pem), ca_certificate: ca.certificate_pem };
        let id = secret.add(ctx)?;
        ctx.log_info(format!("Created new secret with ID: {id}"));
        if let Some(info) = CaCertificate::info(ctx)? {
            let expiry = info.expiry.map_or_else(|| "never".to_owned(), |at| at.date_naive().to_string());
            ctx.log_info(format!("CA secret {id}: revision {}, expires {expiry}", info.revision));
        }
        ctx.add_status(Status::active());
        Ok(())
    }

    /// certificates-relation-changed: answer every CSR of the requirer with a certificate signed by the CA.
    #[hook(relation_changed("certificates"))]
    fn on_certificates_changed(ctx: &Context, event: &RelationEvent) -> HookResult {
        if !ctx.is_leader()? {
            // Answers go in the application databag, which only the leader may write.
            return Ok(());
        }
        let Some(ca) = CaCertificate::get(ctx)? else {
            ctx.add_status(Status::waiting("no CA yet; certificate requests wait for it"));
            return Ok(());
        };
        let relation = event.relation();
        let requests = collect_requests(ctx, &relation, event)?;
        let own = ctx.relation_data(&relation, ctx.app_name())?;
        let previous: Vec<ProvidedCertificate> =
            own.get(CERTIFICATES_KEY).and_then(|raw| serde_json::from_str(raw).ok()).unwrap_or_default();
        let ca = ca.material();
        let mut answers = Vec::new();
        let mut rejected = Vec::new();
        for (from, request) in requests.accepted {
            // A CSR already answered keeps its certificate: no churn on every relation-changed.
            if let Some(done) =
                previous.iter().find(|p| p.certificate_signing_request == request.certificate_signing_request)
            {
                answers.push(done.clone());
                continue;
            }
            match tls::sign_csr(&ca, &request.certificate_signing_request, request.ca) {
                Ok(certificate) => answers.push(ProvidedCertificate {
                    certificate_signing_request: request.certificate_signing_request,
                    chain: vec![certificate.clone(), ca.certificate_pem.clone()],
                    certificate,
                    ca: ca.certificate_pem.clone(),
                }),
                Err(e) => rejected.push(format!("{from}: {e}")),
            }
        }
        rejected.extend(requests.rejected);
        let json = serde_json::to_string(&answers)?;
        ctx.set_relation_data(&relation, Bag::App, [(CERTIFICATES_KEY, json)])?;
        ctx.log_debug(format!("{} certificate request(s) answered on {relation}", answers.len()));
        if rejected.is_empty() {
            ctx.add_status(Status::active());
            return Ok(());
        }
        // A bad CSR is the requirer's problem: say so and don't fail the hook (Juju would retry it forever).
        for reason in &rejected {
            ctx.log_error(format!("rejected a certificate request from {reason}"));
        }
        ctx.add_status(Status::blocked(format!(
            "rejected {} certificate request(s) on {relation}; see juju debug-log",
            rejected.len()
        )));
        Ok(())
    }

    /// get-ca-certificate: the CA PEM, or a failure saying there is none yet.
    #[action("get-ca-certificate")]
    fn get_ca_certificate(ctx: &Context) -> ActionResult<CaCertificateResult> {
        let ca = CaCertificate::get(ctx)?.ok_or("there is no CA certificate yet: the leader creates it on install")?;
        Ok(CaCertificateResult { ca_certificate: ca.ca_certificate })
    }
}

/// The requests found in the relation, and the bags that could not be read as requests.
struct Requests {
    accepted: Vec<(String, CertificateRequest)>,
    rejected: Vec<String>,
}

/// Read the CSRs of every remote unit and of the remote application (app-level requests).
fn collect_requests(ctx: &Context, relation: &RelationId, event: &RelationEvent) -> goops_runtime::Result<Requests> {
    let mut sources = ctx.relation_units(relation)?;
    if let Some(app) = &event.remote_app {
        sources.push(app.clone());
    }
    let mut requests = Requests { accepted: Vec::new(), rejected: Vec::new() };
    for source in sources {
        let bag = ctx.relation_data(relation, &source)?;
        let Some(raw) = bag.get(REQUESTS_KEY) else { continue };
        match serde_json::from_str::<Vec<CertificateRequest>>(raw) {
            Ok(list) => requests.accepted.extend(list.into_iter().map(|r| (source.clone(), r))),
            Err(e) => requests.rejected.push(format!("{source}: {REQUESTS_KEY} is not a JSON list of requests: {e}")),
        }
    }
    Ok(requests)
}
