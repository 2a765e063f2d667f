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
    /// A relation databag did not hold what a [`Databag`](crate::Databag) type expects, or a
    /// field could not be encoded (then nothing was written).
    #[error("relation {relation}, databag of {entity}: {source}")]
    Databag {
        /// The relation, `endpoint:id`.
        relation: String,
        /// Whose bag: a unit (`app/0`) or an application (`app`).
        entity: String,
        /// Which key, and what was wrong with it.
        #[source]
        source: crate::databag::DatabagError,
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

/// `text` with every sensitive value (and every line of a multi-line value) replaced, then every
/// fragment of one (see [`redact_fragments`]).
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
    redact_fragments(&out, sensitive)
}

/// The shortest echo of part of a value that is redacted. An echo may be cut (a tool quoting
/// the start of a long value, or an `ERROR ` inside a value splitting it) or encoded (Juju keeps
/// secret content as base64). Any run of at least this many bytes of the text that also occurs
/// in a value, in its JSON-escaped form or in its base64 (standard or URL-safe, at any of the
/// three byte alignments) is replaced. Eight bytes: shorter runs occur by chance in Juju's own
/// English messages (so redacting them would mangle errors) and reveal too little of a secret
/// to matter; whole short values are still redacted by [`replace_value`].
const FRAGMENT: usize = 8;

