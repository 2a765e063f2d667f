//! The tls-requirer charm: each unit asks for a certificate for the configured common name over
//! the tls-certificates interface (v4), with goops-tls-certificates' requirer doing the work.

use goops_runtime::prelude::*;
use goops_tls_certificates::{CertificateRequestAttributes, RequirerCore, RequirerReport, TlsRequirer};

/// The endpoint in charmcraft.yaml.
pub const ENDPOINT: &str = "certificates";

/// The charm's config.
#[derive(CharmConfig)]
pub struct Config {
    /// `common-name`: the name to ask a certificate for.
    pub common_name: String,
}

/// The requirer for this config: one unit certificate for the common name.
pub fn requirer(config: &Config) -> TlsRequirer {
    let request = CertificateRequestAttributes::for_common_name(config.common_name.clone());
    TlsRequirer { endpoint: ENDPOINT, core: RequirerCore { requests: vec![request], ..RequirerCore::default() } }
}

/// The charm.
#[derive(Default)]
pub struct TlsRequirerCharm;

#[charm]
impl TlsRequirerCharm {
    /// Every event that can change what we need or what the provider answered: make sure the
    /// key and CSR are published, pick up the certificate, renew it when due.
    #[hook(
        install,
        config_changed,
        leader_elected,
        update_status,
        relation_created("certificates"),
        relation_changed("certificates")
    )]
    fn reconcile(ctx: &Context, config: Config) -> HookResult {
        let tls = requirer(&config);
        let report = tls.core.reconcile(ctx, tls.endpoint)?;
        set_status(ctx, &report)?;
        Ok(())
    }

    /// secret-expired: a certificate's renewal time came (its secret expires then).
    #[hook(secret_expired)]
    fn on_secret_expired(ctx: &Context, config: Config, event: &SecretEvent) -> HookResult {
        let tls = requirer(&config);
        if tls.core.on_secret_expired(ctx, tls.endpoint, event.label.as_deref())? {
            ctx.add_status(Status::waiting("renewing the certificate"));
        }
        Ok(())
    }

    /// relation-broken: the key and certificates for that provider go.
    #[hook(relation_broken("certificates"))]
    fn on_broken(ctx: &Context, config: Config) -> HookResult {
        let tls = requirer(&config);
        tls.core.on_relation_broken(ctx, tls.endpoint)?;
        ctx.add_status(Status::blocked("needs a certificates relation"));
        Ok(())
    }
}

fn set_status(ctx: &Context, report: &RequirerReport) -> goops_runtime::Result<()> {
    for problem in &report.problems {
        ctx.log_warning(problem);
    }
    if ctx.relation_ids(ENDPOINT)?.is_empty() {
        ctx.add_status(Status::blocked("needs a certificates relation"));
    } else if let Some(cert) = report.certificates.first() {
        ctx.add_status(Status::Active(format!("certificate valid until {}", cert.expires.date_naive())));
    } else if let Some((_, error)) = report.denied.first() {
        ctx.add_status(Status::blocked(format!("certificate request refused: {}", error.message)));
    } else {
        ctx.add_status(Status::waiting("waiting for a certificate"));
    }
    Ok(())
}
