//! The requirer side: keep a private key in a secret, publish CSRs, pick up the certificates the
//! provider answers with, keep each in a secret that expires when it is time to renew, and renew.
//!
//! Follows `TLSCertificatesRequiresV4` (charmlibs-interfaces-tls-certificates 1.12.0) step for
//! step in [`RequirerCore::reconcile`] (its `_configure`: ensure the key, clean up requests,
//! send requests, find certificates, renew expiring ones) and uses its secret labels, so a charm
//! moving from the Python library to this crate keeps its key and certificates.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use goops_runtime::hookcmds::secret::{Expiry, SecretAddOptions, SecretSelector, SecretSetOptions};
use goops_runtime::{Bag, Context, RelationId, SecretContent, SecretOwner, SecretReadMode, SecretString};

use crate::databags::{CertificateError, CertificateSigningRequest, ProviderAppData, RequirerData};
use crate::pki::{self, CertInfo, CertificateRequestAttributes, CsrInfo};
use crate::{LIBID, TlsError};

/// Whose certificate: each unit's own (v4 `Mode.UNIT`, the default) or the application's, kept
/// by the leader (`Mode.APP`). v4's `APP_AND_UNIT` is not offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Each unit has its key, CSRs (in its unit bag) and certificates.
    #[default]
    Unit,
    /// The leader keeps one key, CSRs (in the application bag) and certificates for the app.
    App,
}

/// A certificate the provider issued for one of our CSRs, checked against our key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignedCertificate {
    /// The relation it came over.
    pub relation: RelationId,
    /// The certificate (PEM).
    pub certificate: String,
    /// The issuing CA (PEM).
    pub ca: String,
    /// The chain, leaf first (empty when the provider sent none).
    pub chain: Vec<String>,
    /// The CSR it answers (PEM).
    pub csr: String,
    /// When it expires.
    pub expires: DateTime<Utc>,
}

/// What one reconcile found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequirerReport {
    /// The certificates we hold, one per request that has one.
    pub certificates: Vec<AssignedCertificate>,
    /// Certificates new (or changed) in this hook: stored in their secret just now.
    pub newly_available: Vec<AssignedCertificate>,
    /// Requests the provider refused, with why.
    pub denied: Vec<(String, CertificateError)>,
    /// How many CSRs were published in this hook (new requests and renewals).
    pub requested: usize,
    /// How many certificates were renewed (their CSR replaced) in this hook.
    pub renewed: usize,
    /// Data we could not use, said in a sentence each (the provider's bag, a certificate).
    pub problems: Vec<String>,
}

/// The requirer's logic for one endpoint; [`crate::TlsRequirer`] wires it into a charm.
#[derive(Debug, Clone)]
pub struct RequirerCore {
    /// The requests, as attributes.
    pub requests: Vec<CertificateRequestAttributes>,
    /// Unit or app certificates.
    pub mode: Mode,
    /// When to renew, as the fraction of the time left at issue (v4's `renewal_relative_time`,
    /// default 0.9, accepted in (0.5, 1.0]).
    pub renewal_relative_time: f64,
}

impl Default for RequirerCore {
    fn default() -> Self {
        Self { requests: Vec::new(), mode: Mode::Unit, renewal_relative_time: 0.9 }
    }
}

/// What the provider's bag says about one of our CSRs.
enum Found {
    /// No answer yet.
    Nothing,
    /// Revoked: the provider will answer the same CSR again.
    Revoked,
    /// An answer we cannot use, and why.
    Unusable(String),
    /// A certificate for our key, as asked.
    Usable(Box<(AssignedCertificate, CertInfo)>),
}

/// Where our things live for one endpoint in one hook.
struct Scope<'a> {
    ctx: &'a Context,
    endpoint: &'a str,
    mode: Mode,
}

