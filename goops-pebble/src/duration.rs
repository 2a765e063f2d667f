//! Durations as Pebble writes and reads them: Go's `time.Duration` text (`"1m30s"`,
//! `"500ms"`, `"1.5h"`). Sent as seconds (`"90s"`, `"0.5s"`), which `time.ParseDuration` takes.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer};

/// Go's text for `d` in seconds: `"90s"`, `"0.5s"`, `"0.000000001s"`.
pub fn format(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        return format!("{}s", d.as_secs());
    }
    let text = format!("{}.{:09}", d.as_secs(), d.subsec_nanos());
    format!("{}s", text.trim_end_matches('0'))
}

/// Parse Go's duration text (`time.ParseDuration`: optional sign, then one or more
/// `<decimal><unit>` with units ns, us, µs, ms, s, m, h; `"0"` alone). Negative durations
/// are refused (Pebble has none).
pub fn parse(text: &str) -> Result<Duration, String> {
    let bad = || format!("invalid duration {text:?}");
    let s = text.strip_prefix('+').unwrap_or(text);
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() || s.starts_with('-') {
        return Err(bad());
    }
    let mut rest = s;
    let mut nanos: u128 = 0;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        let (number, tail) = rest.split_at(number_len);
        let unit_len = tail.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(bad()),
        };
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && frac.is_empty()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
        let mut part = whole.checked_mul(scale).ok_or_else(bad)?;
        let mut denominator = 1u128;
        for digit in frac.bytes().take(18) {
            denominator *= 10;
            part += u128::from(digit - b'0') * scale / denominator;
        }
        nanos = nanos.checked_add(part).ok_or_else(bad)?;
        rest = tail;
    }
    let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| bad())?;
    Ok(Duration::new(secs, (nanos % 1_000_000_000) as u32))
}

/// serde for `Option<Duration>` fields as Go duration text.
pub(crate) mod option {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&format(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => parse(&text).map(Some).map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_seconds() {
        assert_eq!(format(Duration::from_secs(90)), "90s");
        assert_eq!(format(Duration::from_millis(500)), "0.5s");
        assert_eq!(format(Duration::from_nanos(1)), "0.000000001s");
    }

    #[test]
    fn parses_go_durations() {
        // Go's Duration.String() output and time.ParseDuration inputs (time/format_test.go cases).
        for (text, want) in [
            ("1h0m0s", Duration::from_secs(3600)),
            ("168h0m0s", Duration::from_secs(168 * 3600)),
            ("1m30s", Duration::from_secs(90)),
            ("300ms", Duration::from_millis(300)),
            ("1.5h", Duration::from_secs(5400)),
            ("4.000s", Duration::from_secs(4)),
            ("0", Duration::ZERO),
            (".5s", Duration::from_millis(500)),
            ("1µs", Duration::from_micros(1)),
            ("2us3ns", Duration::from_nanos(2003)),
        ] {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_bad_text() {
        for text in ["", "1", "s", "1x", "-1s", ".s", "1.2.3s"] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn format_then_parse_round_trips() {
        for d in [Duration::ZERO, Duration::from_millis(1234), Duration::from_secs(86_400), Duration::new(3, 7)] {
            assert_eq!(parse(&format(d)), Ok(d));
        }
    }
}
