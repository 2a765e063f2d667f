//! The checks of `#[derive(Databag)]`: every field's key, its attribute combination, and the
//! interface design rule (Canonical's OP083) that a bag has no mandatory top-level fields.

use std::collections::HashMap;

use syn::{Ident, Type};

use super::parse::Field;
use crate::config::validate::unwrap_option;
use crate::errors::Ctxt;

/// How a field reads and writes its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// `Option<T>`: absent (or `null`) is `None`, `None` deletes the key.
    Optional,
    /// `#[databag(default)]`: absent is `Default::default()`.
    Default,
    /// `#[databag(required)]`: absent is an error.
    Required,
}

/// A field that passed the checks.
pub(crate) struct Checked<'a> {
    pub(crate) ident: &'a Ident,
    /// The field's type.
    pub(crate) ty: &'a Type,
    /// `T` of an `Option<T>` field, else the field's type.
    pub(crate) inner: &'a Type,
    pub(crate) key: String,
    pub(crate) presence: Presence,
    pub(crate) raw: bool,
    /// Whether its type must be a `DatabagValue`.
    pub(crate) checked: bool,
}

/// Why a key cannot be a relation databag key, mirroring the client-side check of
/// `goops_runtime::hookcmds::relation::relation_set` (`relation-set` cuts `key=value` at the
/// first `=` and trims white space, docs/hook-tools.md "relation-set").
fn bad_key(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        Some("a databag key cannot be empty")
    } else if key.contains('=') {
        Some("a databag key cannot contain `=`")
    } else if key.trim() != key {
        Some("a databag key cannot start or end with white space")
    } else {
        None
    }
}

/// Whether `ty` is written `String` (the only type a `raw` field may have, inside an `Option`).
fn is_string(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "String" && s.arguments.is_empty()))
}

/// Check every field; errors go to `cx`.
pub(crate) fn validate<'a>(cx: &Ctxt, rename_all: Option<&str>, fields: &'a [Field<'a>]) -> Vec<Checked<'a>> {
    let mut checked = Vec::new();
    let mut keys: HashMap<String, &Ident> = HashMap::new();
    for field in fields {
        if field.broken {
            continue;
        }
        let (optional, inner) = unwrap_option(field.ty);
        let before = cx.count();
        let key = match (&field.rename, &field.serde_rename) {
            (Some(ours), Some(serde)) if ours.value() != serde.value() => {
                cx.spanned(
                    ours,
                    format!(
                        "`#[databag(rename = {:?})]` and `#[serde(rename = {:?})]` disagree: the databag key must be one name",
                        ours.value(),
                        serde.value()
                    ),
                );
                ours.value()
            }
            (Some(lit), _) | (None, Some(lit)) => lit.value(),
            (None, None) => {
                let name = field.ident.to_string();
                let name = name.trim_start_matches("r#");
                rename_all.map_or_else(|| name.to_owned(), |rule| super::parse::apply_rule(rule, name))
            }
        };
        if let Some(reason) = bad_key(&key) {
            let span = field.rename.as_ref().or(field.serde_rename.as_ref());
            match span {
                Some(lit) => cx.spanned(lit, format!("invalid databag key {key:?}: {reason}")),
                None => cx.spanned(field.ident, format!("invalid databag key {key:?}: {reason}")),
            }
        }
        if let Some(first) = keys.get(&key) {
            cx.spanned(field.ident, format!("databag key {key:?} is already the key of field `{first}`"));
        } else {
            keys.insert(key.clone(), field.ident);
        }
        let presence = match (optional, &field.default, &field.required) {
            (_, Some(default), Some(_)) => {
                cx.spanned(default, "`default` and `required` contradict each other: pick one");
                Presence::Required
            }
            (true, Some(default), None) => {
                cx.spanned(default, "`default` is redundant on an `Option` field: an absent key is already `None`");
                Presence::Optional
            }
            (true, None, Some(required)) => {
                cx.spanned(
                    required,
                    "an `Option` field cannot be `required`: drop the `Option` to make the key mandatory",
                );
                Presence::Optional
            }
            (true, None, None) => Presence::Optional,
            (false, Some(_), None) => Presence::Default,
            (false, None, Some(_)) => Presence::Required,
            (false, None, None) => {
                cx.spanned(
                    field.ty,
                    format!(
                        "field `{}` would be a mandatory databag key, and interface design rules (OP083) forbid \
                         mandatory top-level fields: make it `Option<_>`, add `#[databag(default)]`, or, for an \
                         existing interface that already requires it, `#[databag(required)]`",
                        field.ident
                    ),
                );
                Presence::Required
            }
        };
        if let Some(raw) = &field.raw
            && !is_string(inner)
        {
            cx.spanned(
                raw,
                "a `raw` field is stored as a bare string, not JSON: its type must be `String` or `Option<String>`",
            );
        }
        if cx.count() == before {
            checked.push(Checked {
                ident: field.ident,
                ty: field.ty,
                inner,
                key,
                presence,
                raw: field.raw.is_some(),
                checked: !field.unchecked && field.raw.is_none(),
            });
        }
    }
    checked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_relation_set_rules() {
        assert_eq!(bad_key(""), Some("a databag key cannot be empty"));
        assert!(bad_key("a=b").is_some());
        assert!(bad_key(" a").is_some() && bad_key("a\t").is_some());
        assert_eq!(bad_key("certificate_signing_requests"), None);
        assert_eq!(bad_key("ca-chain"), None);
    }

    #[test]
    fn raw_needs_a_string() {
        assert!(is_string(&syn::parse_quote!(String)));
        assert!(is_string(&syn::parse_quote!(std::string::String)));
        assert!(!is_string(&syn::parse_quote!(&str)));
        assert!(!is_string(&syn::parse_quote!(Vec<String>)));
    }
}
