//! The benchmark runner's pure parts: parsing `hookrun`'s measurement lines and tool traces,
//! summary statistics, and the Markdown rendering. The runner itself is `src/main.rs`.

use std::fmt::Write as _;

/// One measured hook run, as `hookrun` writes it (one JSON object a line).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Measurement {
    /// `time`, `rss` or `trace`.
    pub mode: String,
    /// Wall time of the dispatch process, from just before `fork` to its reaping (ns).
    pub wall_ns: u64,
    /// `ru_maxrss` from `wait4`: peak RSS of dispatch or any hook tool it waited for (KiB).
    pub maxrss_kib: i64,
    /// User CPU time of dispatch and its waited-for descendants (µs).
    pub utime_us: i64,
    /// System CPU time of dispatch and its waited-for descendants (µs).
    pub stime_us: i64,
    /// Peak RSS of the dispatch process alone (KiB), in `rss` mode.
    pub hwm_kib: Option<i64>,
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
}

/// Parse `hookrun`'s result file: one [`Measurement`] per non-empty line.
///
/// # Errors
/// The 1-based line number and the JSON error of the first bad line.
pub fn parse_measurements(text: &str) -> Result<Vec<Measurement>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

/// Parse a tool trace (one JSON array of strings a line: the tool, then its arguments) into
/// normalised call lines: a `#file=` path, the value of `--expire` and secret IDs
/// (`secret:` and 20 characters; all differ run to run) become `…`.
///
/// # Errors
/// The 1-based line number and the JSON error of the first bad line.
pub fn parse_trace(text: &str) -> Result<Vec<String>, String> {
    let mut calls = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let argv: Vec<String> = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let mut out = Vec::with_capacity(argv.len());
        let mut after_expire = false;
        for arg in argv {
            let arg = match arg.split_once("#file=") {
                Some((key, _)) => format!("{key}#file=…"),
                None if after_expire => "…".to_owned(),
                None => arg,
            };
            after_expire = arg == "--expire";
            let arg = mask_secret_ids(&arg);
            out.push(if arg.is_empty() || arg.contains(' ') { format!("{arg:?}") } else { arg });
        }
        calls.push(out.join(" "));
    }
    Ok(calls)
}

/// `secret:<20 lowercase letters or digits>` becomes `secret:…`.
fn mask_secret_ids(arg: &str) -> String {
    let mut out = String::with_capacity(arg.len());
    let mut rest = arg;
    while let Some(at) = rest.find("secret:") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let id = &from["secret:".len()..];
        let len = id.bytes().take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit()).count();
        if len == 20 {
            out.push_str("secret:…");
            rest = &id[20..];
        } else {
            out.push_str("secret:");
            rest = id;
        }
    }
    out.push_str(rest);
    out
}

/// The tool names of normalised calls (the first word of each).
pub fn tool_names(calls: &[String]) -> Vec<&str> {
    calls.iter().map(|c| c.split(' ').next().unwrap_or_default()).collect()
}

/// Median, 10th and 90th percentiles, minimum and count of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// The median (mean of the two middle values for an even count).
    pub median: f64,
    /// The 10th percentile, nearest-rank (the smallest value with ≥ 10% of the sample at or
    /// below it).
    pub p10: f64,
    /// The 90th percentile, nearest-rank (the smallest value with ≥ 90% of the sample at or
    /// below it).
    pub p90: f64,
    /// The smallest value.
    pub min: f64,
    /// The sample size.
    pub n: usize,
}

impl Summary {
    /// Summarise `values`; `None` when empty or when a value is NaN.
    pub fn of(values: &[f64]) -> Option<Summary> {
        if values.is_empty() || values.iter().any(|v| v.is_nan()) {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        // Nearest rank: ceil(0.1 n) and ceil(0.9 n), 1-based.
        let rank = |tenths: usize| (n * tenths).div_ceil(10).max(1);
        Some(Summary { median, p10: sorted[rank(1) - 1], p90: sorted[rank(9) - 1], min: sorted[0], n })
    }
}

/// A duration in nanoseconds, in the unit that suits it (`812 µs`, `3.41 ms`, `171 ms`).
pub fn format_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 10_000.0 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1_000_000.0 {
        format!("{:.0} µs", ns / 1e3)
    } else if ns < 10_000_000.0 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.0} ms", ns / 1e6)
    }
}

/// A size in bytes, in KiB or MiB.
pub fn format_bytes(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // Sizes far below 2^52.
    let b = bytes as f64;
    if b < 1024.0 * 1024.0 { format!("{:.0} KiB", b / 1024.0) } else { format!("{:.2} MiB", b / (1024.0 * 1024.0)) }
}

