//! The certificates charm: a self-signed CA kept in an application-owned Juju secret, signing
//! CSRs from related applications over the tls-certificates interface.

pub mod charm;
pub mod tls;
