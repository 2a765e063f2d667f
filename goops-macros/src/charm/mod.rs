//! `#[charm]`: the dispatch table from an impl block's `#[hook]` and `#[action]` methods, and
//! its `#[collect_status]` method.

mod containers;
pub(crate) mod expand;
pub(crate) mod parse;
pub(crate) mod validate;

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::errors::Ctxt;
use crate::metadata;
use crate::symbol::Symbol;

/// Expand `#[charm(args)] item`.
pub(crate) fn charm(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::ItemImpl = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(e) => {
            let message = syn::Error::new(e.span(), "`#[charm]` goes on an impl block: `#[charm] impl MyCharm { … }`");
            let error = message.into_compile_error();
            return quote! { #item #error };
        }
    };
    let cx = Ctxt::new();
    let args = parse::parse_args(&cx, args);
    let meta = metadata::load(args.metadata.as_ref()).map_err(|e| cx.push(e)).ok();
    let input = parse::parse(&cx, item);
    let handlers = validate::validate(&cx, &input, meta.as_ref());
    match cx.check() {
        Ok(()) => expand::expand(&input.item, &handlers, meta.as_ref()),
        Err(error) => {
            let fallback = expand::fallback(&input.item, meta.as_ref());
            let error = error.into_compile_error();
            quote! { #fallback #error }
        }
    }
}

/// A `#[hook]`, `#[action]` or `#[collect_status]` outside `#[charm]`: keep the item, say where
/// it belongs.
pub(crate) fn stray(attr: Symbol, item: TokenStream) -> TokenStream {
    let message = format!(
        "`#[{attr}]` only works on a method inside a `#[charm]` impl block: put `#[charm]` on the `impl` that holds this method"
    );
    let error = syn::Error::new(Span::call_site(), message).into_compile_error();
    quote! { #item #error }
}