impl Scope<'_> {
    fn unit_number(&self) -> &str {
        self.ctx.unit_name().rsplit('/').next().unwrap_or("0")
    }

    fn key_label(&self) -> String {
        match self.mode {
            Mode::Unit => format!("{LIBID}-private-key-{}-{}", self.unit_number(), self.endpoint),
            Mode::App => format!("{LIBID}-private-key-app-{}", self.endpoint),
        }
    }

    fn certificate_label_prefix(&self) -> String {
        match self.mode {
            Mode::Unit => format!("{LIBID}-certificate-{}-{}-", self.unit_number(), self.endpoint),
            Mode::App => format!("{LIBID}-certificate-{}-", self.endpoint),
        }
    }

    /// v4 labels a certificate's secret with the SHA-256 of its CSR's PEM (stripped).
    fn certificate_label(&self, csr: &str) -> String {
        format!("{}{}", self.certificate_label_prefix(), pki::sha256_hex(csr.trim()))
    }

    fn owner(&self) -> SecretOwner {
        match self.mode {
            Mode::Unit => SecretOwner::Unit,
            Mode::App => SecretOwner::Application,
        }
    }

    fn bag(&self) -> Bag {
        match self.mode {
            Mode::Unit => Bag::Unit,
            Mode::App => Bag::App,
        }
    }

    fn own_entity(&self) -> &str {
        match self.mode {
            Mode::Unit => self.ctx.unit_name(),
            Mode::App => self.ctx.app_name(),
        }
    }

    /// The private key, if there is one.
    fn private_key(&self) -> Result<Option<SecretString>, TlsError> {
        let Some(mut content) =
            self.ctx.secret_get(&SecretSelector::label(self.key_label()), SecretReadMode::Refresh)?
        else {
            return Ok(None);
        };
        content
            .remove("private-key")
            .map(Some)
            .ok_or_else(|| TlsError::Secret { label: self.key_label(), reason: "has no private-key field" })
    }

    /// The private key, generated and stored in a new secret when there is none.
    fn ensure_private_key(&self) -> Result<SecretString, TlsError> {
        if let Some(key) = self.private_key()? {
            return Ok(key);
        }
        let key = SecretString::from(pki::generate_private_key()?);
        let content = SecretContent::from([("private-key".to_owned(), key.clone())]);
        self.ctx.secret_add(&content, &SecretAddOptions::new().owner(self.owner()).label(self.key_label()))?;
        self.ctx.log_info(format!("generated a private key for {} ({:?} mode)", self.endpoint, self.mode));
        Ok(key)
    }

    fn relation(&self) -> Result<Option<RelationId>, TlsError> {
        Ok(self.ctx.relation_ids(self.endpoint)?.into_iter().next())
    }

    fn may_act(&self) -> Result<bool, TlsError> {
        Ok(self.mode == Mode::Unit || self.ctx.is_leader()?)
    }
}

