//! Generating `impl Charm` (the dispatch table and the collect-status handler), `impl HasMetadata`
//! and the handler wrappers.

use goops_juju::charmcraft::CharmMeta;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemImpl, ReturnType};

use super::validate::{Checked, Handlers, Key};
use super::wiring;
use crate::metadata;

/// The user's impl block, the wrappers and the trait impls.
pub(crate) fn expand(item: &ItemImpl, handlers: &Handlers<'_>, meta: Option<&CharmMeta>) -> TokenStream {
    let self_ty = &item.self_ty;
    let p = quote!(::goops_runtime::__private);
    let all = handlers.table.iter().chain(&handlers.collect_status);
    let wrappers = all.map(wrapper);
    let entries = handlers.table.iter().flat_map(|handler| {
        let run = wrapper_name(handler);
        let p = p.clone();
        handler.keys.iter().map(move |key| {
            let key = match key {
                Key::Hook(name) => quote!(#p::HandlerKey::Hook(#name)),
                Key::Action(name) => quote!(#p::HandlerKey::Action(#name)),
                Key::Any => quote!(#p::HandlerKey::AnyHook),
            };
            quote!(#p::Handler { key: #key, run: Self::#run })
        })
    });
    let collect_status = handlers.collect_status.as_ref().map(|handler| {
        let run = wrapper_name(handler);
        quote! {
            const COLLECT_STATUS: ::core::option::Option<fn(&Self, &#p::Context) -> #p::Outcome> =
                ::core::option::Option::Some(Self::#run);
        }
    });
    let metadata_impl = meta.map(|m| metadata_impl(item, m));
    let lib_wrappers = wiring::wrappers(&handlers.libs);
    let libs = wiring::table(&handlers.libs);
    let lib_checks = wiring::checks(&handlers.libs);
    quote! {
        #item

        #[automatically_derived]
        #[doc(hidden)]
        impl #self_ty {
            #(#wrappers)*
            #lib_wrappers
        }

        #[automatically_derived]
        impl #p::Charm for #self_ty {
            const HANDLERS: &'static [#p::Handler<Self>] = &[#(#entries),*];
            #collect_status
            #libs
        }

        #lib_checks
        #metadata_impl
    }
}

pub(super) fn wrapper_name(handler: &Checked<'_>) -> syn::Ident {
    format_ident!("__goops_run_{}", handler.handler.sig.ident)
}

/// `fn __goops_run_<method>(charm, ctx) -> Outcome`: extract each argument, call the method,
/// convert its result. An associated function, so it fits `fn(&Self, &Context) -> Outcome`
/// whether or not the method takes `&self`.
pub(super) fn wrapper(handler: &Checked<'_>) -> TokenStream {
    let p = quote!(::goops_runtime::__private);
    let sig = &handler.handler.sig;
    let method = &sig.ident;
    let name = wrapper_name(handler);
    let arg_names: Vec<_> = (0..handler.args.len()).map(|i| format_ident!("__goops_arg{}", i)).collect();
    let extractions = handler.args.iter().zip(&arg_names).map(|(ty, name)| {
        // Spanned on the user's type, so an unsupported type is reported on the argument.
        // (The paths are written out: an interpolated `#p` would keep the call-site span.)
        quote_spanned! {ty.span()=>
            let #name: #ty = match <#ty as ::goops_runtime::__private::FromContext<'_>>::from_context(__goops_ctx) {
                ::core::result::Result::Ok(value) => value,
                ::core::result::Result::Err(rejection) => {
                    return ::goops_runtime::__private::rejected(__goops_ctx, rejection);
                }
            };
        }
    });
    let receiver = handler.takes_self.then(|| quote!(__goops_charm,));
    let ret_span = match &sig.output {
        ReturnType::Default => sig.ident.span(),
        ReturnType::Type(_, ty) => ty.span(),
    };
    let convert = if handler.handler.is_action() {
        quote_spanned!(ret_span=> ::goops_runtime::__private::ActionReturn::outcome(__goops_result))
    } else {
        quote_spanned!(ret_span=> ::goops_runtime::__private::HookReturn::outcome(__goops_result))
    };
    quote! {
        #[doc(hidden)]
        fn #name(__goops_charm: &Self, __goops_ctx: &#p::Context) -> #p::Outcome {
            #(#extractions)*
            let __goops_result = Self::#method(#receiver #(#arg_names),*);
            #convert
        }
    }
}

/// `impl HasMetadata` and the tracking of the files it came from.
fn metadata_impl(item: &ItemImpl, meta: &CharmMeta) -> TokenStream {
    let self_ty = &item.self_ty;
    let value = metadata::to_static(meta);
    let tracking = metadata::tracking(meta);
    quote! {
        #[automatically_derived]
        impl ::goops_runtime::__private::HasMetadata for #self_ty {
            const METADATA: &'static ::goops_runtime::__private::CharmMetadata = &#value;
        }
        #tracking
    }
}

/// On errors: the user's impl block, an empty table and the metadata (when it could be read),
/// so the rest of the crate still type-checks and reports nothing more.
pub(crate) fn fallback(item: &ItemImpl, meta: Option<&CharmMeta>) -> TokenStream {
    let self_ty = &item.self_ty;
    // A generic impl block was refused: its type names parameters the stubs do not declare.
    let usable = item.generics.params.is_empty();
    let metadata_impl = meta.filter(|_| usable).map(|m| metadata_impl(item, m));
    let charm_impl = usable.then(|| {
        quote! {
            #[automatically_derived]
            impl ::goops_runtime::__private::Charm for #self_ty {
                const HANDLERS: &'static [::goops_runtime::__private::Handler<Self>] = &[];
            }
        }
    });
    let tracking = meta.filter(|_| !usable).map(metadata::tracking);
    quote! {
        #item
        #charm_impl
        #metadata_impl
        #tracking
    }
}
