//! Go's `time.ParseDuration` and `Duration.String`: Pebble's durations (timeouts, periods,
//! repeat-after) and `secret-add --expire`. One reading for all of goops-sim.

/// Go's `time.ParseDuration`: a sequence of decimal numbers with units `ns us µs ms s m h`,
/// optionally signed; `"0"` alone is allowed. Returns nanoseconds.
pub(crate) fn parse_go_duration(s: &str) -> Result<i128, String> {
    let err = || format!("time: invalid duration {}", go_quote(s));
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(err());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." {
            return Err(err());
        }
        let value: f64 = num.parse().map_err(|_| err())?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {}", go_quote(s))),
            _ => return Err(format!("time: unknown unit {} in duration {}", go_quote(unit), go_quote(s))),
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    let n = total.round() as i128;
    Ok(if neg { -n } else { n })
}

/// Go's `Duration.String` (`1h0m0s`, `1.5s`, `300ms`, `0s`).
pub(crate) fn go_duration_string(nanos: i128) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let neg = nanos < 0;
    let n = nanos.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    if n < 1_000_000_000 {
        let (unit, div) = if n < 1_000 {
            ("ns", 1u128)
        } else if n < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{sign}{}{unit}", frac(n, div));
    }
    let h = n / 3_600_000_000_000;
    let m = (n / 60_000_000_000) % 60;
    let s = n % 60_000_000_000;
    let secs = frac(s, 1_000_000_000);
    if h > 0 {
        format!("{sign}{h}h{m}m{secs}s")
    } else if m > 0 {
        format!("{sign}{m}m{secs}s")
    } else {
        format!("{sign}{secs}s")
    }
}

/// `n / div` with the fraction's trailing zeros dropped.
fn frac(n: u128, div: u128) -> String {
    let whole = n / div;
    let rem = n % div;
    if rem == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let digits = format!("{rem:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Go's `%q` for the ASCII texts durations hold.
fn go_quote(s: &str) -> String {
    super::go_quote::quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print_as_go_does() {
        assert_eq!(parse_go_duration("4.000s"), Ok(4_000_000_000));
        assert_eq!(parse_go_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("300ms"), Ok(300_000_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("24h"), Ok(24 * 3600 * 1_000_000_000));
        assert_eq!(parse_go_duration("-1h"), Ok(-3600 * 1_000_000_000));
        assert_eq!(parse_go_duration("5").unwrap_err(), "time: missing unit in duration \"5\"");
        assert_eq!(parse_go_duration("x").unwrap_err(), "time: invalid duration \"x\"");
        assert_eq!(parse_go_duration("3d").unwrap_err(), "time: unknown unit \"d\" in duration \"3d\"");
        assert_eq!(go_duration_string(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration_string(168 * 3_600_000_000_000), "168h0m0s");
        assert_eq!(go_duration_string(1_500_000_000), "1.5s");
        assert_eq!(go_duration_string(300_000_000), "300ms");
        assert_eq!(go_duration_string(0), "0s");
    }
}
