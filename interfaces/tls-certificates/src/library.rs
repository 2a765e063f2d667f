//! The two sides as charm libraries (`docs/charm-libraries.md`): a charm includes one with a
//! `#[lib(endpoint = "…")]` accessor, and the library answers its endpoint's events itself,
//! before the charm's handlers, telling the charm what happened through typed events.

use std::cell::RefCell;

use goops_runtime::prelude::*;
use goops_runtime::{Binding, SecretEvent};

use crate::pki::CertificateRequestAttributes;
use crate::provider::{IncomingRequest, ProviderCore, ProviderReport, SignError, Signed};
use crate::requirer::{AssignedCertificate, Mode, RequirerCore, RequirerReport};
use crate::{CertificateError, ProviderCapabilities, TlsError};

/// The charm's signer: signs one request (reading its CA through `ctx`), refuses it, or says
/// "not yet".
pub type Signer = fn(&Context, &IncomingRequest) -> Result<Signed, SignError>;

/// What the provider library tells the charm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderEvent {
    /// A reconcile ran on the leader: what it issued, refused, removed, and could not read.
    Reconciled(ProviderReport),
}

/// The provider side of tls-certificates v4 as a charm library. On relation-created, -joined,
/// -changed and update-status (v4's events), the leader answers every outstanding CSR through
/// the charm's [`Signer`] and publishes the answers; then it raises
/// [`ProviderEvent::Reconciled`].
pub struct TlsProvider {
    binding: Binding<ProviderEvent>,
    signer: Signer,
    core: ProviderCore,
}

impl TlsProvider {
    /// A provider signing with `signer`.
    pub fn new(signer: Signer) -> Self {
        Self { binding: Binding::new(), signer, core: ProviderCore::default() }
    }

    /// Also publish `capabilities` (what this provider can issue).
    pub fn with_capabilities(mut self, capabilities: ProviderCapabilities) -> Self {
        self.core.capabilities = Some(capabilities);
        self
    }
}

#[charm_lib(interface = "tls-certificates", role = "provides", event = ProviderEvent)]
impl TlsProvider {
    #[hook(relation_created, relation_joined, relation_changed, update_status)]
    fn on_event(&self, ctx: &Context) -> HookResult {
        self.reconcile(ctx)?;
        Ok(())
    }

    /// Answer outstanding requests now (e.g. right after the charm created its CA), raising
    /// [`ProviderEvent::Reconciled`]. Non-leaders do nothing and raise nothing.
    pub fn reconcile(&self, ctx: &Context) -> Result<(), TlsError> {
        if !ctx.is_leader()? {
            return Ok(());
        }
        let endpoint = self.endpoint()?;
        let report = self.core.reconcile(ctx, endpoint, |request| (self.signer)(ctx, request))?;
        self.binding.emit(ProviderEvent::Reconciled(report));
        Ok(())
    }

    /// Mark every published certificate revoked (the CA changed); the next reconcile signs
    /// their CSRs again. Returns how many were revoked. Leader only.
    pub fn revoke_all(&self, ctx: &Context) -> Result<usize, TlsError> {
        self.core.revoke_all(ctx, self.endpoint()?)
    }

    /// Every CSR requirers have published, and the bags that could not be read.
    pub fn requests(&self, ctx: &Context) -> Result<(Vec<IncomingRequest>, Vec<crate::InvalidBag>), TlsError> {
        self.core.requests(ctx, self.endpoint()?, None)
    }

    fn endpoint(&self) -> Result<&'static str, TlsError> {
        self.binding.endpoint().map_err(|e| TlsError::Unbound(e.to_string()))
    }
}

/// The requests a [`TlsRequirer`] asks for: fixed, or computed in each hook (from config, say),
/// as v4 accepts a callable.
#[derive(Clone)]
pub enum Requests {
    /// The same requests in every hook.
    Fixed(Vec<CertificateRequestAttributes>),
    /// Computed in each hook.
    Computed(fn(&Context) -> Result<Vec<CertificateRequestAttributes>, BoxError>),
}

