//! The certificates charm: what it does on each event.

use goops_runtime::prelude::*;
use goops_tls_certificates::{CertificateError, ErrorCode, ProviderCore, Signed, TlsProvider};
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

/// The tls-certificates v4 provider on the `certificates` endpoint.
pub const PROVIDER: TlsProvider = TlsProvider { endpoint: "certificates", core: ProviderCore { capabilities: None } };

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

    /// certificates-relation-changed: answer every new CSR with a certificate signed by the CA,
    /// or with a request error saying why not (the crate reads the bags and publishes).
    #[hook(relation_changed("certificates"))]
    // The signer's error is v4's whole error object (code, name, message, …), returned once per CSR.
    #[allow(clippy::result_large_err)]
    fn on_certificates_changed(ctx: &Context, event: &RelationEvent) -> HookResult {
        if !ctx.is_leader()? {
            // Answers go in the application databag, which only the leader may write.
            return Ok(());
        }
        let Some(ca) = CaCertificate::get(ctx)? else {
            ctx.add_status(Status::waiting("no CA yet; certificate requests wait for it"));
            return Ok(());
        };
        let ca = ca.material();
        let report = PROVIDER.core.reconcile(ctx, PROVIDER.endpoint, |request| {
            let certificate = tls::sign_csr(&ca, &request.csr, request.is_ca)
                .map_err(|e| CertificateError::new(ErrorCode::Other, e.to_string()))?;
            Ok(Signed {
                chain: vec![certificate.clone(), ca.certificate_pem.clone()],
                certificate,
                ca: ca.certificate_pem.clone(),
            })
        })?;
        let relation = event.relation();
        ctx.log_debug(format!(
            "{relation}: {} certificate(s) issued, {} unchanged, {} removed",
            report.issued.len(),
            report.unchanged,
            report.removed
        ));
        let mut rejected: Vec<String> =
            report.denied.iter().map(|(request, error)| format!("{}: {}", request.from, error.message)).collect();
        rejected.extend(report.invalid.iter().map(|bag| format!("{}: {}", bag.from, bag.error)));
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
