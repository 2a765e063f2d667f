//! Typed errors for everything the runtime does.
//!
//! Hook-tool failures are classified from the exit code and Juju's `ERROR <message>` stderr
//! line (docs/hook-tools.md §1.2), the way the ops library classifies them. The raw message is
//! kept so nothing Juju said is lost. No variant ever holds secret content, data sent on stdin
//! or action results: only what Juju printed on stderr, tool names and our own descriptions.

/// A `Result` whose error is the runtime's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to Juju.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The hook tool is not on `PATH`: the program is not running inside a Juju hook.
    #[error("hook tool `{tool}` not found on PATH: this program is not running inside a Juju hook")]
    ToolMissing {
        /// The tool that was looked for.
        tool: String,
    },
    /// Juju said the thing asked for does not exist (secret, relation, key, …).
    #[error("{tool}: {}", qualified("not found", "not found", message))]
    NotFound {
        /// The tool that failed.
        tool: String,
        /// Juju's message, e.g. `secret "cn0s4cu5gdbs7e2q5l4g" not found`.
        message: String,
    },
    /// The unit may not do this (e.g. reading another application's private data).
    #[error("{tool}: {}", qualified("permission denied", "permission denied", message))]
    PermissionDenied {
        /// The tool that failed.
        tool: String,
        /// Juju's message.
        message: String,
    },
    /// Only the leader may do this (application data, application-owned secrets, app status).
    #[error("{tool}: {}", qualified("not the leader", "this unit is not the leader", message))]
    NotLeader {
        /// The tool that failed.
        tool: String,
        /// Juju's message.
        message: String,
    },
    /// The tool rejected its arguments (exit code 2).
    #[error("{tool}: invalid usage: {message}")]
    InvalidUsage {
        /// The tool that failed.
        tool: String,
        /// Juju's message.
        message: String,
    },
    /// Any other failure of a hook tool.
    #[error("{tool} failed with exit code {code}: {message}")]
    ToolFailed {
        /// The tool that failed.
        tool: String,
        /// Its exit code.
        code: i32,
        /// What it printed on stderr (without the `ERROR ` prefix).
        message: String,
    },
    /// A tool succeeded but its output was not what Juju prints.
    #[error("{tool}: cannot parse output: expected {expected}: {detail}")]
    Parse {
        /// The tool whose output was bad.
        tool: String,
        /// What we expected, e.g. `a JSON object of strings`.
        expected: String,
        /// The parser's complaint (never the output itself: it may hold secrets).
        detail: String,
    },
    /// Running the tool failed at the OS level (other than not being on `PATH`).
    #[error("{tool}: I/O error: {source}")]
    Io {
        /// The tool being run, or what was being done.
        tool: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A value given to the API breaks one of Juju's rules; caught before calling any tool.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// What was invalid, e.g. `secret content key "Foo"`.
        what: String,
        /// Which rule it broke.
        reason: String,
    },
    /// The process environment does not describe a valid Juju hook.
    #[error("invalid Juju environment: {0}")]
    Env(#[from] crate::env::EnvError),
}

impl From<goops_juju::InvalidName> for Error {
    /// A value that breaks one of Juju's naming rules (content key, relation id, rotate
    /// policy, …) is invalid input: `invalid secret content key "Foo": expected …`.
    fn from(e: goops_juju::InvalidName) -> Self {
        Error::InvalidInput { what: format!("{} {:?}", e.what, e.value), reason: format!("expected {}", e.expected) }
    }
}

impl Error {
    /// Classify a failed tool run from its exit code and stderr, as ops does.
    pub fn from_failure(tool: &str, code: i32, stderr: &[u8]) -> Self {
        let message = juju_message(stderr);
        let lower = message.to_ascii_lowercase();
        let tool = tool.to_owned();
        // `-r` errors ("invalid value "7" for option -r: relation not found") exit 2 but mean
        // the relation is gone, which callers handle like any other not-found.
        // network-get says "no network config found for binding" for an unknown binding.
        if lower.contains("not found") || lower.contains("no network config found") {
            return Error::NotFound { tool, message };
        }
        if lower.contains("not the leader") || lower.contains("cannot write relation settings") {
            return Error::NotLeader { tool, message };
        }
        if lower.contains("permission denied") || lower.contains("access denied") {
            return Error::PermissionDenied { tool, message };
        }
        if code == 2 {
            return Error::InvalidUsage { tool, message };
        }
        Error::ToolFailed { tool, code, message }
    }

