//! Times as Pebble prints and parses them (RFC 3339 with nanoseconds); Go's durations are
//! goops-sim's one reading in `format::go_duration`.

use chrono::{DateTime, SecondsFormat, Utc};

/// Now, RFC 3339 with nanoseconds (Go's `time.RFC3339Nano` drops trailing zeros; ops and
/// Go parse either).
pub(crate) fn now() -> String {
    rfc3339(Utc::now())
}

/// `t` as RFC 3339.
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Parses an RFC 3339 time.
pub(crate) fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// A boot id shaped like a UUID, different per server.
pub(crate) fn boot_id(name: &str) -> String {
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default() as u128;
    let mut h: u128 = 0xcbf29ce484222325;
    for b in name.bytes() {
        h = (h ^ u128::from(b)).wrapping_mul(0x100000001b3);
    }
    let v = h ^ nanos ^ (u128::from(std::process::id()) << 64);
    let s = format!("{v:032x}");
    format!("{}-{}-4{}-8{}-{}", &s[0..8], &s[8..12], &s[13..16], &s[17..20], &s[20..32])
}

pub(crate) use crate::format::go_duration::{go_duration_string, parse_go_duration};
