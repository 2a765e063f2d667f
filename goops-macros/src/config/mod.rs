//! `#[derive(CharmConfig)]` and `#[derive(ActionParams)]`: typed fields checked against
//! charmcraft.yaml's `config.options` or an action's `params`.

pub(crate) mod expand;
pub(crate) mod parse;
pub(crate) mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::Ctxt;
use crate::metadata;
use crate::symbol::{CONFIG, PARAMS, Symbol};

/// Which derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Config,
    Params,
}

impl Kind {
    /// The helper attribute.
    fn attr(self) -> Symbol {
        match self {
            Kind::Config => CONFIG,
            Kind::Params => PARAMS,
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
    let cx = Ctxt::new();
    let parsed = parse::parse(&cx, kind, &input);
    let meta = metadata::load(parsed.options.metadata.as_ref()).map_err(|e| cx.push(e)).ok();
    let fields = validate::validate(&cx, kind, &parsed, meta.as_ref());
    match cx.check() {
        Ok(()) => {
            let action = parsed.options.action.as_ref().map(syn::LitStr::value);
            expand::expand(kind, parsed.ident, action.as_deref(), &fields, meta.as_ref())
        }
        Err(error) => {
            // Track the metadata files even now: the fix may be an edit to charmcraft.yaml.
            let tracking = meta.as_ref().map(metadata::tracking);
            // Stub impls cannot name a generic struct without its parameters: then only the error.
            let fallback = input.generics.params.is_empty().then(|| expand::fallback(kind, parsed.ident));
            let error = error.into_compile_error();
            quote! { #fallback #tracking #error }
        }
    }
}