    /// A parse error for `tool`'s output.
    pub fn parse(tool: &str, expected: &str, detail: impl std::fmt::Display) -> Self {
        Error::Parse { tool: tool.to_owned(), expected: expected.to_owned(), detail: detail.to_string() }
    }

    /// A client-side validation error.
    pub fn invalid(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput { what: what.into(), reason: reason.into() }
    }

    /// Remove every occurrence of the `sensitive` values (secret content, data sent on stdin,
    /// action results) from the Juju message this error carries, in case the tool echoed them.
    pub fn redact(mut self, sensitive: &[&str]) -> Self {
        if let Error::NotFound { message, .. }
        | Error::PermissionDenied { message, .. }
        | Error::NotLeader { message, .. }
        | Error::InvalidUsage { message, .. }
        | Error::ToolFailed { message, .. } = &mut self
        {
            *message = redact_text(message, sensitive);
        }
        self
    }

    /// A parse error for JSON printed by `tool`. The detail never quotes the output: serde's
    /// messages can contain the offending value, which may be a secret.
    pub(crate) fn json(tool: &str, expected: &str, error: &serde_json::Error) -> Self {
        let text = error.to_string();
        let what = match error.classify() {
            // "missing field `x`" names only our own field name, so it is safe and useful.
            serde_json::error::Category::Data if text.starts_with("missing field") => {
                text.split(" at line").next().unwrap_or("missing field").to_owned()
            }
            serde_json::error::Category::Data => "a value of the wrong type or shape".to_owned(),
            serde_json::error::Category::Syntax => "invalid JSON".to_owned(),
            serde_json::error::Category::Eof => "unexpected end of output".to_owned(),
            serde_json::error::Category::Io => "an I/O error".to_owned(),
        };
        Self::parse(tool, expected, format!("{what} at line {} column {}", error.line(), error.column()))
    }

    /// Whether Juju reported the thing as not found.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// Whether the call needed leadership this unit does not have.
    pub fn is_not_leader(&self) -> bool {
        matches!(self, Error::NotLeader { .. })
    }

    /// Whether the call was refused for lack of permission.
    pub fn is_permission_denied(&self) -> bool {
        matches!(self, Error::PermissionDenied { .. })
    }
}

/// `text` with every sensitive value (and every line of a multi-line value) replaced.
fn redact_text(text: &str, sensitive: &[&str]) -> String {
    let mut needles: Vec<String> = Vec::new();
    for value in sensitive {
        if value.is_empty() {
            continue;
        }
        needles.push((*value).to_owned());
        // Juju may echo a value JSON-escaped, or one line of it in a YAML error.
        let escaped = serde_json::to_string(value).unwrap_or_default();
        needles.push(escaped.trim_matches('"').to_owned());
        if value.contains('\n') {
            needles.extend(value.lines().map(str::trim).filter(|l| l.len() >= 3).map(str::to_owned));
        }
    }
    // Longest first, so a value is not half-replaced by one of its own lines.
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut out = text.to_owned();
    for needle in needles.iter().filter(|n| !n.is_empty()) {
        out = replace_value(&out, needle);
    }
    out
}

/// Replace `needle` in `text` with `[REDACTED]`. A short needle (under 8 bytes) is replaced only
/// where it stands as a word of its own, so the value `v` does not mangle the word `value`; a
/// long one everywhere.
fn replace_value(text: &str, needle: &str) -> String {
    const SHORT: usize = 8;
    let word_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(needle) {
        let before = rest[..at].chars().next_back().or_else(|| out.chars().next_back());
        let after = rest[at + needle.len()..].chars().next();
        let standalone = !word_char(before) && !word_char(after);
        out.push_str(&rest[..at]);
        if needle.len() >= SHORT || standalone {
            out.push_str("[REDACTED]");
        } else {
            out.push_str(needle);
        }
        rest = &rest[at + needle.len()..];
    }
    out.push_str(rest);
    out
}

/// Juju's message, prefixed with what kind of failure it is unless it already says so
/// (`secret "x" not found` stays as it is; `cannot write relation settings` gets the prefix).
fn qualified(marker: &str, kind: &str, message: &str) -> String {
    if message.to_ascii_lowercase().contains(marker) { message.to_owned() } else { format!("{kind}: {message}") }
}