/// What the requirer library tells the charm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequirerEvent {
    /// A certificate arrived (or changed) and is stored in its secret.
    CertificateAvailable(AssignedCertificate),
    /// The provider refused one of our CSRs.
    CertificateDenied {
        /// The refused CSR.
        csr: String,
        /// Why.
        error: CertificateError,
    },
}

/// The requirer side of tls-certificates v4 as a charm library: on relation-created and
/// -changed, leader-elected, config-changed and update-status it keeps the key, CSRs and
/// certificates in step ([`RequirerCore::reconcile`]); on secret-expired it renews; on
/// relation-broken it removes its secrets.
pub struct TlsRequirer {
    binding: Binding<RequirerEvent>,
    requests: Requests,
    mode: Mode,
    renewal_relative_time: f64,
    last: RefCell<Option<RequirerReport>>,
}

impl TlsRequirer {
    /// A unit-mode requirer asking for `requests`, renewing at 90% of the time left (v4's defaults).
    pub fn new(requests: Requests) -> Self {
        Self {
            binding: Binding::new(),
            requests,
            mode: Mode::Unit,
            renewal_relative_time: 0.9,
            last: RefCell::default(),
        }
    }

    /// Unit or app certificates.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// v4's `renewal_relative_time`, valid in (0.5, 1.0]; another value fails every hook the
    /// library handles with [`TlsError::RenewalTime`].
    pub fn renewal_relative_time(mut self, fraction: f64) -> Self {
        self.renewal_relative_time = fraction;
        self
    }

    fn core(&self, ctx: &Context) -> Result<RequirerCore, BoxError> {
        let requests = match &self.requests {
            Requests::Fixed(requests) => requests.clone(),
            Requests::Computed(f) => f(ctx)?,
        };
        Ok(RequirerCore { requests, mode: self.mode, renewal_relative_time: self.renewal_relative_time })
    }

    fn endpoint(&self) -> Result<&'static str, TlsError> {
        self.binding.endpoint().map_err(|e| TlsError::Unbound(e.to_string()))
    }
}

#[charm_lib(interface = "tls-certificates", role = "requires", event = RequirerEvent)]
impl TlsRequirer {
    #[hook(relation_created, relation_changed, leader_elected, config_changed, update_status)]
    fn on_event(&self, ctx: &Context) -> HookResult {
        let report = self.core(ctx)?.reconcile(ctx, self.endpoint()?)?;
        for problem in &report.problems {
            ctx.log_warning(problem);
        }
        for certificate in &report.newly_available {
            self.binding.emit(RequirerEvent::CertificateAvailable(certificate.clone()));
        }
        for (csr, error) in &report.denied {
            self.binding.emit(RequirerEvent::CertificateDenied { csr: csr.clone(), error: error.clone() });
        }
        *self.last.borrow_mut() = Some(report);
        Ok(())
    }

    #[hook(secret_expired)]
    fn on_secret_expired(&self, ctx: &Context, event: &SecretEvent) -> HookResult {
        self.core(ctx)?.on_secret_expired(ctx, self.endpoint()?, event.label.as_deref())?;
        Ok(())
    }

    #[hook(relation_broken)]
    fn on_broken(&self, ctx: &Context) -> HookResult {
        self.core(ctx)?.on_relation_broken(ctx, self.endpoint()?)?;
        Ok(())
    }

    /// The certificates we hold for our current requests (read from the relation and checked
    /// against our key; nothing is written).
    pub fn certificates(&self, ctx: &Context) -> Result<Vec<AssignedCertificate>, BoxError> {
        if let Some(report) = self.last.borrow().as_ref() {
            return Ok(report.certificates.clone());
        }
        Ok(self.core(ctx)?.assigned(ctx, self.endpoint()?)?)
    }

    /// What the library's reconcile found in this hook, if it ran.
    pub fn last_report(&self) -> Option<RequirerReport> {
        self.last.borrow().clone()
    }

    /// The private key (PEM) the CSRs are signed with, once generated.
    pub fn private_key(&self, ctx: &Context) -> Result<Option<SecretString>, TlsError> {
        let core = RequirerCore { mode: self.mode, ..RequirerCore::default() };
        core.private_key(ctx, self.endpoint()?)
    }
}
