//! `is-leader`.

use super::{args, run_json};
use crate::error::Result;
use crate::tools::HookTools;

/// `is-leader --format=json`: whether this unit is the leader (guaranteed for 30 s when true).
pub fn is_leader(tools: &dyn HookTools) -> Result<bool> {
    run_json(tools, "is-leader", &args(["--format=json"]), "a JSON boolean")
}
