//! The `tls-certificates` interface, version 4, for goops-rs charms.
//!
//! - [`databags`]: the v4 bags as types ([`RequirerData`], [`ProviderAppData`]), key by key.
//! - [`TlsProvider`]: reads every requirer's CSRs, signs the new ones through a callback the
//!   charm supplies, publishes certificates (with `ca` and `chain`) or request errors, removes
//!   answers nobody asks for, and revokes everything when the CA changes.
//! - [`TlsRequirer`]: keeps a private key in a unit (or app) secret, publishes CSRs built from
//!   [`CertificateRequestAttributes`], stores each certificate it gets in a secret that expires
//!   when renewal is due, and renews.
//! - [`pki`]: the key, CSR and certificate handling both sides need.
//!
//! It interoperates with the Python library that defines v4 (`charmlibs-interfaces-tls-certificates`,
//! successor of the vendored `tls_certificates` v4 lib): the repository's `tests/` run both
//! directions under goops-sim. The README (below) says what v4 says and where this crate differs.
#![doc = include_str!("../README.md")]

pub mod databags;
pub mod library;
pub mod pki;
pub mod provider;
pub mod requirer;

pub use databags::{
    CertificateError, CertificateSigningRequest, ErrorCode, ProvidedCertificate, ProviderAppData, ProviderCapabilities,
    RequestError, RequirerData,
};
pub use library::{ProviderEvent, Requests, RequirerEvent, Signer, TlsProvider, TlsRequirer};
pub use pki::{CertificateRequestAttributes, PkiError};
pub use provider::{IncomingRequest, InvalidBag, ProviderCore, ProviderReport, SignError, Signed};
pub use requirer::{AssignedCertificate, Mode, RequirerCore, RequirerReport};

/// The v4 library's id: the Python library puts it in its secret labels
/// (`<LIBID>-private-key-<unit number>-<endpoint>`, `<LIBID>-certificate-…`), and so do we, so a
/// charm moving between the two keeps its key and certificates.
pub const LIBID: &str = "afd8c2bccf834997afce12c2706d2ede";

/// The interface name in charmcraft.yaml.
pub const INTERFACE: &str = "tls-certificates";

/// Why a tls-certificates operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A hook tool failed, or one of our own databags could not be read or written
    /// ([`goops_runtime::Error::Databag`] names the relation, the bag and the key).
    #[error(transparent)]
    Juju(#[from] goops_runtime::Error),
    /// A key, CSR or certificate could not be read or made.
    #[error(transparent)]
    Pki(#[from] PkiError),
    /// The charm's signer failed (not a refusal): the hook fails, so Juju retries it.
    #[error("the signer failed: {0}")]
    Sign(goops_runtime::BoxError),
    /// A library query ran outside a dispatch that bound the library to its endpoint.
    #[error("{0}")]
    Unbound(String),
    /// The renewal time is not a fraction in (0.5, 1.0] (v4's bounds).
    #[error("renewal_relative_time must be in (0.5, 1.0], not {0}")]
    RenewalTime(f64),
    /// One of our secrets is not as we left it.
    #[error("secret {label:?} {reason}")]
    Secret {
        /// The secret's label.
        label: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}
