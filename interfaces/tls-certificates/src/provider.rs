//! The provider side: read every requirer's CSRs, have the charm sign the new ones, publish the
//! answers (certificates, or request errors) in our application bag, drop answers nobody asks
//! for any more, and revoke everything when the CA changes.
//!
//! Mirrors `TLSCertificatesProvidesV4` (charmlibs-interfaces-tls-certificates 1.12.0): requests
//! come from each remote unit's bag and the remote application's bag
//! (`get_certificate_requests`), an answered request has exactly one certificate *or* one error
//! (`set_relation_certificate` / `set_relation_error`), certificates whose CSR is gone are
//! removed (`_remove_certificates_for_which_no_csr_exists`), and a revoked certificate's CSR is
//! outstanding again (`get_outstanding_certificate_requests` counts only unrevoked ones).

use goops_runtime::{Bag, Context, DatabagError, RelationId};

use crate::TlsError;
use crate::databags::{
    CertificateError, CertificateSigningRequest, ProvidedCertificate, ProviderAppData, ProviderCapabilities,
    RequestError, RequirerData,
};
use crate::pki;

/// One CSR a requirer published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingRequest {
    /// The relation it came over.
    pub relation: RelationId,
    /// The unit (`app/0`) or application whose bag holds it.
    pub from: String,
    /// The PEM CSR, as published.
    pub csr: String,
    /// Whether a CA certificate is asked for.
    pub is_ca: bool,
}

/// What the charm's signer returns for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The certificate (PEM).
    pub certificate: String,
    /// The CA that signed it (PEM).
    pub ca: String,
    /// The chain, leaf first; empty means `[certificate, ca]` (v4 requirers read `chain[0]` as
    /// the leaf, so it is never published empty).
    pub chain: Vec<String>,
}

/// Why the charm's signer did not sign a request.
#[derive(Debug)]
pub enum SignError {
    /// Refuse it: published as a v4 request error, and not asked again for this CSR.
    Refused(Box<CertificateError>),
    /// Not now (e.g. there is no CA yet): the request stays outstanding for a later hook.
    NotReady(String),
    /// Something failed that retrying the hook may fix (a hook tool): the hook fails.
    Failed(goops_runtime::BoxError),
}

impl From<CertificateError> for SignError {
    fn from(error: CertificateError) -> Self {
        SignError::Refused(Box::new(error))
    }
}

impl From<goops_runtime::Error> for SignError {
    fn from(error: goops_runtime::Error) -> Self {
        SignError::Failed(Box::new(error))
    }
}

/// A requirer bag we could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidBag {
    /// The relation.
    pub relation: RelationId,
    /// The unit or application.
    pub from: String,
    /// What was wrong, naming the key.
    pub error: DatabagError,
}

/// What one reconcile did, per relation summed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderReport {
    /// Certificates signed and published in this hook.
    pub issued: Vec<IncomingRequest>,
    /// Requests the signer refused in this hook, with its error.
    pub denied: Vec<(IncomingRequest, CertificateError)>,
    /// Answers removed because their CSR is no longer requested.
    pub removed: usize,
    /// Requests already answered (certificate or error), left as they are.
    pub unchanged: usize,
    /// Requests the signer could not sign yet, with why; they stay outstanding.
    pub not_ready: Vec<(IncomingRequest, String)>,
    /// Requirer bags that could not be read (their requests wait until they can).
    pub invalid: Vec<InvalidBag>,
}

/// The provider's logic for one endpoint; [`crate::TlsProvider`] wires it into a charm.
#[derive(Debug, Clone, Default)]
pub struct ProviderCore {
    /// What to publish under `capabilities` (`None` clears it, as v4 does).
    pub capabilities: Option<ProviderCapabilities>,
}

