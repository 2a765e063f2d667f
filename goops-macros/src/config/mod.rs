//! `#[derive(CharmConfig)]` and `#[derive(ActionParams)]`: typed fields checked against
//! charmcraft.yaml's `config.options` or an action's `params`.

pub(crate) mod expand;
pub(crate) mod parse;
pub(crate) mod validate;

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::charmcraft::Metadata;
use crate::errors::Errors;

/// Which derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Config,
    Params,
}

impl Kind {
    fn attr(self) -> &'static str {
        match self {
            Kind::Config => "config",
            Kind::Params => "params",
        }
    }

    fn derive(self) -> &'static str {
        match self {
            Kind::Config => "CharmConfig",
            Kind::Params => "ActionParams",
        }
    }
}

/// Expand the derive on `item`.
pub(crate) fn derive(kind: Kind, item: TokenStream) -> TokenStream {
    let input: syn::DeriveInput = match syn::parse2(item) {
        Ok(input) => input,
        Err(e) => return e.into_compile_error(),
    };
    let errors = Errors::new();
    let parsed = parse::parse(kind, &input, &errors);
    let span = parsed.options.metadata.as_ref().map_or_else(Span::call_site, syn::LitStr::span);
    let metadata = Metadata::load(parsed.options.metadata.as_ref().map(syn::LitStr::value).as_deref(), span)
        .map_err(|e| errors.push(e))
        .ok();
    let fields = validate::validate(kind, &parsed, metadata.as_ref(), &errors);
    if errors.is_empty() {
        let action = parsed.options.action.as_ref().map(syn::LitStr::value);
        expand::expand(kind, parsed.ident, action.as_deref(), &fields, metadata.as_ref())
    } else {
        // Track the metadata files even now: the fix may be an edit to charmcraft.yaml.
        let tracking = metadata.as_ref().map(Metadata::tracking);
        // Stub impls cannot name a generic struct without its parameters: then only the error.
        let fallback = input.generics.params.is_empty().then(|| expand::fallback(kind, parsed.ident));
        let error = errors.finish().map(syn::Error::into_compile_error);
        quote! { #fallback #tracking #error }
    }
}
