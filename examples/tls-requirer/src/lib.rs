//! The tls-requirer charm: each unit asks for a certificate for the configured common name over
//! the tls-certificates interface (v4). goops-tls-certificates' requirer library does the work
//! (key, CSR, certificate secret, renewal); the charm says what to ask for and shows the outcome.

use goops_runtime::FromContext;
use goops_runtime::prelude::*;
use goops_tls_certificates::{CertificateRequestAttributes, Requests, RequirerEvent, TlsRequirer};

/// The endpoint in charmcraft.yaml.
pub const ENDPOINT: &str = "certificates";

/// The charm's config.
#[derive(CharmConfig)]
pub struct Config {
    /// `common-name`: the name to ask a certificate for.
    pub common_name: String,
}

/// What to ask for, computed in each hook from the config: one certificate for the common name.
fn requests(ctx: &Context) -> Result<Vec<CertificateRequestAttributes>, BoxError> {
    let config = Config::from_context(ctx).map_err(|e| e.to_string())?;
    Ok(vec![CertificateRequestAttributes::for_common_name(config.common_name)])
}

/// The charm.
pub struct TlsRequirerCharm {
    tls: TlsRequirer,
}

impl Default for TlsRequirerCharm {
    fn default() -> Self {
        Self { tls: TlsRequirer::new(Requests::Computed(requests)) }
    }
}

#[charm]
impl TlsRequirerCharm {
    /// The requirer library on `certificates`.
    #[lib(endpoint = "certificates", events = on_tls)]
    fn tls(&self) -> &TlsRequirer {
        &self.tls
    }

    /// The library's news: a real workload would write the certificate out and reload here.
    fn on_tls(&self, ctx: &Context, event: &RequirerEvent) -> HookResult {
        match event {
            RequirerEvent::CertificateAvailable(cert) => {
                ctx.log_info(format!("certificate available, valid until {}", cert.expires));
            }
            RequirerEvent::CertificateDenied { error, .. } => {
                ctx.log_warning(format!("certificate request refused: {} ({})", error.message, error.name));
            }
        }
        Ok(())
    }

    /// The unit's status: blocked without the relation, active with a certificate, else why not.
    #[collect_status]
    fn status(&self, ctx: &Context) -> HookResult {
        if ctx.relation_ids(ENDPOINT)?.is_empty() {
            ctx.add_status(Status::blocked("needs a certificates relation"));
            return Ok(());
        }
        if let Some(cert) = self.tls().certificates(ctx)?.first() {
            ctx.add_status(Status::Active(format!("certificate valid until {}", cert.expires.date_naive())));
            return Ok(());
        }
        let refused = self.tls().last_report().and_then(|r| r.denied.first().map(|(_, e)| e.message.clone()));
        match refused {
            Some(message) => ctx.add_status(Status::blocked(format!("certificate request refused: {message}"))),
            None => ctx.add_status(Status::waiting("waiting for a certificate")),
        }
        Ok(())
    }
}
