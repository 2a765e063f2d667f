//! yaml.v2's emitter (`gopkg.in/yaml.v2`, as Juju uses it): styles, quoting, folding and key
//! order.

use std::fmt::Write as _;

use super::Val;

/// Format `value` as yaml.v2 would.
pub(super) fn render(value: &Val) -> String {
    if *value == Val::Nil {
        return String::new();
    }
    let mut out = String::new();
    write_yaml_top(&mut out, value);
    // Juju collapses trailing newlines to exactly one.
    while out.ends_with("\n\n") {
        out.pop();
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// yaml.v2's float formatting (`strconv.FormatFloat(f, 'g', -1, 64)`).
fn go_yaml_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".to_owned() } else { "-.inf".to_owned() };
    }
    let abs = f.abs();
    // %g uses exponent form when exp < -4 || exp >= precision (shortest digits count).
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits = mantissa.trim_start_matches('-').replace('.', "").len() as i32;
    if abs != 0.0 && (exp < -4 || exp >= digits.max(21)) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        let s = format!("{f}");
        s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
    }
}

// ---------------------------------------------------------------------------------------------
// YAML (gopkg.in/yaml.v2)

fn write_yaml_top(out: &mut String, value: &Val) {
    match value {
        Val::Map(entries, _) if entries.is_empty() => out.push_str("{}\n"),
        Val::NilMap => out.push_str("{}\n"),
        Val::List(items) if items.is_empty() => out.push_str("[]\n"),
        Val::Map(..) => write_yaml_map(out, value, 0),
        Val::List(items) => write_yaml_list(out, items, 0),
        scalar => {
            write_yaml_scalar(out, scalar, 0);
            out.push('\n');
        }
    }
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn is_empty_collection(v: &Val) -> bool {
    matches!(v, Val::NilMap) || matches!(v, Val::Map(e, _) if e.is_empty()) || matches!(v, Val::List(l) if l.is_empty())
}

/// Writes a non-empty map block at `level`; every line is indented by `level`.
fn write_yaml_map(out: &mut String, value: &Val, level: usize) {
    let Val::Map(entries, kind) = value else { return };
    for (i, (key, v)) in Val::entries_for_yaml(entries, *kind).into_iter().enumerate() {
        // The first key of a map nested in a list item follows the "- " on the same line.
        if i > 0 || !out.ends_with("- ") {
            indent(out, level);
        }
        write_yaml_string(out, key, level, true);
        out.push(':');
        write_yaml_value_after_key(out, v, level);
    }
}

fn write_yaml_value_after_key(out: &mut String, v: &Val, level: usize) {
    match v {
        Val::Map(..) if !is_empty_collection(v) => {
            out.push('\n');
            write_yaml_map(out, v, level + 2);
        }
        // yaml.v2 does not indent a sequence under a mapping key.
        Val::List(items) if !items.is_empty() => {
            out.push('\n');
            write_yaml_list(out, items, level);
        }
        Val::Nil => out.push_str(" null\n"),
        other => {
            out.push(' ');
            write_yaml_scalar(out, other, level + 2);
            out.push('\n');
        }
    }
}

fn write_yaml_list(out: &mut String, items: &[Val], level: usize) {
    for item in items {
        if !out.ends_with("- ") {
            indent(out, level);
        }
        out.push_str("- ");
        match item {
            Val::Map(..) if !is_empty_collection(item) => write_yaml_map(out, item, level + 2),
            Val::List(inner) if !inner.is_empty() => write_yaml_list(out, inner, level + 2),
            Val::Nil => out.push_str("null\n"),
            other => {
                write_yaml_scalar(out, other, level + 2);
                out.push('\n');
            }
        }
    }
}

fn write_yaml_scalar(out: &mut String, v: &Val, level: usize) {
    match v {
        Val::Nil => out.push_str("null"),
        Val::NilMap => out.push_str("{}"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Val::Float(f) => out.push_str(&go_yaml_float(*f)),
        Val::Str(s) => write_yaml_string(out, s, level, false),
        Val::Bytes(b) => write_yaml_binary(out, b, level),
        Val::Map(..) => out.push_str("{}"),
        Val::List(..) => out.push_str("[]"),
    }
}

/// Writes a string scalar the way yaml.v2 chooses its style: plain when it would read back as
/// the same string, literal block for multi-line text, otherwise single or double quoted.
/// `level` is the indentation of continuation lines; keys are never folded.
fn write_yaml_string(out: &mut String, s: &str, level: usize, is_key: bool) {
    let analysis = analyze(s);
    let breaks = !is_key;
    if s.contains('\n') {
        if analysis.block_allowed {
            write_literal(out, s, level);
        } else {
            write_double_quoted(out, s, level, breaks);
        }
    } else if resolves_to_string(s) && analysis.plain_allowed {
        write_plain(out, s, level, breaks);
    } else if resolves_to_string(s) && analysis.single_allowed {
        write_single_quoted(out, s, level, breaks);
    } else {
        // yaml.v2 asks for double quotes when a plain scalar would resolve to another type.
        write_double_quoted(out, s, level, breaks);
    }
}

/// yaml.v2 (v2.4, as Juju uses it) folds long scalars at spaces past this column.
const BEST_WIDTH: usize = 80;

fn column(out: &str) -> usize {
    out.rsplit('\n').next().map(|line| line.chars().count()).unwrap_or(0)
}

fn break_line(out: &mut String, level: usize) -> usize {
    out.push('\n');
    indent(out, level);
    level
}

fn write_plain(out: &mut String, s: &str, level: usize, breaks: bool) {
    let chars: Vec<char> = s.chars().collect();
    let mut col = column(out);
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let next_space = chars.get(i + 1) == Some(&' ');
            if breaks && !spaces && col > BEST_WIDTH && !next_space {
                col = break_line(out, level);
            } else {
                out.push(' ');
                col += 1;
            }
            spaces = true;
        } else {
            out.push(c);
            col += 1;
            spaces = false;
        }
    }
}