impl ProviderCore {
    /// Every CSR on every relation of `endpoint` (or only `relation`), and the bags that could
    /// not be read. Any unit may call it.
    pub fn requests(
        &self,
        ctx: &Context,
        endpoint: &str,
        relation: Option<&RelationId>,
    ) -> Result<(Vec<IncomingRequest>, Vec<InvalidBag>), TlsError> {
        let relations = match relation {
            Some(r) => vec![r.clone()],
            None => ctx.relation_ids(endpoint)?,
        };
        let mut requests = Vec::new();
        let mut invalid = Vec::new();
        for relation in relations {
            let mut sources = ctx.relation_units(&relation)?;
            sources.extend(ctx.relation_app(&relation)?);
            for from in sources {
                match ctx.relation_load::<RequirerData>(&relation, &from) {
                    Ok(data) => requests.extend(data.certificate_signing_requests.into_iter().map(
                        |CertificateSigningRequest { certificate_signing_request, ca }| IncomingRequest {
                            relation: relation.clone(),
                            from: from.clone(),
                            csr: certificate_signing_request,
                            is_ca: ca,
                        },
                    )),
                    Err(goops_runtime::Error::Databag { source, .. }) => {
                        invalid.push(InvalidBag { relation: relation.clone(), from, error: source })
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok((requests, invalid))
    }

    /// On the leader (others return an empty report): for each relation of `endpoint`, drop
    /// answers whose CSR is gone, call `sign` for every CSR without a certificate or an error
    /// (a revoked certificate's CSR counts as without), and publish certificates, request errors
    /// and capabilities. Only changed keys are written.
    pub fn reconcile<F>(&self, ctx: &Context, endpoint: &str, mut sign: F) -> Result<ProviderReport, TlsError>
    where
        F: FnMut(&IncomingRequest) -> Result<Signed, SignError>,
    {
        let mut report = ProviderReport::default();
        if !ctx.is_leader()? {
            return Ok(report);
        }
        for relation in ctx.relation_ids(endpoint)? {
            let (requests, invalid) = self.requests(ctx, endpoint, Some(&relation))?;
            report.invalid.extend(invalid);
            let mut data = self.own_data(ctx, &relation)?;
            let loaded = data.clone();
            let requested = |csr: &str| requests.iter().any(|r| pki::same_csr(&r.csr, csr));
            let before = data.certificates.len() + data.request_errors.len();
            data.certificates.retain(|c| requested(&c.certificate_signing_request));
            data.request_errors.retain(|e| requested(&e.csr));
            report.removed += before - data.certificates.len() - data.request_errors.len();

            let mut seen: Vec<&str> = Vec::new();
            for request in &requests {
                if seen.iter().any(|csr| pki::same_csr(csr, &request.csr)) {
                    continue; // The same CSR in two bags is one request.
                }
                seen.push(&request.csr);
                let answered =
                    data.certificates.iter().any(|c| {
                        c.revoked != Some(true) && pki::same_csr(&c.certificate_signing_request, &request.csr)
                    }) || data.request_errors.iter().any(|e| pki::same_csr(&e.csr, &request.csr));
                if answered {
                    report.unchanged += 1;
                    continue;
                }
                match sign(request) {
                    Ok(signed) => {
                        // One answer per CSR: a new one replaces a revoked certificate.
                        data.certificates.retain(|c| !pki::same_csr(&c.certificate_signing_request, &request.csr));
                        let chain = if signed.chain.is_empty() {
                            vec![signed.certificate.clone(), signed.ca.clone()]
                        } else {
                            signed.chain
                        };
                        data.certificates.push(ProvidedCertificate {
                            ca: signed.ca,
                            certificate_signing_request: request.csr.clone(),
                            certificate: signed.certificate,
                            chain: Some(chain),
                            revoked: None,
                        });
                        report.issued.push(request.clone());
                    }
                    Err(SignError::Refused(error)) => {
                        data.certificates.retain(|c| !pki::same_csr(&c.certificate_signing_request, &request.csr));
                        data.request_errors.push(RequestError { csr: request.csr.clone(), error: (*error).clone() });
                        report.denied.push((request.clone(), *error));
                    }
                    Err(SignError::NotReady(why)) => report.not_ready.push((request.clone(), why)),
                    Err(SignError::Failed(source)) => {
                        // Publish nothing of this hook: Juju retries it and we sign again then.
                        return Err(TlsError::Sign(source));
                    }
                }
            }
            data.capabilities = self.capabilities.clone();
            // Unchanged data is not written: an empty bag stays empty (v4 writes no empty lists).
            if data != loaded {
                ctx.relation_save(&relation, Bag::App, &data)?;
            }
        }
        Ok(report)
    }

    /// Marks every published certificate revoked (v4 `revoke_all_certificates`, for when the CA
    /// changed); the next [`ProviderCore::reconcile`] signs their CSRs again. Leader only
    /// (others do nothing).
    pub fn revoke_all(&self, ctx: &Context, endpoint: &str) -> Result<usize, TlsError> {
        if !ctx.is_leader()? {
            return Ok(0);
        }
        let mut revoked = 0;
        for relation in ctx.relation_ids(endpoint)? {
            let mut data = self.own_data(ctx, &relation)?;
            for certificate in &mut data.certificates {
                if certificate.revoked != Some(true) {
                    certificate.revoked = Some(true);
                    revoked += 1;
                }
            }
            ctx.relation_save(&relation, Bag::App, &data)?;
        }
        Ok(revoked)
    }

    /// The certificates we published on every relation of `endpoint`.
    pub fn issued(&self, ctx: &Context, endpoint: &str) -> Result<Vec<(RelationId, ProvidedCertificate)>, TlsError> {
        let mut out = Vec::new();
        for relation in ctx.relation_ids(endpoint)? {
            let data = self.own_data(ctx, &relation)?;
            out.extend(data.certificates.into_iter().map(|c| (relation.clone(), c)));
        }
        Ok(out)
    }

    /// Our application bag. Unlike v4, which starts over from nothing when its own bag is
    /// unreadable, this is an error: rewriting it would drop certificates requirers use.
    fn own_data(&self, ctx: &Context, relation: &RelationId) -> Result<ProviderAppData, TlsError> {
        Ok(ctx.relation_load(relation, ctx.app_name())?)
    }
}
