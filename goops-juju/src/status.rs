//! Juju's workload status names (docs/hook-tools.md §4.2, rule 16).

use crate::error::juju_names;

juju_names! {
    /// A status name as Juju reports it.
    pub enum StatusName ("status", expected "active, blocked, maintenance, waiting, unknown, error or terminated") {
        /// `active`: the workload runs as intended.
        Active = "active",
        /// `blocked`: a human must act (a relation, a config value, …).
        Blocked = "blocked",
        /// `maintenance`: the charm is doing work it started itself.
        Maintenance = "maintenance",
        /// `waiting`: the charm waits for something outside it.
        Waiting = "waiting",
        /// `unknown`: no status was set yet.
        Unknown = "unknown",
        /// `error`: a hook failed.
        Error = "error",
        /// `terminated`: the workload is gone.
        Terminated = "terminated",
    }
}

impl StatusName {
    /// Whether a charm may set it with `status-set`: only maintenance, blocked, waiting and active.
    pub const fn is_settable(self) -> bool {
        matches!(self, StatusName::Active | StatusName::Blocked | StatusName::Maintenance | StatusName::Waiting)
    }
}

impl Default for StatusName {
    /// A unit or application starts `unknown`.
    fn default() -> Self {
        StatusName::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settable_statuses() {
        let settable: Vec<&str> = StatusName::ALL.iter().filter(|s| s.is_settable()).map(|s| s.as_str()).collect();
        assert_eq!(settable, ["active", "blocked", "maintenance", "waiting"]);
        assert_eq!("error".parse::<StatusName>(), Ok(StatusName::Error));
        assert!("broken".parse::<StatusName>().is_err());
    }
}