impl RequirerCore {
    /// Everything v4 does on relation-created/changed, leader-elected and refresh events: make
    /// sure the key exists, drop CSRs that match no request or not the key, publish a CSR for
    /// each request without one, store newly issued certificates in their secrets (expiring at
    /// the renewal time), and renew certificates past the safety threshold.
    ///
    /// Without a relation (or, in app mode, on a non-leader) it does nothing.
    pub fn reconcile(&self, ctx: &Context, endpoint: &str) -> Result<RequirerReport, TlsError> {
        let scope = Scope { ctx, endpoint, mode: self.mode };
        let mut report = RequirerReport::default();
        let fraction = self.renewal_relative_time;
        if !(fraction > 0.5 && fraction <= 1.0) {
            return Err(TlsError::RenewalTime(fraction));
        }
        let Some(relation) = scope.relation()? else { return Ok(report) };
        if !scope.may_act()? {
            return Ok(report);
        }
        for request in &self.requests {
            request.validate()?;
        }
        let key = scope.ensure_private_key()?;
        let key_public = pki::private_key_public_key(key.expose_secret())?;

        let mut requests = self.own_requests(&scope, &relation, &mut report)?;
        let loaded = requests.clone();
        // Clean up: a CSR must match one request and our key (v4 `_cleanup_certificate_requests`).
        requests.retain(|r| {
            CsrInfo::parse(&r.certificate_signing_request).is_ok_and(|csr| {
                csr.public_key == key_public && self.requests.iter().any(|want| want.matches(&csr, r.ca))
            })
        });
        report.requested += self.send_missing(&mut requests, key.expose_secret())?;

        let provider = self.provider_data(&scope, &relation, &mut report)?;
        let now = Utc::now();
        let mut renew = Vec::new();
        for request in &requests {
            let Some(found) = self.certificate_for(&scope, &relation, request, &provider, &key_public, &mut report)?
            else {
                continue;
            };
            let (assigned, info) = found;
            // v4 `_renew_expiring_certificates`: a safety net past the renewal time, in case the
            // secret-expired event was missed.
            let threshold = (self.renewal_relative_time + 0.05).min(0.99);
            let period = (info.not_after - info.not_before).num_seconds() as f64;
            let safety = info.not_before + chrono::Duration::seconds((period * threshold) as i64);
            if now >= safety && now < info.not_after {
                renew.push(request.certificate_signing_request.clone());
            }
            report.certificates.push(assigned);
        }
        for error in &provider.request_errors {
            if requests.iter().any(|r| pki::same_csr(&r.certificate_signing_request, &error.csr)) {
                report.denied.push((error.csr.clone(), error.error.clone()));
            }
        }
        if !renew.is_empty() {
            ctx.log_warning(format!(
                "{} certificate(s) on {endpoint} are close to expiry but not renewed: renewing now",
                renew.len()
            ));
            requests.retain(|r| !renew.iter().any(|csr| pki::same_csr(csr, &r.certificate_signing_request)));
            report.certificates.retain(|c| !renew.iter().any(|csr| pki::same_csr(csr, &c.csr)));
            report.renewed = renew.len();
            report.requested += self.send_missing(&mut requests, key.expose_secret())?;
        }
        if requests != loaded {
            self.save_requests(&scope, &relation, requests)?;
        }
        Ok(report)
    }

    /// secret-expired: when `label` names one of our certificate secrets, renew that
    /// certificate (replace its CSR with a new one) and remove the secret, as v4's
    /// `_on_secret_expired` does. Returns whether the secret was ours.
    pub fn on_secret_expired(&self, ctx: &Context, endpoint: &str, label: Option<&str>) -> Result<bool, TlsError> {
        let scope = Scope { ctx, endpoint, mode: self.mode };
        let Some(label) = label.filter(|l| l.starts_with(&scope.certificate_label_prefix())) else {
            return Ok(false);
        };
        if !scope.may_act()? {
            return Ok(false);
        }
        let selector = SecretSelector::label(label);
        let Some(content) = ctx.secret_get(&selector, SecretReadMode::Refresh)? else { return Ok(false) };
        let Some(csr) = content.get("csr").map(|c| c.expose_secret().to_owned()) else {
            ctx.log_error(format!("certificate secret {label:?} has no csr: cannot renew it"));
            return Ok(true);
        };
        if let Some(relation) = scope.relation()? {
            let key = scope.ensure_private_key()?;
            let mut report = RequirerReport::default();
            let mut requests = self.own_requests(&scope, &relation, &mut report)?;
            requests.retain(|r| !pki::same_csr(&r.certificate_signing_request, &csr));
            self.send_missing(&mut requests, key.expose_secret())?;
            self.save_requests(&scope, &relation, requests)?;
            ctx.log_info(format!("renewed a certificate request on {endpoint}"));
        }
        if let Some(id) = ctx.secret_id(&selector)? {
            ctx.secret_remove(&id, None)?;
        }
        Ok(true)
    }

    /// relation-broken: remove the private key's and the certificates' secrets (v4
    /// `_on_relation_broken`).
    pub fn on_relation_broken(&self, ctx: &Context, endpoint: &str) -> Result<(), TlsError> {
        let scope = Scope { ctx, endpoint, mode: self.mode };
        if !scope.may_act()? {
            return Ok(());
        }
        let prefix = scope.certificate_label_prefix();
        let key_label = scope.key_label();
        for id in ctx.secret_ids()? {
            let Some(info) = ctx.secret_info(&SecretSelector::id(id.clone()))? else { continue };
            if info.label == key_label || info.label.starts_with(&prefix) {
                ctx.secret_remove(&id, None)?;
            }
        }
        Ok(())
    }