fn write_single_quoted(out: &mut String, s: &str, level: usize, breaks: bool) {
    let chars: Vec<char> = s.chars().collect();
    out.push('\'');
    let mut col = column(out);
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let next_space = chars.get(i + 1) == Some(&' ');
            if breaks && !spaces && col > BEST_WIDTH && i > 0 && i + 1 < chars.len() && !next_space {
                col = break_line(out, level);
            } else {
                out.push(' ');
                col += 1;
            }
            spaces = true;
        } else {
            if c == '\'' {
                out.push('\'');
                col += 1;
            }
            out.push(c);
            col += 1;
            spaces = false;
        }
    }
    out.push('\'');
}

/// yaml.v2's `encodeBase64` and style choice for a string that is not UTF-8: `!!binary` and the
/// base64 text, plain when short, else a literal block of 70-character lines.
fn write_yaml_binary(out: &mut String, bytes: &[u8], level: usize) {
    const LINE: usize = 70;
    let encoded = crate::b64::encode(bytes);
    out.push_str("!!binary ");
    if encoded.len() < LINE {
        out.push_str(&encoded);
        return;
    }
    let mut lines = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for chunk in encoded.as_bytes().chunks(LINE) {
        lines.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        lines.push('\n');
    }
    write_literal(out, &lines, level);
}

fn write_literal(out: &mut String, s: &str, level: usize) {
    out.push('|');
    if s.starts_with(' ') {
        out.push('2');
    }
    let trailing = s.len() - s.trim_end_matches('\n').len();
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    let body = s.trim_end_matches('\n');
    let indent_by = level.max(2);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            indent(out, indent_by);
            out.push_str(line);
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
}

