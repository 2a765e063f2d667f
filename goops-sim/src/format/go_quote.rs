//! Go's `%q` of a string (`strconv.Quote`), which Juju's error messages use: Rust's `{:?}`
//! escapes differently (`\u{1b}` for `\x1b`, `\0`, and other non-ASCII choices).

use std::fmt::Write as _;

/// `strconv.Quote(s)`: double quotes; `\a \b \f \n \r \t \v \\ \"` escaped; other runes Go's
/// `unicode.IsPrint` refuses as `\xNN` (below 0x80), `\uNNNN` or `\UNNNNNNNN`; the rest as is.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint` for the runes a charm is likely to pass: control characters, spaces
/// other than U+0020, line/paragraph separators, the common format characters and private
/// use are not printable. (Unassigned code points, which Go also escapes, are kept.)
fn is_print(c: char) -> bool {
    let u = c as u32;
    !(c.is_control()
        || matches!(u, 0xA0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 | 0x2028 | 0x2029)
        || matches!(
            u,
            0xAD | 0x600..=0x605
                | 0x61C
                | 0x6DD
                | 0x70F
                | 0x180E
                | 0x200B..=0x200F
                | 0x202A..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x206F
                | 0xFEFF
                | 0xFFF9..=0xFFFB
        )
        || matches!(u, 0xE000..=0xF8FF | 0xF0000..=0x10FFFF))
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_as_go_does() {
        // Expected texts: Go's strconv.Quote (strconv/quote.go, appendEscapedRune).
        assert_eq!(quote("a=b"), r#""a=b""#);
        assert_eq!(quote("tab\there \"q\" \\"), r#""tab\there \"q\" \\""#);
        assert_eq!(quote("\u{1b}[31m\u{0}\u{7f}"), r#""\x1b[31m\x00\x7f""#);
        assert_eq!(quote("café ☃"), "\"café ☃\"");
        assert_eq!(quote("\u{a0}\u{200b}\u{feff}"), r#""\u00a0\u200b\ufeff""#);
        assert_eq!(quote("\u{100000}"), r#""\U00100000""#);
    }
}
