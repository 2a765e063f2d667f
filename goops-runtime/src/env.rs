//! The environment Juju gives a hook: every variable of docs/hook-tools.md §3, typed.

use std::path::PathBuf;

/// A problem with the hook's environment variables.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// A variable every hook has is missing or empty.
    #[error("{0} is not set")]
    Missing(&'static str),
    /// A variable has a value that cannot be what Juju sets.
    #[error("{var}={value:?} is not valid: {reason}")]
    Invalid {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Every environment variable Juju sets for a hook or action (docs/hook-tools.md §3).
///
/// Variables Juju leaves empty are `None`. Built from the process environment with
/// [`JujuEnv::from_process`] or from any list of pairs with [`JujuEnv::from_vars`] (tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct JujuEnv {
    /// `JUJU_CHARM_DIR` (or the legacy `CHARM_DIR`): the charm's directory.
    pub charm_dir: Option<PathBuf>,
    /// `JUJU_CONTEXT_ID`: identifies this hook's context to the hook tools.
    pub context_id: Option<String>,
    /// `JUJU_HOOK_NAME`: the full hook name; empty for actions.
    pub hook_name: Option<String>,
    /// `JUJU_DISPATCH_PATH`: `hooks/<hook>` or `actions/<action>`.
    pub dispatch_path: Option<String>,
    /// `JUJU_AGENT_SOCKET_ADDRESS`.
    pub agent_socket_address: Option<String>,
    /// `JUJU_AGENT_SOCKET_NETWORK`.
    pub agent_socket_network: Option<String>,
    /// `JUJU_UNIT_NAME`: `app/N`.
    pub unit_name: Option<String>,
    /// `JUJU_MODEL_UUID`.
    pub model_uuid: Option<String>,
    /// `JUJU_MODEL_NAME`.
    pub model_name: Option<String>,
    /// `JUJU_API_ADDRESSES`, split on spaces.
    pub api_addresses: Vec<String>,
    /// `JUJU_MACHINE_ID`; empty on Kubernetes.
    pub machine_id: Option<String>,
    /// `JUJU_PRINCIPAL_UNIT`: the principal of a subordinate unit.
    pub principal_unit: Option<String>,
    /// `JUJU_AVAILABILITY_ZONE`.
    pub availability_zone: Option<String>,
    /// `JUJU_VERSION`: the agent's version, e.g. `3.6.9`.
    pub version: Option<String>,
    /// `CLOUD_API_VERSION`.
    pub cloud_api_version: Option<String>,
    /// `JUJU_CHARM_HTTP_PROXY`.
    pub charm_http_proxy: Option<String>,
    /// `JUJU_CHARM_HTTPS_PROXY`.
    pub charm_https_proxy: Option<String>,
    /// `JUJU_CHARM_FTP_PROXY`.
    pub charm_ftp_proxy: Option<String>,
    /// `JUJU_CHARM_NO_PROXY`.
    pub charm_no_proxy: Option<String>,
    /// `JUJU_SLA` (3.x).
    pub sla: Option<String>,
    /// `JUJU_METER_STATUS` (3.x).
    pub meter_status: Option<String>,
    /// `JUJU_METER_INFO` (3.x).
    pub meter_info: Option<String>,
    /// `JUJU_AGENT_CA_CERT` (3.x, k8s workload containers).
    pub agent_ca_cert: Option<String>,
    /// `JUJU_AGENT_TOKEN` (3.x, k8s workload containers).
    pub agent_token: Option<String>,
    /// `JUJU_RELATION`: the endpoint of a relation hook.
    pub relation: Option<String>,
    /// `JUJU_RELATION_ID`: `<endpoint>:<id>`.
    pub relation_id: Option<String>,
    /// `JUJU_REMOTE_UNIT`: empty in relation-created, relation-broken and app-level changes.
    pub remote_unit: Option<String>,
    /// `JUJU_REMOTE_APP`.
    pub remote_app: Option<String>,
    /// `JUJU_DEPARTING_UNIT`: relation-departed only.
    pub departing_unit: Option<String>,
    /// `JUJU_ACTION_NAME`.
    pub action_name: Option<String>,
    /// `JUJU_ACTION_UUID`.
    pub action_uuid: Option<String>,
    /// `JUJU_ACTION_TAG`: `action-<id>`.
    pub action_tag: Option<String>,
    /// `JUJU_WORKLOAD_NAME`: the container of a `*-pebble-*` hook.
    pub workload_name: Option<String>,
    /// `JUJU_NOTICE_ID`.
    pub notice_id: Option<String>,
    /// `JUJU_NOTICE_TYPE`.
    pub notice_type: Option<String>,
    /// `JUJU_NOTICE_KEY`.
    pub notice_key: Option<String>,
    /// `JUJU_PEBBLE_CHECK_NAME`.
    pub pebble_check_name: Option<String>,
    /// `JUJU_TARGET_BASE`: series-upgrade hooks.
    pub target_base: Option<String>,
    /// `JUJU_TARGET_SERIES` (3.x): series-upgrade hooks.
    pub target_series: Option<String>,
    /// `JUJU_SECRET_ID`: the secret's URI in `secret-*` hooks.
    pub secret_id: Option<String>,
    /// `JUJU_SECRET_LABEL`.
    pub secret_label: Option<String>,
    /// `JUJU_SECRET_REVISION`: secret-expired and secret-remove only.
    pub secret_revision: Option<String>,
    /// `JUJU_STORAGE_ID`: `data/0`.
    pub storage_id: Option<String>,
    /// `JUJU_STORAGE_LOCATION`.
    pub storage_location: Option<String>,
    /// `JUJU_STORAGE_KIND`: `block` or `filesystem`.
    pub storage_kind: Option<String>,
    /// `JUJU_DEBUG`: set when the operator asked for debug output.
    pub debug: bool,
    /// `JUJU_DEBUG_AT`.
    pub debug_at: Option<String>,
    /// `JUJU_TRACE_ID` (4.0).
    pub trace_id: Option<String>,
    /// `JUJU_SPAN_ID` (4.0).
    pub span_id: Option<String>,
    /// `JUJU_TRACE_FLAGS` (4.0).
    pub trace_flags: Option<String>,
}

impl JujuEnv {
    /// Read the current process's environment.
    pub fn from_process() -> Self {
        Self::from_vars(std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))))
    }

    /// Build from name/value pairs; unknown names are ignored, empty values are `None`.
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        // One pass, one match per variable: this runs at the start of every hook.
        let mut env = JujuEnv::default();
        let mut legacy_charm_dir = None;
        for (k, v) in vars {
            let v: String = v.into();
            if v.is_empty() {
                continue;
            }
            let v = Some(v);
            match k.as_ref() {
                "JUJU_CHARM_DIR" => env.charm_dir = v.map(PathBuf::from),
                "CHARM_DIR" => legacy_charm_dir = v.map(PathBuf::from),
                "JUJU_API_ADDRESSES" => {
                    env.api_addresses = v.iter().flat_map(|a| a.split_whitespace()).map(str::to_owned).collect();
                }
                "JUJU_DEBUG" => env.debug = true,
                "JUJU_CONTEXT_ID" => env.context_id = v,
                "JUJU_HOOK_NAME" => env.hook_name = v,
                "JUJU_DISPATCH_PATH" => env.dispatch_path = v,
                "JUJU_AGENT_SOCKET_ADDRESS" => env.agent_socket_address = v,
                "JUJU_AGENT_SOCKET_NETWORK" => env.agent_socket_network = v,
                "JUJU_UNIT_NAME" => env.unit_name = v,
                "JUJU_MODEL_UUID" => env.model_uuid = v,
                "JUJU_MODEL_NAME" => env.model_name = v,
                "JUJU_MACHINE_ID" => env.machine_id = v,
                "JUJU_PRINCIPAL_UNIT" => env.principal_unit = v,
                "JUJU_AVAILABILITY_ZONE" => env.availability_zone = v,
                "JUJU_VERSION" => env.version = v,
                "CLOUD_API_VERSION" => env.cloud_api_version = v,
                "JUJU_CHARM_HTTP_PROXY" => env.charm_http_proxy = v,
                "JUJU_CHARM_HTTPS_PROXY" => env.charm_https_proxy = v,
                "JUJU_CHARM_FTP_PROXY" => env.charm_ftp_proxy = v,
                "JUJU_CHARM_NO_PROXY" => env.charm_no_proxy = v,
                "JUJU_SLA" => env.sla = v,
                "JUJU_METER_STATUS" => env.meter_status = v,
                "JUJU_METER_INFO" => env.meter_info = v,
                "JUJU_AGENT_CA_CERT" => env.agent_ca_cert = v,
                "JUJU_AGENT_TOKEN" => env.agent_token = v,
                "JUJU_RELATION" => env.relation = v,
                "JUJU_RELATION_ID" => env.relation_id = v,
                "JUJU_REMOTE_UNIT" => env.remote_unit = v,
                "JUJU_REMOTE_APP" => env.remote_app = v,
                "JUJU_DEPARTING_UNIT" => env.departing_unit = v,
                "JUJU_ACTION_NAME" => env.action_name = v,
                "JUJU_ACTION_UUID" => env.action_uuid = v,
                "JUJU_ACTION_TAG" => env.action_tag = v,
                "JUJU_WORKLOAD_NAME" => env.workload_name = v,
                "JUJU_NOTICE_ID" => env.notice_id = v,
                "JUJU_NOTICE_TYPE" => env.notice_type = v,
                "JUJU_NOTICE_KEY" => env.notice_key = v,
                "JUJU_PEBBLE_CHECK_NAME" => env.pebble_check_name = v,
                "JUJU_TARGET_BASE" => env.target_base = v,
                "JUJU_TARGET_SERIES" => env.target_series = v,
                "JUJU_SECRET_ID" => env.secret_id = v,
                "JUJU_SECRET_LABEL" => env.secret_label = v,
                "JUJU_SECRET_REVISION" => env.secret_revision = v,
                "JUJU_STORAGE_ID" => env.storage_id = v,
                "JUJU_STORAGE_LOCATION" => env.storage_location = v,
                "JUJU_STORAGE_KIND" => env.storage_kind = v,
                "JUJU_DEBUG_AT" => env.debug_at = v,
                "JUJU_TRACE_ID" => env.trace_id = v,
                "JUJU_SPAN_ID" => env.span_id = v,
                "JUJU_TRACE_FLAGS" => env.trace_flags = v,
                _ => {}
            }
        }
        if env.charm_dir.is_none() {
            env.charm_dir = legacy_charm_dir;
        }
        env
    }

    /// The unit's name (`app/N`), or an error if Juju did not set it.
    pub fn unit(&self) -> Result<&str, EnvError> {
        self.unit_name.as_deref().ok_or(EnvError::Missing("JUJU_UNIT_NAME"))
    }

    /// The application's name: the unit name without `/N`.
    pub fn app(&self) -> Result<&str, EnvError> {
        let unit = self.unit()?;
        goops_juju::unit::app_of(unit).map_err(|e| EnvError::Invalid {
            var: "JUJU_UNIT_NAME",
            value: unit.to_owned(),
            reason: e.expected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vars_and_treats_empty_as_unset() {
        let env = JujuEnv::from_vars([
            ("JUJU_UNIT_NAME", "my-app/12"),
            ("JUJU_REMOTE_UNIT", ""),
            ("CHARM_DIR", "/var/lib/juju/charm"),
            ("JUJU_API_ADDRESSES", "10.0.0.1:17070 10.0.0.2:17070"),
            ("HOME", "/root"),
        ]);
        assert_eq!(env.unit(), Ok("my-app/12"));
        assert_eq!(env.app(), Ok("my-app"));
        assert_eq!(env.remote_unit, None);
        assert_eq!(env.charm_dir, Some(PathBuf::from("/var/lib/juju/charm")));
        assert_eq!(env.api_addresses, ["10.0.0.1:17070", "10.0.0.2:17070"]);
    }

    #[test]
    fn juju_charm_dir_wins_over_the_legacy_name_in_any_order() {
        for vars in
            [[("JUJU_CHARM_DIR", "/new"), ("CHARM_DIR", "/old")], [("CHARM_DIR", "/old"), ("JUJU_CHARM_DIR", "/new")]]
        {
            assert_eq!(JujuEnv::from_vars(vars).charm_dir, Some(PathBuf::from("/new")));
        }
        let env = JujuEnv::from_vars([("JUJU_DEBUG", "1"), ("JUJU_SECRET_REVISION", "3"), ("JUJU_TRACE_FLAGS", "01")]);
        assert!(env.debug);
        assert_eq!((env.secret_revision.as_deref(), env.trace_flags.as_deref()), (Some("3"), Some("01")));
    }

    #[test]
    fn bad_unit_name_is_an_error() {
        let env = JujuEnv::from_vars([("JUJU_UNIT_NAME", "nounit")]);
        assert!(matches!(env.app(), Err(EnvError::Invalid { var: "JUJU_UNIT_NAME", .. })));
        assert_eq!(JujuEnv::default().unit(), Err(EnvError::Missing("JUJU_UNIT_NAME")));
    }
}