fn write_double_quoted(out: &mut String, s: &str, level: usize, breaks: bool) {
    let chars: Vec<char> = s.chars().collect();
    out.push('"');
    let mut col = column(out);
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            if breaks && !spaces && col > BEST_WIDTH && i != 0 && i + 1 != chars.len() {
                col = break_line(out, level);
                if chars.get(i + 1) == Some(&' ') {
                    out.push('\\');
                    col += 1;
                }
            } else {
                out.push(' ');
                col += 1;
            }
            spaces = true;
            continue;
        }
        spaces = false;
        let before = out.len();
        match c {
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if !is_printable(c) => {
                let n = c as u32;
                if n <= 0xff {
                    let _ = write!(out, "\\x{n:02X}");
                } else if n <= 0xffff {
                    let _ = write!(out, "\\u{n:04X}");
                } else {
                    let _ = write!(out, "\\U{n:08X}");
                }
            }
            c => out.push(c),
        }
        col += out[before..].chars().count();
    }
    out.push('"');
}

fn is_printable(c: char) -> bool {
    let n = c as u32;
    n == 0x9
        || n == 0xA
        || n == 0xD
        || (0x20..=0x7E).contains(&n)
        || n == 0x85
        || (0xA0..=0xD7FF).contains(&n)
        || ((0xE000..=0xFFFD).contains(&n) && n != 0xFEFF)
        || (0x10000..=0x10FFFF).contains(&n)
}

struct Analysis {
    plain_allowed: bool,
    single_allowed: bool,
    block_allowed: bool,
}

/// A port of yaml.v2's `yaml_emitter_analyze_scalar` for block context.
fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis { plain_allowed: false, single_allowed: true, block_allowed: false };
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut special = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;
    if s.starts_with("---") || s.starts_with("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let followed_by_whitespace = next.is_none_or(|n| n == ' ' || n == '\t' || n == '\n' || n == '\r');
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                '?' | ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if !is_printable(c) || (c as u32 > 0x7F && c == '\u{FEFF}') {
            special = true;
        }
        let is_break = c == '\n' || c == '\r' || c == '\u{85}' || c == '\u{2028}' || c == '\u{2029}';
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == chars.len() {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break {
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == chars.len() {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = c == ' ' || c == '\t' || is_break;
    }
    let _ = flow_indicators;
    let mut plain = true;
    let mut single = true;
    let mut block = true;
    if leading_space || leading_break || trailing_space || trailing_break {
        plain = false;
    }
    if trailing_space {
        block = false;
    }
    if break_space {
        plain = false;
        single = false;
    }
    if space_break || special {
        plain = false;
        single = false;
        block = false;
    }
    if block_indicators {
        plain = false;
    }
    Analysis { plain_allowed: plain, single_allowed: single, block_allowed: block }
}

/// Whether yaml.v2 would read `s`, written plain, back as a string (not bool/int/float/null/timestamp).
fn resolves_to_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
        "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "+.inf",
        "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<",
    ];
    if SPECIAL.contains(&s) {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_ascii_digit() || first == '+' || first == '-' || first == '.') {
        return true;
    }
    let plain = s.replace('_', "");
    if is_yaml_int(&plain) || is_yaml_float(&plain) || is_base60_float(s) || is_timestamp(s) {
        return false;
    }
    true
}

fn is_yaml_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    if let Some(bin) = body.strip_prefix("0b") {
        return !bin.is_empty() && bin.chars().all(|c| c == '0' || c == '1');
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(oct) = body.strip_prefix("0o") {
        return !oct.is_empty() && oct.chars().all(|c| ('0'..='7').contains(&c));
    }
    if body.len() > 1 && body.starts_with('0') {
        // Go's ParseInt with base 0 reads a leading 0 as octal.
        return body.chars().all(|c| ('0'..='7').contains(&c));
    }
    body.chars().all(|c| c.is_ascii_digit())
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (number, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let number_ok = if let Some(frac) = number.strip_prefix('.') {
        !frac.is_empty() && frac.chars().all(|c| c.is_ascii_digit())
    } else {
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        !int.is_empty() && int.chars().all(|c| c.is_ascii_digit()) && frac.chars().all(|c| c.is_ascii_digit())
    };
    let exp_ok = exp.is_none_or(|e| {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
    });
    number_ok && exp_ok
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (main, frac) = body.split_once('.').unwrap_or((body, ""));
    if !frac.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return false;
    }
    let mut parts = main.split(':');
    let Some(head) = parts.next() else { return false };
    if head.is_empty() || !head.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    if !head.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && rest.iter().all(|p| {
            (1..=2).contains(&p.len())
                && p.chars().all(|c| c.is_ascii_digit())
                && (p.len() == 1 || p.as_bytes()[0] <= b'5')
        })
}