    /// The private key (PEM), when one has been generated.
    pub fn private_key(&self, ctx: &Context, endpoint: &str) -> Result<Option<SecretString>, TlsError> {
        Scope { ctx, endpoint, mode: self.mode }.private_key()
    }

    fn own_requests(
        &self,
        scope: &Scope<'_>,
        relation: &RelationId,
        report: &mut RequirerReport,
    ) -> Result<Vec<CertificateSigningRequest>, TlsError> {
        match scope.ctx.relation_load::<RequirerData>(relation, scope.own_entity()) {
            Ok(data) => Ok(data.certificate_signing_requests),
            Err(e @ goops_runtime::Error::Databag { .. }) => {
                // Our own bag: v4 starts over from an empty list; say so instead of silently.
                report.problems.push(format!("our own databag was unreadable and is rewritten: {e}"));
                Ok(Vec::new())
            }
            Err(e) => Err(e.into()),
        }
    }

    fn save_requests(
        &self,
        scope: &Scope<'_>,
        relation: &RelationId,
        requests: Vec<CertificateSigningRequest>,
    ) -> Result<(), TlsError> {
        scope.ctx.relation_save(relation, scope.bag(), &RequirerData { certificate_signing_requests: requests })?;
        Ok(())
    }

    /// Publishes a CSR for each request that has none in `requests`; returns how many.
    fn send_missing(&self, requests: &mut Vec<CertificateSigningRequest>, key: &str) -> Result<usize, TlsError> {
        let mut sent = 0;
        for want in &self.requests {
            let covered = requests
                .iter()
                .any(|r| CsrInfo::parse(&r.certificate_signing_request).is_ok_and(|csr| want.matches(&csr, r.ca)));
            if !covered {
                let csr = pki::generate_csr(key, want)?;
                requests.push(CertificateSigningRequest { certificate_signing_request: csr, ca: want.is_ca });
                sent += 1;
            }
        }
        Ok(sent)
    }