/// `value / baseline` as `1.23×` (two significant decimals below 10, none above 100).
pub fn format_ratio(value: f64, baseline: f64) -> String {
    if baseline <= 0.0 {
        return "–".to_owned();
    }
    let r = value / baseline;
    if r >= 100.0 {
        format!("{r:.0}×")
    } else if r >= 10.0 {
        format!("{r:.1}×")
    } else {
        format!("{r:.2}×")
    }
}

/// A Markdown table from a header and rows (cells are written as given).
pub fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_odd_and_even_samples() {
        let s = Summary::of(&[5.0, 1.0, 3.0]).expect("non-empty");
        assert_eq!((s.median, s.p90, s.min, s.n), (3.0, 5.0, 1.0, 3));
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0]).expect("non-empty");
        assert_eq!(s.median, 2.5);
        // Ten values 1..=10: the 90th percentile by nearest rank is the 9th value.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(Summary::of(&ten).expect("non-empty").p90, 9.0);
        // ... and the 10th the 1st.
        assert_eq!(Summary::of(&ten).expect("non-empty").p10, 1.0);
        // Eleven values: ceil(9.9) = 10th, ceil(1.1) = 2nd.
        let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(Summary::of(&eleven).expect("non-empty").p90, 10.0);
        assert_eq!(Summary::of(&eleven).expect("non-empty").p10, 2.0);
        let seven = Summary::of(&[7.0]).expect("non-empty");
        assert_eq!((seven.p10, seven.p90), (7.0, 7.0));
        assert!(Summary::of(&[]).is_none());
        assert!(Summary::of(&[1.0, f64::NAN]).is_none());
    }

    #[test]
    fn measurements_parse_and_report_bad_lines() {
        let text = "{\"mode\":\"time\",\"wall_ns\":812000,\"maxrss_kib\":2048,\"utime_us\":10,\"stime_us\":20,\"hwm_kib\":null,\"code\":0}\n\n\
                    {\"mode\":\"rss\",\"wall_ns\":1,\"maxrss_kib\":9,\"utime_us\":0,\"stime_us\":0,\"hwm_kib\":1500,\"code\":null}\n";
        let m = parse_measurements(text).expect("valid");
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].wall_ns, m[0].maxrss_kib, m[0].hwm_kib, m[0].code), (812_000, 2048, None, Some(0)));
        assert_eq!((m[1].mode.as_str(), m[1].hwm_kib, m[1].code), ("rss", Some(1500), None));
        let err = parse_measurements("{}\nnot json").expect_err("invalid");
        assert!(err.starts_with("line 1:"), "{err}");
    }

    #[test]
    fn traces_are_normalised() {
        let text = r#"["secret-get","--format=json","--label","active-ca-certificates","--refresh"]
["juju-log","--log-level","INFO","--","could not get secret"]
["secret-add","--expire","2027-11-28T06:00:00Z","ca-certificate#file=/tmp/x/1","--label","l"]
["juju-log","--","Created new secret with ID: secret:o0ujsmgv42dgse4evi69","secret:short"]
"#;
        let calls = parse_trace(text).expect("valid");
        assert_eq!(
            calls,
            [
                "secret-get --format=json --label active-ca-certificates --refresh",
                "juju-log --log-level INFO -- \"could not get secret\"",
                "secret-add --expire … ca-certificate#file=… --label l",
                "juju-log -- \"Created new secret with ID: secret:…\" secret:short",
            ]
        );
        assert_eq!(tool_names(&calls), ["secret-get", "juju-log", "secret-add", "juju-log"]);
        assert!(parse_trace("[1]").is_err());
    }

    #[test]
    fn formatting() {
        assert_eq!(format_ns(812.0), "812 ns");
        assert_eq!(format_ns(8_120.0), "8.12 µs");
        assert_eq!(format_ns(812_000.0), "812 µs");
        assert_eq!(format_ns(3_410_000.0), "3.41 ms");
        assert_eq!(format_ns(171_000_000.0), "171 ms");
        assert_eq!(format_bytes(512 * 1024), "512 KiB");
        assert_eq!(format_bytes(3 * 1024 * 1024 / 2), "1.50 MiB");
        assert_eq!(format_ratio(3.0, 2.0), "1.50×");
        assert_eq!(format_ratio(25.0, 2.0), "12.5×");
        assert_eq!(format_ratio(300.0, 2.0), "150×");
        assert_eq!(format_ratio(1.0, 0.0), "–");
        let table = markdown_table(&["a", "b"], &[vec!["1".into(), "2".into()]]);
        assert_eq!(table, "| a | b |\n| --- | --- |\n| 1 | 2 |\n");
    }
}
