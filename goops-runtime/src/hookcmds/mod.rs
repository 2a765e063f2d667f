//! One typed function per Juju hook tool, one module per tool family.
//!
//! These are thin and uncached: each call runs the tool once. [`crate::Context`] builds the
//! cached, higher-level API on top of them.

pub mod action;
pub mod log;
