//! Parsing the `#[databag(...)]` and `#[serde(...)]` attributes the databag derives read.

use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Token, Type};

use crate::attr::{self, Attr};
use crate::errors::Ctxt;
use crate::symbol::{DATABAG, DEFAULT, OTHER, RAW, RENAME, RENAME_ALL, REQUIRED, SERDE, Symbol, UNCHECKED};

/// The field options `#[databag(...)]` accepts.
const FIELD_OPTIONS: &[Symbol] = &[RENAME, DEFAULT, REQUIRED, RAW, UNCHECKED];

/// One field of a `#[derive(Databag)]` struct, as written.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    /// `#[databag(rename = "…")]`.
    pub(crate) rename: Option<LitStr>,
    /// `#[serde(rename = "…")]`.
    pub(crate) serde_rename: Option<LitStr>,
    /// `#[databag(default)]`, at the option's path (for spans).
    pub(crate) default: Option<syn::Path>,
    /// `#[databag(required)]`.
    pub(crate) required: Option<syn::Path>,
    /// `#[databag(raw)]`.
    pub(crate) raw: Option<syn::Path>,
    /// `#[databag(unchecked)]`.
    pub(crate) unchecked: bool,
    /// Whether its `#[databag(...)]` attributes had errors (then it is not checked further).
    pub(crate) broken: bool,
}

/// A flag option (`default`, `raw`, …): no value allowed.
fn flag(cx: &Ctxt, meta: &ParseNestedMeta<'_>, slot: &mut Attr<'_, syn::Path>) {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        let name = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
        cx.spanned(&meta.path, format!("`{name}` takes no value: write `#[databag({name})]`"));
        // Skip the value so the options after it are still read.
        if meta.input.peek(Token![=]) {
            let _ = meta.value().and_then(|v| v.parse::<Expr>());
        } else {
            let _ = meta.input.parse::<proc_macro2::TokenTree>();
        }
        return;
    }
    slot.set(&meta.path, meta.path.clone());
}

/// Parse one named field's `#[databag(...)]` and `#[serde(rename = "…")]`.
pub(crate) fn parse_field<'a>(cx: &Ctxt, ident: &'a Ident, ty: &'a Type, attrs: &[Attribute]) -> Field<'a> {
    let before = cx.count();
    let mut rename = Attr::none(cx, RENAME);
    let mut default = Attr::none(cx, DEFAULT);
    let mut required = Attr::none(cx, REQUIRED);
    let mut raw = Attr::none(cx, RAW);
    let mut unchecked = Attr::none(cx, UNCHECKED);
    for attr in attrs.iter().filter(|a| a.path() == DATABAG) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path == RENAME {
                if let Some(lit) = attr::string(cx, &meta, RENAME)? {
                    rename.set(&meta.path, lit);
                }
            } else if meta.path == DEFAULT {
                flag(cx, &meta, &mut default);
            } else if meta.path == REQUIRED {
                flag(cx, &meta, &mut required);
            } else if meta.path == RAW {
                flag(cx, &meta, &mut raw);
            } else if meta.path == UNCHECKED {
                flag(cx, &meta, &mut unchecked);
            } else {
                attr::unknown(cx, &meta, &format!("`#[{DATABAG}]` field"), FIELD_OPTIONS)?;
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.push(e);
        }
    }
    let broken = cx.count() > before;
    Field {
        ident,
        ty,
        rename: rename.get(),
        serde_rename: serde_string(attrs, RENAME),
        default: default.get(),
        required: required.get(),
        raw: raw.get(),
        unchecked: unchecked.get().is_some(),
        broken,
    }
}

/// serde's field-name rules (`serde_derive`'s `RenameRule`), as `rename_all` names them.
pub(crate) const RENAME_RULES: &[&str] = &[
    "lowercase",
    "UPPERCASE",
    "PascalCase",
    "camelCase",
    "snake_case",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
    "SCREAMING-KEBAB-CASE",
];

/// `field` (a snake_case Rust name) under serde's `rule`, as serde renames fields.
pub(crate) fn apply_rule(rule: &str, field: &str) -> String {
    match rule {
        "UPPERCASE" | "SCREAMING_SNAKE_CASE" => field.to_ascii_uppercase(),
        "PascalCase" | "camelCase" => {
            let mut out = String::new();
            let mut capitalize = rule == "PascalCase";
            for c in field.chars() {
                if c == '_' {
                    capitalize = true;
                } else if capitalize {
                    out.push(c.to_ascii_uppercase());
                    capitalize = false;
                } else {
                    out.push(c);
                }
            }
            out
        }
        "kebab-case" => field.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => field.replace('_', "-").to_ascii_uppercase(),
        // "lowercase" and "snake_case": Rust field names already are.
        _ => field.to_owned(),
    }
}

