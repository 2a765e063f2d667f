//! Juju's action names and result keys (docs/hook-tools.md §4.1, rule 20).

/// The result keys Juju fills in itself after an action runs (rule 44), so a charm may not set them.
pub const RESERVED_RESULT_KEYS: &[&str] = &["stdout", "stdout-encoding", "stderr", "stderr-encoding"];

/// What a valid result key looks like, for error messages.
pub const RESULT_KEY_EXPECTED: &str = "each dot-separated part must be lowercase letters, digits and hyphens, \
                                       start and end with a letter or digit, and not be stdout, stderr or their -encoding";

/// Whether `key` is a valid `action-set` key: every `.`-separated segment matches
/// `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$` and is not one of [`RESERVED_RESULT_KEYS`].
pub fn is_valid_result_key(key: &str) -> bool {
    key.split('.').all(|seg| {
        let b = seg.as_bytes();
        let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        matches!((b.first(), b.last()), (Some(first), Some(last)) if alnum(first) && alnum(last))
            && b.iter().all(|c| alnum(c) || *c == b'-')
            && !RESERVED_RESULT_KEYS.contains(&seg)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_keys() {
        for ok in ["a", "ca-certificate", "nested.key", "a1.b-2.c"] {
            assert!(is_valid_result_key(ok), "{ok}");
        }
        for bad in ["", "A", "-a", "a-", "a..b", "stdout", "x.stderr-encoding", "a_b"] {
            assert!(!is_valid_result_key(bad), "{bad}");
        }
    }
}