/// yaml.v2 resolves `2006-01-02`-style dates and timestamps, trying `time.Parse` with its
/// `allowedTimestampFormats` only: `2006-1-2T15:4:5.999999999Z07:00` (also with `t`; the zone is
/// required), `2006-1-2 15:4:5.999999999` (no zone allowed) and `2006-1-2`. So Juju's
/// `FormatTime` form `2006-01-02 15:04:05Z` is a plain string.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 10 || !(b[4] == b'-' && b[7] == b'-') {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    match b[10] {
        b'T' | b't' => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        b' ' => chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").is_ok(),
        _ => false,
    }
}

/// yaml.v2's map key order: runs of digits compare numerically, letters sort after non-letters.
pub(super) fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl { Ordering::Less } else { Ordering::Greater };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.saturating_mul(10).saturating_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.saturating_mul(10).saturating_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

#[cfg(test)]
mod tests {
    use super::super::{Format, Val, render};

    fn yaml(v: &Val) -> String {
        String::from_utf8(render(v, Format::Yaml)).unwrap()
    }

    #[test]
    fn yaml_quotes_like_yaml_v2() {
        assert_eq!(yaml(&Val::str("plain")), "plain\n");
        assert_eq!(yaml(&Val::str("true")), "\"true\"\n");
        assert_eq!(yaml(&Val::str("123")), "\"123\"\n");
        assert_eq!(yaml(&Val::str("1.5")), "\"1.5\"\n");
        assert_eq!(yaml(&Val::str("")), "\"\"\n");
        assert_eq!(yaml(&Val::str("a: b")), "'a: b'\n");
        assert_eq!(yaml(&Val::str("- x")), "'- x'\n");
        assert_eq!(yaml(&Val::str(" lead")), "' lead'\n");
        assert_eq!(yaml(&Val::str("2024-01-02")), "\"2024-01-02\"\n");
        assert_eq!(yaml(&Val::str("secret:abc")), "secret:abc\n");
        assert_eq!(yaml(&Val::str("it's")), "it's\n");
        assert_eq!(yaml(&Val::str("tab\there")), "tab\there\n");
        for quoted in ["null", "~", "yes", "Off", "0x1F", "1e3", ".5", "1_000", "+1", "0o17", "1:20", ".inf"] {
            assert_eq!(yaml(&Val::str(quoted)), format!("\"{quoted}\"\n"), "{quoted}");
        }
        for single in ["-", "@foo", "foo #bar", "{x}", "*ref", "? q", "!tag", "%p", "`b"] {
            assert_eq!(yaml(&Val::str(single)), format!("'{single}'\n"), "{single}");
        }
        for plain in ["foo:bar", "key=value", "Yes please", "a-b", "0.1.2", "v1.2", "x#y", "100%"] {
            assert_eq!(yaml(&Val::str(plain)), format!("{plain}\n"), "{plain}");
        }
        assert_eq!(yaml(&Val::str("bell\u{7}")), "\"bell\\a\"\n");
    }

    #[test]
    fn yaml_folds_long_scalars_at_80_columns() {
        let words = "word ".repeat(20);
        let message = words.trim_end();
        let v = Val::map([("message", Val::str(message))]);
        let expected = format!("message: {}\n  {}\n", "word ".repeat(15).trim_end(), "word ".repeat(5).trim_end());
        assert_eq!(yaml(&v), expected);
        // Keys are never folded; a long word is never split.
        let long = "x".repeat(100);
        assert_eq!(yaml(&Val::map([(long.clone(), Val::str(long.clone()))])), format!("{long}: {long}\n"));
    }

