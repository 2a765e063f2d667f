//! The hook tools a Juju 3.6 unit agent serves (docs/hook-tools.md §6): the executables a charm
//! finds on `PATH` during a hook.

/// Every hook tool of Juju 3.6, sorted (`add-metric`, `leader-get` and `leader-set` are 3.x only).
pub const HOOK_TOOLS: &[&str] = &[
    "action-fail",
    "action-get",
    "action-log",
    "action-set",
    "add-metric",
    "application-version-set",
    "close-port",
    "config-get",
    "credential-get",
    "goal-state",
    "is-leader",
    "juju-log",
    "juju-reboot",
    "leader-get",
    "leader-set",
    "network-get",
    "open-port",
    "opened-ports",
    "relation-get",
    "relation-ids",
    "relation-list",
    "relation-model-get",
    "relation-set",
    "resource-get",
    "secret-add",
    "secret-get",
    "secret-grant",
    "secret-ids",
    "secret-info-get",
    "secret-remove",
    "secret-revoke",
    "secret-set",
    "state-delete",
    "state-get",
    "state-set",
    "status-get",
    "status-set",
    "storage-add",
    "storage-get",
    "storage-list",
    "unit-get",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_unique() {
        assert!(HOOK_TOOLS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(HOOK_TOOLS.len(), 41);
    }
}
