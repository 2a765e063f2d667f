//! Juju's secret names and rules (docs/hook-tools.md §4.7): owners, rotate policies, content
//! keys and secret URIs.

use std::time::Duration;

use crate::error::{InvalidName, juju_names};

juju_names! {
    /// Who owns a secret. Juju's `--owner` values; `app` is accepted as a short form.
    pub enum SecretOwner ("secret owner", expected "application or unit") {
        /// The application; only its leader may manage the secret.
        Application = "application" | "app",
        /// The unit that created it.
        Unit = "unit",
    }
}

impl Default for SecretOwner {
    /// `secret-add` creates application-owned secrets unless told otherwise.
    fn default() -> Self {
        SecretOwner::Application
    }
}

juju_names! {
    /// How often Juju fires `secret-rotate` for a secret (`core/secrets/rotate.go`).
    pub enum RotatePolicy ("rotate policy", expected "never, hourly, daily, weekly, monthly, quarterly or yearly") {
        /// Never rotate.
        Never = "never",
        /// Every hour.
        Hourly = "hourly",
        /// Every day.
        Daily = "daily",
        /// Every week.
        Weekly = "weekly",
        /// Every 30 days.
        Monthly = "monthly",
        /// Every 90 days.
        Quarterly = "quarterly",
        /// Every 365 days.
        Yearly = "yearly",
    }
}

impl RotatePolicy {
    /// The time from one rotation to the next as the controller schedules it; `None` for `never`.
    pub const fn interval(self) -> Option<Duration> {
        const HOUR: u64 = 3600;
        let hours = match self {
            RotatePolicy::Never => return None,
            RotatePolicy::Hourly => 1,
            RotatePolicy::Daily => 24,
            RotatePolicy::Weekly => 24 * 7,
            RotatePolicy::Monthly => 24 * 30,
            RotatePolicy::Quarterly => 24 * 90,
            RotatePolicy::Yearly => 24 * 365,
        };
        Some(Duration::from_secs(hours * HOUR))
    }
}

/// Juju's content-key rule as a regular expression (`core/secrets/createsecret.go`).
pub const CONTENT_KEY_RULE: &str = "^([a-z](?:-?[a-z0-9]){2,})$";

/// What [`CONTENT_KEY_RULE`] means, for error messages.
pub const CONTENT_KEY_EXPECTED: &str =
    "at least 3 characters of lowercase letters, digits and single inner hyphens, starting with a letter";

/// Whether `key` is a valid secret content key: [`CONTENT_KEY_RULE`], checked by hand (a
/// lowercase letter, then at least two letters or digits, each optionally preceded by one hyphen).
pub fn is_valid_content_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    let Some((first, rest)) = bytes.split_first() else { return false };
    if !first.is_ascii_lowercase() {
        return false;
    }
    let mut units = 0;
    let mut i = 0;
    while i < rest.len() {
        if rest[i] == b'-' {
            i += 1;
        }
        match rest.get(i) {
            Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() => units += 1,
            _ => return false,
        }
        i += 1;
    }
    units >= 2
}

/// `key` if it is a valid content key, else an error naming it and the rule.
pub fn check_content_key(key: &str) -> Result<&str, InvalidName> {
    if is_valid_content_key(key) {
        Ok(key)
    } else {
        Err(InvalidName::new("secret content key", key, CONTENT_KEY_EXPECTED))
    }
}

/// The bare id of a secret URI: `secret:<id>`, `secret://<model-uuid>/<id>` and `<id>` all give `<id>`.
pub fn bare_secret_id(uri: &str) -> &str {
    let rest = uri.strip_prefix("secret:").unwrap_or(uri);
    match rest.strip_prefix("//") {
        Some(remote) => remote.rsplit('/').next().unwrap_or(remote),
        None => rest,
    }
}

/// `secret:<id>` for a bare id; a URI is returned as it is. `secret-add` prints this form, while
/// `secret-ids` and `secret-info-get` print bare ids.
pub fn secret_uri(id: &str) -> String {
    if id.contains(':') { id.to_owned() } else { format!("secret:{id}") }
}

/// Whether `id` is a well-formed bare secret id: 20 characters of `[0-9a-z]` (Juju's regex
/// before it checks the xid itself).
pub fn is_valid_secret_id(id: &str) -> bool {
    id.len() == 20 && id.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// `uri` if it names a secret as Juju parses it (`ParseURI`), else Juju's `secret URI "x" not valid`.
pub fn check_secret_uri(uri: &str) -> Result<&str, InvalidName> {
    let scheme_ok = !uri.contains(':') || uri.starts_with("secret:");
    if scheme_ok && is_valid_secret_id(bare_secret_id(uri)) {
        Ok(uri)
    } else {
        Err(InvalidName::new("secret URI", uri, "secret:<20 characters of [0-9a-z]>, secret://<model>/<id> or <id>"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_key_rule() {
        for ok in ["abc", "a-b-c", "private-key", "ca-certificate", "a1b", "abc123", "a-1-2"] {
            assert!(is_valid_content_key(ok), "{ok}");
        }
        for bad in ["", "ab", "a-b", "Abc", "1bc", "-abc", "abc-", "a--bc", "a_bc", "ab c", "a-", "é-bc"] {
            assert!(!is_valid_content_key(bad), "{bad}");
            assert!(check_content_key(bad).is_err());
        }
    }

    #[test]
    fn uris_and_ids() {
        assert_eq!(bare_secret_id("secret:cn0s4cu5gdbs7e2q5l4g"), "cn0s4cu5gdbs7e2q5l4g");
        assert_eq!(bare_secret_id("secret://1234-uuid/cn0s4cu5gdbs7e2q5l4g"), "cn0s4cu5gdbs7e2q5l4g");
        assert_eq!(bare_secret_id("cn0s4cu5gdbs7e2q5l4g"), "cn0s4cu5gdbs7e2q5l4g");
        assert_eq!(secret_uri("cn0s4cu5gdbs7e2q5l4g"), "secret:cn0s4cu5gdbs7e2q5l4g");
        assert_eq!(secret_uri("secret:cn0s4cu5gdbs7e2q5l4g"), "secret:cn0s4cu5gdbs7e2q5l4g");
        assert!(check_secret_uri("secret:cn0s4cu5gdbs7e2q5l4g").is_ok());
        assert!(check_secret_uri("cn0s4cu5gdbs7e2q5l4g").is_ok());
        for bad in ["secret:short", "other:cn0s4cu5gdbs7e2q5l4g", "secret:CN0S4CU5GDBS7E2Q5L4G", ""] {
            assert!(check_secret_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn owners_and_policies() {
        assert_eq!("app".parse::<SecretOwner>(), Ok(SecretOwner::Application));
        assert_eq!(SecretOwner::Application.as_str(), "application");
        assert_eq!(serde_json::to_string(&SecretOwner::Unit).unwrap(), "\"unit\"");
        assert_eq!(serde_json::from_str::<SecretOwner>("\"app\"").unwrap(), SecretOwner::Application);
        assert!(serde_json::from_str::<SecretOwner>("\"model\"").is_err());
        assert_eq!(RotatePolicy::ALL.len(), 7);
        assert_eq!(RotatePolicy::Never.interval(), None);
        assert_eq!(RotatePolicy::Daily.interval(), Some(Duration::from_secs(86_400)));
        let err = "fortnightly".parse::<RotatePolicy>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid rotate policy \"fortnightly\": expected never, hourly, daily, weekly, monthly, quarterly or yearly"
        );
    }
}