    #[test]
    fn yaml_non_utf8_strings_are_binary_like_yaml_v2() {
        // yaml.v2's stringv: invalid UTF-8 gets the !!binary tag and base64, in 70-char lines
        // (a literal block) from 70 encoded characters on.
        assert_eq!(yaml(&Val::Bytes(vec![0x80, 0x81, 0x82])), "!!binary gIGC\n");
        let long = Val::map([("k", Val::Bytes([0xff].repeat(60)))]);
        let line = "/".repeat(70);
        assert_eq!(yaml(&long), format!("k: !!binary |\n  {line}\n  {}\n", "/".repeat(10)));
        assert_eq!(render(&Val::Bytes(vec![b'a', 0xff]), Format::Json), b"\"a\xef\xbf\xbd\"\n");
    }

    #[test]
    fn yaml_multiline_is_literal() {
        let v = Val::map([("cert", Val::str("line1\nline2\n"))]);
        assert_eq!(yaml(&v), "cert: |\n  line1\n  line2\n");
        let v = Val::map([("k", Val::str("a\nb"))]);
        assert_eq!(yaml(&v), "k: |-\n  a\n  b\n");
    }

    #[test]
    fn yaml_maps_and_lists() {
        let v = Val::map([
            ("b", Val::Int(1)),
            ("a", Val::strings(["x", "y"])),
            ("c", Val::map([("z", Val::Bool(true)), ("y", Val::map(Vec::<(String, Val)>::new()))])),
        ]);
        assert_eq!(yaml(&v), "a:\n- x\n- \"y\"\nb: 1\nc:\n  \"y\": {}\n  z: true\n");
        let v = Val::List(vec![Val::object([("a", Val::Int(1)), ("b", Val::Int(2))])]);
        assert_eq!(yaml(&v), "- a: 1\n  b: 2\n");
    }

    #[test]
    fn yaml_nested_lists_and_literals_indent_like_yaml_v2() {
        let grant = Val::object([("target", Val::str("application-pg")), ("role", Val::str("view"))]);
        let info = Val::object([("revision", Val::Int(1)), ("access", Val::List(vec![grant]))]);
        let v = Val::map([("abc", info)]);
        assert_eq!(yaml(&v), "abc:\n  revision: 1\n  access:\n  - target: application-pg\n    role: view\n");
        let v = Val::map([("outer", Val::map([("cert", Val::str("a\nb\n"))]))]);
        assert_eq!(yaml(&v), "outer:\n  cert: |\n    a\n    b\n");
        let v = Val::List(vec![Val::strings(["a", "b"]), Val::str("c")]);
        assert_eq!(yaml(&v), "- - a\n  - b\n- c\n");
    }

    #[test]
    fn yaml_key_order_is_natural() {
        let v = Val::map([("a10", Val::Int(1)), ("a2", Val::Int(2)), ("B", Val::Int(3))]);
        assert_eq!(yaml(&v), "B: 3\na2: 2\na10: 1\n");
    }

    /// yaml.v2 quotes a string only when its `resolve` would read it back as another type; for
    /// timestamps it tries `time.Parse` with `allowedTimestampFormats`, which want a `T`/`t` *and*
    /// a zone, or a space and *no* zone. Juju's `FormatTime` output (`2006-01-02 15:04:05Z`, used
    /// by goal-state's `since`) is neither, so it is written plain (ops relies on it).
    #[test]
    fn yaml_quotes_only_what_yaml_v2_reads_as_a_timestamp() {
        for quoted in ["2024-06-01", "2024-06-01T00:00:00Z", "2024-06-01t00:00:00+02:00", "2024-06-01 00:00:00"] {
            assert_eq!(yaml(&Val::str(quoted)), format!("{quoted:?}\n"), "{quoted}");
        }
        for plain in ["2024-06-01 00:00:00Z", "2024-06-01T00:00:00", "2024-06-01 00:00:00+02:00", "2024-06-01x"] {
            assert_eq!(yaml(&Val::str(plain)), format!("{plain}\n"), "{plain}");
        }
    }
}
