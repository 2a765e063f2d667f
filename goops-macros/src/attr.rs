//! What every attribute parser shares: an option that may be given once ([`Attr`]), string
//! values that do not end the parse when they are wrong ([`string`]), and unknown options that
//! are reported and skipped ([`unknown`]), so one build shows every mistake of an attribute.

use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, Lit, LitStr, Token};

use crate::errors::{Ctxt, list, suggestion};
use crate::symbol::Symbol;

/// One option of an attribute. The first value is kept; a second is an error spanned on it.
pub(crate) struct Attr<'c, T> {
    cx: &'c Ctxt,
    name: Symbol,
    value: Option<T>,
}

impl<'c, T> Attr<'c, T> {
    /// An option called `name`, not given yet.
    pub(crate) fn none(cx: &'c Ctxt, name: Symbol) -> Self {
        Attr { cx, name, value: None }
    }

    /// Record the value given at `tokens` (the option's name, for the span).
    pub(crate) fn set(&mut self, tokens: impl ToTokens, value: T) {
        if self.value.is_some() {
            self.cx.spanned(tokens, format!("`{}` is given twice", self.name));
        } else {
            self.value = Some(value);
        }
    }

    /// The value, if given.
    pub(crate) fn get(self) -> Option<T> {
        self.value
    }
}

/// The value of `name = "…"`. A value that is not a string literal is reported to `cx` (and
/// `None` returned) without ending the parse of the other options.
pub(crate) fn string(cx: &Ctxt, meta: &ParseNestedMeta<'_>, name: Symbol) -> syn::Result<Option<LitStr>> {
    let expr: Expr = meta.value()?.parse()?;
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) => Ok(Some(lit)),
        other => {
            cx.spanned(other, format!("`{name}` takes a string: `{name} = \"…\"`"));
            Ok(None)
        }
    }
}

/// Report an unknown option of `what` (e.g. "`#[secret]` field"), with the known ones and a
/// "did you mean", and skip its value so the options after it are still read.
pub(crate) fn unknown(cx: &Ctxt, meta: &ParseNestedMeta<'_>, what: &str, known: &[Symbol]) -> syn::Result<()> {
    let name = meta.path.to_token_stream().to_string().replace(' ', "");
    let known = known.iter().map(|s| s.as_str());
    cx.spanned(
        &meta.path,
        format!("unknown {what} option `{name}`; expected one of: {}{}", list(known.clone()), suggestion(&name, known)),
    );
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::symbol::LABEL;

    /// Parse `tokens` as `label = "…"` options: the label and the errors' messages.
    fn run(tokens: proc_macro2::TokenStream) -> (Option<String>, Vec<String>) {
        let cx = Ctxt::new();
        let mut label = Attr::none(&cx, LABEL);
        let parser = syn::meta::parser(|meta| {
            if meta.path == LABEL {
                if let Some(lit) = string(&cx, &meta, LABEL)? {
                    label.set(&meta.path, lit.value());
                }
                Ok(())
            } else {
                unknown(&cx, &meta, "`#[secret]`", &[LABEL])
            }
        });
        if let Err(e) = syn::parse::Parser::parse2(parser, tokens) {
            cx.push(e);
        }
        let label = label.get();
        let errors = cx.check().err().into_iter().flatten().map(|e| e.to_string()).collect();
        (label, errors)
    }

    #[test]
    fn duplicates_unknowns_and_non_strings_are_all_reported() {
        let (label, errors) = run(quote!(lable = "x", label = "a", label = "b", other(x), label = 5));
        assert_eq!(label.as_deref(), Some("a"));
        assert_eq!(
            errors,
            [
                "unknown `#[secret]` option `lable`; expected one of: `label`; did you mean `label`?",
                "`label` is given twice",
                "unknown `#[secret]` option `other`; expected one of: `label`",
                "`label` takes a string: `label = \"…\"`",
            ]
        );
    }
}
