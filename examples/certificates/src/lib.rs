//! The certificates charm: a self-signed CA kept in an application-owned Juju secret, signing
//! CSRs from related applications over the tls-certificates interface.
//!
//! The charm type is [`charm::Certificates`]; `src/main.rs` is its `dispatch`.

pub mod charm;
pub mod tls;

pub use charm::Certificates;