    fn provider_data(
        &self,
        scope: &Scope<'_>,
        relation: &RelationId,
        report: &mut RequirerReport,
    ) -> Result<ProviderAppData, TlsError> {
        let Some(app) = scope.ctx.relation_app(relation)? else { return Ok(ProviderAppData::default()) };
        match scope.ctx.relation_load::<ProviderAppData>(relation, &app) {
            Ok(data) => Ok(data),
            Err(e @ goops_runtime::Error::Databag { .. }) => {
                report.problems.push(e.to_string());
                Ok(ProviderAppData::default())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The provider's answer to `request`, checked as v4's `_find_available_certificates` checks
    /// it: same CSR, the CA flag asked for, our public key.
    fn find(
        &self,
        relation: &RelationId,
        request: &CertificateSigningRequest,
        provider: &ProviderAppData,
        key_public: &[u8],
    ) -> Found {
        let csr = &request.certificate_signing_request;
        let Some(provided) = provider.certificates.iter().find(|c| pki::same_csr(&c.certificate_signing_request, csr))
        else {
            return Found::Nothing;
        };
        if provided.revoked == Some(true) {
            return Found::Revoked;
        }
        let info = match CertInfo::parse(&provided.certificate) {
            Ok(info) => info,
            Err(e) => return Found::Unusable(format!("the certificate for one of our CSRs on {relation}: {e}")),
        };
        if info.is_ca != request.ca {
            return Found::Unusable(format!(
                "the provider answered a request for a {} certificate with a {} one; ignored",
                if request.ca { "CA" } else { "non-CA" },
                if info.is_ca { "CA" } else { "non-CA" },
            ));
        }
        if info.public_key != key_public {
            return Found::Unusable(format!("a certificate on {relation} is not for our private key; ignored"));
        }
        let assigned = AssignedCertificate {
            relation: relation.clone(),
            certificate: provided.certificate.clone(),
            ca: provided.ca.clone(),
            chain: provided.chain.clone().unwrap_or_default(),
            csr: csr.clone(),
            expires: info.not_after,
        };
        Found::Usable(Box::new((assigned, info)))
    }

    /// [`RequirerCore::find`], acted on: a revoked certificate's secret goes, a usable one is
    /// stored in its secret.
    fn certificate_for(
        &self,
        scope: &Scope<'_>,
        relation: &RelationId,
        request: &CertificateSigningRequest,
        provider: &ProviderAppData,
        key_public: &[u8],
        report: &mut RequirerReport,
    ) -> Result<Option<(AssignedCertificate, CertInfo)>, TlsError> {
        let label = scope.certificate_label(&request.certificate_signing_request);
        match self.find(relation, request, provider, key_public) {
            Found::Nothing => Ok(None),
            Found::Revoked => {
                // v4 drops the stored certificate; the provider answers the same CSR again.
                if let Some(id) = scope.ctx.secret_id(&SecretSelector::label(label))? {
                    scope.ctx.secret_remove(&id, None)?;
                }
                Ok(None)
            }
            Found::Unusable(problem) => {
                report.problems.push(problem);
                Ok(None)
            }
            Found::Usable(found) => {
                let (assigned, info) = *found;
                if self.store(scope, &label, &assigned, &info)? {
                    report.newly_available.push(assigned.clone());
                }
                Ok(Some((assigned, info)))
            }
        }
    }

    /// The certificates the provider issued for our current CSRs, checked against our key,
    /// without writing anything (a query: [`RequirerCore::reconcile`] is what stores them).
    pub fn assigned(&self, ctx: &Context, endpoint: &str) -> Result<Vec<AssignedCertificate>, TlsError> {
        let scope = Scope { ctx, endpoint, mode: self.mode };
        let Some(relation) = scope.relation()? else { return Ok(Vec::new()) };
        if !scope.may_act()? {
            return Ok(Vec::new());
        }
        let Some(key) = scope.private_key()? else { return Ok(Vec::new()) };
        let key_public = pki::private_key_public_key(key.expose_secret())?;
        let mut report = RequirerReport::default();
        let requests = self.own_requests(&scope, &relation, &mut report)?;
        let provider = self.provider_data(&scope, &relation, &mut report)?;
        Ok(requests
            .iter()
            .filter_map(|request| match self.find(&relation, request, &provider, &key_public) {
                Found::Usable(found) => Some(found.0),
                _ => None,
            })
            .collect())
    }

    /// Keeps the certificate in its secret, expiring at the renewal time; returns whether it
    /// was new or changed (v4 sets content only when the certificate differs).
    fn store(
        &self,
        scope: &Scope<'_>,
        label: &str,
        assigned: &AssignedCertificate,
        info: &CertInfo,
    ) -> Result<bool, TlsError> {
        let selector = SecretSelector::label(label);
        let expire = Expiry::At(info.renewal_time(Utc::now(), self.renewal_relative_time));
        let content: SecretContent = BTreeMap::from([
            ("certificate".to_owned(), SecretString::from(assigned.certificate.trim())),
            ("csr".to_owned(), SecretString::from(assigned.csr.trim())),
        ]);
        match scope.ctx.secret_get(&selector, SecretReadMode::Refresh)? {
            Some(current)
                if current.get("certificate").map(SecretString::expose_secret) == Some(assigned.certificate.trim()) =>
            {
                Ok(false)
            }
            Some(_) => {
                let id = scope.ctx.secret_id(&selector)?.ok_or_else(|| TlsError::Secret {
                    label: label.to_owned(),
                    reason: "is readable but not owned by us",
                })?;
                scope.ctx.secret_set(&id, Some(&content), &SecretSetOptions::new().expire(expire))?;
                Ok(true)
            }
            None => {
                let options = SecretAddOptions::new().owner(scope.owner()).label(label).expire(expire);
                scope.ctx.secret_add(&content, &options)?;
                Ok(true)
            }
        }
    }
}
