//! Generating the `CharmConfig` / `ActionParams` and `FromContext` impls.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

use super::Kind;
use super::validate::Checked;
use goops_juju::charmcraft::CharmMeta;

use crate::metadata;

pub(crate) fn expand(
    kind: Kind,
    ident: &Ident,
    action: Option<&str>,
    fields: &[Checked<'_>],
    meta: Option<&CharmMeta>,
) -> TokenStream {
    let what = match kind {
        Kind::Config => "config option",
        Kind::Params => "parameter",
    };
    let inits = fields.iter().map(|f| {
        let (ident, ty, key) = (f.ident, f.ty, &f.key);
        quote! { #ident: ::goops_runtime::__private::field::<#ty>(values, #what, #key)? }
    });
    let body = quote! {
        fn from_values(
            values: &::goops_runtime::__private::serde_json::Map<
                ::std::string::String,
                ::goops_runtime::__private::serde_json::Value,
            >,
        ) -> ::core::result::Result<Self, ::std::string::String> {
            ::core::result::Result::Ok(Self { #(#inits),* })
        }
    };
    impls(kind, ident, action, body, meta)
}

/// On errors: impls that never succeed, so handlers taking the type still type-check.
pub(crate) fn fallback(kind: Kind, ident: &Ident) -> TokenStream {
    let body = quote! {
        fn from_values(
            _: &::goops_runtime::__private::serde_json::Map<
                ::std::string::String,
                ::goops_runtime::__private::serde_json::Value,
            >,
        ) -> ::core::result::Result<Self, ::std::string::String> {
            ::core::result::Result::Err(::std::string::String::from("invalid definition"))
        }
    };
    impls(kind, ident, Some(""), body, None)
}

fn impls(kind: Kind, ident: &Ident, action: Option<&str>, body: TokenStream, meta: Option<&CharmMeta>) -> TokenStream {
    let tracking = meta.map(metadata::tracking);
    let (trait_impl, extract) = match kind {
        Kind::Config => (
            quote! {
                #[automatically_derived]
                impl ::goops_runtime::__private::CharmConfig for #ident { #body }
            },
            quote!(::goops_runtime::__private::extract_config::<Self>(ctx)),
        ),
        Kind::Params => {
            let action = action.unwrap_or_default();
            (
                quote! {
                    #[automatically_derived]
                    impl ::goops_runtime::__private::ActionParams for #ident {
                        const ACTION: &'static str = #action;
                        #body
                    }
                },
                quote!(::goops_runtime::__private::extract_params::<Self>(ctx)),
            )
        }
    };
    quote! {
        #trait_impl

        #[automatically_derived]
        impl<'a> ::goops_runtime::__private::FromContext<'a> for #ident {
            fn from_context(
                ctx: &'a ::goops_runtime::__private::Context,
            ) -> ::core::result::Result<Self, ::goops_runtime::__private::Rejection> {
                #extract
            }
        }

        #tracking
    }
}
