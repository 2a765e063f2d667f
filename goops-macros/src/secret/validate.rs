//! Checking `#[secret]`: option values, content keys against Juju's rule, duplicate keys.

use proc_macro2::Span;

use super::parse::{Args, Field};
use crate::errors::{Errors, list, suggestion};

pub(crate) const OWNERS: &[&str] = &["application", "unit"];
pub(crate) const ROTATE: &[&str] = &["never", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"];

/// The checked options.
pub(crate) struct Options {
    pub(crate) label: String,
    pub(crate) owner: Option<String>,
    pub(crate) rotate: Option<String>,
    pub(crate) description: Option<String>,
    /// `expire`, in seconds.
    pub(crate) expire: Option<u64>,
}

/// A checked field.
pub(crate) struct Checked<'a> {
    pub(crate) field: &'a Field,
    pub(crate) key: String,
}

/// Juju's content-key rule `^([a-z](?:-?[a-z0-9]){2,})$`, by hand.
pub(crate) fn valid_key(key: &str) -> bool {
    let b = key.as_bytes();
    let Some((first, rest)) = b.split_first() else { return false };
    if !first.is_ascii_lowercase() {
        return false;
    }
    let (mut units, mut i) = (0, 0);
    while i < rest.len() {
        if rest[i] == b'-' {
            i += 1;
        }
        match rest.get(i) {
            Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() => units += 1,
            _ => return false,
        }
        i += 1;
    }
    units >= 2
}

/// `365d`, `24h`, `1h30m`, `90s`, `2w` → seconds.
pub(crate) fn parse_duration(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        let n: u64 = std::mem::take(&mut number).parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    (number.is_empty() && total > 0).then_some(total)
}

fn one_of(lit: &Option<syn::LitStr>, what: &str, allowed: &[&str], errors: &Errors) -> Option<String> {
    let lit = lit.as_ref()?;
    let value = lit.value();
    if allowed.contains(&value.as_str()) {
        return Some(value);
    }
    errors.spanned(
        lit,
        format!(
            "`{what} = \"{value}\"` is not valid; expected one of: {}{}",
            list(allowed.iter().copied()),
            suggestion(&value, allowed.iter().copied())
        ),
    );
    None
}

pub(crate) fn validate_args(args: &Args, errors: &Errors) -> Options {
    let label = match &args.label {
        Some(lit) if lit.value().is_empty() => {
            errors.spanned(lit, "the secret label must not be empty");
            String::new()
        }
        Some(lit) => lit.value(),
        None => {
            errors.at(Span::call_site(), "`#[secret]` needs a label: `#[secret(label = \"my-secret\")]`");
            String::new()
        }
    };
    let expire = args.expire.as_ref().and_then(|lit| {
        let seconds = parse_duration(&lit.value());
        if seconds.is_none() {
            errors.spanned(
                lit,
                format!(
                    "`expire = \"{}\"` is not a duration; expected e.g. \"365d\", \"24h\", \"1h30m\", \"90s\"",
                    lit.value()
                ),
            );
        }
        seconds
    });
    Options {
        label,
        owner: one_of(&args.owner, "owner", OWNERS, errors),
        rotate: one_of(&args.rotate, "rotate", ROTATE, errors),
        description: args.description.as_ref().map(syn::LitStr::value),
        expire,
    }
}

pub(crate) fn validate_fields<'a>(fields: &'a [Field], errors: &Errors) -> Vec<Checked<'a>> {
    let mut checked: Vec<Checked<'a>> = Vec::new();
    for field in fields {
        let name = field.ident.to_string();
        let (key, span): (String, &dyn quote::ToTokens) = match &field.key {
            Some(lit) => (lit.value(), lit),
            None => (name.trim_start_matches("r#").replace('_', "-"), &field.ident),
        };
        if !valid_key(&key) {
            errors.spanned(
                span,
                format!(
                    "secret content key `{key}` is not valid: Juju requires `^([a-z](?:-?[a-z0-9]){{2,}})$` (a lowercase \
                     letter, then at least two lowercase letters or digits, single hyphens between){}",
                    if field.key.is_none() { "; rename the field or set `#[secret(key = \"...\")]`" } else { "" }
                ),
            );
            continue;
        }
        if let Some(first) = checked.iter().find(|c| c.key == key) {
            errors.spanned(span, format!("content key `{key}` is used twice"));
            errors.spanned(&first.field.ident, format!("content key `{key}` is first used here"));
            continue;
        }
        checked.push(Checked { field, key });
    }
    checked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn juju_key_rule() {
        for ok in ["abc", "private-key", "a1b", "ca-certificate", "a-b-c"] {
            assert!(valid_key(ok), "{ok}");
        }
        for bad in ["ab", "Abc", "1ab", "a--b", "abc-", "-abc", "a_bc", "", "a-b"] {
            assert!(!valid_key(bad), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("365d"), Some(365 * 86_400));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("2w"), Some(1_209_600));
        for bad in ["", "d", "10", "10y", "0s", "-1h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
