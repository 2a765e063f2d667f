//! The certificates charm: what it does on each event.

use goops_runtime::prelude::*;
use goops_tls_certificates::{
    CertificateError, ErrorCode, IncomingRequest, ProviderEvent, SignError, Signed, TlsProvider,
};
use serde::Serialize;

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

/// The signer the tls-certificates provider library calls for each new CSR: signs with the CA
/// (90 days; `ca: true` gives an intermediate CA), refuses a CSR that cannot be signed, and
/// leaves requests waiting while there is no CA.
pub fn sign(ctx: &Context, request: &IncomingRequest) -> Result<Signed, SignError> {
    let Some(ca) = CaCertificate::get(ctx)? else {
        return Err(SignError::NotReady("no CA yet".to_owned()));
    };
    let ca = ca.material();
    let certificate = tls::sign_csr(&ca, &request.csr, request.is_ca)
        .map_err(|e| CertificateError::new(ErrorCode::Other, e.to_string()))?;
    Ok(Signed { chain: vec![certificate.clone(), ca.certificate_pem.clone()], certificate, ca: ca.certificate_pem })
}

/// The `get-ca-certificate` action's results.
#[derive(Debug, Serialize)]
pub struct CaCertificateResult {
    /// The CA certificate (PEM).
    #[serde(rename = "ca-certificate")]
    pub ca_certificate: String,
}

/// The charm: the tls-certificates provider library answers the `certificates` endpoint.
pub struct Certificates {
    tls: TlsProvider,
}

impl Default for Certificates {
    fn default() -> Self {
        Self { tls: TlsProvider::new(sign) }
    }
}

#[charm]
impl Certificates {
    /// The provider library on `certificates`: it answers relation-created/-joined/-changed
    /// and update-status itself (leader only) and reports each reconcile to `on_tls`.
    #[lib(endpoint = "certificates", events = on_tls)]
    fn tls(&self) -> &TlsProvider {
        &self.tls
    }

    /// What the provider library did: requests it could not read or that were refused are the
    /// requirer's problem, so they are logged and shown as `blocked`, never a failed hook
    /// (Juju would retry it forever).
    fn on_tls(&self, ctx: &Context, event: &ProviderEvent) -> HookResult {
        let ProviderEvent::Reconciled(report) = event;
        ctx.log_debug(format!(
            "{} certificate(s) issued, {} unchanged, {} removed",
            report.issued.len(),
            report.unchanged,
            report.removed
        ));
        let mut rejected: Vec<String> =
            report.denied.iter().map(|(request, error)| format!("{}: {}", request.from, error.message)).collect();
        rejected.extend(report.invalid.iter().map(|bag| format!("{}: {}", bag.from, bag.error)));
        for reason in &rejected {
            ctx.log_error(format!("rejected a certificate request from {reason}"));
        }
        if !rejected.is_empty() {
            let relation = ctx.event().relation().map(|r| format!(" on {}", r.relation())).unwrap_or_default();
            ctx.add_status(Status::blocked(format!(
                "rejected {} certificate request(s){relation}; see juju debug-log",
                rejected.len()
            )));
        } else if !report.not_ready.is_empty() {
            ctx.add_status(Status::waiting("no CA yet; certificate requests wait for it"));
        } else {
            ctx.add_status(Status::active());
        }
        Ok(())
    }

    /// install, config-changed, upgrade-charm: make sure the CA exists (the leader creates it).
    #[hook(install, config_changed, upgrade_charm)]
    fn configure(&self, ctx: &Context, config: Config) -> HookResult {
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
        // Requests that arrived before the CA are answered now, not at the next relation event.
        self.tls().reconcile(ctx)?;
        Ok(())
    }

    /// get-ca-certificate: the CA PEM, or a failure saying there is none yet.
    #[action("get-ca-certificate")]
    fn get_ca_certificate(ctx: &Context) -> ActionResult<CaCertificateResult> {
        let ca = CaCertificate::get(ctx)?.ok_or("there is no CA certificate yet: the leader creates it on install")?;
        Ok(CaCertificateResult { ca_certificate: ca.ca_certificate })
    }
}
