//! cargo-goops: the `cargo goops` subcommand for goops-rs charms.
//!
//! - [`scaffold`]: `cargo goops new <dir>`, a standalone charm project;
//! - [`pack`]: `cargo goops pack`, a `.charm` laid out as `charmcraft pack` lays it out, after
//!   the [`glibc`] base check;
//! - [`run`]: `cargo goops run <event>`, one event under goops-sim (linked in).
//!
//! [`project`] reads charmcraft.yaml for packing; [`cargo`] runs the build.

// An error ends the command once; keeping every field in the variant reads better than boxing.
#![allow(clippy::result_large_err)]

pub mod cargo;
pub mod error;
pub mod glibc;
pub mod pack;
pub mod project;
pub mod run;
pub mod scaffold;

pub use error::{Error, Result};
