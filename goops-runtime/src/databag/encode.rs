//! JSON written the way Python's `json.dumps` writes it with its defaults (what ops's
//! `Relation.save` and charmlibs' `DatabagModel.dump` call): `", "` between items, `": "` after
//! keys, every character outside printable ASCII escaped as `\uXXXX` (`ensure_ascii=True`,
//! UTF-16 surrogate pairs above U+FFFF), and floats as Python's `repr(float)`.
//!
//! Byte-identical output matters: a save compares the encoded value with the bag and writes
//! only what differs, so a value an ops charm wrote must encode to the same text here.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

/// `value` as `json.dumps(value)` would write it.
pub(crate) fn to_python_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    value.serialize(&mut serializer)?;
    // Only ASCII is ever written (every other character is escaped).
    Ok(String::from_utf8(out).expect("json.dumps output is ASCII"))
}

struct PythonFormatter;

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { writer.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { writer.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    /// serde_json escapes `"`, `\` and control characters itself (as Python does, lowercase
    /// hex); the rest of a string arrives here, and Python escapes all of it outside `' '..='~'`.
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if (' '..='~').contains(&c) {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = at + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(python_float_repr(&format!("{value:e}")).as_bytes())
    }

    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        // Python has only doubles; the shortest digits of the f32 are what a reader gets back.
        writer.write_all(python_float_repr(&format!("{value:e}")).as_bytes())
    }

    // Everything else (integers, null, booleans, brackets) is what CompactFormatter writes.
    fn write_null<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        CompactFormatter.write_null(writer)
    }
}

/// Python's `repr(float)` from Rust's shortest round-trip digits in `{:e}` form (`-1.25e-7`):
/// positional when the decimal exponent is in -4..16 (`0.0001`, `1e+16` is not), with `.0`
/// when there are no fraction digits; otherwise `d.ddde±XX` with at least two exponent digits.
/// NaN and infinities never get here: serde_json writes them as `null`.
fn python_float_repr(rust: &str) -> String {
    let (sign, rest) = rust.strip_prefix('-').map_or(("", rust), |r| ("-", r));
    let (mantissa, exponent) = rest.split_once('e').unwrap_or((rest, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::from(sign);
    if (-4..16).contains(&exponent) {
        if exponent < 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exponent - 1) as usize));
            out.push_str(&digits);
        } else {
            let int_len = exponent as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exponent.unsigned_abs()));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Expected texts are what CPython 3's `json.dumps` prints for the same values.
    #[test]
    fn floats_are_python_reprs() {
        for (value, python) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (1.5e300, "1.5e+300"),
            (-2.5e-300, "-2.5e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
        ] {
            assert_eq!(to_python_json(&value).unwrap(), python, "{value:e}");
        }
        assert_eq!(to_python_json(&0.1f32).unwrap(), "0.1");
        assert_eq!(to_python_json(&f64::NAN).unwrap(), "null");
    }

    #[test]
    fn separators_and_escapes_are_python_defaults() {
        let map: BTreeMap<&str, serde_json::Value> = [
            ("a", serde_json::json!([1, "x", null, true])),
            ("b", serde_json::json!({"k": "v", "l": []})),
            ("é", serde_json::json!("caf\u{e9} \u{1f600} \u{7f} \"q\" \\ \n\t\u{1}")),
        ]
        .into();
        assert_eq!(
            to_python_json(&map).unwrap(),
            r#"{"a": [1, "x", null, true], "b": {"k": "v", "l": []}, "\u00e9": "caf\u00e9 \ud83d\ude00 \u007f \"q\" \\ \n\t\u0001"}"#
        );
        assert_eq!(to_python_json("plain").unwrap(), r#""plain""#);
        assert_eq!(to_python_json(&Vec::<u8>::new()).unwrap(), "[]");
    }
}