/// `text` with every run of [`FRAGMENT`] or more bytes that also occurs in a form of a sensitive
/// value replaced by `[REDACTED]`. Time and memory grow with the text and the values, not their
/// product: the text's windows are indexed once, each value form is scanned once.
fn redact_fragments(text: &str, sensitive: &[&str]) -> String {
    let bytes = text.as_bytes();
    if bytes.len() < FRAGMENT || sensitive.iter().all(|v| v.is_empty()) {
        return text.to_owned();
    }
    let mut windows: std::collections::HashMap<&[u8], Vec<usize>> = std::collections::HashMap::new();
    for (at, window) in bytes.windows(FRAGMENT).enumerate() {
        windows.entry(window).or_default().push(at);
    }
    let mut covered = vec![false; bytes.len()];
    for value in sensitive.iter().filter(|v| !v.is_empty()) {
        for form in value_forms(value) {
            // Once every window of the text is marked, nothing is left to find.
            if windows.is_empty() {
                break;
            }
            for window in form.windows(FRAGMENT) {
                // A text window is marked once: later matches of it change nothing.
                if let Some(starts) = windows.remove(window) {
                    for at in starts {
                        covered[at..at + FRAGMENT].fill(true);
                    }
                }
            }
        }
    }
    if !covered.contains(&true) {
        return text.to_owned();
    }
    // A window may start or end inside a multi-byte character: redact whole characters, so
    // every run starts and ends on a char boundary.
    for (start, c) in text.char_indices() {
        let span = start..start + c.len_utf8();
        if covered[span.clone()].contains(&true) {
            covered[span].fill(true);
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < bytes.len() {
        let redacted = covered[at];
        let end = covered[at..].iter().position(|c| *c != redacted).map_or(bytes.len(), |n| at + n);
        if redacted {
            out.push_str("[REDACTED]");
        } else {
            out.push_str(text.get(at..end).unwrap_or_default());
        }
        at = end;
    }
    out
}

/// The forms in which a tool may echo `value`: as given, JSON-escaped, and base64 (standard and
/// URL-safe) at each alignment, without the edge characters that depend on neighbouring bytes.
fn value_forms(value: &str) -> Vec<Vec<u8>> {
    let mut forms = vec![value.as_bytes().to_vec()];
    let escaped = serde_json::to_string(value).unwrap_or_default();
    if escaped.len() > value.len() + 2 {
        forms.push(escaped.into_bytes());
    }
    for offset in 0..3 {
        let mut data = vec![0u8; offset];
        data.extend_from_slice(value.as_bytes());
        for alphabet in [BASE64_STANDARD, BASE64_URL_SAFE] {
            let encoded = base64_encode(&data, alphabet);
            // Characters holding bits of the padding bytes before, or of whatever follows the
            // value, differ in a real echo; the middle does not.
            let skip = [0, 2, 3][offset];
            let keep_end = encoded.trim_end_matches('=').len().saturating_sub(if offset == 0 { 0 } else { 1 });
            if keep_end > skip {
                forms.push(encoded.as_bytes()[skip..keep_end].to_vec());
            }
        }
    }
    forms
}

const BASE64_STANDARD: &base64::engine::GeneralPurpose = &base64::engine::general_purpose::STANDARD;
const BASE64_URL_SAFE: &base64::engine::GeneralPurpose = &base64::engine::general_purpose::URL_SAFE;

/// Padded base64 (RFC 4648) with `engine`'s alphabet, for redaction.
fn base64_encode(data: &[u8], engine: &base64::engine::GeneralPurpose) -> String {
    base64::Engine::encode(engine, data)
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
    fn base64_matches_rfc_4648() {
        for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64_encode(plain.as_bytes(), BASE64_STANDARD), encoded);
        }
        assert_eq!(base64_encode(&[0xfb, 0xff], BASE64_URL_SAFE), "-_8=");
    }

    #[test]
    fn truncated_and_encoded_echoes_are_redacted() {
        let secret = "correct-horse-battery-staple";
        // A cut echo: the start of the value, then the tool's ellipsis.
        let err =
            Error::from_failure("secret-set", 1, b"ERROR value \"correct-horse-bat...\" too long").redact(&[secret]);
        assert_eq!(err.to_string(), "secret-set failed with exit code 1: value \"[REDACTED]...\" too long");
        // An `ERROR ` inside the echoed value leaves only its tail as the message.
        let tricky = "left-ERROR right-half-of-it";
        let err = Error::from_failure("secret-set", 1, format!("echo {tricky}\n").as_bytes()).redact(&[tricky]);
        assert!(!err.to_string().contains("right-half"), "{err}");
        // Base64 as Juju stores content, whole, cut, at another alignment, URL-safe.
        for encoded in [
            base64_encode(secret.as_bytes(), BASE64_STANDARD),
            base64_encode(secret.as_bytes(), BASE64_STANDARD)[..16].to_owned(),
            base64_encode(format!("k: {secret}").as_bytes(), BASE64_STANDARD),
            base64_encode(format!("x{secret}").as_bytes(), BASE64_URL_SAFE),
        ] {
            let err = Error::from_failure("secret-add", 1, format!("ERROR bad content {encoded} here").as_bytes())
                .redact(&[secret]);
            let shown = err.to_string();
            assert!(shown.contains("[REDACTED]") && shown.ends_with(" here"), "{encoded}: {shown}");
            let kept: Vec<&str> = shown.split("[REDACTED]").collect();
            assert!(kept.iter().all(|part| part.len() < 4 || !encoded.contains(part.trim())), "{encoded}: {shown}");
        }
        // Juju's own words are kept, and fragments shorter than FRAGMENT are not touched.
        let err = Error::from_failure("secret-set", 1, b"ERROR secret correct label").redact(&[secret]);
        assert_eq!(err.to_string(), "secret-set failed with exit code 1: secret correct label");
        // Multi-byte characters: the redaction ends on a char boundary.
        let err = Error::from_failure("secret-set", 1, "ERROR got «mot-de-passe-été»".as_bytes())
            .redact(&["mot-de-passe-été!"]);
        assert_eq!(err.to_string(), "secret-set failed with exit code 1: got «[REDACTED]»");
        // A value that starts inside a character of the text (its windows start at every byte).
        let err =
            Error::from_failure("secret-set", 1, "ERROR é-secret-value-é".as_bytes()).redact(&["\u{a9}-secret-value-"]);
        assert!(!err.to_string().contains("secret-value"), "{err}");
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