/// Juju's message from a tool's stderr: the `ERROR ` line(s), prefix and trailing newline removed.
fn juju_message(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim_end();
    // Warnings may precede the error line; the error is what matters.
    match text.rfind("ERROR ") {
        Some(at) => text[at + "ERROR ".len()..].to_owned(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(code: i32, stderr: &str) -> Error {
        Error::from_failure("secret-get", code, stderr.as_bytes())
    }

    #[test]
    fn display_names_the_kind_once() {
        assert_eq!(
            fail(1, "ERROR this unit is not the leader\n").to_string(),
            "secret-get: this unit is not the leader"
        );
        assert_eq!(
            Error::from_failure("relation-set", 1, b"ERROR cannot write relation settings\n").to_string(),
            "relation-set: this unit is not the leader: cannot write relation settings"
        );
        assert_eq!(fail(1, "ERROR secret \"x\" not found\n").to_string(), "secret-get: secret \"x\" not found");
        assert_eq!(fail(1, "ERROR permission denied\n").to_string(), "secret-get: permission denied");
    }

    #[test]
    fn classifies_juju_errors() {
        assert!(
            matches!(fail(1, "ERROR secret \"x\" not found\n"), Error::NotFound { message, .. } if message == "secret \"x\" not found")
        );
        assert!(fail(2, "ERROR invalid value \"7\" for option -r: relation not found\n").is_not_found());
        assert!(fail(1, "ERROR this unit is not the leader\n").is_not_leader());
        assert!(fail(1, "ERROR cannot write relation settings\n").is_not_leader());
        assert!(fail(1, "ERROR permission denied\n").is_permission_denied());
        assert!(matches!(fail(2, "ERROR option provided but not defined: --x\n"), Error::InvalidUsage { .. }));
        assert!(matches!(fail(1, "ERROR boom\n"), Error::ToolFailed { code: 1, message, .. } if message == "boom"));
    }

    #[test]
    fn keeps_last_error_line_after_warnings() {
        let err = fail(1, "--format flag deprecated for command \"juju-log\"ERROR boom\n");
        assert_eq!(err.to_string(), "secret-get failed with exit code 1: boom");
    }

    #[test]
    fn redacts_echoed_values() {
        let err = Error::from_failure("relation-set", 1, b"ERROR yaml: cannot unmarshal `hunter2` into map\n")
            .redact(&["hunter2", ""]);
        assert_eq!(
            err.to_string(),
            "relation-set failed with exit code 1: yaml: cannot unmarshal `[REDACTED]` into map"
        );
        let multi = "-----BEGIN KEY-----\nabcdef\n-----END KEY-----";
        let err = Error::from_failure("secret-set", 1, b"ERROR bad line abcdef here").redact(&[multi]);
        assert!(!err.to_string().contains("abcdef"));
    }

    #[test]
    fn short_values_are_redacted_only_as_whole_words() {
        let err = Error::from_failure("action-set", 2, b"ERROR argument \"k=v\" must be of the form key...=value\n")
            .redact(&["v"]);
        assert_eq!(
            err.to_string(),
            "action-set: invalid usage: argument \"k=[REDACTED]\" must be of the form key...=value"
        );
        let err = Error::from_failure("state-set", 1, b"ERROR bad value abc: abcdef").redact(&["abc"]);
        assert_eq!(err.to_string(), "state-set failed with exit code 1: bad value [REDACTED]: abcdef");
        let err = Error::from_failure("state-set", 1, b"ERROR xxlongsecretvaluexx").redact(&["longsecretvalue"]);
        assert_eq!(err.to_string(), "state-set failed with exit code 1: xx[REDACTED]xx");
    }

    #[test]
    fn juju_name_errors_are_invalid_input() {
        let err = Error::from("fortnightly".parse::<goops_juju::RotatePolicy>().expect_err("not a policy"));
        assert!(matches!(&err, Error::InvalidInput { what, .. } if what == "rotate policy \"fortnightly\""));
        assert_eq!(
            err.to_string(),
            "invalid rotate policy \"fortnightly\": expected never, hourly, daily, weekly, monthly, quarterly or yearly"
        );
    }

    #[test]
    fn json_errors_never_quote_the_output() {
        let e = serde_json::from_str::<u32>("\"hunter2\"").expect_err("a string is not a number");
        let err = Error::json("secret-get", "a number", &e);
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(err.to_string().starts_with("secret-get: cannot parse output: expected a number"));
    }
}
