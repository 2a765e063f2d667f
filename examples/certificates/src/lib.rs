//! The certificates charm.

pub mod tls;
