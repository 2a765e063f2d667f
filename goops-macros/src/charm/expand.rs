//! Generating `impl Charm` (the dispatch table), `impl HasMetadata` and the handler wrappers.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemImpl, ReturnType};

use super::validate::{Checked, Key};
use crate::charmcraft::Metadata;

/// The user's impl block, the wrappers and the trait impls.
pub(crate) fn expand(item: &ItemImpl, handlers: &[Checked<'_>], metadata: Option<&Metadata>) -> TokenStream {
    let self_ty = &item.self_ty;
    let mut wrappers = Vec::new();
    let mut entries = Vec::new();
    for handler in handlers {
        let sig = &handler.handler.sig;
        let method = &sig.ident;
        let wrapper = format_ident!("__goops_run_{}", method);
        let arg_names: Vec<_> = (0..handler.args.len()).map(|i| format_ident!("__goops_arg{}", i)).collect();
        let extractions = handler.args.iter().zip(&arg_names).map(|(ty, name)| {
            // Spanned on the user's type, so an unsupported type is reported on the argument.
            quote_spanned! {ty.span()=>
                let #name: #ty = match <#ty as ::goops_runtime::__private::FromContext<'_>>::from_context(__goops_ctx) {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(rejection) => {
                        return ::goops_runtime::__private::rejected(__goops_ctx, rejection);
                    }
                };
            }
        });
        let ret_span = match &sig.output {
            ReturnType::Default => sig.ident.span(),
            ReturnType::Type(_, ty) => ty.span(),
        };
        let convert = if handler.handler.is_action {
            quote_spanned!(ret_span=> ::goops_runtime::__private::ActionReturn::outcome(__goops_result))
        } else {
            quote_spanned!(ret_span=> ::goops_runtime::__private::HookReturn::outcome(__goops_result))
        };
        wrappers.push(quote! {
            #[doc(hidden)]
            fn #wrapper(&self, __goops_ctx: &::goops_runtime::__private::Context) -> ::goops_runtime::__private::Outcome {
                #(#extractions)*
                let __goops_result = Self::#method(self, #(#arg_names),*);
                #convert
            }
        });
        for key in &handler.keys {
            let key = match key {
                Key::Hook(name) => quote!(::goops_runtime::__private::HandlerKey::Hook(#name)),
                Key::Action(name) => quote!(::goops_runtime::__private::HandlerKey::Action(#name)),
                Key::Any => quote!(::goops_runtime::__private::HandlerKey::AnyHook),
            };
            entries.push(quote! {
                ::goops_runtime::__private::Handler { key: #key, run: Self::#wrapper }
            });
        }
    }
    let metadata_impl = metadata.map(|m| {
        let value = m.to_static();
        let tracking = m.tracking();
        quote! {
            #[automatically_derived]
            impl ::goops_runtime::__private::HasMetadata for #self_ty {
                const METADATA: &'static ::goops_runtime::__private::CharmMetadata = &#value;
            }
            #tracking
        }
    });
    quote! {
        #item

        #[automatically_derived]
        #[doc(hidden)]
        impl #self_ty {
            #(#wrappers)*
        }

        #[automatically_derived]
        impl ::goops_runtime::__private::Charm for #self_ty {
            const HANDLERS: &'static [::goops_runtime::__private::Handler<Self>] = &[#(#entries),*];
        }

        #metadata_impl
    }
}

/// On errors: the user's impl block and an empty table, so the rest of the crate still checks.
pub(crate) fn fallback(item: &ItemImpl) -> TokenStream {
    let self_ty = &item.self_ty;
    quote! {
        #item

        #[automatically_derived]
        impl ::goops_runtime::__private::Charm for #self_ty {
            const HANDLERS: &'static [::goops_runtime::__private::Handler<Self>] = &[];
        }
    }
}
