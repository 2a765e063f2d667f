//! Checking `#[secret]`: option values against goops-juju's owners and rotate policies, content
//! keys against Juju's rule, duplicate keys.

use std::str::FromStr;

use goops_juju::secret::{CONTENT_KEY_EXPECTED, CONTENT_KEY_RULE, is_valid_content_key};
use goops_juju::{RotatePolicy, SecretOwner};
use proc_macro2::Span;
use syn::LitStr;

use super::parse::{Args, Field};
use crate::errors::{Ctxt, list, suggestion};
use crate::symbol::{OWNER, ROTATE, Symbol};

/// The checked options.
pub(crate) struct Options {
    /// The label; empty when missing or invalid (there is an error then).
    pub(crate) label: String,
    pub(crate) owner: Option<SecretOwner>,
    pub(crate) rotate: Option<RotatePolicy>,
    pub(crate) description: Option<String>,
    /// `expire`, in seconds.
    pub(crate) expire: Option<u64>,
}

impl Options {
    /// Whether `add_options` differs from the trait's default (the label only).
    pub(crate) fn sets_add_options(&self) -> bool {
        self.owner.is_some() || self.rotate.is_some() || self.description.is_some() || self.expire.is_some()
    }
}

/// A checked field.
pub(crate) struct Checked<'a> {
    pub(crate) field: &'a Field,
    pub(crate) key: String,
}

/// `365d`, `24h`, `1h30m`, `90s`, `2w` → seconds. The syntax is the attribute's own, not Juju's
/// (`secret-add --expire` takes a Go duration or a time; the runtime writes it).
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

/// One of Juju's names for `name = "…"` (`SecretOwner`, `RotatePolicy`), or an error listing them.
fn one_of<T: FromStr + Copy>(
    cx: &Ctxt,
    lit: Option<&LitStr>,
    name: Symbol,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Option<T> {
    let lit = lit?;
    let value = lit.value();
    if let Ok(parsed) = value.parse() {
        return Some(parsed);
    }
    let names = all.iter().map(|v| as_str(*v));
    cx.spanned(
        lit,
        format!(
            "`{name} = \"{value}\"` is not valid; expected one of: {}{}",
            list(names.clone()),
            suggestion(&value, names)
        ),
    );
    None
}

pub(crate) fn validate_args(cx: &Ctxt, args: &Args) -> Options {
    let label = match &args.label {
        Some(lit) if lit.value().is_empty() => {
            cx.spanned(lit, "the secret label must not be empty");
            String::new()
        }
        Some(lit) => lit.value(),
        None => {
            cx.at(Span::call_site(), "`#[secret]` needs a label: `#[secret(label = \"my-secret\")]`");
            String::new()
        }
    };
    let expire = args.expire.as_ref().and_then(|lit| {
        let seconds = parse_duration(&lit.value());
        if seconds.is_none() {
            cx.spanned(
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
        owner: one_of(cx, args.owner.as_ref(), OWNER, SecretOwner::ALL, SecretOwner::as_str),
        rotate: one_of(cx, args.rotate.as_ref(), ROTATE, RotatePolicy::ALL, RotatePolicy::as_str),
        description: args.description.as_ref().map(LitStr::value),
        expire,
    }
}

/// Check each field's content key; a field whose attribute had errors is skipped (one error each).
pub(crate) fn validate_fields<'a>(cx: &Ctxt, fields: &'a [Field]) -> Vec<Checked<'a>> {
    let mut checked: Vec<Checked<'a>> = Vec::new();
    for field in fields.iter().filter(|f| !f.broken) {
        let name = field.ident.to_string();
        let (key, span): (String, &dyn quote::ToTokens) = match &field.key {
            Some(lit) => (lit.value(), lit),
            None => (name.trim_start_matches("r#").replace('_', "-"), &field.ident),
        };
        if !is_valid_content_key(&key) {
            cx.spanned(
                span,
                format!(
                    "secret content key `{key}` is not valid: Juju requires `{CONTENT_KEY_RULE}` \
                     ({CONTENT_KEY_EXPECTED}){}",
                    if field.key.is_none() { "; rename the field or set `#[secret(key = \"...\")]`" } else { "" }
                ),
            );
            continue;
        }
        if let Some(first) = checked.iter().find(|c| c.key == key) {
            cx.spanned(span, format!("content key `{key}` is used twice"));
            cx.spanned(&first.field.ident, format!("content key `{key}` is first used here"));
            continue;
        }
        checked.push(Checked { field, key });
    }
    checked
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("365d"), Some(365 * 86_400));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("2w"), Some(1_209_600));
        for bad in ["", "d", "10", "10y", "0s", "-1h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn options_use_jujus_names() {
        let cx = Ctxt::new();
        let args = super::super::parse::parse_args(
            &cx,
            quote!(label = "x", owner = "app", rotate = "fortnightly", expire = "1d"),
        );
        let options = validate_args(&cx, &args);
        assert_eq!(options.owner, Some(SecretOwner::Application));
        assert_eq!((options.rotate, options.expire), (None, Some(86_400)));
        assert!(options.sets_add_options());
        let errors: Vec<String> = cx.check().unwrap_err().into_iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            ["`rotate = \"fortnightly\"` is not valid; expected one of: `never`, `hourly`, `daily`, `weekly`, \
                 `monthly`, `quarterly`, `yearly`"]
        );
    }

    #[test]
    fn a_field_with_a_broken_attribute_gets_one_error() {
        let cx = Ctxt::new();
        let mut item: syn::ItemStruct = syn::parse2(quote! {
            struct S {
                #[secret(kee = "x")]
                pw: String,
                #[secret(key = "ab", key = "abc")]
                other: String,
                good_one: String,
                #[secret(key = "good-one")]
                again: String,
            }
        })
        .unwrap();
        let fields = super::super::parse::parse_fields(&cx, &mut item);
        let checked = validate_fields(&cx, &fields);
        assert_eq!(checked.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["good-one"]);
        let errors: Vec<String> = cx.check().unwrap_err().into_iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            [
                "unknown `#[secret]` field option `kee`; expected one of: `key`; did you mean `key`?",
                "`key` is given twice",
                "content key `good-one` is used twice",
                "content key `good-one` is first used here",
            ]
        );
        assert!(item.fields.iter().all(|f| f.attrs.is_empty()), "the field attributes are removed");
    }
}