/// The struct's `#[databag(rename_all = "…")]` (errors to `cx`), else its
/// `#[serde(rename_all = "…")]`, checked against [`RENAME_RULES`].
pub(crate) fn parse_struct(cx: &Ctxt, attrs: &[Attribute]) -> Option<String> {
    let mut rename_all = Attr::none(cx, RENAME_ALL);
    for attr in attrs.iter().filter(|a| a.path() == DATABAG) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path == RENAME_ALL {
                if let Some(lit) = attr::string(cx, &meta, RENAME_ALL)? {
                    rename_all.set(&meta.path, lit);
                }
                Ok(())
            } else {
                attr::unknown(cx, &meta, &format!("`#[{DATABAG}]` struct"), &[RENAME_ALL])
            }
        });
        if let Err(e) = result {
            cx.push(e);
        }
    }
    let lit = rename_all.get().or_else(|| serde_string(attrs, RENAME_ALL))?;
    let rule = lit.value();
    if RENAME_RULES.contains(&rule.as_str()) {
        Some(rule)
    } else {
        let known = RENAME_RULES.iter().copied();
        cx.spanned(
            &lit,
            format!(
                "unknown `rename_all` rule {rule:?}; expected one of: {}{}",
                crate::errors::list(known.clone()),
                crate::errors::suggestion(&rule, known)
            ),
        );
        None
    }
}

/// Whether `attrs` hold a `#[databag(...)]` attribute (they are only meant for fields of a
/// `#[derive(Databag)]` struct).
pub(crate) fn databag_attr(attrs: &[Attribute]) -> Option<&Attribute> {
    attrs.iter().find(|a| a.path() == DATABAG)
}

/// The string of `#[serde(name = "…")]`, if given. serde's own derive reports malformed serde
/// attributes, so anything else in them is skipped, never an error here.
pub(crate) fn serde_string(attrs: &[Attribute], name: Symbol) -> Option<LitStr> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path() == SERDE) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.input.peek(Token![=]) {
                let value: Expr = meta.value()?.parse()?;
                if meta.path == name
                    && let Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) = value
                {
                    found.get_or_insert(lit);
                }
            } else if meta.input.peek(syn::token::Paren) {
                meta.input.parse::<proc_macro2::TokenTree>()?;
            }
            Ok(())
        });
    }
    found
}

/// Whether `attrs` hold `#[serde(other)]`.
pub(crate) fn serde_other(attrs: &[Attribute]) -> bool {
    let mut found = false;
    for attr in attrs.iter().filter(|a| a.path() == SERDE) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path == OTHER && (meta.input.is_empty() || meta.input.peek(Token![,])) {
                found = true;
            } else if meta.input.peek(Token![=]) {
                meta.value()?.parse::<Expr>()?;
            } else if meta.input.peek(syn::token::Paren) {
                meta.input.parse::<proc_macro2::TokenTree>()?;
            }
            Ok(())
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    use super::*;

    #[test]
    fn rename_rules_are_serdes() {
        let field = "max_request_size";
        let got: Vec<String> = RENAME_RULES.iter().map(|rule| apply_rule(rule, field)).collect();
        assert_eq!(
            got,
            [
                "max_request_size",
                "MAX_REQUEST_SIZE",
                "MaxRequestSize",
                "maxRequestSize",
                "max_request_size",
                "MAX_REQUEST_SIZE",
                "max-request-size",
                "MAX-REQUEST-SIZE",
            ]
        );
    }

    #[test]
    fn serde_rename_is_read_and_other_options_skipped() {
        let attrs: Vec<Attribute> = parse_quote! {
            #[serde(default, skip_serializing_if = "Option::is_none", with = "x")]
            #[serde(rename = "ca-chain", alias = "chain")]
        };
        assert_eq!(serde_string(&attrs, RENAME).map(|l| l.value()).as_deref(), Some("ca-chain"));
        assert!(!serde_other(&attrs));
        let other: Vec<Attribute> = parse_quote!(#[serde(rename = "?", other)]);
        assert!(serde_other(&other));
        let none: Vec<Attribute> = parse_quote!(#[serde(bound(serialize = "T: X"))]);
        assert!(serde_string(&none, RENAME).is_none() && !serde_other(&none));
    }
}
